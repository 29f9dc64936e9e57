//! The school list: the filters as a person gives them, parsed once into the
//! store's filter, and the search itself.

use serde::Deserialize;
use uplift_domain::access::{Action, Role, Scope};
use uplift_store::register::{SchoolFilter, SchoolFilterOptions, SchoolSort, SchoolSummary};

use crate::{App, Caller, Result};

/// Schools per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// The columns the list can be sorted by, as given in a query string.
pub const SORT_KEYS: &[&str] = &["name", "urn", "phase", "type", "status", "la", "pupils"];

/// The list's filters as typed in the form (and in `/schools.csv`).
#[derive(Debug, Deserialize, Default, Clone)]
pub struct SchoolQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub la: String,
    #[serde(default)]
    pub phase: String,
    #[serde(default, rename = "type")]
    pub type_name: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub trust: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub page: String,
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl SchoolQuery {
    /// (query value, store sort, descending); an unknown column sorts by name.
    pub fn sort(&self) -> (&'static str, SchoolSort, bool) {
        let key = SORT_KEYS
            .iter()
            .copied()
            .find(|k| *k == self.sort.trim())
            .unwrap_or("name");
        let sort = SchoolSort::parse(key).unwrap_or_default();
        (key, sort, self.order.trim() == "desc")
    }

    /// The page asked for (1 when absent or not a whole number from 1).
    pub fn page(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The store filter for these filters and page ([`PAGE_SIZE`] a page).
    pub fn filter(&self) -> SchoolFilter {
        let (_, sort, descending) = self.sort();
        SchoolFilter {
            q: nonempty(&self.q),
            la: nonempty(&self.la),
            phase: nonempty(&self.phase),
            type_name: nonempty(&self.type_name),
            status: nonempty(&self.status),
            trust: nonempty(&self.trust),
            organisation_id: None,
            sort,
            descending,
            limit: PAGE_SIZE,
            offset: (self.page() - 1).saturating_mul(PAGE_SIZE),
        }
    }
}

/// The schools that match: how many in all, and the page asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub total: i64,
    pub items: Vec<SchoolSummary>,
}

/// The school a school user is limited to (`Some(None)`: a school user with
/// no school); `None` for every other role.
pub fn own_school_only(caller: &Caller) -> Option<Option<i64>> {
    (caller.principal.role == Role::School).then_some(caller.principal.school_urn)
}

/// Whether a row matches the filter, as the store's search does (for a school
/// user's single school).
fn matches(s: &SchoolSummary, f: &SchoolFilter) -> bool {
    let eq = |want: &Option<String>, have: &Option<String>| match want {
        None => true,
        Some(w) => have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(w)),
    };
    let q_ok = match &f.q {
        None => true,
        Some(q) => {
            s.name.to_lowercase().contains(&q.to_lowercase())
                || (q.bytes().all(|b| b.is_ascii_digit()) && s.urn.to_string().starts_with(q))
        }
    };
    q_ok && f.la.as_ref().is_none_or(|la| *la == s.la_code)
        && eq(&f.phase, &s.phase)
        && eq(&f.type_name, &s.type_name)
        && eq(&f.status, &s.status)
        && eq(&f.trust, &s.trust)
}

/// The schools the caller may see that match the filter: every school in the
/// register, or a school user's own school only.
pub async fn find_schools(app: &App, caller: &Caller, f: &SchoolFilter) -> Result<Found> {
    caller.authorize(
        Action::ReadSchools,
        Scope::Organisation(caller.organisation_id()),
    )?;
    if let Some(own) = own_school_only(caller) {
        let row = match own {
            Some(urn) => app.db().school_summary(urn).await?,
            None => None,
        };
        let row = row.filter(|s| matches(s, f));
        let total = i64::from(row.is_some());
        let items = row.into_iter().filter(|_| f.offset == 0).collect();
        return Ok(Found { total, items });
    }
    let (total, items) = app.db().schools(f).await?;
    Ok(Found { total, items })
}

/// The values the list's filters offer (none for a school user, who sees only
/// their own school).
pub async fn filter_options(app: &App, caller: &Caller) -> Result<SchoolFilterOptions> {
    caller.authorize(
        Action::ReadSchools,
        Scope::Organisation(caller.organisation_id()),
    )?;
    if own_school_only(caller).is_some() {
        return Ok(SchoolFilterOptions::default());
    }
    Ok(app.db().school_filter_options().await?)
}
