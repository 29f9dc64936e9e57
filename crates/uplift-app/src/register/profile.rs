//! The school profile: everything the register holds about one school, and
//! the organisation's intelligence for the roles allowed to read it.

use uplift_domain::access::{authorize, Action, Scope};
use uplift_store::register::SchoolProfile;

use crate::{App, AppError, Caller, Result};

/// A profile as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub profile: SchoolProfile,
    /// Whether the caller may read intelligence (when not, the profile holds none).
    pub read_intelligence: bool,
}

/// One school's profile. Not found: a URN not in the register, and for a
/// school user any school but their own. Intelligence (the organisation's own
/// and the items derived from imports) only for roles allowed to read it.
pub async fn school_profile(app: &App, caller: &Caller, urn: i64) -> Result<Profile> {
    let scope = Scope::School {
        organisation_id: caller.organisation_id(),
        urn,
    };
    caller.authorize(Action::ReadSchools, scope)?;
    let read_intelligence =
        authorize(&caller.principal, Action::ReadIntelligence, scope).is_allowed();
    let org = read_intelligence.then_some(caller.organisation_id());
    let mut profile = app
        .db()
        .school_profile(urn, org)
        .await?
        .ok_or(AppError::NotFound)?;
    if !read_intelligence {
        profile.intelligence.clear();
    }
    Ok(Profile {
        profile,
        read_intelligence,
    })
}
