//! School contacts (`/schools/{urn}/contacts`): the headteacher (overriding
//! the register, e.g. an acting head), the chair of governors and the clerk,
//! recorded once per school and used to address letters and notes of visit.
//! Leads and advisers edit any school of their organisation; a school's own
//! users edit only their own school (another school is "not found"). Bad
//! input comes back with the GOV.UK error summary and nothing is saved.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::contacts::{self, Contacts};
use uplift_app::AppError;
use uplift_domain::access::{authorize, Action, Scope};
use uplift_store::contacts::{ContactsInput, SchoolContacts};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::schools::show_date;
use crate::paths;
use crate::render::render;

/// Whether the user may change the school's contacts.
pub fn can_edit(user: &CurrentUser, urn: i64) -> bool {
    authorize(
        &user.principal,
        Action::EditSchoolContacts,
        Scope::School {
            organisation_id: user.principal.organisation_id,
            urn,
        },
    )
    .is_allowed()
}

/// The contacts as shown on the school profile: the headteacher (the
/// register's unless overridden, with who recorded the override and when),
/// the chair and the clerk.
pub fn summary_rows(register_head: Option<&str>, c: Option<&SchoolContacts>) -> Vec<Value> {
    let with_email = |name: Option<&str>, email: Option<&str>| -> String {
        match (name.filter(|n| !n.trim().is_empty()), email) {
            (Some(n), Some(e)) => format!("{n} ({e})"),
            (Some(n), None) => n.to_owned(),
            (None, Some(e)) => format!("Name not recorded ({e})"),
            (None, None) => "Not recorded".to_owned(),
        }
    };
    let recorded = c
        .map(|c| {
            format!(
                " (recorded by {} on {})",
                c.updated_by,
                show_date(&c.updated_at)
            )
        })
        .unwrap_or_default();
    let head = match c.and_then(|c| c.headteacher_name.as_deref()) {
        Some(h) => format!(
            "{}{recorded}",
            with_email(Some(h), c.and_then(|c| c.headteacher_email.as_deref()))
        ),
        None => match register_head.filter(|h| !h.trim().is_empty()) {
            Some(h) => {
                let email = c
                    .and_then(|c| c.headteacher_email.as_deref())
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                format!("{h}{email} (from the register)")
            }
            None => with_email(None, c.and_then(|c| c.headteacher_email.as_deref())),
        },
    };
    vec![
        context! { key => "Headteacher", value => head },
        context! { key => "Chair of governors", value => with_email(c.and_then(|c| c.chair_name.as_deref()), c.and_then(|c| c.chair_email.as_deref())) },
        context! { key => "Clerk to the governors", value => with_email(c.and_then(|c| c.clerk_name.as_deref()), c.and_then(|c| c.clerk_email.as_deref())) },
    ]
}

#[derive(Debug, Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ContactsForm {
    #[serde(default)]
    headteacher_name: String,
    #[serde(default)]
    headteacher_email: String,
    #[serde(default)]
    chair_name: String,
    #[serde(default)]
    chair_email: String,
    #[serde(default)]
    clerk_name: String,
    #[serde(default)]
    clerk_email: String,
}

impl ContactsForm {
    fn input(&self) -> ContactsInput {
        ContactsInput {
            headteacher_name: Some(self.headteacher_name.clone()),
            headteacher_email: Some(self.headteacher_email.clone()),
            chair_name: Some(self.chair_name.clone()),
            chair_email: Some(self.chair_email.clone()),
            clerk_name: Some(self.clerk_name.clone()),
            clerk_email: Some(self.clerk_email.clone()),
        }
    }

    fn from_record(c: Option<&SchoolContacts>) -> Self {
        let v = |f: fn(&SchoolContacts) -> &Option<String>| {
            c.and_then(|c| f(c).clone()).unwrap_or_default()
        };
        Self {
            headteacher_name: v(|c| &c.headteacher_name),
            headteacher_email: v(|c| &c.headteacher_email),
            chair_name: v(|c| &c.chair_name),
            chair_email: v(|c| &c.chair_email),
            clerk_name: v(|c| &c.clerk_name),
            clerk_email: v(|c| &c.clerk_email),
        }
    }
}

async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    contacts: &Contacts,
    form: &ContactsForm,
    errors: Vec<(String, String)>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let urn = contacts.urn;
    let school = &contacts.school;
    let has_errors = !errors.is_empty();
    let field_errors: std::collections::BTreeMap<String, String> = errors.iter().cloned().collect();
    let mut res = render(
        state,
        Some(user),
        &format!("/schools/{urn}"),
        "school_contacts.html",
        &format!("Contacts: {school}"),
        context! {
            urn => urn,
            school => school,
            register_head => contacts.register_head.clone(),
            recorded => contacts.recorded.as_ref().map(|c| format!("Last changed by {} on {}.", c.updated_by, show_date(&c.updated_at))),
            form => context! {
                headteacher_name => form.headteacher_name.clone(),
                headteacher_email => form.headteacher_email.clone(),
                chair_name => form.chair_name.clone(),
                chair_email => form.chair_email.clone(),
                clerk_name => form.clerk_name.clone(),
                clerk_email => form.clerk_email.clone(),
            },
            errors => errors.iter().map(|(f, t)| context! { field => f, text => t }).collect::<Vec<_>>(),
            field_errors => field_errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /schools/{urn}/contacts`: the form, filled with the recorded contacts.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let contacts = contacts::contacts_to_edit(&state.app, &user.caller(), urn)
        .await
        .map_err(Problem::from)?;
    let flash = q.saved.map(|_| "The contacts have been saved.");
    let form = ContactsForm::from_record(contacts.recorded.as_ref());
    render_form(&state, &user, &contacts, &form, Vec::new(), flash).await
}

/// `POST /schools/{urn}/contacts`: saves the contacts (audited); bad input
/// comes back on the form, nothing saved.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Form(f): Form<ContactsForm>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let caller = user.caller();
    match contacts::save_contacts(&state.app, &caller, urn, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/schools/{urn}/contacts?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let current = contacts::contacts_to_edit(&state.app, &caller, urn)
                .await
                .map_err(Problem::from)?;
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            render_form(&state, &user, &current, &f, errors, None).await
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}
