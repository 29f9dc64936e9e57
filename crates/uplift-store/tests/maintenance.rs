//! Purging the temporary rows, on both backends: expired sessions (idle and
//! absolute), sign-in attempts older than the throttle window and expired
//! outbox leases go; live ones stay; one audit entry with the counts; the
//! daily run happens once per day however many instances ask.

use uplift_domain::access::Role;
use uplift_domain::identity::Email;
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::maintenance::{self, PurgePolicy, PurgeReport};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::sessions::SessionPolicy;
use uplift_store::testkit::each_backend;
use uplift_store::users::{self, NewUser};
use uplift_store::{jobs, timestamp, Db};

async fn count(db: &Db, sql: &str) -> i64 {
    db.execute_raw_text(sql).await.unwrap().parse().unwrap()
}

async fn user(db: &Db) -> users::User {
    let mut tx = db.begin().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug: "camden",
            name: "Camden Council",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    let email = Email::parse("lead@camden.gov.uk").unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: o.id,
            email: &email,
            name: "Lead",
            role: Role::Lead,
            school_urn: None,
            password_hash: "x",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u
}

fn ago(mins: i64) -> String {
    let now = jiff::Timestamp::now();
    timestamp(now - jiff::SignedDuration::from_mins(mins))
}

/// Three sessions (live, past its absolute expiry, idle too long), three
/// sign-in attempts (one recent, two old), two leased outbox messages (one
/// lease expired): what the purge must tell apart.
async fn temporary_rows(db: &Db) -> users::User {
    let u = user(db).await;
    let policy = SessionPolicy::default();
    db.start_session(&u, policy, None).await.unwrap();
    let expired = SessionPolicy {
        absolute: jiff::SignedDuration::from_secs(-1),
        ..policy
    };
    db.start_session(&u, expired, None).await.unwrap();
    let idle = db.start_session(&u, policy, None).await.unwrap();
    db.execute_raw(&format!(
        "UPDATE sessions SET last_seen_at = '{}' WHERE expires_at = '{}'",
        ago(31),
        idle.expires_at
    ))
    .await
    .unwrap();
    db.record_sign_in_attempt("lead@camden.gov.uk", "127.0.0.1", false)
        .await
        .unwrap();
    for mins in [16, 60 * 24] {
        db.execute_raw(&format!(
            "INSERT INTO sign_in_attempts (email, client, succeeded, at)
             VALUES ('lead@camden.gov.uk', '127.0.0.1', FALSE, '{}')",
            ago(mins)
        ))
        .await
        .unwrap();
    }
    for (i, lease) in [ago(1), ago(-5)].iter().enumerate() {
        db.execute_raw(&format!(
            "INSERT INTO mail_outbox (to_address, subject, body, created_at, next_attempt_at, lease_owner, lease_expires_at)
             VALUES ('lead@camden.gov.uk', 'Message {i}', 'Body', '{t}', '{t}', 'some-sender', '{lease}')",
            t = ago(10)
        ))
        .await
        .unwrap();
    }
    u
}

#[tokio::test]
async fn expired_sessions_old_attempts_and_stale_leases_are_purged_and_audited() {
    for (db, _dir) in each_backend().await {
        temporary_rows(&db).await;
        assert_eq!(
            count(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM sessions").await,
            3
        );
        let audits = db.audit_count(None).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = maintenance::purge(
            &mut tx,
            &Actor::cli(),
            PurgePolicy::default(),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            r,
            PurgeReport {
                sessions: 2,
                sign_in_attempts: 2,
                mail_leases: 1,
            },
            "{:?}",
            db.backend()
        );
        // The live ones stay.
        assert_eq!(
            count(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM sessions").await,
            1
        );
        assert_eq!(
            count(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM sign_in_attempts").await,
            1
        );
        assert_eq!(
            db.execute_raw_text("SELECT subject FROM mail_outbox WHERE lease_owner IS NOT NULL")
                .await
                .unwrap(),
            "Message 1"
        );
        // One audit entry, with the counts.
        assert_eq!(db.audit_count(None).await.unwrap(), audits + 1);
        let e = &db
            .audit_entries(&AuditFilter {
                entity: Some("maintenance".into()),
                ..AuditFilter::default()
            })
            .await
            .unwrap()[0];
        assert_eq!(
            (e.action.as_str(), e.entity_id.as_str()),
            ("delete", "purge")
        );
        assert_eq!(e.actor, "cli");
        let after: serde_json::Value =
            serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["sessions"], 2);
        assert_eq!(after["sign_in_attempts"], 2);
        assert_eq!(after["mail_leases"], 1);
        // Again: nothing more to remove, still one entry per run.
        let mut tx = db.begin().await.unwrap();
        let r = maintenance::purge(
            &mut tx,
            &Actor::cli(),
            PurgePolicy::default(),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r, PurgeReport::default());
        assert_eq!(db.audit_count(None).await.unwrap(), audits + 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daily_purge_runs_once_a_day_however_many_instances_ask() {
    for (db, _dir) in each_backend().await {
        temporary_rows(&db).await;
        let today = jiff::civil::date(2026, 11, 22);
        let a = Db::connect(db.url()).await.unwrap();
        let b = Db::connect(db.url()).await.unwrap();
        let policy = PurgePolicy::default();
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let a = a.clone();
                async move { a.daily_purge(today, "instance-a", policy).await }
            }),
            tokio::spawn({
                let b = b.clone();
                async move { b.daily_purge(today, "instance-b", policy).await }
            }),
        );
        let reports: Vec<PurgeReport> = [ra.unwrap().unwrap(), rb.unwrap().unwrap()]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(reports.len(), 1, "{:?}: {reports:?}", db.backend());
        assert_eq!(reports[0].sessions, 2);
        let entries = db
            .audit_entries(&AuditFilter {
                entity: Some("maintenance".into()),
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].actor, "system:purge");
        assert_eq!(db.job_runs(jobs::PURGE, 10).await.unwrap().len(), 1);
        a.close().await;
        b.close().await;
    }
}
