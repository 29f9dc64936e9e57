//! `GET` and `PUT /api/v1/schools/{urn}/contacts`: a school's contacts
//! (headteacher overriding the register, chair of governors, clerk), with the
//! page's rules: reading follows `ReadSchools`, changing follows
//! `EditSchoolContacts` (a school's own users: their own school only; another
//! school is 404). Bad input is a 422 naming each field; nothing is saved.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use uplift_domain::access::Action;
use uplift_store::contacts::{self, ContactsInput, SchoolContacts};
use uplift_store::StoreError;
use utoipa::ToSchema;

use crate::api::meetings::{body, refuse};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::pages::contacts::school_for;
use crate::paths;

/// A school's contacts. `headteacher` is the one letters use: the recorded
/// name when set, else the register's.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsItem {
    pub urn: i64,
    /// The headteacher letters are addressed to.
    pub headteacher: Option<String>,
    /// The register's headteacher.
    pub register_headteacher: Option<String>,
    /// The recorded headteacher (overrides the register), if any.
    pub headteacher_name: Option<String>,
    pub headteacher_email: Option<String>,
    pub chair_name: Option<String>,
    pub chair_email: Option<String>,
    pub clerk_name: Option<String>,
    pub clerk_email: Option<String>,
    /// Who last changed them, and when (absent until recorded).
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// The contacts to record; every field optional, blank or absent clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ContactsBody {
    #[serde(default)]
    pub headteacher_name: Option<String>,
    #[serde(default)]
    pub headteacher_email: Option<String>,
    #[serde(default)]
    pub chair_name: Option<String>,
    #[serde(default)]
    pub chair_email: Option<String>,
    #[serde(default)]
    pub clerk_name: Option<String>,
    #[serde(default)]
    pub clerk_email: Option<String>,
}

fn item(urn: i64, register: Option<String>, c: Option<SchoolContacts>) -> ContactsItem {
    let recorded_head = c.as_ref().and_then(|c| c.headteacher_name.clone());
    ContactsItem {
        urn,
        headteacher: recorded_head.clone().or(register.clone()),
        register_headteacher: register,
        headteacher_name: recorded_head,
        headteacher_email: c.as_ref().and_then(|c| c.headteacher_email.clone()),
        chair_name: c.as_ref().and_then(|c| c.chair_name.clone()),
        chair_email: c.as_ref().and_then(|c| c.chair_email.clone()),
        clerk_name: c.as_ref().and_then(|c| c.clerk_name.clone()),
        clerk_email: c.as_ref().and_then(|c| c.clerk_email.clone()),
        updated_by: c.as_ref().map(|c| c.updated_by.clone()),
        updated_at: c.as_ref().map(|c| c.updated_at.clone()),
    }
}

async fn current(state: &AppState, org: i64, urn: i64) -> Result<ContactsItem, Problem> {
    let register = state
        .db
        .school_profile(urn, None)
        .await?
        .and_then(|p| p.head_name.clone());
    let c = state.db.school_contacts(org, urn).await?;
    Ok(item(urn, register, c))
}

/// A school's contacts.
#[utoipa::path(get, path = "/api/v1/schools/{urn}/contacts", security(("bearer" = [])),
    params(("urn" = i64, Path, description = "The school's URN")),
    responses((status = 200, body = ContactsItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
) -> Result<Json<ContactsItem>, ApiError> {
    let urn = paths::urn(&urn)?;
    school_for(&state, &user, urn, Action::ReadSchools).await?;
    Ok(Json(
        current(&state, user.principal.organisation_id, urn).await?,
    ))
}

/// Records a school's contacts (audited). A name over 200 characters or an
/// email address that does not look like one is refused with 422 naming the
/// field, and nothing is saved.
#[utoipa::path(put, path = "/api/v1/schools/{urn}/contacts", security(("bearer" = [])),
    params(("urn" = i64, Path, description = "The school's URN")), request_body = ContactsBody,
    responses((status = 200, body = ContactsItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::meetings::FieldRefusal)))]
pub async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    b: Result<Json<ContactsBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let urn = paths::urn(&urn)?;
    school_for(&state, &user, urn, Action::EditSchoolContacts).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = ContactsInput {
        headteacher_name: b.headteacher_name,
        headteacher_email: b.headteacher_email,
        chair_name: b.chair_name,
        chair_email: b.chair_email,
        clerk_name: b.clerk_name,
        clerk_email: b.clerk_email,
    };
    let problems: Vec<(String, String)> = input
        .problems()
        .into_iter()
        .map(|(f, m)| (f.to_owned(), m))
        .collect();
    if !problems.is_empty() {
        return Ok(refuse(&problems));
    }
    let org = user.principal.organisation_id;
    let mut tx = state.db.begin().await?;
    match contacts::save(&mut tx, &user.actor(), org, urn, &input).await {
        Ok(_) => tx.commit().await?,
        Err(StoreError::Invalid(m)) => {
            tx.rollback().await?;
            return Ok(refuse(&[("contacts".into(), m)]));
        }
        Err(e) => {
            tx.rollback().await?;
            return Err(Problem::from(e).into());
        }
    }
    Ok(Json(current(&state, org, urn).await?).into_response())
}
