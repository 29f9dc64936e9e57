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
use uplift_domain::access::Role;
use uplift_domain::calendar::{AcademicYear, TermName};
use uplift_domain::visits::{
    missing_shadowed_visits, qa_overview, AnnualReview, ModerationForm, ModerationRecord, QaPick,
    QaRating, QaSample, ShadowedVisit, SurveyRespondent, SurveyResponse,
};
use uplift_store::qa::{self, AssignmentRow};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

use crate::pages::categories::today;

/// Which year and term a page is about (default: the current term).
#[derive(Debug, Deserialize, Default)]
pub struct TermQuery {
    year: Option<String>,
    term: Option<String>,
}

impl TermQuery {
    pub fn from_parts(year: Option<String>, term: Option<String>) -> TermQuery {
        TermQuery { year, term }
    }
}

/// Today's academic year and term by the organisation's own term dates.
pub async fn current_term(state: &AppState, org: i64) -> Result<(AcademicYear, TermName), Problem> {
    let day = today();
    let (dates, _) = state
        .db
        .term_dates(org, AcademicYear::containing(day))
        .await?;
    Ok(qa::term_for(day, &dates)?)
}

/// The year and term asked for, defaulting to the current ones.
pub async fn resolve_term(
    state: &AppState,
    org: i64,
    q: &TermQuery,
) -> Result<(AcademicYear, TermName), Problem> {
    let (cy, ct) = current_term(state, org).await?;
    let year = match q.year.as_deref().filter(|s| !s.is_empty()) {
        Some(y) => AcademicYear::parse(y).map_err(|e| Problem::BadRequest(format!("year: {e}")))?,
        None => cy,
    };
    let term = match q.term.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => qa::parse_term(t)
            .ok_or_else(|| Problem::BadRequest("term must be autumn, spring or summer".into()))?,
        None => ct,
    };
    Ok((year, term))
}

