//! Quality assurance pages under `/qa`: the termly sample (drawn by a lead),
//! moderation by QA reviewers (panel users see only the notes sampled to
//! them; anything else is 404), advisers' own feedback, the termly overview,
//! shadowed visits (missing ones shown), the end-of-year survey of
//! headteachers and chairs, and advisers' annual reviews.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::visits::qa as uc;
use uplift_domain::access::Role;
use uplift_domain::calendar::{AcademicYear, TermName};
use uplift_domain::visits::{missing_shadowed_visits, ModerationForm, QaRating, ShadowedVisit};
use uplift_store::qa::{self, AssignmentRow};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::forms;
use crate::render::render;

/// Which year and term a page is about (default: the current term).
#[derive(Debug, Deserialize, Default)]
pub struct TermQuery {
    year: Option<String>,
    term: Option<String>,
}

async fn resolve_term(
    state: &AppState,
    user: &CurrentUser,
    year: Option<&str>,
    term: Option<&str>,
) -> Result<(AcademicYear, TermName), Problem> {
    Ok(uc::resolve_term(&state.app, &user.caller(), year, term).await?)
}

fn assignment_value(a: &AssignmentRow) -> Value {
    let form = ModerationForm::default();
    let ratings = a.ratings();
    let rated: Vec<Value> = form
        .criteria
        .iter()
        .map(|c| {
            context! { label => c.label.clone(), rating => ratings.get(&c.id).map(|r| r.label()) }
        })
        .collect();
    context! {
        id => a.id, term => a.term.clone(), academic_year => a.academic_year.clone(),
        note_id => a.note_id, visit_id => a.visit_id, adviser => a.adviser_name.clone(),
        school => a.school.clone().unwrap_or_else(|| a.urn.to_string()), urn => a.urn,
        planned_date => a.planned_date.clone(), reviewer => a.reviewer_name.clone(),
        reason => a.reason.clone(), done => a.completed_at.is_some(),
        completed_at => a.completed_at.clone(), feedback => a.feedback.clone(), ratings => rated,
    }
}

