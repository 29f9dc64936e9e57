//! Server-rendered pages in the GOV.UK Design System's markup. Every page works
//! without JavaScript.

pub mod account;
pub mod attachments;
pub mod audit;
pub mod categories;
pub mod concern;
pub mod contacts;
pub mod home;
pub mod letterhead;
pub mod meetings;
pub mod notifications;
pub mod plans;
pub mod qa;
pub mod schools;
pub mod sign_in;
pub mod spb;
pub mod users;
pub mod visits;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use crate::app::AppState;
use crate::auth::MaybeUser;
use crate::error::{PageError, Problem};
use crate::render::render;

/// Embedded front-end assets; versioned URLs are cached for a year.
pub async fn asset(Path(path): Path<String>, RawQuery(query): RawQuery) -> Response {
    match crate::assets::lookup(&path) {
        Some(a) => {
            let cache = if query.is_some_and(|q| q.contains("v=")) {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=300"
            };
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(a.content_type),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                ],
                a.bytes,
            )
                .into_response()
        }
        None => PageError(Problem::NotFound).into_response(),
    }
}

pub async fn not_found() -> Response {
    PageError(Problem::NotFound).into_response()
}

/// The accessibility statement.
pub async fn accessibility(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, PageError> {
    render(
        &state,
        user.as_ref(),
        "/accessibility",
        "accessibility.html",
        "Accessibility statement",
        context! {},
    )
}
