//! Caseloads (rule 6): advisers' expertise and capacity, days committed from
//! entitlements, and suggested reassignments.
//!
//! DESIGN.md section 2: "every school has a named adviser ... Caseloads are
//! visible and balanced against expertise (phase, SEND, secondary)". Seed 003:
//! "Every school has a named Learning Network Inspector (with secondary,
//! nursery and special schools having an additional BSIP ...)"; seed 004 (The
//! Circle Trust) allocates officer time by need.

use super::entitlement::SchoolEntitlement;
use super::VisitType;
use crate::register::Urn;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An area of expertise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expertise {
    /// Early years and nursery.
    EarlyYears,
    /// Primary phase.
    Primary,
    /// Secondary phase (and sixth forms).
    Secondary,
    /// Special educational needs and disabilities.
    Send,
    /// Pupil referral units and alternative provision.
    AlternativeProvision,
    /// Governance.
    Governance,
    /// Schools causing concern, intervention.
    Intervention,
}

impl Expertise {
    /// Words.
    pub fn label(self) -> &'static str {
        match self {
            Expertise::EarlyYears => "early years",
            Expertise::Primary => "primary",
            Expertise::Secondary => "secondary",
            Expertise::Send => "SEND",
            Expertise::AlternativeProvision => "alternative provision",
            Expertise::Governance => "governance",
            Expertise::Intervention => "intervention",
        }
    }
}

fn words(set: &BTreeSet<Expertise>) -> String {
    set.iter().map(|e| e.label()).collect::<Vec<_>>().join(", ")
}

/// An adviser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adviser {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Expertise.
    pub expertise: BTreeSet<Expertise>,
    /// Days a year available for visits.
    pub capacity_days: f64,
}

/// Days of adviser time per visit (visit, preparation and the note).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaysPerVisit {
    /// By type.
    pub by_type: BTreeMap<VisitType, f64>,
    /// For types not listed.
    pub default: f64,
}

impl Default for DaysPerVisit {
    fn default() -> Self {
        let mut by_type = BTreeMap::new();
        by_type.insert(VisitType::SchoolEffectiveness, 1.0);
        by_type.insert(VisitType::Headline, 1.0);
        by_type.insert(VisitType::NewToHeadship, 1.0);
        by_type.insert(VisitType::KeepingInTouch, 0.5);
        by_type.insert(VisitType::Additional, 0.5);
        by_type.insert(VisitType::Safeguarding, 1.0);
        DaysPerVisit {
            by_type,
            default: 1.0,
        }
    }
}

impl DaysPerVisit {
    /// Days for one visit of a type.
    pub fn days(&self, t: &VisitType) -> f64 {
        self.by_type.get(t).copied().unwrap_or(self.default)
    }
}

/// A school as the caseload sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolNeeds {
    /// URN.
    pub urn: Urn,
    /// Name.
    pub name: String,
    /// Its named adviser.
    pub adviser_id: String,
    /// Expertise it needs (phase, SEND, ...).
    pub needs: BTreeSet<Expertise>,
    /// Visits this year by type.
    pub visits: Vec<(VisitType, u32)>,
}

impl SchoolNeeds {
    /// From an entitlement.
    pub fn from_entitlement(
        e: &SchoolEntitlement,
        adviser_id: impl Into<String>,
        needs: BTreeSet<Expertise>,
    ) -> Self {
        SchoolNeeds {
            urn: e.urn,
            name: e.name.clone(),
            adviser_id: adviser_id.into(),
            needs,
            visits: e
                .visits
                .iter()
                .map(|v| (v.visit_type.clone(), v.count))
                .collect(),
        }
    }

    /// Days committed.
    pub fn days(&self, per: &DaysPerVisit) -> f64 {
        self.visits
            .iter()
            .map(|(t, n)| per.days(t) * f64::from(*n))
            .sum()
    }
}

/// One adviser's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdviserLoad {
    /// Adviser id.
    pub adviser_id: String,
    /// Capacity, days.
    pub capacity_days: f64,
    /// Committed, days.
    pub committed_days: f64,
    /// Schools (URNs).
    pub schools: Vec<Urn>,
    /// Committed beyond capacity.
    pub overloaded: bool,
}

/// A suggested reassignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The school.
    pub urn: Urn,
    /// Its adviser now.
    pub from: String,
    /// The suggested adviser.
    pub to: String,
    /// Why.
    pub reasons: Vec<String>,
}

/// The caseload report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadReport {
    /// Per adviser, by id.
    pub loads: Vec<AdviserLoad>,
    /// Suggestions, in the order made.
    pub suggestions: Vec<Suggestion>,
    /// Schools whose adviser is unknown.
    pub unassigned: Vec<Urn>,
}

