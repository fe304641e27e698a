//! Test harness: every test gets its own database (a temporary SQLite file, or a MySQL database
//! created and dropped here) and the production application served on a free local port.

use ocpizza::db::{self, DbPool};
use std::sync::Arc;
use std::time::Duration;

#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
pub const MYSQL_ENV: &str = "OCPIZZA_TEST_MYSQL_URL";

/// The secret key of the tests' release processes and of apps that share cookies (a
/// throwaway value, never a production one).
pub const SECRET_KEY: &str = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";

/// A database that lives as long as the test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The media folder (uploads) and the .eml folder of every app on this database.
    media: tempfile::TempDir,
    mail: tempfile::TempDir,
    #[cfg(feature = "mysql")]
    drop_from: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Arc<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("ocpizza.db").display().to_string();
        Arc::new(TestDb {
            url,
            _dir: Some(dir),
            media: tempfile::tempdir().expect("temp dir"),
            mail: tempfile::tempdir().expect("temp dir"),
            #[cfg(feature = "mysql")]
            drop_from: None,
        })
    }

    /// A fresh database on the server of OCPIZZA_TEST_MYSQL_URL, or None when it is not set.
    #[cfg(feature = "mysql")]
    pub fn mysql() -> Option<Arc<TestDb>> {
        use diesel::{Connection, RunQueryDsl};
        let admin_url = std::env::var(MYSQL_ENV).ok().filter(|u| !u.is_empty())?;
        let name = format!(
            "ocpizza_t_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let mut admin = diesel::MysqlConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("{MYSQL_ENV} is set but MySQL is unreachable: {e}"));
        diesel::sql_query(format!(
            "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .execute(&mut admin)
        .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("valid test MySQL URL");
        url.set_path(&format!("/{name}"));
        Some(Arc::new(TestDb {
            url: url.to_string(),
            _dir: None,
            media: tempfile::tempdir().expect("temp dir"),
            mail: tempfile::tempdir().expect("temp dir"),
            drop_from: Some((admin_url, name)),
        }))
    }

    pub fn media_dir(&self) -> String {
        self.media.path().display().to_string()
    }

    pub fn mail_dir(&self) -> String {
        self.mail.path().display().to_string()
    }

    pub fn pool(&self) -> DbPool {
        db::connect(&self.url, 24).expect("test pool")
    }
}

#[cfg(feature = "mysql")]
impl Drop for TestDb {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Some((admin_url, name)) = &self.drop_from {
            if let Ok(mut admin) = diesel::MysqlConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
                    .execute(&mut admin);
            }
        }
    }
}

/// The production app, served for real on 127.0.0.1.
pub struct TestApp {
    pub base: String,
    pub db: Arc<TestDb>,
    pub pool: DbPool,
    pub http: reqwest::Client,
    shutdown: rocket::Shutdown,
}

impl TestApp {
    /// A new database with the demo data, and an app serving it.
    pub async fn with_demo(db: Arc<TestDb>) -> TestApp {
        Self::serve(db, true).await
    }

    /// Another app process on the same database (no seeding).
    pub async fn another_instance(&self) -> TestApp {
        Self::serve(self.db.clone(), false).await
    }

    pub async fn serve(db: Arc<TestDb>, demo: bool) -> TestApp {
        Self::serve_with(db, demo, |rocket| rocket).await
    }

    /// The production app with something added by the test (routes that exercise guards).
    pub async fn serve_with(
        db: Arc<TestDb>,
        demo: bool,
        extra: impl FnOnce(rocket::Rocket<rocket::Build>) -> rocket::Rocket<rocket::Build>
            + Send
            + 'static,
    ) -> TestApp {
        Self::serve_configured(db, demo, &[], extra).await
    }

    /// The same, with settings of the test's own (`("housekeeping.interval_s", json!(1))`).
    pub async fn serve_configured(
        db: Arc<TestDb>,
        demo: bool,
        settings: &[(&str, serde_json::Value)],
        extra: impl FnOnce(rocket::Rocket<rocket::Build>) -> rocket::Rocket<rocket::Build>
            + Send
            + 'static,
    ) -> TestApp {
        if std::env::var_os("OCPIZZA_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
        }
        let mut figment = ocpizza::config::figment()
            .merge(("database_url", db.url.clone()))
            .merge(("demo_data", demo))
            .merge(("demo_orders", false))
            .merge(("demo_photos", false))
            .merge(("media_dir", db.media_dir()))
            .merge(("mail.folder", db.mail_dir()))
            .merge(("mail.poll_ms", 200))
            .merge(("port", 0))
            .merge(("log_level", "off"))
            .merge(("live_poll_ms", 50))
            .merge(("db_pool_size", 8));
        for (key, value) in settings {
            figment = figment.merge((*key, value.clone()));
        }
        let rocket = tokio::task::spawn_blocking(move || ocpizza::app(figment))
            .await
            .unwrap()
            .expect("app builds");
        let rocket = extra(rocket);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let tx = std::sync::Mutex::new(Some(tx));
        let rocket = rocket
            .attach(rocket::fairing::AdHoc::on_liftoff("test port", move |r| {
                let port = r.config().port;
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(port);
                }
                Box::pin(async {})
            }))
            .ignite()
            .await
            .expect("app ignites");
        let shutdown = rocket.shutdown();
        tokio::spawn(rocket.launch());
        let port = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .expect("app starts")
            .unwrap();
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            pool: db.pool(),
            db,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self.http.get(self.url(path)).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// Runs blocking database work (the tests' own "other process").
    pub async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut db::DbConn) -> T + Send + 'static,
    ) -> T {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || f(&mut pool.get().expect("connection")))
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Declares each test once per backend: `<name>::sqlite` always, `<name>::mysql` in a build with
/// the `mysql` feature (it says so and returns when OCPIZZA_TEST_MYSQL_URL is not set).
#[macro_export]
macro_rules! each_backend {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: std::sync::Arc<$crate::harness::TestDb>) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                run($crate::harness::TestDb::sqlite()).await
            }

            #[cfg(feature = "mysql")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn mysql() {
                match $crate::harness::TestDb::mysql() {
                    Some(db) => run(db).await,
                    None => eprintln!("MySQL variant not run: {} is not set", $crate::harness::MYSQL_ENV),
                }
            }
        }
    )*};
}
