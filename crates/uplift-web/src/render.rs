//! Rendering a page: the template, plus the context every page shares (the
//! service and organisation names, the signed-in user, the navigation for
//! their role, the CSRF token).

use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use uplift_domain::access::{authorize, Action, Scope};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};

/// The service navigation: each entry shows only to roles allowed its action.
pub const NAV: &[(&str, &str, Action)] = &[
    ("/", "Home", Action::ViewHome),
    ("/schools", "Schools", Action::ReadSchools),
    ("/categories", "Categories", Action::ReadCategories),
    (
        "/estate-assessment",
        "Estate assessment",
        Action::ReadEstateAssessment,
    ),
    ("/visits", "Visits", Action::ReadVisits),
    ("/advisers", "Advisers", Action::ReadAdvisers),
    ("/concern", "Causing concern", Action::ReadConcern),
    ("/meetings", "Meetings", Action::ReadMeetings),
    ("/users", "Users", Action::ReadUsers),
    ("/audit", "Audit log", Action::ReadAuditLog),
    ("/qa", "Quality assurance", Action::QualityAssure),
    ("/notifications", "Notifications", Action::ReadNotifications),
    ("/calendar", "Calendar feeds", Action::ReadNotifications),
    ("/tokens", "API tokens", Action::ManageOwnAccount),
    ("/account", "Your account", Action::ManageOwnAccount),
];

/// The navigation for a user, with the current section marked.
pub fn nav(user: &CurrentUser, current_path: &str) -> Vec<Value> {
    NAV.iter()
        .filter(|(_, _, action)| {
            authorize(
                &user.principal,
                *action,
                Scope::Organisation(user.principal.organisation_id),
            )
            .is_allowed()
        })
        .map(|(href, text, _)| {
            let current = if *href == "/" {
                current_path == "/"
            } else {
                current_path.starts_with(href)
            };
            let text = match (*href, user.unread_notifications) {
                ("/notifications", n) if n > 0 => format!("{text} ({n} unread)"),
                _ => text.to_string(),
            };
            context! { href => *href, text => text, current => current }
        })
        .collect()
}

pub fn render(
    state: &AppState,
    user: Option<&CurrentUser>,
    current_path: &str,
    template: &str,
    page_title: &str,
    ctx: Value,
) -> Result<Response, PageError> {
    let base = match user {
        Some(u) => context! {
            service_name => state.config.service_name.clone(),
            organisation_name => u.organisation.name.clone(),
            user => context! {
                name => u.user.name.clone(),
                email => u.user.email.clone(),
                role => u.principal.role.as_str(),
                role_label => u.principal.role.label(),
            },
            nav => nav(u, current_path),
            csrf_token => u.csrf_token(),
            page_title => page_title,
        },
        None => context! {
            service_name => state.config.service_name.clone(),
            page_title => page_title,
            csrf_token => "",
        },
    };
    let full = context! { ..ctx, ..base };
    let html = state
        .templates
        .get_template(template)
        .and_then(|t| t.render(full))
        .map_err(|e| Problem::Internal(format!("template {template}: {e:#}")))?;
    Ok(Html(html).into_response())
}
