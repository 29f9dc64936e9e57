//! Every route registered in the router, for every role and for an anonymous
//! visitor, by page (session) and, for the API, by token. A route without an
//! entry in EXPECTED fails this test.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use uplift_domain::access::Role;
use uplift_web::routes::{all, Access, Surface};

/// (method, path, roles allowed). "*" means every signed-in role; "public" means anyone.
const EXPECTED: &[(&str, &str, &str)] = &[
    // Meetings, action plans and School Performance Boards (issue 6).
    ("GET", "/meetings", "admin lead adviser panel"),
    ("GET", "/meetings/new", "lead adviser"),
    ("GET", "/meetings/term-dates", "admin lead adviser panel"),
    ("POST", "/meetings/term-dates", "admin lead"),
    ("POST", "/meetings", "lead adviser"),
    ("POST", "/meetings/schedule", "lead adviser"),
    ("GET", "/meetings/{meeting_id}", "admin lead adviser panel"),
    (
        "GET",
        "/meetings/{meeting_id}/papers.pdf",
        "admin lead adviser panel",
    ),
    ("POST", "/meetings/{meeting_id}/attendees", "lead adviser"),
    ("POST", "/meetings/{meeting_id}/minutes", "lead adviser"),
    ("POST", "/meetings/{meeting_id}/status", "lead adviser"),
    ("POST", "/meetings/{meeting_id}/agenda", "lead adviser"),
    ("POST", "/meetings/{meeting_id}/decisions", "lead"),
    (
        "GET",
        "/concern/cases/{case_id}/plan",
        "admin lead adviser panel school",
    ),
    ("GET", "/concern/cases/{case_id}/plan/new", "lead adviser"),
    ("POST", "/concern/cases/{case_id}/plan", "lead adviser"),
    (
        "POST",
        "/concern/cases/{case_id}/monitoring-and-challenge",
        "lead",
    ),
    ("GET", "/plans/{plan_id}", "admin lead adviser panel school"),
    ("GET", "/plans/{plan_id}/edit", "lead adviser"),
    ("POST", "/plans/{plan_id}/edit", "lead adviser"),
    ("GET", "/plans/{plan_id}/review", "lead adviser"),
    ("POST", "/plans/{plan_id}/review", "lead adviser"),
    (
        "GET",
        "/concern/cases/{case_id}/spb",
        "admin lead adviser panel",
    ),
    ("POST", "/concern/cases/{case_id}/spb", "lead adviser"),
    ("GET", "/spb/{spb_id}", "admin lead adviser panel"),
    ("POST", "/spb/{spb_id}/steps", "lead adviser"),
    ("GET", "/api/v1/meetings", "admin lead adviser panel"),
    ("POST", "/api/v1/meetings", "lead adviser"),
    (
        "GET",
        "/api/v1/meetings/{meeting_id}",
        "admin lead adviser panel",
    ),
    (
        "GET",
        "/api/v1/meetings/{meeting_id}/agenda",
        "admin lead adviser panel",
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/decisions", "lead"),
    (
        "GET",
        "/api/v1/concern/cases/{case_id}/plans",
        "admin lead adviser panel school",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case_id}/plans",
        "lead adviser",
    ),
    (
        "GET",
        "/api/v1/plans/{plan_id}",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/plans/{plan_id}/versions", "lead adviser"),
    ("POST", "/api/v1/plans/{plan_id}/reviews", "lead adviser"),
    (
        "GET",
        "/api/v1/concern/cases/{case_id}/spb",
        "admin lead adviser panel",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case_id}/spb",
        "lead adviser",
    ),
    ("GET", "/api/v1/spb/{spb_id}", "admin lead adviser panel"),
    ("POST", "/api/v1/spb/{spb_id}/steps", "lead adviser"),
    ("POST", "/api/v1/meetings/schedule", "lead adviser"),
    (
        "PUT",
        "/api/v1/meetings/{meeting_id}/attendees",
        "lead adviser",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/minutes",
        "lead adviser",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/status",
        "lead adviser",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/agenda",
        "lead adviser",
    ),
    (
        "GET",
        "/api/v1/meetings/{meeting_id}/papers.pdf",
        "admin lead adviser panel",
    ),
    ("GET", "/api/v1/term-dates", "admin lead adviser panel"),
    ("PUT", "/api/v1/term-dates", "admin lead"),
    (
        "GET",
        "/api/v1/concern/cases/{case_id}/monitoring-and-challenge",
        "admin lead adviser panel school",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case_id}/monitoring-and-challenge",
        "lead",
    ),
    ("GET", "/sign-in", "public"),
    ("POST", "/sign-in", "public"),
    ("GET", "/accessibility", "public"),
    ("GET", "/health", "public"),
    ("GET", "/assets/{*path}", "public"),
    ("GET", "/api/openapi.json", "public"),
    ("GET", "/", "*"),
    ("POST", "/sign-out", "*"),
    ("GET", "/account", "*"),
    ("POST", "/account", "*"),
    ("GET", "/tokens", "*"),
    ("POST", "/tokens", "*"),
    ("POST", "/tokens/{id}/revoke", "*"),
    ("GET", "/audit", "admin lead"),
    ("GET", "/users", "admin lead"),
    ("GET", "/categories", "admin lead adviser panel"),
    ("POST", "/categories", "lead"),
    ("GET", "/schools/{urn}/category", "admin lead adviser panel"),
    ("POST", "/schools/{urn}/category", "lead"),
    ("POST", "/schools/{urn}/flags", "lead"),
    (
        "GET",
        "/estate-assessment",
        "admin lead adviser panel commissioner",
    ),
    (
        "GET",
        "/estate-assessment.csv",
        "admin lead adviser panel commissioner",
    ),
    (
        "GET",
        "/api/v1/schools/{urn}/category",
        "admin lead adviser panel",
    ),
    (
        "GET",
        "/api/v1/estate-assessment",
        "admin lead adviser panel commissioner",
    ),
    ("GET", "/advisers", "admin lead adviser panel"),
    ("POST", "/advisers", "admin lead"),
    ("POST", "/advisers/assign", "admin lead"),
    ("POST", "/advisers/response-days", "admin lead"),
    ("GET", "/visits", "admin lead adviser panel school"),
    ("GET", "/visits/new", "lead adviser"),
    ("POST", "/visits", "lead adviser"),
    ("GET", "/visits/{visit}", "admin lead adviser panel school"),
    (
        "POST",
        "/visits/{visit}/self-evaluation/request",
        "lead adviser",
    ),
    ("POST", "/visits/{visit}/self-evaluation", "school"),
    (
        "POST",
        "/visits/{visit}/self-evaluation/review",
        "lead adviser",
    ),
    ("POST", "/visits/{visit}/held", "lead adviser"),
    (
        "GET",
        "/visits/{visit}/note",
        "admin lead adviser panel school",
    ),
    (
        "GET",
        "/visits/{visit}/note.pdf",
        "admin lead adviser panel school",
    ),
    ("GET", "/visits/{visit}/note/edit", "lead adviser"),
    ("POST", "/visits/{visit}/note", "lead adviser"),
    ("POST", "/visits/{visit}/note/send", "lead adviser"),
    ("POST", "/visits/{visit}/note/respond", "school"),
    ("POST", "/visits/{visit}/note/no-response", "lead adviser"),
    ("POST", "/visits/{visit}/note/share", "lead adviser"),
    ("POST", "/visits/{visit}/note/school-share", "school"),
    ("POST", "/visits/{visit}/note/finalise", "lead adviser"),
    ("POST", "/visits/{visit}/note/addenda", "lead adviser"),
    ("GET", "/api/v1/advisers", "admin lead adviser panel"),
    ("GET", "/api/v1/caseload", "admin lead adviser panel"),
    (
        "GET",
        "/api/v1/schools/{urn}/entitlement",
        "admin lead adviser panel school",
    ),
    ("GET", "/api/v1/visits", "admin lead adviser panel school"),
    ("POST", "/api/v1/visits", "lead adviser"),
    (
        "GET",
        "/api/v1/visits/{visit}",
        "admin lead adviser panel school",
    ),
    (
        "POST",
        "/api/v1/visits/{visit}/self-evaluation/request",
        "lead adviser",
    ),
    ("POST", "/api/v1/visits/{visit}/self-evaluation", "school"),
    (
        "POST",
        "/api/v1/visits/{visit}/self-evaluation/review",
        "lead adviser",
    ),
    ("POST", "/api/v1/visits/{visit}/held", "lead adviser"),
    (
        "GET",
        "/api/v1/visits/{visit}/note",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/visits/{visit}/note", "lead adviser"),
    ("POST", "/api/v1/visits/{visit}/note/send", "lead adviser"),
    ("POST", "/api/v1/visits/{visit}/note/respond", "school"),
    ("POST", "/api/v1/visits/{visit}/note/share", "lead adviser"),
    ("POST", "/api/v1/visits/{visit}/note/school-share", "school"),
    (
        "POST",
        "/api/v1/visits/{visit}/note/finalise",
        "lead adviser",
    ),
    (
        "POST",
        "/api/v1/visits/{visit}/note/addenda",
        "lead adviser",
    ),
    ("GET", "/concern", "admin lead adviser panel school"),
    ("GET", "/concern/designate/{urn}", "lead"),
    ("POST", "/concern/designate/{urn}", "lead"),
    (
        "GET",
        "/concern/cases/{case}",
        "admin lead adviser panel school",
    ),
    ("POST", "/concern/cases/{case}/decisions", "lead"),
    ("POST", "/concern/cases/{case}/lead-officer", "lead"),
    ("POST", "/concern/cases/{case}/contacts", "lead adviser"),
    ("POST", "/concern/cases/{case}/letter-of-concern", "lead"),
    ("POST", "/concern/cases/{case}/warning-notice", "lead"),
    ("POST", "/concern/cases/{case}/written-notice", "lead"),
    ("POST", "/concern/cases/{case}/eligibility", "lead"),
    ("POST", "/concern/cases/{case}/powers", "lead"),
    ("POST", "/concern/cases/{case}/academy-concern", "lead"),
    (
        "POST",
        "/concern/cases/{case}/inspection-support",
        "lead adviser",
    ),
    ("POST", "/concern/notices/{notice}/outcome", "lead"),
    ("POST", "/concern/tasks/{task}/done", "lead adviser"),
    (
        "GET",
        "/concern/letters/{letter}",
        "admin lead adviser panel school",
    ),
    ("POST", "/concern/letters/{letter}", "lead adviser"),
    ("POST", "/concern/letters/{letter}/issue", "lead"),
    ("GET", "/settings/letters", "admin lead"),
    ("POST", "/settings/letters", "admin lead"),
    ("GET", "/settings/letterhead", "admin lead"),
    ("POST", "/settings/letterhead", "admin lead"),
    ("GET", "/settings/letterhead/sample.pdf", "admin lead"),
    ("GET", "/api/v1/settings/letterhead", "admin lead"),
    ("PUT", "/api/v1/settings/letterhead", "admin lead"),
    ("PUT", "/api/v1/settings/letterhead/logo", "admin lead"),
    ("DELETE", "/api/v1/settings/letterhead/logo", "admin lead"),
    (
        "GET",
        "/api/v1/concern/cases",
        "admin lead adviser panel school",
    ),
    (
        "GET",
        "/api/v1/concern/cases/{case}",
        "admin lead adviser panel school",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case}/warning-notices",
        "lead",
    ),
    (
        "GET",
        "/api/v1/concern/decisions",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/concern/decisions", "lead"),
    (
        "GET",
        "/api/v1/concern/letters",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/concern/cases/{case}/lead-officer", "lead"),
    (
        "POST",
        "/api/v1/concern/cases/{case}/contacts",
        "lead adviser",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case}/letters-of-concern",
        "lead",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case}/written-notices",
        "lead",
    ),
    ("POST", "/api/v1/concern/cases/{case}/eligibility", "lead"),
    ("POST", "/api/v1/concern/cases/{case}/powers", "lead"),
    (
        "POST",
        "/api/v1/concern/cases/{case}/academy-concerns",
        "lead",
    ),
    (
        "POST",
        "/api/v1/concern/cases/{case}/inspection-support",
        "lead adviser",
    ),
    ("POST", "/api/v1/concern/notices/{notice}/outcome", "lead"),
    ("POST", "/api/v1/concern/tasks/{task}/done", "lead adviser"),
    (
        "GET",
        "/api/v1/concern/letters/{letter}",
        "admin lead adviser panel school",
    ),
    ("PUT", "/api/v1/concern/letters/{letter}", "lead adviser"),
    (
        "GET",
        "/api/v1/concern/letters/{letter}/pdf",
        "admin lead adviser panel school",
    ),
    (
        "GET",
        "/api/v1/concern/letters/{letter}/docx",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/concern/letters/{letter}/issue", "lead"),
    ("GET", "/api/v1/me", "*"),
    ("GET", "/notifications", "*"),
    ("POST", "/notifications/read", "*"),
    ("POST", "/notifications/email", "*"),
    ("GET", "/calendar", "*"),
    ("POST", "/calendar", "*"),
    ("POST", "/calendar/revoke", "*"),
    ("GET", "/feeds/{file}", "public"),
    ("GET", "/qa", "lead adviser panel"),
    ("POST", "/qa/sample", "lead"),
    ("GET", "/qa/moderate", "lead panel"),
    ("POST", "/qa/moderate", "panel"),
    ("POST", "/qa/shadowing", "lead"),
    ("POST", "/qa/reviews", "lead"),
    ("GET", "/qa/survey", "school"),
    ("POST", "/qa/survey", "school"),
    ("GET", "/api/v1/qa/assignments", "lead adviser panel"),
    ("GET", "/api/v1/qa/overview", "lead adviser panel"),
    (
        "GET",
        "/visits/{visit}/attachments",
        "admin lead adviser panel school",
    ),
    ("POST", "/visits/{visit}/attachments", "lead adviser"),
    (
        "GET",
        "/visits/{visit}/attachments/{attachment}",
        "admin lead adviser panel school",
    ),
    (
        "GET",
        "/api/v1/visits/{visit}/attachments",
        "admin lead adviser panel school",
    ),
    ("POST", "/api/v1/visits/{visit}/attachments", "lead adviser"),
    (
        "GET",
        "/api/v1/visits/{visit}/attachments/{attachment}",
        "admin lead adviser panel school",
    ),
    ("GET", "/api/v1/notifications", "*"),
    ("GET", "/api/v1/calendar-feeds", "*"),
    ("GET", "/api/v1/users", "admin lead"),
    ("GET", "/api/v1/audit", "admin lead"),
    ("GET", "/schools", "admin lead adviser panel school traded"),
    (
        "GET",
        "/schools.csv",
        "admin lead adviser panel school traded",
    ),
    (
        "GET",
        "/schools/{urn}",
        "admin lead adviser panel school traded",
    ),
    ("POST", "/schools/{urn}/intelligence", "lead adviser"),
    // School contacts: leads, advisers and the school's own users edit them.
    ("GET", "/schools/{urn}/contacts", "lead adviser school"),
    ("POST", "/schools/{urn}/contacts", "lead adviser school"),
    (
        "GET",
        "/api/v1/schools/{urn}/contacts",
        "admin lead adviser panel school traded",
    ),
    (
        "PUT",
        "/api/v1/schools/{urn}/contacts",
        "lead adviser school",
    ),
    (
        "GET",
        "/api/v1/schools",
        "admin lead adviser panel school traded",
    ),
    (
        "GET",
        "/api/v1/schools/{urn}",
        "admin lead adviser panel school traded",
    ),
];

