//! Protection against cross-site request forgery on every state-changing
//! request made with a cookie: the browser must say the request is same-origin
//! (Origin / Sec-Fetch-Site), and the form must carry the session's token
//! (`csrf_token` field or `X-CSRF-Token` header). Before sign-in the token is a
//! random cookie echoed in the form (double submit). Requests authenticated
//! with a bearer token carry no cookie and need no CSRF token.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};

use crate::auth::{cookie, CurrentUser, Via};
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
/// `pre_session_cookie` is the pre-sign-in CSRF cookie's name on this request.
pub async fn verify(req: Request, pre_session_cookie: &str) -> Result<Request, Problem> {
    verify_with_limit(req, DEFAULT_MULTIPART_LIMIT, pre_session_cookie).await
}

/// The largest multipart body read to find the token when no limit is given.
pub const DEFAULT_MULTIPART_LIMIT: usize = 11 * 1024 * 1024;

/// As [`verify`]; a multipart form (a file upload) is read up to
/// `multipart_limit` bytes and its `csrf_token` field checked before the
/// handler sees the file.
pub async fn verify_with_limit(
    req: Request,
    multipart_limit: usize,
    pre_session_cookie: &str,
) -> Result<Request, Problem> {
    if is_safe(req.method()) {
        return Ok(req);
    }
    let user = req.extensions().get::<CurrentUser>();
    let expected = match user.map(|u| &u.via) {
        Some(Via::Token) => return Ok(req),
        Some(Via::Session(s)) => s.csrf_token.clone(),
        None => match cookie(req.headers(), pre_session_cookie) {
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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return verify_multipart(req, &expected, multipart_limit).await;
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
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

/// Finds the `csrf_token` field of a multipart form (read whole, up to
/// `limit`) and compares it; the request goes on with the same bytes.
async fn verify_multipart(req: Request, expected: &str, limit: usize) -> Result<Request, Problem> {
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
                .map(|b| b.trim_matches('"').to_string())
        })
        .filter(|b| !b.is_empty())
        .ok_or_else(expired)?;
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        Problem::BadRequest(format!(
            "The upload is too large: files must be smaller than {}. Go back and choose a smaller file.",
            uplift_store::attachments::human_size(limit.saturating_sub(1024 * 1024) as u64)
        ))
    })?;
    let supplied = multipart_field(&bytes, &boundary, "csrf_token").unwrap_or_default();
    if !constant_time_eq(&supplied, expected) {
        return Err(expired());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The text of a small field of a multipart/form-data body (RFC 7578).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    for w in starts.windows(2) {
        let part = &body[w[0] + d.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = part.windows(4).position(|x| x == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let is_it = head.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition:")
                && l.split(';').any(|p| p.trim() == wanted)
        });
        if is_it {
            let value = &part[split + 4..];
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            return String::from_utf8(value.to_vec()).ok();
        }
    }
    None
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
    fn the_token_field_of_a_multipart_form_is_found() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 csrf_token\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body, "XyZ", "csrf_token").as_deref(),
            Some("abc123")
        );
        assert_eq!(multipart_field(body, "XyZ", "other"), None);
        assert_eq!(multipart_field(b"garbage", "XyZ", "csrf_token"), None);
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(!constant_time_eq("", "a"));
    }
}
