//! The shipped service files, checked by their own tools and run for real: systemd's units and
//! timer (`systemd-analyze verify`), the firewall (`nft -c`), the database's creation script on
//! MariaDB, and Supervisor keeping two app processes up through `deploy/bin/ocpizza-start`.

use crate::cli::{ocpizza, stderr};
use crate::harness::TestDb;
use crate::nginx::free_port;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn shipped(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/setup installs it)"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_systemd_units_and_the_backup_timer_pass_systemd_analyze() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("ocpizza.env");
    std::fs::write(&env_file, "").unwrap();
    for unit in [
        "ocpizza@.service",
        "ocpizza-backup.service",
        "ocpizza-backup.timer",
    ] {
        let text = shipped(&format!("deploy/systemd/{unit}"))
            .replace(
                "/opt/ocpizza/current/ocpizza",
                env!("CARGO_BIN_EXE_ocpizza"),
            )
            .replace("/etc/ocpizza/ocpizza.env", &env_file.display().to_string());
        std::fs::write(dir.path().join(unit), text).unwrap();
    }
    let out = run(Command::new("systemd-analyze").arg("verify").args(
        [
            "ocpizza@8000.service",
            "ocpizza-backup.service",
            "ocpizza-backup.timer",
        ]
        .map(|u| dir.path().join(u)),
    ));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no warning either"
    );

    let timer = shipped("deploy/systemd/ocpizza-backup.timer");
    let when = timer
        .lines()
        .find_map(|l| l.strip_prefix("OnCalendar="))
        .unwrap();
    let out = run(Command::new("systemd-analyze").args(["calendar", when]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Normalized form: *-*-* 04:00:00 Europe/Paris"),
        "{text}"
    );
    assert!(shipped("deploy/cron/ocpizza-backup")
        .contains("\n0 4 * * * root /opt/ocpizza/current/deploy/bin/ocpizza-backup\n"));
}

#[test]
fn the_firewall_rules_pass_nft_check() {
    let rules = format!("{ROOT}/deploy/firewall/nftables.conf");
    run(Command::new("nft").args(["-c", "-f", &rules]));
    let text = shipped("deploy/firewall/nftables.conf");
    assert!(
        text.contains("policy drop;")
            && text.contains("tcp dport { 22, 80, 443 } ct state new accept")
    );
}

