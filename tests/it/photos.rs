//! Product photos: the direction sends a JPEG, PNG or WebP (taken for what its bytes are, not
//! for its name); the app makes the menu's sizes under the media folder, serves them with long
//! cache headers, and every menu shows them in a reserved place, lazily below the first ones.
//! Anything that is not such a photo, or too large, is refused next to the field with nothing
//! written.

use crate::customer::{Customer, Part};
use crate::each_backend;
use crate::floor::staff;
use crate::harness::{TestApp, TestDb};
use crate::ordering::shop;
use diesel::prelude::*;
use image::{ImageEncoder, Rgb, RgbImage};
use ocpizza::db::schema::products;
use ocpizza::domain::ids::ProductId;
use std::path::PathBuf;

fn unescape(body: &str) -> String {
    body.replace("&#x27;", "'").replace("&#x2F;", "/")
}

fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]))
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(picture(w, h).as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&picture(w, h))
        .unwrap();
    out
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(picture(w, h).as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

async fn photo_of(app: &TestApp, p: ProductId) -> Option<String> {
    app.with_conn(move |c| {
        products::table
            .find(p)
            .select(products::photo)
            .first(c)
            .unwrap()
    })
    .await
}

fn photo_folder(db: &TestDb) -> PathBuf {
    PathBuf::from(db.media_dir()).join("products")
}

/// The files of the media folder (none when it was never made).
fn stored_files(db: &TestDb) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(photo_folder(db))
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn send(
    admin: &mut Customer,
    p: ProductId,
    file: (&str, &str),
    bytes: &[u8],
) -> (u16, String) {
    admin.get(&format!("/admin/products/{p}")).await;
    let parts: [Part<'_>; 1] = [("photo", Some(file), bytes)];
    let answer = admin
        .multipart_post(&format!("/admin/products/{p}/photo"), &parts)
        .await;
    (answer.status, unescape(&answer.body))
}

/// The `<li>` of a product on a menu page.
fn card(menu: &str, p: ProductId) -> &str {
    let at = menu
        .find(&format!("id=\"product-{p}\""))
        .expect("the product is on the menu");
    &menu[at..at + menu[at..].find("</li>").unwrap()]
}

each_backend! {
    async fn photos_sent_as_jpeg_png_or_webp_reach_every_menu_in_their_sizes(db) {
        let shop = shop(db.clone()).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        let uploads = [
            (shop.margherita, ("margherita.jpg", "image/jpeg"), jpeg(1200, 900)),
            (shop.regina, ("regina.webp", "image/webp"), webp(640, 640)),
            // Named and typed as text: the bytes say PNG.
            (shop.bufalina, ("bufalina.txt", "text/plain"), png(1000, 500)),
        ];
        let mut keys = Vec::new();
        for (p, file, bytes) in &uploads {
            let (status, body) = send(&mut admin, *p, *file, bytes).await;
            assert_eq!(status, 303, "{body}");
            let key = photo_of(&shop.app, *p).await.expect("the product names its photo");
            assert!(ocpizza::domain::photo::is_key(&key), "{key}");
            keys.push(key);
        }
        let page = unescape(&admin.get(&format!("/admin/products/{}?done=photo", shop.margherita)).await.body);
        assert!(page.contains("Photo enregistrée"), "{page}");
        assert!(page.contains(&format!("/media/products/{}-480.jpg", keys[0])), "{page}");
        for key in &keys {
            for (width, height) in [(480, 360), (240, 180)] {
                let path = photo_folder(&db).join(format!("{key}-{width}.jpg"));
                let made = image::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                assert_eq!((made.width(), made.height()), (width, height), "4:3 at each width");
            }
        }
        assert_eq!(stored_files(&db).len(), 6, "two sizes each, nothing aside: {:?}", stored_files(&db));

        // Another process's menu shows them, each in a place reserved by its size.
        let other = shop.app.another_instance().await;
        let mut customer = Customer::new(&other).await;
        let menu = unescape(&customer.get(&format!("/pizzerias/{}", shop.montmartre)).await.body);
        for (i, ((p, ..), key)) in uploads.iter().zip(&keys).enumerate() {
            let li = card(&menu, *p);
            assert!(li.contains(&format!(
                "src=\"/media/products/{key}-240.jpg\" srcset=\"/media/products/{key}-240.jpg 240w, /media/products/{key}-480.jpg 480w\""
            )), "{li}");
            assert!(li.contains("width=\"240\" height=\"180\""), "{li}");
            assert_eq!(li.contains("loading=\"lazy\""), i >= 2, "the first two load at once: {li}");
        }
        let plain = shop.app.with_conn(|c| crate::fixtures::product(c, "Diavola")).await;
        assert!(!card(&menu, plain).contains("<img"), "a product without a photo shows none");

        let res = customer.http.get(other.url(&format!("/media/products/{}-240.jpg", keys[2]))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
        let served = res.bytes().await.unwrap();
        assert_eq!(served.as_ref(), std::fs::read(photo_folder(&db).join(format!("{}-240.jpg", keys[2]))).unwrap());
        assert_eq!(customer.get("/media/products/nothing-here.jpg").await.status, 404);

        // Taken off: this process's menus show it at once.
        let removed = admin.post(&format!("/admin/products/{}/photo/remove", shop.margherita), &[]).await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        assert_eq!(photo_of(&shop.app, shop.margherita).await, None);
        let mut here = Customer::new(&shop.app).await;
        let menu = unescape(&here.get(&format!("/pizzerias/{}", shop.bastille)).await.body);
        assert!(!card(&menu, shop.margherita).contains("<img"), "{}", card(&menu, shop.margherita));
        assert!(card(&menu, shop.regina).contains(&keys[1]));
        let list = unescape(&admin.get("/admin/products").await.body);
        assert!(list.contains(&format!("/media/products/{}-240.jpg", keys[1])), "the list shows thumbnails");
    }
}

/// (what, (file name, type), content, status, message at the field).
type Refusal<'a> = (&'a str, (&'a str, &'a str), &'a [u8], u16, &'a str);

/// Nothing was written: the product names no photo and the media folder holds no file.
async fn nothing_written(app: &TestApp, db: &TestDb, p: ProductId) {
    assert_eq!(photo_of(app, p).await, None, "the product names no photo");
    assert_eq!(
        stored_files(db),
        Vec::<String>::new(),
        "no file was written"
    );
}

each_backend! {
    async fn what_is_not_a_photo_or_too_large_is_refused_next_to_the_field_with_nothing_written(db) {
        let shop = shop(db.clone()).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        let p = shop.margherita;
        let whole = png(800, 600);
        let mut too_large = whole.clone();
        too_large.resize(8 * 1024 * 1024 + 1, 0);
        let cases: [Refusal<'_>; 6] = [
            ("text named as a photo", ("photo.jpg", "image/jpeg"), b"pas une image du tout", 422, "Ce fichier n'est pas une image JPEG, PNG ou WebP."),
            ("a GIF", ("photo.gif", "image/gif"), b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 422, "Ce fichier n'est pas une image JPEG, PNG ou WebP."),
            ("a cut PNG", ("photo.png", "image/png"), &whole[..whole.len() / 3], 422, "Cette image est illisible ou incomplète"),
            ("a small one", ("photo.png", "image/png"), &png(300, 200), 422, "La photo doit mesurer au moins 480 × 360 pixels (celle-ci : 300 × 200)."),
            ("no file chosen", ("", "application/octet-stream"), b"", 422, "Choisissez une photo à envoyer."),
            ("over 8 MB", ("photo.png", "image/png"), &too_large, 413, "La photo dépasse 8 Mo"),
        ];
        for (what, file, bytes, status, message) in cases {
            let (got, body) = send(&mut admin, p, file, bytes).await;
            assert_eq!(got, status, "{what}: {body}");
            let error = body.find("id=\"photo-error\"").unwrap_or_else(|| panic!("{what}: no message at the field: {body}"));
            assert!(body[error..].contains(message), "{what}: {}", &body[error..error + 300]);
            assert!(body.contains("aria-invalid=\"true\""), "{what}");
        }
        nothing_written(&shop.app, &db, p).await;
    }
}

each_backend! {
    async fn a_photo_form_is_refused_from_elsewhere_with_extra_fields_or_far_too_large(db) {
        let shop = shop(db.clone()).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        let p = shop.margherita;
        let whole = png(800, 600);
        // A field the form does not have.
        admin.get(&format!("/admin/products/{p}")).await;
        let sneaky: [Part<'_>; 2] = [("photo", Some(("a.png", "image/png")), &whole), ("active", None, b"off")];
        let answer = admin.multipart_post(&format!("/admin/products/{p}/photo"), &sneaky).await;
        assert_eq!(answer.status, 422);
        assert!(unescape(&answer.body).contains("Champ inattendu : « active »"), "{}", answer.body);
        // Without this browser's token, or from another site.
        admin.csrf = "forged".into();
        let forged: [Part<'_>; 1] = [("photo", Some(("a.png", "image/png")), &whole)];
        assert_eq!(admin.multipart_post(&format!("/admin/products/{p}/photo"), &forged).await.status, 403);
        let cross = admin
            .http
            .post(shop.app.url(&format!("/admin/products/{p}/photo")))
            .header("Content-Type", "multipart/form-data; boundary=x")
            .header("Sec-Fetch-Site", "cross-site")
            .body("--x--\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status(), 403);
        // A plain form where a file is expected.
        let plain = admin.post(&format!("/admin/products/{p}/photo"), &[]).await;
        assert_eq!(plain.status, 415);

        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let denied = manager.multipart_post(&format!("/admin/products/{p}/photo"), &forged).await;
        assert_eq!(denied.status, 403, "only the direction sends photos");
        // Far over the limit: refused without reading it all. The app answers 413 as soon as
        // the cap is passed and closes the connection, so the client may see that answer or
        // only the closed connection while it is still sending (as with NGINX's own limit).
        // Last: the client's pooled connection is closed by then.
        let mut body = b"--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"huge.png\"\r\n\r\n".to_vec();
        body.resize(12 * 1024 * 1024, 0);
        let huge = admin
            .http
            .post(shop.app.url(&format!("/admin/products/{p}/photo")))
            .header("Content-Type", "multipart/form-data; boundary=x")
            .header("Sec-Fetch-Site", "same-origin")
            .body(body)
            .send()
            .await;
        if let Ok(res) = huge {
            assert_eq!(res.status(), 413);
        }
        nothing_written(&shop.app, &db, p).await;
    }
}

each_backend! {
    async fn the_demo_pizzas_have_photos_made_as_uploads_are(db) {
        let app = TestApp::serve_configured(db.clone(), true, &[("demo_photos", serde_json::json!(true))], |r| r).await;
        let named: Vec<(String, Option<String>)> = app
            .with_conn(|c| products::table.select((products::name, products::photo)).load(c).unwrap())
            .await;
        let with: Vec<&str> = named.iter().filter(|(_, k)| k.is_some()).map(|(n, _)| n.as_str()).collect();
        assert_eq!(with.len(), 12, "every pizza: {with:?}");
        assert!(named.iter().any(|(_, k)| k.is_none()), "drinks and desserts keep none");
        assert_eq!(stored_files(&db).len(), 24);
        let mut customer = Customer::new(&app).await;
        let bastille = app.with_conn(|c| crate::fixtures::pizzeria(c, "bastille")).await;
        let menu = customer.get(&format!("/pizzerias/{bastille}")).await.body;
        assert_eq!(menu.matches("class=\"product__photo\"").count(), 12);
    }
}
