//! Notifications and calendar feeds through the web: the inbox page with its
//! count in the navigation, marking read, email on or off, the API (one's
//! own only), and secret .ics feeds that an independent iCalendar parser
//! reads, that never show another school's visits and that stop when revoked.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_store::notifications;

async fn notify(app: &TestApp, user: i64, subject: &str) {
    let mut tx = app.db.begin().await.unwrap();
    notifications::notify(
        &mut tx,
        app.org_id,
        user,
        notifications::NOTE_AWAITING_HEADTEACHER,
        subject,
        "Mark it accurate or respond with comments.",
        Some("/visits/1"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_inbox_counts_lists_and_marks_read_only_ones_own() {
    let app = TestApp::new().await;
    let head = app.user(Role::School).id;
    let adviser = app.user(Role::Adviser).id;
    notify(&app, head, "A note of visit is ready for you").await;
    notify(&app, head, "Another note is ready").await;
    notify(&app, adviser, "Adviser's own notice").await;
    let (cookie, csrf) = app.session(Role::School).await;
    let page = app.get("/notifications", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("A note of visit is ready for you"));
    assert!(
        !page.body.contains("Adviser&#x27;s own notice")
            && !page.body.contains("Adviser's own notice")
    );
    assert!(
        page.body.contains("Notifications (2 unread)"),
        "count in the navigation"
    );
    // Another user's notification cannot be marked.
    let theirs = app.db.notifications(adviser, 10).await.unwrap()[0].id;
    let r = app
        .post_form(
            "/notifications/read",
            Some(&cookie),
            &[("csrf_token", &csrf), ("id", &theirs.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.db.unread_notifications(adviser).await.unwrap(), 1);
    let mine = app.db.notifications(head, 10).await.unwrap()[0].id;
    let r = app
        .post_form(
            "/notifications/read",
            Some(&cookie),
            &[("csrf_token", &csrf), ("id", &mine.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.unread_notifications(head).await.unwrap(), 1);
    let r = app
        .post_form(
            "/notifications/read",
            Some(&cookie),
            &[("csrf_token", &csrf), ("id", "all")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.unread_notifications(head).await.unwrap(), 0);
    // Without the CSRF token nothing changes.
    let r = app
        .post_form("/notifications/email", Some(&cookie), &[("email", "off")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(app.db.email_enabled(head).await.unwrap());
    // A choice that is neither on nor off: the error summary, nothing saved.
    let r = app
        .post_form(
            "/notifications/email",
            Some(&cookie),
            &[("csrf_token", &csrf), ("email", "sometimes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("govuk-error-summary") && r.body.contains("href=\"#email\""));
    assert!(app.db.email_enabled(head).await.unwrap());
    let r = app
        .post_form(
            "/notifications/email",
            Some(&cookie),
            &[("csrf_token", &csrf), ("email", "off")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!app.db.email_enabled(head).await.unwrap());
    // The API: the caller's own inbox.
    let u = app.user(Role::Adviser);
    let r = app
        .api(Method::GET, "/api/v1/notifications", Some(&u.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["unread"], 1);
    assert_eq!(j["items"].as_array().unwrap().len(), 1);
    assert_eq!(j["items"][0]["subject"], "Adviser's own notice");
    assert_eq!(j["email_enabled"], true);
}

/// Two advisers' visits to two schools, written directly.
async fn visits(app: &TestApp) {
    let t = uplift_store::now();
    for urn in [OWN_SCHOOL, OTHER_SCHOOL] {
        app.db
            .execute_raw(&format!(
                "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
                app.org_id
            ))
            .await
            .unwrap();
    }
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
    for (id, urn, adviser, date, start, end, focus) in [
        (
            1,
            OWN_SCHOOL,
            1,
            "2026-12-01",
            "'09:30'",
            "'12:00'",
            "Early reading; phonics, and writing",
        ),
        (2, OWN_SCHOOL, 2, "2027-01-12", "NULL", "NULL", "Attendance"),
        (
            3,
            OTHER_SCHOOL,
            1,
            "2026-12-03",
            "'13:00'",
            "NULL",
            "Secret focus of another school",
        ),
    ] {
        app.db
            .execute_raw(&format!(
                "INSERT INTO visits (id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date,
                     start_time, end_time, focus, attendees, stage, response_working_days, created_by, created_at, updated_at)
                 VALUES ({id}, {}, {urn}, {adviser}, 'school_effectiveness', '2026/27', '{date}', {start}, {end},
                     '{focus}', '[\"Headteacher\"]', 'planned', 10, 'test', '{t}', '{t}')",
                app.org_id
            ))
            .await
            .unwrap();
    }
}

/// The feed's address from the confirmation panel.
fn feed_path(body: &str) -> String {
    let i = body.find("/feeds/cal_").expect("feed address on the page");
    body[i..].split('<').next().unwrap().to_string()
}

fn parse(ics: &str) -> Vec<ical::parser::ical::component::IcalEvent> {
    let mut cals = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let cal = cals.next().expect("one calendar").expect("parses");
    assert!(cals.next().is_none());
    cal.events
}

fn prop<'a>(e: &'a ical::parser::ical::component::IcalEvent, name: &str) -> Option<&'a str> {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

#[tokio::test]
async fn a_school_feed_parses_and_never_shows_another_school() {
    let app = TestApp::new().await;
    visits(&app).await;
    let (cookie, csrf) = app.session(Role::School).await;
    let page = app.get("/calendar", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("school:{OWN_SCHOOL}")));
    assert!(!page.body.contains(&format!("school:{OTHER_SCHOOL}")));
    assert!(!page.body.contains("adviser:"));
    // Another school's feed, or an adviser's: refused with the error summary, nothing saved.
    for subject in [format!("school:{OTHER_SCHOOL}"), "adviser:1".to_string()] {
        let r = app
            .post_form(
                "/calendar",
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("subject", &subject),
                    ("name", "Theirs"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{subject}");
        assert!(r.body.contains("href=\"#subject\""));
    }
    assert!(app
        .db
        .calendar_feeds(app.user(Role::School).id)
        .await
        .unwrap()
        .is_empty());
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", &format!("school:{OWN_SCHOOL}")),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#name\""));
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", &format!("school:{OWN_SCHOOL}")),
                ("name", "Our visits"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let path = feed_path(&r.body);
    // The feed needs no session: its secret is the credential.
    let feed = app.get(&path, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert_eq!(feed.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let events = parse(&feed.body);
    assert_eq!(
        events.len(),
        2,
        "both visits to the school, by either adviser"
    );
    let uids: Vec<&str> = events.iter().filter_map(|e| prop(e, "UID")).collect();
    assert!(
        uids.iter()
            .all(|u| u.starts_with("visit-1@") || u.starts_with("visit-2@")),
        "{uids:?}"
    );
    assert!(!feed.body.contains("Secret focus"));
    assert!(!feed.body.contains("Argyle"));
    let timed = events
        .iter()
        .find(|e| prop(e, "UID").unwrap().starts_with("visit-1@"))
        .unwrap();
    assert_eq!(prop(timed, "DTSTART"), Some("20261201T093000"));
    assert!(prop(timed, "DESCRIPTION")
        .unwrap()
        .contains("phonics\\, and writing"));
    // Revoked: gone.
    let id = app
        .db
        .calendar_feeds(app.user(Role::School).id)
        .await
        .unwrap()[0]
        .id;
    let r = app
        .post_form(
            "/calendar/revoke",
            Some(&cookie),
            &[("csrf_token", &csrf), ("id", &id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    // Unknown and malformed secrets: 404.
    assert_eq!(
        app.get("/feeds/cal_nothing.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
    let forged = format!("/feeds/cal_{}.ics", "0".repeat(64));
    assert_eq!(app.get(&forged, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn advisers_subscribe_to_their_own_visits_and_leads_to_anyones() {
    let app = TestApp::new().await;
    visits(&app).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    // Another adviser's visits: refused.
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", "adviser:2"),
                ("name", "Ben's"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", "adviser:1"),
                ("name", "My visits"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let feed = app.get(&feed_path(&r.body), None).await;
    let events = parse(&feed.body);
    let mut uids: Vec<String> = events
        .iter()
        .filter_map(|e| prop(e, "UID"))
        .map(|u| u.split('@').next().unwrap().to_string())
        .collect();
    uids.sort();
    assert_eq!(uids, vec!["visit-1", "visit-3"]);
    // A lead may subscribe to any adviser's visits.
    let (cookie, csrf) = app.session(Role::Lead).await;
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", "adviser:2"),
                ("name", "Ben's visits"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let events = parse(&app.get(&feed_path(&r.body), None).await.body);
    assert_eq!(events.len(), 1);
    assert!(prop(&events[0], "DTSTART").unwrap().contains("20270112"));
    // The API lists one's own feeds, without their secrets.
    let u = app.user(Role::Lead);
    let j = app
        .api(Method::GET, "/api/v1/calendar-feeds", Some(&u.token))
        .await
        .json();
    assert_eq!(j.as_array().unwrap().len(), 1);
    assert_eq!(j[0]["adviser_id"], 2);
    assert!(!j.to_string().contains("secret"));
    // Commissioners have nothing to subscribe to.
    let (cookie, csrf) = app.session(Role::Commissioner).await;
    let r = app
        .post_form(
            "/calendar",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("subject", &format!("school:{OWN_SCHOOL}")),
                ("name", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
