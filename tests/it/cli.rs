//! The `ocpizza` command line, run as the operator runs it.

use crate::each_backend;
use std::process::{Command, Output};

pub fn ocpizza(database_url: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ocpizza"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("OCPIZZA_DATABASE_URL", database_url)
        .env("OCPIZZA_LOG", "warn")
        .env_remove("OCPIZZA_NEW_USER_PASSWORD")
        .env_remove("ROCKET_PROFILE");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().expect("run ocpizza")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

each_backend! {
    async fn seed_demo_fills_an_empty_database_and_refuses_a_second_time(db) {
        let first = ocpizza(&db.url, &["seed-demo"], &[]);
        assert!(first.status.success(), "{}", stderr(&first));
        let again = ocpizza(&db.url, &["seed-demo"], &[]);
        assert_eq!(again.status.code(), Some(2));
        assert!(stderr(&again).contains("already holds data"), "{}", stderr(&again));
        let check = ocpizza(&db.url, &["check-config"], &[]);
        assert!(check.status.success());
        assert!(stdout(&check).contains("migrations up to date"), "{}", stdout(&check));
    }

    async fn create_user_reads_the_password_from_the_environment(db) {
        assert!(ocpizza(&db.url, &["seed-demo"], &[]).status.success());
        let pw = [("OCPIZZA_NEW_USER_PASSWORD", "un mot de passe solide")];
        let ok = ocpizza(&db.url, &["create-user", "--role", "manager", "--pizzeria", "1", "--email", "Lea@OCPizza.fr", "--name", "Léa Martin"], &pw);
        assert!(ok.status.success(), "{}", stderr(&ok));
        assert!(stdout(&ok).contains("lea@ocpizza.fr") || stdout(&ok).contains("Lea@OCPizza.fr"));

        let cases: [(&[&str], &str); 5] = [
            (&["create-user", "--role", "manager", "--pizzeria", "1", "--email", "lea@ocpizza.fr", "--name", "Léa"], "déjà utilisée"),
            (&["create-user", "--role", "chef", "--pizzeria", "1", "--email", "x@ocpizza.fr", "--name", "X"], "unknown role"),
            (&["create-user", "--role", "pizzaiolo", "--email", "x@ocpizza.fr", "--name", "X"], "--pizzeria is required"),
            (&["create-user", "--role", "pizzaiolo", "--pizzeria", "999", "--email", "x@ocpizza.fr", "--name", "X"], "Pizzeria inconnue."),
            (&["create-user", "--role", "pizzaiolo", "--pizzeria", "1", "--email", "pas-un-email", "--name", "X"], "Adresse e-mail invalide."),
        ];
        for (args, expected) in cases {
            let out = ocpizza(&db.url, args, &pw);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
        }
        let weak = ocpizza(&db.url, &["create-user", "--role", "admin", "--email", "d@ocpizza.fr", "--name", "D"], &[("OCPIZZA_NEW_USER_PASSWORD", "court")]);
        assert_eq!(weak.status.code(), Some(2));
        assert!(stderr(&weak).contains("au moins 10 caractères"));
    }
}

#[test]
fn a_bad_database_url_stops_the_start_with_one_plain_line() {
    for url in [
        "postgres://localhost/ocpizza",
        "mysql://root@127.0.0.1:1/nowhere",
    ] {
        let out = ocpizza(url, &["check-config"], &[]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{url}: {err}");
        assert!(err.starts_with("ocpizza: "), "{err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn release_mode_without_a_secret_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("x.db").display().to_string();
    let out = ocpizza(&url, &["serve"], &[("ROCKET_PROFILE", "release")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("ROCKET_SECRET_KEY"), "{err}");
}

#[test]
fn starting_outside_the_application_folder_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("x.db").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_ocpizza"))
        .current_dir(dir.path())
        .arg("serve")
        .env("OCPIZZA_DATABASE_URL", &url)
        .env_remove("ROCKET_PROFILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("OCPIZZA_ASSETS_DIR"), "{err}");
}

#[test]
fn nested_settings_come_from_variables_with_a_double_underscore() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("x.db").display().to_string();
    let refused = ocpizza(
        &url,
        &["check-config"],
        &[("OCPIZZA_HOUSEKEEPING__INTERVAL_S", "0")],
    );
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(
        err.contains("OCPIZZA_HOUSEKEEPING__INTERVAL_S must be between 1 and 86400"),
        "{err}"
    );
    let ok = ocpizza(
        &url,
        &["check-config"],
        &[("OCPIZZA_HOUSEKEEPING__INTERVAL_S", "30")],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
}

/// `ocpizza serve` as production runs it: one JSON log line per request, with the route
/// pattern, status, duration and request id, and never the raw path with its token.
#[test]
fn a_release_server_logs_one_json_line_per_request_without_its_token() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = release_server(dir.path(), port);
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut next_json = || -> serde_json::Value {
        let line = lines.next().expect("a log line").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    };
    while !next_json()["fields"]["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("serving on")
    {}
    let token = "5L97RXdVRb3py0XJN8PuASWIBmhnkHotAzHuLffhdQ";
    let res = plain_http::request_id_of(&format!("http://127.0.0.1:{port}/orders/{token}"));
    let line = loop {
        let v = next_json();
        if v["target"] == "ocpizza::request" {
            break v;
        }
        assert!(
            !v.to_string().contains(token),
            "the token in a log line: {v}"
        );
    };
    let _ = child.kill();
    let _ = child.wait();
    let f = &line["fields"];
    assert_eq!(
        (
            f["method"].as_str(),
            f["route"].as_str(),
            f["status"].as_u64()
        ),
        (Some("GET"), Some("/orders/<token>"), Some(404)),
        "{line}"
    );
    assert!(f["duration_ms"].is_number(), "{line}");
    assert_eq!(
        f["request_id"].as_str(),
        Some(res.as_str()),
        "the id sent back"
    );
    assert!(!line.to_string().contains(token));
}

/// `ocpizza serve` in release, on `port`, its files under `dir`, its log on a pipe.
fn release_server(dir: &std::path::Path, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ocpizza"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("serve")
        .env("OCPIZZA_DATABASE_URL", dir.join("ocpizza.db"))
        .env("OCPIZZA_MEDIA_DIR", dir.join("media"))
        .env("OCPIZZA_MAIL__FOLDER", dir.join("mail"))
        .env("OCPIZZA_LOG", "info")
        .env_remove("OCPIZZA_LOG_JSON")
        .env("ROCKET_PROFILE", "release")
        .env("ROCKET_SECRET_KEY", crate::harness::SECRET_KEY)
        .env("ROCKET_PORT", port.to_string())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ocpizza serve")
}

mod plain_http {
    /// A GET with a plain TCP exchange (the test has no blocking HTTP client): the answer's
    /// request id.
    pub fn request_id_of(url: &str) -> String {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("x-request-id: ")
                    .map(|_| l[14..].trim().to_string())
            })
            .unwrap_or_else(|| panic!("no request id: {answer}"))
    }
}
