//! What every handler shares: settings, the database, the live-event hub. Built once by `app`.

use crate::config::Settings;
use crate::db::Db;
use crate::live::Hub;

pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub hub: Hub,
}
