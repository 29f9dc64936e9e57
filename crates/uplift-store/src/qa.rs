//! Quality assurance of notes of visit (issue 5): the termly sample drawn
//! reproducibly with the domain's `draw_qa_sample` and routed to QA
//! reviewers (panel users), moderation against the domain's form, feedback
//! to advisers, shadowed visits, the end-of-year survey of headteachers and
//! chairs, and advisers' annual reviews. Every change is audited.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::calendar::{AcademicYear, TermDates, TermName};
use uplift_domain::visits::{
    draw_qa_sample, FieldError, FinalisedNote, ModerationForm, ModerationRecord, QaConfig,
    QaRating, Survey, SurveyQuestion, SurveyRespondent, SurveyResponse,
};

use crate::audit::{self, Actor, Change};
use crate::notifications;
use crate::{now, Db, Result, StoreError, Tx};

/// The term's key as stored.
pub fn term_key(t: TermName) -> &'static str {
    match t {
        TermName::Autumn => "autumn",
        TermName::Spring => "spring",
        TermName::Summer => "summer",
    }
}

pub fn parse_term(s: &str) -> Option<TermName> {
    match s {
        "autumn" => Some(TermName::Autumn),
        "spring" => Some(TermName::Spring),
        "summer" => Some(TermName::Summer),
        _ => None,
    }
}

/// The days whose finalised notes belong to a term's sample: from the
/// term's first day to the day before the next term (summer: to 31 August),
/// by the organisation's term dates for the year (`dates`).
pub fn term_window(dates: &TermDates, term: TermName) -> Result<(Date, Date)> {
    let year = dates.academic_year();
    let start = dates.term(term).start();
    let end = match term {
        TermName::Autumn => dates.spring().start(),
        TermName::Spring => dates.summer().start(),
        TermName::Summer => year
            .last_day()
            .tomorrow()
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
    }
    .yesterday()
    .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let start = if term == TermName::Autumn {
        year.first_day()
    } else {
        start
    };
    Ok((start, end))
}

/// The current term for a day (holidays count with the term before them),
/// by the term dates of the academic year containing it (`dates`).
pub fn term_for(date: Date, dates: &TermDates) -> Result<(AcademicYear, TermName)> {
    let year = AcademicYear::containing(date);
    if dates.academic_year() != year {
        return Err(StoreError::Invalid(format!(
            "term dates for {} cannot place {date}, which is in {year}",
            dates.academic_year()
        )));
    }
    for t in [TermName::Summer, TermName::Spring, TermName::Autumn] {
        let (from, _) = term_window(dates, t)?;
        if date >= from {
            return Ok((year, t));
        }
    }
    Ok((year, TermName::Autumn))
}

/// A drawn sample.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SampleRow {
    pub id: i64,
    pub organisation_id: i64,
    pub academic_year: String,
    pub term: String,
    pub share: f64,
    pub considered: i64,
    pub drawn_by: String,
    pub drawn_at: String,
}

/// A sampled note and its moderation, if done.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub sample_id: i64,
    pub academic_year: String,
    pub term: String,
    pub note_id: i64,
    pub visit_id: i64,
    pub adviser_id: i64,
    pub adviser_name: String,
    pub adviser_user_id: Option<i64>,
    pub urn: i64,
    pub school: Option<String>,
    pub planned_date: String,
    pub reviewer_user_id: Option<i64>,
    pub reviewer_name: Option<String>,
    pub reason: String,
    pub ratings: Option<String>,
    pub feedback: Option<String>,
    pub completed_at: Option<String>,
}

impl AssignmentRow {
    pub fn ratings(&self) -> BTreeMap<String, QaRating> {
        self.ratings
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default()
    }
}

