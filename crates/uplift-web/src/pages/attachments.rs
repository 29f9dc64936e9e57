//! Attachments on a visit and its note of visit: the list and upload form at
//! `/visits/{visit}/attachments`, uploads (multipart; the CSRF token is
//! checked before the file is read, see `auth::csrf`), and downloads served
//! only to users who may read the visit or note (a school user: their own
//! school's visits, and a note's files only once the note has been sent to
//! them; a QA reviewer: only the files of notes sampled to them), always as
//! `Content-Disposition: attachment` with `nosniff`.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use uplift_app::visits::attachments as uc;
use uplift_store::attachments::{human_size, Attachment, VisitAccess};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::paths;
use crate::render::render;
use crate::views::attachments::{download_response, read_upload};

fn attachment_value(visit: i64, a: &Attachment) -> Value {
    context! {
        id => a.id,
        href => format!("/visits/{visit}/attachments/{}", a.id),
        filename => a.filename.clone(),
        content_type => a.content_type.clone(),
        size => human_size(a.size_bytes.max(0) as u64),
        sha256 => a.sha256.clone(),
        on_note => a.note_id.is_some(),
        uploaded_by => a.uploaded_by.clone(),
        uploaded_at => a.uploaded_at.clone(),
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    visit_id: i64,
    errors: Vec<Value>,
    attach_to: &str,
) -> Result<Response, PageError> {
    let (a, list): (VisitAccess, Vec<Attachment>) =
        uc::attachments(&state.app, &user.caller(), visit_id).await?;
    let school = state
        .db
        .feed_school_name(a.urn)
        .await?
        .unwrap_or_else(|| format!("URN {}", a.urn));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(
        state,
        Some(user),
        "/visits",
        "attachments.html",
        "Attachments",
        context! {
            visit_id => a.visit_id,
            school => school,
            attachments => list.iter().map(|x| attachment_value(a.visit_id, x)).collect::<Vec<_>>(),
            can_upload => uc::may_write(&user.caller(), &a),
            can_attach_to_note => a.note_id.is_some() && !a.note_final(),
            attach_to => attach_to,
            limit => human_size(state.config.attachment_max_bytes),
            errors => errors,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /visits/{visit}/attachments`.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(visit): Path<String>,
) -> Result<Response, PageError> {
    let id = paths::id(&visit)?;
    list_page(&state, &user, id, vec![], "visit").await
}

/// `POST /visits/{visit}/attachments` (multipart: csrf_token, attach_to, file).
/// Who may add files is checked before the file is read.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(visit): Path<String>,
    form: Multipart,
) -> Result<Response, PageError> {
    let id = paths::id(&visit)?;
    let caller = user.caller();
    let a = uc::visit_access(&state.app, &caller, id).await?;
    if !uc::may_write(&caller, &a) {
        return Err(Problem::Forbidden.into());
    }
    let limit = state.config.attachment_max_bytes;
    let up = read_upload(form, limit).await?;
    match uc::upload(&state.app, &caller, id, &up, limit).await {
        Ok(_) => Ok(Redirect::to(&format!("/visits/{id}/attachments")).into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, str::to_owned)?;
            list_page(&state, &user, id, errors, &up.attach_to).await
        }
    }
}

/// `GET /visits/{visit}/attachments/{attachment}`.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((visit, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (visit, attachment) = (paths::id(&visit)?, paths::id(&attachment)?);
    let (att, bytes) = uc::read(&state.app, &user.caller(), visit, attachment).await?;
    Ok(download_response(&att, bytes))
}
