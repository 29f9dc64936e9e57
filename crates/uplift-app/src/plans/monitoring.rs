//! Monitoring and Challenge records: the head of service's evaluation of a
//! school's progress and of the authority's own support.

use uplift_domain::access::Action;
use uplift_domain::concern::MonitoringAndChallengeRecord;
use uplift_domain::register::Date;
use uplift_store::plans::{self as store, parse_judgement, McRecord};

use crate::concern::case_for;
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// A Monitoring and Challenge record as a person gave it. Field names:
/// `date`, `progress` and `support` (red, amber or green),
/// `progress_evaluation` and `support_evaluation` (each at most 4,000
/// characters), `meeting` (one of the organisation's, or blank).
#[derive(Debug, Clone, Default)]
pub struct McInput {
    pub date: Option<Date>,
    pub progress: String,
    pub progress_evaluation: String,
    pub support: String,
    pub support_evaluation: String,
    /// The meeting's number as given (blank: none).
    pub meeting: String,
}

/// Records the head of service's evaluation of the school's progress and
/// of the authority's own support, on a case.
pub async fn record_monitoring_and_challenge(
    app: &App,
    caller: &Caller,
    case_id: i64,
    f: McInput,
) -> Result<McRecord> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let org = caller.organisation_id();
    let db = app.db();
    let mut problems = Problems::new();
    if f.date.is_none() {
        problems.add(
            "date",
            "Enter the date of the meeting, for example 2027-03-03",
        );
    }
    let progress = parse_judgement(f.progress.trim());
    if progress.is_none() {
        problems.add("progress", "Select the judgement of the school's progress");
    }
    if f.progress_evaluation.trim().is_empty() {
        problems.add(
            "progress_evaluation",
            "Enter the evaluation of the school's progress",
        );
    }
    let support = parse_judgement(f.support.trim());
    if support.is_none() {
        problems.add("support", "Select the judgement of the authority's support");
    }
    if f.support_evaluation.trim().is_empty() {
        problems.add(
            "support_evaluation",
            "Enter the evaluation of the authority's monitoring, challenge and support",
        );
    }
    let meeting = if f.meeting.trim().is_empty() {
        None
    } else {
        match f.meeting.trim().parse::<i64>() {
            Ok(id) if db.meeting(org, id).await?.is_some() => Some(id),
            _ => {
                problems.add(
                    "meeting",
                    "Enter the number of one of your organisation's meetings, or leave it blank",
                );
                None
            }
        }
    };
    for (name, text) in [
        ("progress_evaluation", &f.progress_evaluation),
        ("support_evaluation", &f.support_evaluation),
    ] {
        if text.trim().chars().count() > 4000 {
            problems.add(name, "The evaluation must be 4,000 characters or fewer");
        }
    }
    problems.done()?;
    let (Some(date), Some(progress), Some(support)) = (f.date, progress, support) else {
        return Err(AppError::field("date", "Enter the date of the meeting"));
    };
    let record = MonitoringAndChallengeRecord {
        date,
        progress,
        progress_evaluation: f.progress_evaluation.trim().to_string(),
        authority_support: support,
        authority_support_evaluation: f.support_evaluation.trim().to_string(),
    };
    let mut tx = db.begin().await?;
    let r = store::record_monitoring_and_challenge(
        &mut tx,
        &caller.actor,
        org,
        case.id,
        meeting,
        &record,
    )
    .await
    .map_err(AppError::refused_on("date"))?;
    tx.commit().await?;
    Ok(r)
}
