//! MySQL/MariaDB backups with the server's own tools: `mysqldump --single-transaction` (one
//! consistent snapshot of a live database, InnoDB tables never locked) and the `mysql` client
//! to load it. Credentials go in a private option file, never on a command line.

use super::{create_gz, finish_gz, io, BackupError};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The server and database a `mysql://` URL names.
pub(super) struct Target {
    user: String,
    password: String,
    host: String,
    port: u16,
    pub(super) database: String,
}

impl Target {
    pub(super) fn parse(url: &str) -> Result<Target, BackupError> {
        let bad = |why: &str| BackupError::Tool(format!("{}: {why}", super::super::redact(url)));
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| bad("the user or password is not valid UTF-8"))
        };
        let database = parsed.path().trim_start_matches('/').to_string();
        if database.is_empty()
            || !database
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(bad("the database name must be letters, digits and _"));
        }
        Ok(Target {
            user: decode(parsed.username())?,
            password: decode(parsed.password().unwrap_or_default())?,
            host: parsed.host_str().unwrap_or("127.0.0.1").to_string(),
            port: parsed.port().unwrap_or(3306),
            database,
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => {
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// An option file readable by this user only, removed when dropped.
struct OptionFile(PathBuf);

impl OptionFile {
    fn new(t: &Target) -> Result<OptionFile, BackupError> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = std::env::temp_dir().join(format!(
            "ocpizza-client-{}-{:016x}.cnf",
            std::process::id(),
            rand::random::<u64>()
        ));
        let quote = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
        let text = format!(
            "[client]\nuser=\"{}\"\npassword=\"{}\"\nhost=\"{}\"\nport={}\n",
            quote(&t.user),
            quote(&t.password),
            quote(&t.host),
            t.port
        );
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io(format!("cannot create {path:?}")))?;
        f.write_all(text.as_bytes())
            .map_err(io(format!("cannot write {path:?}")))?;
        Ok(OptionFile(path))
    }

    fn arg(&self) -> String {
        format!("--defaults-extra-file={}", self.0.display())
    }
}

impl Drop for OptionFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The first of the tools found on the PATH (MariaDB's names first: its `mysql*` names warn).
fn tool(names: &[&'static str]) -> Result<&'static str, BackupError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names
        .iter()
        .find(|n| std::env::split_paths(&path).any(|dir| dir.join(n).is_file()))
        .copied()
        .ok_or_else(|| {
            BackupError::Tool(format!(
                "{} not found: install the MySQL or MariaDB client (mariadb-client)",
                names.join(" or ")
            ))
        })
}

fn client() -> Result<&'static str, BackupError> {
    tool(&["mariadb", "mysql"])
}

/// What a dump is checked for: it ended (`-- Dump completed`, the last line mysqldump
/// writes) and it holds tables.
#[derive(Default)]
pub(super) struct DumpCheck {
    tables: usize,
    last: Vec<u8>,
}

impl DumpCheck {
    pub(super) fn line(&mut self, line: &[u8]) {
        if line.starts_with(b"CREATE TABLE") {
            self.tables += 1;
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            self.last.clear();
            self.last.extend_from_slice(&line[..line.len().min(200)]);
        }
    }

    pub(super) fn verdict(&self) -> Result<usize, BackupError> {
        if !self.last.starts_with(b"-- Dump completed") {
            return Err(BackupError::Incomplete(
                "the dump stopped before its end (no \"-- Dump completed\" line)".into(),
            ));
        }
        if self.tables == 0 {
            return Err(BackupError::Incomplete("the dump holds no table".into()));
        }
        Ok(self.tables)
    }
}

/// Dumps the database of `url` into `partial` (gzip); its tables and checksum.
pub(super) fn dump(url: &str, partial: &Path) -> Result<(usize, String), BackupError> {
    let target = Target::parse(url)?;
    let options = OptionFile::new(&target)?;
    let dumper = tool(&["mariadb-dump", "mysqldump"])?;
    let mut child = Command::new(dumper)
        .arg(options.arg())
        .args([
            "--single-transaction",
            "--quick",
            "--hex-blob",
            "--no-tablespaces",
            "--default-character-set=utf8mb4",
        ])
        .arg(&target.database)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BackupError::Tool(format!("cannot run {dumper}: {e}")))?;
    let stderr = child.stderr.take().map(drain);
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut gz = create_gz(partial)?;
    let mut check = DumpCheck::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = out
            .read_until(b'\n', &mut line)
            .map_err(io(format!("cannot read from {dumper}")))?;
        if n == 0 {
            break;
        }
        check.line(&line);
        gz.write_all(&line)
            .map_err(io(format!("cannot write {partial:?}")))?;
    }
    let status = child
        .wait()
        .map_err(|e| BackupError::Tool(format!("{dumper}: {e}")))?;
    let errors = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(BackupError::Tool(format!(
            "{dumper} failed ({status}): {}",
            errors.trim()
        )));
    }
    let tables = check.verdict()?;
    Ok((tables, finish_gz(gz, partial)?))
}

