//! `next` after sign-in is only ever a path on this site.

use axum::http::StatusCode;

use crate::common::{TestApp, PASSWORD};

const OFF_SITE: &[&str] = &[
    "//evil.example/x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "/x\\y",
    "https://evil.example/",
    "\n",
    "/\n",
    "/caf\u{e9}",
    "/ /evil.example",
    "evil.example",
];

#[tokio::test]
async fn sign_in_next_is_only_a_local_path() {
    let app = TestApp::new().await;
    for (next, want) in OFF_SITE.iter().map(|n| (*n, "/")).chain([
        ("/audit?x=1", "/audit?x=1"),
        ("/schools/100005", "/schools/100005"),
    ]) {
        // The form: `next` decoded from the body as the form does.
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
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.location(), want, "POST next={next:?}");
    }
}

#[tokio::test]
async fn a_signed_in_visitor_to_the_sign_in_page_stays_on_this_site() {
    let app = TestApp::new().await;
    let (cookie, _) = app.session(uplift_domain::access::Role::Lead).await;
    for (query, want) in [
        ("next=/%09/evil.example", "/"),
        ("next=%0A", "/"),
        ("next=/%0A", "/"),
        ("next=/%0D%0ASet-Cookie:x=1", "/"),
        ("next=/%5Cevil.example", "/"),
        ("next=%2F%2Fevil.example", "/"),
        ("next=/caf%C3%A9", "/"),
        ("next=%2Faudit%3Fx%3D1", "/audit?x=1"),
    ] {
        let r = app.get(&format!("/sign-in?{query}"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{query}: {}", r.body);
        assert_eq!(r.location(), want, "GET {query}");
    }
    // Not signed in: the page, with nothing unsafe carried into the form.
    let r = app.get("/sign-in?next=/%09/evil.example", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("evil.example"), "{}", r.body);
    let r = app.get("/sign-in?next=%0A", None).await;
    assert_eq!(r.status, StatusCode::OK);
}
