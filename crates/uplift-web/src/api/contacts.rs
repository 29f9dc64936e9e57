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
use uplift_app::contacts::{self, Contacts};
use uplift_store::contacts::ContactsInput;
use utoipa::ToSchema;

use crate::api::meetings::body;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
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

fn item(c: &Contacts) -> ContactsItem {
    let r = c.recorded.as_ref();
    ContactsItem {
        urn: c.urn,
        headteacher: c.headteacher().map(str::to_owned),
        register_headteacher: c.register_head.clone(),
        headteacher_name: r.and_then(|c| c.headteacher_name.clone()),
        headteacher_email: r.and_then(|c| c.headteacher_email.clone()),
        chair_name: r.and_then(|c| c.chair_name.clone()),
        chair_email: r.and_then(|c| c.chair_email.clone()),
        clerk_name: r.and_then(|c| c.clerk_name.clone()),
        clerk_email: r.and_then(|c| c.clerk_email.clone()),
        updated_by: r.map(|c| c.updated_by.clone()),
        updated_at: r.map(|c| c.updated_at.clone()),
    }
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
    let c = contacts::school_contacts(&state.app, &user.caller(), urn)
        .await
        .map_err(Problem::from)?;
    Ok(Json(item(&c)))
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
    let caller = user.caller();
    // Out of scope is "not found" before the body is read.
    contacts::contacts_to_edit(&state.app, &caller, urn)
        .await
        .map_err(Problem::from)?;
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
    let saved = contacts::save_contacts(&state.app, &caller, urn, &input)
        .await
        .map_err(Problem::from)?;
    Ok(Json(item(&saved)).into_response())
}
