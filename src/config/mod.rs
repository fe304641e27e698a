//! Typed settings: Rocket.toml profiles, then `ROCKET_*` and `OCPIZZA_*` environment variables.
//! Nested settings take `__` in the environment: `OCPIZZA_HOUSEKEEPING__INTERVAL_S` is
//! `housekeeping.interval_s`. Invalid settings stop the start with one plain line for the
//! operator.

mod payments;

pub use payments::{GocardlessSettings, PaymentSettings, PaypalSettings, StripeSettings};

use crate::db;
use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Settings {
    /// `mysql://user:password@host/db` (with `--features mysql`) or an SQLite file path.
    pub database_url: String,
    /// Connections in the database pool.
    pub db_pool_size: u32,
    /// Apply pending migrations when the server starts.
    pub auto_migrate: bool,
    /// Load the demo data when the server starts on an empty database.
    pub demo_data: bool,
    /// With the demo data, a few orders of the first pizzeria at every step (kitchen,
    /// drivers, counter).
    pub demo_orders: bool,
    /// How often each process reads new stock and order events for live pages (ms).
    pub live_poll_ms: u64,
    /// At or below this many makeable units, the menu says "plus que N".
    pub few_left_threshold: i64,
    /// Days of cover the manager's suggested supplier order aims at (1 to 60; the stock page
    /// can ask for another horizon).
    pub supply_days: i64,
    /// Folder of static files served under /assets.
    pub assets_dir: String,
    /// Folder of uploaded files (product photos), served under /media; created at start.
    pub media_dir: String,
    /// With the demo data, a drawn photo for each demo pizza (made as an upload would be).
    pub demo_photos: bool,
    /// Log lines as JSON (production) instead of text.
    pub log_json: bool,
    /// Mark cookies `Secure` (HTTPS only): on in release, behind NGINX with TLS.
    pub secure_cookies: bool,
    /// Bearer token that opens `/metrics` to a scraper elsewhere (empty: loopback only).
    pub metrics_token: String,
    /// Sentry's DSN for error reports (empty: none sent).
    pub sentry_dsn: String,
    /// The environment the reports name (production, staging…).
    pub sentry_environment: String,
    /// The housekeeping worker.
    pub housekeeping: HousekeepingSettings,
    /// E-mail: the outbox worker, SMTP or .eml files.
    pub mail: MailSettings,
    /// `ocpizza backup`: where backups go, how long they stay, where they are copied.
    pub backup: BackupSettings,
    /// Online payments: providers, expiry, reconciliation.
    pub payments: PaymentSettings,
}

/// `ocpizza backup` (see `db::backup`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BackupSettings {
    /// Folder of the backups (created if missing).
    pub dir: String,
    /// Backups older than this many days are removed after a successful one (0: kept).
    pub keep_days: u32,
    /// rsync destination for a copy of each backup (`backup@host:/srv/ocpizza/`); empty: none.
    pub copy_to: String,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            dir: "var/backups".into(),
            keep_days: 14,
            copy_to: String::new(),
        }
    }
}

/// The e-mail outbox worker (`workers::mailer`) and its transport.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MailSettings {
    /// The site's address as customers reach it: links in e-mails start with it.
    pub public_url: String,
    /// The sender, `Name <address>`.
    pub from: String,
    /// Where replies go (empty: to the sender).
    pub reply_to: String,
    /// SMTP relay; empty: e-mails are written as .eml files under `folder`.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls` (port 587), `tls` (implicit TLS, port 465) or `none` (a local relay only).
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password: String,
    /// Without SMTP: the folder of the .eml files.
    pub folder: String,
    /// How often the worker looks for e-mails to send (ms).
    pub poll_ms: u64,
    /// Seconds an SMTP exchange may take before it counts as a temporary failure.
    pub timeout_s: u64,
    /// The first retry's delay (ms), doubled at each further attempt (with jitter), at most
    /// an hour.
    pub retry_ms: u64,
    /// Attempts before a message is marked failed.
    pub max_attempts: i32,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            public_url: "http://127.0.0.1:8000".into(),
            from: "OC Pizza <commandes@ocpizza.fr>".into(),
            reply_to: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_user: String::new(),
            smtp_password: String::new(),
            folder: "var/mail".into(),
            poll_ms: 1_000,
            timeout_s: 20,
            retry_ms: 30_000,
            max_attempts: 8,
        }
    }
}

