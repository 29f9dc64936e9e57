//! The visits' queries: caseloads, delivery against entitlement, one
//! school's entitlement, the list of visits and the note of a visit, each
//! under the caller's access (a school user: their own school only).

use std::collections::BTreeMap;

use uplift_domain::access::{Action, Role, Scope};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::{CaseloadReport, DeliveryReport, NoteOfVisit};
use uplift_store::visits::{EntitlementPlan, VisitFilter, VisitFull, VisitRow};

use super::{can_read_note, visible_visit};
use crate::{App, AppError, Caller, Result};

/// The school a school user is limited to (`None` for staff); a school user
/// asking about another school is told it does not exist.
fn school_scope(caller: &Caller, asked: Option<i64>) -> Result<Option<i64>> {
    if caller.principal.role != Role::School {
        return Ok(asked);
    }
    let own = caller.principal.school_urn.ok_or(AppError::NotFound)?;
    if asked.is_some_and(|u| u != own) {
        return Err(AppError::NotFound);
    }
    Ok(Some(own))
}

/// Caseloads for the year: each adviser's schools and days committed against
/// capacity, suggested reassignments, schools without a named adviser, and
/// the entitlements they were computed from.
pub async fn caseload(
    app: &App,
    caller: &Caller,
    year: AcademicYear,
) -> Result<(CaseloadReport, BTreeMap<i64, EntitlementPlan>)> {
    let org = caller.organisation_id();
    caller.authorize(Action::ReadAdvisers, Scope::Organisation(org))?;
    Ok(app.db().caseload(org, year, app.today()).await?)
}

/// Delivered against due for the year as of today (`urn`: one school; a
/// school user: their own school whatever is asked).
pub async fn delivery(
    app: &App,
    caller: &Caller,
    year: AcademicYear,
    urn: Option<i64>,
) -> Result<DeliveryReport> {
    let org = caller.organisation_id();
    caller.authorize(Action::ReadVisits, Scope::Organisation(org))?;
    let scope = school_scope(caller, urn)?;
    Ok(app.db().delivery(org, year, app.today(), scope).await?)
}

/// One school's entitlement for the year with the reasons for each count,
/// and its delivery against it (not found: not in the estate or register).
pub async fn school_entitlement(
    app: &App,
    caller: &Caller,
    urn: i64,
    year: AcademicYear,
) -> Result<(EntitlementPlan, DeliveryReport)> {
    let org = caller.organisation_id();
    caller.authorize(
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    app.db()
        .school_entitlement_and_delivery(org, urn, year, app.today())
        .await?
        .ok_or(AppError::NotFound)
}

/// The visits of a year (`None`: every year), for one school or adviser if
/// asked; a school user sees only their own school's.
pub async fn visits(
    app: &App,
    caller: &Caller,
    year: Option<AcademicYear>,
    urn: Option<i64>,
    adviser_id: Option<i64>,
) -> Result<Vec<VisitRow>> {
    let org = caller.organisation_id();
    caller.authorize(Action::ReadVisits, Scope::Organisation(org))?;
    let urn = school_scope(caller, urn)?;
    Ok(app
        .db()
        .visits(&VisitFilter {
            organisation_id: org,
            academic_year: year.map(|y| y.to_string()),
            urn,
            adviser_id,
        })
        .await?)
}

/// A visit's note of visit, if the caller may read it (not found otherwise:
/// a school user before it is sent, a QA reviewer here).
pub async fn note_of_visit(
    app: &App,
    caller: &Caller,
    visit_id: i64,
) -> Result<(VisitFull, NoteOfVisit)> {
    let full = visible_visit(app, caller, visit_id).await?;
    if !can_read_note(caller, &full) {
        return Err(AppError::NotFound);
    }
    let note = full.note.as_ref().ok_or(AppError::NotFound)?.note()?;
    Ok((full, note))
}