const ASSIGNMENT_SQL: &str = "SELECT g.id, g.sample_id, s.academic_year, s.term, g.note_id, g.visit_id, g.adviser_id,
        a.name AS adviser_name, a.user_id AS adviser_user_id, v.urn, sc.name AS school, v.planned_date,
        g.reviewer_user_id, u.name AS reviewer_name, g.reason, m.ratings, m.feedback, m.completed_at
    FROM qa_assignments g
    JOIN qa_samples s ON s.id = g.sample_id
    JOIN advisers a ON a.id = g.adviser_id
    JOIN visits v ON v.id = g.visit_id
    LEFT JOIN schools sc ON sc.urn = v.urn
    LEFT JOIN users u ON u.id = g.reviewer_user_id
    LEFT JOIN qa_moderations m ON m.assignment_id = g.id";

impl Db {
    /// True when the note is sampled to this reviewer.
    pub async fn qa_sampled_to(
        &self,
        organisation_id: i64,
        note_id: i64,
        user_id: i64,
    ) -> Result<bool> {
        let n: i64 = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM qa_assignments WHERE organisation_id = $1 AND note_id = $2 AND reviewer_user_id = $3")
            .bind(organisation_id).bind(note_id).bind(user_id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The organisation's samples, newest first.
    pub async fn qa_samples(&self, organisation_id: i64) -> Result<Vec<SampleRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, organisation_id, academic_year, term, share, considered, drawn_by, drawn_at
             FROM qa_samples WHERE organisation_id = $1 ORDER BY academic_year DESC, id DESC")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// Assignments of the organisation, filtered: by sample, by reviewer, by
    /// the adviser's user (their own feedback).
    pub async fn qa_assignments(
        &self,
        organisation_id: i64,
        sample_id: Option<i64>,
        reviewer_user_id: Option<i64>,
        adviser_user_id: Option<i64>,
    ) -> Result<Vec<AssignmentRow>> {
        let sql = format!(
            "{ASSIGNMENT_SQL} WHERE g.organisation_id = $1 AND ($2 IS NULL OR g.sample_id = $2)
               AND ($3 IS NULL OR g.reviewer_user_id = $3) AND ($4 IS NULL OR a.user_id = $4)
             ORDER BY s.academic_year DESC, g.sample_id DESC, a.name, g.id"
        );
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(organisation_id).bind(sample_id)
            .bind(reviewer_user_id).bind(adviser_user_id).fetch_all(p).await)?,
        )
    }

    pub async fn qa_assignment(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<AssignmentRow>> {
        let sql = format!("{ASSIGNMENT_SQL} WHERE g.organisation_id = $1 AND g.id = $2");
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(organisation_id).bind(id)
            .fetch_optional(p).await)?,
        )
    }
}

/// What a draw did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drawn {
    pub sample_id: i64,
    pub considered: usize,
    pub picked: usize,
}

