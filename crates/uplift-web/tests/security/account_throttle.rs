//! The current-password check on the account page is throttled like sign-in.

use axum::http::StatusCode;
use uplift_domain::access::Role;
use uplift_domain::identity::Email;
use uplift_web::auth::password::verify_password;

use crate::common::{TestApp, PASSWORD};

#[tokio::test]
async fn five_wrong_current_passwords_stop_the_check_for_a_while() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Panel).await;
    let change = |current: &'static str| {
        let cookie = cookie.clone();
        let csrf = csrf.clone();
        let app = &app;
        async move {
            app.post_form(
                "/account",
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("current_password", current),
                    ("new_password", "an entirely fresh passphrase"),
                    ("confirm_password", "an entirely fresh passphrase"),
                ],
            )
            .await
        }
    };
    for i in 0..5 {
        let r = change("not my password at all").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "attempt {i}");
        assert!(r.body.contains("Your current password is not correct"));
    }
    // Now even the right password is not checked.
    let r = change(PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(
        r.body.contains("too many times") && r.body.contains("15 minutes"),
        "{}",
        r.body
    );
    let email = Email::parse("panel@camden.example").unwrap();
    let (_, hash) = app.db.user_with_hash(&email).await.unwrap().unwrap();
    assert!(
        verify_password(PASSWORD, &hash),
        "the password did not change"
    );
    // Another account is unaffected.
    let (other, other_csrf) = app.session(Role::Adviser).await;
    let r = app
        .post_form(
            "/account",
            Some(&other),
            &[
                ("csrf_token", &other_csrf),
                ("current_password", PASSWORD),
                ("new_password", "an entirely fresh passphrase"),
                ("confirm_password", "an entirely fresh passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
