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
use uplift_app::letterhead::{self, LogoInput};
use uplift_docs::ImageKind;
use uplift_store::letterhead::{Letterhead, LetterheadText};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};

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

fn one(field: &str, message: impl Into<String>) -> Response {
    let message = message.into();
    let body = serde_json::json!({
        "error": format!("{field}: {message}"),
        "errors": [{"field": field, "message": message}],
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    text: Option<LetterheadText>,
    logo: LogoInput,
) -> Result<Response, ApiError> {
    let saved = letterhead::save_letterhead(&state.app, &user.caller(), text.as_ref(), logo)
        .await
        .map_err(Problem::from)?;
    Ok(Json(item(&user.organisation.name, Some(&saved))).into_response())
}

/// The organisation's letterhead, without the logo's bytes.
#[utoipa::path(get, path = "/api/v1/settings/letterhead", security(("bearer" = [])),
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<LetterheadItem>, ApiError> {
    let l = letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
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
    letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
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
    save(&state, &user, Some(text), LogoInput::Keep).await
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
    letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
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
    let logo = LogoInput::Upload {
        bytes: bytes.to_vec(),
        declared: Some(declared),
    };
    save(&state, &user, None, logo).await
}

/// Removes the logo (the text is kept). Audited.
#[utoipa::path(delete, path = "/api/v1/settings/letterhead/logo", security(("bearer" = [])),
    responses((status = 200, body = LetterheadItem), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn delete_logo(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let current = letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
    if current.is_none() {
        return Ok(Json(item(&user.organisation.name, None)).into_response());
    }
    save(&state, &user, None, LogoInput::Remove).await
}