/// Draws the sample of a term (once: a second draw is refused) from the
/// notes finalised in the term's window, routed to the organisation's
/// active panel users; each reviewer is notified.
pub async fn draw(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    year: AcademicYear,
    term: TermName,
    share: f64,
) -> Result<Drawn> {
    if !share.is_finite() || share <= 0.0 || share > 1.0 {
        return Err(StoreError::Invalid(
            "share must be more than 0% and at most 100%".into(),
        ));
    }
    let year_s = year.to_string();
    let exists: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM qa_samples WHERE organisation_id = $1 AND academic_year = $2 AND term = $3")
        .bind(organisation_id).bind(&year_s).bind(term_key(term)).fetch_optional(&mut **c).await)?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "the {} {year_s} sample has already been drawn",
            term_key(term)
        )));
    }
    let slug: String = on_tx!(tx, c => sqlx::query_scalar("SELECT slug FROM organisations WHERE id = $1")
        .bind(organisation_id).fetch_one(&mut **c).await)?;
    let dates = crate::meetings::term_dates_in(tx, organisation_id, year).await?;
    let (from, to) = term_window(&dates, term)?;
    let rows: Vec<(i64, i64, i64, i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT n.id, v.id, v.adviser_id, v.urn, n.finalised_at
         FROM visit_notes n JOIN visits v ON v.id = n.visit_id
         WHERE v.organisation_id = $1 AND n.state = 'final' AND n.finalised_at IS NOT NULL
           AND substr(n.finalised_at, 1, 10) >= $2 AND substr(n.finalised_at, 1, 10) <= $3
         ORDER BY n.id")
        .bind(organisation_id).bind(from.to_string()).bind(to.to_string()).fetch_all(&mut **c).await)?;
    let mut notes = Vec::new();
    let mut visit_of = BTreeMap::new();
    for (note, visit, adviser, urn, fin) in rows {
        let (Ok(u), Ok(d)) = (
            uplift_domain::register::Urn::new(urn as u32),
            fin.get(..10).unwrap_or("").parse::<Date>(),
        ) else {
            continue;
        };
        visit_of.insert(note.to_string(), (visit, adviser));
        notes.push(FinalisedNote {
            note_id: note.to_string(),
            adviser_id: adviser.to_string(),
            urn: u,
            finalised_on: d,
        });
    }
    let reviewers: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM users WHERE organisation_id = $1 AND role = 'panel' AND active = $2 ORDER BY id")
        .bind(organisation_id).bind(true).fetch_all(&mut **c).await)?;
    let reviewer_keys: Vec<String> = reviewers.iter().map(|r| format!("{r:012}")).collect();
    let config = QaConfig {
        share,
        ..QaConfig::default()
    };
    let sample = draw_qa_sample(&slug, year, term, &notes, &reviewer_keys, &config);
    let sample_id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO qa_samples (organisation_id, academic_year, term, share, considered, drawn_by, drawn_by_user_id, drawn_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(organisation_id).bind(&year_s).bind(term_key(term)).bind(share).bind(sample.considered as i64)
        .bind(&actor.label).bind(actor.user_id).bind(now()).fetch_one(&mut **c).await)?;
    let mut per_reviewer: BTreeMap<i64, usize> = BTreeMap::new();
    for pick in &sample.picks {
        let Some((visit, adviser)) = visit_of.get(&pick.note_id) else {
            continue;
        };
        let note: i64 = pick
            .note_id
            .parse()
            .map_err(|_| StoreError::Invalid("note id".into()))?;
        let reviewer: Option<i64> = pick.reviewer_id.as_deref().and_then(|r| r.parse().ok());
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO qa_assignments (sample_id, organisation_id, note_id, visit_id, adviser_id, reviewer_user_id, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(sample_id).bind(organisation_id).bind(note).bind(visit).bind(adviser).bind(reviewer)
            .bind(&pick.reason).execute(&mut **c).await.map(|r| r.rows_affected()))?;
        if let Some(r) = reviewer {
            *per_reviewer.entry(r).or_default() += 1;
        }
    }
    for (reviewer, n) in &per_reviewer {
        notifications::notify(
            tx,
            organisation_id,
            *reviewer,
            notifications::QA_ASSIGNED,
            &format!("{n} note(s) of visit to quality assure"),
            &format!(
                "The {} {year_s} quality assurance sample has been drawn: {n} note(s) of visit are routed to you for moderation.",
                term_key(term)
            ),
            Some("/qa"),
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change::created(
            "qa_sample",
            sample_id,
            Some(organisation_id),
            &serde_json::json!({"academic_year": year_s, "term": term_key(term), "share": share,
                "considered": sample.considered, "picks": sample.picks}),
        ),
    )
    .await?;
    Ok(Drawn {
        sample_id,
        considered: sample.considered,
        picked: sample.picks.len(),
    })
}

