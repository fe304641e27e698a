//! A real NGINX on loopback running the shipped site `deploy/nginx/ocpizza.conf`, with only its
//! ports, certificate, upstream servers and folders replaced, in front of the tests' apps.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Nginx {
    pub https: u16,
    pub http: u16,
    pub webroot: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `from` replaced by `to` in `text`, which must hold it: the test follows the shipped file.
fn swap(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "deploy/nginx/ocpizza.conf no longer holds {from:?}"
    );
    text.replace(from, to)
}

/// The shipped site with the test's ports, certificate, upstreams and folders.
fn site(dir: &Path, https: u16, http: u16, upstreams: &[u16], media: &str) -> String {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/nginx/ocpizza.conf"
    ))
    .unwrap();
    let servers: String = upstreams
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n"))
        .collect();
    let mut s = swap(
        &shipped,
        "    server 127.0.0.1:8000 max_fails=1 fail_timeout=10s;\n    server 127.0.0.1:8001 max_fails=1 fail_timeout=10s;\n",
        &servers,
    );
    s = swap(
        &s,
        "    listen 80;\n",
        &format!("    listen 127.0.0.1:{http};\n"),
    );
    s = swap(&s, "    listen [::]:80;\n", "");
    s = swap(
        &s,
        "    listen 443 ssl http2;\n",
        &format!("    listen 127.0.0.1:{https} ssl http2;\n"),
    );
    s = swap(&s, "    listen [::]:443 ssl http2;\n", "");
    let d = dir.display();
    s = swap(
        &s,
        "/etc/letsencrypt/live/ocpizza.fr/fullchain.pem",
        &format!("{d}/cert.pem"),
    );
    s = swap(
        &s,
        "/etc/letsencrypt/live/ocpizza.fr/privkey.pem",
        &format!("{d}/key.pem"),
    );
    s = swap(&s, "/var/www/certbot", &format!("{d}/webroot"));
    s = swap(
        &s,
        "/opt/ocpizza/current/assets/",
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/"),
    );
    swap(&s, "/var/lib/ocpizza/media/", &format!("{media}/"))
}

fn throwaway_certificate(dir: &Path) {
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=ocpizza.test"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main_conf(dir: &Path) -> String {
    let d = dir.display();
    // As root, NGINX's workers would become `nobody`, who cannot read the tests' folders.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    format!(
        "{user}pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes 1;\nevents {{ worker_connections 1024; }}\n\
         http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  access_log off;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/site.conf;\n}}\n",
        user = if root { "user root root;\n" } else { "" },
    )
}

impl Nginx {
    /// NGINX in front of the apps on `upstreams`, serving `media` as /media; `nginx -t` first.
    pub async fn start(upstreams: &[u16], media: &str) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let (https, http) = (free_port(), free_port());
        throwaway_certificate(dir.path());
        std::fs::create_dir_all(dir.path().join("webroot/.well-known/acme-challenge")).unwrap();
        std::fs::write(
            dir.path().join("site.conf"),
            site(dir.path(), https, http, upstreams, media),
        )
        .unwrap();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, main_conf(dir.path())).unwrap();
        let check = Command::new("nginx")
            .arg("-t")
            .arg("-c")
            .arg(&conf)
            .output()
            .expect("nginx installed (scripts/setup)");
        assert!(
            check.status.success(),
            "nginx -t: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let nginx = Nginx {
            https,
            http,
            webroot: dir.path().join("webroot"),
            child,
            _dir: dir,
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", https))
                .await
                .is_ok()
            {
                return nginx;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("nginx did not start");
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.https)
    }

    /// A browser's client through NGINX: cookies kept, redirects not followed, the
    /// throwaway certificate accepted.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM: the master stops its workers too (a KILL would leave them listening).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