/// The route's own method: GET without a body, anything else with the form
/// (POST through `post_form`; PUT and others built the same way).
async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> common::Reply {
    if *method == Method::GET {
        return app.get(path, cookie).await;
    }
    if *method == Method::POST {
        return app.post_form(path, cookie, form).await;
    }
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut b = axum::http::Request::builder()
        .method(method.clone())
        .uri(path)
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
    if let Some(c) = cookie {
        b = b.header(axum::http::header::COOKIE, c);
    }
    app.send(b.body(axum::body::Body::from(body)).unwrap())
        .await
}

fn expected(method: &str, path: &str) -> &'static str {
    EXPECTED
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, who)| *who)
        .unwrap_or_else(|| panic!("route {method} {path} has no entry in the role matrix"))
}

fn allowed(who: &str, role: Role) -> bool {
    who == "public" || who == "*" || who.split(' ').any(|r| r == role.as_str())
}

/// Routes a role may use whose record the fixture hides from it (404): QA
/// reviewers (panel) see only the notes sampled to them.
const HIDDEN: &[(&str, &str, &str)] = &[
    ("GET", "/visits/{visit}/note", "panel"),
    ("GET", "/visits/{visit}/note.pdf", "panel"),
    ("GET", "/api/v1/visits/{visit}/note", "panel"),
    ("GET", "/visits/{visit}/attachments", "panel"),
    ("GET", "/visits/{visit}/attachments/{attachment}", "panel"),
    ("GET", "/api/v1/visits/{visit}/attachments", "panel"),
    (
        "GET",
        "/api/v1/visits/{visit}/attachments/{attachment}",
        "panel",
    ),
];

