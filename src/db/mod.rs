//! Database access: one connection type over SQLite and MySQL, the pool, migrations, the
//! transaction helpers and the few places where the two backends differ. Nothing above this
//! module matches on the backend.

pub mod backup;
mod handle;
pub mod migrate;
mod pool;
pub mod schema;
mod tx;
mod types;

pub use handle::{Db, DbUnavailable};
pub use migrate::{check_ready, has_pending_migrations, run_migrations};
pub use pool::{backend_of, connect, redact, Backend, DbPool, DbSetupError, PooledConn};
pub use tx::{is_retryable, last_insert_id, read_snapshot, write_tx, AsDieselError};

// The SQLite variant comes last: `establish` tries the variants in order and SQLite accepts
// almost any string as a file name.
#[cfg(feature = "mysql")]
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Mysql(diesel::MysqlConnection),
    Sqlite(diesel::SqliteConnection),
}

#[cfg(not(feature = "mysql"))]
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
}

pub fn backend(conn: &DbConn) -> Backend {
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => Backend::Mysql,
        DbConn::Sqlite(_) => Backend::Sqlite,
    }
}
