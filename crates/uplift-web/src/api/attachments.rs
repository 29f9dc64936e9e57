//! Attachments of a visit through the API, under the same rules as the
//! pages: `GET /api/v1/visits/{visit}/attachments`, `POST` the same path
//! (multipart: `attach_to`, `file`) and `GET …/{attachment}` for the bytes.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use uplift_app::visits::attachments as uc;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::paths;
use crate::views::attachments::{download_response, read_upload};

/// A file attached to a visit or its note.
#[derive(Serialize, ToSchema)]
pub struct AttachmentItem {
    pub id: i64,
    pub visit_id: i64,
    /// Set when attached to the note of visit.
    pub note_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// Where to download it.
    pub href: String,
}

/// A refused upload: the messages, each with the form field it concerns
/// (`file` or `attach_to`).
#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub error: String,
    #[schema(value_type = Vec<Object>)]
    pub errors: serde_json::Value,
}

fn item(a: uplift_store::attachments::Attachment) -> AttachmentItem {
    AttachmentItem {
        href: format!("/api/v1/visits/{}/attachments/{}", a.visit_id, a.id),
        id: a.id,
        visit_id: a.visit_id,
        note_id: a.note_id,
        filename: a.filename,
        content_type: a.content_type,
        size_bytes: a.size_bytes,
        sha256: a.sha256,
        uploaded_by: a.uploaded_by,
        uploaded_at: a.uploaded_at,
    }
}

/// The files of a visit the caller may read.
#[utoipa::path(get, path = "/api/v1/visits/{visit}/attachments", security(("bearer" = [])),
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Vec<AttachmentItem>), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(visit): Path<String>,
) -> Result<Json<Vec<AttachmentItem>>, ApiError> {
    let (_, list) = uc::attachments(&state.app, &user.caller(), paths::id(&visit)?).await?;
    Ok(Json(list.into_iter().map(item).collect()))
}

/// Attaches a file (multipart/form-data: `attach_to` = visit or note, `file`).
/// A file over the size limit or of a refused type is answered 422 naming the
/// field, and nothing is saved.
#[utoipa::path(post, path = "/api/v1/visits/{visit}/attachments", security(("bearer" = [])),
    params(("visit" = i64, Path, description = "The visit's id")),
    request_body(content_type = "multipart/form-data", description = "attach_to (visit or note) and file"),
    responses((status = 201, body = AttachmentItem), (status = 422, body = FieldErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(visit): Path<String>,
    form: Multipart,
) -> Result<Response, ApiError> {
    let id = paths::id(&visit)?;
    let caller = user.caller();
    let a = uc::visit_access(&state.app, &caller, id).await?;
    if !uc::may_write(&caller, &a) {
        return Err(Problem::Forbidden.into());
    }
    let limit = state.config.attachment_max_bytes;
    let up = read_upload(form, limit).await?;
    let att = uc::upload(&state.app, &caller, id, &up, limit).await?;
    Ok((StatusCode::CREATED, Json(item(att))).into_response())
}

/// The bytes of one file (always `Content-Disposition: attachment`).
#[utoipa::path(get, path = "/api/v1/visits/{visit}/attachments/{attachment}", security(("bearer" = [])),
    params(("visit" = i64, Path, description = "The visit's id"), ("attachment" = i64, Path, description = "The attachment's id")),
    responses((status = 200, description = "The file"), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((visit, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (visit, attachment) = (paths::id(&visit)?, paths::id(&attachment)?);
    let (att, bytes) = uc::read(&state.app, &user.caller(), visit, attachment).await?;
    Ok(download_response(&att, bytes))
}