/// Attachment 1: a PDF on the visit (not its note), added by the lead.
async fn seed_attachment(app: &TestApp, visit: i64) {
    let access = app
        .db
        .visit_access(app.org_id, visit)
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let a = uplift_store::attachments::add(
        &mut tx,
        &uplift_store::audit::Actor::cli(),
        &access,
        false,
        "agenda.pdf",
        b"%PDF-1.4 agenda",
        1024,
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(a.id, 1);
}

fn hidden(method: &str, path: &str, role: Role) -> bool {
    HIDDEN
        .iter()
        .any(|(m, p, r)| *m == method && *p == path && *r == role.as_str())
}

fn concrete(path: &str, token_id: i64, visit_id: i64) -> String {
    let path = path
        .replace("{*path}", "uplift.css")
        .replace("{id}", &token_id.to_string())
        // A final visit to the school user's own school (see common::visits_fixture).
        .replace("{visit}", &visit_id.to_string())
        // A file on that visit (see seed_attachment).
        .replace("{attachment}", "1")
        // The school user's own school, so that "allowed" is allowed for them too.
        .replace("{urn}", &common::OWN_SCHOOL.to_string());
    // A meeting, and the own school's case, plan and SPB (see common::meetings_fixture).
    // The own school's causing-concern case, letter, notice and task (see common::concern_fixture).
    common::concern_fixture::fill(&common::meetings_fixture::fill(&path))
}

#[tokio::test]
async fn every_route_has_an_entry_and_every_entry_a_route() {
    let routes = all();
    for r in &routes {
        expected(r.method.as_str(), r.path);
        // The table and the route agree on whether it is public.
        assert_eq!(
            expected(r.method.as_str(), r.path) == "public",
            r.access == Access::Public,
            "{} {}",
            r.method,
            r.path
        );
    }
    for (m, p, _) in EXPECTED {
        assert!(
            routes
                .iter()
                .any(|r| r.method.as_str() == *m && r.path == *p),
            "stale entry {m} {p}"
        );
    }
}

#[tokio::test]
async fn pages_and_api_by_session_for_every_role_and_anonymous() {
    let app = TestApp::new().await;
    let visit = app.visits().await.own_final;
    seed_attachment(&app, visit).await;
    common::meetings_fixture::seed(&app).await;
    common::concern_fixture::concern_fixture(&app).await;
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((role, app.session(role).await));
    }
    for r in all() {
        let method = r.method.as_str();
        let who = expected(method, r.path);
        // Anonymous.
        let path = concrete(r.path, 0, visit);
        let reply = send(&app, &r.method, &path, None, &[]).await;
        match (r.access, r.surface) {
            (Access::Public, _) => assert!(
                reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
                "anonymous {method} {path}: {}",
                reply.status
            ),
            (Access::Requires(_), Surface::Page) => {
                assert_eq!(
                    reply.status,
                    StatusCode::SEE_OTHER,
                    "anonymous {method} {path}"
                );
                assert!(
                    reply.location().starts_with("/sign-in"),
                    "anonymous {method} {path} → {}",
                    reply.location()
                );
            }
            (Access::Requires(_), Surface::Api) => assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "anonymous {method} {path}"
            ),
        }
        // Each role, signed in.
        for (role, (cookie, csrf)) in &sessions {
            if r.method == Method::POST && r.path == "/sign-out" {
                continue; // would end the session the rest of the loop uses; checked below
            }
            if r.path == "/feeds/{file}" {
                continue; // the feed's secret is its credential, not the session: tests/notifications.rs
            }
            let path = concrete(r.path, app.user(*role).token_id, visit);
            let reply = send(
                &app,
                &r.method,
                &path,
                Some(cookie),
                &[("csrf_token", csrf), ("name", "matrix")],
            )
            .await;
            let refused = matches!(
                reply.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
            ) || reply.location().starts_with("/sign-in");
            if allowed(who, *role) && hidden(method, r.path, *role) {
                assert_eq!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{role} {method} {path} should be hidden"
                );
            } else if allowed(who, *role) {
                assert!(
                    !refused,
                    "{role} {method} {path} should be allowed, got {} {}",
                    reply.status,
                    reply.location()
                );
                assert!(
                    reply.status != StatusCode::INTERNAL_SERVER_ERROR,
                    "{role} {method} {path}: 500"
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {path} should be forbidden"
                );
            }
        }
    }
    // Signing out works for every role.
    for (role, (cookie, csrf)) in &sessions {
        let reply = app
            .post_form("/sign-out", Some(cookie), &[("csrf_token", csrf)])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{role}");
        let after = app.get("/", Some(cookie)).await;
        assert!(
            after.location().starts_with("/sign-in"),
            "{role} still signed in after signing out"
        );
    }
}

