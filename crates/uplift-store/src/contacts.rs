//! School contacts (issues 5 and 6): the headteacher, the chair of governors
//! and the clerk of each school, as an organisation records them.
//!
//! The published register (GIAS) names the headteacher but never the chair of
//! governors, yet letters are "addressed to the headteacher and the chair of
//! governors" and notes of visit are "shared with the chair of governors". One
//! row per (organisation, school) is the single place the chair is typed; a
//! headteacher recorded here overrides the register (an acting head, say).
//! Every save is audited.

use serde::Serialize;
use sqlx::FromRow;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

use uplift_domain::register::contacts::{self as rule, ContactField, ContactProblem};
pub use uplift_domain::register::contacts::{looks_like_email, MAX_EMAIL, MAX_NAME};

/// A school's recorded contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SchoolContacts {
    pub organisation_id: i64,
    pub urn: i64,
    /// Overrides the register's headteacher when set.
    pub headteacher_name: Option<String>,
    pub headteacher_email: Option<String>,
    pub chair_name: Option<String>,
    pub chair_email: Option<String>,
    pub clerk_name: Option<String>,
    pub clerk_email: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
    pub updated_by_user_id: Option<i64>,
}

const COLS: &str = "organisation_id, urn, headteacher_name, headteacher_email, chair_name, chair_email, clerk_name, clerk_email, updated_at, updated_by, updated_by_user_id";

impl SchoolContacts {
    /// The chair's name for a letter: the recorded name, or the office.
    pub fn chair_for_letter(contacts: Option<&Self>) -> String {
        contacts
            .and_then(|c| c.chair_name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| "The Chair of Governors".into())
    }
}

/// What a form or the API sends: every field optional (blank clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ContactsInput {
    /// Overrides the register's headteacher (for example an acting head).
    #[serde(default)]
    pub headteacher_name: Option<String>,
    #[serde(default)]
    pub headteacher_email: Option<String>,
    #[serde(default)]
    pub chair_name: Option<String>,
    #[serde(default)]
    pub chair_email: Option<String>,
    #[serde(default)]
    pub clerk_name: Option<String>,
    #[serde(default)]
    pub clerk_email: Option<String>,
}

impl ContactsInput {
    /// The detail recorded for `field`, as given.
    pub fn get(&self, field: ContactField) -> Option<&str> {
        match field {
            ContactField::HeadteacherName => self.headteacher_name.as_deref(),
            ContactField::HeadteacherEmail => self.headteacher_email.as_deref(),
            ContactField::ChairName => self.chair_name.as_deref(),
            ContactField::ChairEmail => self.chair_email.as_deref(),
            ContactField::ClerkName => self.clerk_name.as_deref(),
            ContactField::ClerkEmail => self.clerk_email.as_deref(),
        }
    }

    /// Trimmed, blanks as `None`.
    pub fn cleaned(&self) -> Self {
        let c = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Self {
            headteacher_name: c(&self.headteacher_name),
            headteacher_email: c(&self.headteacher_email),
            chair_name: c(&self.chair_name),
            chair_email: c(&self.chair_email),
            clerk_name: c(&self.clerk_name),
            clerk_email: c(&self.clerk_email),
        }
    }

    /// Every problem, by the domain's rule for contact details.
    pub fn problems(&self) -> Vec<ContactProblem> {
        rule::problems(ContactField::ALL.map(|f| (f, self.get(f))))
    }
}

/// A school's contacts inside a transaction.
pub async fn get(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<Option<SchoolContacts>> {
    Ok(on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {COLS} FROM school_contacts WHERE organisation_id = $1 AND urn = $2"))
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)?)
}

