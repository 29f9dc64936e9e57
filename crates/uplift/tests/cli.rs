//! The binary as an operator uses it: commands, one-line errors, non-zero
//! exits, and nothing changed on bad input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use uplift_store::testkit::TempDir;

fn uplift(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uplift"));
    c.args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPLIFT_CONFIG")
        .env("UPLIFT_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("run uplift");
    if let Some(mut i) = child.stdin.take() {
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails with exactly one line on standard error, naming the problem.
fn fails(o: &Output, contains: &str) {
    assert!(
        !o.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    assert!(
        lines[0].contains(contains),
        "{:?} should mention {contains:?}",
        lines[0]
    );
}

fn sqlite(dir: &TempDir) -> String {
    format!("sqlite://{}", dir.path().join("uplift.db").display())
}

fn setup(db: &str) {
    ok(&uplift(
        db,
        &[
            "org",
            "add",
            "--slug",
            "camden",
            "--name",
            "Camden Council",
            "--la",
            "202",
        ],
        None,
    ));
    ok(&uplift(
        db,
        &[
            "user",
            "add",
            "--email",
            "lead@camden.example",
            "--name",
            "Lead",
            "--role",
            "lead",
        ],
        Some("correct horse battery\n"),
    ));
}

#[test]
fn help_works_for_every_command() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "reset", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["token", "create", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["import", "--help"],
        vec!["calendar", "add-working-days", "--help"],
        vec!["demo", "load", "--help"],
        vec!["migrate", "--help"],
        vec!["maintenance", "purge", "--help"],
    ] {
        let o = uplift("sqlite::memory:", &args, None);
        assert!(o.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn users_and_tokens_from_the_command_line() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    // Generated password.
    let out = ok(&uplift(
        &db,
        &[
            "user",
            "add",
            "--email",
            "a@camden.example",
            "--name",
            "Adviser",
            "--role",
            "adviser",
            "--generate-password",
        ],
        None,
    ));
    assert!(out.contains("Password: "), "{out}");
    // Token printed once on stdout.
    let out = ok(&uplift(
        &db,
        &[
            "token",
            "create",
            "--email",
            "lead@camden.example",
            "--name",
            "finance",
        ],
        None,
    ));
    let token = out.trim();
    assert!(token.starts_with("upl_") && token.len() == 68, "{out}");
    // Reset from stdin.
    let out = ok(&uplift(
        &db,
        &["user", "reset", "--email", "lead@camden.example"],
        Some("another good passphrase\n"),
    ));
    assert!(out.contains("Password reset"));
    let list = ok(&uplift(&db, &["user", "list"], None));
    assert!(list.contains("lead@camden.example") && list.contains("a@camden.example"));
}

#[tokio::test]
async fn tokens_expire_and_end_with_a_reset_or_a_disabled_user() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    let lead = "lead@camden.example";
    let create = |days: Option<&str>| {
        let mut args = vec!["token", "create", "--email", lead, "--name", "nightly"];
        if let Some(d) = days {
            args.extend(["--expires-in-days", d]);
        }
        uplift(&db, &args, None)
    };
    for bad in ["0", "367", "soon", "-3", ""] {
        fails(&create(Some(bad)), "--expires-in-days");
    }
    let out = create(Some("30"));
    let token = ok(&out).trim().to_string();
    let expiry = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(30 * 24))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("expires {expiry}")), "{said}");
    let store = uplift_store::Db::connect(&db).await.unwrap();
    assert!(store.token_user(&token).await.unwrap().is_some());
    // Disabling ends the tokens at once; enabling does not bring them back.
    let out = ok(&uplift(&db, &["user", "disable", "--email", lead], None));
    assert!(
        out.contains("Disabled") && out.contains("API tokens"),
        "{out}"
    );
    assert!(store.token_user(&token).await.unwrap().is_none());
    assert!(ok(&uplift(&db, &["user", "list"], None)).contains("inactive"));
    fails(&create(None), "inactive");
    let out = ok(&uplift(&db, &["user", "enable", "--email", lead], None));
    assert!(out.contains("Enabled"), "{out}");
    assert!(store.token_user(&token).await.unwrap().is_none());
    // A password reset ends the tokens made since.
    let token = ok(&create(None)).trim().to_string();
    assert!(store.token_user(&token).await.unwrap().is_some());
    let out = ok(&uplift(
        &db,
        &["user", "reset", "--email", lead],
        Some("another good passphrase\n"),
    ));
    assert!(out.contains("API tokens have ended"), "{out}");
    assert!(store.token_user(&token).await.unwrap().is_none());
    fails(
        &uplift(
            &db,
            &["user", "disable", "--email", "nobody@camden.example"],
            None,
        ),
        "no user",
    );
    // Both changes are in the audit log, by the command line.
    let entries = store
        .audit_entries(&uplift_store::audit::AuditFilter {
            entity: Some("user".into()),
            action: Some("update".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let actives: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.after_json.as_deref())
        .filter(|a| a.contains("\"active\""))
        .collect();
    assert_eq!(actives.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|e| e.actor == "cli"));
    store.close().await;
}

#[test]
fn weak_or_personal_passwords_are_refused_with_the_reason() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    for (password, why) in [
        ("password1234\n", "harder to guess"),
        ("camden council rocks\n", "name of your organisation"),
        ("sam.head@camden.example 1\n", "email address"),
        ("robin ashworth 2026\n", "your name"),
    ] {
        fails(
            &uplift(
                &db,
                &[
                    "user",
                    "add",
                    "--email",
                    "sam.head@camden.example",
                    "--name",
                    "Robin Ashworth",
                    "--role",
                    "adviser",
                ],
                Some(password),
            ),
            why,
        );
    }
    fails(
        &uplift(
            &db,
            &["user", "reset", "--email", "lead@camden.example"],
            Some("Camden Council 2027\n"),
        ),
        "name of your organisation",
    );
    assert!(!ok(&uplift(&db, &["user", "list"], None)).contains("sam.head"));
}

#[test]
fn bad_input_gets_one_line_a_failure_and_changes_nothing() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    let count = || ok(&uplift(&db, &["user", "list"], None)).lines().count();
    let before = count();
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "x@camden.example",
                "--name",
                "X",
                "--role",
                "headteacher",
            ],
            Some("correct horse battery\n"),
        ),
        "unknown role",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "lead@camden.example",
                "--name",
                "X",
                "--role",
                "lead",
            ],
            Some("correct horse battery\n"),
        ),
        "already exists",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "y@camden.example",
                "--name",
                "Y",
                "--role",
                "lead",
            ],
            Some("short\n"),
        ),
        "at least 12 characters",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "y@camden.example",
                "--name",
                "Y",
                "--role",
                "lead",
            ],
            Some(""),
        ),
        "password is empty",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "not-an-email",
                "--name",
                "Y",
                "--role",
                "lead",
            ],
            Some("correct horse battery\n"),
        ),
        "not valid",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "s@camden.example",
                "--name",
                "S",
                "--role",
                "school",
                "--school",
                "999999",
            ],
            Some("correct horse battery\n"),
        ),
        "not in the register",
    );
    fails(
        &uplift(
            &db,
            &[
                "user",
                "add",
                "--email",
                "z@camden.example",
                "--name",
                "Z",
                "--role",
                "lead",
                "--organisation",
                "nowhere",
            ],
            Some("correct horse battery\n"),
        ),
        "no organisation",
    );
    fails(
        &uplift(
            &db,
            &["token", "create", "--email", "ghost@camden.example"],
            None,
        ),
        "no user",
    );
    assert_eq!(count(), before);
    fails(
        &uplift("mysql://localhost/uplift", &["user", "list"], None),
        "not supported",
    );
    fails(
        &uplift(
            "sqlite:///nonexistent/dir/uplift.db",
            &["user", "list"],
            None,
        ),
        "cannot open",
    );
    fails(
        &uplift(
            &db,
            &["calendar", "add-working-days", "24/12/2026", "1"],
            None,
        ),
        "YYYY-MM-DD",
    );
}

