//! `ocpizza` command line: serve (default), migrate, seed-demo, create-user, check-config,
//! backup, restore.

use clap::{Parser, Subcommand};
use ocpizza::config::{self, Settings};
use ocpizza::db;
use ocpizza::domain::{ids::PizzeriaId, staff::StaffRole};
use ocpizza::services::{demo, users};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ocpizza",
    version,
    about = "OC Pizza: orders, kitchen, delivery and stock"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo data into an empty database.
    SeedDemo,
    /// Create a staff account or a group admin. The password is read from
    /// OCPIZZA_NEW_USER_PASSWORD or asked at a prompt, never given as an argument.
    CreateUser {
        /// counter, pizzaiolo, driver, manager or admin
        #[arg(long)]
        role: String,
        /// The pizzeria id (every role but admin)
        #[arg(long)]
        pizzeria: Option<String>,
        #[arg(long)]
        email: String,
        /// Full name shown in the staff pages
        #[arg(long)]
        name: String,
    },
    /// Check the configuration and the database connection, then exit.
    CheckConfig,
    /// Back up the database (a consistent copy of the live database, compressed, with a
    /// .sha256 file); remove backups older than the days kept; copy it to the backup host.
    Backup {
        /// Folder of the backups (default: OCPIZZA_BACKUP__DIR, var/backups)
        #[arg(long)]
        dir: Option<String>,
        /// Remove backups older than this many days, 0 to keep all (default:
        /// OCPIZZA_BACKUP__KEEP_DAYS, 14)
        #[arg(long)]
        keep_days: Option<u32>,
        /// rsync destination of a copy (default: OCPIZZA_BACKUP__COPY_TO, none)
        #[arg(long)]
        copy_to: Option<String>,
    },
    /// Restore a backup into the database of OCPIZZA_DATABASE_URL (stop the app first). The
    /// checksum is checked first; a database holding tables is replaced only with --force.
    Restore {
        /// The backup file (.sql.gz for MySQL/MariaDB, .sqlite.gz for SQLite)
        file: std::path::PathBuf,
        /// Replace what the database holds
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A local .env file, if any; the real environment wins over it.
    let _ = dotenvy::dotenv();
    let figment = config::figment();
    let settings = match Settings::from_figment(&figment) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    init_tracing(settings.log_json);
    // Before any runtime or thread: every thread then reports its panics.
    let _reports = ocpizza::notify::report::init(&settings);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(figment),
        Command::Migrate => migrate(&settings),
        Command::SeedDemo => seed_demo(&settings),
        Command::CreateUser {
            role,
            pizzeria,
            email,
            name,
        } => create_user(&settings, &role, pizzeria.as_deref(), &email, &name),
        Command::CheckConfig => check_config(&settings),
        Command::Backup {
            dir,
            keep_days,
            copy_to,
        } => backup(&settings, dir, keep_days, copy_to),
        Command::Restore { file, force } => restore(&settings, &file, force),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ocpizza: {message}");
    ExitCode::from(2)
}

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    // Rocket's own request lines print raw paths (tracking tokens, reset links): kept out
    // unless the operator names them. The app logs each request itself, by route pattern.
    let mut spec = std::env::var("OCPIZZA_LOG").unwrap_or_else(|_| "info".into());
    if !spec.contains("rocket::server") {
        spec.push_str(",rocket::server=warn");
    }
    let filter =
        EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new("info,rocket::server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn serve(figment: rocket::figment::Figment) -> Result<(), String> {
    rocket::execute(async move {
        let rocket = ocpizza::app(figment).map_err(|e| e.to_string())?;
        rocket
            .launch()
            .await
            .map(drop)
            .map_err(|e| format!("server failed: {e}"))
    })
}

fn open(settings: &Settings) -> Result<db::PooledConn, String> {
    let pool = db::connect(&settings.database_url, 2).map_err(|e| e.to_string())?;
    pool.get()
        .map_err(|e| format!("cannot reach the database: {e}"))
}

