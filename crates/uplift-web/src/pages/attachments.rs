//! Attachments on a visit and its note of visit: the list and upload form at
//! `/visits/{visit}/attachments`, uploads (multipart; the CSRF token is
//! checked before the file is read, see `auth::csrf`), and downloads served
//! only to users who may read the visit or note (a school user: their own
//! school's visits, and a note's files only once the note has been sent to
//! them; a QA reviewer: only the files of notes sampled to them), always as
//! `Content-Disposition: attachment` with `nosniff`.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use uplift_domain::access::{Action, Role, Scope};
use uplift_store::attachments::{self, human_size, Attachment, Refusal, VisitAccess};

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

/// The visit, if it exists in the user's organisation and the user may
/// read something of it (otherwise 404).
pub async fn access(
    state: &AppState,
    user: &CurrentUser,
    visit: &str,
) -> Result<VisitAccess, Problem> {
    let id: i64 = visit.trim().parse().map_err(|_| Problem::NotFound)?;
    let org = user.principal.organisation_id;
    let a = state
        .db
        .visit_access(org, id)
        .await?
        .ok_or(Problem::NotFound)?;
    permit(
        user,
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn: a.urn,
        },
    )?;
    if user.principal.role == Role::Panel && sampled_note(state, user, &a).await?.is_none() {
        return Err(Problem::NotFound);
    }
    Ok(a)
}

/// The visit's note, when it is sampled to this QA reviewer.
async fn sampled_note(
    state: &AppState,
    user: &CurrentUser,
    a: &VisitAccess,
) -> Result<Option<i64>, Problem> {
    let Some(note) = a.note_id else {
        return Ok(None);
    };
    Ok(state
        .db
        .qa_sampled_to(user.principal.organisation_id, note, user.user.id)
        .await?
        .then_some(note))
}

/// May the user read this attachment of a visit they can reach?
pub async fn may_read(
    state: &AppState,
    user: &CurrentUser,
    a: &VisitAccess,
    att: &Attachment,
) -> Result<bool, Problem> {
    Ok(match user.principal.role {
        Role::Admin | Role::Lead | Role::Adviser => true,
        Role::School => {
            user.principal.school_urn == Some(a.urn)
                && (att.note_id.is_none() || a.note_shared_with_school())
        }
        Role::Panel => att.note_id.is_some() && sampled_note(state, user, a).await? == att.note_id,
        Role::Commissioner | Role::Traded => false,
    })
}

/// May the user add files to this visit? Leads: any; advisers: their own visits.
pub fn may_write(user: &CurrentUser, a: &VisitAccess) -> bool {
    match user.principal.role {
        Role::Lead => true,
        Role::Adviser => a.adviser_user_id == Some(user.user.id),
        _ => false,
    }
}

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

/// The attachments the user may read.
pub async fn visible(
    state: &AppState,
    user: &CurrentUser,
    a: &VisitAccess,
) -> Result<Vec<Attachment>, Problem> {
    let mut out = Vec::new();
    for att in state
        .db
        .attachments(user.principal.organisation_id, a.visit_id)
        .await?
    {
        if may_read(state, user, a, &att).await? {
            out.push(att);
        }
    }
    Ok(out)
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    a: &VisitAccess,
    errors: Vec<Value>,
    attach_to: &str,
) -> Result<Response, PageError> {
    let list = visible(state, user, a).await?;
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
            can_upload => may_write(user, a),
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
    let a = access(&state, &user, &visit).await?;
    list_page(&state, &user, &a, vec![], "visit").await
}

/// A file read from a multipart form.
pub struct Upload {
    pub attach_to: String,
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
    /// The file went over the limit (reading stopped there).
    pub too_large: bool,
}

