//! The school register's pages and API on the real Camden extract: search,
//! filters, sort, CSV, the profile (real data and generated records marked),
//! the intelligence form, and a school user kept to their own school.

mod common;

use std::path::PathBuf;

use axum::http::{header, Method, StatusCode};
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_ingest::Kind;
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::register::{self, ImportOptions};

/// The Camden extract, in import order (register first).
const CAMDEN: &[(Kind, &str)] = &[
    (Kind::Gias, "edubaseallstatefunded_2026_EXCERPT.csv"),
    (Kind::GiasLinks, "links_edubasealldata20250422.csv"),
    (Kind::GiasGroups, "allgroupsdata_2022_processed.csv"),
    (
        Kind::GiasGroupLinks,
        "alllinksdata_grouplinks_2022_processed.csv",
    ),
    (Kind::Spc, "spc_school_level_underlying_data_202223.csv"),
    (
        Kind::Ofsted,
        "ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv",
    ),
    (Kind::Ks2, "england_ks2final_primary_relevant_columns.csv"),
    (Kind::Ks4, "england_ks4provisional.csv"),
    (Kind::Census, "england_census.csv"),
    (Kind::Absence, "england_abs.csv"),
];

/// A test app with the Camden extract imported and the demo's generated
/// inspections added (as `uplift serve --demo` does).
async fn camden() -> TestApp {
    let app = TestApp::new().await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/camden");
    let actor = Actor::system("test");
    let opts = ImportOptions {
        actor: actor.clone(),
        ..ImportOptions::default()
    };
    for (kind, name) in CAMDEN {
        app.db
            .import_file(*kind, &dir.join(name), &opts)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let mut tx = app.db.begin().await.unwrap();
    register::add_authority_to_estate(&mut tx, &actor, app.org_id, "202")
        .await
        .unwrap();
    register::add_generated_inspections(&mut tx, &actor, "202")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app
}

fn pos(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

/// The URNs the list links to, in order.
fn urns_on(body: &str) -> Vec<i64> {
    body.split("href=\"/schools/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test]
async fn search_filter_and_sort_the_list() {
    let app = camden().await;
    let (cookie, _) = app.session(Role::Adviser).await;
    let c = Some(cookie.as_str());

    // The extract's register, plus the Camden schools the census file adds.
    let n: i64 = app
        .db
        .execute_raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM schools")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(n > 36 && n < 50 + 1 + 100, "{n}");
    let all = app.get("/schools", c).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all
        .body
        .contains("<h1 class=\"govuk-heading-l\">Schools</h1>"));
    assert!(all.body.contains(&format!("{n} schools<")), "{}", all.body);
    if n > 50 {
        // Fifty a page, with pagination.
        assert!(all.body.contains(&format!("Showing 1 to 50 of {n}")));
        assert!(all.body.contains("href=\"/schools?page=2\""));
        let p2 = app.get("/schools?page=2", c).await;
        assert!(p2.body.contains(&format!("Showing 51 to {n} of {n}")));
        assert!(p2.body.contains("aria-current=\"page\""));
    }
    assert!(all
        .body
        .contains("href=\"/schools/100008\">Argyle Primary School</a>"));
    assert!(all.body.contains("href=\"/schools.csv\""));
    // Sorted by name, ascending, by default; the heading says so.
    assert!(pos(&all.body, "Argyle Primary School") < pos(&all.body, "Brecknock Primary School"));
    assert!(all.body.contains("aria-sort=\"ascending\""));
    // The selects offer the register's values.
    assert!(all.body.contains("<option value=\"202\""));
    assert!(all
        .body
        .contains("<option value=\"Voluntary aided school\""));
    // Schools is in the navigation.
    assert!(all.body.contains("href=\"/schools\" aria-current=\"page\""));

    // By name (case-insensitive part) and by URN.
    let by_name = app.get("/schools?q=argyle", c).await;
    assert!(by_name.body.contains("1 school<"), "{}", by_name.body);
    assert!(by_name.body.contains("Argyle Primary School"));
    assert!(!by_name.body.contains("Fleet Primary School"));
    let by_urn = app.get("/schools?q=100008", c).await;
    assert!(by_urn.body.contains("Argyle Primary School"));
    assert!(!by_urn.body.contains("Thomas Coram Centre"));
    // The CSV link carries the filters.
    assert!(by_urn.body.contains("href=\"/schools.csv?q=100008\""));

    // Filters.
    let nursery = app.get("/schools?phase=Nursery", c).await;
    assert!(nursery.body.contains("Thomas Coram Centre"));
    assert!(!nursery.body.contains("Argyle Primary School"));
    let va = app
        .get("/schools?type=Voluntary+aided+school&la=202&status=Open", c)
        .await;
    assert!(va.body.contains("Rosary Catholic Primary School"));
    assert!(!va.body.contains("Argyle Primary School"));
    let none = app.get("/schools?trust=No+Such+Trust", c).await;
    assert!(none.body.contains("No schools match"));

    // Sort by URN, descending.
    let desc = app.get("/schools?sort=urn&order=desc", c).await;
    let urns = urns_on(&desc.body);
    assert!(
        urns.len() > 20 && urns.windows(2).all(|w| w[0] > w[1]),
        "{urns:?}"
    );
    assert!(desc.body.contains("aria-sort=\"descending\""));
    // Following the sorted heading again sorts ascending.
    assert!(desc.body.contains("href=\"/schools?sort=urn\""));
    let pupils = app.get("/schools?sort=pupils", c).await;
    assert_eq!(pupils.status, StatusCode::OK);
    // A nonsense sort or page is ignored, not an error.
    let odd = app.get("/schools?sort=evil&page=-3", c).await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.body.contains(&format!("{n} schools<")));

    // The API: filters, sort, limit and offset.
    let t = &app.user(Role::Adviser).token;
    let page = app
        .api(
            Method::GET,
            "/api/v1/schools?la=202&phase=Primary&limit=10&offset=10&sort=urn",
            Some(t),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let j = page.json();
    let total = j["total"].as_i64().unwrap();
    assert!(total > 20, "{j}");
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert!(items.iter().all(|i| i["phase"] == "Primary"));
    let urns: Vec<i64> = items.iter().map(|i| i["urn"].as_i64().unwrap()).collect();
    assert!(urns.windows(2).all(|w| w[0] < w[1]), "{urns:?}");
    let q = app
        .api(Method::GET, "/api/v1/schools?q=gospel", Some(t))
        .await
        .json();
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["name"], "Gospel Oak Primary School");
    let bad = app
        .api(Method::GET, "/api/v1/schools?limit=lots", Some(t))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn csv_download_has_every_matching_row_quoted() {
    let app = camden().await;
    let (cookie, _) = app.session(Role::Lead).await;
    let r = app
        .get("/schools.csv?type=Voluntary+aided+school", Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_TYPE].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        cd.starts_with("attachment;") && cd.contains("schools.csv"),
        "{cd}"
    );
    let lines: Vec<&str> = r.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("URN,Name,LA code,Local authority,Phase,Type,Status"));
    assert!(
        r.body
            .contains("100028,\"Christ Church Primary School, Hampstead\",202,Camden,Primary,Voluntary aided school,Open"),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains(",St Mary's Kilburn Church of England Primary School,"));
    assert!(!r.body.contains("Argyle"));
    // Every voluntary aided school, one line each.
    let api = app
        .api(
            Method::GET,
            "/api/v1/schools?type=Voluntary%20aided%20school",
            Some(&app.user(Role::Lead).token),
        )
        .await
        .json();
    assert_eq!(lines.len() as i64 - 1, api["total"].as_i64().unwrap());
}

#[tokio::test]
async fn profile_shows_real_camden_data_and_marks_generated_records() {
    let app = camden().await;
    let (cookie, _) = app.session(Role::Adviser).await;
    let c = Some(cookie.as_str());

    // Gospel Oak: a real report card and a real ungraded inspection.
    let p = app.get("/schools/100025", c).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body.matches("<h1").count(), 1);
    assert!(p.body.contains("Gospel Oak Primary School</h1>"));
    assert!(p.body.contains("Camden (202)"));
    assert!(p.body.contains("Community school"));
    assert!(p.body.contains("Report card"));
    for grade in [
        "Exceptional",
        "Strong standard",
        "Expected standard",
        "Needs attention",
        "Urgent improvement",
    ] {
        assert!(p.body.contains(&format!(">{grade}</th>")), "{grade} column");
    }
    assert!(p.body.contains("Inclusion</th>"));
    assert!(p.body.contains("Safeguarding</th>"));
    assert!(p.body.contains("School remains Outstanding"));
    assert!(p.body.contains("Headteacher"));
    // Performance with plain names beside the published codes.
    assert!(p.body.contains("Overall absence (%) (PERCTOT)"));
    assert!(p.body.contains("Quartile in authority"));
    assert!(
        !p.body.contains("Generated (demo data)"),
        "real records are not marked"
    );
    // Intelligence for an adviser, with the form.
    assert!(p.body.contains("id=\"intelligence\""));
    assert!(p.body.contains("action=\"/schools/100025/intelligence\""));
    assert!(p.body.contains("History of changes"));

    // Argyle: a real graded inspection (2, October 2022), not marked.
    let a = app.get(&format!("/schools/{OTHER_SCHOOL}"), c).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Argyle Primary School</h1>"));
    assert!(a.body.contains("2 Good"));
    assert!(a.body.contains("4 October 2022"));
    assert!(!a.body.contains("Generated (demo data)"));

    // Fitzjohn's: no inspection in the extract, so the demo generated one.
    let g = app.get("/schools/100026", c).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("Fitzjohn&#x27;s Primary School</h1>"),
        "escaped apostrophe"
    );
    assert!(g.body.contains("Generated (demo data)"));
    assert!(g
        .body
        .contains("Graded inspections (1 Outstanding to 4 Inadequate)"));
    let api = app
        .api(
            Method::GET,
            "/api/v1/schools/100026",
            Some(&app.user(Role::Adviser).token),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let j = api.json();
    assert_eq!(j["school"]["name"], "Fitzjohn's Primary School");
    assert_eq!(j["inspections"]["graded"][0]["generated"], true);
    assert!(j["inspections"]["report_cards"].is_array());
    assert!(j["performance"].is_array());
    assert!(
        j["intelligence"].is_array(),
        "an adviser reads intelligence"
    );
    let gospel = app
        .api(
            Method::GET,
            "/api/v1/schools/100025",
            Some(&app.user(Role::Adviser).token),
        )
        .await
        .json();
    assert_eq!(
        gospel["inspections"]["report_cards"][0]["inclusion"],
        "Strong standard"
    );
    assert_eq!(gospel["inspections"]["report_cards"][0]["generated"], false);

    // Not in the register; not a URN.
    assert_eq!(
        app.get("/schools/999999", c).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/schools/abc", c).await.status,
        StatusCode::NOT_FOUND
    );

    // Panel reads intelligence but cannot add; traded sees no intelligence.
    let (panel, _) = app.session(Role::Panel).await;
    let pp = app.get("/schools/100025", Some(&panel)).await;
    assert!(pp.body.contains("id=\"intelligence\""));
    assert!(!pp.body.contains("/intelligence\""));
    let (traded, _) = app.session(Role::Traded).await;
    let tp = app.get("/schools/100025", Some(&traded)).await;
    assert_eq!(tp.status, StatusCode::OK);
    assert!(!tp.body.contains("id=\"intelligence\""));
    let tj = app
        .api(
            Method::GET,
            "/api/v1/schools/100025",
            Some(&app.user(Role::Traded).token),
        )
        .await
        .json();
    assert!(tj.get("intelligence").is_none(), "{tj}");
}