/// Records the moderation of an assignment by its reviewer. Field errors
/// (a criterion without a rating, no feedback) come back as `Ok(Err(..))`
/// and nothing is saved. The adviser is notified.
pub async fn moderate(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    assignment: &AssignmentRow,
    reviewer_user_id: i64,
    ratings: BTreeMap<String, QaRating>,
    feedback: &str,
) -> Result<std::result::Result<(), Vec<FieldError>>> {
    if assignment.completed_at.is_some() {
        return Err(StoreError::Conflict(
            "this note has already been moderated".into(),
        ));
    }
    let record = ModerationRecord {
        note_id: assignment.note_id.to_string(),
        adviser_id: assignment.adviser_id.to_string(),
        reviewer_id: reviewer_user_id.to_string(),
        ratings,
        feedback: feedback.trim().to_string(),
    };
    if let Err(errors) = ModerationForm::default().validate(&record) {
        return Ok(Err(errors));
    }
    let ratings =
        serde_json::to_string(&record.ratings).map_err(|e| StoreError::Invalid(e.to_string()))?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO qa_moderations (assignment_id, ratings, feedback, reviewer_user_id, completed_at)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(assignment.id).bind(&ratings).bind(&record.feedback).bind(reviewer_user_id).bind(now())
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if let Some(adviser_user) = assignment.adviser_user_id {
        notifications::notify(
            tx,
            organisation_id,
            adviser_user,
            notifications::QA_FEEDBACK,
            "Moderation feedback on a note of visit",
            &format!(
                "Your note of visit to {} has been quality assured. Read the reviewer's feedback.",
                assignment
                    .school
                    .clone()
                    .unwrap_or_else(|| assignment.urn.to_string())
            ),
            Some("/qa"),
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change::created(
            "qa_moderation",
            assignment.id,
            Some(organisation_id),
            &record,
        ),
    )
    .await?;
    Ok(Ok(()))
}

/// A shadowed visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ShadowRow {
    pub id: i64,
    pub adviser_id: i64,
    pub adviser_name: String,
    pub visit_id: Option<i64>,
    pub academic_year: String,
    pub shadowed_on: String,
    pub shadowed_by: String,
    pub feedback: String,
}

impl Db {
    pub async fn qa_shadowed(&self, organisation_id: i64, year: &str) -> Result<Vec<ShadowRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT s.id, s.adviser_id, a.name AS adviser_name, s.visit_id, s.academic_year, s.shadowed_on,
                    s.shadowed_by, s.feedback
             FROM qa_shadowed_visits s JOIN advisers a ON a.id = s.adviser_id
             WHERE s.organisation_id = $1 AND s.academic_year = $2 ORDER BY a.name, s.shadowed_on")
            .bind(organisation_id).bind(year).fetch_all(p).await)?)
    }
}

/// Records a shadowed visit of an adviser of the organisation.
#[allow(clippy::too_many_arguments)]
pub async fn record_shadowed(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    adviser_id: i64,
    visit_id: Option<i64>,
    on: Date,
    shadowed_by: &str,
    feedback: &str,
) -> Result<i64> {
    let known: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM advisers WHERE organisation_id = $1 AND id = $2")
        .bind(organisation_id).bind(adviser_id).fetch_optional(&mut **c).await)?;
    if known.is_none() {
        return Err(StoreError::Invalid(
            "choose an adviser of the organisation".into(),
        ));
    }
    if let Some(v) = visit_id {
        let ok: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT id FROM visits WHERE organisation_id = $1 AND id = $2 AND adviser_id = $3")
            .bind(organisation_id).bind(v).bind(adviser_id).fetch_optional(&mut **c).await)?;
        if ok.is_none() {
            return Err(StoreError::Invalid(format!(
                "visit {v} is not a visit of this adviser"
            )));
        }
    }
    if shadowed_by.trim().is_empty() || feedback.trim().is_empty() {
        return Err(StoreError::Invalid(
            "enter who shadowed the visit and their feedback".into(),
        ));
    }
    let year = AcademicYear::containing(on).to_string();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO qa_shadowed_visits (organisation_id, adviser_id, visit_id, academic_year, shadowed_on, shadowed_by,
             feedback, recorded_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(organisation_id).bind(adviser_id).bind(visit_id).bind(&year).bind(on.to_string())
        .bind(shadowed_by.trim()).bind(feedback.trim()).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created(
            "qa_shadowed_visit",
            id,
            Some(organisation_id),
            &serde_json::json!({"adviser_id": adviser_id, "visit_id": visit_id, "on": on.to_string(),
                "shadowed_by": shadowed_by.trim(), "feedback": feedback.trim()}),
        ),
    )
    .await?;
    Ok(id)
}