#[tokio::test]
async fn api_by_token_gets_exactly_what_the_role_allows() {
    let app = TestApp::new().await;
    let visit = app.visits().await.own_final;
    seed_attachment(&app, visit).await;
    common::meetings_fixture::seed(&app).await;
    common::concern_fixture::concern_fixture(&app).await;
    for r in all().into_iter().filter(|r| r.surface == Surface::Api) {
        let method = r.method.as_str();
        let who = expected(method, r.path);
        for role in Role::ALL {
            let u = app.user(role);
            let reply = app
                .api(
                    r.method.clone(),
                    &concrete(r.path, u.token_id, visit),
                    Some(&u.token),
                )
                .await;
            if allowed(who, role) && hidden(method, r.path, role) {
                assert_eq!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{role} {method} {}",
                    r.path
                );
            } else if allowed(who, role) && r.method != axum::http::Method::GET {
                // A change sent without a body is refused for what it lacks, never for who sent it.
                assert!(
                    !matches!(
                        reply.status,
                        StatusCode::UNAUTHORIZED
                            | StatusCode::FORBIDDEN
                            | StatusCode::NOT_FOUND
                            | StatusCode::INTERNAL_SERVER_ERROR
                    ),
                    "{role} {method} {}: {} {}",
                    r.path,
                    reply.status,
                    reply.body
                );
            } else if allowed(who, role) {
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{role} {method} {}: {}",
                    r.path,
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {}",
                    r.path
                );
                assert!(reply.json()["error"].is_string());
            }
        }
    }
}
