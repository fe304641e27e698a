//! docs/OPERATIONS.md: every command of its `sh` blocks is run by a test (or by CI), named
//! here with the text that test runs it with. A command added to the runbook without a test,
//! or a test that no longer runs its command, fails here.

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runbook command → (the file that runs it, a text of that file that shows it does).
const EXERCISED: &[(&str, &str, &str)] = &[
    ("OCPIZZA_DB_PASSWORD='...' envsubst < deploy/mysql/create-database.sql | sudo mysql", "tests/it/supervised.rs", "deploy/mysql/create-database.sql"),
    ("ocpizza migrate", "tests/it/supervised.rs", "&[\"migrate\"]"),
    ("ocpizza check-config", "tests/it/cli.rs", "&[\"check-config\"]"),
    ("ocpizza create-user --role admin --email direction@ocpizza.fr --name \"Direction OC Pizza\"", "tests/it/cli.rs", "\"create-user\", \"--role\""),
    ("nginx -t", "tests/it/nginx.rs", ".arg(\"-t\")"),
    ("nft -c -f deploy/firewall/nftables.conf", "tests/it/supervised.rs", "[\"-c\", \"-f\", &rules]"),
    ("systemd-analyze verify ocpizza@8000.service ocpizza-backup.service ocpizza-backup.timer", "tests/it/supervised.rs", "\"verify\").args([\"ocpizza@8000.service\", \"ocpizza-backup.service\", \"ocpizza-backup.timer\""),
    ("systemd-analyze calendar \"*-*-* 04:00:00 Europe/Paris\"", "tests/it/supervised.rs", "[\"calendar\", when]"),
    ("supervisorctl start ocpizza:*", "tests/it/supervised.rs", "[\"start\", \"ocpizza:*\"]"),
    ("supervisorctl status ocpizza:*", "tests/it/supervised.rs", "[\"status\", \"ocpizza:*\"]"),
    ("supervisorctl stop ocpizza:*", "tests/it/supervised.rs", "[\"stop\", \"ocpizza:*\"]"),
    ("ocpizza backup", "tests/it/backup.rs", "&[\"backup\", \"--dir\""),
    ("supervisorctl restart ocpizza:ocpizza-8000", "tests/it/supervised.rs", "[\"restart\", &format!(\"ocpizza:ocpizza-{port}\")]"),
    ("supervisorctl restart ocpizza:ocpizza-8001", "tests/it/supervised.rs", "[\"restart\", &format!(\"ocpizza:ocpizza-{port}\")]"),
    ("ocpizza backup --dir /var/lib/ocpizza/backups --keep-days 14 --copy-to backup@sauvegarde.ocpizza.fr:/srv/ocpizza/", "tests/it/backup.rs", "--keep-days 14 --copy-to {dest}"),
    ("sha256sum --check ocpizza-ocpizza_db-20261202-030000Z.sql.gz.sha256", "tests/it/backup.rs", "Command::new(\"sha256sum\")"),
    ("ocpizza restore /var/lib/ocpizza/backups/ocpizza-ocpizza_db-20261202-030000Z.sql.gz", "tests/it/backup.rs", "restore(&url, &file, false)"),
    ("ocpizza restore --force /var/lib/ocpizza/backups/ocpizza-ocpizza_db-20261202-030000Z.sql.gz", "tests/it/backup.rs", "args.push(\"--force\".into())"),
];

/// The lines of the runbook's `sh` blocks.
fn commands() -> Vec<String> {
    let doc = std::fs::read_to_string(format!("{ROOT}/docs/OPERATIONS.md")).unwrap();
    let mut inside = false;
    let mut all = Vec::new();
    for line in doc.lines() {
        match line.trim_end() {
            "```sh" => inside = true,
            l if l.starts_with("```") => inside = false,
            l if inside && !l.is_empty() => all.push(l.to_string()),
            _ => {}
        }
    }
    all
}

#[test]
fn every_command_of_the_runbook_is_run_by_a_test() {
    let listed: Vec<&str> = EXERCISED.iter().map(|(c, _, _)| *c).collect();
    let mut missing = Vec::new();
    for command in commands() {
        if !listed.contains(&command.as_str()) {
            missing.push(command);
        }
    }
    assert!(
        missing.is_empty(),
        "runbook commands no test runs: {missing:#?}"
    );
    for (command, file, shows) in EXERCISED {
        // Whitespace aside: rustfmt may break a call over several lines.
        let squeeze = |t: &str| t.split_whitespace().collect::<String>();
        let source = squeeze(&std::fs::read_to_string(format!("{ROOT}/{file}")).unwrap());
        assert!(
            source.contains(&squeeze(shows)),
            "{file} no longer runs `{command}` (looked for {shows:?})"
        );
    }
    let runbook = commands();
    for command in listed {
        assert!(
            runbook.iter().any(|c| c == command),
            "`{command}` left the runbook: drop it here too"
        );
    }
}
