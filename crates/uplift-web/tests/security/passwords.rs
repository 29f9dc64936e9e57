//! New passwords must be hard to guess: zxcvbn's score of at least 3, and
//! nothing of the organisation's name or the user's own email or name.

use axum::http::StatusCode;
use uplift_domain::access::Role;

use crate::common::{TestApp, PASSWORD};

#[tokio::test]
async fn weak_or_personal_passwords_are_refused_on_the_account_page() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Panel).await;
    for (weak, why) in [
        ("password1234", "harder to guess"),
        ("qwertyuiop123", "harder to guess"),
        ("Camden Council 2026!", "name of your organisation"),
        ("i love camden council", "name of your organisation"),
        ("zebra panel@camden.example", "email address"),
        ("Test ninety forty two", "your name"),
    ] {
        let r = app
            .post_form(
                "/account",
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("current_password", PASSWORD),
                    ("new_password", weak),
                    ("confirm_password", weak),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{weak}");
        assert!(
            r.body.contains("Choose a password that is harder to guess"),
            "{weak}: {}",
            r.body
        );
        assert!(r.body.contains(why), "{weak} should say {why:?}");
        assert!(r.body.contains("href=\"#new_password\""), "{weak}");
    }
    // Still at least 12 characters.
    let r = app
        .post_form(
            "/account",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "Xq7#vL!9"),
                ("confirm_password", "Xq7#vL!9"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("12 characters"));
    // A strong passphrase is accepted.
    let r = app
        .post_form(
            "/account",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "marble trumpet orchard violet"),
                ("confirm_password", "marble trumpet orchard violet"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