/// The worker that deletes what no longer serves (`workers::housekeeping`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct HousekeepingSettings {
    /// Seconds between two runs (expired sessions, old login attempts, old checkout keys).
    pub interval_s: u64,
}

impl Default for HousekeepingSettings {
    fn default() -> Self {
        HousekeepingSettings { interval_s: 600 }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "var/ocpizza.db".into(),
            db_pool_size: 16,
            auto_migrate: true,
            demo_data: false,
            demo_orders: false,
            live_poll_ms: 150,
            few_left_threshold: 5,
            supply_days: 7,
            assets_dir: "assets".into(),
            media_dir: "var/media".into(),
            demo_photos: false,
            log_json: false,
            secure_cookies: false,
            metrics_token: String::new(),
            sentry_dsn: String::new(),
            sentry_environment: "production".into(),
            housekeeping: HousekeepingSettings::default(),
            mail: MailSettings::default(),
            backup: BackupSettings::default(),
            payments: PaymentSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Invalid(String),
    #[error("configuration error: {0}")]
    Database(#[from] db::DbSetupError),
    #[error("configuration error: ROCKET_SECRET_KEY must be set in release mode (generate one with `openssl rand -base64 32`)")]
    MissingSecretKey,
}

/// Rocket's own figment (Rocket.toml + ROCKET_*), our defaults underneath, OCPIZZA_* on top.
/// The per-profile defaults hold even without Rocket.toml: a release build marks its cookies
/// Secure, a debug build loads the demo data.
pub fn figment() -> Figment {
    use rocket::figment::providers::{Format, Toml};
    use rocket::Config;
    // Rocket's own figment, but for one default: the client's address is the socket's, unless
    // the app is told it sits behind a proxy (`ROCKET_IP_HEADER=X-Real-IP` behind NGINX, which
    // overwrites that header). Rocket would otherwise believe any client's X-Real-IP.
    let rocket = Figment::from(Config::default())
        .merge(Serialized::default(Config::IP_HEADER, false))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(rocket::figment::Profile::from_env_or(
            "ROCKET_PROFILE",
            Config::DEFAULT_PROFILE,
        ));
    Figment::from(rocket)
        .join(Serialized::defaults(Settings::default()))
        .join(Serialized::default("secure_cookies", true).profile(Config::RELEASE_PROFILE))
        .join(Serialized::default("log_json", true).profile(Config::RELEASE_PROFILE))
        .join(Serialized::default("demo_data", true).profile(Config::DEBUG_PROFILE))
        .join(Serialized::default("demo_orders", true).profile(Config::DEBUG_PROFILE))
        .join(Serialized::default("demo_photos", true).profile(Config::DEBUG_PROFILE))
        .merge(Env::prefixed("OCPIZZA_").split("__").global())
}

impl Settings {
    pub fn from_figment(figment: &Figment) -> Result<Settings, ConfigError> {
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(one_line(&e.to_string())))?;
        settings.validate()?;
        if figment.profile() == rocket::config::Config::RELEASE_PROFILE {
            let rocket: rocket::Config = figment
                .extract()
                .map_err(|e| ConfigError::Invalid(one_line(&e.to_string())))?;
            if !rocket.secret_key.is_provided() {
                return Err(ConfigError::MissingSecretKey);
            }
        }
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        db::backend_of(&self.database_url)?;
        in_range("OCPIZZA_DB_POOL_SIZE", self.db_pool_size.into(), 1, 256)?;
        in_range("OCPIZZA_LIVE_POLL_MS", self.live_poll_ms as i64, 20, 10_000)?;
        in_range(
            "OCPIZZA_FEW_LEFT_THRESHOLD",
            self.few_left_threshold,
            0,
            1_000,
        )?;
        in_range("OCPIZZA_SUPPLY_DAYS", self.supply_days, 1, 60)?;
        in_range(
            "OCPIZZA_HOUSEKEEPING__INTERVAL_S",
            self.housekeeping.interval_s as i64,
            1,
            86_400,
        )?;
        self.mail.validate()?;
        self.payments.validate()
    }
}

impl MailSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        in_range("OCPIZZA_MAIL__POLL_MS", self.poll_ms as i64, 10, 60_000)?;
        in_range("OCPIZZA_MAIL__TIMEOUT_S", self.timeout_s as i64, 1, 300)?;
        in_range(
            "OCPIZZA_MAIL__RETRY_MS",
            self.retry_ms as i64,
            10,
            3_600_000,
        )?;
        in_range(
            "OCPIZZA_MAIL__MAX_ATTEMPTS",
            self.max_attempts.into(),
            1,
            50,
        )?;
        if !matches!(self.smtp_tls.as_str(), "starttls" | "tls" | "none") {
            return Err(ConfigError::Invalid(
                "OCPIZZA_MAIL__SMTP_TLS must be starttls, tls or none".into(),
            ));
        }
        for (name, value) in [("FROM", &self.from), ("REPLY_TO", &self.reply_to)] {
            if !(value.is_empty() && name == "REPLY_TO")
                && value.parse::<lettre::message::Mailbox>().is_err()
            {
                return Err(ConfigError::Invalid(format!(
                    "OCPIZZA_MAIL__{name} is not an e-mail address (Name <address@domain>)"
                )));
            }
        }
        match url::Url::parse(&self.public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
            _ => Err(ConfigError::Invalid(
                "OCPIZZA_MAIL__PUBLIC_URL must be the site's http(s) address".into(),
            )),
        }
    }
}

