//! Secure cookies are `__Host-` cookies (Path=/, no Domain); over plain HTTP
//! the names stay as they were, since a `__Host-` cookie must be Secure.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use uplift_web::{AppState, CookieSecure, WebConfig};

use crate::common::{Reply, TestApp, PASSWORD};

fn with_cookie_secure(app: &mut TestApp, cookie_secure: CookieSecure) {
    let config = WebConfig {
        cookie_secure,
        ..WebConfig::default()
    };
    app.state = AppState::new(app.db.clone(), config);
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    tls: bool,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Reply {
    let mut b = Request::builder().method(method).uri(path);
    if tls {
        b = b.header("x-forwarded-proto", "https");
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(f)
                    .finish(),
            )
        }
        None => Body::empty(),
    };
    app.send(b.body(body).unwrap()).await
}

fn set_cookie(r: &Reply, name: &str) -> String {
    r.set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", r.set_cookies()))
}

/// Signs in; returns the session cookie's name=value.
async fn sign_in(app: &TestApp, tls: bool, csrf_name: &str, session_name: &str) -> String {
    let page = send(app, Method::GET, "/sign-in", tls, None, None).await;
    let pre = set_cookie(&page, csrf_name);
    assert!(
        pre.contains("Path=/") && !pre.to_ascii_lowercase().contains("domain="),
        "{pre}"
    );
    let pre_value = pre.split(';').next().unwrap().to_string();
    let token = page.hidden("csrf_token").unwrap();
    let r = send(
        app,
        Method::POST,
        "/sign-in",
        tls,
        Some(&pre_value),
        Some(&[
            ("email", "lead@camden.example"),
            ("password", PASSWORD),
            ("csrf_token", &token),
            ("next", "/"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let session = set_cookie(&r, session_name);
    assert!(
        session.contains("Path=/") && session.contains("HttpOnly"),
        "{session}"
    );
    assert!(
        !session.to_ascii_lowercase().contains("domain="),
        "{session}"
    );
    session.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn secure_cookies_have_host_prefixed_names() {
    for (mode, tls) in [
        (CookieSecure::Always, false),
        (CookieSecure::Always, true),
        (CookieSecure::Auto, true),
    ] {
        let mut app = TestApp::new().await;
        with_cookie_secure(&mut app, mode);
        let page = send(&app, Method::GET, "/sign-in", tls, None, None).await;
        let pre = set_cookie(&page, "__Host-uplift_csrf");
        assert!(pre.contains("Secure"), "{pre}");
        assert!(!page
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("uplift_csrf=")));
        let session = sign_in(&app, tls, "__Host-uplift_csrf", "__Host-uplift_session").await;
        // The session works under its own name only.
        assert_eq!(
            send(&app, Method::GET, "/", tls, Some(&session), None)
                .await
                .status,
            StatusCode::OK
        );
        let plain_name = session.replacen("__Host-", "", 1);
        let r = send(&app, Method::GET, "/", tls, Some(&plain_name), None).await;
        assert!(
            r.location().starts_with("/sign-in"),
            "{mode:?}: an unprefixed cookie is not a session"
        );
        // Signing out clears the same cookie.
        let account = send(&app, Method::GET, "/account", tls, Some(&session), None).await;
        let csrf = account.hidden("csrf_token").unwrap();
        let r = send(
            &app,
            Method::POST,
            "/sign-out",
            tls,
            Some(&session),
            Some(&[("csrf_token", &csrf)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let cleared = set_cookie(&r, "__Host-uplift_session");
        assert!(
            cleared.contains("Max-Age=0") && cleared.contains("Secure"),
            "{cleared}"
        );
    }
}

#[tokio::test]
async fn plain_http_keeps_the_plain_names() {
    for mode in [CookieSecure::Auto, CookieSecure::Never] {
        let mut app = TestApp::new().await;
        with_cookie_secure(&mut app, mode);
        let session = sign_in(&app, false, "uplift_csrf", "uplift_session").await;
        assert!(session.starts_with("uplift_session="));
        assert_eq!(
            send(&app, Method::GET, "/", false, Some(&session), None)
                .await
                .status,
            StatusCode::OK
        );
        let page = send(&app, Method::GET, "/sign-in", false, None, None).await;
        assert!(!page
            .set_cookies()
            .iter()
            .any(|c| c.contains("__Host-") || c.contains("Secure")));
    }
    // `never` stays plain even behind TLS.
    let mut app = TestApp::new().await;
    with_cookie_secure(&mut app, CookieSecure::Never);
    sign_in(&app, true, "uplift_csrf", "uplift_session").await;
}
