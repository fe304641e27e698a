//! The layer check of CI (scripts/check-layers) finds each kind of breach, and the tree has
//! none.

use std::path::Path;
use std::process::Command;

fn check(src: &Path) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-layers");
    let out = Command::new("python3")
        .arg(script)
        .arg(src)
        .output()
        .expect("python3 runs the check");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_application_keeps_its_layers() {
    let (ok, out) = check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(ok, "{out}");
}

#[test]
fn each_kind_of_breach_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    write(src, "domain/ids.rs", "use rocket::request::FromParam;\n");
    write(
        src,
        "web/shop/cart.rs",
        "fn f(c: &mut DbConn) { crate::db::write_tx(c, |tx| session::save_data(tx, 1)); }\n",
    );
    write(
        src,
        "web/shop/checkout/mod.rs",
        "use super::cart::show_cart;\nuse crate::db::schema::orders;\n",
    );
    write(
        src,
        "services/cart.rs",
        "fn f() { diesel::insert_into(crate::db::schema::orders::table); }\n",
    );
    write(
        src,
        "web/shop/orders/mod.rs",
        "use crate::models::session::{find, save_data};\n",
    );
    write(src, "live/mod.rs", "use crate::services::housekeeping;\n");
    write(src, "models/order.rs", "use crate::live::Hub;\n");
    write(src, "db/mod.rs", "use crate::models::order;\n");
    write(src, "web/shop/views.rs", &"// line\n".repeat(401));
    let (ok, out) = check(src);
    assert!(!ok);
    for expected in [
        "domain/ids.rs: the domain mentions rocket",
        "web/shop/cart.rs: web opens a write transaction",
        "web/shop/cart.rs: web calls a model function that writes",
        "web/shop/checkout/mod.rs: resource checkout uses resource cart",
        "web/shop/orders/mod.rs: web imports a model function that writes (crate::models::session::save_data)",
        "web/shop/checkout/mod.rs: web names the schema",
        "services/cart.rs: a service writes Diesel statements",
        "services/cart.rs: a service names the schema",
        "live/mod.rs: live may not use services",
        "models/order.rs: models may not use live",
        "db/mod.rs: db may not use models",
        "circle between modules: db -> models -> live -> services -> db",
        "web/shop/views.rs: 401 lines",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}
