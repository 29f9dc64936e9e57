//! Authentication: who is asking, from a session cookie or an API token; the
//! per-route guard; CSRF protection; and password hashing.

pub mod client;
pub mod csrf;
pub mod guard;
pub mod password;
pub mod redirect;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uplift_domain::access::Principal;
use uplift_store::audit::Actor;
use uplift_store::orgs::Organisation;
use uplift_store::sessions::Session;
use uplift_store::users::User;

use crate::app::{AppState, CookieSecure, REQUEST_ID};
use crate::error::{ApiError, Problem};

/// The session cookie's name over plain HTTP; `__Host-uplift_session` when Secure.
pub const SESSION_COOKIE: &str = "uplift_session";
/// The pre-sign-in CSRF cookie's name over plain HTTP; `__Host-uplift_csrf` when Secure.
pub const PRE_SESSION_CSRF_COOKIE: &str = "uplift_csrf";

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    Session(Box<Session>),
    Token,
}

/// The signed-in user (or the user a token acts for).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub principal: Principal,
    pub organisation: Organisation,
    pub via: Via,
    pub request_id: Option<String>,
    /// Unread notifications (counted for pages only; 0 for API tokens).
    pub unread_notifications: i64,
}

impl CurrentUser {
    /// The actor recorded in the audit log for changes made in this request.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: self.user.email.clone(),
            organisation_id: Some(self.user.organisation_id),
            request_id: self.request_id.clone(),
        }
    }

    /// The caller as the application layer's use cases see them.
    pub fn caller(&self) -> uplift_app::Caller {
        uplift_app::Caller {
            principal: self.principal.clone(),
            actor: self.actor(),
            name: self.user.name.clone(),
        }
    }

    pub fn csrf_token(&self) -> &str {
        match &self.via {
            Via::Session(s) => &s.csrf_token,
            Via::Token => "",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| {
                ApiError(Problem::Unauthenticated("Sign in first.".into())).into_response()
            })
    }
}

/// The signed-in user, if any (for public pages that adapt).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}

/// The client's address, for throttling: the TCP peer, or behind a trusted
/// reverse proxy the address it forwarded (see [`client::TrustedProxies`]);
/// "unknown" when not served over TCP, as in tests.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(
            state.config.trusted_proxies.client(peer, &parts.headers),
        ))
    }
}

/// The value of a cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// True when this response's cookies are Secure: `cookie_secure = always`,
/// or `auto` and the request came over TLS (a proxy's `X-Forwarded-Proto: https`).
pub fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    match state.config.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")),
    }
}

/// The name a cookie has on this request: a Secure cookie is a `__Host-`
/// cookie (Secure, `Path=/`, no Domain, so no other host or path can set or
/// shadow it); over plain HTTP, where a `__Host-` cookie cannot be set, the
/// plain name.
pub fn cookie_name(state: &AppState, headers: &HeaderMap, name: &str) -> String {
    if secure_cookies(state, headers) {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// The value of one of Uplift's cookies, by the name it has on this request.
pub fn request_cookie<'a>(state: &AppState, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    cookie(headers, &cookie_name(state, headers, name))
}

/// A `Set-Cookie` value with the attributes every Uplift cookie has, under the
/// name [`cookie_name`] gives it.
pub fn set_cookie(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
) -> HeaderValue {
    let secure = secure_cookies(state, headers);
    let name = cookie_name(state, headers, name);
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Finds out who is asking and puts a [`CurrentUser`] in the request's extensions.
/// A malformed or unknown bearer token is refused at once with 401.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let found = if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        let Some(token) = auth
            .to_str()
            .ok()
            .and_then(|s| s.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return ApiError(Problem::Unauthenticated(
                "The Authorization header must be `Bearer TOKEN`.".into(),
            ))
            .into_response();
        };
        if !uplift_store::tokens::well_formed(token) {
            return ApiError(Problem::Unauthenticated("The token is malformed.".into()))
                .into_response();
        }
        match state.db.token_user(token).await {
            Ok(Some(u)) => Some((u, Via::Token)),
            Ok(None) => {
                return ApiError(Problem::Unauthenticated(
                    "The token is not valid, has expired or has been revoked.".into(),
                ))
                .into_response()
            }
            Err(e) => return ApiError(Problem::from(e)).into_response(),
        }
    } else if let Some(value) = request_cookie(&state, req.headers(), SESSION_COOKIE) {
        match state.db.session(value, state.session_policy()).await {
            Ok(Some(s)) => Some((s.user.clone(), Via::Session(Box::new(s)))),
            Ok(None) => None,
            Err(e) => return ApiError(Problem::from(e)).into_response(),
        }
    } else {
        None
    };
    if let Some((user, via)) = found {
        let principal = match user.principal() {
            Ok(p) => p,
            Err(e) => return ApiError(Problem::from(e)).into_response(),
        };
        let organisation = match state.db.organisation(user.organisation_id).await {
            Ok(Some(o)) => o,
            Ok(None) => {
                return ApiError(Problem::Internal("user without organisation".into()))
                    .into_response()
            }
            Err(e) => return ApiError(Problem::from(e)).into_response(),
        };
        let unread_notifications = match via {
            Via::Session(_) => state.db.unread_notifications(user.id).await.unwrap_or(0),
            Via::Token => 0,
        };
        req.extensions_mut().insert(CurrentUser {
            user,
            principal,
            organisation,
            via,
            request_id,
            unread_notifications,
        });
    }
    next.run(req).await
}
