//! The handle every part of the application shares: a pool of the one backend in use, and a way
//! to run blocking database work off the async executor.

use super::{Backend, DbConn, DbPool};

/// The database could not be reached (pool exhausted or broken), or the blocking task died.
#[derive(Debug, thiserror::Error)]
pub enum DbUnavailable {
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        Db { pool, backend }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs blocking database work on a pooled connection, off the async executor.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbUnavailable>
    where
        F: FnOnce(&mut DbConn) -> T + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            Ok(f(&mut conn))
        })
        .await?
    }
}
