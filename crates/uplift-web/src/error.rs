//! The error policy, in one place. A handler returns a [`Problem`] wrapped as a
//! [`PageError`] (an accessible HTML error page) or an [`ApiError`] (a JSON body
//! `{"error": …}`); the status code follows from the problem. Internal details
//! are logged, never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use uplift_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    BadRequest(String),
    Unauthenticated(String),
    Forbidden,
    NotFound,
    Conflict(String),
    TooManyRequests(String),
    /// A request body larger than accepted (413).
    TooLarge(String),
    Internal(String),
    /// Refused input, each `(field, message)`: 422, and in the API
    /// `{"error", "errors": [{"field", "message"}]}`. Pages show these on the
    /// form instead (see `crate::forms::refusals`).
    Invalid(Vec<(String, String)>),
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Problem::BadRequest(_) => StatusCode::BAD_REQUEST,
            Problem::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Problem::Forbidden => StatusCode::FORBIDDEN,
            Problem::NotFound => StatusCode::NOT_FOUND,
            Problem::Conflict(_) => StatusCode::CONFLICT,
            Problem::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Problem::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Problem::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// What the user is told.
    pub fn message(&self) -> String {
        match self {
            Problem::BadRequest(m)
            | Problem::Conflict(m)
            | Problem::TooManyRequests(m)
            | Problem::TooLarge(m)
            | Problem::Unauthenticated(m) => m.clone(),
            Problem::Forbidden => "You do not have permission to do this.".into(),
            Problem::NotFound => "Page not found.".into(),
            Problem::Internal(_) => {
                "Sorry, there is a problem with the service. Try again later.".into()
            }
            Problem::Invalid(errors) => errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    fn heading(&self) -> &'static str {
        match self {
            Problem::BadRequest(_) => "There is a problem with your request",
            Problem::Unauthenticated(_) => "You need to sign in",
            Problem::Forbidden => "You do not have access to this page",
            Problem::NotFound => "Page not found",
            Problem::Conflict(_) => "This has changed",
            Problem::TooManyRequests(_) => "Too many attempts",
            Problem::TooLarge(_) => "The upload is too large",
            Problem::Internal(_) => "Sorry, there is a problem with the service",
            Problem::Invalid(_) => "There is a problem with your request",
        }
    }

    fn log(&self) {
        if let Problem::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::NotFound(_) => Problem::NotFound,
            StoreError::Conflict(m) => Problem::Conflict(m),
            StoreError::Invalid(m) => Problem::BadRequest(m),
            other => Problem::Internal(other.to_string()),
        }
    }
}

impl From<uplift_app::AppError> for Problem {
    fn from(e: uplift_app::AppError) -> Problem {
        use uplift_app::AppError;
        match e {
            AppError::Invalid(errors) => {
                Problem::Invalid(errors.into_iter().map(|e| (e.field, e.message)).collect())
            }
            AppError::NotFound => Problem::NotFound,
            AppError::Forbidden => Problem::Forbidden,
            AppError::Store(e) => Problem::from(e),
        }
    }
}

/// A problem answered with an HTML page.
#[derive(Debug)]
pub struct PageError(pub Problem);

/// A problem answered with JSON.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl<E: Into<Problem>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl<E: Into<Problem>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// Renders the error page (without the signed-in navigation: it must work even
/// when the failure is in loading the user).
pub fn error_page(problem: &Problem) -> Response {
    problem.log();
    let status = problem.status();
    let ctx = minijinja::context! {
        service_name => "Uplift",
        page_title => problem.heading(),
        status => status.as_u16(),
        heading => problem.heading(),
        message => problem.message(),
        csrf_token => "",
    };
    let body = crate::templates::shared()
        .get_template("error.html")
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| {
            format!(
                "<!DOCTYPE html><title>Error</title><h1>{}</h1><!-- {e} -->",
                status.as_u16()
            )
        });
    (status, Html(body)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = match &self.0 {
            Problem::Invalid(errors) => serde_json::json!({
                "error": self.0.message(),
                "errors": errors.iter().map(|(f, m)| serde_json::json!({"field": f, "message": m})).collect::<Vec<_>>(),
            }),
            _ => serde_json::json!({ "error": self.0.message() }),
        };
        (self.0.status(), Json(body)).into_response()
    }
}

/// A panic in a handler becomes the 500 page, not a dropped connection.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    error_page(&Problem::Internal("a handler panicked".into()))
}
