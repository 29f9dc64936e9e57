//! Entitlements (rule 1): what visits a school is entitled to in an academic
//! year, and a plan that spreads them over the half terms.
//!
//! The policy engine already turns a school's category and the policy's
//! `[[adjustment]]`s into [`Entitlements`](crate::policy::Entitlements) (the
//! `la-differentiated` preset writes the Barnet circumstances as adjustments).
//! [`entitlement_for`] starts from that, then applies the circumstance rules
//! of [`VisitRules`] as *at least* rules, so a rule the policy already
//! satisfies changes nothing and is reported as "already met". Every count
//! carries the reasons that produced it.

use super::VisitType;
use crate::calendar::{AcademicYear, HalfTerm, TermDates, WorkingDayCalendar};
use crate::policy::{Placement, Policy, SchoolFacts};
use crate::register::{Governance, SixthForm, Urn};
use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seed 003 (Barnet strategy, Part B a): the visits table and the sentence
/// on secondary schools and PRUs.
pub const SEED_BARNET_VISITS: &str = "seed 003 (Barnet), Part B a: \"Secondary Maintained schools will receive three visits (if they have a 6th Form) ... PRUs receive two visits.\"";
/// Seed 003, Part B b.
pub const SEED_BARNET_ACADEMIES: &str = "seed 003 (Barnet), Part B b: \"For Academies, the authority will offer at least one keeping in touch visit a year\"";
/// Seed 003, the additional-visits list.
pub const SEED_BARNET_ADDITIONAL: &str =
    "seed 003 (Barnet), Part B a: \"Schools in the following circumstances may receive additional visits\"";
/// Seed 003, safeguarding.
pub const SEED_BARNET_SAFEGUARDING: &str = "seed 003 (Barnet), Part B a: \"Additional visits will be conducted where safeguarding concerns have been identified.\"";
/// Seed 001, New to Headship.
pub const SEED_NEW_TO_HEADSHIP: &str = "seed 001 (Buckinghamshire Side by Side): \"a New to Headship Headline Visit will also be offered ... a 'new to post Headteacher' ... a 'new to Buckinghamshire Headteacher'\"";

/// A circumstance that earns additional visits (seed 003's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdditionalVisitKind {
    /// "Schools recruiting new headteacher or deputy headteacher".
    RecruitingHeadOrDeputy,
    /// "New or Acting/Interim Headteacher" (acting or interim).
    ActingOrInterimHead,
    /// "New school to the LA".
    NewToAuthority,
    /// "Schools with governance or leadership issues".
    GovernanceOrLeadership,
    /// "Schools expecting an Ofsted".
    InspectionExpected,
    /// "Schools who have experienced a Critical Incident".
    CriticalIncident,
    /// "Schools who are considering a change in organisational structure e.g. federation, MAT etc".
    ChangeOfStructure,
    /// "Additional visits will be conducted where safeguarding concerns have been identified."
    Safeguarding,
}

impl AdditionalVisitKind {
    /// All of them, in the seed's order.
    pub const ALL: [AdditionalVisitKind; 8] = [
        AdditionalVisitKind::RecruitingHeadOrDeputy,
        AdditionalVisitKind::ActingOrInterimHead,
        AdditionalVisitKind::NewToAuthority,
        AdditionalVisitKind::GovernanceOrLeadership,
        AdditionalVisitKind::InspectionExpected,
        AdditionalVisitKind::CriticalIncident,
        AdditionalVisitKind::ChangeOfStructure,
        AdditionalVisitKind::Safeguarding,
    ];

