//! OC Pizza: ordering and operations system of the OC Pizza group.
//! `app` builds the one Rocket application used by `ocpizza serve` and by the tests.
//!
//! Layers (see docs/ARCHITECTURE.md): `web` → `services` → `models` → `db`, all on `domain`;
//! `live` fans out changes; `workers` run what no request asks for; `payments` and `notify` do
//! the providers' and the mail's I/O.

pub mod config;
pub mod db;
pub mod domain;
pub mod live;
pub mod models;
pub mod notify;
pub mod payments;
pub mod services;
pub mod state;
pub mod web;
pub mod workers;

use config::{ConfigError, Settings};
use db::Db;
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};
use rocket_dyn_templates::{tera, Template};
use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Database(#[from] db::DbSetupError),
    #[error("cannot load the demo data: {0}")]
    Demo(#[from] services::demo::DemoError),
    #[error("database error at start: {0}")]
    Query(#[from] diesel::result::Error),
}

/// `{{ asset(path="app.css") }}` → `/assets/app.css?v=<version>`: static files are cached for a
/// year, so every release gets new URLs.
fn asset_url(args: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let path = args
        .get("path")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("asset() needs path=\"...\""))?;
    Ok(format!("/assets/{path}?v={}", env!("CARGO_PKG_VERSION")).into())
}

/// Opens the database of `settings`, applies migrations and loads the demo data if asked.
pub fn prepare_database(settings: &Settings) -> Result<Db, StartupError> {
    let backend = db::backend_of(&settings.database_url)?;
    let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| db::DbSetupError::Unreachable(e.to_string()))?;
    if settings.auto_migrate {
        let applied = db::run_migrations(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
    }
    if settings.demo_data && services::demo::is_empty(&mut conn)? {
        services::demo::seed(&mut conn)?;
        if settings.demo_orders {
            let placed = services::demo::seed_orders(&mut conn, services::demo::FIRST_SLUG)
                .map_err(|e| services::demo::DemoError::Orders(e.to_string()))?;
            tracing::info!(placed, "demo orders placed");
        }
        if settings.demo_photos {
            let media = std::path::Path::new(&settings.media_dir);
            let drawn = services::demo::add_photos(&mut conn, media)?;
            tracing::info!(drawn, "demo photos made");
        }
        tracing::info!("demo data loaded");
    }
    Ok(Db::new(pool, backend))
}

/// The media folder (uploads), created if missing: a start that cannot write there says so.
fn media_folder(settings: &Settings) -> Result<(), StartupError> {
    std::fs::create_dir_all(&settings.media_dir).map_err(|e| {
        StartupError::Config(ConfigError::Invalid(format!(
            "cannot create the media folder {:?} ({e}): set OCPIZZA_MEDIA_DIR to a writable folder",
            settings.media_dir
        )))
    })
}

fn check_folders(settings: &Settings, templates: &str) -> Result<(), StartupError> {
    for (dir, setting) in [
        (settings.assets_dir.as_str(), "OCPIZZA_ASSETS_DIR"),
        (templates, "ROCKET_TEMPLATE_DIR"),
    ] {
        if !std::path::Path::new(dir).is_dir() {
            return Err(StartupError::Config(ConfigError::Invalid(format!(
                "folder {dir:?} not found: run from the application folder or set {setting}"
            ))));
        }
    }
    Ok(())
}

/// The whole application, as production runs it, from a figment (see `config::figment`).
pub fn app(figment: Figment) -> Result<Rocket<Build>, StartupError> {
    let settings = Settings::from_figment(&figment)?;
    let templates: String = figment
        .extract_inner("template_dir")
        .unwrap_or_else(|_| "templates".into());
    check_folders(&settings, &templates)?;
    media_folder(&settings)?;
    let db = prepare_database(&settings)?;
    let hub = live::Hub::default();
    let providers = payments::Providers::from_settings(&settings.payments);
    let workers = workers::fairing(
        db.clone(),
        hub.clone(),
        providers.clone(),
        &settings,
        &templates,
    );
    let state = AppState {
        settings: settings.clone(),
        db,
        hub,
        payments: providers,
    };
    let metrics = std::sync::Arc::new(web::telemetry::Metrics::default());
    Ok(rocket::custom(figment)
        .manage(state)
        .manage(metrics.clone())
        .mount("/", web::routes())
        .mount("/staff", web::staff_routes())
        .mount("/admin", web::admin_routes())
        .mount("/assets", FileServer::from(&settings.assets_dir))
        .mount("/media", FileServer::from(&settings.media_dir))
        .register("/", web::catchers())
        .attach(Template::custom(|engines| {
            engines.tera.autoescape_on(vec![".tera", ".html"]);
            engines.tera.register_function("asset", asset_url);
        }))
        .attach(web::telemetry::Telemetry(metrics))
        .attach(web::Headers::new(&settings.payments))
        .attach(web::glance::ViewCookie)
        .attach(workers))
}
