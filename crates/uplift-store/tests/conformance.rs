//! The store's behaviour, checked on every backend: SQLite always, PostgreSQL
//! when its binaries are installed (required in CI with UPLIFT_REQUIRE_POSTGRES=1).

use uplift_domain::access::Role;
use uplift_domain::identity::Email;
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::users::{self, NewUser};
use uplift_store::{tokens, Db, StoreError};

async fn org(db: &Db, slug: &str) -> orgs::Organisation {
    let mut tx = db.begin().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug,
            name: "London Borough of Camden",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    o
}

async fn user(db: &Db, org_id: i64, email: &str, role: Role) -> users::User {
    let mut tx = db.begin().await.unwrap();
    let email = Email::parse(email).unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: org_id,
            email: &email,
            name: "Test Person",
            role,
            school_urn: None,
            password_hash: "$argon2id$fake",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u
}

async fn exec(db: &Db, sql: &str) -> Result<u64, StoreError> {
    db.execute_raw(sql).await
}

#[tokio::test]
async fn migrations_create_the_same_tables_on_each_backend() {
    let mut seen = Vec::new();
    for (db, _g) in each_backend().await {
        let mut t = db.table_names().await.unwrap();
        t.retain(|n| n != "_sqlx_migrations");
        let mut listed: Vec<String> = uplift_store::backup::TABLES
            .iter()
            .chain(uplift_store::backup::DERIVED_TABLES)
            .map(|s| s.to_string())
            .collect();
        listed.sort();
        assert_eq!(
            t,
            listed,
            "backup::TABLES and DERIVED_TABLES must list every table ({:?})",
            db.backend()
        );
        // Migrating again changes nothing.
        assert!(db.migrate().await.unwrap().is_empty());
        seen.push(t);
    }
    seen.dedup();
    assert_eq!(seen.len(), 1, "the schemas differ between backends");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let (db, _g) = uplift_store::testkit::sqlite().await;
    assert_eq!(db.pragma("journal_mode").await.unwrap(), "wal");
    assert_eq!(db.pragma("foreign_keys").await.unwrap(), "1");
    assert_eq!(db.pragma("busy_timeout").await.unwrap(), "10000");
}