/// Loads and suggestions. Deterministic: schools whose adviser lacks
/// expertise they need are considered first (by URN), then the schools of
/// overloaded advisers (most days first) until the adviser is within
/// capacity. A school moves to the adviser who has every expertise it needs
/// and room for its days, preferring the most spare days after the move, then
/// the lowest id. Loads are updated as suggestions are made.
pub fn caseload(
    advisers: &[Adviser],
    schools: &[SchoolNeeds],
    per: &DaysPerVisit,
) -> CaseloadReport {
    let by_id: BTreeMap<String, &Adviser> = advisers.iter().map(|a| (a.id.clone(), a)).collect();
    let mut committed: BTreeMap<String, f64> = by_id.keys().map(|k| (k.clone(), 0.0)).collect();
    let mut assigned: BTreeMap<Urn, String> = BTreeMap::new();
    let mut unassigned = Vec::new();
    let mut sorted: Vec<&SchoolNeeds> = schools.iter().collect();
    sorted.sort_by_key(|s| s.urn);
    for s in &sorted {
        if by_id.contains_key(&s.adviser_id) {
            *committed.entry(s.adviser_id.clone()).or_default() += s.days(per);
            assigned.insert(s.urn, s.adviser_id.clone());
        } else {
            unassigned.push(s.urn);
        }
    }
    let loads_before = committed.clone();
    let mut state = MoveState {
        by_id: &by_id,
        per,
        committed,
        assigned,
        suggestions: Vec::new(),
    };
    let mut moved: BTreeSet<Urn> = BTreeSet::new();

    for s in &sorted {
        let Some(a) = state.assigned.get(&s.urn).and_then(|id| by_id.get(id)) else {
            continue;
        };
        let missing: BTreeSet<Expertise> = s.needs.difference(&a.expertise).copied().collect();
        if !missing.is_empty() {
            let reason = format!(
                "{} ({}) needs {} which its adviser {} lacks",
                s.name,
                s.urn,
                words(&missing),
                a.name
            );
            if state.try_move(s, reason) {
                moved.insert(s.urn);
            }
        }
    }
    for a in by_id.values() {
        let mut theirs: Vec<&SchoolNeeds> = sorted
            .iter()
            .copied()
            .filter(|s| !moved.contains(&s.urn) && state.assigned.get(&s.urn) == Some(&a.id))
            .collect();
        theirs.sort_by(|x, y| y.days(per).total_cmp(&x.days(per)).then(x.urn.cmp(&y.urn)));
        for s in theirs {
            let load = state.committed.get(&a.id).copied().unwrap_or(0.0);
            if load <= a.capacity_days {
                break;
            }
            let reason = format!(
                "{} is overloaded: {load:.1} days committed against a capacity of {:.1}",
                a.name, a.capacity_days
            );
            if state.try_move(s, reason) {
                moved.insert(s.urn);
            }
        }
    }
    let loads = by_id
        .values()
        .map(|a| {
            let c = loads_before.get(&a.id).copied().unwrap_or(0.0);
            AdviserLoad {
                adviser_id: a.id.clone(),
                capacity_days: a.capacity_days,
                committed_days: c,
                schools: sorted
                    .iter()
                    .filter(|s| s.adviser_id == a.id)
                    .map(|s| s.urn)
                    .collect(),
                overloaded: c > a.capacity_days,
            }
        })
        .collect();
    CaseloadReport {
        loads,
        suggestions: state.suggestions,
        unassigned,
    }
}

struct MoveState<'a> {
    by_id: &'a BTreeMap<String, &'a Adviser>,
    per: &'a DaysPerVisit,
    committed: BTreeMap<String, f64>,
    assigned: BTreeMap<Urn, String>,
    suggestions: Vec<Suggestion>,
}

impl MoveState<'_> {
    fn try_move(&mut self, s: &SchoolNeeds, first_reason: String) -> bool {
        let days = s.days(self.per);
        let Some(current) = self.assigned.get(&s.urn).cloned() else {
            return false;
        };
        let best = self
            .by_id
            .values()
            .filter(|a| a.id != current && s.needs.is_subset(&a.expertise))
            .map(|a| {
                let after = self.committed.get(&a.id).copied().unwrap_or(0.0) + days;
                (*a, a.capacity_days - after)
            })
            .filter(|(_, spare)| *spare >= 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.id.cmp(&x.0.id)));
        let Some((to, spare)) = best else {
            return false;
        };
        *self.committed.entry(current.clone()).or_default() -= days;
        *self.committed.entry(to.id.clone()).or_default() += days;
        self.assigned.insert(s.urn, to.id.clone());
        self.suggestions.push(Suggestion {
            urn: s.urn,
            from: current,
            to: to.id.clone(),
            reasons: vec![
                first_reason,
                format!(
                    "{} has {}and {spare:.1} days spare after taking this school's {days:.1} days",
                    to.name,
                    if s.needs.is_empty() {
                        String::new()
                    } else {
                        format!("the expertise it needs ({}) ", words(&s.needs))
                    }
                ),
            ],
        });
        true
    }
}
