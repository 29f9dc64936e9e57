//! `uplift categorise` and `uplift policy` on the demo database: every school
//! placed with a non-empty rationale under every preset, nothing changed
//! without --apply, refused policies with line:column, and a snapshot of the
//! bundled Camden authority under every preset.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use uplift_store::testkit::TempDir;

const PRESETS: &[&str] = &[
    "la-differentiated",
    "side-by-side",
    "priority-schools",
    "trust",
];
/// Facts are read as of this date, so the snapshot does not move with the calendar.
const AS_OF: &str = "2026-07-01";

fn uplift(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uplift"))
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPLIFT_CONFIG")
        .env("UPLIFT_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run uplift")
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

fn demo() -> (TempDir, String) {
    let dir = TempDir::new();
    let db = format!("sqlite://{}", dir.path().join("uplift.db").display());
    ok(&uplift(&db, &["demo", "load"]));
    (dir, db)
}

/// The database as backup text.
fn dump(db: &str) -> String {
    let dir = TempDir::new();
    let file = dir.path().join("backup.jsonl");
    ok(&uplift(db, &["backup", &file.display().to_string()]));
    std::fs::read_to_string(file).unwrap()
}

/// Rows of the categorisation tables and audit entries about them.
fn categorisation_rows(db: &str) -> usize {
    dump(db)
        .lines()
        .filter(|l| {
            l.starts_with("{\"r\"")
                && (l.contains("category_decision")
                    || l.contains("organisation_polic")
                    || l.contains("flag_override"))
        })
        .count()
}

#[test]
fn every_preset_places_every_demo_school_with_a_rationale_and_changes_nothing() {
    let (_dir, db) = demo();
    let before = categorisation_rows(&db);
    let mut snapshot = String::new();
    for preset in PRESETS {
        let out = ok(&uplift(
            &db,
            &[
                "categorise",
                "--policy",
                preset,
                "--format",
                "json",
                "--as-of",
                AS_OF,
            ],
        ));
        let all: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let all = all.as_array().expect("an array");
        assert!(all.len() > 50, "{preset}: {} schools", all.len());
        for s in all {
            assert!(s["urn"].as_u64().is_some(), "{s}");
            assert!(!s["category"].as_str().unwrap_or("").is_empty(), "{s}");
            assert!(s["flags"].is_array(), "{s}");
            let r = s["rationale"].as_array().expect("rationale");
            assert!(!r.is_empty(), "{preset} {}: empty rationale", s["urn"]);
            assert!(r
                .iter()
                .all(|x| !x["summary"].as_str().unwrap_or("").is_empty()));
            let flags: Vec<&str> = s["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f.as_str())
                .collect();
            snapshot.push_str(&format!(
                "{preset},{},{},{}\n",
                s["urn"],
                s["category"].as_str().unwrap(),
                flags.join(";")
            ));
        }
    }
    // Without --apply nothing is recorded.
    assert_eq!(categorisation_rows(&db), before);
    assert_eq!(before, 0);

    // The snapshot of the bundled authority under every preset.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/camden_categories.csv");
    let header = "policy,urn,category,flags\n";
    let actual = format!("{header}{snapshot}");
    if std::env::var("UPLIFT_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    if expected != actual {
        let exp: Vec<&str> = expected.lines().collect();
        let act: Vec<&str> = actual.lines().collect();
        let mut diff = String::new();
        for l in &exp {
            if !act.contains(l) {
                diff.push_str(&format!("- {l}\n"));
            }
        }
        for l in &act {
            if !exp.contains(l) {
                diff.push_str(&format!("+ {l}\n"));
            }
        }
        panic!(
            "the Camden categories differ from {}:\n{diff}\nReview the change; if it is right, update the file with\n  UPLIFT_UPDATE_SNAPSHOTS=1 cargo test -p uplift --test categorise",
            file.display()
        );
    }
}

#[test]
fn apply_records_first_categories_once_and_csv_matches_json() {
    let (_dir, db) = demo();
    let json = ok(&uplift(
        &db,
        &["categorise", "--format", "json", "--as-of", AS_OF],
    ));
    let all: serde_json::Value = serde_json::from_str(&json).unwrap();
    let n = all.as_array().unwrap().len();
    let csv = ok(&uplift(
        &db,
        &["categorise", "--format", "csv", "--as-of", AS_OF],
    ));
    assert_eq!(
        csv.lines().count(),
        n + 1,
        "one row per school and a header"
    );
    assert!(csv.starts_with("urn,name,category,"));
    let o = uplift(&db, &["categorise", "--apply", "--as-of", AS_OF]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("Recorded {n} first categories")),
        "{err}"
    );
    let o = uplift(&db, &["categorise", "--apply", "--as-of", AS_OF]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("({n} unchanged)")));
}

#[tokio::test]
async fn the_csv_neutralises_a_name_a_spreadsheet_would_run() {
    let (_dir, db) = demo();
    let store = uplift_store::Db::connect(&db).await.unwrap();
    store
        .execute_raw(
            "UPDATE schools SET name = '=HYPERLINK(\"http://evil.example\",\"Click\")' WHERE urn = 100005",
        )
        .await
        .unwrap();
    store.close().await;
    let csv = ok(&uplift(
        &db,
        &["categorise", "--format", "csv", "--as-of", AS_OF],
    ));
    let row = csv
        .lines()
        .find(|l| l.starts_with("100005,"))
        .expect("the school's row");
    assert!(
        row.starts_with("100005,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\","),
        "{row}"
    );
}

#[test]
fn policy_check_and_use_refuse_bad_policies_with_line_and_column() {
    let (dir, db) = demo();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[policy]\nname = \"bad\"\ntitle = \"Bad\"\nfollows = \"nothing\"\n\n[[category]]\nid = \"a\"\nlabel = \"A\"\nrag = \"green\"\n\n[[category]]\nid = \"b\"\nlabel = \"B\"\nrag = \"red\"\n[[category.rule]]\nid = \"r\"\nlabel = \"R\"\nany = [\"no.such.fact >= 3\"]\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let o = uplift(&db, &["policy", "check", &bad]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("bad.toml:18:"), "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml:18:"), "{err}");
    // A syntax error, too.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[policy\nname = 1\n").unwrap();
    let o = uplift(&db, &["policy", "check", &broken.display().to_string()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.toml:1:"));
    // Every preset checks clean.
    let presets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../uplift-domain/policies");
    for p in PRESETS {
        ok(&uplift(
            &db,
            &[
                "policy",
                "check",
                &presets.join(format!("{p}.toml")).display().to_string(),
            ],
        ));
    }
    // use: a good preset is put in force; a bad file is refused and the previous stays.
    ok(&uplift(&db, &["policy", "use", "trust"]));
    let o = uplift(&db, &["policy", "use", &bad]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("previous policy stays in force"));
    let list = ok(&uplift(&db, &["policy", "list"]));
    assert!(
        list.contains("In force for camden:") && list.contains("(trust)"),
        "{list}"
    );
    let json = ok(&uplift(
        &db,
        &["categorise", "--format", "json", "--as-of", AS_OF],
    ));
    assert!(json.contains("\"policy\": \"trust\""));
}
