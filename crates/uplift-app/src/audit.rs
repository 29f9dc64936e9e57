//! The audit log of the caller's organisation, filtered and paged, newest
//! first (`ReadAuditLog`: administrators and leads).
//!
//! Field names in refusals: `action`, `to` (a range that ends before it
//! starts). Dates arrive parsed: each adapter reports a date it cannot read
//! on its own field.

use jiff::civil::Date;
use uplift_domain::access::{Action, Scope};
use uplift_store::audit::{AuditEntry, AuditFilter};

use crate::error::Problems;
use crate::{App, Caller, Result};

/// The entries a page shows.
pub const PAGE_SIZE: i64 = 50;

/// The actions the log records.
pub const ACTIONS: [&str; 5] = ["create", "update", "delete", "sign_in", "sign_out"];

/// What to look for; blank text is no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSearch {
    /// The kind of record (`user`, `school_contacts`).
    pub entity: String,
    /// One of [`ACTIONS`].
    pub action: String,
    /// Who made the change (their email address).
    pub user_email: String,
    /// Inclusive dates.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
}

/// One page of entries.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` on the last.
    pub next_before: Option<i64>,
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The entries matching the search, newest first, a page at a time.
pub async fn audit_entries(app: &App, caller: &Caller, search: &AuditSearch) -> Result<AuditPage> {
    let org = caller.organisation_id();
    caller.authorize(Action::ReadAuditLog, Scope::Organisation(org))?;
    let mut problems = Problems::new();
    let action = nonempty(&search.action);
    if action.as_deref().is_some_and(|a| !ACTIONS.contains(&a)) {
        problems.add("action", "Choose an action from the list");
    }
    if let (Some(from), Some(to)) = (search.from, search.to) {
        if to < from {
            problems.add(
                "to",
                "The to date must be the same as or after the from date",
            );
        }
    }
    problems.done()?;
    let filter = AuditFilter {
        organisation_id: Some(org),
        entity: nonempty(&search.entity),
        entity_id: None,
        action,
        actor: nonempty(&search.user_email).map(|e| e.to_ascii_lowercase()),
        from: search.from.map(|d| d.to_string()),
        to: search.to.map(|d| d.to_string()),
        before_id: search.before,
        limit: PAGE_SIZE,
    };
    let entries = app.db().audit_entries(&filter).await?;
    let next_before = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}
