//! No part of a multipart body is buffered before the request has passed the
//! guard: an anonymous upload, or one whose first field is not the CSRF
//! token, or one declared larger than the limit, is refused unread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use futures_util::StreamExt;
use uplift_domain::access::Role;

use crate::common::{Reply, TestApp};

const CT: &str = "multipart/form-data; boundary=XTRIPX";

/// A body that yields `prefix` (if any) and then trips the wire: any read
/// past the prefix is recorded (and fails).
fn tripwire(prefix: Option<&'static str>) -> (Body, Arc<AtomicBool>) {
    let tripped = Arc::new(AtomicBool::new(false));
    let t = tripped.clone();
    let first = futures_util::stream::iter(
        prefix.map(|p| Ok::<Bytes, std::io::Error>(Bytes::from_static(p.as_bytes()))),
    );
    let rest = futures_util::stream::poll_fn(move |_| {
        t.store(true, Ordering::SeqCst);
        Poll::Ready(Some(Err(std::io::Error::other("the body was read"))))
    });
    (Body::from_stream(first.chain(rest)), tripped)
}

async fn post(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    length: Option<u64>,
    body: Body,
) -> Reply {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, CT);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(n) = length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    app.send(b.body(body).unwrap()).await
}

#[tokio::test]
async fn anonymous_multipart_bodies_are_never_read() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in", None).await;
    let pre = format!("uplift_csrf={}", page.cookie("uplift_csrf").unwrap());
    // The public sign-in form, with a pre-session cookie: refused unread.
    let (body, tripped) = tripwire(None);
    let r = post(&app, "/sign-in", Some(&pre), Some(50 * 1024 * 1024), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        !tripped.load(Ordering::SeqCst),
        "the anonymous body was read"
    );
    // Uploads: sent to sign in (pages) or answered 401 (API), unread.
    for (path, cookie, want) in [
        (
            "/visits/1/attachments",
            Some(pre.as_str()),
            StatusCode::SEE_OTHER,
        ),
        ("/settings/letterhead", None, StatusCode::SEE_OTHER),
        (
            "/api/v1/visits/1/attachments",
            None,
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let (body, tripped) = tripwire(None);
        let r = post(&app, path, cookie, None, body).await;
        assert_eq!(r.status, want, "{path}");
        assert!(!tripped.load(Ordering::SeqCst), "{path}: the body was read");
    }
}

#[tokio::test]
async fn a_multipart_body_without_the_token_first_is_refused_before_the_file_is_read() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    for path in ["/visits/1/attachments", "/settings/letterhead"] {
        // The first field is not the token.
        let (body, tripped) = tripwire(Some(
            "--XTRIPX\r\nContent-Disposition: form-data; name=\"attach_to\"\r\n\r\nvisit\r\n--XTRIPX\r\n",
        ));
        let r = post(&app, path, Some(&cookie), None, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(r.body.contains("This form has expired"), "{path}");
        assert!(
            !tripped.load(Ordering::SeqCst),
            "{path}: read past the first field"
        );
        // A wrong token.
        let (body, tripped) = tripwire(Some(
            "--XTRIPX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n0000\r\n--XTRIPX\r\n",
        ));
        let r = post(&app, path, Some(&cookie), None, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            !tripped.load(Ordering::SeqCst),
            "{path}: read past a wrong token"
        );
        // Declared larger than any upload may be: refused before reading a byte.
        let (body, tripped) = tripwire(None);
        let r = post(&app, path, Some(&cookie), Some(1 << 40), body).await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains("too large"), "{path}");
        assert!(
            !tripped.load(Ordering::SeqCst),
            "{path}: a huge body was read"
        );
    }
    // The right token first: the guard lets the request through to the
    // handler, which reads the rest (here it fails to, and says so).
    let prefix: &'static str = Box::leak(
        format!("--XTRIPX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n--XTRIPX\r\n")
            .into_boxed_str(),
    );
    let (body, tripped) = tripwire(Some(prefix));
    let r = post(&app, "/settings/letterhead", Some(&cookie), None, body).await;
    assert!(tripped.load(Ordering::SeqCst), "the handler reads the form");
    assert_ne!(r.status, StatusCode::OK);
    assert!(!r.body.contains("This form has expired"), "{}", r.body);
}
