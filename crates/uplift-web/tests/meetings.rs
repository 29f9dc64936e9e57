//! Meetings, action plans and School Performance Boards through the pages
//! and the API: a proposed school designated at a Schools Review Group (the
//! case opens), a plan created, changed and reviewed with every version
//! kept, the papers as a PDF, the SPB protocol's deadlines, refusals naming
//! their fields with nothing saved, and a school user kept to their own
//! school's current plan.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::meetings_fixture::{self, in_estate, open_case, plan};
use common::{Reply, TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_store::audit::AuditFilter;

const OTHER_NAME: &str = "Argyle Primary School";

async fn audited(app: &TestApp, entity: &str) -> usize {
    app.db
        .audit_entries(&AuditFilter {
            organisation_id: Some(app.org_id),
            entity: Some(entity.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn json(
    app: &TestApp,
    method: Method,
    path: &str,
    role: Role,
    body: serde_json::Value,
) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.user(role).token),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

/// The estate with the other school proposed for the list by categorisation
/// (an invented report card with urgent improvement).
async fn with_proposal() -> TestApp {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL).await;
    in_estate(&app, OTHER_SCHOOL).await;
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO inspections_report_card (urn, inspection_key, start_date, publication_date, safeguarding,
                 achievement, leadership_and_governance, curriculum_and_teaching, source_file, imported_at)
             VALUES ({OTHER_SCHOOL}, 'T1', '2026-01-12', '2026-02-20', 'Met', 'Urgent improvement',
                 'Urgent improvement', 'Expected standard', 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
    app
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
        .split(['?', '/', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_proposed_school_is_designated_at_a_schools_review_group_then_planned_and_reviewed() {
    let app = with_proposal().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let c = Some(cookie.as_str());

    // A meeting on Christmas Day is warned about (bank holiday, outside term) and not yet created.
    let form = |date: &'static str, confirm: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("kind", "schools_review_group".to_string()),
            ("date-day", date[8..].trim_start_matches('0').to_string()),
            ("date-month", date[5..7].trim_start_matches('0').to_string()),
            ("date-year", date[..4].to_string()),
            ("confirm", confirm.to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    let post = |path: &'static str, v: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
            app.post_form(path, c, &pairs).await
        }
    };
    let r = post("/meetings", as_refs(&form("2026-12-25", ""))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("2026-12-25 is a bank holiday"),
        "{}",
        r.body
    );
    assert!(r.body.contains("outside term time"));
    assert!(r.body.contains("Keep this date and create the meeting"));
    assert!(app
        .db
        .meetings(app.org_id, &Default::default())
        .await
        .unwrap()
        .is_empty());
    // No kind: refused naming the field.
    let r = post(
        "/meetings",
        vec![
            ("csrf_token", csrf.clone()),
            ("date-day", "8".into()),
            ("date-month", "12".into()),
            ("date-year", "2026".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Select the kind of meeting"));
    let r = post("/meetings", as_refs(&form("2026-12-08", ""))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let meeting = id_after(r.location(), "/meetings/");

    // The agenda builds itself: the other school is proposed by categorisation.
    let page = app.get(&format!("/meetings/{meeting}"), c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Proposals from categorisation"));
    assert!(page
        .body
        .contains(&format!("Record the decision for {OTHER_NAME}")));
    assert!(page.body.contains(&format!("Rationale for {OTHER_NAME}")));

    // A decision without rationale is refused; nothing recorded.
    let urn = OTHER_SCHOOL.to_string();
    let kind_field = format!("kind-{OTHER_SCHOOL}");
    let rationale_field = format!("rationale-{OTHER_SCHOOL}");
    let decide = |rationale: &str| {
        let pairs = [
            ("csrf_token", csrf.clone()),
            ("urn", urn.clone()),
            (kind_field.as_str(), "designate".to_string()),
            (rationale_field.as_str(), rationale.to_string()),
        ];
        let app = &app;
        let path = format!("/meetings/{meeting}/decisions");
        async move {
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, c, &refs).await
        }
    };
    let r = decide("  ").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Enter the rationale for the decision"));
    assert!(app.db.open_cases(app.org_id).await.unwrap().is_empty());
    let r = decide("Urgent improvement in leadership and achievement; agreed by the group").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cases = app.db.open_cases(app.org_id).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].urn, OTHER_SCHOOL);
    let case_id = cases[0].case_id;
    let decisions = app.db.meeting_decisions(app.org_id, meeting).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].case_id, Some(case_id));
    // The agenda was issued with the decision; the page lists the decision.
    assert!(app.db.meeting_agenda(meeting).await.unwrap().is_some());
    let page = app.get(&format!("/meetings/{meeting}"), c).await;
    assert!(page.body.contains("Designate as causing concern"));

    // Attendees and minutes.
    let r = post(
        Box::leak(format!("/meetings/{meeting}/attendees").into_boxed_str()),
        vec![
            ("csrf_token", csrf.clone()),
            ("attendee_name", "Ada Chair".into()),
            ("attendee_role", "Chair".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(
        Box::leak(format!("/meetings/{meeting}/minutes").into_boxed_str()),
        vec![
            ("csrf_token", csrf.clone()),
            ("item", urn.clone()),
            ("minute", "Designation agreed.".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The papers as one PDF: the agenda, the school's summary, the decision.
    let r = app.get(&format!("/meetings/{meeting}/papers.pdf"), c).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/pdf");

    // An action plan on the new case.
    let plans_page = app.get(&format!("/concern/cases/{case_id}/plan"), c).await;
    assert_eq!(plans_page.status, StatusCode::OK, "{}", plans_page.body);
    assert!(plans_page.body.contains("No action plan yet"));
    assert!(plans_page.body.contains("Create an action plan"));
    let new = app
        .get(&format!("/concern/cases/{case_id}/plan/new"), c)
        .await;
    assert!(new.body.contains("Priority 1 title"));
    assert!(new.body.contains("Action 1 description"));
    assert!(new.body.contains("Add another priority"));
    let base = |extra: Vec<(&'static str, String)>| {
        let mut v = vec![
            ("csrf_token", csrf.clone()),
            ("kind", "action_plan".to_string()),
            ("agreed_on", "2026-11-24".to_string()),
            ("cadence", "half_termly".to_string()),
            ("np", "3".to_string()),
            ("na", "6".to_string()),
            ("p1_title", "Leadership and governance".to_string()),
            (
                "p1_criteria",
                "Governors hold leaders to account".to_string(),
            ),
        ];
        v.extend(extra);
        v
    };
    let plan_path: &'static str =
        Box::leak(format!("/concern/cases/{case_id}/plan").into_boxed_str());
    // "Add another priority" redisplays with a fourth row and saves nothing.
    let r = post(plan_path, base(vec![("add", "priority".into())])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Priority 4 title"));
    assert!(r.body.contains("Governors hold leaders to account"));
    // A priority without actions is refused naming it; nothing saved.
    let r = post(plan_path, base(vec![])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("Priority 1 (Leadership and governance) has no actions"));
    // A bad milestone line is refused naming the action.
    let r = post(
        plan_path,
        base(vec![
            ("a1_priority", "1".into()),
            ("a1_description", "Governance review".into()),
            ("a1_owner", "brokered_partner".into()),
            ("a1_milestones", "soon: done".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Line 1 of the milestones of action 1"));
    assert!(app
        .db
        .case_plans(app.org_id, case_id)
        .await
        .unwrap()
        .is_empty());
    let r = post(
        plan_path,
        base(vec![
            ("a1_priority", "1".into()),
            ("a1_description", "External review of governance".into()),
            ("a1_owner", "brokered_partner".into()),
            ("a1_owner_name", "National Leader of Governance".into()),
            (
                "a1_milestones",
                "2027-01-29: review reported to the full governing board".into(),
            ),
            ("a1_criteria", "Action plan from the review adopted".into()),
            ("a1_evidence", "Minutes of the governing board".into()),
            ("a1_rag", "grey".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan_id = id_after(r.location(), "/plans/");
    let view = app.get(&format!("/plans/{plan_id}"), c).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("External review of governance"));
    assert!(view.body.contains("A brokered partner"));
    assert!(view.body.contains("Review the plan"));

    // The review: a date not after the current version is refused; then recorded.
    let review_form = app.get(&format!("/plans/{plan_id}/review"), c).await;
    assert_eq!(review_form.status, StatusCode::OK);
    assert!(review_form.body.contains("Progress on priority 1"));
    assert!(review_form
        .body
        .contains("Record the review and agree the new version"));
    assert!(review_form.body.contains("External review of governance"));
    let review_path: &'static str = Box::leak(format!("/plans/{plan_id}/review").into_boxed_str());
    let review = |date: &str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("review_date", date.to_string()),
            ("j1_rag", "amber".to_string()),
            (
                "j1_comment",
                "Review commissioned, not yet reported".to_string(),
            ),
            ("progress", "amber".to_string()),
            ("summary", "Governance review under way".to_string()),
            ("attendees", "Headteacher\nLead Officer".to_string()),
            ("cadence", "half_termly".to_string()),
            ("np", "2".to_string()),
            ("na", "2".to_string()),
            ("p1_title", "Leadership and governance".to_string()),
            ("a1_priority", "1".to_string()),
            (
                "a1_description",
                "External review of governance".to_string(),
            ),
            ("a1_owner", "brokered_partner".to_string()),
            ("a1_rag", "amber".to_string()),
        ]
    };
    let r = post(review_path, review("2026-11-24")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("The review must come after the current version"));
    assert_eq!(app.db.plan_versions(plan_id).await.unwrap().len(), 1);
    let r = post(review_path, review("2027-02-10")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let versions = app.db.plan_versions(plan_id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].origin, "reviewed");
    let view = app.get(&format!("/plans/{plan_id}"), c).await;
    assert!(view.body.contains("Governance review under way"));
    assert!(view.body.contains("Review commissioned, not yet reported"));
    // Version 1 is kept and can be viewed.
    let v1 = app.get(&format!("/plans/{plan_id}?version=1"), c).await;
    assert_eq!(v1.status, StatusCode::OK);
    assert!(v1.body.contains("the current version is 2"));
    assert!(v1
        .body
        .contains("2027-01-29: review reported to the full governing board"));

    // Every step on the case timeline and in the audit log.
    let events = app.db.case_events(case_id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"plan_created"), "{kinds:?}");
    assert!(kinds.contains(&"plan_reviewed"), "{kinds:?}");
    assert!(events.iter().any(|e| e.meeting_id == Some(meeting)));
    assert_eq!(audited(&app, "action_plan_version").await, 2);
    assert_eq!(audited(&app, "action_plan_review").await, 1);

    // The API agrees.
    let r = app
        .api(
            Method::GET,
            "/api/v1/meetings?from=2026-12-01",
            Some(&app.user(Role::Lead).token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["meetings"].as_array().unwrap().len(), 1);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/plans/{plan_id}"),
            Some(&app.user(Role::Adviser).token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["versions"].as_array().unwrap().len(), 2);
    assert_eq!(r.json()["reviews"][0]["judgements"][0]["rag"], "amber");
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/meetings/{meeting}/agenda"),
            Some(&app.user(Role::Panel).token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["issued"], true);
}

#[tokio::test]
async fn papers_pdf_holds_the_agenda_the_case_and_the_decisions() {
    let app = with_proposal().await;
    let f = meetings_fixture::seed(&app).await;
    let (cookie, _) = app.session(Role::Panel).await;
    let r = app
        .get(
            &format!("/meetings/{}/papers.pdf", f.meeting_id),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = app
        .get(&format!("/meetings/{}", f.meeting_id), Some(&cookie))
        .await;
    assert!(page.body.contains("Review of the causing-concern list"));
    // Panel members read but do not decide.
    assert!(!page.body.contains("Record the decision for"));
    assert!(page
        .body
        .contains(&format!("{OTHER_NAME} (URN {OTHER_SCHOOL})")));
    // An independent school cannot be on the list, so it is never proposed on an agenda.
    app.db
        .execute_raw(&format!(
            "UPDATE schools SET governance = 'independent' WHERE urn = {OTHER_SCHOOL}"
        ))
        .await
        .unwrap();
    let page = app
        .get(&format!("/meetings/{}", f.meeting_id), Some(&cookie))
        .await;
    assert!(!page.body.contains(OTHER_NAME));
}

#[tokio::test]
async fn the_api_refuses_bad_meetings_and_decisions_naming_the_field() {
    let app = with_proposal().await;
    let r = json(
        &app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "schools_review_group", "date": "2026-12-25"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "date");
    assert!(r.json()["error"].as_str().unwrap().contains("bank holiday"));
    let r = json(
        &app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "school_performance_board", "date": "2026-12-08"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "urn");
    let r = json(&app, Method::POST, "/api/v1/meetings", Role::Lead, serde_json::json!({"kind": "schools_review_group", "date": "2026-12-25", "confirm_warnings": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert!(r.json()["warnings"]
        .as_str()
        .unwrap()
        .contains("bank holiday"));
    let path = format!("/api/v1/meetings/{id}/decisions");
    let r = json(
        &app,
        Method::POST,
        &path,
        Role::Lead,
        serde_json::json!({"urn": OTHER_SCHOOL, "kind": "designate", "rationale": ""}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "rationale");
    let r = json(
        &app,
        Method::POST,
        &path,
        Role::Lead,
        serde_json::json!({"urn": 999999, "kind": "designate", "rationale": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "urn");
    // Removal of a school not on the list: the domain refuses, nothing saved.
    let r = json(
        &app,
        Method::POST,
        &path,
        Role::Lead,
        serde_json::json!({"urn": OTHER_SCHOOL, "kind": "remove", "rationale": "Improved"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(app
        .db
        .meeting_decisions(app.org_id, id)
        .await
        .unwrap()
        .is_empty());
    let r = json(&app, Method::POST, &path, Role::Lead, serde_json::json!({"urn": OTHER_SCHOOL, "kind": "designate", "rationale": "Urgent improvement"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["case_id"].is_i64());
    // Advisers may not decide.
    let r = json(
        &app,
        Method::POST,
        &path,
        Role::Adviser,
        serde_json::json!({"urn": OTHER_SCHOOL, "kind": "continue", "rationale": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A plan with no priorities: refused naming the content.
    let case_id = r_case(&app).await;
    let r = json(&app, Method::POST, &format!("/api/v1/concern/cases/{case_id}/plans"), Role::Adviser,
        serde_json::json!({"kind": "action_plan", "agreed_on": "2026-11-24", "content": {"priorities": [], "review_cadence": "termly"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "content");
    let content = serde_json::to_value(meetings_fixture::content("Reading")).unwrap();
    let r = json(&app, Method::POST, &format!("/api/v1/concern/cases/{case_id}/plans"), Role::Adviser,
        serde_json::json!({"kind": "statement_of_action", "agreed_on": "2026-11-24", "content": content})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let plan_id = r.json()["plan"]["id"].as_i64().unwrap();
    let r = json(
        &app,
        Method::POST,
        &format!("/api/v1/plans/{plan_id}/versions"),
        Role::Adviser,
        serde_json::json!({"agreed_on": "2026-11-25", "note": "", "content": content}),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["field"], "note");
    let r = json(
        &app,
        Method::POST,
        &format!("/api/v1/plans/{plan_id}/versions"),
        Role::Adviser,
        serde_json::json!({"agreed_on": "2026-11-25", "note": "Reworded", "content": content}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["number"], 2);
}

async fn r_case(app: &TestApp) -> i64 {
    app.db
        .open_concern_case(app.org_id, OTHER_SCHOOL)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn the_spb_protocol_shows_its_deadlines_and_refuses_fewer_than_three_dates() {
    let app = with_proposal().await;
    let case_id = open_case(&app, OTHER_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let c = Some(cookie.as_str());
    let page = app.get(&format!("/concern/cases/{case_id}/spb"), c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Start the School Performance Board"));
    let r = app
        .post_form(
            &format!("/concern/cases/{case_id}/spb"),
            c,
            &[
                ("csrf_token", &csrf),
                ("route", "requested"),
                ("requested_by", ""),
                ("requested_on", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("Enter who requested the School Performance Board"));
    let r = app
        .post_form(
            &format!("/concern/cases/{case_id}/spb"),
            c,
            &[
                ("csrf_token", &csrf),
                ("route", "requested"),
                ("requested_by", "Priority Partner"),
                ("requested_on", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let spb = id_after(r.location(), "/spb/");
    let steps = format!("/api/v1/spb/{spb}/steps");
    let ok = |r: &Reply| assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    ok(&json(
        &app,
        Method::POST,
        &steps,
        Role::Adviser,
        serde_json::json!({"step": "approval", "on": "2026-11-03", "agreed": true, "funded": true}),
    )
    .await);
    ok(&json(
        &app,
        Method::POST,
        &steps,
        Role::Adviser,
        serde_json::json!({"step": "chair_nominated", "on": "2026-11-04", "chair": "Grace Chair"}),
    )
    .await);
    let r = json(&app, Method::POST, &steps, Role::Adviser, serde_json::json!({"step": "dates_offered", "on": "2026-11-05", "dates": ["2026-11-24", "2026-11-25"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "dates");
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("at least three"));
    ok(&json(&app, Method::POST, &steps, Role::Adviser, serde_json::json!({"step": "dates_offered", "on": "2026-11-05", "dates": ["2026-11-24", "2026-11-25", "2026-11-26"]})).await);
    // By the page: the headteacher's choice must be one of the dates offered.
    let r = app
        .post_form(
            &format!("/spb/{spb}/steps"),
            c,
            &[
                ("csrf_token", &csrf),
                ("step", "date_chosen"),
                ("on", "2026-11-06"),
                ("chosen", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("is not one of the dates offered"));
    let r = app
        .post_form(
            &format!("/spb/{spb}/steps"),
            c,
            &[
                ("csrf_token", &csrf),
                ("step", "date_chosen"),
                ("on", "2026-11-06"),
                ("chosen", "2026-11-24"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The chair's introduction was due five working days before 24 November (17 November).
    let page = app.get(&format!("/spb/{spb}"), c).await;
    assert!(page.body.contains("17 November 2026"), "{}", page.body);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/spb/{spb}"),
            Some(&app.user(Role::Panel).token),
        )
        .await;
    ok(&r);
    let intro = r.json()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "chair_introduced")
        .cloned()
        .unwrap();
    assert_eq!(intro["due"], "2026-11-17");
    assert_eq!(
        app.db
            .case_events(case_id)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind.starts_with("spb"))
            .count(),
        5
    );
}

#[tokio::test]
async fn a_school_user_sees_only_their_own_current_plan_and_no_meetings() {
    let app = with_proposal().await;
    let f = meetings_fixture::seed(&app).await;
    // The own plan changed once: version 2 is current.
    {
        let mut tx = app.db.begin().await.unwrap();
        uplift_store::plans::edit_plan(
            &mut tx,
            &meetings_fixture::lead(&app),
            app.org_id,
            f.plan_id,
            jiff::civil::date(2026, 11, 20),
            "Reworded",
            &meetings_fixture::content("Invented priority, reworded"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let other_case = open_case(&app, OTHER_SCHOOL).await;
    let other_plan = plan(&app, other_case, "Another school's priority").await;
    let (cookie, _) = app.session(Role::School).await;
    let c = Some(cookie.as_str());
    let token = app.user(Role::School).token.clone();

    for path in [
        "/meetings".to_string(),
        format!("/meetings/{}", f.meeting_id),
        format!("/meetings/{}/papers.pdf", f.meeting_id),
        format!("/concern/cases/{}/spb", f.case_id),
        format!("/spb/{}", f.spb_id),
    ] {
        assert_eq!(
            app.get(&path, c).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        app.api(Method::GET, "/api/v1/meetings", Some(&token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let own = app
        .get(&format!("/concern/cases/{}/plan", f.case_id), c)
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("Monitoring and Challenge"));
    let own = app.get(&format!("/plans/{}", f.plan_id), c).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Invented priority, reworded"));
    assert!(!own.body.contains("Every version"));
    assert!(!own.body.contains("Review the plan"));
    // Not an earlier version, not another school's plan or case.
    assert_eq!(
        app.get(&format!("/plans/{}?version=1", f.plan_id), c)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/plans/{other_plan}"), c).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app
        .get(&format!("/plans/{other_plan}"), c)
        .await
        .body
        .contains("Another school's priority"));
    assert_eq!(
        app.get(&format!("/concern/cases/{other_case}/plan"), c)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/plans/{other_plan}"),
            Some(&token)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/concern/cases/{other_case}/plans"),
            Some(&token)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/plans/{}", f.plan_id),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["versions"].as_array().unwrap().len(), 1);
    assert_eq!(r.json()["versions"][0]["number"], 2);
    assert!(r.json()["reviews"].as_array().unwrap().is_empty());
    // And cannot change it.
    assert_eq!(
        app.get(&format!("/plans/{}/edit", f.plan_id), c)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn term_dates_are_the_organisations_own_and_bad_ones_are_refused() {
    let app = with_proposal().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let c = Some(cookie.as_str());
    let page = app.get("/meetings/term-dates?year=2026/27", c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("England's typical term dates"));
    assert!(page.body.contains("Autumn 1 starts"));
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf_token", &csrf),
        ("year", "2026/27"),
        ("autumn1_start", "2026-09-02"),
        ("autumn1_end", "2026-10-23"),
        ("autumn2_start", "2026-11-02"),
        ("autumn2_end", "2026-12-18"),
        ("spring1_start", "2027-01-05"),
        ("spring1_end", "2027-02-12"),
        ("spring2_start", "2027-02-10"),
        ("spring2_end", "2027-03-26"),
        ("summer1_start", "2027-04-12"),
        ("summer1_end", "2027-05-28"),
        ("summer2_start", "2027-06-07"),
        ("summer2_end", "2027-07-21"),
    ];
    // Spring 2 overlapping Spring 1: refused naming it, nothing saved.
    let r = app.post_form("/meetings/term-dates", c, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#spring2_start\""), "{}", r.body);
    assert_eq!(audited(&app, "term_dates").await, 0);
    form[8] = ("spring2_start", "2027-02-22");
    let r = app.post_form("/meetings/term-dates", c, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/meetings/term-dates?year=2026/27", c).await;
    assert!(page.body.contains("Your organisation's term dates"));
    // 2 November is now term time, 30 October is not: a meeting then is warned about.
    let r = app
        .post_form(
            "/meetings",
            c,
            &[
                ("csrf_token", &csrf),
                ("kind", "schools_review_group"),
                ("date-day", "30"),
                ("date-month", "10"),
                ("date-year", "2026"),
            ],
        )
        .await;
    assert!(r.body.contains("outside term time"), "{}", r.body);
    // An adviser reads but cannot change them.
    let (adv, adv_csrf) = app.session(Role::Adviser).await;
    let r = app
        .post_form(
            "/meetings/term-dates",
            Some(&adv),
            &[("csrf_token", &adv_csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
