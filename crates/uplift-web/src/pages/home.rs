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
    let mut links = Vec::new();
    if let (Role::School, Some(urn)) = (user.principal.role, user.principal.school_urn) {
        if let Some(s) = state.db.school_summary(urn).await? {
            links.push(context! { href => format!("/schools/{urn}"), text => format!("{} (URN {urn})", s.name) });
        }
    } else if may(Action::ReadSchools) {
        let filter = uplift_store::register::SchoolFilter {
            organisation_id: Some(org),
            limit: 1,
            ..Default::default()
        };
        let (n, _) = state.db.schools(&filter).await?;
        cards.push(
            context! { title => "Schools you serve", value => n, href => "/schools",
            description => "Schools in this organisation's estate, from the published register." },
        );
    }
    if may(Action::ReadEstateAssessment) {
        links.push(context! { href => "/estate-assessment", text => "Risk assessment of the school estate" });
    }
    if may(Action::ReadCategories) {
        links.push(context! { href => "/categories", text => "Categories: the annual data-led assessment" });
    }
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
    links.push(context! { href => "/account", text => "Your account and password" });
    links.push(context! { href => "/tokens", text => "Personal API tokens for integrations" });
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
