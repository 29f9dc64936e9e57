//! Attachments on visits and notes (multipart with the CSRF token checked
//! first; type by magic bytes and extension; size limit; served only to
//! those who may read the visit or note, as downloads with nosniff) and
//! quality assurance (the termly sample drawn by a lead, QA reviewers who see
//! only the notes sampled to them, moderation with field errors, advisers'
//! feedback, the survey of schools).

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Reply, TestApp, OTHER_SCHOOL, OWN_SCHOOL, PASSWORD};
use uplift_domain::access::Role;
use uplift_domain::identity::{Email, NewPassword, PasswordContext};
use uplift_store::audit::Actor;
use uplift_store::users::{self, NewUser};
use uplift_web::auth::password::hash_password;
use uplift_web::{AppState, WebConfig};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// Visit 1 (own school, adviser 1 = the adviser test user) with a draft
/// note; visit 3 (the other school).
async fn visits(app: &TestApp) {
    let t = uplift_store::now();
    let adviser_user = app.user(Role::Adviser).id;
    app.db
        .execute_raw(&format!(
            "INSERT INTO advisers (id, organisation_id, user_id, name, email, capacity_days, created_at, updated_at)
             VALUES (1, {org}, {adviser_user}, 'Ada Adviser', 'adviser@camden.example', 30, '{t}', '{t}'),
                    (2, {org}, NULL, 'Ben Other', 'ben@camden.example', 30, '{t}', '{t}')",
            org = app.org_id
        ))
        .await
        .unwrap();
    for (id, urn, adviser) in [(1, OWN_SCHOOL, 1), (3, OTHER_SCHOOL, 2)] {
        app.db
            .execute_raw(&format!(
                "INSERT INTO visits (id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date,
                     focus, stage, response_working_days, created_by, created_at, updated_at)
                 VALUES ({id}, {}, {urn}, {adviser}, 'school_effectiveness', '2026/27', '2026-11-10', 'Reading',
                     'note_drafted', 10, 'test', '{t}', '{t}')",
                app.org_id
            ))
            .await
            .unwrap();
    }
    app.db
        .execute_raw(&format!(
            "INSERT INTO visit_notes (id, visit_id, content, state, created_at, updated_at)
             VALUES (1, 1, '{{\"strengths\": \"Phonics\"}}', 'draft', '{t}', '{t}')"
        ))
        .await
        .unwrap();
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "XUPLIFTBOUNDARYX";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    token: Option<&str>,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Reply {
    let (ct, body) = multipart(fields, file);
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, ct);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    app.send(b.body(Body::from(body)).unwrap()).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.db
        .execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn attachments_are_checked_stored_and_served_only_to_readers() {
    let mut app = TestApp::new().await;
    visits(&app).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let page = app.get("/visits/1/attachments", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    // Without the CSRF token the file is not accepted.
    let r = upload(
        &app,
        "/visits/1/attachments",
        Some(&cookie),
        None,
        &[("attach_to", "visit")],
        Some(("plan.pdf", PDF)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&app, "visit_attachments").await, 0);
    // A refused type, and a PDF that is not one: error summary naming the file field, nothing saved.
    for (name, bytes) in [
        ("tool.exe", b"MZ\x90\x00binary".as_slice()),
        ("fake.pdf", b"<html>not a pdf</html>".as_slice()),
    ] {
        let r = upload(
            &app,
            "/visits/1/attachments",
            Some(&cookie),
            None,
            &[("csrf_token", &csrf), ("attach_to", "visit")],
            Some((name, bytes)),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}");
        assert!(
            r.body.contains("govuk-error-summary") && r.body.contains("href=\"#file\""),
            "{name}"
        );
        assert!(r.body.contains("must be a PDF, Word, Excel"), "{name}");
    }
    assert_eq!(count(&app, "visit_attachments").await, 0);
    // A PDF on the visit, and one on the draft note.
    let r = upload(
        &app,
        "/visits/1/attachments",
        Some(&cookie),
        None,
        &[("csrf_token", &csrf), ("attach_to", "visit")],
        Some(("agenda.pdf", PDF)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = upload(
        &app,
        "/visits/1/attachments",
        Some(&cookie),
        None,
        &[("csrf_token", &csrf), ("attach_to", "note")],
        Some(("evidence.pdf", PDF)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let list = app.db.attachments(app.org_id, 1).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].content_type, "application/pdf");
    assert_eq!(list[1].note_id, Some(1));
    assert_eq!(list[0].sha256.len(), 64);
    // Download: a file, never rendered.
    let d = app
        .get(
            &format!("/visits/1/attachments/{}", list[0].id),
            Some(&cookie),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body.as_bytes(), PDF);
    assert!(d.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"agenda.pdf\""));
    assert_eq!(d.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // The school: the visit's file, but the note's only once the note is sent to them.
    let (school, _) = app.session(Role::School).await;
    assert_eq!(
        app.get(
            &format!("/visits/1/attachments/{}", list[0].id),
            Some(&school)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/visits/1/attachments/{}", list[1].id),
            Some(&school)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let p = app.get("/visits/1/attachments", Some(&school)).await;
    assert!(p.body.contains("agenda.pdf") && !p.body.contains("evidence.pdf"));
    assert!(
        !p.body.contains("enctype"),
        "school users do not upload here"
    );
    app.db
        .execute_raw("UPDATE visit_notes SET state = 'sent' WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(
        app.get(
            &format!("/visits/1/attachments/{}", list[1].id),
            Some(&school)
        )
        .await
        .status,
        StatusCode::OK
    );
    // Another school's visit: not found, by page and API.
    assert_eq!(
        app.get("/visits/3/attachments", Some(&school)).await.status,
        StatusCode::NOT_FOUND
    );
    let st = app.user(Role::School).token.clone();
    assert_eq!(
        app.api(Method::GET, "/api/v1/visits/3/attachments", Some(&st))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A QA reviewer sees nothing of a note not sampled to them.
    let (panel, _) = app.session(Role::Panel).await;
    assert_eq!(
        app.get("/visits/1/attachments", Some(&panel)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/visits/1/attachments/{}", list[1].id),
            Some(&panel)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // An adviser adds files only to their own visits.
    let r = upload(
        &app,
        "/visits/3/attachments",
        Some(&cookie),
        None,
        &[("csrf_token", &csrf), ("attach_to", "visit")],
        Some(("x.pdf", PDF)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The API: a token needs no CSRF token; a refused file names the field.
    let at = app.user(Role::Adviser).token.clone();
    let r = upload(
        &app,
        "/api/v1/visits/1/attachments",
        None,
        Some(&at),
        &[("attach_to", "visit")],
        Some(("notes.txt", b"Plain notes".as_slice())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["content_type"], "text/plain; charset=utf-8");
    let r = upload(
        &app,
        "/api/v1/visits/1/attachments",
        None,
        Some(&at),
        &[("attach_to", "visit")],
        Some(("x.png", PDF)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "file");
    let j = app
        .api(Method::GET, "/api/v1/visits/1/attachments", Some(&st))
        .await
        .json();
    assert_eq!(j.as_array().unwrap().len(), 3);
    // Over the configured limit: refused, nothing saved.
    app.state = AppState::new(
        app.db.clone(),
        WebConfig {
            attachment_max_bytes: 1024,
            ..WebConfig::default()
        },
    );
    let big = [b"%PDF-1.4\n".as_slice(), &[b'x'; 4096]].concat();
    let before = count(&app, "visit_attachments").await;
    let r = upload(
        &app,
        "/visits/1/attachments",
        Some(&cookie),
        None,
        &[("csrf_token", &csrf), ("attach_to", "visit")],
        Some(("big.pdf", &big)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("smaller than 1 KB"), "{}", r.body);
    let r = upload(
        &app,
        "/api/v1/visits/1/attachments",
        None,
        Some(&at),
        &[("attach_to", "visit")],
        Some(("big.pdf", &big)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "file");
    assert_eq!(count(&app, "visit_attachments").await, before);
}

async fn add_panel(app: &TestApp, email: &str) -> i64 {
    let hash =
        hash_password(&NewPassword::parse(PASSWORD, &PasswordContext::default()).unwrap()).unwrap();
    let e = Email::parse(email).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: app.org_id,
            email: &e,
            name: "Second reviewer",
            role: Role::Panel,
            school_urn: None,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u.id
}

/// Twelve final notes by adviser 1 and eight by adviser 2 in the autumn term.
async fn final_notes(app: &TestApp) {
    let t = uplift_store::now();
    for i in 0..20 {
        let id = 100 + i;
        let (urn, adviser) = if i < 12 {
            (OWN_SCHOOL, 1)
        } else {
            (OTHER_SCHOOL, 2)
        };
        app.db
            .execute_raw(&format!(
                "INSERT INTO visits (id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date,
                     focus, stage, response_working_days, created_by, created_at, updated_at)
                 VALUES ({id}, {}, {urn}, {adviser}, 'school_effectiveness', '2026/27', '2026-10-0{}', 'Reading',
                     'final', 10, 'test', '{t}', '{t}')",
                app.org_id,
                1 + i % 9
            ))
            .await
            .unwrap();
        app.db
            .execute_raw(&format!(
                "INSERT INTO visit_notes (id, visit_id, content, state, finalised_at, created_at, updated_at)
                 VALUES ({id}, {id}, '{{\"strengths\": \"Note {id}\"}}', 'final', '2026-10-20T10:00:00.000000Z', '{t}', '{t}')"
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn qa_reviewers_see_only_their_sample_and_advisers_their_feedback() {
    let app = TestApp::new().await;
    visits(&app).await;
    final_notes(&app).await;
    let second = add_panel(&app, "reviewer2@camden.example").await;
    let (lead, lcsrf) = app.session(Role::Lead).await;
    // Bad share: error summary, nothing drawn.
    let r = app
        .post_form(
            "/qa/sample",
            Some(&lead),
            &[
                ("csrf_token", &lcsrf),
                ("year", "2026/27"),
                ("term", "autumn"),
                ("share", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#share\""));
    assert_eq!(count(&app, "qa_samples").await, 0);
    let r = app
        .post_form(
            "/qa/sample",
            Some(&lead),
            &[
                ("csrf_token", &lcsrf),
                ("year", "2026/27"),
                ("term", "autumn"),
                ("share", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Sample drawn: 2 of 20"), "{}", r.body);
    // A second draw of the same term is refused.
    let r = app
        .post_form(
            "/qa/sample",
            Some(&lead),
            &[
                ("csrf_token", &lcsrf),
                ("year", "2026/27"),
                ("term", "autumn"),
                ("share", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let all = app
        .db
        .qa_assignments(app.org_id, None, None, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "one from each adviser");
    let first_panel = app.user(Role::Panel).id;
    let mine = all
        .iter()
        .find(|a| a.reviewer_user_id == Some(first_panel))
        .expect("routed to the first reviewer");
    let theirs = all
        .iter()
        .find(|a| a.reviewer_user_id == Some(second))
        .expect("routed to the second reviewer");
    // The reviewer: their note only; another's is not found; an adviser cannot open moderation.
    let (panel, pcsrf) = app.session(Role::Panel).await;
    let q = app.get("/qa", Some(&panel)).await;
    assert!(
        q.body.contains(&format!("assignment={}", mine.id))
            && !q.body.contains(&format!("assignment={}", theirs.id))
    );
    assert_eq!(
        app.get(
            &format!("/qa/moderate?assignment={}", mine.id),
            Some(&panel)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/qa/moderate?assignment={}", theirs.id),
            Some(&panel)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let pt = app.user(Role::Panel).token.clone();
    let j = app
        .api(
            Method::GET,
            "/api/v1/qa/assignments?year=2026/27&term=autumn",
            Some(&pt),
        )
        .await
        .json();
    assert_eq!(j.as_array().unwrap().len(), 1);
    assert_eq!(j[0]["id"], mine.id);
    // The sampled note's attachments open to its reviewer.
    let (adv, _) = app.session(Role::Adviser).await;
    assert_eq!(
        app.get(&format!("/qa/moderate?assignment={}", mine.id), Some(&adv))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Moderation without ratings: field errors, nothing saved.
    let id = mine.id.to_string();
    let r = app
        .post_form(
            "/qa/moderate",
            Some(&panel),
            &[
                ("csrf_token", &pcsrf),
                ("assignment", &id),
                ("feedback", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#ratings-evidence\"") && r.body.contains("href=\"#feedback\""));
    let r = app
        .post_form(
            "/qa/moderate",
            Some(&panel),
            &[
                ("csrf_token", &pcsrf),
                ("assignment", &id),
                ("ratings-evidence", "excellent"),
                ("feedback", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a rating off the scale");
    assert_eq!(count(&app, "qa_moderations").await, 0);
    let mut form = vec![
        ("csrf_token", pcsrf.as_str()),
        ("assignment", id.as_str()),
        ("feedback", "Clear actions; cite more evidence."),
    ];
    for c in [
        "evidence",
        "challenge",
        "strengths_development",
        "actions",
        "clarity",
    ] {
        form.push((Box::leak(format!("ratings-{c}").into_boxed_str()), "good"));
    }
    let r = app.post_form("/qa/moderate", Some(&panel), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The adviser whose note it was sees the feedback (and was notified); the other adviser's is not theirs.
    let a = app
        .db
        .qa_assignment(app.org_id, mine.id)
        .await
        .unwrap()
        .unwrap();
    let adviser_user = a.adviser_user_id;
    let at = app.user(Role::Adviser).token.clone();
    let j = app
        .api(Method::GET, "/api/v1/qa/assignments", Some(&at))
        .await
        .json();
    if adviser_user == Some(app.user(Role::Adviser).id) {
        assert_eq!(j.as_array().unwrap().len(), 1);
        assert_eq!(j[0]["feedback"], "Clear actions; cite more evidence.");
        assert_eq!(j[0]["ratings"]["evidence"], "good");
        let page = app.get("/qa", Some(&adv)).await;
        assert!(page.body.contains("Clear actions; cite more evidence."));
    } else {
        assert!(j.as_array().unwrap().is_empty());
    }
    let o = app
        .api(
            Method::GET,
            "/api/v1/qa/overview",
            Some(&app.user(Role::Lead).token),
        )
        .await
        .json();
    assert_eq!(o["sampled"], 2);
    assert_eq!(o["moderated"], 1);
    // The overview page for the lead names the missing shadowed visits.
    let page = app.get("/qa", Some(&lead)).await;
    assert!(
        page.body
            .contains("No shadowed visit recorded yet for: Ada Adviser, Ben Other"),
        "{}",
        page.body
    );
    let r = app
        .post_form(
            "/qa/shadowing",
            Some(&lead),
            &[
                ("csrf_token", &lcsrf),
                ("adviser", "1"),
                ("date-day", "1"),
                ("date-month", "1"),
                ("date-year", "2030"),
                ("shadowed_by", "Lead"),
                ("feedback", "Good"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a date in the future");
    let r = app
        .post_form(
            "/qa/shadowing",
            Some(&lead),
            &[
                ("csrf_token", &lcsrf),
                ("adviser", "1"),
                ("visit", "1"),
                ("date-day", "10"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("shadowed_by", "Lead"),
                ("feedback", "Good questioning"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r
        .body
        .contains("No shadowed visit recorded yet for: Ben Other"));
}

#[tokio::test]
async fn schools_answer_the_survey_about_their_adviser_once() {
    let app = TestApp::new().await;
    visits(&app).await;
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO school_advisers (organisation_id, urn, adviser_id, from_date, reason, assigned_by, assigned_at)
             VALUES ({}, {OWN_SCHOOL}, 1, '2026-09-01', 'named adviser', 'test', '{t}')",
            app.org_id
        ))
        .await
        .unwrap();
    let (school, csrf) = app.session(Role::School).await;
    let page = app.get("/qa/survey", Some(&school)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ada Adviser"));
    let r = app
        .post_form(
            "/qa/survey",
            Some(&school),
            &[
                ("csrf_token", &csrf),
                ("respondent", "headteacher"),
                ("answers-knowledge", "4"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#answers-challenge\""));
    assert_eq!(count(&app, "qa_survey_responses").await, 0);
    let full = [
        ("csrf_token", csrf.as_str()),
        ("respondent", "headteacher"),
        ("answers-knowledge", "4"),
        ("answers-challenge", "3"),
        ("answers-notes", "4"),
        ("answers-impact", "3"),
        ("comments", "Helpful"),
    ];
    let r = app.post_form("/qa/survey", Some(&school), &full).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Thank you"));
    let r = app.post_form("/qa/survey", Some(&school), &full).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "the headteacher answers once a year"
    );
    assert_eq!(count(&app, "qa_survey_responses").await, 1);
    let (lead, _) = app.session(Role::Lead).await;
    let page = app.get("/qa", Some(&lead)).await;
    assert!(page.body.contains("Helpful") && page.body.contains("3.5 of 4"));
}

/// The messages in a page's GOV.UK error summary.
fn summary(body: &str) -> Vec<String> {
    let Some(start) = body.find("govuk-error-summary__list") else {
        return Vec::new();
    };
    let list = &body[start..];
    let end = list.find("</ul>").unwrap_or(list.len());
    list[..end]
        .split("<a href=")
        .skip(1)
        .filter_map(|a| {
            let text = a.split_once('>')?.1;
            Some(text.split("</a>").next()?.trim().replace("&quot;", "\""))
        })
        .collect()
}

#[tokio::test]
async fn the_upload_page_and_the_api_refuse_the_same_files_with_the_same_messages() {
    let app = TestApp::new().await;
    visits(&app).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let exe = b"MZ\x90\x00binary".as_slice();
    for (attach_to, name, bytes) in [
        ("visit", "tool.exe", exe),
        ("visit", "fake.pdf", b"<html>not a pdf</html>".as_slice()),
        ("somewhere", "plan.pdf", PDF),
    ] {
        let page = upload(
            &app,
            "/visits/1/attachments",
            Some(&cookie),
            None,
            &[("csrf_token", &csrf), ("attach_to", attach_to)],
            Some((name, bytes)),
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{name}");
        let api = upload(
            &app,
            "/api/v1/visits/1/attachments",
            None,
            Some(&token),
            &[("attach_to", attach_to)],
            Some((name, bytes)),
        )
        .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let from_api: Vec<String> = api.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(!from_api.is_empty(), "{name}");
        assert_eq!(summary(&page.body), from_api, "{name}");
    }
    assert_eq!(count(&app, "visit_attachments").await, 0);
    // The same file through each: stored the same way.
    let page = upload(
        &app,
        "/visits/1/attachments",
        Some(&cookie),
        None,
        &[("csrf_token", &csrf), ("attach_to", "visit")],
        Some(("agenda.pdf", PDF)),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = upload(
        &app,
        "/api/v1/visits/1/attachments",
        None,
        Some(&token),
        &[("attach_to", "visit")],
        Some(("agenda.pdf", PDF)),
    )
    .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    let rows = app
        .db
        .execute_raw_text(
            "SELECT CAST(COUNT(DISTINCT content_type || '|' || CAST(size_bytes AS TEXT) || '|' || sha256 || '|' || COALESCE(CAST(note_id AS TEXT), '-')) AS TEXT) FROM visit_attachments",
        )
        .await
        .unwrap();
    assert_eq!(rows.trim(), "1");
    assert_eq!(count(&app, "visit_attachments").await, 2);
}