#[test]
fn backup_and_restore_refuse_damaged_files() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    let file = dir.path().join("backup.jsonl");
    let f = file.to_str().unwrap();
    ok(&uplift(&db, &["backup", f], None));
    fails(&uplift(&db, &["backup", f], None), "already exists");
    let text = std::fs::read_to_string(&file).unwrap();
    let truncated = dir.path().join("truncated.jsonl");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "URN,LA (code)\n100000,201\n").unwrap();
    let fresh_dir = TempDir::new();
    let fresh = sqlite(&fresh_dir);
    fails(
        &uplift(&fresh, &["restore", truncated.to_str().unwrap()], None),
        "truncated",
    );
    fails(
        &uplift(&fresh, &["restore", other.to_str().unwrap()], None),
        "not a line of an Uplift backup",
    );
    fails(
        &uplift(&fresh, &["restore", "/nonexistent.jsonl"], None),
        "cannot open",
    );
    assert_eq!(ok(&uplift(&fresh, &["org", "list"], None)), "");
    ok(&uplift(&fresh, &["restore", f], None));
    assert!(ok(&uplift(&fresh, &["org", "list"], None)).contains("camden"));
    fails(&uplift(&fresh, &["restore", f], None), "not empty");
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgres_from_the_command_line() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    let file = dir.path().join("b.jsonl");
    ok(&uplift(&db, &["backup", file.to_str().unwrap()], None));
    let Some(pg) = uplift_store::testkit::postgres_url().await else {
        return;
    };
    ok(&uplift(&pg, &["restore", file.to_str().unwrap()], None));
    let users = ok(&uplift(&pg, &["user", "list"], None));
    assert!(users.contains("lead@camden.example"));
    let back = dir.path().join("back.jsonl");
    ok(&uplift(&pg, &["backup", back.to_str().unwrap()], None));
    let strip = |p: &Path| {
        let t = std::fs::read_to_string(p).unwrap();
        let l: Vec<String> = t.lines().map(str::to_string).collect();
        l[1..l.len() - 1].join("\n")
    };
    assert_eq!(
        strip(&file),
        strip(&back),
        "identical content after SQLite → PostgreSQL"
    );
}