    /// The intelligence kinds (see [`crate::policy::INTELLIGENCE_KINDS`]) that show it.
    pub fn intelligence_kinds(self) -> &'static [&'static str] {
        match self {
            AdditionalVisitKind::RecruitingHeadOrDeputy => &["headteacher_recruitment"],
            AdditionalVisitKind::ActingOrInterimHead => &["interim_headteacher"],
            AdditionalVisitKind::NewToAuthority => &["new_to_la"],
            AdditionalVisitKind::GovernanceOrLeadership => &[
                "governance",
                "leadership_ri_or_worse",
                "serious_breakdown_management",
            ],
            AdditionalVisitKind::InspectionExpected => &["expecting_inspection"],
            AdditionalVisitKind::CriticalIncident => &["critical_incident"],
            AdditionalVisitKind::ChangeOfStructure => &["planned_restructure"],
            AdditionalVisitKind::Safeguarding => &["safeguarding", "safety_threatened"],
        }
    }

    /// The seed's words.
    pub fn label(self) -> &'static str {
        match self {
            AdditionalVisitKind::RecruitingHeadOrDeputy => {
                "recruiting a new headteacher or deputy headteacher"
            }
            AdditionalVisitKind::ActingOrInterimHead => "acting or interim headteacher",
            AdditionalVisitKind::NewToAuthority => "new school to the authority",
            AdditionalVisitKind::GovernanceOrLeadership => "governance or leadership issues",
            AdditionalVisitKind::InspectionExpected => "expecting an Ofsted inspection",
            AdditionalVisitKind::CriticalIncident => "experienced a critical incident",
            AdditionalVisitKind::ChangeOfStructure => {
                "considering a change in organisational structure (federation, MAT)"
            }
            AdditionalVisitKind::Safeguarding => "safeguarding concerns identified",
        }
    }
}

/// When a circumstance rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Circumstance {
    /// A maintained secondary (or all-through) school with a sixth form.
    SecondaryMaintainedWithSixthForm,
    /// A pupil referral unit.
    Pru,
    /// An academy (or free school).
    Academy,
    /// A headteacher in the first year in post: started within the academic
    /// year, or new to the authority's area (intelligence `head_new_to_area`).
    NewHeadteacherFirstYear,
    /// Intelligence of one of these kinds in the 12 months to the facts' date.
    Intelligence(AdditionalVisitKind),
}

/// A circumstance rule: schools in the circumstance get at least `count`
/// visits of `visit_type`. Rules with `cumulative` set add up with the other
/// cumulative rules for the same type (one additional visit per circumstance)
/// before the "at least" comparison with the policy's count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircumstanceRule {
    /// Id, e.g. `sixth-form`.
    pub id: String,
    /// When it applies.
    pub circumstance: Circumstance,
    /// Which visits.
    pub visit_type: VisitType,
    /// How many, at least.
    pub count: u32,
    /// Whether it adds up with the other cumulative rules of its type.
    pub cumulative: bool,
    /// The seed it follows.
    pub source: String,
}

/// The circumstance rules an organisation uses on top of its policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRules {
    /// Applied in order.
    pub rules: Vec<CircumstanceRule>,
}

impl VisitRules {
    /// No rules: the policy's entitlement alone.
    pub fn policy_only() -> VisitRules {
        VisitRules { rules: Vec::new() }
    }

    /// The rules of issue 5: seed 003's visits table, academies and
    /// additional visits, and seed 001's New to Headship visit.
    pub fn issue_5() -> VisitRules {
        let mut rules = vec![
            CircumstanceRule {
                id: "secondary-sixth-form".into(),
                circumstance: Circumstance::SecondaryMaintainedWithSixthForm,
                visit_type: VisitType::SchoolEffectiveness,
                count: 3,
                cumulative: false,
                source: SEED_BARNET_VISITS.into(),
            },
            CircumstanceRule {
                id: "pru".into(),
                circumstance: Circumstance::Pru,
                visit_type: VisitType::SchoolEffectiveness,
                count: 2,
                cumulative: false,
                source: SEED_BARNET_VISITS.into(),
            },
            CircumstanceRule {
                id: "academy".into(),
                circumstance: Circumstance::Academy,
                visit_type: VisitType::KeepingInTouch,
                count: 1,
                cumulative: false,
                source: SEED_BARNET_ACADEMIES.into(),
            },
            CircumstanceRule {
                id: "new-to-headship".into(),
                circumstance: Circumstance::NewHeadteacherFirstYear,
                visit_type: VisitType::NewToHeadship,
                count: 1,
                cumulative: false,
                source: SEED_NEW_TO_HEADSHIP.into(),
            },
        ];
        for kind in AdditionalVisitKind::ALL {
            let (visit_type, source) = if kind == AdditionalVisitKind::Safeguarding {
                (VisitType::Safeguarding, SEED_BARNET_SAFEGUARDING)
            } else {
                (VisitType::Additional, SEED_BARNET_ADDITIONAL)
            };
            rules.push(CircumstanceRule {
                id: format!(
                    "additional-{}",
                    serde_json::to_value(kind)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
                        .unwrap_or_default()
                ),
                circumstance: Circumstance::Intelligence(kind),
                visit_type,
                count: 1,
                cumulative: true,
                source: source.into(),
            });
        }
        VisitRules { rules }
    }
}

