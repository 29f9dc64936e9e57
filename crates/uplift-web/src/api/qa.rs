//! Quality assurance through the API, under the same rules as `/qa`: a lead
//! sees every sampled note, a QA reviewer only the notes sampled to them, an
//! adviser only the moderation of their own notes.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use uplift_app::visits::qa as uc;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermParams {
    /// Academic year, e.g. 2026/27 (default: the current one).
    year: Option<String>,
    /// autumn, spring or summer (default: the current term).
    term: Option<String>,
}

/// A sampled note and its moderation.
#[derive(Serialize, ToSchema)]
pub struct QaAssignmentItem {
    pub id: i64,
    pub academic_year: String,
    pub term: String,
    pub note_id: i64,
    pub visit_id: i64,
    pub adviser_id: i64,
    pub adviser: String,
    pub urn: i64,
    pub school: Option<String>,
    pub reviewer_user_id: Option<i64>,
    pub reason: String,
    /// Criterion id to weak, requires_development, good or strong (once moderated).
    pub ratings: BTreeMap<String, String>,
    pub feedback: Option<String>,
    pub completed_at: Option<String>,
}

async fn assignments_for(
    state: &AppState,
    user: &CurrentUser,
    q: &TermParams,
) -> Result<
    (
        uplift_domain::calendar::AcademicYear,
        uplift_domain::calendar::TermName,
        Vec<uplift_store::qa::AssignmentRow>,
    ),
    ApiError,
> {
    let caller = user.caller();
    let (year, term) =
        uc::resolve_term(&state.app, &caller, q.year.as_deref(), q.term.as_deref()).await?;
    let (_, list) = uc::term_assignments(&state.app, &caller, year, term).await?;
    Ok((year, term, list))
}

/// The term's sampled notes the caller may see.
#[utoipa::path(get, path = "/api/v1/qa/assignments", security(("bearer" = [])), params(TermParams),
    responses((status = 200, body = Vec<QaAssignmentItem>), (status = 422, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn assignments(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TermParams>,
) -> Result<Json<Vec<QaAssignmentItem>>, ApiError> {
    let (_, _, list) = assignments_for(&state, &user, &q).await?;
    Ok(Json(
        list.into_iter()
            .map(|a| QaAssignmentItem {
                ratings: a
                    .ratings()
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            serde_json::to_value(v)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                        )
                    })
                    .collect(),
                id: a.id,
                academic_year: a.academic_year,
                term: a.term,
                note_id: a.note_id,
                visit_id: a.visit_id,
                adviser_id: a.adviser_id,
                adviser: a.adviser_name,
                urn: a.urn,
                school: a.school,
                reviewer_user_id: a.reviewer_user_id,
                reason: a.reason,
                feedback: a.feedback,
                completed_at: a.completed_at,
            })
            .collect(),
    ))
}

/// One adviser's moderated notes this term.
#[derive(Serialize, ToSchema)]
pub struct AdviserQaItem {
    pub adviser: String,
    pub moderated: usize,
    /// Mean rating, 1 (weak) to 4 (strong).
    pub mean: f64,
}

/// The termly QA overview (over the notes the caller may see).
#[derive(Serialize, ToSchema)]
pub struct QaOverviewBody {
    pub academic_year: String,
    pub term: String,
    pub sampled: usize,
    pub moderated: usize,
    pub outstanding: usize,
    pub by_adviser: Vec<AdviserQaItem>,
}

/// The termly overview of quality assurance.
#[utoipa::path(get, path = "/api/v1/qa/overview", security(("bearer" = [])), params(TermParams),
    responses((status = 200, body = QaOverviewBody), (status = 422, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TermParams>,
) -> Result<Json<QaOverviewBody>, ApiError> {
    let (year, term, list) = assignments_for(&state, &user, &q).await?;
    let o = uc::overview_of(&user.organisation.slug, year, term, &list);
    Ok(Json(QaOverviewBody {
        academic_year: year.to_string(),
        term: uplift_store::qa::term_key(term).into(),
        sampled: o.sampled,
        moderated: o.moderated,
        outstanding: o.outstanding.len(),
        by_adviser: o
            .by_adviser
            .into_iter()
            .map(|(adviser, a)| AdviserQaItem {
                adviser,
                moderated: a.moderated,
                mean: a.mean,
            })
            .collect(),
    }))
}