#[test]
fn working_days_for_officers_and_scripts() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    // Christmas Day, Boxing Day (substitute on Monday 28th) and the weekend are skipped.
    assert_eq!(
        ok(&uplift(
            &db,
            &["calendar", "add-working-days", "2026-12-24", "1"],
            None
        ))
        .trim(),
        "2026-12-29"
    );
    assert_eq!(
        ok(&uplift(
            &db,
            &["calendar", "add-working-days", "2026-12-14", "15"],
            None
        ))
        .trim(),
        "2027-01-07"
    );
    let bad = dir.path().join("bh.json");
    std::fs::write(
        &bad,
        "{\"scotland\": {\"division\": \"scotland\", \"events\": []}}",
    )
    .unwrap();
    fails(
        &uplift(&db, &["calendar", "update", bad.to_str().unwrap()], None),
        "england-and-wales",
    );
}

fn camden(name: &str) -> String {
    format!(
        "{}/../../data/demo/camden/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn import_summarises_as_json_and_reimport_changes_nothing() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    let gias = camden("edubaseallstatefunded_2026_EXCERPT.csv");
    let first: serde_json::Value = serde_json::from_str(&ok(&uplift(
        &db,
        &["import", "gias", &gias, "--summary", "json"],
        None,
    )))
    .unwrap();
    for key in ["inserted", "updated", "unchanged", "rejected"] {
        assert!(first.get(key).is_some(), "{key} missing from {first}");
    }
    let inserted = first["inserted"].as_u64().unwrap();
    assert!(inserted > 30, "{first}");
    let again: serde_json::Value = serde_json::from_str(&ok(&uplift(
        &db,
        &["import", "gias", &gias, "--summary", "json"],
        None,
    )))
    .unwrap();
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["updated"], 0);
    assert_eq!(again["unchanged"].as_u64(), Some(inserted));
    // --la keeps only that authority (City of London is 201, the rest Camden 202).
    let dir2 = TempDir::new();
    let db2 = sqlite(&dir2);
    let only: serde_json::Value = serde_json::from_str(&ok(&uplift(
        &db2,
        &["import", "gias", &gias, "--la", "201", "--summary", "json"],
        None,
    )))
    .unwrap();
    assert!(only["inserted"].as_u64().unwrap() < inserted, "{only}");
}