/// Saves a school's contacts (every field; blanks clear), audited. Refused
/// with every problem (and nothing saved) when a name is too long or an email
/// address does not look like one, or when the school is not in the
/// organisation's estate.
pub async fn save(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    urn: i64,
    input: &ContactsInput,
) -> Result<SchoolContacts> {
    let problems = input.problems();
    if !problems.is_empty() {
        return Err(StoreError::Invalid(
            problems
                .into_iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let in_estate: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT urn FROM organisation_schools WHERE organisation_id = $1 AND urn = $2")
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)?;
    if in_estate.is_none() {
        return Err(StoreError::NotFound(format!(
            "school {urn} in this organisation"
        )));
    }
    let v = input.cleaned();
    let before = get(tx, organisation_id, urn).await?;
    if let Some(b) = &before {
        let same = b.headteacher_name == v.headteacher_name
            && b.headteacher_email == v.headteacher_email
            && b.chair_name == v.chair_name
            && b.chair_email == v.chair_email
            && b.clerk_name == v.clerk_name
            && b.clerk_email == v.clerk_email;
        if same {
            return Ok(b.clone());
        }
    }
    let after: SchoolContacts = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO school_contacts (organisation_id, urn, headteacher_name, headteacher_email, chair_name,
             chair_email, clerk_name, clerk_email, updated_at, updated_by, updated_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (organisation_id, urn) DO UPDATE SET headteacher_name = excluded.headteacher_name,
             headteacher_email = excluded.headteacher_email, chair_name = excluded.chair_name,
             chair_email = excluded.chair_email, clerk_name = excluded.clerk_name,
             clerk_email = excluded.clerk_email, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by, updated_by_user_id = excluded.updated_by_user_id
         RETURNING {COLS}"))
        .bind(organisation_id).bind(urn).bind(&v.headteacher_name).bind(&v.headteacher_email)
        .bind(&v.chair_name).bind(&v.chair_email).bind(&v.clerk_name).bind(&v.clerk_email)
        .bind(now()).bind(&actor.label).bind(actor.user_id)
        .fetch_one(&mut **c).await)?;
    let id = format!("{organisation_id}/{urn}");
    let change = match &before {
        Some(b) => Change::updated(
            "school_contacts",
            id.as_str(),
            Some(organisation_id),
            b,
            &after,
        ),
        None => Change::created(
            "school_contacts",
            id.as_str(),
            Some(organisation_id),
            &after,
        ),
    };
    audit::record(tx, actor, change).await?;
    Ok(after)
}

/// Records only the chair's name, keeping every other contact (used by the
/// causing-concern case form, which writes here rather than on the case).
pub async fn save_chair(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    urn: i64,
    chair_name: Option<&str>,
) -> Result<SchoolContacts> {
    let before = get(tx, organisation_id, urn).await?;
    let mut input = match &before {
        Some(b) => ContactsInput {
            headteacher_name: b.headteacher_name.clone(),
            headteacher_email: b.headteacher_email.clone(),
            chair_name: None,
            chair_email: b.chair_email.clone(),
            clerk_name: b.clerk_name.clone(),
            clerk_email: b.clerk_email.clone(),
        },
        None => ContactsInput::default(),
    };
    input.chair_name = chair_name.map(str::to_owned);
    save(tx, actor, organisation_id, urn, &input).await
}

/// The demo authority's recorded chairs (clearly fictional people): the
/// demo school user's school and the school the demo proposes as requires
/// improvement. Every other demo school has no chair recorded, so its letters
/// go to "The Chair of Governors". Idempotent: a school that already has
/// contacts keeps them.
pub const DEMO_CHAIRS: &[(i64, &str, &str)] = &[
    (
        100005,
        "Morgan Fictional (demo chair of governors)",
        "chair.100005@demo.uplift.invalid",
    ),
    (
        100028,
        "Robin Invented (demo chair of governors)",
        "chair.100028@demo.uplift.invalid",
    ),
];

/// Records [`DEMO_CHAIRS`] for the demo organisation's schools in its estate
/// that have no contacts yet; returns how many were recorded.
pub async fn load_demo(db: &Db, organisation_id: i64) -> Result<usize> {
    let actor = Actor::system("demo");
    let mut n = 0;
    let mut tx = db.begin().await?;
    for (urn, name, email) in DEMO_CHAIRS {
        if get(&mut tx, organisation_id, *urn).await?.is_some() {
            continue;
        }
        let input = ContactsInput {
            chair_name: Some((*name).to_owned()),
            chair_email: Some((*email).to_owned()),
            ..Default::default()
        };
        match save(&mut tx, &actor, organisation_id, *urn, &input).await {
            Ok(_) => n += 1,
            // Not in this register's estate: nothing to record.
            Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    Ok(n)
}

impl Db {
    /// A school's recorded contacts, if any.
    pub async fn school_contacts(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Option<SchoolContacts>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {COLS} FROM school_contacts WHERE organisation_id = $1 AND urn = $2"))
            .bind(organisation_id).bind(urn).fetch_optional(p).await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_that_look_valid() {
        for ok in ["a@b.org", "pat.governor@example.sch.uk", "x+y@d-e.co.uk"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@b..org",
            "a@.b.org",
            "a@b.org.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
