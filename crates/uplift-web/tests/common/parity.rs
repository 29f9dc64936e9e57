//! What a page and the API each say about the same input: the messages in a
//! page's GOV.UK error summary, and the `errors` of an API's 422.

use axum::body::Body;
use axum::http::{header, Method, Request};

use super::{Reply, TestApp};

/// The messages in a page's GOV.UK error summary, in order.
pub fn summary(body: &str) -> Vec<String> {
    let Some(start) = body.find("govuk-error-summary__list") else {
        return Vec::new();
    };
    let list = &body[start..];
    let end = list.find("</ul>").unwrap_or(list.len());
    list[..end]
        .split("<a href=")
        .skip(1)
        .filter_map(|a| {
            let text = a.split_once('>')?.1;
            Some(
                text.split("</a>")
                    .next()?
                    .trim()
                    .replace("&quot;", "\"")
                    .replace("&#x27;", "'")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// The fields a page's error summary links to (`#field`), in order.
pub fn summary_fields(body: &str) -> Vec<String> {
    let Some(start) = body.find("govuk-error-summary__list") else {
        return Vec::new();
    };
    let list = &body[start..];
    let end = list.find("</ul>").unwrap_or(list.len());
    list[..end]
        .split("<a href=\"#")
        .skip(1)
        .filter_map(|a| Some(a.split_once('"')?.0.to_owned()))
        .collect()
}

/// The messages of an API refusal, in order.
pub fn api_messages(r: &Reply) -> Vec<String> {
    api_errors(r).into_iter().map(|(_, m)| m).collect()
}

/// The (field, message) pairs of an API refusal, in order.
pub fn api_errors(r: &Reply) -> Vec<(String, String)> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_string(),
                        e["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sends a JSON body with a bearer token.
pub async fn send_json(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> Reply {
    app.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}
