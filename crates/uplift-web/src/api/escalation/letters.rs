//! Letters and Monitoring and Challenge records in the API.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------
// Letters

/// A letter on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterItem {
    pub id: i64,
    /// The case it is on (a letter may also be about a school with no case).
    pub case_id: Option<i64>,
    pub urn: i64,
    /// The kind of letter (`priority_decision`, `letter_of_concern`, `warning_notice`, ...).
    pub kind: String,
    pub title: String,
    pub headteacher_name: String,
    pub chair_name: String,
    /// For an academy letter: the trust or the regional director.
    pub recipient: Option<String>,
    pub body: String,
    /// `draft` or `issued`.
    pub status: String,
    pub drafted_on: String,
    pub due_on: Option<String>,
    pub issued_on: Option<String>,
    pub issued_by: Option<String>,
    /// The letter as PDF, and as a Word file for editing.
    pub pdf: String,
    pub docx: String,
}

impl From<LetterRecord> for LetterItem {
    fn from(l: LetterRecord) -> LetterItem {
        LetterItem {
            pdf: format!("/api/v1/concern/letters/{}/pdf", l.id),
            docx: format!("/api/v1/concern/letters/{}/docx", l.id),
            id: l.id,
            case_id: l.case_id,
            urn: l.urn,
            kind: l.kind,
            title: l.title,
            headteacher_name: l.headteacher_name,
            chair_name: l.chair_name,
            recipient: l.recipient,
            body: l.body,
            status: l.status,
            drafted_on: l.drafted_on,
            due_on: l.due_on,
            issued_on: l.issued_on,
            issued_by: l.issued_by,
        }
    }
}

/// One letter. A school user reads only the issued letters addressed to
/// their own school (anything else is 404), as on the page.
#[utoipa::path(get, path = "/api/v1/concern/letters/{letter}", security(("bearer" = [])),
    params(("letter" = i64, Path, description = "The letter")),
    responses((status = 200, body = LetterItem),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(letter_id): Path<String>,
) -> Result<Json<LetterItem>, ApiError> {
    let l =
        uplift_app::concern::letter_for(&state.app, &user.caller(), paths::id(&letter_id)?).await?;
    Ok(Json(l.into()))
}

/// The letter file the page offers (`pdf` or `docx`), by the same
/// rendering function as the page so that both give the same document; its
/// errors as JSON.
pub(super) async fn letter_file(
    state: AppState,
    user: CurrentUser,
    letter_id: &str,
    ext: &str,
) -> Result<Response, ApiError> {
    let id = paths::id(letter_id)?;
    let l = uplift_app::concern::letter_for(&state.app, &user.caller(), id).await?;
    Ok(crate::views::concern::letter_file(&state, &user, &l, ext).await?)
}

/// The letter as a PDF (same reading rule as the letter).
#[utoipa::path(get, path = "/api/v1/concern/letters/{letter}/pdf", security(("bearer" = [])),
    params(("letter" = i64, Path, description = "The letter")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>, description = "The PDF"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn letter_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(letter_id): Path<String>,
) -> Result<Response, ApiError> {
    letter_file(state, user, &letter_id, "pdf").await
}

/// The letter as a Word file for editing (same reading rule as the letter).
#[utoipa::path(get, path = "/api/v1/concern/letters/{letter}/docx", security(("bearer" = [])),
    params(("letter" = i64, Path, description = "The letter")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>, description = "The Word file"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn letter_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(letter_id): Path<String>,
) -> Result<Response, ApiError> {
    letter_file(state, user, &letter_id, "docx").await
}

/// The new text of a draft letter.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct LetterTextBody {
    /// The whole text (paragraphs separated by a blank line; `- ` for bullets).
    pub body: String,
}

/// Replaces the text of a draft letter (a lead or an adviser); an issued
/// letter cannot be changed.
#[utoipa::path(put, path = "/api/v1/concern/letters/{letter}", security(("bearer" = [])),
    params(("letter" = i64, Path, description = "The letter")), request_body = LetterTextBody,
    responses((status = 200, body = LetterItem),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn edit_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(letter_id): Path<String>,
    b: Result<Json<LetterTextBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let l =
        uplift_app::concern::letter_for(&state.app, &user.caller(), paths::id(&letter_id)?).await?;
    let b = body_or_refuse!(b);
    let r = steps::edit_letter(&state.app, &user.caller(), l.id, &b.body).await;
    answer(r, |l| json!(LetterItem::from(l)), str::to_owned)
}

