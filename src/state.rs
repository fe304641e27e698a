//! What every handler shares: settings, the database, the live-event hub.

use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::AppError;
use crate::live::Hub;

#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: db::Backend,
}

impl Db {
    pub fn new(pool: DbPool, backend: db::Backend) -> Self {
        Db { pool, backend }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub fn backend(&self) -> db::Backend {
        self.backend
    }

    /// Runs blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> T + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            Ok(f(&mut conn))
        })
        .await
        .map_err(|e| AppError::Internal(format!("database task: {e}")))?
    }
}

pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub hub: Hub,
}
