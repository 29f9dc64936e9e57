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
use uplift_domain::access::{authorize, Action, Scope};
use uplift_store::contacts::{self, ContactsInput, SchoolContacts};
use uplift_store::StoreError;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::schools::show_date;
use crate::paths;
use crate::render::render;

/// The school, checked: in the user's organisation's estate and within
/// their scope for `action` (another school is "not found").
pub(crate) async fn school_for(
    state: &AppState,
    user: &CurrentUser,
    urn: i64,
    action: Action,
) -> Result<String, Problem> {
    let org = user.principal.organisation_id;
    permit(
        user,
        action,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    if !state.db.concern_school_in_estate(org, urn).await? {
        return Err(Problem::NotFound);
    }
    state
        .db
        .concern_school_name(urn)
        .await?
        .ok_or(Problem::NotFound)
}

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
    urn: i64,
    school: &str,
    form: &ContactsForm,
    errors: Vec<(String, String)>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let register_head = state
        .db
        .school_profile(urn, None)
        .await?
        .and_then(|p| p.head_name.clone());
    let current = state.db.school_contacts(org, urn).await?;
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
            register_head => register_head,
            recorded => current.as_ref().map(|c| format!("Last changed by {} on {}.", c.updated_by, show_date(&c.updated_at))),
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
    let school = school_for(&state, &user, urn, Action::EditSchoolContacts).await?;
    let current = state
        .db
        .school_contacts(user.principal.organisation_id, urn)
        .await?;
    let flash = q.saved.map(|_| "The contacts have been saved.");
    render_form(
        &state,
        &user,
        urn,
        &school,
        &ContactsForm::from_record(current.as_ref()),
        Vec::new(),
        flash,
    )
    .await
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
    let school = school_for(&state, &user, urn, Action::EditSchoolContacts).await?;
    let input = f.input();
    let problems: Vec<(String, String)> = input
        .problems()
        .into_iter()
        .map(|(k, m)| (k.to_owned(), m))
        .collect();
    if !problems.is_empty() {
        return render_form(&state, &user, urn, &school, &f, problems, None).await;
    }
    let org = user.principal.organisation_id;
    let mut tx = state.db.begin().await?;
    match contacts::save(&mut tx, &user.actor(), org, urn, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/schools/{urn}/contacts?saved=1")).into_response())
        }
        Err(StoreError::Invalid(m)) => {
            tx.rollback().await?;
            render_form(
                &state,
                &user,
                urn,
                &school,
                &f,
                vec![("chair_name".into(), m)],
                None,
            )
            .await
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e.into())
        }
    }
}
