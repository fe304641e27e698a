//! Which backend a URL names, the r2d2 pool and the per-connection setup.

use super::DbConn;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use std::time::Duration;

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Mysql,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("database URL {0:?} is not valid: {1}")]
    BadUrl(String, String),
    #[error("this build has no MySQL support: rebuild with `--features mysql` to use {0:?}")]
    MysqlNotBuilt(String),
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    #[error("migrations failed: {0}")]
    Migrations(String),
}

/// Which backend a URL names: `mysql://...` or an SQLite path (`sqlite://path`, `file:` or a path).
pub fn backend_of(url: &str) -> Result<Backend, DbSetupError> {
    if url.starts_with("mysql://") {
        url::Url::parse(url).map_err(|e| DbSetupError::BadUrl(redact(url), e.to_string()))?;
        if cfg!(feature = "mysql") {
            Ok(Backend::Mysql)
        } else {
            Err(DbSetupError::MysqlNotBuilt(redact(url)))
        }
    } else if url.contains("://") && !url.starts_with("sqlite://") {
        Err(DbSetupError::BadUrl(
            redact(url),
            "expected mysql://user:password@host/db or an SQLite file path".into(),
        ))
    } else if sqlite_path(url).is_empty() {
        Err(DbSetupError::BadUrl(url.into(), "empty SQLite path".into()))
    } else {
        Ok(Backend::Sqlite)
    }
}

/// The URL without its password, for logs and error messages.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((credentials, host)) = rest.rsplit_once('@') {
            if let Some((user, _password)) = credentials.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Per-connection settings: SQLite needs WAL, foreign keys and a busy timeout on every
/// connection; MySQL gets strict mode, UTC, utf8mb4 and READ COMMITTED, so that a transaction
/// that waited for a row lock then reads what the other one committed, not an older snapshot.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        let sql = match conn {
            #[cfg(feature = "mysql")]
            DbConn::Mysql(_) => {
                "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'; \
                 SET time_zone = '+00:00'; SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci; \
                 SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;"
            }
            DbConn::Sqlite(_) => {
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
            }
        };
        conn.batch_execute(sql)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens connections of one known backend. (The derived `establish` tries every backend in
/// turn and hides why the right one failed, e.g. "Connection refused".)
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    fn open(&self) -> ConnectionResult<DbConn> {
        match self.backend {
            #[cfg(feature = "mysql")]
            Backend::Mysql => diesel::MysqlConnection::establish(&self.url).map(DbConn::Mysql),
            #[cfg(not(feature = "mysql"))]
            Backend::Mysql => Err(ConnectionError::BadConnection(
                "built without MySQL support".into(),
            )),
            Backend::Sqlite => diesel::SqliteConnection::establish(&self.url).map(DbConn::Sqlite),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.open().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// For SQLite, the file path, after creating its folder.
fn connection_url(url: &str, backend: Backend) -> Result<String, DbSetupError> {
    if backend == Backend::Mysql {
        return Ok(url.to_string());
    }
    let path = sqlite_path(url);
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbSetupError::Unreachable(format!("{}: {e}", dir.display())))?;
        }
    }
    Ok(path.to_string())
}

/// Opens the pool after one direct connection, so that an unreachable database is reported at
/// once with its real cause.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbSetupError> {
    let backend = backend_of(url)?;
    let manager = Manager {
        url: connection_url(url, backend)?,
        backend,
    };
    let first = manager
        .open()
        .map_err(|e| DbSetupError::Unreachable(e.to_string()))?;
    drop(first);
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(max_size.min(2)))
        .connection_timeout(Duration::from_secs(10))
        .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(manager)
        .map_err(|e| DbSetupError::Unreachable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(backend_of("var/ocpizza.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            backend_of("sqlite://var/ocpizza.db").unwrap(),
            Backend::Sqlite
        );
        assert!(matches!(
            backend_of("postgres://x/y"),
            Err(DbSetupError::BadUrl(..))
        ));
        assert!(matches!(backend_of(""), Err(DbSetupError::BadUrl(..))));
        assert!(matches!(
            backend_of("mysql://[bad"),
            Err(DbSetupError::BadUrl(..))
        ));
    }

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(redact("mysql://u:secret@h/db"), "mysql://u:***@h/db");
        assert!(!format!(
            "{}",
            DbSetupError::BadUrl(redact("mysql://u:pw@h:x/db"), "x".into())
        )
        .contains("pw"));
    }
}
