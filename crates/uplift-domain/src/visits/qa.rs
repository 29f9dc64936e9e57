//! Quality assurance (rule 5).
//!
//! Seed 002 (Birmingham), "Quality Assurance of the work of Priority
//! Partners": "Ten percent of each Priority Partners visit notes are quality
//! assured by a recently serving HMI, who gives individual feedback and
//! provides overviews on the quality of written reports"; "The QA team will
//! undertake a moderation activity ... A termly overview is also provided";
//! "Each Priority Partner will be shadowed for one school visit a year";
//! "at the end of the Summer Term schools will be asked to feedback ...
//! through a questionnaire sent to Headteachers and Chair of Governors";
//! "an annual performance review ... their own self-assessment based on ...
//! levels of engagement with schools, effectiveness of brokered support,
//! pupil outcomes and Ofsted judgements".
//!
//! The sample is random-looking but reproducible: each note's place in the
//! draw is [`stable_hash`](super::stable_hash)`(organisation, year, term,
//! note id)`; no global RNG.

use super::FieldError;
use crate::calendar::{AcademicYear, TermName};
use crate::register::Urn;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The sampling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaConfig {
    /// Share of each adviser's finalised notes, 0 to 1 (seed 002: 10%).
    pub share: f64,
    /// At least this many per adviser who finalised any (1).
    pub min_per_adviser: usize,
}

impl Default for QaConfig {
    fn default() -> Self {
        QaConfig {
            share: 0.10,
            min_per_adviser: 1,
        }
    }
}

/// A finalised note, as the sampler sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalisedNote {
    /// Note (visit) id.
    pub note_id: String,
    /// Its adviser.
    pub adviser_id: String,
    /// Its school.
    pub urn: Urn,
    /// When it was made final.
    pub finalised_on: Date,
}

/// A sampled note and its reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QaPick {
    /// The note.
    pub note_id: String,
    /// Its adviser.
    pub adviser_id: String,
    /// The reviewer it is routed to (`None` when no reviewer was given).
    pub reviewer_id: Option<String>,
    /// Why.
    pub reason: String,
}

/// A term's sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QaSample {
    /// Organisation.
    pub organisation: String,
    /// Year.
    pub academic_year: AcademicYear,
    /// Term.
    pub term: TermName,
    /// The picks, by adviser then draw order.
    pub picks: Vec<QaPick>,
    /// Finalised notes considered.
    pub considered: usize,
}

fn quota(n: usize, config: &QaConfig) -> usize {
    let share = if config.share.is_finite() {
        config.share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = (share * n as f64).round() as usize;
    q.max(config.min_per_adviser).min(n)
}

/// Draws the term's sample: from each adviser with finalised notes,
/// `max(min_per_adviser, round(share × their notes))` notes, those whose
/// stable hash (seeded by organisation, year and term) is lowest; routed to
/// `reviewers` in turn (sorted), never to a reviewer who is the note's adviser
/// when another is available. The same inputs always give the same sample,
/// whatever the order of `notes`.
pub fn draw_qa_sample(
    organisation: &str,
    academic_year: AcademicYear,
    term: TermName,
    notes: &[FinalisedNote],
    reviewers: &[String],
    config: &QaConfig,
) -> QaSample {
    let year = academic_year.to_string();
    let term_s = term.to_string();
    let mut by_adviser: BTreeMap<&str, Vec<(u64, &FinalisedNote)>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for n in notes {
        if !seen.insert(n.note_id.as_str()) {
            continue; // a note given twice is drawn once
        }
        let h = super::stable_hash(&[organisation, &year, &term_s, &n.note_id]);
        by_adviser
            .entry(n.adviser_id.as_str())
            .or_default()
            .push((h, n));
    }
    let mut reviewers: Vec<&String> = reviewers.iter().collect();
    reviewers.sort();
    reviewers.dedup();
    let mut picks = Vec::new();
    let mut turn = 0usize;
    for (adviser, mut list) in by_adviser {
        list.sort_by(|a, b| (a.0, &a.1.note_id).cmp(&(b.0, &b.1.note_id)));
        let n = list.len();
        let q = quota(n, config);
        for (rank, (_, note)) in list.into_iter().take(q).enumerate() {
            let reviewer = if reviewers.is_empty() {
                None
            } else {
                let mut pick = None;
                for k in 0..reviewers.len() {
                    let r = reviewers[(turn + k) % reviewers.len()];
                    if r.as_str() != adviser {
                        pick = Some(r.clone());
                        turn = turn + k + 1;
                        break;
                    }
                }
                pick
            };
            picks.push(QaPick {
                note_id: note.note_id.clone(),
                adviser_id: adviser.to_owned(),
                reviewer_id: reviewer,
                reason: format!(
                    "draw {} of {q} from adviser {adviser}'s {n} finalised notes in {year} {term_s} ({:.0}% share, at least {} per adviser; seed 002: \"Ten percent of each Priority Partners visit notes are quality assured\")",
                    rank + 1,
                    config.share * 100.0,
                    config.min_per_adviser
                ),
            });
        }
    }
    QaSample {
        organisation: organisation.to_owned(),
        academic_year,
        term,
        picks,
        considered: seen.len(),
    }
}

/// The moderation rating scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QaRating {
    /// Weak.
    Weak,
    /// Requires development.
    RequiresDevelopment,
    /// Good.
    Good,
    /// Strong.
    Strong,
}