#[tokio::test]
async fn intelligence_form_validates_then_adds_an_audited_item() {
    let app = camden().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let c = Some(cookie.as_str());
    let path = format!("/schools/{OTHER_SCHOOL}/intelligence");

    let empty = app.post_form(&path, c, &[("csrf_token", &csrf)]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("<title>Error: Argyle Primary School"));
    assert!(empty.body.contains("There is a problem"));
    for (field, text) in [
        ("kind", "Select the kind of intelligence"),
        ("occurred-day", "Enter the date it happened"),
        ("source", "Enter the source"),
        ("summary", "Enter a summary of the intelligence"),
    ] {
        assert!(
            empty.body.contains(&format!("href=\"#{field}\"")),
            "{field}"
        );
        assert!(empty.body.contains(text), "{text}");
    }
    assert!(empty.body.contains("govuk-form-group--error"));

    let bad_date = app
        .post_form(
            &path,
            c,
            &[
                ("csrf_token", &csrf),
                ("kind", "finance"),
                ("occurred-day", "31"),
                ("occurred-month", "2"),
                ("occurred-year", "2026"),
                ("source", "Phone call with the business manager"),
                ("summary", "Deficit budget forecast"),
            ],
        )
        .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(bad_date.body.contains("The date must be a real date"));
    // What was typed is kept.
    assert!(bad_date
        .body
        .contains("value=\"Phone call with the business manager\""));
    assert!(bad_date
        .body
        .contains(">Deficit budget forecast</textarea>"));

    let ok = app
        .post_form(
            &path,
            c,
            &[
                ("csrf_token", &csrf),
                ("kind", "finance"),
                ("occurred-day", "3"),
                ("occurred-month", "11"),
                ("occurred-year", "2026"),
                ("source", "Phone call with the business manager"),
                ("summary", "Deficit budget forecast for 2027-28"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        ok.location(),
        format!("/schools/{OTHER_SCHOOL}?added=1#intelligence")
    );
    let page = app
        .get(&format!("/schools/{OTHER_SCHOOL}?added=1"), c)
        .await;
    assert!(page.body.contains("The intelligence has been added."));
    assert!(page.body.contains("Deficit budget forecast for 2027-28"));
    assert!(page.body.contains("3 November 2026"));
    assert!(page.body.contains("Finance"));
    assert!(page.body.contains("Test adviser"), "the author's name");

    let audit = app
        .db
        .audit_entries(&AuditFilter {
            entity: Some("intelligence".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "adviser@camden.example");
    assert!(audit[0]
        .after_json
        .as_deref()
        .unwrap()
        .contains("Deficit budget forecast"));

    // Without the CSRF token nothing is added.
    let forged = app
        .post_form(&path, c, &[("kind", "finance"), ("summary", "x")])
        .await;
    assert!(forged.status.is_client_error(), "{}", forged.status);
    let after = app
        .db
        .audit_entries(&AuditFilter {
            entity: Some("intelligence".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
}

#[tokio::test]
async fn a_school_user_sees_only_their_own_school() {
    let app = camden().await;
    let (cookie, csrf) = app.session(Role::School).await;
    let c = Some(cookie.as_str());
    let token = app.user(Role::School).token.clone();

    let list = app.get("/schools", c).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("1 school<"));
    assert!(list.body.contains("Thomas Coram Centre"));
    assert!(!list.body.contains("Argyle Primary School"));
    let search = app.get("/schools?q=argyle", c).await;
    assert!(search.body.contains("No schools match"));

    let own = app.get(&format!("/schools/{OWN_SCHOOL}"), c).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Thomas Coram Centre</h1>"));
    assert!(!own.body.contains("id=\"intelligence\""), "no intelligence");
    assert!(!own.body.contains("Add intelligence"));

    let other = app.get(&format!("/schools/{OTHER_SCHOOL}"), c).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Argyle"));
    let post = app
        .post_form(
            &format!("/schools/{OTHER_SCHOOL}/intelligence"),
            c,
            &[("csrf_token", &csrf), ("kind", "finance")],
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);

    let csv = app.get("/schools.csv", c).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[1].starts_with("100005,Thomas Coram Centre,"));
    let csv_other = app.get("/schools.csv?q=100008", c).await;
    assert_eq!(
        csv_other
            .body
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .count(),
        1
    );

    let api = app
        .api(Method::GET, "/api/v1/schools", Some(&token))
        .await
        .json();
    assert_eq!(api["total"], 1);
    assert_eq!(api["items"][0]["urn"], OWN_SCHOOL);
    let api_la = app
        .api(Method::GET, "/api/v1/schools?la=202&offset=1", Some(&token))
        .await
        .json();
    assert_eq!(api_la["items"].as_array().unwrap().len(), 0);
    let api_other = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OTHER_SCHOOL}"),
            Some(&token),
        )
        .await;
    assert_eq!(api_other.status, StatusCode::NOT_FOUND);
    assert!(!api_other.body.contains("Argyle"));
    let api_own = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OWN_SCHOOL}"),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(api_own["school"]["name"], "Thomas Coram Centre");
    assert!(api_own.get("intelligence").is_none());
}

#[tokio::test]
async fn the_openapi_document_describes_the_school_endpoints() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/schools"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/schools/{urn}"]["get"].is_object());
    for schema in [
        "SchoolList",
        "SchoolItem",
        "SchoolDetail",
        "ReportCardItem",
        "GradedInspectionItem",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