#[tokio::test]
async fn users_are_created_once_and_every_change_is_audited() {
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let u = user(&db, o.id, "Lead@Camden.gov.uk", Role::Lead).await;
        assert_eq!(u.email, "lead@camden.gov.uk");
        assert_eq!(u.role().unwrap(), Role::Lead);

        // A duplicate email is refused and nothing is written.
        let before = db.audit_count(None).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let email = Email::parse("lead@camden.gov.uk").unwrap();
        let err = users::create(
            &mut tx,
            &Actor::cli(),
            &NewUser {
                organisation_id: o.id,
                email: &email,
                name: "Again",
                role: Role::Adviser,
                school_urn: None,
                password_hash: "x",
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        drop(tx);
        assert_eq!(db.audit_count(None).await.unwrap(), before);

        // A school user needs a school in the register.
        let mut tx = db.begin().await.unwrap();
        let email = Email::parse("head@school.example").unwrap();
        let err = users::create(
            &mut tx,
            &Actor::cli(),
            &NewUser {
                organisation_id: o.id,
                email: &email,
                name: "Head",
                role: Role::School,
                school_urn: Some(999999),
                password_hash: "x",
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("not in the register"), "{err}");
        drop(tx);

        let entries = db
            .audit_entries(&AuditFilter {
                entity: Some("user".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, "create");
        assert_eq!(entries[0].organisation_id, Some(o.id));
        assert_eq!(entries[0].actor, "cli");
        let after: serde_json::Value =
            serde_json::from_str(entries[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["email"], "lead@camden.gov.uk");
        assert!(
            after.get("password_hash").is_none(),
            "the audit log never holds password hashes"
        );
    }
}

#[tokio::test]
async fn the_audit_log_refuses_update_and_delete_in_the_database_itself() {
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        user(&db, o.id, "a@camden.gov.uk", Role::Admin).await;
        let n = db.audit_count(None).await.unwrap();
        assert!(n >= 2);
        let upd = exec(&db, "UPDATE audit_log SET actor = 'someone else'").await;
        assert!(
            upd.is_err(),
            "UPDATE on audit_log must fail on {:?}",
            db.backend()
        );
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = exec(&db, "DELETE FROM audit_log").await;
        assert!(
            del.is_err(),
            "DELETE on audit_log must fail on {:?}",
            db.backend()
        );
        if db.backend() == uplift_store::Backend::Postgres {
            assert!(exec(&db, "TRUNCATE audit_log").await.is_err());
        }
        assert_eq!(db.audit_count(None).await.unwrap(), n);
        let entries = db.audit_entries(&AuditFilter::default()).await.unwrap();
        assert!(entries.iter().all(|e| e.actor == "cli"));
    }
}

#[tokio::test]
async fn audit_filters_and_tenancy() {
    for (db, _g) in each_backend().await {
        let a = org(&db, "camden").await;
        let b = org(&db, "barnet").await;
        user(&db, a.id, "a@camden.gov.uk", Role::Admin).await;
        user(&db, b.id, "b@barnet.gov.uk", Role::Admin).await;
        let only_a = db
            .audit_entries(&AuditFilter {
                organisation_id: Some(a.id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!only_a.is_empty());
        assert!(only_a.iter().all(|e| e.organisation_id == Some(a.id)));
        let creates = db
            .audit_entries(&AuditFilter {
                action: Some("create".into()),
                entity: Some("organisation".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(creates.len(), 2);
        let paged = db
            .audit_entries(&AuditFilter {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(paged.len(), 1);
        let next = db
            .audit_entries(&AuditFilter {
                limit: 1,
                before_id: Some(paged[0].id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(next[0].id < paged[0].id);
        let today = &paged[0].at[..10];
        let dated = db
            .audit_entries(&AuditFilter {
                from: Some(today.into()),
                to: Some(today.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(dated.len() as i64, db.audit_count(None).await.unwrap());
        let none = db
            .audit_entries(&AuditFilter {
                to: Some("2000-01-01".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(db.users(a.id).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn sessions_expire_and_end() {
    use uplift_store::sessions::SessionPolicy;
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let u = user(&db, o.id, "a@camden.gov.uk", Role::Adviser).await;
        let policy = SessionPolicy::default();
        let s = db.start_session(&u, policy, None).await.unwrap();
        let live = db
            .session(&s.cookie_value, policy)
            .await
            .unwrap()
            .expect("live session");
        assert_eq!(live.user.id, u.id);
        assert_eq!(live.csrf_token, s.csrf_token);
        assert!(db.session("not-a-session", policy).await.unwrap().is_none());
        // Absolute expiry in the past: gone.
        let expired = SessionPolicy {
            absolute: jiff::SignedDuration::from_secs(-1),
            ..policy
        };
        let s2 = db.start_session(&u, expired, None).await.unwrap();
        assert!(db
            .session(&s2.cookie_value, policy)
            .await
            .unwrap()
            .is_none());
        // Idle expiry: a zero idle window ends it.
        let idle = SessionPolicy {
            idle: jiff::SignedDuration::from_secs(-1),
            ..policy
        };
        assert!(db.session(&s.cookie_value, idle).await.unwrap().is_none());
        let s3 = db.start_session(&u, policy, None).await.unwrap();
        let live = db.session(&s3.cookie_value, policy).await.unwrap().unwrap();
        db.end_session(&live, None).await.unwrap();
        assert!(db
            .session(&s3.cookie_value, policy)
            .await
            .unwrap()
            .is_none());
        // A deactivated user's sessions end.
        let s4 = db.start_session(&u, policy, None).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        users::set_active(&mut tx, &Actor::cli(), &u, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(db
            .session(&s4.cookie_value, policy)
            .await
            .unwrap()
            .is_none());
        let ins = db
            .audit_entries(&AuditFilter {
                action: Some("sign_in".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(ins.len(), 4);
    }
}

#[tokio::test]
async fn tokens_are_hashed_scoped_and_revocable() {
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let u = user(&db, o.id, "a@camden.gov.uk", Role::Adviser).await;
        let mut tx = db.begin().await.unwrap();
        let (t, plain) = tokens::create(&mut tx, &Actor::cli(), &u, "nightly export", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(tokens::well_formed(&plain));
        assert!(plain.starts_with(&t.prefix));
        assert_eq!(
            db.token_user(&plain).await.unwrap().map(|u| u.id),
            Some(u.id)
        );
        assert!(db.token_user("upl_nonsense").await.unwrap().is_none());
        let mut wrong = plain.clone();
        wrong.pop();
        wrong.push('0');
        if wrong != plain {
            assert!(db.token_user(&wrong).await.unwrap().is_none());
        }
        let dump = db
            .execute_raw_text("SELECT token_hash FROM api_tokens")
            .await
            .unwrap();
        assert!(!dump.contains(&plain), "tokens are stored hashed");
        assert!(db.tokens(u.id).await.unwrap()[0].last_used_at.is_some());
        let mut tx = db.begin().await.unwrap();
        tokens::revoke(&mut tx, &Actor::cli(), &u, t.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(db.token_user(&plain).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn tokens_end_with_a_password_reset_a_disabled_user_and_their_expiry() {
    use uplift_domain::identity::TokenLifetime;
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let u = user(&db, o.id, "a@camden.gov.uk", Role::Adviser).await;
        let other = user(&db, o.id, "b@camden.gov.uk", Role::Adviser).await;
        let mint = |who: users::User, days: Option<i64>| {
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let lifetime = days.map(|d| TokenLifetime::from_days(d).unwrap());
                let (t, plain) = tokens::create(&mut tx, &Actor::cli(), &who, "export", lifetime)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                (t, plain)
            }
        };
        // An expiry is stored as a time 30 days on, and the token works until then.
        let (t, plain) = mint(u.clone(), Some(30)).await;
        let expires = t.expires_at.clone().unwrap();
        let in_30_days = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(30 * 24))
            .unwrap();
        let stored: jiff::Timestamp = expires.parse().unwrap();
        assert!(
            (stored.as_second() - in_30_days.as_second()).abs() < 60,
            "{expires}"
        );
        assert!(t.is_live());
        assert_eq!(
            db.token_user(&plain).await.unwrap().map(|u| u.id),
            Some(u.id)
        );
        // Past its expiry it is refused like a revoked one.
        exec(
            &db,
            &format!(
                "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = {}",
                t.id
            ),
        )
        .await
        .unwrap();
        assert!(db.token_user(&plain).await.unwrap().is_none());
        assert!(!db.tokens(u.id).await.unwrap()[0].is_live());
        // A password reset revokes every token of the user (not others'), audited.
        let (_, a) = mint(u.clone(), None).await;
        let (_, b) = mint(u.clone(), Some(366)).await;
        let (_, theirs) = mint(other.clone(), None).await;
        let mut tx = db.begin().await.unwrap();
        users::set_password(&mut tx, &Actor::cli(), &u, "$argon2id$new")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for p in [&a, &b] {
            assert!(db.token_user(p).await.unwrap().is_none());
        }
        assert!(db.token_user(&theirs).await.unwrap().is_some());
        let revoked = db
            .audit_entries(&AuditFilter {
                entity: Some("api_token".into()),
                action: Some("update".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            revoked.len(),
            3,
            "the expired one too: every token not yet revoked"
        );
        // Disabling a user revokes their tokens; enabling them does not bring them back.
        let (_, c) = mint(other.clone(), None).await;
        let mut tx = db.begin().await.unwrap();
        let off = users::set_active(&mut tx, &Actor::cli(), &other, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(db.token_user(&c).await.unwrap().is_none());
        let mut tx = db.begin().await.unwrap();
        users::set_active(&mut tx, &Actor::cli(), &off, true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for p in [&c, &theirs] {
            assert!(db.token_user(p).await.unwrap().is_none(), "still revoked");
        }
        assert!(db
            .tokens(other.id)
            .await
            .unwrap()
            .iter()
            .all(|t| t.revoked_at.is_some()));
    }
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_for_a_while() {
    use uplift_store::throttle::ThrottlePolicy;
    for (db, _g) in each_backend().await {
        let p = ThrottlePolicy::default();
        for _ in 0..4 {
            db.record_sign_in_attempt("x@camden.gov.uk", "127.0.0.1", false)
                .await
                .unwrap();
        }
        assert!(!db
            .sign_in_locked("x@camden.gov.uk", "127.0.0.2", p)
            .await
            .unwrap());
        db.record_sign_in_attempt("X@camden.gov.uk", "127.0.0.1", false)
            .await
            .unwrap();
        assert!(db
            .sign_in_locked("x@camden.gov.uk", "127.0.0.2", p)
            .await
            .unwrap());
        assert!(!db
            .sign_in_locked("y@camden.gov.uk", "127.0.0.2", p)
            .await
            .unwrap());
        // The account alone, whatever the client.
        assert!(db.account_locked("X@camden.gov.uk", p).await.unwrap());
        assert!(!db.account_locked("y@camden.gov.uk", p).await.unwrap());
        let short = ThrottlePolicy {
            window: jiff::SignedDuration::from_secs(-1),
            ..p
        };
        assert!(!db.account_locked("x@camden.gov.uk", short).await.unwrap());
        assert!(!db
            .sign_in_locked("x@camden.gov.uk", "127.0.0.2", short)
            .await
            .unwrap());
    }
}

#[tokio::test]
async fn a_failed_transaction_leaves_nothing_behind() {
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let before = db.audit_count(None).await.unwrap();
        {
            let mut tx = db.begin().await.unwrap();
            let email = Email::parse("half@camden.gov.uk").unwrap();
            users::create(
                &mut tx,
                &Actor::cli(),
                &NewUser {
                    organisation_id: o.id,
                    email: &email,
                    name: "Half",
                    role: Role::Adviser,
                    school_urn: None,
                    password_hash: "x",
                },
            )
            .await
            .unwrap();
            // dropped without commit
        }
        assert_eq!(db.audit_count(None).await.unwrap(), before);
        assert!(db.users(o.id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    for (db, _g) in each_backend().await {
        let o = org(&db, "camden").await;
        let mut handles = Vec::new();
        for i in 0..16 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let email = Email::parse(&format!("adviser{i}@camden.gov.uk")).unwrap();
                users::create(
                    &mut tx,
                    &Actor::cli(),
                    &NewUser {
                        organisation_id: o.id,
                        email: &email,
                        name: "Adviser",
                        role: Role::Adviser,
                        school_urn: None,
                        password_hash: "x",
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(db.user_count(o.id).await.unwrap(), 16);
    }
}