/// `input` piped to the server's client as root, as `| sudo mysql` does on the VM.
#[cfg(feature = "mysql")]
fn sql(input: &str) {
    use std::io::Write;
    let client = if Path::new("/usr/bin/mariadb").exists() {
        "mariadb"
    } else {
        "mysql"
    };
    let mut child = Command::new(client)
        .args(["-h", "127.0.0.1", "-u", "root"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `OCPIZZA_DB_PASSWORD=... envsubst < deploy/mysql/create-database.sql | mysql`, then the app's
/// own commands as that user, who reaches its database and no other.
#[cfg(feature = "mysql")]
#[test]
fn the_database_script_gives_ocpizza_dbadmin_its_database_and_nothing_else() {
    let Some(admin) = std::env::var(crate::harness::MYSQL_ENV)
        .ok()
        .filter(|u| u.starts_with("mysql://root@127.0.0.1:3306/"))
    else {
        return eprintln!("not run: needs OCPIZZA_TEST_MYSQL_URL on root@127.0.0.1:3306");
    };
    let script = run(Command::new("envsubst")
        .env("OCPIZZA_DB_PASSWORD", "s3cret-Pizz@")
        .stdin(std::fs::File::open(format!("{ROOT}/deploy/mysql/create-database.sql")).unwrap()));
    let script = String::from_utf8(script.stdout).unwrap();
    assert!(script.contains("IDENTIFIED BY 's3cret-Pizz@'"));
    sql("DROP DATABASE IF EXISTS ocpizza_db; DROP USER IF EXISTS 'ocpizza_dbadmin'@'localhost', 'ocpizza_dbadmin'@'127.0.0.1';");
    sql(&script);
    sql(&script); // a second run changes nothing and fails on nothing
    let url = "mysql://ocpizza_dbadmin:s3cret-Pizz%40@127.0.0.1:3306/ocpizza_db";
    let migrated = ocpizza(url, &["migrate"], &[]);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    let seeded = ocpizza(url, &["seed-demo"], &[]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let dir = tempfile::tempdir().unwrap();
    let saved = ocpizza(
        url,
        &["backup", "--dir", &dir.path().display().to_string()],
        &[],
    );
    assert!(
        saved.status.success(),
        "the user's privileges are enough for a backup: {}",
        stderr(&saved)
    );
    let elsewhere = admin
        .rsplit_once('/')
        .map(|(_, db)| db.to_string())
        .unwrap();
    let other = ocpizza(
        &format!("mysql://ocpizza_dbadmin:s3cret-Pizz%40@127.0.0.1:3306/{elsewhere}"),
        &["check-config"],
        &[],
    );
    assert!(!other.status.success(), "no access to another database");
    sql("DROP DATABASE ocpizza_db; DROP USER 'ocpizza_dbadmin'@'localhost', 'ocpizza_dbadmin'@'127.0.0.1';");
}

/// Two free ports in a row: Supervisor numbers its processes from the first.
fn two_ports() -> u16 {
    loop {
        let p = free_port();
        if p < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

async fn answers(port: u16) -> bool {
    match reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await {
        Ok(r) => r.status() == 200,
        Err(_) => false,
    }
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..800 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never: {what}");
}

/// The shipped program file in a supervisord of the test's own: ports, folders, environment.
fn supervisor_conf(dir: &Path, base: u16, env_file: &Path) -> std::path::PathBuf {
    let d = dir.display();
    let program = shipped("deploy/supervisor/ocpizza.conf")
        .replace("numprocs_start = 8000", &format!("numprocs_start = {base}"))
        .replace("/opt/ocpizza/current", ROOT)
        .replace("/etc/ocpizza/ocpizza.env", &env_file.display().to_string())
        .replace("/var/log/ocpizza/", &format!("{d}/"));
    std::fs::write(dir.join("ocpizza.conf"), program).unwrap();
    let main = format!(
        "[unix_http_server]\nfile={d}/supervisor.sock\n[supervisord]\nlogfile={d}/supervisord.log\npidfile={d}/supervisord.pid\n\
         [rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\
         [supervisorctl]\nserverurl=unix://{d}/supervisor.sock\n[include]\nfiles = {d}/ocpizza.conf\n"
    );
    let conf = dir.join("supervisord.conf");
    std::fs::write(&conf, main).unwrap();
    conf
}

/// Stops the test's supervisord, whatever happens to the test.
struct Shutdown(std::path::PathBuf);

impl Drop for Shutdown {
    fn drop(&mut self) {
        ctl(&self.0, &["shutdown"]);
    }
}

/// `supervisorctl <args>` on the test's supervisord: what it printed.
fn ctl(conf: &Path, args: &[&str]) -> String {
    let out = Command::new("supervisorctl")
        .arg("-c")
        .arg(conf)
        .args(args)
        .output()
        .expect("supervisorctl (scripts/setup)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An update restarts one process after the other: one always answers.
async fn restart_one_after_the_other(conf: &Path, base: u16) {
    for (port, other) in [(base, base + 1), (base + 1, base)] {
        let restart = tokio::task::spawn_blocking({
            let conf = conf.to_path_buf();
            move || ctl(&conf, &["restart", &format!("ocpizza:ocpizza-{port}")])
        });
        while !restart.is_finished() {
            assert!(
                answers(other).await,
                "{other} answers while {port} restarts"
            );
        }
        let said = restart.await.unwrap();
        assert!(
            said.contains("started"),
            "supervisorctl restart said: {said}"
        );
        until("back after its restart", async || answers(port).await).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_keeps_two_processes_up_restarts_and_stops_them_cleanly() {
    let db = TestDb::sqlite();
    let seeded = ocpizza(&db.url, &["seed-demo"], &[]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("ocpizza.env");
    let me = String::from_utf8(run(Command::new("id").arg("-un")).stdout).unwrap();
    std::fs::write(
        &env_file,
        format!(
            "OCPIZZA_DATABASE_URL={}\nOCPIZZA_MEDIA_DIR={}\nOCPIZZA_MAIL__FOLDER={}\nROCKET_SECRET_KEY={}\n\
             # as in production\nOCPIZZA_MAIL__FROM=OC Pizza <commandes@ocpizza.fr>\nOCPIZZA_LOG=\"warn\"\nOCPIZZA_HOME={ROOT}\nOCPIZZA_BIN={}\nOCPIZZA_USER={}\n",
            db.url, db.media_dir(), db.mail_dir(), crate::harness::SECRET_KEY, env!("CARGO_BIN_EXE_ocpizza"), me.trim()
        ),
    )
    .unwrap();
    let base = two_ports();
    let conf = supervisor_conf(dir.path(), base, &env_file);
    run(Command::new("supervisord").arg("-c").arg(&conf));
    let _stop = Shutdown(conf.clone());
    until("both processes answer", async || {
        answers(base).await && answers(base + 1).await
    })
    .await;
    let running = async || {
        ctl(&conf, &["status", "ocpizza:*"])
            .matches("RUNNING")
            .count()
            == 2
    };
    until("Supervisor says both RUNNING", running).await;

    restart_one_after_the_other(&conf, base).await;
    until("both RUNNING again", running).await;
    ctl(&conf, &["stop", "ocpizza:*"]);
    let status = ctl(&conf, &["status", "ocpizza:*"]);
    assert_eq!(status.matches("STOPPED").count(), 2, "{status}");
    assert!(!answers(base).await && !answers(base + 1).await);
    ctl(&conf, &["start", "ocpizza:*"]);
    until("started again", running).await;
    assert!(answers(base).await && answers(base + 1).await);
    ctl(&conf, &["stop", "ocpizza:*"]);
    drop(_stop);
    let log = std::fs::read_to_string(dir.path().join("supervisord.log")).unwrap();
    assert_eq!(
        log.matches("(exit status 0)").count(),
        6,
        "each stop a clean exit on SIGTERM, none killed: {log}"
    );
    assert!(!log.contains("SIGKILL"), "{log}");
}

/// The cron line's script: the root-only environment file (spaces and quotes as written), then
/// `ocpizza backup` as the service's user.
#[test]
fn the_nightly_backup_script_reads_the_environment_file_and_backs_up() {
    let db = TestDb::sqlite();
    let seeded = ocpizza(&db.url, &["seed-demo"], &[]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let dir = tempfile::tempdir().unwrap();
    let me = String::from_utf8(run(Command::new("id").arg("-un")).stdout).unwrap();
    let env_file = dir.path().join("ocpizza.env");
    let backups = dir.path().join("backups");
    std::fs::write(
        &env_file,
        format!(
            "# /etc/ocpizza/ocpizza.env\nOCPIZZA_DATABASE_URL={}\nOCPIZZA_MAIL__FROM=OC Pizza <commandes@ocpizza.fr>\n\n\
             OCPIZZA_BACKUP__DIR=\"{}\"\nOCPIZZA_LOG=warn\nOCPIZZA_HOME={ROOT}\nOCPIZZA_BIN={}\nOCPIZZA_USER={}\n",
            db.url,
            backups.display(),
            env!("CARGO_BIN_EXE_ocpizza"),
            me.trim()
        ),
    )
    .unwrap();
    let out = run(Command::new(format!("{ROOT}/deploy/bin/ocpizza-backup")).arg(&env_file));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("backup written: "));
    let kept: Vec<_> = std::fs::read_dir(&backups).unwrap().collect();
    assert_eq!(kept.len(), 2, "the backup and its checksum");
}
