//! Quality assurance of notes of visit: the term's sample (drawn once by a
//! lead), moderation by the QA reviewer it is routed to, the termly
//! overview, shadowed visits, advisers' annual reviews and the end-of-year
//! survey of headteachers and chairs.
//!
//! Who sees what: a lead, every sampled note; a QA reviewer (panel), only
//! the notes sampled to them; an adviser, the moderation of their own notes
//! once written.
//!
//! Field names in refusals: `year`, `term`, `share`; `ratings.<criterion>`,
//! `feedback`; `adviser`, `visit`, `date`, `shadowed_by` (shadowing);
//! `adviser`, `self_assessment` (annual review); `respondent`,
//! `answers.<question>`, `comments` (survey).

use std::collections::BTreeMap;

use jiff::civil::Date;
use uplift_domain::access::{Action, Role, Scope};
use uplift_domain::calendar::{AcademicYear, TermName};
use uplift_domain::visits::{
    qa_overview, AnnualReview, ModerationForm, ModerationRecord, QaOverview, QaPick, QaRating,
    QaSample, SurveyRespondent, SurveyResponse,
};
use uplift_store::qa::{self as store, AssignmentRow, Drawn, SampleRow};

use super::invalid;
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// Today's academic year and term by the organisation's own term dates.
pub async fn current_term(app: &App, organisation_id: i64) -> Result<(AcademicYear, TermName)> {
    let day = app.today();
    let (dates, _) = app
        .db()
        .term_dates(organisation_id, AcademicYear::containing(day))
        .await?;
    Ok(store::term_for(day, &dates)?)
}

/// The year and term asked for, each defaulting to the current one; an
/// unknown year or term is refused on `year` or `term`.
pub async fn resolve_term(
    app: &App,
    caller: &Caller,
    year: Option<&str>,
    term: Option<&str>,
) -> Result<(AcademicYear, TermName)> {
    let (cy, ct) = current_term(app, caller.organisation_id()).await?;
    let mut problems = Problems::new();
    let year = match year.map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => match AcademicYear::parse(y) {
            Ok(y) => y,
            Err(e) => {
                problems.add("year", e.to_string());
                cy
            }
        },
        None => cy,
    };
    let term = match term.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => store::parse_term(t).unwrap_or_else(|| {
            problems.add("term", "The term must be autumn, spring or summer");
            ct
        }),
        None => ct,
    };
    problems.done()?;
    Ok((year, term))
}

/// The sampled notes this caller may see (`sample`: one sample only): all
/// for a lead, theirs to review for a QA reviewer, their own notes'
/// moderation (once written) for an adviser.
pub async fn scoped_assignments(
    app: &App,
    caller: &Caller,
    sample: Option<i64>,
) -> Result<Vec<AssignmentRow>> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    let me = caller.principal.user_id;
    let (reviewer, adviser) = match caller.principal.role {
        Role::Lead => (None, None),
        Role::Panel => (Some(me), None),
        Role::Adviser => (None, Some(me)),
        _ => return Err(AppError::Forbidden),
    };
    let list = app
        .db()
        .qa_assignments(org, sample, reviewer, adviser)
        .await?;
    Ok(match caller.principal.role {
        Role::Adviser => list
            .into_iter()
            .filter(|a| a.completed_at.is_some())
            .collect(),
        _ => list,
    })
}

/// The term's sample, if drawn, and the sampled notes the caller may see.
pub async fn term_assignments(
    app: &App,
    caller: &Caller,
    year: AcademicYear,
    term: TermName,
) -> Result<(Option<SampleRow>, Vec<AssignmentRow>)> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    let year_s = year.to_string();
    let sample = app
        .db()
        .qa_samples(org)
        .await?
        .into_iter()
        .find(|s| s.academic_year == year_s && s.term == store::term_key(term));
    let list = match &sample {
        Some(s) => scoped_assignments(app, caller, Some(s.id)).await?,
        None => vec![],
    };
    Ok((sample, list))
}

