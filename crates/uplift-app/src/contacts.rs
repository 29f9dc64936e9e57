//! A school's contacts: the headteacher (overriding the register's), the
//! chair of governors and the clerk, read and recorded for the profile, the
//! contacts page and the API. Reading follows `ReadSchools`; recording follows
//! `EditSchoolContacts` (a school's own users: their own school only; any
//! other school is "not found"). The rule for each detail is the domain's
//! (`uplift_domain::register::contacts`).
//!
//! Field names in refusals: `headteacher_name`, `headteacher_email`,
//! `chair_name`, `chair_email`, `clerk_name`, `clerk_email`.

use uplift_domain::access::{Action, Scope};
use uplift_store::contacts::{self as store, ContactsInput, SchoolContacts};

use crate::{App, AppError, Caller, FieldError, Result};

/// A school's contacts as recorded, beside the register's headteacher.
#[derive(Debug, Clone, PartialEq)]
pub struct Contacts {
    pub urn: i64,
    /// The school's name.
    pub school: String,
    /// The headteacher the register names.
    pub register_head: Option<String>,
    /// What the organisation has recorded, if anything.
    pub recorded: Option<SchoolContacts>,
}

impl Contacts {
    /// The headteacher letters are addressed to: the recorded one, else the
    /// register's.
    pub fn headteacher(&self) -> Option<&str> {
        self.recorded
            .as_ref()
            .and_then(|c| c.headteacher_name.as_deref())
            .or(self.register_head.as_deref())
    }
}

/// The school's contacts, for reading (the profile, the API).
pub async fn school_contacts(app: &App, caller: &Caller, urn: i64) -> Result<Contacts> {
    load(app, caller, urn, Action::ReadSchools).await
}

/// The school's contacts, for someone about to change them (the form).
pub async fn contacts_to_edit(app: &App, caller: &Caller, urn: i64) -> Result<Contacts> {
    load(app, caller, urn, Action::EditSchoolContacts).await
}

/// Records the school's contacts (audited; saving the same again changes and
/// audits nothing). Every refused detail is reported on its own field and
/// nothing is saved.
pub async fn save_contacts(
    app: &App,
    caller: &Caller,
    urn: i64,
    input: &ContactsInput,
) -> Result<Contacts> {
    let school = school_in_scope(app, caller, urn, Action::EditSchoolContacts).await?;
    let problems = input.problems();
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .iter()
                .map(|p| FieldError::new(p.field().name(), p.to_string()))
                .collect(),
        ));
    }
    let org = caller.organisation_id();
    let mut tx = app.db().begin().await?;
    store::save(&mut tx, &caller.actor, org, urn, input).await?;
    tx.commit().await?;
    with_details(app, org, urn, school).await
}

async fn load(app: &App, caller: &Caller, urn: i64, action: Action) -> Result<Contacts> {
    let school = school_in_scope(app, caller, urn, action).await?;
    with_details(app, caller.organisation_id(), urn, school).await
}

/// The school's name, if the caller may do `action` for it and it is in the
/// organisation's estate.
async fn school_in_scope(app: &App, caller: &Caller, urn: i64, action: Action) -> Result<String> {
    let org = caller.organisation_id();
    caller.authorize(
        action,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    if !app.db().concern_school_in_estate(org, urn).await? {
        return Err(AppError::NotFound);
    }
    app.db()
        .concern_school_name(urn)
        .await?
        .ok_or(AppError::NotFound)
}

async fn with_details(app: &App, org: i64, urn: i64, school: String) -> Result<Contacts> {
    let register_head = app
        .db()
        .school_profile(urn, None)
        .await?
        .and_then(|p| p.head_name);
    let recorded = app.db().school_contacts(org, urn).await?;
    Ok(Contacts {
        urn,
        school,
        register_head,
        recorded,
    })
}
