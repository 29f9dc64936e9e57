//! API tokens end with a password change and can be given an expiry; an
//! expired token answers 401 like a revoked one.

use axum::http::{Method, StatusCode};
use uplift_domain::access::Role;

use crate::common::{TestApp, PASSWORD};

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.api(Method::GET, "/api/v1/me", Some(token)).await.status
}

#[tokio::test]
async fn changing_the_password_on_the_account_page_ends_the_users_tokens() {
    let app = TestApp::new().await;
    let adviser = app.user(Role::Adviser);
    assert_eq!(me(&app, &adviser.token).await, StatusCode::OK);
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let r = app
        .post_form(
            "/account",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "an entirely fresh passphrase"),
                ("confirm_password", "an entirely fresh passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(me(&app, &adviser.token).await, StatusCode::UNAUTHORIZED);
    // Other users' tokens go on working.
    assert_eq!(me(&app, &app.user(Role::Lead).token).await, StatusCode::OK);
}

#[tokio::test]
async fn a_token_can_be_given_an_expiry_on_the_tokens_page() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    // Bad numbers are refused naming the field; nothing is created.
    for bad in ["0", "367", "ninety", "-5", "1.5"] {
        let r = app
            .post_form(
                "/tokens",
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("name", "finance export"),
                    ("expires_in_days", bad),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body.contains("govuk-error-summary"), "{bad}");
        assert!(
            r.body.contains("href=\"#expires_in_days\""),
            "{bad}: {}",
            r.body
        );
        assert!(r.body.contains("between 1 and 366"), "{bad}");
    }
    assert_eq!(
        app.db.tokens(app.user(Role::Lead).id).await.unwrap().len(),
        1
    );
    // 30 days: shown with its expiry date.
    let r = app
        .post_form(
            "/tokens",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("name", "finance export"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r
        .body
        .split("upl_")
        .nth(1)
        .map(|rest| format!("upl_{}", &rest[..64]))
        .unwrap();
    let expiry = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(30 * 24))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let shown = expiry.strftime("%-d %B %Y").to_string();
    let page = app.get("/tokens", Some(&cookie)).await;
    assert!(page.body.contains("Expires"), "{}", page.body);
    assert!(page.body.contains(&shown), "{shown} in {}", page.body);
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    // Once the expiry has passed, the token answers 401 like a revoked one.
    app.db
        .execute_raw(&format!(
            "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE prefix = '{}'",
            &token[..10]
        ))
        .await
        .unwrap();
    let r = app.api(Method::GET, "/api/v1/me", Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json()["error"].as_str().unwrap().contains("expired"),
        "{}",
        r.body
    );
    // Without an expiry: never expires.
    let r = app
        .post_form(
            "/tokens",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("name", "forever"),
                ("expires_in_days", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = app.get("/tokens", Some(&cookie)).await;
    assert!(page.body.contains("No expiry"), "{}", page.body);
}