#[allow(clippy::too_many_arguments)]
async fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    year: AcademicYear,
    term: TermName,
    share: &str,
    errors: Vec<Value>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let year_s = year.to_string();
    let (sample, assignments) =
        uc::term_assignments(&state.app, &user.caller(), year, term).await?;
    let overview = uc::overview_of(&user.organisation.slug, year, term, &assignments);
    let by_adviser: Vec<Value> = overview
        .by_adviser
        .iter()
        .map(|(name, q)| context! { adviser => name.clone(), moderated => q.moderated, mean => format!("{:.1}", q.mean) })
        .collect();
    let lead = user.principal.role == Role::Lead;
    // Everything not about this term's sample: the year's shadowing, survey and reviews.
    let advisers = state.db.feed_advisers(org).await?;
    let (shadowed, missing, surveys, reviews) = if lead {
        let shadowed = state.db.qa_shadowed(org, &year_s).await?;
        let domain: Vec<ShadowedVisit> = shadowed
            .iter()
            .filter_map(|s| {
                Some(ShadowedVisit {
                    adviser_id: s.adviser_id.to_string(),
                    visit_id: s.visit_id.map(|v| v.to_string()).unwrap_or_default(),
                    date: s.shadowed_on.parse().ok()?,
                    shadowed_by: s.shadowed_by.clone(),
                    feedback: s.feedback.clone(),
                })
            })
            .collect();
        let ids: Vec<String> = advisers.iter().map(|(id, _)| id.to_string()).collect();
        let missing: Vec<String> = missing_shadowed_visits(&ids, &domain, year)
            .into_iter()
            .filter_map(|(id, _)| {
                advisers
                    .iter()
                    .find(|(a, _)| a.to_string() == id)
                    .map(|(_, n)| n.clone())
            })
            .collect();
        (
            shadowed,
            missing,
            state.db.qa_survey_responses(org, &year_s).await?,
            state.db.annual_reviews(org, &year_s).await?,
        )
    } else {
        let own = state.db.adviser_id_of_user(org, user.user.id).await?;
        let reviews = state
            .db
            .annual_reviews(org, &year_s)
            .await?
            .into_iter()
            .filter(|r| own == Some(r.adviser_id))
            .collect();
        let shadowed = state
            .db
            .qa_shadowed(org, &year_s)
            .await?
            .into_iter()
            .filter(|s| own == Some(s.adviser_id))
            .collect();
        (shadowed, vec![], vec![], reviews)
    };
    let survey = qa::survey(year);
    let survey_rows: Vec<Value> = surveys
        .iter()
        .map(|r| {
            let answers: BTreeMap<String, u8> = serde_json::from_str(&r.answers).unwrap_or_default();
            let mean = if answers.is_empty() {
                0.0
            } else {
                answers.values().map(|v| f64::from(*v)).sum::<f64>() / answers.len() as f64
            };
            context! {
                adviser => r.adviser_name.clone(), school => r.school.clone().unwrap_or_else(|| r.urn.to_string()),
                respondent => r.respondent.replace('_', " "), mean => format!("{mean:.1} of {}", survey.scale.len()),
                comments => r.comments.clone(),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(
        state,
        Some(user),
        "/qa",
        "qa.html",
        "Quality assurance",
        context! {
            role => user.principal.role.as_str(),
            lead => lead,
            year => year_s,
            term => qa::term_key(term),
            term_label => term.to_string(),
            terms => ["autumn", "spring", "summer"],
            sample => sample.as_ref().map(|s| context! {
                share => format!("{:.0}%", s.share * 100.0), considered => s.considered,
                drawn_by => s.drawn_by.clone(), drawn_at => s.drawn_at.clone(),
            }),
            assignments => assignments.iter().map(assignment_value).collect::<Vec<_>>(),
            overview => context! {
                sampled => overview.sampled, moderated => overview.moderated,
                outstanding => overview.outstanding.len(), by_adviser => by_adviser,
            },
            share => share,
            advisers => advisers.iter().map(|(id, n)| context! { value => id.to_string(), text => n.clone() }).collect::<Vec<_>>(),
            shadowed => shadowed.iter().map(|s| context! {
                adviser => s.adviser_name.clone(), on => s.shadowed_on.clone(), by => s.shadowed_by.clone(),
                feedback => s.feedback.clone(), visit_id => s.visit_id,
            }).collect::<Vec<_>>(),
            missing_shadowed => missing,
            surveys => survey_rows,
            reviews => reviews.iter().map(|r| context! {
                adviser => r.adviser_name.clone(), self_assessment => r.self_assessment.clone(),
                engagement => r.engagement.clone(), brokered_support => r.brokered_support.clone(),
                outcomes => r.outcomes.clone(), feedback => r.feedback.clone(),
                reviewed_by => r.reviewed_by.clone(), reviewed_on => r.reviewed_on.clone(),
            }).collect::<Vec<_>>(),
            errors => errors,
            flash => flash,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /qa?year=2026/27&term=autumn`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TermQuery>,
) -> Result<Response, PageError> {
    let (year, term) = resolve_term(&state, &user, q.year.as_deref(), q.term.as_deref()).await?;
    overview_page(&state, &user, year, term, "10", vec![], None).await
}

#[derive(Debug, Deserialize, Default)]
pub struct DrawForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    share: String,
}

/// `POST /qa/sample`: a lead draws the term's sample.
pub async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<DrawForm>,
) -> Result<Response, PageError> {
    let (year, term) = resolve_term(&state, &user, Some(&f.year), Some(&f.term)).await?;
    let drawn = match uc::draw_sample(&state.app, &user.caller(), year, term, &f.share).await {
        Ok(d) => d,
        Err(e) => {
            let errors = forms::refusals(e, str::to_owned)?;
            return overview_page(&state, &user, year, term, &f.share, errors, None).await;
        }
    };
    let flash = format!(
        "Sample drawn: {} of {} finalised notes, routed to the QA reviewers.",
        drawn.picked, drawn.considered
    );
    overview_page(&state, &user, year, term, &f.share, vec![], Some(flash)).await
}

#[derive(Debug, Deserialize, Default)]
pub struct AssignmentQuery {
    assignment: Option<String>,
}

/// An assignment the user may open: a reviewer's own, or any for a lead.
async fn reachable(
    state: &AppState,
    user: &CurrentUser,
    id: Option<&str>,
) -> Result<AssignmentRow, Problem> {
    let Some(id) = id.filter(|s| !s.trim().is_empty()) else {
        return Err(Problem::BadRequest(
            "Choose a sampled note from the quality assurance page.".into(),
        ));
    };
    let id: i64 = id.trim().parse().map_err(|_| Problem::NotFound)?;
    Ok(uc::assignment(&state.app, &user.caller(), id).await?)
}

async fn moderation_page(
    state: &AppState,
    user: &CurrentUser,
    a: &AssignmentRow,
    chosen: &BTreeMap<String, String>,
    feedback: &str,
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let content = state
        .db
        .note_content(user.principal.organisation_id, a.note_id)
        .await?
        .unwrap_or_default();
    let note: serde_json::Value = serde_json::from_str(&content).unwrap_or_default();
    let sections: Vec<Value> = note
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => serde_json::to_string_pretty(other).unwrap_or_default(),
                    };
                    context! { heading => k.replace('_', " "), text => text }
                })
                .collect()
        })
        .unwrap_or_default();
    let form = ModerationForm::default();
    let scale: Vec<Value> = QaRating::SCALE
        .iter()
        .map(|r| {
            context! { value => serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)), text => r.label() }
        })
        .collect();
    let criteria: Vec<Value> = form
        .criteria
        .iter()
        .map(|c| {
            context! { id => c.id.clone(), label => c.label.clone(), chosen => chosen.get(&c.id).cloned() }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(
        state,
        Some(user),
        "/qa",
        "qa_moderate.html",
        "Moderate a note of visit",
        context! {
            assignment => assignment_value(a),
            sections => sections,
            criteria => criteria,
            scale => scale,
            feedback => feedback,
            can_moderate => user.principal.role == Role::Panel && a.completed_at.is_none(),
            errors => errors,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /qa/moderate?assignment=ID`: the sampled note and the moderation form.
pub async fn moderate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AssignmentQuery>,
) -> Result<Response, PageError> {
    if !matches!(user.principal.role, Role::Lead | Role::Panel) {
        return Err(Problem::Forbidden.into());
    }
    let a = reachable(&state, &user, q.assignment.as_deref()).await?;
    moderation_page(&state, &user, &a, &BTreeMap::new(), "", vec![]).await
}

/// A use case's field on this page: `ratings.reading` is `ratings-reading`.
fn page_field(field: &str) -> String {
    field.replace('.', "-")
}

/// `POST /qa/moderate`: the reviewer's moderation (assignment, ratings-*, feedback).
pub async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    uc::may_moderate(&user.caller())?;
    let a = reachable(&state, &user, fields.get("assignment").map(String::as_str)).await?;
    let feedback = fields.get("feedback").cloned().unwrap_or_default();
    let chosen: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("ratings-")?.to_string(), v.clone())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match uc::moderate(&state.app, &user.caller(), a.id, &chosen, &feedback).await {
        Ok(()) => Ok(Redirect::to("/qa").into_response()),
        Err(e) => {
            let errors = forms::refusals(e, page_field)?;
            moderation_page(&state, &user, &a, &chosen, &feedback, errors).await
        }
    }
}

/// `POST /qa/shadowing`: a lead records a shadowed visit (adviser, visit,
/// the date as a GOV.UK date input, shadowed_by, feedback).
pub async fn shadowing(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = forms::fields(form);
    let caller = user.caller();
    let (cy, ct) = uc::current_term(&state.app, caller.organisation_id()).await?;
    let (date, date_error) = match forms::date_input(&f, "date", "the date of the visit") {
        Ok(d) => (d, None),
        Err(e) => (None, Some(e)),
    };
    let input = uc::Shadowed {
        adviser: forms::one(&f, "adviser").parse().ok(),
        visit: forms::one(&f, "visit"),
        date,
        shadowed_by: forms::one(&f, "shadowed_by"),
        feedback: forms::one(&f, "feedback"),
    };
    let year = date.map(AcademicYear::containing).unwrap_or(cy);
    let term = if year == cy { ct } else { TermName::Summer };
    match uc::record_shadowed(&state.app, &caller, input).await {
        Ok(_) => {
            let flash = "Shadowed visit recorded.".to_string();
            overview_page(&state, &user, year, term, "10", vec![], Some(flash)).await
        }
        Err(e) => {
            let mut errors = forms::refusals(e, str::to_owned)?;
            if let Some(d) = date_error {
                let date_field = |e: &Value| {
                    e.get_attr("field")
                        .ok()
                        .is_some_and(|f| f.as_str() == Some("date"))
                };
                errors.retain(|e| !date_field(e));
                errors.push(d);
            }
            overview_page(&state, &user, year, term, "10", errors, None).await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    adviser: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    self_assessment: String,
    #[serde(default)]
    engagement: String,
    #[serde(default)]
    brokered_support: String,
    #[serde(default)]
    outcomes: String,
    #[serde(default)]
    feedback: String,
}

/// `POST /qa/reviews`: a lead records an adviser's annual review.
pub async fn annual_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let (year, term) = resolve_term(&state, &user, Some(&f.year), None).await?;
    let input = uc::Review {
        adviser: f.adviser.trim().parse().ok(),
        year,
        self_assessment: f.self_assessment.clone(),
        engagement: f.engagement.clone(),
        brokered_support: f.brokered_support.clone(),
        outcomes: f.outcomes.clone(),
        feedback: f.feedback.clone(),
    };
    match uc::save_annual_review(&state.app, &user.caller(), input).await {
        Ok(_) => {
            let flash = "Annual review saved.".to_string();
            overview_page(&state, &user, year, term, "10", vec![], Some(flash)).await
        }
        Err(e) => {
            let errors = forms::refusals(e, |f| {
                match f {
                    "adviser" => "review-adviser",
                    other => other,
                }
                .to_owned()
            })?;
            overview_page(&state, &user, year, term, "10", errors, None).await
        }
    }
}

async fn survey_page(
    state: &AppState,
    user: &CurrentUser,
    chosen: &BTreeMap<String, String>,
    errors: Vec<Value>,
    done: bool,
) -> Result<Response, PageError> {
    let urn = user.principal.school_urn.ok_or(Problem::Forbidden)?;
    let year = AcademicYear::containing(state.today());
    let survey = qa::survey(year);
    let adviser = state
        .db
        .named_adviser(user.principal.organisation_id, urn)
        .await?;
    let scale: Vec<Value> = survey
        .scale
        .iter()
        .enumerate()
        .map(|(i, s)| context! { value => (i + 1).to_string(), text => s.clone() })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(
        state,
        Some(user),
        "/qa/survey",
        "qa_survey.html",
        "End-of-year survey",
        context! {
            year => year.to_string(),
            adviser => adviser.map(|(_, n)| n),
            questions => survey.questions.iter().map(|q| context! {
                id => q.id.clone(), text => q.text.clone(), chosen => chosen.get(&format!("answers-{}", q.id)).cloned(),
            }).collect::<Vec<_>>(),
            scale => scale,
            respondent => chosen.get("respondent").cloned(),
            comments => chosen.get("comments").cloned().unwrap_or_default(),
            done => done,
            errors => errors,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /qa/survey`: a school's end-of-year survey about its adviser.
pub async fn survey_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    survey_page(&state, &user, &BTreeMap::new(), vec![], false).await
}

/// `POST /qa/survey` (respondent, answers-*, comments).
pub async fn survey_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let input = uc::Survey {
        respondent: fields.get("respondent").cloned().unwrap_or_default(),
        answers: fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("answers-")?.to_string(), v.clone())))
            .collect(),
        comments: fields.get("comments").cloned().unwrap_or_default(),
    };
    match uc::submit_survey(&state.app, &user.caller(), input).await {
        Ok(_) => survey_page(&state, &user, &BTreeMap::new(), vec![], true).await,
        Err(e) => {
            let errors = forms::refusals(e, page_field)?;
            survey_page(&state, &user, &fields, errors, false).await
        }
    }
}
