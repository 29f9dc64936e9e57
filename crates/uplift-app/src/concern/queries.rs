//! The queries of causing-concern cases that every adapter shares: a case
//! and a letter, each looked up with its reading rule.

use uplift_domain::access::{Action, Role, Scope};
use uplift_store::concern::{CaseRecord, LetterRecord};

use crate::{App, AppError, Caller, Result};

/// The case of the caller's organisation, if the caller may do `action` on
/// it (a school user: only their own school's; anything else is
/// [`AppError::NotFound`]). The one lookup every case page and API
/// operation uses.
pub async fn case_for(
    app: &App,
    caller: &Caller,
    case_id: i64,
    action: Action,
) -> Result<CaseRecord> {
    let org = caller.organisation_id();
    let case = app
        .db()
        .concern_case(org, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.authorize(
        action,
        Scope::School {
            organisation_id: org,
            urn: case.urn,
        },
    )?;
    Ok(case)
}

/// The letter of the caller's organisation, if the caller may read it (a
/// school user: only the issued letters of their own school; anything else
/// is [`AppError::NotFound`]). The one lookup the letter pages and the API
/// use.
pub async fn letter_for(app: &App, caller: &Caller, letter_id: i64) -> Result<LetterRecord> {
    let org = caller.organisation_id();
    let l = app
        .db()
        .letter(org, letter_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.authorize(
        Action::ReadConcern,
        Scope::School {
            organisation_id: org,
            urn: l.urn,
        },
    )?;
    if caller.principal.role == Role::School && l.status != "issued" {
        return Err(AppError::NotFound);
    }
    Ok(l)
}
