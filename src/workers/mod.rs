//! Everything that runs when no request is served. One fairing starts every worker at liftoff;
//! each stops when the server shuts down, and shutdown waits for them (a bounded time).
//! Workers call services (one transaction each) and the I/O modules (`payments`, `notify`):
//! never a provider or an SMTP call inside a transaction.

pub mod housekeeping;

use crate::config::HousekeepingSettings;
use crate::db::Db;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use std::sync::Mutex;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long shutdown waits for a worker to finish what it is doing.
const STOP_WITHIN: Duration = Duration::from_secs(10);

pub struct Workers {
    db: Db,
    housekeeping: HousekeepingSettings,
    running: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

pub fn fairing(db: Db, housekeeping: HousekeepingSettings) -> Workers {
    Workers {
        db,
        housekeeping,
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
        let every = Duration::from_secs(self.housekeeping.interval_s);
        let handle = tokio::spawn(housekeeping::run(self.db.clone(), every, rocket.shutdown()));
        self.lock().push(("housekeeping", handle));
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
