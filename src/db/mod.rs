//! Database access: one connection type over SQLite and MySQL, the pool, migrations, and the
//! few helpers where the two backends differ.

pub mod schema;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

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

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "mysql")]
pub const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

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

/// Opens the pool after one direct connection, so that an unreachable database is reported at
/// once with its real cause. For SQLite, creates the file's folder first.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbSetupError> {
    let backend = backend_of(url)?;
    let conn_url = match backend {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbSetupError::Unreachable(format!("{}: {e}", dir.display()))
                    })?;
                }
            }
            path.to_string()
        }
        Backend::Mysql => url.to_string(),
    };
    let manager = Manager {
        url: conn_url,
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

pub fn backend(conn: &DbConn) -> Backend {
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => Backend::Mysql,
        DbConn::Sqlite(_) => Backend::Sqlite,
    }
}

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

/// The id the last INSERT on this very connection generated (never "the highest id", which
/// would be another request's row under load).
pub fn last_insert_id(conn: &mut DbConn) -> QueryResult<i64> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => diesel::select(sql::<BigInt>("LAST_INSERT_ID()")).get_result(c),
        DbConn::Sqlite(c) => diesel::select(sql::<BigInt>("last_insert_rowid()")).get_result(c),
    }
}

/// Errors a transaction may hit when it competes with others; it is then safe to run it again.
pub fn is_retryable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database is locked")
                || m.contains("database table is locked")
                || m.contains("Deadlock found")
                || m.contains("Lock wait timeout")
        }
        _ => false,
    }
}

type WriterTurns = std::collections::HashMap<String, std::sync::Arc<std::sync::Mutex<()>>>;

/// One queue of writers per SQLite file (tests run many databases in one process).
fn sqlite_writer(
    conn: &mut diesel::SqliteConnection,
) -> QueryResult<std::sync::Arc<std::sync::Mutex<()>>> {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    static TURNS: std::sync::OnceLock<std::sync::Mutex<WriterTurns>> = std::sync::OnceLock::new();
    let file: String = diesel::select(sql::<Text>(
        "(SELECT file FROM pragma_database_list WHERE name = 'main')",
    ))
    .get_result(conn)?;
    let mut turns = TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Ok(turns.entry(file).or_default().clone())
}

/// Runs `f` in one write transaction, retried a few times on deadlock or busy database.
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`, so concurrent writers queue on the
/// write lock (busy_timeout) instead of failing when a read lock would have to be upgraded.
pub fn write_tx<T, E, F>(conn: &mut DbConn, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConn) -> Result<T, E>,
    E: From<DieselError> + AsDieselError,
{
    const ATTEMPTS: u32 = 8;
    let mut attempt = 0;
    loop {
        attempt += 1;
        // SQLite has one writer at a time: the writers of this process queue here, in turn,
        // rather than in SQLite's busy handler, which polls with growing sleeps and lets a
        // late writer overtake one that has waited for long.
        let writer = match conn {
            DbConn::Sqlite(c) => Some(sqlite_writer(c)?),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        let outcome = {
            let _turn = writer
                .as_ref()
                .map(|w| w.lock().unwrap_or_else(|e| e.into_inner()));
            once_in_tx(conn, &mut f)
        };
        match outcome {
            Err(e) if attempt < ATTEMPTS && e.as_diesel().is_some_and(is_retryable) => {
                let jitter = rand::random::<u64>() % 20;
                std::thread::sleep(Duration::from_millis(5 * u64::from(attempt) + jitter));
            }
            other => return other,
        }
    }
}

fn once_in_tx<T, E, F>(conn: &mut DbConn, f: &mut F) -> Result<T, E>
where
    F: FnMut(&mut DbConn) -> Result<T, E>,
    E: From<DieselError>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        #[allow(unreachable_patterns)]
        _ => <DbConn as TransactionManager<DbConn>>::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => match <DbConn as TransactionManager<DbConn>>::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Runs several reads that must agree with each other (an order and its events) on one
/// snapshot of the database. MySQL connections run READ COMMITTED, where each statement sees
/// the latest commit: this one transaction is REPEATABLE READ instead. SQLite's read
/// transaction is a snapshot already.
pub fn read_snapshot<T, F>(conn: &mut DbConn, f: F) -> QueryResult<T>
where
    F: FnOnce(&mut DbConn) -> QueryResult<T>,
{
    #[cfg(feature = "mysql")]
    if let DbConn::Mysql(c) = conn {
        c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
    }
    conn.transaction(f)
}

/// Lets `write_tx` see whether a service error came from the database, to retry it.
pub trait AsDieselError {
    fn as_diesel(&self) -> Option<&DieselError>;
}

impl AsDieselError for DieselError {
    fn as_diesel(&self) -> Option<&DieselError> {
        Some(self)
    }
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
