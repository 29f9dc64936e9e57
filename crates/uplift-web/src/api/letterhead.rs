//! `/api/v1/settings/letterhead`: the organisation's letterhead as JSON
//! (without the logo's bytes), its text replaced with `PUT`, the logo
//! uploaded as the raw body of `PUT …/logo` (`Content-Type: image/png` or
//! `image/jpeg`) and removed with `DELETE …/logo`. The same rules as the
//! page (`ManageTemplates`, the same checks); bad input is a 422 naming the
//! field and nothing is saved.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use uplift_docs::ImageKind;
use uplift_domain::access::{Action, Scope};
use uplift_store::letterhead::{self as store, Letterhead, LetterheadText, LogoChange};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::pages::letterhead::{check_logo, check_text};

/// The organisation's letterhead. Every text field is empty until set.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterheadItem {
    /// The organisation's name, printed large (from the organisation).
    pub organisation: String,
    pub service_name: String,
    /// The postal address, a line each.
    pub address_lines: Vec<String>,
    pub telephone: String,
    pub email: String,
    pub website: String,
    /// Printed at the foot of every page.
    pub footer: String,
    pub has_logo: bool,
    /// `image/png` or `image/jpeg`.
    pub logo_mime: Option<String>,
    pub logo_size_bytes: Option<i64>,
    pub logo_sha256: Option<String>,
    pub logo_width_px: Option<i64>,
    pub logo_height_px: Option<i64>,
    /// Who last saved it, and when (absent until saved).
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// The letterhead's text. Absent fields are saved empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LetterheadBody {
    #[serde(default)]
    pub service_name: String,
    /// At most six lines of at most 100 characters.
    #[serde(default)]
    pub address_lines: Vec<String>,
    #[serde(default)]
    pub telephone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub footer: String,
}

fn item(organisation: &str, l: Option<&Letterhead>) -> LetterheadItem {
    let logo = l.and_then(|l| l.logo.as_ref()).map(|l| l.summary());
    LetterheadItem {
        organisation: organisation.to_owned(),
        service_name: l.map(|l| l.text.service_name.clone()).unwrap_or_default(),
        address_lines: l
            .map(|l| l.address().into_iter().map(str::to_owned).collect())
            .unwrap_or_default(),
        telephone: l.map(|l| l.text.telephone.clone()).unwrap_or_default(),
        email: l.map(|l| l.text.email.clone()).unwrap_or_default(),
        website: l.map(|l| l.text.website.clone()).unwrap_or_default(),
        footer: l.map(|l| l.text.footer.clone()).unwrap_or_default(),
        has_logo: logo.is_some(),
        logo_mime: logo.as_ref().map(|s| s.mime.clone()),
        logo_size_bytes: logo.as_ref().map(|s| s.size_bytes),
        logo_sha256: logo.as_ref().map(|s| s.sha256.clone()),
        logo_width_px: logo.as_ref().map(|s| s.width_px),
        logo_height_px: logo.as_ref().map(|s| s.height_px),
        updated_by: l.map(|l| l.updated_by.clone()),
        updated_at: l.map(|l| l.updated_at.clone()),
    }
}

/// The 422 naming each refused field, in the shape of the other endpoints'
/// refusals (`FieldRefusal`).
fn refuse(errors: &[(String, String)]) -> Response {
    let body = serde_json::json!({
        "error": errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "),
        "errors": errors.iter().map(|(f, m)| serde_json::json!({"field": f, "message": m})).collect::<Vec<_>>(),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn one(field: &str, message: impl Into<String>) -> Response {
    refuse(&[(field.to_owned(), message.into())])
}

fn allowed(user: &CurrentUser) -> Result<i64, ApiError> {
    let org = user.principal.organisation_id;
    permit(user, Action::ManageTemplates, Scope::Organisation(org))?;
    Ok(org)
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    text: Option<LetterheadText>,
    change: LogoChange,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    let mut tx = state.db.begin().await?;
    let text = match text {
        Some(t) => t,
        None => store::get(&mut tx, org)
            .await?
            .map(|l| l.text)
            .unwrap_or_default(),
    };
    match store::save(&mut tx, &user.actor(), org, &text, change).await {
        Ok(l) => {
            tx.commit().await?;
            Ok(Json(item(&user.organisation.name, Some(&l))).into_response())
        }
        Err(uplift_store::StoreError::Invalid(m)) => Ok(one("logo", m)),
        Err(e) => Err(e.into()),
    }
}

/// The organisation's letterhead, without the logo's bytes.
#[utoipa::path(get, path = "/api/v1/settings/letterhead", security(("bearer" = [])),
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<LetterheadItem>, ApiError> {
    let org = allowed(&user)?;
    let l = state.db.letterhead(org).await?;
    Ok(Json(item(&user.organisation.name, l.as_ref())))
}

/// Replaces the letterhead's text (the logo is kept). Audited.
#[utoipa::path(put, path = "/api/v1/settings/letterhead", security(("bearer" = [])),
    request_body = LetterheadBody,
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::meetings::FieldRefusal)))]
pub async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    b: Result<Json<LetterheadBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    allowed(&user)?;
    let b = match b {
        Ok(Json(b)) => b,
        Err(e) => {
            return Ok(one(
                "body",
                format!(
                    "the body must be JSON of the documented shape: {}",
                    e.body_text()
                ),
            ))
        }
    };
    let text = LetterheadText {
        service_name: b.service_name,
        address_lines: b.address_lines.join("\n"),
        telephone: b.telephone,
        email: b.email,
        website: b.website,
        footer: b.footer,
    };
    let text = match check_text(&text) {
        Ok(t) => t,
        Err(es) => {
            let es: Vec<(String, String)> =
                es.into_iter().map(|(f, m)| (f.to_owned(), m)).collect();
            return Ok(refuse(&es));
        }
    };
    save(&state, &user, Some(text), LogoChange::Keep).await
}

/// Uploads the logo: the raw bytes of a PNG or JPEG, `Content-Type`
/// `image/png` or `image/jpeg` (and the bytes must be that type), 1 MB or
/// smaller, at most 2000 by 2000 pixels. Audited (by size and SHA-256).
#[utoipa::path(put, path = "/api/v1/settings/letterhead/logo", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::meetings::FieldRefusal),
        (status = 422, body = crate::api::meetings::FieldRefusal)))]
pub async fn put_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    allowed(&user)?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| ImageKind::from_mime(v.split(';').next().unwrap_or_default()));
    let Some(declared) = declared else {
        let mut r = one(
            "Content-Type",
            "send the logo with Content-Type image/png or image/jpeg",
        );
        *r.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return Ok(r);
    };
    let logo = match check_logo(&bytes) {
        Ok(l) => l,
        Err(m) => return Ok(one("logo", m)),
    };
    if logo.mime != declared.mime() {
        return Ok(one(
            "logo",
            format!(
                "The body is a {} image but Content-Type says {}",
                logo.mime,
                declared.mime()
            ),
        ));
    }
    save(&state, &user, None, LogoChange::Set(logo)).await
}

/// Removes the logo (the text is kept). Audited.
#[utoipa::path(delete, path = "/api/v1/settings/letterhead/logo", security(("bearer" = [])),
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn delete_logo(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let org = allowed(&user)?;
    if state.db.letterhead(org).await?.is_none() {
        return Ok(Json(item(&user.organisation.name, None)).into_response());
    }
    save(&state, &user, None, LogoChange::Remove).await
}