fn migrate(settings: &Settings) -> Result<(), String> {
    let mut conn = open(settings)?;
    let applied = db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    println!("{applied} migration(s) applied");
    Ok(())
}

fn seed_demo(settings: &Settings) -> Result<(), String> {
    let mut conn = open(settings)?;
    db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    demo::seed(&mut conn).map_err(|e| e.to_string())?;
    if settings.demo_orders {
        demo::seed_orders(&mut conn, demo::FIRST_SLUG).map_err(|e| e.to_string())?;
    }
    println!("demo data loaded (accounts and passwords: see README.md)");
    Ok(())
}

fn parse_role(role: &str, pizzeria: Option<&str>) -> Result<users::Role, String> {
    if role == "admin" {
        return match pizzeria {
            None => Ok(users::Role::Admin),
            Some(_) => Err("a group admin belongs to no pizzeria: drop --pizzeria".into()),
        };
    }
    let staff = StaffRole::parse(role).ok_or_else(|| {
        format!("unknown role {role:?}: counter, pizzaiolo, driver, manager or admin")
    })?;
    let id = pizzeria.ok_or("--pizzeria is required for staff roles")?;
    let id =
        PizzeriaId::parse(id).map_err(|_| format!("--pizzeria {id:?} is not a pizzeria id"))?;
    Ok(users::Role::Staff(staff, id))
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("OCPIZZA_NEW_USER_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Password: ")
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let again = rpassword::prompt_password("Password again: ")
        .map_err(|e| format!("cannot read the password: {e}"))?;
    if first != again {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

fn create_user(
    settings: &Settings,
    role: &str,
    pizzeria: Option<&str>,
    email: &str,
    name: &str,
) -> Result<(), String> {
    let role = parse_role(role, pizzeria)?;
    ocpizza::domain::contact::parse_email(email)
        .map_err(|_| users::UserError::InvalidEmail.to_string())?;
    let hash = users::hash_password(&read_password()?).map_err(|e| e.to_string())?;
    let account = users::NewAccount {
        email,
        full_name: name,
        password_hash: &hash,
        role,
    };
    let mut conn = open(settings)?;
    let id = users::create_account(&mut conn, &account).map_err(|e| e.to_string())?;
    println!("user {id} created: {email}, {role}");
    Ok(())
}

fn check_config(settings: &Settings) -> Result<(), String> {
    let mut conn = open(settings)?;
    let pending = db::has_pending_migrations(&mut conn);
    println!(
        "configuration ok; database {} reachable; migrations {}",
        db::redact(&settings.database_url),
        if pending {
            "PENDING (run `ocpizza migrate`)"
        } else {
            "up to date"
        }
    );
    Ok(())
}

fn backup(
    settings: &Settings,
    dir: Option<String>,
    keep_days: Option<u32>,
    copy_to: Option<String>,
) -> Result<(), String> {
    let b = &settings.backup;
    let plan = db::backup::BackupPlan {
        dir: dir.unwrap_or_else(|| b.dir.clone()).into(),
        keep_days: keep_days.unwrap_or(b.keep_days),
        copy_to: copy_to.or_else(|| Some(b.copy_to.clone()).filter(|c| !c.is_empty())),
    };
    let done = db::backup::backup(&settings.database_url, &plan)
        .map_err(|e| format!("backup FAILED: {e}"))?;
    println!(
        "backup written: {} ({} bytes, {} tables), checksum {}; {} old backup(s) removed{}",
        done.file.display(),
        done.bytes,
        done.tables,
        done.checksum.display(),
        done.removed,
        plan.copy_to
            .map(|c| format!("; copied to {c}"))
            .unwrap_or_default()
    );
    Ok(())
}

fn restore(settings: &Settings, file: &std::path::Path, force: bool) -> Result<(), String> {
    let done = db::backup::restore(file, &settings.database_url, force)
        .map_err(|e| format!("restore refused or failed: {e}"))?;
    println!(
        "restored {} into {} ({} tables); run `ocpizza migrate` if this release is newer than the backup",
        file.display(),
        db::redact(&settings.database_url),
        done.tables
    );
    Ok(())
}
