//! The organisation's advisers: adding one, naming (or changing) a school's
//! adviser with a reason, and the working days a headteacher has to respond
//! to a note of visit. A lead or an administrator (`ManageAdvisers`).
//!
//! Field names in refusals: `name`, `email`, `capacity_days`, `expertise`;
//! `urn`, `adviser_id`, `reason`; `response_days`.

use uplift_domain::access::{Action, Scope};
use uplift_domain::visits::Expertise;
use uplift_store::visits::{self as sv, AdviserInput, AdviserRow, Assignment};

use super::refused;
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// An adviser as a person gave them.
#[derive(Debug, Clone, Default)]
pub struct NewAdviser {
    pub name: String,
    pub email: String,
    /// Days a year, as typed.
    pub capacity_days: String,
    /// Stored names of the areas of expertise.
    pub expertise: Vec<String>,
}

/// Adds an adviser: a name, an email address, a capacity of 0 to 366 days
/// and known areas of expertise (an unknown one is refused, never dropped).
pub async fn create_adviser(app: &App, caller: &Caller, input: NewAdviser) -> Result<AdviserRow> {
    let org = caller.organisation_id();
    caller.authorize(Action::ManageAdvisers, Scope::Organisation(org))?;
    let mut problems = Problems::new();
    let mut expertise: Vec<Expertise> = Vec::new();
    for e in input
        .expertise
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        match sv::expertise_from_key(e) {
            Some(x) => expertise.push(x),
            None if !problems.has("expertise") => {
                problems.add("expertise", "Select areas of expertise from the list")
            }
            None => {}
        }
    }
    problems.done()?;
    // Not a number: the store's check names the field with the others.
    let capacity = input
        .capacity_days
        .trim()
        .parse::<f64>()
        .unwrap_or(f64::NAN);
    let mut tx = app.db().begin().await?;
    let row = sv::create_adviser(
        &mut tx,
        &caller.actor,
        org,
        &AdviserInput {
            user_id: None,
            name: input.name.trim(),
            email: input.email.trim(),
            expertise: &expertise,
            capacity_days: capacity,
            active: true,
        },
    )
    .await
    .map_err(refused)?;
    tx.commit().await?;
    Ok(row)
}

/// Names `adviser_id` the school's adviser from today, with a `reason`; the
/// school must be in the estate and the adviser active and not already named.
pub async fn assign_adviser(
    app: &App,
    caller: &Caller,
    urn: Option<i64>,
    adviser_id: Option<i64>,
    reason: &str,
) -> Result<Assignment> {
    let org = caller.organisation_id();
    caller.authorize(Action::ManageAdvisers, Scope::Organisation(org))?;
    let mut problems = Problems::new();
    if urn.is_none() {
        problems.add("urn", "Select a school");
    }
    if adviser_id.is_none() {
        problems.add("adviser_id", "Select an adviser");
    }
    let (Some(urn), Some(adviser_id)) = (urn, adviser_id) else {
        if reason.trim().is_empty() {
            problems.add("reason", "Enter the reason for the assignment");
        }
        problems.done()?;
        return Err(AppError::field("urn", "Select a school"));
    };
    let mut tx = app.db().begin().await?;
    let row = sv::assign_adviser(
        &mut tx,
        &caller.actor,
        org,
        urn,
        adviser_id,
        app.today(),
        reason,
    )
    .await
    .map_err(|e| {
        if e.is_not_found() {
            AppError::field("urn", "Select one of your organisation's schools")
        } else {
            refused(e)
        }
    })?;
    tx.commit().await?;
    Ok(row)
}

/// Sets the working days a headteacher has to respond to a note of visit:
/// a whole number from 1 to 60.
pub async fn set_response_days(app: &App, caller: &Caller, days: &str) -> Result<u32> {
    let org = caller.organisation_id();
    caller.authorize(Action::ManageAdvisers, Scope::Organisation(org))?;
    let days =
        match days.trim().parse::<u32>() {
            Ok(d) if (1..=60).contains(&d) => d,
            _ => return Err(AppError::field(
                "response_days",
                "Enter the response window as a whole number of working days from 1 to 60, like 10",
            )),
        };
    let mut tx = app.db().begin().await?;
    sv::set_response_working_days(&mut tx, &caller.actor, org, days)
        .await
        .map_err(AppError::refused_on("response_days"))?;
    tx.commit().await?;
    Ok(days)
}