/// The end-of-year survey of headteachers and chairs about their adviser.
pub fn survey(year: AcademicYear) -> Survey {
    let q = |id: &str, text: &str| SurveyQuestion {
        id: id.into(),
        text: text.into(),
    };
    Survey {
        academic_year: year,
        questions: vec![
            q("knowledge", "Our adviser knows our school well"),
            q(
                "challenge",
                "Our adviser gives us useful challenge and support",
            ),
            q("notes", "Notes of visit are accurate and useful"),
            q("impact", "The adviser's work has helped our school improve"),
        ],
        scale: vec![
            "Strongly disagree".into(),
            "Disagree".into(),
            "Agree".into(),
            "Strongly agree".into(),
        ],
    }
}

pub fn respondent_key(r: SurveyRespondent) -> &'static str {
    match r {
        SurveyRespondent::Headteacher => "headteacher",
        SurveyRespondent::ChairOfGovernors => "chair_of_governors",
    }
}

/// A survey response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub academic_year: String,
    pub urn: i64,
    pub school: Option<String>,
    pub adviser_id: i64,
    pub adviser_name: String,
    pub respondent: String,
    pub answers: String,
    pub comments: String,
    pub submitted_at: String,
}

impl Db {
    pub async fn qa_survey_responses(
        &self,
        organisation_id: i64,
        year: &str,
    ) -> Result<Vec<SurveyRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT r.id, r.academic_year, r.urn, s.name AS school, r.adviser_id, a.name AS adviser_name,
                    r.respondent, r.answers, r.comments, r.submitted_at
             FROM qa_survey_responses r JOIN advisers a ON a.id = r.adviser_id LEFT JOIN schools s ON s.urn = r.urn
             WHERE r.organisation_id = $1 AND r.academic_year = $2 ORDER BY a.name, s.name, r.respondent")
            .bind(organisation_id).bind(year).fetch_all(p).await)?)
    }

    /// The school's named adviser now (id and name), if any.
    pub async fn named_adviser(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Option<(i64, String)>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT a.id, a.name FROM school_advisers s JOIN advisers a ON a.id = s.adviser_id
             WHERE s.organisation_id = $1 AND s.urn = $2 AND s.to_date IS NULL ORDER BY s.id DESC LIMIT 1")
            .bind(organisation_id).bind(urn).fetch_optional(p).await)?)
    }
}

/// Records a school's survey response about its named adviser (one per
/// respondent a year). Field errors come back as `Ok(Err(..))`.
pub async fn submit_survey(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    year: AcademicYear,
    adviser_id: i64,
    response: &SurveyResponse,
) -> Result<std::result::Result<i64, Vec<FieldError>>> {
    if let Err(e) = survey(year).validate(response) {
        return Ok(Err(e));
    }
    let urn = i64::from(response.urn.get());
    let year_s = year.to_string();
    let respondent = respondent_key(response.respondent);
    let done: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM qa_survey_responses WHERE organisation_id = $1 AND academic_year = $2 AND urn = $3 AND respondent = $4")
        .bind(organisation_id).bind(&year_s).bind(urn).bind(respondent).fetch_optional(&mut **c).await)?;
    if done.is_some() {
        return Ok(Err(vec![FieldError::new(
            "respondent",
            format!(
                "The {} has already answered the {year_s} survey",
                respondent.replace('_', " ")
            ),
        )]));
    }
    let answers =
        serde_json::to_string(&response.answers).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO qa_survey_responses (organisation_id, academic_year, urn, adviser_id, respondent, answers, comments,
             submitted_by_user_id, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(organisation_id).bind(&year_s).bind(urn).bind(adviser_id).bind(respondent).bind(&answers)
        .bind(response.comments.trim()).bind(actor.user_id).bind(now()).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("qa_survey_response", id, Some(organisation_id), response),
    )
    .await?;
    Ok(Ok(id))
}

/// An adviser's annual review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub adviser_id: i64,
    pub adviser_name: String,
    pub adviser_user_id: Option<i64>,
    pub academic_year: String,
    pub self_assessment: String,
    pub engagement: String,
    pub brokered_support: String,
    pub outcomes: String,
    pub feedback: String,
    pub reviewed_by: String,
    pub reviewed_on: Option<String>,
    pub updated_at: String,
}

