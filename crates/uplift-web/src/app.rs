//! The application: shared state, the router with its layers, and serving.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use uplift_store::sessions::SessionPolicy;
use uplift_store::throttle::ThrottlePolicy;
use uplift_store::Db;

use crate::auth::client::TrustedProxies;
use crate::routes;

/// When cookies get the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecure {
    /// When the request came over TLS (a proxy's `X-Forwarded-Proto: https`).
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for CookieSecure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(CookieSecure::Auto),
            "always" => Ok(CookieSecure::Always),
            "never" => Ok(CookieSecure::Never),
            _ => Err(format!(
                "cookie_secure must be auto, always or never, not {s:?}"
            )),
        }
    }
}

/// What the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub service_name: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub cookie_secure: CookieSecure,
    /// The largest attachment accepted on a visit or note, in bytes.
    pub attachment_max_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            service_name: "Uplift".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            cookie_secure: CookieSecure::Auto,
            attachment_max_bytes: 10 * 1024 * 1024,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    /// The use cases (and their clock); handlers call these.
    pub app: uplift_app::App,
    /// The store, for the queries not yet moved into the application layer.
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub throttle: ThrottlePolicy,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState::with_app(uplift_app::App::new(db), config)
    }

    /// The state around a given application (tests give it a fixed clock).
    pub fn with_app(app: uplift_app::App, config: WebConfig) -> AppState {
        AppState {
            db: app.db().clone(),
            app,
            config: Arc::new(config),
            templates: Arc::new(crate::templates::environment()),
            throttle: ThrottlePolicy::default(),
        }
    }

    /// Today in England, from the application's clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.app.today()
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle: jiff::SignedDuration::from_mins(self.config.session_idle_minutes),
            absolute: jiff::SignedDuration::from_hours(self.config.session_absolute_hours),
        }
    }
}

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: every route from the registry, behind the layers
/// that authenticate, check CSRF, set security headers and trace.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for r in routes::all() {
        app = app.route(r.path, r.into_method_router(&state));
    }
    app.fallback(crate::pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::authenticate))
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(CatchPanicLayer::custom(crate::error::panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(tower_http::timeout::TimeoutLayer::new(Duration::from_secs(60)))
        .with_state(state)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
