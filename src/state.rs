//! What every handler shares: settings, the database, the live-event hub, the payment
//! providers. Built once by `app`.

use crate::config::Settings;
use crate::db::Db;
use crate::live::Hub;
use crate::payments::Providers;

pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub hub: Hub,
    /// The payment providers this installation has credentials for.
    pub payments: Providers,
}