#[test]
fn import_bad_files_name_the_line_and_field_and_strict_writes_nothing() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    let text = std::fs::read_to_string(camden("edubaseallstatefunded_2026_EXCERPT.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // A malformed opening date on the third data row (line 4 of the file).
    let open_date = lines[0]
        .split(',')
        .position(|h| h == "\"OpenDate\"")
        .unwrap();
    let mut fields: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    fields[open_date] = "\"31-31-2020\"".into();
    lines[3] = fields.join(",");
    let bad = dir.path().join("gias-bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let bad = bad.to_str().unwrap();
    fails(
        &uplift(&db, &["import", "gias", bad, "--strict"], None),
        "line 4, field OpenDate",
    );
    // A census file given to the KS2 importer is refused, naming the missing columns.
    fails(
        &uplift(&db, &["import", "ks2", &camden("england_census.csv")], None),
        "missing",
    );
    // Nothing from the strict attempt is in the database.
    let list: serde_json::Value = serde_json::from_str(&ok(&uplift(
        &db,
        &["import", "gias", bad, "--summary", "json"],
        None,
    )))
    .unwrap();
    let rejected = list["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{list}");
    assert_eq!(rejected[0]["line"], 4);
    assert_eq!(rejected[0]["field"], "OpenDate");
    assert_eq!(
        list["updated"], 0,
        "the strict attempt wrote nothing before"
    );
    fails(
        &uplift(&db, &["import", "gias", "/nonexistent/file.csv"], None),
        "/nonexistent/file.csv",
    );
    fails(&uplift(&db, &["import", "nonsense", bad], None), "nonsense");
}

#[tokio::test]
async fn a_database_from_a_newer_uplift_is_refused_in_one_line() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    let out = ok(&uplift(&db, &["migrate"], None));
    assert!(out.starts_with("Applied 0001_foundation, "), "{out}");
    let out = ok(&uplift(&db, &["migrate"], None));
    let latest = uplift_store::migrate::latest_version();
    assert_eq!(
        out.trim(),
        format!("The database is up to date (schema version {latest}).")
    );
    let store = uplift_store::Db::connect(&db).await.unwrap();
    store
        .execute_raw(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99, 'from a later release', TRUE, X'00', 0)",
        )
        .await
        .unwrap();
    store.close().await;
    let newer = format!(
        "this database was migrated by a newer Uplift (schema version 99); this build knows up to {latest}: upgrade Uplift"
    );
    fails(&uplift(&db, &["migrate"], None), &newer);
    fails(&uplift(&db, &["org", "list"], None), &newer);
}

#[tokio::test]
async fn maintenance_purge_removes_expired_sessions_and_is_audited() {
    let dir = TempDir::new();
    let db = sqlite(&dir);
    setup(&db);
    let store = uplift_store::Db::connect(&db).await.unwrap();
    store
        .execute_raw(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
             SELECT 'expired', id, 'csrf', '2020-01-01T00:00:00.000000Z', '2020-01-01T00:00:00.000000Z',
                    '2020-01-01T12:00:00.000000Z' FROM users",
        )
        .await
        .unwrap();
    store
        .execute_raw(
            "INSERT INTO sign_in_attempts (email, client, succeeded, at)
             VALUES ('lead@camden.example', '127.0.0.1', FALSE, '2020-01-01T00:00:00.000000Z')",
        )
        .await
        .unwrap();
    let out = ok(&uplift(&db, &["maintenance", "purge"], None));
    assert_eq!(
        out.trim(),
        "Removed 1 expired session(s), 1 old sign-in attempt(s) and 0 expired outbox lease(s)."
    );
    let entries = store
        .audit_entries(&uplift_store::audit::AuditFilter {
            entity: Some("maintenance".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "cli");
    store.close().await;
}
