//! Backups and restores of the database, as `ocpizza backup` and `ocpizza restore` run them.
//! MySQL/MariaDB: a `mysqldump --single-transaction` of the live database (one consistent
//! snapshot, no lock on the tables being written). SQLite: `VACUUM INTO`, the online copy
//! SQLite itself makes from one read transaction, never a copy of the live file. Either is
//! gzip-compressed beside a `.sha256` file in `sha256sum` format, checked before it is kept
//! (a dump that did not end, or holds no table, fails loudly), older ones removed after the
//! days kept, and optionally copied to a backup host with rsync. A restore checks the
//! checksum first and refuses a database that already holds tables unless forced.

mod mysql;
mod sqlite;

use super::pool::{backend_of, Backend};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Setup(#[from] super::DbSetupError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Tool(String),
    #[error("the backup is not complete: {0}")]
    Incomplete(String),
    #[error("{0} is not a backup of this kind of database (expected a .{1} file)")]
    WrongKind(String, &'static str),
    #[error("checksum of {0} does not match {1}: the file is damaged, choose another backup")]
    Checksum(String, String),
    #[error("no checksum file {0}: a backup is restored only when its checksum is checked")]
    NoChecksum(String),
    #[error("the database already holds {0} table(s): restore into an empty database, or add --force to replace everything in it")]
    NotEmpty(usize),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |e| BackupError::Io(context, e)
}

/// Where backups go, how long they stay, where else they are copied.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    pub dir: PathBuf,
    /// Backups older than this many days are removed after a successful one (0: none removed).
    pub keep_days: u32,
    /// An rsync destination (`backup@host:/srv/ocpizza/` or a local folder), or none.
    pub copy_to: Option<String>,
}

/// A backup written and checked.
#[derive(Debug)]
pub struct Written {
    pub file: PathBuf,
    pub checksum: PathBuf,
    pub bytes: u64,
    pub tables: usize,
    pub removed: usize,
}

/// A database restored.
#[derive(Debug)]
pub struct Restored {
    pub tables: usize,
}

const PREFIX: &str = "ocpizza-";
const MYSQL_EXT: &str = "sql.gz";
const SQLITE_EXT: &str = "sqlite.gz";

/// Backs up the database of `url` into `plan.dir`.
pub fn backup(url: &str, plan: &BackupPlan) -> Result<Written, BackupError> {
    let backend = backend_of(url)?;
    std::fs::create_dir_all(&plan.dir).map_err(io(format!("cannot create {:?}", plan.dir)))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%SZ");
    let (name, ext) = match backend {
        Backend::Mysql => (mysql::Target::parse(url)?.database, MYSQL_EXT),
        Backend::Sqlite => ("sqlite".to_string(), SQLITE_EXT),
    };
    let file = plan.dir.join(format!("{PREFIX}{name}-{stamp}.{ext}"));
    let partial = plan.dir.join(format!(".{PREFIX}{name}-{stamp}.partial"));
    let made = match backend {
        Backend::Mysql => mysql::dump(url, &partial),
        Backend::Sqlite => sqlite::dump(url, &partial),
    };
    let (tables, digest) = match made {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, &file).map_err(io(format!("cannot name {file:?}")))?;
    let checksum = checksum_path(&file);
    let line = format!("{digest}  {}\n", file_name(&file));
    std::fs::write(&checksum, line).map_err(io(format!("cannot write {checksum:?}")))?;
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let removed = prune(&plan.dir, plan.keep_days, &file)?;
    if let Some(dest) = plan.copy_to.as_deref().filter(|d| !d.is_empty()) {
        copy(&[&file, &checksum], dest)?;
    }
    Ok(Written {
        file,
        checksum,
        bytes,
        tables,
        removed,
    })
}

/// Restores `file` (checked against its `.sha256` first) into the database of `url`.
pub fn restore(file: &Path, url: &str, force: bool) -> Result<Restored, BackupError> {
    let backend = backend_of(url)?;
    let expected = match backend {
        Backend::Mysql => MYSQL_EXT,
        Backend::Sqlite => SQLITE_EXT,
    };
    if !file_name(file).ends_with(&format!(".{expected}")) {
        return Err(BackupError::WrongKind(file.display().to_string(), expected));
    }
    verify(file)?;
    let tables = match backend {
        Backend::Mysql => mysql::load(file, url, force)?,
        Backend::Sqlite => sqlite::load(file, url, force)?,
    };
    Ok(Restored { tables })
}

