//! A council with invented schools and users, on either backend.
#![allow(dead_code)]

use std::sync::Arc;

use jiff::civil::date;
use uplift_app::{App, Caller, FixedClock};
use uplift_domain::access::{Principal, Role};
use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::Db;

/// Invented schools (URNs outside the real range).
pub const RI: i64 = 910001;
pub const GOOD: i64 = 910002;
pub const ELSEWHERE: i64 = 910009;

pub struct Setup {
    pub app: App,
    pub lead: Caller,
    pub panel: Caller,
}

async fn org(db: &Db, slug: &str, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug,
            name,
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    o.id
}

fn caller(org: i64, user_id: i64, role: Role, name: &str, email: &str) -> Caller {
    Caller {
        principal: Principal {
            user_id,
            organisation_id: org,
            role,
            school_urn: None,
        },
        actor: Actor {
            user_id: Some(user_id),
            label: email.into(),
            organisation_id: Some(org),
            request_id: None,
        },
        name: name.into(),
    }
}

pub async fn setup(db: &Db) -> Setup {
    let camden = org(db, "camden", "Invented Council").await;
    let other = org(db, "other", "Another Invented Council").await;
    let t = uplift_store::now();
    for (urn, name, owner) in [
        (RI, "Invented Requires Improvement School", camden),
        (GOOD, "Invented Good School", camden),
        (ELSEWHERE, "Invented School Elsewhere", other),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, head_first_name,
                 head_last_name, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', 'Primary', 'Community school', 'maintained', 'Open', 'Ada',
                 'Head', '{t}', '{t}')"
        ))
        .await
        .unwrap();
        db.execute_raw(&format!(
            "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({owner}, {urn}, '{t}')"
        ))
        .await
        .unwrap();
    }
    // RI at its latest inspection (2025); RI in 2023, then Good in October 2025.
    for (urn, key, start, grade) in [
        (RI, "G1", "2025-03-04", 3),
        (GOOD, "G2", "2023-03-04", 3),
        (GOOD, "G3", "2025-10-01", 2),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                 leadership_and_management, safeguarding_effective, source_file, imported_at)
             VALUES ({urn}, '{key}', 'S5', '{start}', '{start}', {grade}, {grade}, {grade}, {grade}, {grade},
                 TRUE, 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
    }
    let mut ids = Vec::new();
    for (email, name, role) in [
        ("lead@example.invalid", "Lena Lead", "lead"),
        ("panel@example.invalid", "Pat Panel", "panel"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO users (organisation_id, email, name, role, password_hash, active, created_at, updated_at)
             VALUES ({camden}, '{email}', '{name}', '{role}', 'x', TRUE, '{t}', '{t}')"
        ))
        .await
        .unwrap();
        let id: i64 = db
            .execute_raw_text(&format!(
                "SELECT CAST(id AS TEXT) FROM users WHERE email = '{email}'"
            ))
            .await
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        ids.push(id);
    }
    let clock = Arc::new(FixedClock::on(date(2026, 12, 2)));
    Setup {
        app: App::with_clock(db.clone(), clock),
        lead: caller(
            camden,
            ids[0],
            Role::Lead,
            "Lena Lead",
            "lead@example.invalid",
        ),
        panel: caller(
            camden,
            ids[1],
            Role::Panel,
            "Pat Panel",
            "panel@example.invalid",
        ),
    }
}

pub async fn count(db: &Db, table: &str) -> i64 {
    db.execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// A headteacher's sign-in for `urn` in the lead's organisation.
pub async fn school_user(db: &Db, s: &Setup, urn: i64) -> Caller {
    let org = s.lead.organisation_id();
    let email = format!("head{urn}@school.example.invalid");
    let t = uplift_store::now();
    db.execute_raw(&format!(
        "INSERT INTO users (organisation_id, email, name, role, school_urn, password_hash, active, created_at, updated_at)
         VALUES ({org}, '{email}', 'Sam School', 'school', {urn}, 'x', TRUE, '{t}', '{t}')"
    ))
    .await
    .unwrap();
    let id: i64 = db
        .execute_raw_text(&format!(
            "SELECT CAST(id AS TEXT) FROM users WHERE email = '{email}'"
        ))
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut c = caller(org, id, Role::School, "Sam School", &email);
    c.principal.school_urn = Some(urn);
    c
}
