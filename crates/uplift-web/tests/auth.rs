//! Signing in, sessions, CSRF, security headers, tokens and tenancy, through
//! the whole application.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{TestApp, PASSWORD};
use uplift_domain::access::Role;

#[tokio::test]
async fn sign_in_success_sets_a_safe_session_cookie_and_records_it() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in?next=%2Faudit", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sign in"));
    let pre = page.cookie("uplift_csrf").unwrap();
    let token = page.hidden("csrf_token").unwrap();
    let r = app
        .post_form(
            "/sign-in",
            Some(&format!("uplift_csrf={pre}")),
            &[
                ("email", "LEAD@camden.example"),
                ("password", PASSWORD),
                ("csrf_token", &token),
                ("next", "/audit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/audit");
    let set = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("uplift_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "not over TLS");
    let entries = app
        .db
        .audit_entries(&uplift_store::audit::AuditFilter {
            action: Some("sign_in".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "lead@camden.example");
}

#[tokio::test]
async fn cookies_are_secure_behind_tls() {
    let app = TestApp::new().await;
    let req = Request::builder()
        .uri("/sign-in")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert!(r
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-uplift_csrf=") && c.contains("Secure")));
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());
}

#[tokio::test]
async fn wrong_password_unknown_email_and_open_redirects_are_refused() {
    let app = TestApp::new().await;
    let e = app
        .sign_in("lead@camden.example", "wrong password entirely")
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::UNAUTHORIZED);
    assert!(e
        .body
        .contains("Enter a correct email address and password"));
    assert!(e.body.contains("govuk-error-summary"));
    assert!(e.body.contains("<title>Error: "));
    let e = app
        .sign_in("nobody@camden.example", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::UNAUTHORIZED);
    let e = app.sign_in("", "").await.unwrap_err();
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert!(e.body.contains("Enter your email address") && e.body.contains("Enter your password"));
    // next must stay on this site.
    let page = app.get("/sign-in", None).await;
    let pre = page.cookie("uplift_csrf").unwrap();
    let r = app
        .post_form(
            "/sign-in",
            Some(&format!("uplift_csrf={pre}")),
            &[
                ("email", "lead@camden.example"),
                ("password", PASSWORD),
                ("csrf_token", &page.hidden("csrf_token").unwrap()),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}

#[tokio::test]
async fn repeated_failures_lock_sign_in() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let e = app
            .sign_in("adviser@camden.example", "not the password at all")
            .await
            .unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while locked.
    let e = app
        .sign_in("adviser@camden.example", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(e.body.contains("too many failed attempts"));
    // Other accounts are unaffected.
    assert!(app.sign_in("lead@camden.example", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token_and_same_origin() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    // No token.
    let r = app
        .post_form("/tokens", Some(&cookie), &[("name", "x")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("This form has expired"));
    // Wrong token.
    let r = app
        .post_form(
            "/tokens",
            Some(&cookie),
            &[("name", "x"), ("csrf_token", "0000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Right token from another site.
    let body = format!("name=x&csrf_token={csrf}");
    let req = Request::builder()
        .method(Method::POST)
        .uri("/tokens")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "uplift.camden.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    // Nothing was created by any of those.
    assert_eq!(
        app.db
            .tokens(app.user(Role::Adviser).id)
            .await
            .unwrap()
            .len(),
        1
    );
    // The right token, same origin: created, and shown once.
    let r = app
        .post_form(
            "/tokens",
            Some(&cookie),
            &[("name", "nightly export"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("upl_"));
    assert_eq!(
        app.db
            .tokens(app.user(Role::Adviser).id)
            .await
            .unwrap()
            .len(),
        2
    );
    // Signing in without the pre-session cookie is refused.
    let r = app
        .post_form(
            "/sign-in",
            None,
            &[("email", "lead@camden.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/sign-in",
        "/",
        "/nowhere",
        "/api/v1/me",
        "/assets/uplift.css",
    ] {
        let r = app.get(path, None).await;
        let csp = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(
            r.headers.get(header::REFERRER_POLICY).unwrap(),
            "same-origin"
        );
        assert!(r.headers.get("x-request-id").is_some(), "{path}");
    }
    let r = app.get("/sign-in", None).await;
    assert!(
        !r.body.contains("<script>") && !r.body.contains(" style="),
        "no inline script or style"
    );
}

#[tokio::test]
async fn error_pages_are_accessible_pages() {
    let app = TestApp::new().await;
    let r = app.get("/no/such/page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("<h1")
            && r.body.contains("Page not found")
            && r.body.contains("lang=\"en\"")
    );
    let (cookie, _) = app.session(Role::Adviser).await;
    let r = app.get("/audit", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("You do not have access to this page"));
}

#[tokio::test]
async fn tokens_malformed_revoked_and_scoped() {
    let app = TestApp::new().await;
    let r = app
        .api(Method::GET, "/api/v1/me", Some("not-a-token"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("malformed"));
    let req = Request::builder()
        .uri("/api/v1/me")
        .header(header::AUTHORIZATION, "Basic abc")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNAUTHORIZED);
    let fake = format!("upl_{}", "0".repeat(64));
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&fake)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let school = app.user(Role::School);
    let me = app
        .api(Method::GET, "/api/v1/me", Some(&school.token))
        .await
        .json();
    assert_eq!(me["role"], "school");
    assert_eq!(me["school_urn"], common::OWN_SCHOOL);
    assert_eq!(me["organisation"]["slug"], "camden");
    // Revoke through the page; the token stops working.
    let (cookie, csrf) = app.session(Role::School).await;
    let r = app
        .post_form(
            &format!("/tokens/{}/revoke", school.token_id),
            Some(&cookie),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&school.token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Nobody revokes someone else's token.
    let lead = app.user(Role::Lead);
    let r = app
        .post_form(
            &format!("/tokens/{}/revoke", lead.token_id),
            Some(&cookie),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&lead.token))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn nobody_sees_across_organisations() {
    let app = TestApp::new().await;
    let barnet = app
        .api(Method::GET, "/api/v1/users", Some(&app.other_admin.token))
        .await
        .json();
    let emails: Vec<&str> = barnet
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["admin@barnet.example"]);
    let camden = app
        .api(
            Method::GET,
            "/api/v1/users",
            Some(&app.user(Role::Admin).token),
        )
        .await
        .json();
    assert_eq!(camden.as_array().unwrap().len(), 7);
    let audit = app
        .api(Method::GET, "/api/v1/audit", Some(&app.other_admin.token))
        .await
        .json();
    for item in audit["items"].as_array().unwrap() {
        let after = item["after"].to_string();
        assert!(
            !after.contains("camden"),
            "Barnet sees a Camden audit entry: {after}"
        );
    }
    assert!(!audit["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_is_audited() {
    let app = TestApp::new().await;
    let (first, _) = app.session(Role::Panel).await;
    let (cookie, csrf) = app.session(Role::Panel).await;
    let r = app
        .post_form(
            "/account",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("at least 12 characters"));
    let r = app
        .post_form(
            "/account",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let fresh = format!("uplift_session={}", r.cookie("uplift_session").unwrap());
    assert_eq!(app.get("/", Some(&fresh)).await.status, StatusCode::OK);
    assert!(app
        .get("/", Some(&first))
        .await
        .location()
        .starts_with("/sign-in"));
    assert!(app
        .sign_in("panel@camden.example", "a brand new passphrase")
        .await
        .is_ok());
    let audit = app
        .api(
            Method::GET,
            "/api/v1/audit?entity=user&action=update",
            Some(&app.user(Role::Admin).token),
        )
        .await
        .json();
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["actor"], "panel@camden.example");
    assert!(!items[0].to_string().contains("argon2"));
}

#[tokio::test]
async fn the_audit_page_filters_and_refuses_bad_dates() {
    let app = TestApp::new().await;
    let (cookie, _) = app.session(Role::Lead).await;
    let r = app
        .get("/audit?action=create&entity=user", Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("lead@camden.example") || r.body.contains("cli"));
    let r = app
        .get(
            "/audit?from-day=31&from-month=13&from-year=2026",
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("The from date must be a real date"),
        "{}",
        r.body
    );
    // A range that ends before it starts is refused on the "to" date.
    let r = app
        .get(
            "/audit?from-day=2&from-month=12&from-year=2026&to-day=1&to-month=12&to-year=2026",
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#to\""), "{}", r.body);
    assert!(r
        .body
        .contains("The to date must be the same as or after the from date"));
    // The same through the API is a 422 naming the field.
    let token = app.user(Role::Lead).token.clone();
    let r = app
        .api(Method::GET, "/api/v1/audit?from=31-12-2026", Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "from");
    let r = app
        .api(
            Method::GET,
            "/api/v1/audit?from=2026-12-02&to=2026-12-01",
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.json()["errors"][0]["message"],
        "The to date must be the same as or after the from date"
    );
}

#[tokio::test]
async fn the_home_page_shows_only_what_exists_for_each_role() {
    let app = TestApp::new().await;
    let (cookie, _) = app.session(Role::Admin).await;
    let r = app.get("/", Some(&cookie)).await;
    assert!(r.body.contains("Camden Council"));
    assert!(
        r.body.contains("uplift-card__value\">7<"),
        "the real user count: {}",
        r.body
    );
    let (cookie, _) = app.session(Role::Traded).await;
    let r = app.get("/", Some(&cookie)).await;
    assert!(!r.body.contains("Audit log entries"));
    assert!(
        !r.body.contains("href=\"/users\""),
        "no link to a page the role cannot open"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().unwrap();
    for r in uplift_web::routes::all() {
        if r.surface == uplift_web::routes::Surface::Api && r.path != "/api/openapi.json" {
            assert!(
                paths.contains_key(r.path),
                "{} missing from the OpenAPI document",
                r.path
            );
        }
    }
}
