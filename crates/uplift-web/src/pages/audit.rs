//! The audit log, filtered, for admins and leads of the organisation.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_store::audit::AuditFilter;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

/// The filter as typed in the form (and in the API's query string).
#[derive(Debug, Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The kind of record, e.g. `user`.
    #[serde(default)]
    pub entity: String,
    /// create, update, delete, sign_in or sign_out.
    #[serde(default)]
    pub action: String,
    /// The email of the person who made the change.
    #[serde(default)]
    pub user_email: String,
    /// From this date (YYYY-MM-DD), inclusive.
    #[serde(default)]
    pub from: String,
    /// To this date (YYYY-MM-DD), inclusive.
    #[serde(default)]
    pub to: String,
    /// Entries older than this id (for the next page).
    pub before: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Turns the query into a store filter, or lists what is wrong with it.
pub fn parse(q: &AuditQuery, organisation_id: i64) -> Result<AuditFilter, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let date = |field: &str, v: &str, errors: &mut Vec<(String, String)>| -> Option<String> {
        let v = nonempty(v)?;
        match v.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d.to_string()),
            Err(_) => {
                errors.push((
                    field.to_string(),
                    format!("Enter a real date as YYYY-MM-DD in ‘{field}’"),
                ));
                None
            }
        }
    };
    let from = date("from", &q.from, &mut errors);
    let to = date("to", &q.to, &mut errors);
    let action = nonempty(&q.action);
    if let Some(a) = &action {
        if !["create", "update", "delete", "sign_in", "sign_out"].contains(&a.as_str()) {
            errors.push(("action".into(), "Choose an action from the list".into()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuditFilter {
        organisation_id: Some(organisation_id),
        entity: nonempty(&q.entity),
        entity_id: None,
        action,
        actor: nonempty(&q.user_email).map(|e| e.to_ascii_lowercase()),
        from,
        to,
        before_id: q.before,
        limit: PAGE_SIZE,
    })
}

fn href(q: &AuditQuery, before: Option<i64>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("entity", &q.entity),
        ("action", &q.action),
        ("user_email", &q.user_email),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if let Some(b) = before {
        s.append_pair("before", &b.to_string());
    }
    format!("/audit?{}", s.finish())
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let filters = context! { entity => q.entity.clone(), action => q.action.clone(), user_email => q.user_email.clone(), from => q.from.clone(), to => q.to.clone() };
    let filter = match parse(&q, user.principal.organisation_id) {
        Ok(f) => f,
        Err(errs) => {
            let errors: Vec<Value> = errs
                .iter()
                .map(|(f, t)| context! { field => f, text => t })
                .collect();
            let mut res = render(
                &state,
                Some(&user),
                "/audit",
                "audit.html",
                "Audit log",
                context! { filters => filters, entries => Vec::<Value>::new(), errors => errors },
            )?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(res);
        }
    };
    let entries = state.db.audit_entries(&filter).await?;
    let next_href =
        (entries.len() as i64 == PAGE_SIZE).then(|| href(&q, entries.last().map(|e| e.id)));
    let prev_href = q.before.map(|_| href(&q, None));
    let org_name = user.organisation.name.clone();
    let rows: Vec<Value> = entries
        .into_iter()
        .map(|e| context! {
            at => e.at, user_email => e.actor, organisation_name => org_name.clone(), action => e.action,
            entity => e.entity, entity_id => e.entity_id, before => e.before_json, after => e.after_json,
        })
        .collect();
    render(
        &state,
        Some(&user),
        "/audit",
        "audit.html",
        "Audit log",
        context! { filters => filters, entries => rows, next_href => next_href, prev_href => prev_href },
    )
}
