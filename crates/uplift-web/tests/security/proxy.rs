//! The sign-in throttle keys on the real client behind a trusted reverse
//! proxy, and never on an X-Forwarded-For an untrusted peer made up.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use uplift_web::{AppState, TrustedProxies, WebConfig};

use crate::common::{Reply, TestApp, PASSWORD};

fn behind(app: &mut TestApp, proxies: &str) {
    let config = WebConfig {
        trusted_proxies: TrustedProxies::parse(proxies).unwrap(),
        ..WebConfig::default()
    };
    app.state = AppState::new(app.db.clone(), config);
}

/// Signs in over a TCP connection from `peer`, with the proxy's header.
async fn sign_in_from(
    app: &TestApp,
    peer: &str,
    forwarded_for: Option<&str>,
    email: &str,
    password: &str,
) -> Reply {
    let page = app.get("/sign-in", None).await;
    let pre = page.cookie("uplift_csrf").unwrap();
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("email", email),
            ("password", password),
            ("csrf_token", &page.hidden("csrf_token").unwrap()),
            ("next", "/"),
        ])
        .finish();
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("uplift_csrf={pre}"));
    if let Some(x) = forwarded_for {
        b = b.header("x-forwarded-for", x);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    app.send(req).await
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_client_cannot_lock_out_another() {
    let mut app = TestApp::new().await;
    behind(&mut app, "10.0.0.0/24, 192.0.2.10");
    // Twenty failures from one client (different accounts, so no account locks),
    // through two trusted proxies.
    for i in 0..20 {
        let r = sign_in_from(
            &app,
            "10.0.0.5:40000",
            Some("203.0.113.7, 192.0.2.10"),
            &format!("nobody{i}@camden.example"),
            "not the password at all",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // That client is now locked, even with a right password...
    let r = sign_in_from(
        &app,
        "10.0.0.5:40001",
        Some("203.0.113.7"),
        "lead@camden.example",
        PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // ...but another client behind the same proxy is not.
    let r = sign_in_from(
        &app,
        "10.0.0.5:40002",
        Some("198.51.100.20"),
        "lead@camden.example",
        PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A client's own made-up entries to the left are not believed: the
    // right-most address that is not a trusted proxy is the client.
    let r = sign_in_from(
        &app,
        "10.0.0.5:40003",
        Some("198.51.100.99, 203.0.113.7, 192.0.2.10"),
        "adviser@camden.example",
        PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let mut app = TestApp::new().await;
    behind(&mut app, "10.0.0.1");
    // An attacker connecting directly invents a new address every time.
    for i in 0..20 {
        let r = sign_in_from(
            &app,
            "198.51.100.7:5000",
            Some(&format!("203.0.113.{i}")),
            &format!("nobody{i}@camden.example"),
            "not the password at all",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = sign_in_from(
        &app,
        "198.51.100.7:5001",
        Some("203.0.113.200"),
        "lead@camden.example",
        PASSWORD,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the peer itself is throttled"
    );
    // Another peer is not.
    let r = sign_in_from(
        &app,
        "198.51.100.8:5000",
        None,
        "lead@camden.example",
        PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}