/// Issues a draft letter to the school (a lead): from then on its users
/// can read it.
#[utoipa::path(post, path = "/api/v1/concern/letters/{letter}/issue", security(("bearer" = [])),
    params(("letter" = i64, Path, description = "The letter")),
    responses((status = 200, body = LetterItem),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn issue_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(letter_id): Path<String>,
) -> Result<Response, ApiError> {
    let l =
        uplift_app::concern::letter_for(&state.app, &user.caller(), paths::id(&letter_id)?).await?;
    let r = steps::issue_letter(&state.app, &user.caller(), l.id).await;
    answer(r, |l| json!(LetterItem::from(l)), str::to_owned)
}

// ---------------------------------------------------------------------------
// Monitoring and Challenge

/// A Monitoring and Challenge record.
#[derive(Debug, Serialize, ToSchema)]
pub struct McItem {
    pub id: i64,
    pub case_id: i64,
    pub meeting_id: Option<i64>,
    /// YYYY-MM-DD.
    pub date: String,
    /// The judgement of the school's progress: red, amber or green.
    pub progress: String,
    pub progress_evaluation: String,
    /// The judgement of the authority's own support: red, amber or green.
    pub support: String,
    pub support_evaluation: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<McRecord> for McItem {
    fn from(r: McRecord) -> McItem {
        McItem {
            id: r.id,
            case_id: r.case_id,
            meeting_id: r.meeting_id,
            date: r.record_date,
            progress: r.progress,
            progress_evaluation: r.progress_evaluation,
            support: r.authority_support,
            support_evaluation: r.authority_support_evaluation,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

/// The Monitoring and Challenge records of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct McList {
    pub records: Vec<McItem>,
}

/// The case's Monitoring and Challenge records, newest first (a school
/// user's list is empty, as on the page).
#[utoipa::path(get, path = "/api/v1/concern/cases/{case_id}/monitoring-and-challenge", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")),
    responses((status = 200, body = McList),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn mc_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Json<McList>, ApiError> {
    let case_id = paths::id(&case_id)?;
    let case =
        uplift_app::concern::case_for(&state.app, &user.caller(), case_id, Action::ReadConcern)
            .await?;
    if user.principal.role == Role::School {
        return Ok(Json(McList {
            records: Vec::new(),
        }));
    }
    let records = state
        .db
        .monitoring_and_challenge(user.principal.organisation_id, case.id)
        .await?;
    Ok(Json(McList {
        records: records.into_iter().map(McItem::from).collect(),
    }))
}

/// A Monitoring and Challenge record to make.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct McBody {
    /// YYYY-MM-DD: the date of the meeting.
    pub date: String,
    /// red, amber or green.
    pub progress: String,
    /// The head of service's evaluation of the school's progress (at most 4,000 characters).
    pub progress_evaluation: String,
    /// red, amber or green.
    pub support: String,
    /// The evaluation of the authority's own monitoring, challenge and support.
    pub support_evaluation: String,
    /// The meeting it was recorded at (one of the organisation's), if any.
    pub meeting_id: Option<i64>,
}

/// Records the head of service's evaluation of the school's progress and of
/// the authority's own support (a lead).
#[utoipa::path(post, path = "/api/v1/concern/cases/{case_id}/monitoring-and-challenge", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")), request_body = McBody,
    responses((status = 200, body = McItem),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn record_mc(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<McBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let input = uplift_app::plans::McInput {
        date: b.date.trim().parse().ok(),
        progress: b.progress,
        progress_evaluation: b.progress_evaluation,
        support: b.support,
        support_evaluation: b.support_evaluation,
        meeting: b.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
    };
    let r = uplift_app::plans::record_monitoring_and_challenge(
        &state.app,
        &user.caller(),
        case_id,
        input,
    )
    .await;
    answer(
        r,
        |r| json!(McItem::from(r)),
        |f| {
            if f == "meeting" {
                "meeting_id".to_owned()
            } else {
                f.to_owned()
            }
        },
    )
}