fn drain(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = from.read_to_string(&mut s);
        s
    })
}

/// Runs `sql` with the client (on `database` when given); what it printed.
fn run_sql(options: &OptionFile, database: Option<&str>, sql: &str) -> Result<String, BackupError> {
    let client = client()?;
    let out = Command::new(client)
        .arg(options.arg())
        .args(["--batch", "--skip-column-names", "-e", sql])
        .args(database)
        .output()
        .map_err(|e| BackupError::Tool(format!("cannot run {client}: {e}")))?;
    if !out.status.success() {
        return Err(BackupError::Tool(format!(
            "{client} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn tables_of(options: &OptionFile, database: &str) -> Result<Vec<String>, BackupError> {
    let sql = format!(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '{database}'"
    );
    Ok(run_sql(options, None, &sql)?
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect())
}

/// Loads the dump `file` into the database of `url` (created if missing); its tables then.
pub(super) fn load(file: &Path, url: &str, force: bool) -> Result<usize, BackupError> {
    let target = Target::parse(url)?;
    let options = OptionFile::new(&target)?;
    let db = &target.database;
    run_sql(
        &options,
        None,
        &format!(
            "CREATE DATABASE IF NOT EXISTS `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ),
    )?;
    let present = tables_of(&options, db)?;
    if !present.is_empty() {
        if !force {
            return Err(BackupError::NotEmpty(present.len()));
        }
        let list: Vec<String> = present.iter().map(|t| format!("`{t}`")).collect();
        let sql = format!(
            "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS {};",
            list.join(", ")
        );
        run_sql(&options, Some(db), &sql)?;
    }
    feed(&options, db, file)?;
    Ok(tables_of(&options, db)?.len())
}

/// Streams the uncompressed dump into the client.
fn feed(options: &OptionFile, database: &str, file: &Path) -> Result<(), BackupError> {
    let client = client()?;
    let mut child = Command::new(client)
        .arg(options.arg())
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BackupError::Tool(format!("cannot run {client}: {e}")))?;
    let stderr = child.stderr.take().map(drain);
    let source = std::fs::File::open(file).map_err(io(format!("cannot open {file:?}")))?;
    let mut sql = flate2::read::GzDecoder::new(std::io::BufReader::new(source));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let copied = std::io::copy(&mut sql, &mut stdin);
    drop(stdin);
    let status = child
        .wait()
        .map_err(|e| BackupError::Tool(format!("{client}: {e}")))?;
    let errors = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    copied.map_err(io(format!("cannot read {file:?} to the end")))?;
    if !status.success() {
        return Err(BackupError::Tool(format!(
            "{client} failed while loading the dump: {}",
            errors.trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<usize, BackupError> {
        let mut c = DumpCheck::default();
        for line in text.split_inclusive('\n') {
            c.line(line.as_bytes());
        }
        c.verdict()
    }

    #[test]
    fn a_dump_counts_only_when_it_ended_and_holds_tables() {
        let whole = "-- MariaDB dump\nCREATE TABLE `a` (\n  id int\n);\nINSERT INTO `a` VALUES (1);\nCREATE TABLE `b` (x int);\n-- Dump completed on 2026-12-02  4:00:01\n\n";
        assert_eq!(check(whole).unwrap(), 2);
        let cut = &whole[..whole.find("CREATE TABLE `b`").unwrap()];
        assert!(matches!(check(cut), Err(BackupError::Incomplete(_))));
        assert!(matches!(
            check("-- MariaDB dump\n-- Dump completed on 2026-12-02\n"),
            Err(BackupError::Incomplete(_))
        ));
    }

    #[test]
    fn credentials_come_from_the_url_decoded() {
        let t = Target::parse("mysql://ocpizza_dbadmin:p%40ss%3Aw0rd@db.local:3307/ocpizza_db")
            .unwrap();
        assert_eq!(
            (
                t.user.as_str(),
                t.password.as_str(),
                t.host.as_str(),
                t.port,
                t.database.as_str()
            ),
            (
                "ocpizza_dbadmin",
                "p@ss:w0rd",
                "db.local",
                3307,
                "ocpizza_db"
            )
        );
        assert!(Target::parse("mysql://root@127.0.0.1/bad-name;drop").is_err());
    }
}