/// The assignments this user may see: all (lead), theirs to review
/// (panel), or their own notes' feedback (adviser).
pub async fn scoped_assignments(
    state: &AppState,
    user: &CurrentUser,
    sample: Option<i64>,
) -> Result<Vec<AssignmentRow>, Problem> {
    let org = user.principal.organisation_id;
    let (reviewer, adviser) = match user.principal.role {
        Role::Lead => (None, None),
        Role::Panel => (Some(user.user.id), None),
        Role::Adviser => (None, Some(user.user.id)),
        _ => return Err(Problem::Forbidden),
    };
    let list = state
        .db
        .qa_assignments(org, sample, reviewer, adviser)
        .await?;
    // Advisers see feedback only once it is written.
    Ok(match user.principal.role {
        Role::Adviser => list
            .into_iter()
            .filter(|a| a.completed_at.is_some())
            .collect(),
        _ => list,
    })
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

/// The domain's overview of a set of assignments.
pub fn overview_of(
    org: &str,
    year: AcademicYear,
    term: TermName,
    list: &[AssignmentRow],
) -> uplift_domain::visits::QaOverview {
    let sample = QaSample {
        organisation: org.to_string(),
        academic_year: year,
        term,
        picks: list
            .iter()
            .map(|a| QaPick {
                note_id: a.note_id.to_string(),
                adviser_id: a.adviser_name.clone(),
                reviewer_id: a.reviewer_user_id.map(|r| r.to_string()),
                reason: a.reason.clone(),
            })
            .collect(),
        considered: list.len(),
    };
    let records: Vec<ModerationRecord> = list
        .iter()
        .filter(|a| a.completed_at.is_some())
        .map(|a| ModerationRecord {
            note_id: a.note_id.to_string(),
            adviser_id: a.adviser_name.clone(),
            reviewer_id: a.reviewer_user_id.unwrap_or_default().to_string(),
            ratings: a.ratings(),
            feedback: a.feedback.clone().unwrap_or_default(),
        })
        .collect();
    qa_overview(&sample, &records)
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
    let sample = state
        .db
        .qa_samples(org)
        .await?
        .into_iter()
        .find(|s| s.academic_year == year_s && s.term == qa::term_key(term));
    let assignments = match &sample {
        Some(s) => scoped_assignments(state, user, Some(s.id)).await?,
        None => vec![],
    };
    let overview = overview_of(&user.organisation.slug, year, term, &assignments);
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
    let (year, term) = resolve_term(&state, user.principal.organisation_id, &q).await?;
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
    if user.principal.role != Role::Lead {
        return Err(Problem::Forbidden.into());
    }
    let (year, term) = resolve_term(
        &state,
        user.principal.organisation_id,
        &TermQuery {
            year: Some(f.year.clone()),
            term: Some(f.term.clone()),
        },
    )
    .await?;
    let share = f.share.trim().trim_end_matches('%').parse::<f64>().ok();
    let Some(share) = share.filter(|s| *s > 0.0 && *s <= 100.0) else {
        let errors = vec![err(
            "share",
            "Enter the share of notes to sample, a number from 1 to 100",
        )];
        return overview_page(&state, &user, year, term, &f.share, errors, None).await;
    };
    let mut tx = state.db.begin().await?;
    let drawn = match qa::draw(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        year,
        term,
        share / 100.0,
    )
    .await
    {
        Ok(d) => d,
        Err(e @ uplift_store::StoreError::Conflict(_)) => {
            let errors = vec![err("share", &format!("{e}"))];
            return overview_page(&state, &user, year, term, &f.share, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
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
    let a = state
        .db
        .qa_assignment(user.principal.organisation_id, id)
        .await?
        .ok_or(Problem::NotFound)?;
    match user.principal.role {
        Role::Lead => Ok(a),
        Role::Panel if a.reviewer_user_id == Some(user.user.id) => Ok(a),
        _ => Err(Problem::NotFound),
    }
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

/// Reads `ratings-<criterion>` fields into ratings, keeping what was chosen.
pub fn parse_ratings(
    fields: &BTreeMap<String, String>,
) -> (
    BTreeMap<String, QaRating>,
    BTreeMap<String, String>,
    Vec<Value>,
) {
    let form = ModerationForm::default();
    let mut ratings = BTreeMap::new();
    let mut chosen = BTreeMap::new();
    let mut errors = Vec::new();
    for c in &form.criteria {
        let Some(v) = fields
            .get(&format!("ratings-{}", c.id))
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        chosen.insert(c.id.clone(), v.clone());
        match serde_json::from_value::<QaRating>(serde_json::Value::String(v.clone())) {
            Ok(r) => {
                ratings.insert(c.id.clone(), r);
            }
            Err(_) => errors.push(err(
                &format!("ratings-{}", c.id),
                &format!("Select a rating on the scale for \"{}\"", c.label),
            )),
        }
    }
    (ratings, chosen, errors)
}

/// `POST /qa/moderate`: the reviewer's moderation (assignment, ratings-*, feedback).
pub async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    if user.principal.role != Role::Panel {
        return Err(Problem::Forbidden.into());
    }
    let a = reachable(&state, &user, fields.get("assignment").map(String::as_str)).await?;
    let feedback = fields.get("feedback").cloned().unwrap_or_default();
    let (ratings, chosen, mut errors) = parse_ratings(&fields);
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        match qa::moderate(
            &mut tx,
            &user.actor(),
            user.principal.organisation_id,
            &a,
            user.user.id,
            ratings,
            &feedback,
        )
        .await?
        {
            Ok(()) => {
                tx.commit().await?;
                return Ok(Redirect::to("/qa").into_response());
            }
            Err(fe) => {
                errors = fe
                    .iter()
                    .map(|e| err(&e.field.replace('.', "-"), &e.message))
                    .collect();
            }
        }
    }
    moderation_page(&state, &user, &a, &chosen, &feedback, errors).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ShadowForm {
    #[serde(default)]
    adviser: String,
    #[serde(default)]
    visit: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    shadowed_by: String,
    #[serde(default)]
    feedback: String,
}

/// `POST /qa/shadowing`: a lead records a shadowed visit.
pub async fn shadowing(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ShadowForm>,
) -> Result<Response, PageError> {
    if user.principal.role != Role::Lead {
        return Err(Problem::Forbidden.into());
    }
    let mut errors = Vec::new();
    let adviser = f.adviser.trim().parse::<i64>().ok();
    if adviser.is_none() {
        errors.push(err("adviser", "Select the adviser who was shadowed"));
    }
    let date = f.date.trim().parse::<jiff::civil::Date>().ok();
    match date {
        None => errors.push(err(
            "date",
            "Enter the date of the visit, for example 2026-11-20",
        )),
        Some(d) if d > today() => errors.push(err(
            "date",
            "The date of a shadowed visit must be today or in the past",
        )),
        _ => {}
    }
    let visit = match f.visit.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(err("visit", "Enter the visit's number, or leave it blank"));
                None
            }
        },
    };
    if f.shadowed_by.trim().is_empty() {
        errors.push(err("shadowed_by", "Enter who shadowed the visit"));
    }
    if f.feedback.trim().is_empty() {
        errors.push(err("feedback", "Enter the feedback given to the adviser"));
    }
    let (cy, ct) = current_term(&state, user.principal.organisation_id).await?;
    let year = date.map(AcademicYear::containing).unwrap_or(cy);
    let term = if year == cy { ct } else { TermName::Summer };
    if let (true, Some(adviser), Some(date)) = (errors.is_empty(), adviser, date) {
        let mut tx = state.db.begin().await?;
        match qa::record_shadowed(
            &mut tx,
            &user.actor(),
            user.principal.organisation_id,
            adviser,
            visit,
            date,
            &f.shadowed_by,
            &f.feedback,
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                let flash = "Shadowed visit recorded.".to_string();
                return overview_page(&state, &user, year, term, "10", vec![], Some(flash)).await;
            }
            Err(uplift_store::StoreError::Invalid(m)) => {
                let field = if m.contains("visit") {
                    "visit"
                } else {
                    "adviser"
                };
                errors.push(err(field, &m));
            }
            Err(e) => return Err(e.into()),
        }
    }
    overview_page(&state, &user, year, term, "10", errors, None).await
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
    if user.principal.role != Role::Lead {
        return Err(Problem::Forbidden.into());
    }
    let (year, term) = resolve_term(
        &state,
        user.principal.organisation_id,
        &TermQuery {
            year: Some(f.year.clone()),
            term: None,
        },
    )
    .await?;
    let mut errors = Vec::new();
    if f.adviser.trim().parse::<i64>().is_err() {
        errors.push(err("review-adviser", "Select the adviser reviewed"));
    }
    if f.self_assessment.trim().is_empty() {
        errors.push(err(
            "self_assessment",
            "Enter the adviser's self-assessment",
        ));
    }
    if errors.is_empty() {
        let review = AnnualReview {
            adviser_id: f.adviser.trim().to_string(),
            academic_year: year,
            self_assessment: f.self_assessment.clone(),
            engagement: f.engagement.clone(),
            brokered_support: f.brokered_support.clone(),
            outcomes: f.outcomes.clone(),
            feedback: f.feedback.clone(),
            reviewed_by: user.user.name.clone(),
            reviewed_on: Some(today()),
        };
        let mut tx = state.db.begin().await?;
        match qa::save_review(
            &mut tx,
            &user.actor(),
            user.principal.organisation_id,
            &review,
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                let flash = "Annual review saved.".to_string();
                return overview_page(&state, &user, year, term, "10", vec![], Some(flash)).await;
            }
            Err(uplift_store::StoreError::Invalid(m)) => errors.push(err("review-adviser", &m)),
            Err(e) => return Err(e.into()),
        }
    }
    overview_page(&state, &user, year, term, "10", errors, None).await
}

