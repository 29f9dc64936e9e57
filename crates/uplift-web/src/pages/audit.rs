//! The audit log, filtered, for admins and leads of the organisation
//! (`uplift_app::audit`). A GET form: entity, action, the person's email
//! address and a date range in GOV.UK date inputs.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use uplift_app::audit::{self, AuditSearch};
use uplift_app::AppError;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::forms::{self, Fields};
use crate::render::render;

/// The search as the form gives it, and what could not be read.
fn search_of(f: &Fields) -> (AuditSearch, Vec<Value>) {
    let mut errors = Vec::new();
    let mut date = |name: &str, what: &str| match forms::date_input(f, name, what) {
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let from = date("from", "the from date");
    let to = date("to", "the to date");
    let before = forms::one(f, "before").trim().parse::<i64>().ok();
    (
        AuditSearch {
            entity: forms::one(f, "entity"),
            action: forms::one(f, "action"),
            user_email: forms::one(f, "user_email"),
            from,
            to,
            before,
        },
        errors,
    )
}

/// The link to a page of the same search.
fn href(f: &Fields, before: Option<i64>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for k in [
        "entity",
        "action",
        "user_email",
        "from-day",
        "from-month",
        "from-year",
        "to-day",
        "to-month",
        "to-year",
    ] {
        let v = forms::one(f, k);
        if !v.is_empty() {
            s.append_pair(k, &v);
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
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = forms::fields(q);
    let filters = context! {
        entity => forms::one(&f, "entity"),
        action => forms::one(&f, "action"),
        user_email => forms::one(&f, "user_email"),
        from => forms::date_parts(&f, "from"),
        to => forms::date_parts(&f, "to"),
    };
    let (search, mut errors) = search_of(&f);
    let found = match audit::audit_entries(&state.app, &user.caller(), &search).await {
        Ok(p) if errors.is_empty() => Some(p),
        Ok(_) => None,
        Err(AppError::Invalid(es)) => {
            errors.extend(es.iter().map(|e| forms::err(&e.field, &e.message)));
            None
        }
        Err(e) => return Err(Problem::from(e).into()),
    };
    let Some(found) = found else {
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
    };
    let next_href = found.next_before.map(|b| href(&f, Some(b)));
    let prev_href = search.before.map(|_| href(&f, None));
    let org_name = user.organisation.name.clone();
    let rows: Vec<Value> = found
        .entries
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
