//! Migrations through sqlx's migrator, on both backends: two instances
//! starting together on a fresh database, a database migrated by the old
//! hand-written runner adopted without re-running anything, and a database
//! from a newer Uplift (or with a changed migration) refused in one line.

use uplift_store::audit::Actor;
use uplift_store::migrate::{self, latest_version, LEGACY_TABLE};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::{self, TempDir};
use uplift_store::{on_pool, Db};

/// Fresh, unmigrated databases: a SQLite file, and PostgreSQL when available.
async fn fresh_urls() -> Vec<(String, Option<TempDir>)> {
    let dir = TempDir::new();
    let mut v = vec![(
        format!("sqlite://{}", dir.path().join("uplift.db").display()),
        Some(dir),
    )];
    if let Some(url) = testkit::postgres_url().await {
        v.push((url, None));
    }
    v
}

fn all_names() -> Vec<String> {
    migrate::SQLITE.iter().map(migrate::name).collect()
}

/// (version, checksum) as recorded by sqlx.
async fn recorded(db: &Db) -> Vec<(i64, Vec<u8>)> {
    on_pool!(db.pool(), p => sqlx::query_as(
        "SELECT version, checksum FROM _sqlx_migrations ORDER BY version").fetch_all(p).await)
    .unwrap()
}

async fn add_org(db: &Db, slug: &str) {
    let mut tx = db.begin().await.unwrap();
    orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug,
            name: "Camden Council",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_migrating_a_fresh_database_together_both_succeed() {
    for round in 0..3 {
        for (url, _dir) in fresh_urls().await {
            let a = Db::connect(&url).await.unwrap();
            let b = Db::connect(&url).await.unwrap();
            let (ra, rb) = tokio::join!(
                tokio::spawn({
                    let a = a.clone();
                    async move { a.migrate().await }
                }),
                tokio::spawn({
                    let b = b.clone();
                    async move { b.migrate().await }
                }),
            );
            let ra = ra.unwrap().unwrap_or_else(|e| panic!("{url} (a): {e}"));
            let rb = rb.unwrap().unwrap_or_else(|e| panic!("{url} (b): {e}"));
            // One applied everything, the other found nothing to do.
            let mut both = [ra.clone(), rb.clone()];
            both.sort_by_key(|v| v.len());
            assert_eq!(
                both,
                [Vec::<String>::new(), all_names()],
                "round {round}, {url}"
            );
            assert_eq!(a.schema_version().await.unwrap(), latest_version());
            assert_eq!(recorded(&b).await.len(), all_names().len());
            assert!(a.migrate().await.unwrap().is_empty());
            a.close().await;
            b.close().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_migrated_by_the_old_runner_is_adopted_without_re_running_anything() {
    for (url, _dir) in fresh_urls().await {
        let db = Db::connect(&url).await.unwrap();
        testkit::migrate_as_before_sqlx(&db, 11).await.unwrap();
        add_org(&db, "camden").await;
        assert!(db
            .table_names()
            .await
            .unwrap()
            .contains(&LEGACY_TABLE.to_string()));
        assert_eq!(db.schema_version().await.unwrap(), 11);
        let old_at = db
            .execute_raw_text("SELECT applied_at FROM uplift_migrations WHERE version = 1")
            .await
            .unwrap();

        // Two instances start together on it: both succeed, and only the
        // migrations after 11 are applied (0001 run again would fail: its
        // tables exist).
        let other = Db::connect(&url).await.unwrap();
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let db = db.clone();
                async move { db.migrate().await }
            }),
            tokio::spawn({
                let other = other.clone();
                async move { other.migrate().await }
            }),
        );
        let mut applied = ra.unwrap().unwrap_or_else(|e| panic!("{url}: {e}"));
        applied.extend(rb.unwrap().unwrap_or_else(|e| panic!("{url}: {e}")));
        applied.sort();
        let after_11: Vec<String> = migrate::SQLITE
            .iter()
            .filter(|m| m.version > 11)
            .map(migrate::name)
            .collect();
        assert_eq!(applied, after_11, "{url}");

        // The history is sqlx's now, with this build's checksums.
        let want: Vec<(i64, Vec<u8>)> = migrate::for_backend(db.backend())
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        assert_eq!(recorded(&db).await, want, "{url}");
        assert!(!db
            .table_names()
            .await
            .unwrap()
            .contains(&LEGACY_TABLE.to_string()));
        assert_eq!(db.schema_version().await.unwrap(), latest_version());
        // The old applied_at is kept as installed_on.
        let installed = db
            .execute_raw_text(match db.backend() {
                uplift_store::Backend::Sqlite => {
                    "SELECT installed_on FROM _sqlx_migrations WHERE version = 1"
                }
                uplift_store::Backend::Postgres => {
                    "SELECT to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')
                     FROM _sqlx_migrations WHERE version = 1"
                }
            })
            .await
            .unwrap();
        assert_eq!(&installed[..19], &old_at[..19], "{installed} / {old_at}");
        // The data is untouched and the schema works.
        assert_eq!(db.organisations().await.unwrap().len(), 1);
        add_org(&db, "barnet").await;
        assert!(db.migrate().await.unwrap().is_empty());
        db.close().await;
        other.close().await;
    }
}

#[tokio::test]
async fn a_database_from_a_newer_uplift_or_with_a_changed_migration_is_refused() {
    for (db, _dir) in testkit::each_backend().await {
        let newer = latest_version() + 2;
        on_pool!(db.pool(), p => sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES ($1, 'from a later release', TRUE, $2, 0)")
            .bind(newer).bind(vec![0u8; 48]).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
        let want = format!(
            "this database was migrated by a newer Uplift (schema version {newer}); this build knows up to {}: upgrade Uplift",
            latest_version()
        );
        assert_eq!(db.migrate().await.unwrap_err().to_string(), want);
        assert_eq!(Db::open(db.url()).await.unwrap_err().to_string(), want);
        on_pool!(db.pool(), p => sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
            .bind(newer).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
        assert!(db.migrate().await.unwrap().is_empty());

        // A migration whose file changed after it was applied.
        on_pool!(db.pool(), p => sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 2")
            .bind(vec![1u8; 48]).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
        let e = db.migrate().await.unwrap_err().to_string();
        assert!(e.contains("0002_settings") && e.contains("changed"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }
}
