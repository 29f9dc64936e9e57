//! The per-route guard: every route's [`Access`] is checked here, with the one
//! policy function of the domain, before its handler runs.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use uplift_domain::access::{authorize, Decision, Scope};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, PageError, Problem};
use crate::routes::{Access, Surface};

#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub access: Access,
    pub surface: Surface,
}

/// Where an anonymous visitor is sent, remembering where they were going.
pub fn sign_in_redirect(req: &Request) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let next: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

pub fn refuse(surface: Surface, problem: Problem) -> Response {
    match surface {
        Surface::Page => PageError(problem).into_response(),
        Surface::Api => ApiError(problem).into_response(),
    }
}

pub async fn check(
    State((state, guard)): State<(AppState, Guard)>,
    req: Request,
    next: Next,
) -> Response {
    let Access::Requires(action) = guard.access else {
        return with_csrf(&state, guard.surface, req, next).await;
    };
    let Some(user) = req.extensions().get::<CurrentUser>() else {
        return match guard.surface {
            Surface::Page => sign_in_redirect(&req),
            Surface::Api => {
                let mut r = ApiError(Problem::Unauthenticated(
                    "Sign in or send `Authorization: Bearer TOKEN`.".into(),
                ))
                .into_response();
                r.headers_mut().insert(
                    "www-authenticate",
                    axum::http::HeaderValue::from_static("Bearer"),
                );
                r
            }
        };
    };
    match authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    ) {
        Decision::Allow => with_csrf(&state, guard.surface, req, next).await,
        Decision::Forbid => refuse(guard.surface, Problem::Forbidden),
        Decision::Hide => refuse(guard.surface, Problem::NotFound),
    }
}

/// Runs the handler once the request has passed the CSRF check.
async fn with_csrf(state: &AppState, surface: Surface, req: Request, next: Next) -> Response {
    // A file upload is read up to the attachment limit and a megabyte for the other fields.
    let limit = usize::try_from(state.config.attachment_max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    let pre_session =
        crate::auth::cookie_name(state, req.headers(), crate::auth::PRE_SESSION_CSRF_COOKIE);
    match crate::auth::csrf::verify_with_limit(req, limit, &pre_session).await {
        Ok(req) => next.run(req).await,
        Err(problem) => refuse(surface, problem),
    }
}

/// For handlers: may the current user do `action` on this particular record?
pub fn permit(
    user: &CurrentUser,
    action: uplift_domain::access::Action,
    scope: Scope,
) -> Result<(), Problem> {
    match authorize(&user.principal, action, scope) {
        Decision::Allow => Ok(()),
        Decision::Forbid => Err(Problem::Forbidden),
        Decision::Hide => Err(Problem::NotFound),
    }
}