async fn survey_page(
    state: &AppState,
    user: &CurrentUser,
    chosen: &BTreeMap<String, String>,
    errors: Vec<Value>,
    done: bool,
) -> Result<Response, PageError> {
    let urn = user.principal.school_urn.ok_or(Problem::Forbidden)?;
    let year = AcademicYear::containing(today());
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
    let urn = user.principal.school_urn.ok_or(Problem::Forbidden)?;
    let org = user.principal.organisation_id;
    let year = AcademicYear::containing(today());
    let mut errors = Vec::new();
    let respondent = match fields.get("respondent").map(String::as_str) {
        Some("headteacher") => Some(SurveyRespondent::Headteacher),
        Some("chair_of_governors") => Some(SurveyRespondent::ChairOfGovernors),
        _ => {
            errors.push(err(
                "respondent",
                "Select whether you are the headteacher or the chair of governors",
            ));
            None
        }
    };
    let Some((adviser_id, _)) = state.db.named_adviser(org, urn).await? else {
        errors.push(err(
            "respondent",
            "Your school has no named adviser to give feedback about",
        ));
        return survey_page(&state, &user, &fields, errors, false).await;
    };
    let mut answers = BTreeMap::new();
    for q in qa::survey(year).questions {
        if let Some(v) = fields.get(&format!("answers-{}", q.id)) {
            if let Ok(n) = v.parse::<u8>() {
                answers.insert(q.id.clone(), n);
            }
        }
    }
    let Ok(school_urn) = uplift_domain::register::Urn::new(urn as u32) else {
        return Err(Problem::NotFound.into());
    };
    if let (true, Some(respondent)) = (errors.is_empty(), respondent) {
        let response = SurveyResponse {
            urn: school_urn,
            respondent,
            adviser_id: adviser_id.to_string(),
            answers,
            comments: fields.get("comments").cloned().unwrap_or_default(),
        };
        let mut tx = state.db.begin().await?;
        match qa::submit_survey(&mut tx, &user.actor(), org, year, adviser_id, &response).await? {
            Ok(_) => {
                tx.commit().await?;
                return survey_page(&state, &user, &BTreeMap::new(), vec![], true).await;
            }
            Err(fe) => {
                errors = fe
                    .iter()
                    .map(|e| err(&e.field.replace('.', "-"), &e.message))
                    .collect()
            }
        }
    }
    survey_page(&state, &user, &fields, errors, false).await
}
