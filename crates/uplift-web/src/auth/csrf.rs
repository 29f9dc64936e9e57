//! Protection against cross-site request forgery on every state-changing
//! request made with a cookie: the browser must say the request is same-origin
//! (Origin / Sec-Fetch-Site), and the form must carry the session's token
//! (`csrf_token` field or `X-CSRF-Token` header). Before sign-in the token is a
//! random cookie echoed in the form (double submit). Requests authenticated
//! with a bearer token carry no cookie and need no CSRF token.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use futures_util::StreamExt;

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

/// As [`verify`]; a multipart form (a file upload) must be a signed-in
/// user's, its first field the `csrf_token`, checked before anything more of
/// the body is read, and at most `multipart_limit` bytes in all. Nobody
/// signed out has a reason to send one, so it is refused unread.
pub async fn verify_with_limit(
    req: Request,
    multipart_limit: usize,
    pre_session_cookie: &str,
) -> Result<Request, Problem> {
    if is_safe(req.method()) {
        return Ok(req);
    }
    let user = req.extensions().get::<CurrentUser>();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let multipart = content_type.starts_with("multipart/form-data");
    let expected = match user.map(|u| &u.via) {
        Some(Via::Token) => return Ok(req),
        Some(Via::Session(s)) => s.csrf_token.clone(),
        None if multipart => return Err(expired()),
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
    if multipart {
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

/// The most of a multipart body read to find its first field, the token.
const MAX_FIRST_PART: usize = 16 * 1024;

/// What the start of a multipart body says about its first field.
#[derive(Debug, PartialEq, Eq)]
enum FirstField {
    /// The first field is the one wanted, with this value.
    Value(String),
    /// The first field is another one, or the body is not multipart.
    Other,
    /// Not enough has been read to tell.
    NeedMore,
}

/// Looks at the start of a multipart/form-data body (RFC 7578): is its first
/// field `name`, and what is its value?
fn first_field(head: &[u8], boundary: &str, name: &str) -> FirstField {
    let opening = format!("--{boundary}\r\n");
    let o = opening.as_bytes();
    if head.len() < o.len() {
        return if o.starts_with(head) {
            FirstField::NeedMore
        } else {
            FirstField::Other
        };
    }
    if !head.starts_with(o) {
        return FirstField::Other;
    }
    let rest = &head[o.len()..];
    let Some(split) = find(rest, b"\r\n\r\n") else {
        return FirstField::NeedMore;
    };
    let headers = String::from_utf8_lossy(&rest[..split]);
    let wanted = format!("name=\"{name}\"");
    let is_it = headers.split("\r\n").any(|l| {
        l.to_ascii_lowercase().starts_with("content-disposition:")
            && l.split(';').any(|p| p.trim() == wanted)
    });
    if !is_it {
        return FirstField::Other;
    }
    let value = &rest[split + 4..];
    let delimiter = format!("\r\n--{boundary}");
    match find(value, delimiter.as_bytes()) {
        Some(end) => String::from_utf8(value[..end].to_vec())
            .map(FirstField::Value)
            .unwrap_or(FirstField::Other),
        None => FirstField::NeedMore,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn too_large(limit: usize) -> Problem {
    Problem::TooLarge(format!(
        "The upload is too large: files must be smaller than {}. Go back and choose a smaller file.",
        uplift_store::attachments::human_size(limit.saturating_sub(1024 * 1024) as u64)
    ))
}

/// Checks the `csrf_token` field of a multipart form before any of the rest
/// of the body is read: it must be the form's first field (browsers send
/// fields in the order of the form, and Uplift's forms put it first). A body
/// declared larger than `limit` is refused unread. The request goes on with
/// the bytes read so far followed by the rest of the body as it arrives, at
/// most `limit` bytes in all, so nothing is buffered here.
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
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    let supplied = loop {
        match first_field(&head, &boundary, "csrf_token") {
            FirstField::Value(v) => break v,
            FirstField::Other => return Err(expired()),
            FirstField::NeedMore if head.len() >= MAX_FIRST_PART => return Err(expired()),
            FirstField::NeedMore => match stream.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(_)) => {
                    return Err(Problem::BadRequest(
                        "The upload could not be read. Go back and try again.".into(),
                    ))
                }
                None => return Err(expired()),
            },
        }
    };
    if !constant_time_eq(&supplied, expected) {
        return Err(expired());
    }
    if head.len() > limit {
        return Err(too_large(limit));
    }
    let mut left = limit - head.len();
    let rest = stream.map(move |chunk| match chunk {
        Ok(c) if c.len() > left => Err(axum::Error::new(std::io::Error::other(
            "the upload is larger than the limit",
        ))),
        Ok(c) => {
            left -= c.len();
            Ok(c)
        }
        Err(e) => Err(e),
    });
    let first = futures_util::stream::iter([Ok::<_, axum::Error>(Bytes::from(head))]);
    Ok(Request::from_parts(
        parts,
        Body::from_stream(first.chain(rest)),
    ))
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
    fn the_first_field_of_a_multipart_form_is_read_only_as_far_as_needed() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF";
        assert_eq!(
            first_field(body, "XyZ", "csrf_token"),
            FirstField::Value("abc123".into())
        );
        // Every prefix short of the end of the value needs more.
        let end = body.windows(9).position(|w| w == b"\r\n--XyZ\r\n").unwrap() + 7;
        for n in 0..end {
            assert_eq!(
                first_field(&body[..n], "XyZ", "csrf_token"),
                FirstField::NeedMore,
                "{n}"
            );
        }
        // Another field first, another boundary, or not multipart at all.
        assert_eq!(first_field(body, "XyZ", "file"), FirstField::Other);
        assert_eq!(first_field(body, "Other", "csrf_token"), FirstField::Other);
        assert_eq!(
            first_field(b"garbage", "XyZ", "csrf_token"),
            FirstField::Other
        );
        let late = b"--XyZ\r\nContent-Disposition: form-data; name=\"attach_to\"\r\n\r\nvisit\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        assert_eq!(first_field(late, "XyZ", "csrf_token"), FirstField::Other);
        assert_eq!(
            first_field(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"attach",
                "XyZ",
                "csrf_token"
            ),
            FirstField::NeedMore
        );
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(!constant_time_eq("", "a"));
    }
}
