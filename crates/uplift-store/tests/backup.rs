//! Backup and restore: one portable format that moves a whole database between
//! SQLite and PostgreSQL with identical content, and refuses damaged files.

use uplift_domain::access::Role;
use uplift_domain::identity::{Email, TokenLifetime};
use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit;
use uplift_store::users::{self, NewUser};
use uplift_store::{tokens, Db};

async fn fill(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug: "camden",
            name: "London Borough of Camden",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    for (i, role) in Role::ALL.iter().filter(|r| **r != Role::School).enumerate() {
        let email = Email::parse(&format!("user{i}@camden.gov.uk")).unwrap();
        let u = users::create(
            &mut tx,
            &Actor::cli(),
            &NewUser {
                organisation_id: o.id,
                email: &email,
                name: "Zoë O'Brien – “quoted”",
                role: *role,
                school_urn: None,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$abc$def",
            },
        )
        .await
        .unwrap();
        // Every other token with an expiry, so the column round-trips set and unset.
        let lifetime = (i % 2 == 0).then(|| TokenLifetime::from_days(90).unwrap());
        tokens::create(&mut tx, &Actor::cli(), &u, "integration", lifetime)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.record_sign_in_attempt("user0@camden.gov.uk", "127.0.0.1", false)
        .await
        .unwrap();
}

async fn dump(db: &Db) -> String {
    let mut out = Vec::new();
    db.backup(&mut out).await.unwrap();
    // Drop the header and trailer, which carry the time and the source backend.
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    lines[1..lines.len() - 1].join("\n")
}

#[tokio::test]
async fn sqlite_to_postgres_and_back_is_identical() {
    let (src, _g1) = testkit::sqlite().await;
    fill(&src).await;
    let mut file = Vec::new();
    let summary = src.backup(&mut file).await.unwrap();
    assert!(summary.rows > 10);
    let original = dump(&src).await;

    let Some(pg) = testkit::postgres().await else {
        return;
    };
    let restored = pg.restore(&file[..], "backup.jsonl").await.unwrap();
    assert_eq!(restored, summary);
    assert_eq!(
        dump(&pg).await,
        original,
        "PostgreSQL holds exactly what SQLite held"
    );

    // New rows after a restore get fresh ids on PostgreSQL (sequences moved on).
    let mut tx = pg.begin().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug: "barnet",
            name: "Barnet",
            kind: "local-authority",
            la_code: Some("302"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(o.id > 1);

    let mut back = Vec::new();
    pg.backup(&mut back).await.unwrap();
    let (again, _g2) = testkit::sqlite().await;
    again.restore(&back[..], "back.jsonl").await.unwrap();
    assert_eq!(dump(&again).await, dump(&pg).await, "and back into SQLite");
}

#[tokio::test]
async fn damaged_and_foreign_files_are_refused_and_change_nothing() {
    let (src, _g1) = testkit::sqlite().await;
    fill(&src).await;
    let mut file = Vec::new();
    src.backup(&mut file).await.unwrap();
    let text = String::from_utf8(file.clone()).unwrap();

    for (db, _g) in testkit::each_backend().await {
        // Truncated at a line boundary, and mid-line.
        let lines: Vec<&str> = text.lines().collect();
        let cut = lines[..lines.len() / 2].join("\n");
        let err = db
            .restore(cut.as_bytes(), "cut.jsonl")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = db
            .restore(&file[..file.len() - 40], "cut2.jsonl")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("cut2.jsonl"), "{err}");
        // Altered content.
        let altered = text.replace("integration", "integratiom");
        let err = db
            .restore(altered.as_bytes(), "x.jsonl")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("checksum"), "{err}");
        // Another format altogether.
        let err = db
            .restore(&b"URN,LA (code)\n100000,201\n"[..], "schools.csv")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("schools.csv: line 1"), "{err}");
        let err = db
            .restore(&b"{\"format\":\"pg_dump\"}\n"[..], "other.json")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an Uplift backup"), "{err}");
        let err = db.restore(&b""[..], "empty").await.unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
        // Nothing was written by any of those.
        assert_eq!(db.organisations().await.unwrap().len(), 0);
        assert_eq!(db.audit_count(None).await.unwrap(), 0);
        // A database that already holds data is refused.
        db.restore(&file[..], "ok.jsonl").await.unwrap();
        let err = db
            .restore(&file[..], "ok.jsonl")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("not empty"), "{err}");
    }
}

/// The backup's output, which stops the backup once (when it writes the line
/// containing `trigger`) until another connection has committed a write.
struct Interrupting {
    out: Vec<u8>,
    trigger: &'static str,
    go: Option<std::sync::mpsc::Sender<()>>,
    done: std::sync::mpsc::Receiver<()>,
}

impl std::io::Write for Interrupting {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.out.extend_from_slice(b);
        if String::from_utf8_lossy(b).contains(self.trigger) {
            if let Some(go) = self.go.take() {
                go.send(()).unwrap();
                self.done.recv().unwrap();
            }
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A write committed while the backup runs, between its reading of
/// `organisations` and of `users` (a new organisation and its first user,
/// in one transaction), appears in neither table: the backup is one snapshot
/// (PostgreSQL: REPEATABLE READ; SQLite: one read transaction), so the file
/// never holds a user whose organisation is missing.
#[tokio::test]
async fn a_backup_is_one_snapshot_while_another_connection_writes() {
    for (db, _g) in testkit::each_backend().await {
        fill(&db).await;
        let url = db.url().to_string();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let writer = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let other = Db::connect(&url).await.unwrap();
                go_rx.recv().unwrap();
                let mut tx = other.begin().await.unwrap();
                let o = orgs::create(
                    &mut tx,
                    &Actor::cli(),
                    &NewOrganisation {
                        slug: "barnet",
                        name: "London Borough of Barnet",
                        kind: "local-authority",
                        la_code: Some("302"),
                    },
                )
                .await
                .unwrap();
                let email = Email::parse("late@barnet.gov.uk").unwrap();
                users::create(
                    &mut tx,
                    &Actor::cli(),
                    &NewUser {
                        organisation_id: o.id,
                        email: &email,
                        name: "Late Arrival",
                        role: Role::Lead,
                        school_urn: None,
                        password_hash: "x",
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                other.close().await;
            });
            done_tx.send(()).unwrap();
        });
        let mut out = Interrupting {
            out: Vec::new(),
            trigger: "\"end_table\":\"organisations\"",
            go: Some(go_tx),
            done: done_rx,
        };
        db.backup(&mut out).await.unwrap();
        writer.join().unwrap();
        // The write committed, during the backup…
        assert_eq!(db.organisations().await.unwrap().len(), 2);
        // …and is in no table of it.
        let text = String::from_utf8(out.out).unwrap();
        assert!(
            !text.contains("barnet"),
            "{:?}: the new organisation",
            db.backend()
        );
        assert!(
            !text.contains("late@barnet.gov.uk"),
            "{:?}: a user whose organisation is not in the backup",
            db.backend()
        );
        // The file restores.
        let (fresh, _g2) = testkit::sqlite().await;
        fresh
            .restore(text.as_bytes(), "snapshot.jsonl")
            .await
            .unwrap();
        assert_eq!(fresh.organisations().await.unwrap().len(), 1);
    }
}