/// The domain's overview of a set of sampled notes (`organisation`: the
/// organisation's short name, which seeds the sample).
pub fn overview_of(
    organisation: &str,
    year: AcademicYear,
    term: TermName,
    list: &[AssignmentRow],
) -> QaOverview {
    let sample = QaSample {
        organisation: organisation.to_string(),
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

/// The termly overview over the sampled notes the caller may see.
pub async fn overview(
    app: &App,
    caller: &Caller,
    organisation: &str,
    year: AcademicYear,
    term: TermName,
) -> Result<QaOverview> {
    let (_, list) = term_assignments(app, caller, year, term).await?;
    Ok(overview_of(organisation, year, term, &list))
}

/// A lead draws the term's sample: `share` is the percentage of each
/// adviser's finalised notes, more than 0 and at most 100 ("10" or "10%").
/// A second draw for the term is refused on `share`.
pub async fn draw_sample(
    app: &App,
    caller: &Caller,
    year: AcademicYear,
    term: TermName,
    share: &str,
) -> Result<Drawn> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    if caller.principal.role != Role::Lead {
        return Err(AppError::Forbidden);
    }
    let share = share
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok();
    let Some(share) = share.filter(|s| s.is_finite() && *s > 0.0 && *s <= 100.0) else {
        return Err(AppError::field(
            "share",
            "Enter the share of notes to sample, a number from 1 to 100",
        ));
    };
    let mut tx = app.db().begin().await?;
    let drawn = store::draw(&mut tx, &caller.actor, org, year, term, share / 100.0)
        .await
        .map_err(AppError::refused_on("share"))?;
    tx.commit().await?;
    Ok(drawn)
}

/// A sampled note the caller may open: a reviewer's own, or any for a lead
/// (not found otherwise).
pub async fn assignment(app: &App, caller: &Caller, id: i64) -> Result<AssignmentRow> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    let a = app
        .db()
        .qa_assignment(org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match caller.principal.role {
        Role::Lead => Ok(a),
        Role::Panel if a.reviewer_user_id == Some(caller.principal.user_id) => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

/// Refuses unless the caller moderates notes (a QA reviewer): a lead or an
/// adviser may see the sample but not moderate it.
pub fn may_moderate(caller: &Caller) -> Result<()> {
    caller.authorize(
        Action::QualityAssure,
        Scope::Organisation(caller.organisation_id()),
    )?;
    if caller.principal.role == Role::Panel {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The reviewer's moderation of a note sampled to them: a rating on the
/// scale for each criterion (`ratings`: criterion id to the rating's stored
/// name) and feedback. Refused, naming each criterion; moderated once.
pub async fn moderate(
    app: &App,
    caller: &Caller,
    assignment_id: i64,
    ratings: &BTreeMap<String, String>,
    feedback: &str,
) -> Result<()> {
    may_moderate(caller)?;
    let a = assignment(app, caller, assignment_id).await?;
    let mut problems = Problems::new();
    let criteria = ModerationForm::default().criteria;
    let mut parsed = BTreeMap::new();
    for (id, value) in ratings.iter().filter(|(_, v)| !v.trim().is_empty()) {
        let label = criteria
            .iter()
            .find(|c| &c.id == id)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| id.clone());
        match serde_json::from_value::<QaRating>(serde_json::Value::String(value.trim().into())) {
            Ok(r) => {
                parsed.insert(id.clone(), r);
            }
            Err(_) => problems.add(
                &format!("ratings.{id}"),
                format!("Select a rating on the scale for \"{label}\""),
            ),
        }
    }
    problems.done()?;
    let mut tx = app.db().begin().await?;
    store::moderate(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        &a,
        caller.principal.user_id,
        parsed,
        feedback,
    )
    .await
    .map_err(AppError::refused_on("feedback"))?
    .map_err(invalid)?;
    tx.commit().await?;
    Ok(())
}

/// A shadowed visit as a lead records it.
#[derive(Debug, Clone, Default)]
pub struct Shadowed {
    pub adviser: Option<i64>,
    /// The visit's number, as typed (blank: none).
    pub visit: String,
    pub date: Option<Date>,
    pub shadowed_by: String,
    pub feedback: String,
}

/// A lead records a shadowed visit of an adviser: the date (today or
/// earlier), who shadowed and their feedback, and optionally the visit (one
/// of that adviser's). Returns the academic year it counts in.
pub async fn record_shadowed(app: &App, caller: &Caller, input: Shadowed) -> Result<AcademicYear> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    if caller.principal.role != Role::Lead {
        return Err(AppError::Forbidden);
    }
    let mut problems = Problems::new();
    if input.adviser.is_none() {
        problems.add("adviser", "Select the adviser who was shadowed");
    }
    match input.date {
        None => problems.add("date", "Enter the date of the visit"),
        Some(d) if d > app.today() => problems.add(
            "date",
            "The date of a shadowed visit must be today or in the past",
        ),
        _ => {}
    }
    let visit = match input.visit.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.add("visit", "Enter the visit's number, or leave it blank");
                None
            }
        },
    };
    if input.shadowed_by.trim().is_empty() {
        problems.add("shadowed_by", "Enter who shadowed the visit");
    }
    if input.feedback.trim().is_empty() {
        problems.add("feedback", "Enter the feedback given to the adviser");
    }
    problems.done()?;
    let (Some(adviser), Some(date)) = (input.adviser, input.date) else {
        return Err(AppError::field(
            "adviser",
            "Select the adviser who was shadowed",
        ));
    };
    let mut tx = app.db().begin().await?;
    store::record_shadowed(
        &mut tx,
        &caller.actor,
        org,
        adviser,
        visit,
        date,
        &input.shadowed_by,
        &input.feedback,
    )
    .await
    .map_err(|e| match e {
        uplift_store::StoreError::Invalid(m) if m.contains("visit") => AppError::field("visit", m),
        other => AppError::refused_on("adviser")(other),
    })?;
    tx.commit().await?;
    Ok(AcademicYear::containing(date))
}

