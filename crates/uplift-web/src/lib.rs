//! The web interface and JSON API of Uplift: axum handlers, server-rendered
//! pages in the GOV.UK Design System's markup, authentication and the one
//! route table every permission check starts from.

pub mod api;
mod app;
pub mod assets;
pub mod auth;
pub mod error;
pub mod forms;
pub mod pages;
pub mod paths;
pub mod render;
pub mod routes;
pub mod security;
pub mod templates;
pub mod views;

pub use app::{router, serve, AppState, CookieSecure, WebConfig};
pub use auth::client::TrustedProxies;
