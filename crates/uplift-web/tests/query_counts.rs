//! Pages issue a fixed number of queries whatever the size of the estate: the
//! school profile (page and API), the causing-concern list and a meeting's
//! live agenda are measured with a small estate, then again after more
//! schools, cases, plans, SPB protocols, links, inspections, measures,
//! intelligence and "not a priority" decisions are added; the counts must be
//! equal. No page view categorises the estate when nothing changed.

mod common;

use axum::http::Method;
use common::meetings_fixture::{self, in_estate, lead, open_case, plan};
use common::{TestApp, OWN_SCHOOL};
use jiff::civil::date;
use uplift_domain::access::Role;
use uplift_domain::concern::{CaseFacts, DecisionKind};
use uplift_store::concern::{self, NewDecision};
use uplift_store::register::{self, NewIntelligence};
use uplift_store::spb::{self, SpbStart};

/// An invented school of the estate (URNs 990001 and up are not real).
async fn add_school(app: &TestApp, urn: i64) {
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, created_at, updated_at)
             VALUES ({urn}, '202', 'Invented School {urn}', 'Primary', 'Community school', 'maintained', 'Open', '{t}', '{t}')"
        ))
        .await
        .unwrap();
    in_estate(app, urn).await;
}

/// Register records about a school: an inspection, measures with their
/// comparators, and a link with the school the page is about.
async fn add_records(app: &TestApp, urn: i64, n: i64) {
    let t = uplift_store::now();
    let sql = [
        format!(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                 leadership_and_management, safeguarding_effective, source_file, imported_at)
             VALUES ({urn}, 'I{n}', 'S5 Inspection', '20{:02}-03-01', '20{:02}-04-01', {g}, {g}, {g}, {g}, {g}, TRUE,
                 'invented-test.csv', '{t}')",
            10 + n,
            10 + n,
            g = 1 + n % 4
        ),
        format!(
            "INSERT INTO performance_measures (dataset, layout, level, level_code, area, urn, la_code, time_period,
                 measure, value_num, value_kind, quartile, source_file, imported_at)
             VALUES ('ks2', 'test', 'school', 'school', 'school:{urn}', {urn}, '202', '20{0:02}{1:02}', 'PTRWM_EXP',
                 {2}, 'percent', 2, 'invented-test.csv', '{t}')",
            10 + n,
            11 + n,
            50 + n
        ),
        format!(
            "INSERT INTO performance_measures (dataset, layout, level, level_code, area, urn, la_code, time_period,
                 measure, value_num, value_kind, source_file, imported_at)
             VALUES ('ks2', 'test', 'authority', '202', 'la:202', NULL, '202', '20{0:02}{1:02}', 'PTRWM_EXP',
                 60, 'percent', 'invented-test.csv', '{t}'),
                    ('ks2', 'test', 'national', 'NAT', 'national:NAT', NULL, NULL, '20{0:02}{1:02}', 'PTRWM_EXP',
                 61, 'percent', 'invented-test.csv', '{t}')
             ON CONFLICT DO NOTHING",
            10 + n,
            11 + n
        ),
    ];
    for s in sql {
        app.db.execute_raw(&s).await.unwrap();
    }
    if urn != OWN_SCHOOL {
        app.db
            .execute_raw(&format!(
                "INSERT INTO establishment_links (urn, linked_urn, linked_name, link_type, established, source_file, imported_at)
                 VALUES ({OWN_SCHOOL}, {urn}, NULL, 'Successor', '2020-09-01', 'invented-test.csv', '{t}')"
            ))
            .await
            .unwrap();
    }
}