impl Default for VisitRules {
    fn default() -> Self {
        VisitRules::issue_5()
    }
}

/// Why a count is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule: `policy:<category>`, `adjustment:<id>` or a circumstance rule id.
    pub rule: String,
    /// What it did, in words.
    pub text: String,
    /// The policy or seed it follows.
    pub source: String,
}

/// Visits of one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitEntitlement {
    /// The type.
    pub visit_type: VisitType,
    /// How many in the academic year.
    pub count: u32,
    /// The policy's own wording, when it has one ("at least half-termly").
    pub note: Option<String>,
    /// Every reason, policy first.
    pub reasons: Vec<Reason>,
}

/// A school's entitlement for an academic year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolEntitlement {
    /// URN.
    pub urn: Urn,
    /// School name.
    pub name: String,
    /// The academic year.
    pub academic_year: AcademicYear,
    /// Policy name.
    pub policy: String,
    /// Category id.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Visits by type (types with a zero count are left out).
    pub visits: Vec<VisitEntitlement>,
    /// Funded days, straight from the policy.
    pub funded_days: BTreeMap<String, f64>,
    /// Other entitlements in words, from the policy.
    pub notes: Vec<String>,
}

impl SchoolEntitlement {
    /// The count for one type (0 when none).
    pub fn count(&self, visit_type: &VisitType) -> u32 {
        self.visits
            .iter()
            .find(|v| &v.visit_type == visit_type)
            .map_or(0, |v| v.count)
    }

    /// All visits in the year.
    pub fn total(&self) -> u32 {
        self.visits.iter().map(|v| v.count).sum()
    }
}

fn is_secondary(facts: &SchoolFacts) -> bool {
    facts.phase.as_deref().is_some_and(|p| {
        let p = p.to_ascii_lowercase();
        p.contains("secondary") || p.contains("all-through") || p.contains("all through")
    })
}

/// Whether a circumstance holds, and the evidence in words.
fn holds(c: Circumstance, facts: &SchoolFacts, year: AcademicYear) -> Option<String> {
    let window_start = facts.as_of.saturating_sub(12.months());
    let recent = |kinds: &[&str]| -> Vec<String> {
        facts
            .intelligence
            .iter()
            .filter(|i| {
                kinds.contains(&i.kind.as_str()) && i.date > window_start && i.date <= facts.as_of
            })
            .map(|i| match &i.summary {
                Some(s) => format!("{} on {} ({s})", i.kind, i.date),
                None => format!("{} on {}", i.kind, i.date),
            })
            .collect()
    };
    match c {
        Circumstance::SecondaryMaintainedWithSixthForm => (facts.governance
            == Governance::Maintained
            && is_secondary(facts)
            && facts.sixth_form == SixthForm::Yes)
            .then(|| {
                format!(
                    "maintained, phase {}, has a sixth form",
                    facts.phase.as_deref().unwrap_or("secondary")
                )
            }),
        Circumstance::Pru => facts.is_pru.then(|| "a pupil referral unit".to_owned()),
        Circumstance::Academy => {
            (facts.governance == Governance::Academy).then(|| "an academy".to_owned())
        }
        Circumstance::NewHeadteacherFirstYear => {
            let mut why = Vec::new();
            if let Some((start, _)) = &facts.head_start_date {
                if year.contains(*start) {
                    why.push(format!(
                        "headteacher started on {start}, within {year}: first year in post"
                    ));
                }
            }
            why.extend(
                recent(&["head_new_to_area"])
                    .into_iter()
                    .map(|e| format!("headteacher new to the area: {e}")),
            );
            (!why.is_empty()).then(|| why.join("; "))
        }
        Circumstance::Intelligence(kind) => {
            let mut why = recent(kind.intelligence_kinds());
            if kind == AdditionalVisitKind::InspectionExpected {
                if let Some((true, p)) = &facts.inspection_expected {
                    why.push(format!("inspection expected (recorded by {})", p.source));
                }
            }
            (!why.is_empty()).then(|| format!("{}: {}", kind.label(), why.join("; ")))
        }
    }
}

