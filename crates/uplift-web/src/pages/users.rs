//! The users of the organisation.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use uplift_domain::access::Role;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    let list: Vec<_> = state
        .db
        .users(user.principal.organisation_id)
        .await?
        .into_iter()
        .map(|u| {
            let role_label = u.role.parse::<Role>().map(|r| r.label()).unwrap_or("Unknown role");
            context! { name => u.name, email => u.email, role_label => role_label, school_urn => u.school_urn, active => u.active }
        })
        .collect();
    render(
        &state,
        Some(&user),
        "/users",
        "users.html",
        "Users",
        context! { users => list },
    )
}