async fn add_intelligence(app: &TestApp, urn: i64, n: i64) {
    let lead_user = app.user(Role::Lead).id;
    let mut tx = app.db.begin().await.unwrap();
    register::add_intelligence(
        &mut tx,
        &lead(app),
        &NewIntelligence {
            organisation_id: app.org_id,
            urn,
            kind: "staff_vacancies",
            summary: &format!("Invented item {n}"),
            source: "A phone call",
            occurred_on: "2026-06-01",
            author_user_id: Some(lead_user),
            generated: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn not_a_priority(app: &TestApp, urn: i64) {
    let mut tx = app.db.begin().await.unwrap();
    concern::record_decision(
        &mut tx,
        &lead(app),
        &NewDecision {
            organisation_id: app.org_id,
            urn,
            decision: uplift_domain::concern::Decision::new(
                DecisionKind::NotAPriority,
                jiff::Zoned::now().date(),
                "Invented rationale for the test",
                vec![],
            )
            .expect("a valid decision"),
            meeting_id: None,
            meeting_name: None,
            category: None,
            signatory_name: "Lead".into(),
            signatory_role: "Lead".into(),
        },
        &CaseFacts::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A case with a plan and an SPB protocol.
async fn add_case(app: &TestApp, urn: i64) {
    let case_id = open_case(app, urn).await;
    plan(app, case_id, &format!("Invented priority for {urn}")).await;
    let mut tx = app.db.begin().await.unwrap();
    spb::start(
        &mut tx,
        &lead(app),
        app.org_id,
        case_id,
        &SpbStart::Requested {
            by: "Priority Partner".into(),
        },
        date(2026, 11, 18),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The queries each page issues, after a first view (which may place the
/// estate, since the test changed it); asserts that the measured views
/// categorised nothing.
async fn counts(app: &TestApp, cookie: &str, meeting: i64) -> Vec<(&'static str, u64)> {
    let token = app.user(Role::Lead).token.clone();
    let pages = [
        ("profile", format!("/schools/{OWN_SCHOOL}")),
        ("profile API", format!("/api/v1/schools/{OWN_SCHOOL}")),
        ("causing-concern list", "/concern".to_string()),
        ("meeting and live agenda", format!("/meetings/{meeting}")),
    ];
    let mut out = Vec::new();
    for (name, path) in pages {
        let get = || async {
            let r = if path.starts_with("/api/") {
                app.api(Method::GET, &path, Some(&token)).await
            } else {
                app.get(&path, Some(cookie)).await
            };
            assert_eq!(r.status, 200, "{path}: {}", r.body);
        };
        get().await;
        let placed = app.db.categorisation_count();
        let before = app.db.query_count();
        get().await;
        out.push((name, app.db.query_count() - before));
        get().await;
        assert_eq!(
            app.db.categorisation_count(),
            placed,
            "{name}: a view with nothing changed categorises nothing"
        );
    }
    out
}

#[tokio::test]
async fn pages_issue_the_same_number_of_queries_for_a_small_and_a_larger_estate() {
    let app = TestApp::new().await;
    let fixture = meetings_fixture::seed(&app).await;
    let (cookie, _) = app.session(Role::Lead).await;
    add_records(&app, OWN_SCHOOL, 0).await;
    add_school(&app, 990_001).await;
    add_records(&app, 990_001, 1).await;
    add_case(&app, 990_001).await;
    add_intelligence(&app, OWN_SCHOOL, 0).await;
    add_school(&app, 990_002).await;
    not_a_priority(&app, 990_002).await;
    let small = counts(&app, &cookie, fixture.meeting_id).await;

    for i in 3..12 {
        let urn = 990_000 + i;
        add_school(&app, urn).await;
        add_records(&app, urn, i).await;
        add_records(&app, OWN_SCHOOL, i).await;
        add_intelligence(&app, OWN_SCHOOL, i).await;
        if i % 2 == 0 {
            add_case(&app, urn).await;
        } else {
            not_a_priority(&app, urn).await;
        }
        plan(
            &app,
            fixture.case_id,
            &format!("Another invented priority {i}"),
        )
        .await;
    }
    let larger = counts(&app, &cookie, fixture.meeting_id).await;
    eprintln!("queries per view, small estate: {small:?}; larger: {larger:?}");
    assert_eq!(small, larger, "queries per page view (small, larger)");
}