impl QaRating {
    /// The scale in order.
    pub const SCALE: [QaRating; 4] = [
        QaRating::Weak,
        QaRating::RequiresDevelopment,
        QaRating::Good,
        QaRating::Strong,
    ];

    /// 1 to 4.
    pub fn score(self) -> u8 {
        match self {
            QaRating::Weak => 1,
            QaRating::RequiresDevelopment => 2,
            QaRating::Good => 3,
            QaRating::Strong => 4,
        }
    }

    /// The words on screen.
    pub fn label(self) -> &'static str {
        match self {
            QaRating::Weak => "Weak",
            QaRating::RequiresDevelopment => "Requires development",
            QaRating::Good => "Good",
            QaRating::Strong => "Strong",
        }
    }
}

/// One criterion of the moderation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Id.
    pub id: String,
    /// What the reviewer judges.
    pub label: String,
}

/// The moderation form: criteria, each rated on [`QaRating`], and feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationForm {
    /// The criteria.
    pub criteria: Vec<Criterion>,
}

impl Default for ModerationForm {
    /// The quality of written reports (seed 002).
    fn default() -> Self {
        let c = |id: &str, label: &str| Criterion {
            id: id.into(),
            label: label.into(),
        };
        ModerationForm {
            criteria: vec![
                c("evidence", "Judgements are supported by evidence"),
                c("challenge", "Challenge is clear, with searching questions"),
                c(
                    "strengths_development",
                    "Strengths and areas for development are specific",
                ),
                c("actions", "Agreed actions have owners and dates"),
                c(
                    "clarity",
                    "Written clearly for the headteacher and governors",
                ),
            ],
        }
    }
}

/// A completed moderation of one note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationRecord {
    /// The note.
    pub note_id: String,
    /// Its adviser.
    pub adviser_id: String,
    /// The reviewer.
    pub reviewer_id: String,
    /// Rating per criterion id.
    pub ratings: BTreeMap<String, QaRating>,
    /// Feedback to the adviser.
    pub feedback: String,
}

