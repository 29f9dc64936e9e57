//! A user's own account: changing the password, and personal API tokens.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_domain::identity::{Email, TokenLifetime};
use uplift_store::{tokens, users};

use crate::app::AppState;
use crate::auth::password::{hash_blocking, parse_blocking, verify_blocking};
use crate::auth::{set_cookie, ClientAddr, CurrentUser, SESSION_COOKIE};
use crate::error::{PageError, Problem};
use crate::render::render;

const PASSWORD_HINT: &str = "At least 12 characters, and not your name, email address or your organisation's name. A few unrelated, uncommon words make a strong password.";

#[derive(Debug, Deserialize, Default)]
pub struct Flash {
    changed: Option<String>,
}

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let flash = f.changed.map(|_| "Your password has been changed.");
    render(
        &state,
        Some(&user),
        "/account",
        "account.html",
        "Your account",
        context! { password_hint => PASSWORD_HINT, flash => flash },
    )
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn account_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<Value>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut res = render(
        state,
        Some(user),
        "/account",
        "account.html",
        "Your account",
        context! { password_hint => PASSWORD_HINT, errors => errors },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    user: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let email = Email::parse(&user.user.email).map_err(|e| Problem::Internal(e.to_string()))?;
    if f.current_password.is_empty() {
        errors.push(err("current_password", "Enter your current password"));
    } else if state
        .db
        .account_locked(email.as_str(), state.throttle)
        .await?
    {
        // Throttled like sign-in: the password is not even checked.
        let errors = vec![err(
            "current_password",
            "You have entered your current password wrongly too many times. Wait 15 minutes and try again.",
        )];
        return account_page(&state, &user, errors, StatusCode::TOO_MANY_REQUESTS);
    } else {
        let stored = state.db.user_with_hash(&email).await?.map(|(_, h)| h);
        let ok = verify_blocking(f.current_password.clone(), stored).await?;
        state
            .db
            .record_sign_in_attempt(email.as_str(), &client, ok)
            .await?;
        if !ok {
            errors.push(err(
                "current_password",
                "Your current password is not correct",
            ));
        }
    }
    let new = parse_blocking(
        f.new_password.clone(),
        Some(email.clone()),
        user.user.name.clone(),
        user.organisation.name.clone(),
    )
    .await?;
    match &new {
        Err(e) => errors.push(err("new_password", &capitalise(&e.to_string()))),
        Ok(_) if f.new_password != f.confirm_password => {
            errors.push(err("confirm_password", "The passwords do not match"))
        }
        Ok(_) => {}
    }
    let new = match (errors.is_empty(), new) {
        (true, Ok(p)) => p,
        _ => return account_page(&state, &user, errors, StatusCode::BAD_REQUEST),
    };
    let hash = hash_blocking(new).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, &user.actor(), &user.user, &hash).await?;
    tx.commit().await?;
    // Changing the password ends every session, this one included: start a new one.
    let session = state
        .db
        .start_session(&user.user, state.session_policy(), user.request_id.clone())
        .await?;
    let mut res = Redirect::to("/account?changed=1").into_response();
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
    Ok(res)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

async fn token_list(state: &AppState, user: &CurrentUser) -> Result<Vec<Value>, PageError> {
    Ok(state
        .db
        .tokens(user.user.id)
        .await?
        .into_iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| {
            let expired = !t.is_live();
            context! {
                id => t.id, name => t.name, created_at => t.created_at,
                last_used_at => t.last_used_at, prefix => t.prefix,
                expires_at => t.expires_at, expired => expired,
            }
        })
        .collect())
}

pub async fn tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let list = token_list(&state, &user).await?;
    render(
        &state,
        Some(&user),
        "/tokens",
        "tokens.html",
        "API tokens",
        context! { tokens => list },
    )
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// Blank: the token does not expire.
    #[serde(default)]
    expires_in_days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let name = f.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(err(
            "name",
            "Enter a name for the token, up to 100 characters",
        ));
    }
    let lifetime = TokenLifetime::parse(&f.expires_in_days).unwrap_or_else(|_| {
        errors.push(err(
            "expires_in_days",
            "Enter the number of days until the token expires as a whole number between 1 and 366, or leave it blank",
        ));
        None
    });
    if !errors.is_empty() {
        let list = token_list(&state, &user).await?;
        let mut res = render(
            &state,
            Some(&user),
            "/tokens",
            "tokens.html",
            "API tokens",
            context! {
                tokens => list, name => f.name, expires_in_days => f.expires_in_days,
                errors => errors,
            },
        )?;
        *res.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(res);
    }
    let mut tx = state.db.begin().await?;
    let (_, plain) = tokens::create(&mut tx, &user.actor(), &user.user, name, lifetime).await?;
    tx.commit().await?;
    let list = token_list(&state, &user).await?;
    render(
        &state,
        Some(&user),
        "/tokens",
        "tokens.html",
        "API tokens",
        context! { tokens => list, new_token => plain },
    )
}

pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let mut tx = state.db.begin().await?;
    // Only one's own tokens: another user's id is simply not found.
    tokens::revoke(&mut tx, &user.actor(), &user.user, id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/tokens").into_response())
}