/// The entitlement of one school for the academic year of its placement.
///
/// `placement` must come from [`crate::policy::categorise`]`(policy, facts)`.
/// The policy's visits (category, then its adjustments) are the starting
/// point; each rule of `rules` whose circumstance holds raises its visit type
/// to at least its count (cumulative rules first add up). Each step is a
/// [`Reason`].
pub fn entitlement_for(
    policy: &Policy,
    placement: &Placement,
    facts: &SchoolFacts,
    rules: &VisitRules,
) -> SchoolEntitlement {
    let year = placement.entitlements.academic_year;
    let mut out: BTreeMap<VisitType, VisitEntitlement> = BTreeMap::new();
    let adjustment_labels: Vec<String> = placement
        .entitlements
        .adjustments
        .iter()
        .map(|id| {
            let label = policy
                .adjustments
                .iter()
                .find(|a| &a.id == id)
                .map(|a| a.label.as_str())
                .unwrap_or("");
            format!("{id} ({label})")
        })
        .collect();
    for (key, allowance) in &placement.entitlements.visits {
        let visit_type = VisitType::from_key(key);
        let count = allowance.count.unwrap_or(0);
        let mut text = format!(
            "category {} under policy '{}'",
            placement.category_label, policy.name
        );
        if !adjustment_labels.is_empty() {
            text.push_str(&format!(
                ", with adjustments {}",
                adjustment_labels.join(", ")
            ));
        }
        match allowance.count {
            Some(n) => text.push_str(&format!(": {n}")),
            None => text.push_str(": no number given"),
        }
        if let Some(note) = &allowance.note {
            text.push_str(&format!(" (\"{note}\")"));
        }
        out.insert(
            visit_type.clone(),
            VisitEntitlement {
                visit_type,
                count,
                note: allowance.note.clone(),
                reasons: vec![Reason {
                    rule: format!("policy:{}", placement.category),
                    text,
                    source: format!("policy '{}', following {}", policy.name, policy.follows),
                }],
            },
        );
    }

    // Circumstance rules, grouped by visit type.
    let mut required: BTreeMap<VisitType, (u32, u32, Vec<Reason>)> = BTreeMap::new();
    for rule in &rules.rules {
        let Some(evidence) = holds(rule.circumstance, facts, year) else {
            continue;
        };
        let slot = required
            .entry(rule.visit_type.clone())
            .or_insert((0, 0, Vec::new()));
        if rule.cumulative {
            slot.1 = slot.1.saturating_add(rule.count);
        } else {
            slot.0 = slot.0.max(rule.count);
        }
        slot.2.push(Reason {
            rule: rule.id.clone(),
            text: format!(
                "{evidence}: at least {} {}{}",
                rule.count,
                rule.visit_type.label(),
                if rule.cumulative {
                    " (one for each circumstance)"
                } else {
                    ""
                }
            ),
            source: rule.source.clone(),
        });
    }
    for (visit_type, (at_least, cumulative, mut reasons)) in required {
        let need = at_least.max(cumulative);
        let entry = out
            .entry(visit_type.clone())
            .or_insert_with(|| VisitEntitlement {
                visit_type: visit_type.clone(),
                count: 0,
                note: None,
                reasons: Vec::new(),
            });
        if entry.count >= need {
            if let Some(last) = reasons.last_mut() {
                last.text
                    .push_str(&format!("; already met by the policy's {}", entry.count));
            }
        } else {
            if let Some(last) = reasons.last_mut() {
                last.text
                    .push_str(&format!("; raised from {} to {need}", entry.count));
            }
            entry.count = need;
        }
        entry.reasons.extend(reasons);
    }

    SchoolEntitlement {
        urn: placement.urn,
        name: placement.name.clone(),
        academic_year: year,
        policy: policy.name.clone(),
        category: placement.category.clone(),
        category_label: placement.category_label.clone(),
        visits: out.into_values().filter(|v| v.count > 0).collect(),
        funded_days: placement.entitlements.funded_days.clone(),
        notes: placement.entitlements.notes.clone(),
    }
}

