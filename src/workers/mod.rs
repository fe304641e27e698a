//! Everything that runs when no request is served. One fairing starts every worker at liftoff:
//! the live tailer of this process (`live::run_tailer`), the low-stock alerts, the e-mail
//! outbox (`mailer`), the online payments (`payments`) and the housekeeping. Each stops when the server shuts down, and shutdown waits for them (a bounded
//! time). Workers call services
//! (one transaction each) and the I/O modules (`payments`, `notify`): never a provider or an
//! SMTP call inside a transaction.

pub mod housekeeping;
pub mod mailer;
pub mod payments;
pub mod stock_alerts;

use crate::config::{MailSettings, PaymentSettings, Settings};
use crate::db::Db;
use crate::live::{self, Hub};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use std::sync::Mutex;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long shutdown waits for a worker to finish what it is doing.
const STOP_WITHIN: Duration = Duration::from_secs(10);

pub struct Workers {
    db: Db,
    hub: Hub,
    live_poll: Duration,
    housekeeping_every: Duration,
    mail: MailSettings,
    payments: PaymentSettings,
    providers: crate::payments::Providers,
    templates: String,
    running: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

/// The workers of this process; `templates` is the template folder (e-mails are under
/// `email/`).
pub fn fairing(
    db: Db,
    hub: Hub,
    providers: crate::payments::Providers,
    settings: &Settings,
    templates: &str,
) -> Workers {
    Workers {
        db,
        hub,
        live_poll: Duration::from_millis(settings.live_poll_ms),
        housekeeping_every: Duration::from_secs(settings.housekeeping.interval_s),
        mail: settings.mail.clone(),
        payments: settings.payments.clone(),
        providers,
        templates: templates.to_string(),
        running: Mutex::new(Vec::new()),
    }
}

#[rocket::async_trait]
impl Fairing for Workers {
    fn info(&self) -> Info {
        Info {
            name: "background workers",
            kind: Kind::Liftoff | Kind::Shutdown,
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let tailer = live::run_tailer(
            self.db.clone(),
            self.hub.clone(),
            self.live_poll,
            rocket.shutdown(),
        );
        let housekeeping =
            housekeeping::run(self.db.clone(), self.housekeeping_every, rocket.shutdown());
        let alerts = stock_alerts::run(self.db.clone(), self.hub.clone(), rocket.shutdown());
        let mailer = mailer::run(
            self.db.clone(),
            self.mail.clone(),
            self.templates.clone(),
            rocket.shutdown(),
        );
        let payments = payments::run(
            self.db.clone(),
            self.hub.clone(),
            self.providers.clone(),
            self.payments.clone(),
            rocket.shutdown(),
        );
        let mut running = self.lock();
        running.push(("payments", tokio::spawn(payments)));
        running.push(("mailer", tokio::spawn(mailer)));
        running.push(("low-stock alerts", tokio::spawn(alerts)));
        running.push(("live tailer", tokio::spawn(tailer)));
        running.push(("housekeeping", tokio::spawn(housekeeping)));
    }

    async fn on_shutdown(&self, _rocket: &Rocket<Orbit>) {
        let running = std::mem::take(&mut *self.lock());
        for (name, handle) in running {
            if tokio::time::timeout(STOP_WITHIN, handle).await.is_err() {
                tracing::warn!(worker = name, "worker still running at shutdown");
            }
        }
    }
}

impl Workers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(&'static str, JoinHandle<()>)>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}