/// An adviser's annual review as a lead gives it.
#[derive(Debug, Clone)]
pub struct Review {
    pub adviser: Option<i64>,
    pub year: AcademicYear,
    pub self_assessment: String,
    pub engagement: String,
    pub brokered_support: String,
    pub outcomes: String,
    pub feedback: String,
}

/// A lead records (or rewrites) an adviser's annual review for a year: the
/// adviser (of the organisation) and their self-assessment are needed.
pub async fn save_annual_review(app: &App, caller: &Caller, input: Review) -> Result<i64> {
    let org = caller.organisation_id();
    caller.authorize(Action::QualityAssure, Scope::Organisation(org))?;
    if caller.principal.role != Role::Lead {
        return Err(AppError::Forbidden);
    }
    let mut problems = Problems::new();
    if input.adviser.is_none() {
        problems.add("adviser", "Select the adviser reviewed");
    }
    if input.self_assessment.trim().is_empty() {
        problems.add("self_assessment", "Enter the adviser's self-assessment");
    }
    problems.done()?;
    let adviser = input.adviser.unwrap_or_default();
    let review = AnnualReview {
        adviser_id: adviser.to_string(),
        academic_year: input.year,
        self_assessment: input.self_assessment,
        engagement: input.engagement,
        brokered_support: input.brokered_support,
        outcomes: input.outcomes,
        feedback: input.feedback,
        reviewed_by: caller.name.clone(),
        reviewed_on: Some(app.today()),
    };
    let mut tx = app.db().begin().await?;
    let id = store::save_review(&mut tx, &caller.actor, org, &review)
        .await
        .map_err(AppError::refused_on("adviser"))?;
    tx.commit().await?;
    Ok(id)
}

/// A school's end-of-year survey about its named adviser, as given.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// `headteacher` or `chair_of_governors`.
    pub respondent: String,
    /// Question id to the answer as typed (1 to the scale's length).
    pub answers: BTreeMap<String, String>,
    pub comments: String,
}

/// The headteacher or chair of a school answers the year's survey about its
/// named adviser: a known respondent, an answer on the scale to every
/// question. Refused, naming each field.
pub async fn submit_survey(app: &App, caller: &Caller, input: Survey) -> Result<i64> {
    let org = caller.organisation_id();
    let urn = caller.principal.school_urn.ok_or(AppError::Forbidden)?;
    caller.authorize(
        Action::RespondToVisits,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    let year = AcademicYear::containing(app.today());
    let mut problems = Problems::new();
    let respondent = match input.respondent.trim() {
        "headteacher" => Some(SurveyRespondent::Headteacher),
        "chair_of_governors" => Some(SurveyRespondent::ChairOfGovernors),
        _ => {
            problems.add(
                "respondent",
                "Select whether you are the headteacher or the chair of governors",
            );
            None
        }
    };
    let Some((adviser_id, _)) = app.db().named_adviser(org, urn).await? else {
        problems.add(
            "respondent",
            "Your school has no named adviser to give feedback about",
        );
        problems.done()?;
        return Err(AppError::NotFound);
    };
    let mut answers = BTreeMap::new();
    for q in store::survey(year).questions {
        let Some(v) = input
            .answers
            .get(&q.id)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        match v.parse::<u8>() {
            Ok(n) => {
                answers.insert(q.id.clone(), n);
            }
            Err(_) => problems.add(
                &format!("answers.{}", q.id),
                format!("The answer to \"{}\" must be on the scale", q.text),
            ),
        }
    }
    let school = u32::try_from(urn)
        .ok()
        .and_then(|u| uplift_domain::register::Urn::new(u).ok())
        .ok_or(AppError::NotFound)?;
    let Some(respondent) = respondent.filter(|_| problems.is_empty()) else {
        problems.done()?;
        return Err(AppError::field("respondent", "Select who you are"));
    };
    let response = SurveyResponse {
        urn: school,
        respondent,
        adviser_id: adviser_id.to_string(),
        answers,
        comments: input.comments,
    };
    let mut tx = app.db().begin().await?;
    let id = store::submit_survey(&mut tx, &caller.actor, org, year, adviser_id, &response)
        .await?
        .map_err(invalid)?;
    tx.commit().await?;
    Ok(id)
}
