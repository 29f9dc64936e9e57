//! Protection against cross-site request forgery on every state-changing
//! request made with a cookie: the browser must say the request is same-origin
//! (Origin / Sec-Fetch-Site), and the form must carry the session's token
//! (`csrf_token` field or `X-CSRF-Token` header). Before sign-in the token is a
//! random cookie echoed in the form (double submit). Requests authenticated
//! with a bearer token carry no cookie and need no CSRF token.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};

use crate::auth::{cookie, CurrentUser, Via, PRE_SESSION_CSRF_COOKIE};
use crate::error::Problem;

/// The largest form body read to find the token.
const MAX_FORM: usize = 1024 * 1024;

pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True when the browser says the request came from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site == "cross-site" || site == "same-site" {
            return true;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin == "null" {
            return true;
        }
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if !host.is_empty() && origin_host != host {
            return true;
        }
    }
    false
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks an unsafe request; returns it (with its body intact) or the problem.
pub async fn verify(req: Request) -> Result<Request, Problem> {
    if is_safe(req.method()) {
        return Ok(req);
    }
    let user = req.extensions().get::<CurrentUser>();
    let expected = match user.map(|u| &u.via) {
        Some(Via::Token) => return Ok(req),
        Some(Via::Session(s)) => s.csrf_token.clone(),
        None => match cookie(req.headers(), PRE_SESSION_CSRF_COOKIE) {
            Some(c) => c.to_string(),
            None => return Err(expired()),
        },
    };
    if cross_site(req.headers()) {
        return Err(Problem::Forbidden);
    }
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_time_eq(h, &expected) {
            Ok(req)
        } else {
            Err(expired())
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(expired());
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM)
        .await
        .map_err(|_| Problem::BadRequest("The form is too large.".into()))?;
    let supplied = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !constant_time_eq(&supplied, &expected) {
        return Err(expired());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn expired() -> Problem {
    Problem::BadRequest(
        "This form has expired or did not come from Uplift. Go back, reload the page and try again.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_detection() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(!cross_site(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(!cross_site(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(cross_site(&h));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(cross_site(&h));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!cross_site(&h));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(!constant_time_eq("", "a"));
    }
}
