//! Transactions: one write transaction per use case, retried when it loses a race; reads that
//! must agree with each other on one snapshot.

use super::DbConn;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

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

/// Lets `write_tx` see whether a service error came from the database, to retry it.
pub trait AsDieselError {
    fn as_diesel(&self) -> Option<&DieselError>;
}

impl AsDieselError for DieselError {
    fn as_diesel(&self) -> Option<&DieselError> {
        Some(self)
    }
}

type WriterTurns = std::collections::HashMap<String, Arc<Mutex<()>>>;

/// One queue of writers per SQLite file (tests run many databases in one process).
fn sqlite_writer(conn: &mut diesel::SqliteConnection) -> QueryResult<Arc<Mutex<()>>> {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    static TURNS: OnceLock<Mutex<WriterTurns>> = OnceLock::new();
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
        use diesel::connection::SimpleConnection;
        c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
    }
    conn.transaction(f)
}
