//! The embedded migrations of each backend (`migrations/sqlite`, `migrations/mysql`: same names,
//! same meaning).

use super::{DbConn, DbSetupError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "mysql")]
pub const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

pub fn run_migrations(conn: &mut DbConn) -> Result<usize, DbSetupError> {
    let applied = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => c.run_pending_migrations(MYSQL_MIGRATIONS).map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbSetupError::Migrations(e.to_string()))
}

pub fn has_pending_migrations(conn: &mut DbConn) -> bool {
    let pending = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => c.has_pending_migration(MYSQL_MIGRATIONS),
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    };
    pending.unwrap_or(true)
}

/// Whether the database answers a query, then whether migrations are pending (for readiness
/// probes).
pub fn check_ready(conn: &mut DbConn) -> diesel::QueryResult<bool> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SELECT 1")?;
    Ok(has_pending_migrations(conn))
}
