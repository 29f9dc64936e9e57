//! The home page of each role: only what exists, never an invented figure.

use axum::extract::State;
use axum::response::Response;
use minijinja::{context, Value};
use uplift_domain::access::{authorize, Action, Role, Scope};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let may = |a: Action| authorize(&user.principal, a, Scope::Organisation(org)).is_allowed();
    let mut cards: Vec<Value> = Vec::new();
    if may(Action::ReadUsers) {
        let n = state.db.user_count(org).await?;
        cards.push(context! { title => "Users", value => n, href => "/users",
        description => "People who can sign in to this organisation's Uplift." });
    }
    if may(Action::ReadAuditLog) {
        let n = state.db.audit_count(Some(org)).await?;
        cards.push(
            context! { title => "Audit log entries", value => n, href => "/audit",
            description => "Every change, who made it and when." },
        );
    }
    let mut links = vec![
        context! { href => "/account", text => "Your account and password" },
        context! { href => "/tokens", text => "Personal API tokens for integrations" },
    ];
    if may(Action::ReadAuditLog) {
        links.insert(
            0,
            context! { href => "/audit", text => "Read the audit log" },
        );
    }
    let intro = match (user.principal.role, user.principal.school_urn) {
        (Role::School, Some(urn)) => format!("You are signed in for the school with URN {urn}."),
        (role, _) => format!("You are signed in as {}.", role.label().to_lowercase()),
    };
    render(
        &state,
        Some(&user),
        "/",
        "home.html",
        &user.organisation.name,
        context! {
            heading => format!("{} school improvement", user.organisation.name),
            intro => intro,
            cards => cards,
            sections => vec![context! { title => "What you can do", links => links }],
        },
    )
}
