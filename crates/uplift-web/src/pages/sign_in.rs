//! Signing in and out.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use uplift_domain::identity::Email;

use crate::app::AppState;
use crate::auth::password::verify_blocking;
use crate::auth::redirect::local_path;
use crate::auth::{
    request_cookie, set_cookie, CurrentUser, MaybeUser, Via, PRE_SESSION_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::error::PageError;
use crate::render::render;

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// `next` as the form carries it on: a local path, or nothing.
fn carried_next(next: Option<&str>) -> String {
    match local_path(next) {
        p if p == "/" => String::new(),
        p => p,
    }
}

fn pre_session_token(state: &AppState, headers: &HeaderMap) -> (String, bool) {
    match request_cookie(state, headers, PRE_SESSION_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (t.to_string(), false)
        }
        _ => {
            use rand::RngCore;
            let mut b = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut b);
            (hex::encode(b), true)
        }
    }
}

pub async fn form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    if user.is_some() {
        return Ok(Redirect::to(&local_path(q.next.as_deref())).into_response());
    }
    sign_in_page(
        &state,
        &headers,
        "",
        &carried_next(q.next.as_deref()),
        vec![],
        None,
    )
}

fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    next: &str,
    errors: Vec<minijinja::Value>,
    status: Option<axum::http::StatusCode>,
) -> Result<Response, PageError> {
    let (token, fresh) = pre_session_token(state, headers);
    let mut res = render(
        state,
        None,
        "/sign-in",
        "sign_in.html",
        "Sign in",
        context! { email => email, next => next, errors => errors, csrf_token => token.clone() },
    )?;
    if fresh {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(state, headers, PRE_SESSION_CSRF_COOKIE, &token, None),
        );
    }
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn field_error(field: &str, text: &str) -> minijinja::Value {
    context! { field => field, text => text }
}

pub async fn submit(
    State(state): State<AppState>,
    crate::auth::ClientAddr(client): crate::auth::ClientAddr,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    if f.email.trim().is_empty() {
        errors.push(field_error("email", "Enter your email address"));
    }
    if f.password.is_empty() {
        errors.push(field_error("password", "Enter your password"));
    }
    if !errors.is_empty() {
        return sign_in_page(
            &state,
            &headers,
            &f.email,
            &carried_next(Some(&f.next)),
            errors,
            Some(axum::http::StatusCode::BAD_REQUEST),
        );
    }
    if state
        .db
        .sign_in_locked(&f.email, &client, state.throttle)
        .await?
    {
        let errors = vec![field_error(
            "email",
            "There have been too many failed attempts to sign in. Wait 15 minutes and try again.",
        )];
        return sign_in_page(
            &state,
            &headers,
            &f.email,
            &carried_next(Some(&f.next)),
            errors,
            Some(axum::http::StatusCode::TOO_MANY_REQUESTS),
        );
    }
    let found = match Email::parse(&f.email) {
        Ok(e) => state.db.user_with_hash(&e).await?,
        Err(_) => None,
    };
    // Verify against a dummy hash when there is no such user, so timing does
    // not reveal which emails have accounts; argon2 runs off the async runtime.
    let stored = found.as_ref().map(|(_, hash)| hash.clone());
    let active = found.as_ref().is_some_and(|(u, _)| u.active);
    let ok = verify_blocking(f.password.clone(), stored).await? && active;
    state
        .db
        .record_sign_in_attempt(&f.email, &client, ok)
        .await?;
    let Some((user, _)) = found.filter(|_| ok) else {
        let errors = vec![field_error(
            "email",
            "Enter a correct email address and password",
        )];
        return sign_in_page(
            &state,
            &headers,
            &f.email,
            &carried_next(Some(&f.next)),
            errors,
            Some(axum::http::StatusCode::UNAUTHORIZED),
        );
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let session = state
        .db
        .start_session(&user, state.session_policy(), request_id)
        .await?;
    let mut res = Redirect::to(&local_path(Some(&f.next))).into_response();
    let max_age = state.config.session_absolute_hours * 3600;
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            &headers,
            SESSION_COOKIE,
            &session.cookie_value,
            Some(max_age),
        ),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, &headers, PRE_SESSION_CSRF_COOKIE, "", Some(0)),
    );
    Ok(res)
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
) -> Result<Response, PageError> {
    if let Via::Session(s) = &user.via {
        state.db.end_session(s, user.request_id.clone()).await?;
    }
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, &headers, SESSION_COOKIE, "", Some(0)),
    );
    Ok(res)
}