impl Db {
    pub async fn annual_reviews(&self, organisation_id: i64, year: &str) -> Result<Vec<ReviewRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT r.id, r.adviser_id, a.name AS adviser_name, a.user_id AS adviser_user_id, r.academic_year,
                    r.self_assessment, r.engagement, r.brokered_support, r.outcomes, r.feedback, r.reviewed_by,
                    r.reviewed_on, r.updated_at
             FROM adviser_annual_reviews r JOIN advisers a ON a.id = r.adviser_id
             WHERE r.organisation_id = $1 AND r.academic_year = $2 ORDER BY a.name")
            .bind(organisation_id).bind(year).fetch_all(p).await)?)
    }
}

/// Creates or updates an adviser's annual review for a year (audited).
pub async fn save_review(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    review: &uplift_domain::visits::AnnualReview,
) -> Result<i64> {
    let adviser: i64 = review
        .adviser_id
        .parse()
        .map_err(|_| StoreError::Invalid("choose an adviser".into()))?;
    let known: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM advisers WHERE organisation_id = $1 AND id = $2")
        .bind(organisation_id).bind(adviser).fetch_optional(&mut **c).await)?;
    if known.is_none() {
        return Err(StoreError::Invalid(
            "choose an adviser of the organisation".into(),
        ));
    }
    if review.self_assessment.trim().is_empty() {
        return Err(StoreError::Invalid(
            "enter the adviser's self-assessment".into(),
        ));
    }
    let year = review.academic_year.to_string();
    let before: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM adviser_annual_reviews WHERE organisation_id = $1 AND adviser_id = $2 AND academic_year = $3")
        .bind(organisation_id).bind(adviser).bind(&year).fetch_optional(&mut **c).await)?;
    let t = now();
    let on = review.reviewed_on.map(|d| d.to_string());
    let id: i64 = match before {
        Some(id) => {
            on_tx!(tx, c => sqlx::query(
                "UPDATE adviser_annual_reviews SET self_assessment = $1, engagement = $2, brokered_support = $3,
                     outcomes = $4, feedback = $5, reviewed_by = $6, reviewed_on = $7, updated_by_user_id = $8,
                     updated_at = $9 WHERE id = $10")
                .bind(review.self_assessment.trim()).bind(review.engagement.trim()).bind(review.brokered_support.trim())
                .bind(review.outcomes.trim()).bind(review.feedback.trim()).bind(review.reviewed_by.trim()).bind(&on)
                .bind(actor.user_id).bind(&t).bind(id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
            id
        }
        None => on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO adviser_annual_reviews (organisation_id, adviser_id, academic_year, self_assessment, engagement,
                 brokered_support, outcomes, feedback, reviewed_by, reviewed_on, updated_by_user_id, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
            .bind(organisation_id).bind(adviser).bind(&year).bind(review.self_assessment.trim())
            .bind(review.engagement.trim()).bind(review.brokered_support.trim()).bind(review.outcomes.trim())
            .bind(review.feedback.trim()).bind(review.reviewed_by.trim()).bind(&on).bind(actor.user_id).bind(&t)
            .fetch_one(&mut **c).await)?,
    };
    audit::record(
        tx,
        actor,
        Change {
            organisation_id: Some(organisation_id),
            action: if before.is_some() {
                audit::AuditAction::Update
            } else {
                audit::AuditAction::Create
            },
            entity: "adviser_annual_review",
            entity_id: id.to_string(),
            before: None,
            after: serde_json::to_value(review).ok(),
        },
    )
    .await?;
    Ok(id)
}

impl Db {
    /// The content (JSON) of a note of visit of the organisation.
    pub async fn note_content(&self, organisation_id: i64, note_id: i64) -> Result<Option<String>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT n.content FROM visit_notes n JOIN visits v ON v.id = n.visit_id
             WHERE v.organisation_id = $1 AND n.id = $2")
            .bind(organisation_id).bind(note_id).fetch_optional(p).await)?)
    }
}