impl ModerationForm {
    /// Checks a record against the form: every criterion rated, no unknown
    /// criteria, feedback given.
    pub fn validate(&self, record: &ModerationRecord) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for c in &self.criteria {
            if !record.ratings.contains_key(&c.id) {
                errors.push(FieldError::new(
                    format!("ratings.{}", c.id),
                    format!("Select a rating for \"{}\"", c.label),
                ));
            }
        }
        for id in record.ratings.keys() {
            if !self.criteria.iter().any(|c| &c.id == id) {
                errors.push(FieldError::new(
                    format!("ratings.{id}"),
                    format!("\"{id}\" is not a criterion of this form"),
                ));
            }
        }
        if record.feedback.trim().is_empty() {
            errors.push(FieldError::new(
                "feedback",
                "Enter feedback for the adviser",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One adviser's line in the termly overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdviserQa {
    /// Notes moderated.
    pub moderated: usize,
    /// Mean score (1 to 4) per criterion.
    pub mean_by_criterion: BTreeMap<String, f64>,
    /// Mean over all ratings.
    pub mean: f64,
}

/// The termly QA overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaOverview {
    /// Notes sampled.
    pub sampled: usize,
    /// Notes moderated.
    pub moderated: usize,
    /// Sampled notes not yet moderated.
    pub outstanding: Vec<String>,
    /// Per adviser.
    pub by_adviser: BTreeMap<String, AdviserQa>,
    /// How many ratings of each level per criterion.
    pub distribution: BTreeMap<String, BTreeMap<QaRating, usize>>,
}

/// Aggregates a term's moderation records against its sample.
pub fn qa_overview(sample: &QaSample, records: &[ModerationRecord]) -> QaOverview {
    let sampled: BTreeSet<&str> = sample.picks.iter().map(|p| p.note_id.as_str()).collect();
    let records: Vec<&ModerationRecord> = records
        .iter()
        .filter(|r| sampled.contains(r.note_id.as_str()))
        .collect();
    let moderated_ids: BTreeSet<&str> = records.iter().map(|r| r.note_id.as_str()).collect();
    // Notes moderated, and (sum of scores, ratings) per criterion.
    type Sums = (usize, BTreeMap<String, (u32, u32)>);
    let mut by_adviser: BTreeMap<String, Sums> = BTreeMap::new();
    let mut distribution: BTreeMap<String, BTreeMap<QaRating, usize>> = BTreeMap::new();
    for r in &records {
        let a = by_adviser.entry(r.adviser_id.clone()).or_default();
        a.0 += 1;
        for (c, rating) in &r.ratings {
            let s = a.1.entry(c.clone()).or_default();
            s.0 += u32::from(rating.score());
            s.1 += 1;
            *distribution
                .entry(c.clone())
                .or_default()
                .entry(*rating)
                .or_default() += 1;
        }
    }
    let by_adviser = by_adviser
        .into_iter()
        .map(|(k, (n, sums))| {
            let (tot, cnt) = sums
                .values()
                .fold((0u32, 0u32), |(t, c), (s, n)| (t + s, c + n));
            let mean_by_criterion = sums
                .into_iter()
                .map(|(c, (s, n))| (c, f64::from(s) / f64::from(n.max(1))))
                .collect();
            (
                k,
                AdviserQa {
                    moderated: n,
                    mean_by_criterion,
                    mean: if cnt == 0 {
                        0.0
                    } else {
                        f64::from(tot) / f64::from(cnt)
                    },
                },
            )
        })
        .collect();
    QaOverview {
        sampled: sampled.len(),
        moderated: moderated_ids.len(),
        outstanding: sampled
            .iter()
            .filter(|id| !moderated_ids.contains(*id))
            .map(|s| (*s).to_owned())
            .collect(),
        by_adviser,
        distribution,
    }
}

/// A visit on which an adviser was shadowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowedVisit {
    /// The adviser shadowed.
    pub adviser_id: String,
    /// The visit.
    pub visit_id: String,
    /// When.
    pub date: Date,
    /// Who shadowed (the lead or a committee member).
    pub shadowed_by: String,
    /// Feedback given.
    pub feedback: String,
}

/// The advisers with no shadowed visit in `year`, each with the reason
/// (seed 002: "Each Priority Partner will be shadowed for one school visit a year").
pub fn missing_shadowed_visits(
    advisers: &[String],
    shadowed: &[ShadowedVisit],
    year: AcademicYear,
) -> Vec<(String, String)> {
    let done: BTreeSet<&str> = shadowed
        .iter()
        .filter(|s| year.contains(s.date))
        .map(|s| s.adviser_id.as_str())
        .collect();
    let mut all: Vec<&String> = advisers.iter().collect();
    all.sort();
    all.dedup();
    all.into_iter()
        .filter(|a| !done.contains(a.as_str()))
        .map(|a| {
            (
                a.clone(),
                format!("adviser {a} has no shadowed visit recorded in {year}; seed 002: \"Each Priority Partner will be shadowed for one school visit a year\""),
            )
        })
        .collect()
}

/// Who answers a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyRespondent {
    /// Headteacher.
    Headteacher,
    /// Chair of governors.
    ChairOfGovernors,
}

/// A survey question, answered on the survey's scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyQuestion {
    /// Id.
    pub id: String,
    /// The question.
    pub text: String,
}

/// The end-of-year survey of headteachers and chairs about their adviser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// The year.
    pub academic_year: AcademicYear,
    /// Questions.
    pub questions: Vec<SurveyQuestion>,
    /// The scale's labels, lowest first (answers are 1-based indices).
    pub scale: Vec<String>,
}

/// One school's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponse {
    /// The school.
    pub urn: Urn,
    /// Who answered.
    pub respondent: SurveyRespondent,
    /// The adviser it is about.
    pub adviser_id: String,
    /// Answer per question id (1-based on the scale).
    pub answers: BTreeMap<String, u8>,
    /// Free comments.
    pub comments: String,
}

impl Survey {
    /// Checks answers lie on the scale and every question is answered.
    pub fn validate(&self, response: &SurveyResponse) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for q in &self.questions {
            match response.answers.get(&q.id) {
                None => errors.push(FieldError::new(
                    format!("answers.{}", q.id),
                    format!("Answer \"{}\"", q.text),
                )),
                Some(&a) if a == 0 || usize::from(a) > self.scale.len() => {
                    errors.push(FieldError::new(
                        format!("answers.{}", q.id),
                        format!("The answer to \"{}\" must be on the scale", q.text),
                    ))
                }
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// An adviser's annual review record (seed 002, "Priority Partner Performance Review").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReview {
    /// The adviser.
    pub adviser_id: String,
    /// The year.
    pub academic_year: AcademicYear,
    /// The adviser's own self-assessment.
    pub self_assessment: String,
    /// Levels of engagement with schools.
    pub engagement: String,
    /// Effectiveness of brokered support.
    pub brokered_support: String,
    /// Pupil outcomes and Ofsted judgements.
    pub outcomes: String,
    /// Feedback gathered: QA moderation, shadowing, the school survey.
    pub feedback: String,
    /// The reviewer (the lead).
    pub reviewed_by: String,
    /// When.
    pub reviewed_on: Option<Date>,
}