/// One visit in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSlot {
    /// The type.
    pub visit_type: VisitType,
    /// Which of the type (1-based) this is.
    pub ordinal: u32,
    /// The half term.
    pub half_term: HalfTerm,
    /// The proposed date: a term-time working day.
    pub date: Date,
    /// Due by: the last day of the half term.
    pub due_by: Date,
    /// Why this date.
    pub reason: String,
}

fn working_days(
    terms: &TermDates,
    cal: &impl WorkingDayCalendar,
    ht: HalfTerm,
    from: Date,
) -> Vec<Date> {
    let range = terms.half_term(ht);
    let mut out = Vec::new();
    let mut d = range.start();
    while d <= range.end() {
        if d >= from && terms.is_term_time(d) && cal.is_working_day(d) {
            out.push(d);
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// Spreads the entitlement over the half terms of the year that still have
/// term-time working days on or after `from` (never in a holiday, at a
/// weekend or on a bank holiday).
///
/// The `k`-th of `n` visits of a type goes to half term
/// `floor((k + ½) × H / n)` of the `H` available, so two visits land in
/// different terms and six in each half term; New to Headship visits go to
/// the first available half term (seed 001: "enhanced support during a
/// Headteacher's first year in post"). Within a half term the visits are
/// spaced evenly over its working days.
pub fn plan_visits(
    entitlement: &SchoolEntitlement,
    terms: &TermDates,
    calendar: &impl WorkingDayCalendar,
    from: Date,
) -> Vec<PlannedSlot> {
    let available: Vec<(HalfTerm, Vec<Date>)> = terms
        .half_terms()
        .into_iter()
        .map(|(ht, _)| (ht, working_days(terms, calendar, ht, from)))
        .filter(|(_, days)| !days.is_empty())
        .collect();
    if available.is_empty() {
        return Vec::new();
    }
    let h = available.len() as u64;
    let mut by_half: Vec<Vec<(VisitType, u32, String)>> = vec![Vec::new(); available.len()];
    for v in &entitlement.visits {
        let n = u64::from(v.count);
        for k in 0..n {
            let (idx, why) = if v.visit_type == VisitType::NewToHeadship {
                (0, "first available half term: support early in the headteacher's first year (seed 001)".to_owned())
            } else {
                let idx = ((2 * k + 1) * h / (2 * n)).min(h - 1) as usize;
                (
                    idx,
                    format!(
                        "visit {} of {n}, spread evenly over the {h} half terms left in {}",
                        k + 1,
                        entitlement.academic_year
                    ),
                )
            };
            by_half[idx].push((v.visit_type.clone(), (k + 1) as u32, why));
        }
    }
    let mut out = Vec::new();
    for ((ht, days), visits) in available.iter().zip(by_half) {
        let m = visits.len();
        for (j, (visit_type, ordinal, why)) in visits.into_iter().enumerate() {
            let pos = ((2 * j + 1) * days.len() / (2 * m)).min(days.len() - 1);
            out.push(PlannedSlot {
                visit_type,
                ordinal,
                half_term: *ht,
                date: days[pos],
                due_by: terms.half_term(*ht).end(),
                reason: format!("{why}; in {ht}, a term-time working day"),
            });
        }
    }
    out.sort_by(|a, b| (a.date, &a.visit_type, a.ordinal).cmp(&(b.date, &b.visit_type, b.ordinal)));
    out
}