/// Whether `file` matches the digest its `.sha256` file names.
pub fn verify(file: &Path) -> Result<(), BackupError> {
    let checksum = checksum_path(file);
    let line = std::fs::read_to_string(&checksum)
        .map_err(|_| BackupError::NoChecksum(checksum.display().to_string()))?;
    let expected = line.split_whitespace().next().unwrap_or_default();
    let mut reader = std::fs::File::open(file).map_err(io(format!("cannot open {file:?}")))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(io(format!("cannot read {file:?}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    if hex(&hasher.finalize()) != expected {
        return Err(BackupError::Checksum(
            file.display().to_string(),
            checksum.display().to_string(),
        ));
    }
    Ok(())
}

fn checksum_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer that hashes what it writes: the checksum is of the compressed file's bytes, as
/// `sha256sum` reads them.
pub(super) struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Hashing<W> {
    pub(super) fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    pub(super) fn finish(self) -> (W, String) {
        (self.inner, hex(&self.hasher.finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A gzip stream into a new file at `path`, hashed as it is written.
pub(super) type GzFile = flate2::write::GzEncoder<Hashing<std::fs::File>>;

pub(super) fn create_gz(path: &Path) -> Result<GzFile, BackupError> {
    let file = std::fs::File::create(path).map_err(io(format!("cannot create {path:?}")))?;
    Ok(flate2::write::GzEncoder::new(
        Hashing::new(file),
        flate2::Compression::default(),
    ))
}

/// Ends the gzip stream, writes it to disk for good; the checksum of what was written.
pub(super) fn finish_gz(gz: GzFile, path: &Path) -> Result<String, BackupError> {
    let hashing = gz.finish().map_err(io(format!("cannot write {path:?}")))?;
    let (file, digest) = hashing.finish();
    file.sync_all()
        .map_err(io(format!("cannot write {path:?}")))?;
    Ok(digest)
}

/// The backups of `dir` older than `keep_days` days, but `keep`, removed with their checksums.
fn prune(dir: &Path, keep_days: u32, keep: &Path) -> Result<usize, BackupError> {
    if keep_days == 0 {
        return Ok(0);
    }
    let limit = Duration::from_secs(u64::from(keep_days) * 86_400);
    let now = SystemTime::now();
    let mut removed = 0;
    let entries = std::fs::read_dir(dir).map_err(io(format!("cannot list {dir:?}")))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = file_name(&path);
        let ours = name.starts_with(PREFIX)
            && (name.ends_with(&format!(".{MYSQL_EXT}"))
                || name.ends_with(&format!(".{SQLITE_EXT}")));
        if !ours || path == keep {
            continue;
        }
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| now.duration_since(at).ok());
        if age.is_some_and(|a| a > limit) {
            std::fs::remove_file(&path).map_err(io(format!("cannot remove {path:?}")))?;
            let _ = std::fs::remove_file(checksum_path(&path));
            removed += 1;
        }
    }
    Ok(removed)
}

/// Copies the files to the backup host (or folder) with rsync; the local backup stays either way.
fn copy(files: &[&Path], dest: &str) -> Result<(), BackupError> {
    let out = std::process::Command::new("rsync")
        .arg("--archive")
        .arg("--partial")
        .args(files)
        .arg(dest)
        .output()
        .map_err(|e| BackupError::Tool(format!("cannot run rsync to copy the backup: {e}")))?;
    if !out.status.success() {
        return Err(BackupError::Tool(format!(
            "the backup is written here but its copy to {dest} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_backup_or_one_without_checksum_is_refused() {
        let dir = std::env::temp_dir().join(format!("ocpizza-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ocpizza-x-1.sql.gz");
        std::fs::write(&file, b"dump").unwrap();
        assert!(matches!(verify(&file), Err(BackupError::NoChecksum(_))));
        let digest = hex(&Sha256::digest(b"dump"));
        std::fs::write(
            checksum_path(&file),
            format!("{digest}  ocpizza-x-1.sql.gz\n"),
        )
        .unwrap();
        verify(&file).unwrap();
        std::fs::write(&file, b"dumq").unwrap();
        assert!(matches!(verify(&file), Err(BackupError::Checksum(..))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