fn in_range(name: &str, value: i64, min: i64, max: i64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::Invalid(format!(
            "{name} must be between {min} and {max}"
        )))
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(key: &str, value: &str) -> Result<Settings, ConfigError> {
        Settings::from_figment(&figment().merge((key, value)))
    }

    #[test]
    fn defaults_run_on_embedded_sqlite() {
        let s = Settings::from_figment(&figment()).unwrap();
        assert_eq!(
            db::backend_of(&s.database_url).unwrap(),
            db::Backend::Sqlite
        );
    }

    #[test]
    fn a_url_of_an_unknown_kind_is_refused_in_one_line() {
        let err = with("database_url", "postgres://localhost/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn out_of_range_numbers_are_refused() {
        assert!(with("live_poll_ms", "0").is_err());
        assert!(with("db_pool_size", "0").is_err());
    }

    #[test]
    fn nested_settings_are_read_and_checked() {
        let s = Settings::from_figment(&figment().merge(("housekeeping.interval_s", 30))).unwrap();
        assert_eq!(s.housekeeping.interval_s, 30);
        let err = Settings::from_figment(&figment().merge(("housekeeping.interval_s", 0)))
            .unwrap_err()
            .to_string();
        assert!(err.contains("OCPIZZA_HOUSEKEEPING__INTERVAL_S"), "{err}");
    }

    #[test]
    fn the_client_address_is_the_sockets_unless_a_proxy_header_is_named() {
        let default: rocket::Config = figment().extract().unwrap();
        assert_eq!(default.ip_header, None);
        let proxied: rocket::Config = figment()
            .merge(("ip_header", "X-Real-IP"))
            .extract()
            .unwrap();
        assert_eq!(
            proxied.ip_header.map(|h| h.to_string()),
            Some("X-Real-IP".into())
        );
    }

    #[test]
    fn release_mode_requires_a_secret_key() {
        let f = figment().select(rocket::config::Config::RELEASE_PROFILE);
        assert!(matches!(
            Settings::from_figment(&f),
            Err(ConfigError::MissingSecretKey)
        ));
        let key = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";
        assert!(Settings::from_figment(&f.merge(("secret_key", key))).is_ok());
    }

    #[test]
    fn a_release_build_marks_cookies_secure_and_loads_no_demo_data() {
        let key = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";
        let release = figment()
            .select(rocket::config::Config::RELEASE_PROFILE)
            .merge(("secret_key", key));
        let s = Settings::from_figment(&release).unwrap();
        assert!(s.secure_cookies && !s.demo_data);
        let debug = figment().select(rocket::config::Config::DEBUG_PROFILE);
        let s = Settings::from_figment(&debug).unwrap();
        assert!(!s.secure_cookies && s.demo_data);
    }
}
