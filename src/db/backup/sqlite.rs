//! SQLite backups: `VACUUM INTO`, SQLite's own online copy (one read transaction, writers go
//! on in WAL mode), checked with `PRAGMA integrity_check`, then compressed. A restore puts the
//! checked file in place of the database in one rename.

use super::{create_gz, finish_gz, io, BackupError};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::path::{Path, PathBuf};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Verdict {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

fn path_of(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url))
}

fn open(path: &Path) -> Result<SqliteConnection, BackupError> {
    SqliteConnection::establish(&path.display().to_string())
        .map_err(|e| BackupError::Tool(format!("cannot open {path:?}: {e}")))
}

fn query_failed(path: &Path) -> impl FnOnce(diesel::result::Error) -> BackupError + '_ {
    move |e| BackupError::Tool(format!("{path:?}: {e}"))
}

/// The tables of a checked copy; an error when SQLite finds it damaged.
fn checked_tables(path: &Path) -> Result<usize, BackupError> {
    let mut conn = open(path)?;
    let verdicts: Vec<Verdict> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(query_failed(path))?;
    if verdicts.len() != 1 || verdicts[0].integrity_check != "ok" {
        let first = verdicts.first().map(|v| v.integrity_check.clone());
        return Err(BackupError::Incomplete(format!(
            "SQLite finds the copy damaged: {}",
            first.unwrap_or_default()
        )));
    }
    let tables: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .get_result(&mut conn)
    .map_err(query_failed(path))?;
    Ok(tables.n as usize)
}

/// Copies the live database of `url` into `partial` (gzip); its tables and checksum.
pub(super) fn dump(url: &str, partial: &Path) -> Result<(usize, String), BackupError> {
    let live = path_of(url);
    if !live.is_file() {
        return Err(BackupError::Tool(format!("no SQLite database at {live:?}")));
    }
    let copy = partial.with_extension("db");
    let _ = std::fs::remove_file(&copy);
    let outcome = copy_into(&live, &copy).and_then(|()| {
        let tables = checked_tables(&copy)?;
        if tables == 0 {
            return Err(BackupError::Incomplete(
                "the database holds no table".into(),
            ));
        }
        let mut gz = create_gz(partial)?;
        let mut raw = std::fs::File::open(&copy).map_err(io(format!("cannot open {copy:?}")))?;
        std::io::copy(&mut raw, &mut gz).map_err(io(format!("cannot write {partial:?}")))?;
        Ok((tables, finish_gz(gz, partial)?))
    });
    let _ = std::fs::remove_file(&copy);
    outcome
}

fn copy_into(live: &Path, copy: &Path) -> Result<(), BackupError> {
    let mut conn = open(live)?;
    let target = copy.display().to_string().replace('\'', "''");
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = 10000; VACUUM INTO '{target}'"
    ))
    .map_err(|e| BackupError::Tool(format!("VACUUM INTO failed on {live:?}: {e}")))
}

/// Restores `file` as the database of `url`; its tables.
pub(super) fn load(file: &Path, url: &str, force: bool) -> Result<usize, BackupError> {
    let target = path_of(url);
    if target.is_file() {
        let present = checked_tables(&target).unwrap_or(1);
        if present > 0 && !force {
            return Err(BackupError::NotEmpty(present));
        }
    }
    let mut restoring = target.clone().into_os_string();
    restoring.push(".restoring");
    let restoring = PathBuf::from(restoring);
    let outcome = unpack(file, &restoring).and_then(|()| checked_tables(&restoring));
    let tables = match outcome {
        Ok(n) if n > 0 => n,
        Ok(_) => {
            let _ = std::fs::remove_file(&restoring);
            return Err(BackupError::Incomplete("the backup holds no table".into()));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            return Err(e);
        }
    };
    for side in ["-wal", "-shm"] {
        let mut p = target.clone().into_os_string();
        p.push(side);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::rename(&restoring, &target).map_err(io(format!("cannot replace {target:?}")))?;
    Ok(tables)
}

fn unpack(file: &Path, into: &Path) -> Result<(), BackupError> {
    let source = std::fs::File::open(file).map_err(io(format!("cannot open {file:?}")))?;
    let mut raw = flate2::read::GzDecoder::new(std::io::BufReader::new(source));
    let mut out = std::fs::File::create(into).map_err(io(format!("cannot create {into:?}")))?;
    std::io::copy(&mut raw, &mut out).map_err(io(format!("cannot read {file:?} to the end")))?;
    out.sync_all().map_err(io(format!("cannot write {into:?}")))
}