/// Reads the form: `attach_to` (visit or note) and `file`, stopping once
/// the file passes `limit` bytes.
pub async fn read_upload(mut form: Multipart, limit: u64) -> Result<Upload, Problem> {
    let mut up = Upload {
        attach_to: "visit".into(),
        filename: None,
        bytes: Vec::new(),
        too_large: false,
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        Problem::BadRequest(format!("The upload could not be read: {}", e.body_text()))
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("attach_to") => up.attach_to = field.text().await.map_err(bad)?,
            Some("file") => {
                up.filename = field.file_name().map(str::to_string);
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if (up.bytes.len() + chunk.len()) as u64 > limit {
                        up.too_large = true;
                        break;
                    }
                    up.bytes.extend_from_slice(&chunk);
                }
                if up.too_large {
                    break;
                }
            }
            _ => {}
        }
    }
    Ok(up)
}

/// Checks and stores an upload; `Err((field, message))` when refused (nothing saved).
pub async fn store_upload(
    state: &AppState,
    user: &CurrentUser,
    a: &VisitAccess,
    up: &Upload,
) -> Result<Result<Attachment, (&'static str, String)>, Problem> {
    let limit = state.config.attachment_max_bytes;
    let to_note = match up.attach_to.as_str() {
        "visit" => false,
        "note" => true,
        _ => {
            return Ok(Err((
                "attach_to",
                "Select whether to attach the file to the visit or to the note of visit".into(),
            )))
        }
    };
    if to_note && (a.note_id.is_none() || a.note_final()) {
        let why = if a.note_id.is_none() {
            "The visit has no note of visit yet: attach the file to the visit"
        } else {
            "The note of visit is final and locked: attach the file to the visit or add an addendum"
        };
        return Ok(Err(("attach_to", why.into())));
    }
    let Some(filename) = up.filename.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(Err(("file", "Select a file".into())));
    };
    if up.too_large {
        return Ok(Err(("file", Refusal::TooLarge { limit }.message())));
    }
    let mut tx = state.db.begin().await?;
    match attachments::add(
        &mut tx,
        &user.actor(),
        a,
        to_note,
        filename,
        &up.bytes,
        limit,
    )
    .await?
    {
        Ok(att) => {
            tx.commit().await?;
            Ok(Ok(att))
        }
        Err(refusal) => Ok(Err(("file", refusal.message()))),
    }
}

/// `POST /visits/{visit}/attachments` (multipart: csrf_token, attach_to, file).
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(visit): Path<String>,
    form: Multipart,
) -> Result<Response, PageError> {
    let a = access(&state, &user, &visit).await?;
    if !may_write(&user, &a) {
        return Err(Problem::Forbidden.into());
    }
    let up = read_upload(form, state.config.attachment_max_bytes).await?;
    match store_upload(&state, &user, &a, &up).await? {
        Ok(_) => Ok(Redirect::to(&format!("/visits/{}/attachments", a.visit_id)).into_response()),
        Err((field, text)) => {
            let errors = vec![context! { field => field, text => text }];
            list_page(&state, &user, &a, errors, &up.attach_to).await
        }
    }
}

/// The response serving a file: always a download, never rendered.
pub fn download_response(att: &Attachment, bytes: Vec<u8>) -> Response {
    let ascii: String = att
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(att.filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&att.content_type)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Finds an attachment the user may read (404 otherwise).
pub async fn readable(
    state: &AppState,
    user: &CurrentUser,
    visit: &str,
    attachment: &str,
) -> Result<(Attachment, Vec<u8>), Problem> {
    let a = access(state, user, visit).await?;
    let id: i64 = attachment.trim().parse().map_err(|_| Problem::NotFound)?;
    let (att, bytes) = state
        .db
        .attachment_content(user.principal.organisation_id, a.visit_id, id)
        .await?
        .ok_or(Problem::NotFound)?;
    if !may_read(state, user, &a, &att).await? {
        return Err(Problem::NotFound);
    }
    Ok((att, bytes))
}

/// `GET /visits/{visit}/attachments/{attachment}`.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((visit, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (att, bytes) = readable(&state, &user, &visit, &attachment).await?;
    Ok(download_response(&att, bytes))
}
