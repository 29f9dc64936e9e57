//! The categorisation engine: deterministic, explains itself, proposes.

use super::condition::{Evidence, Tri};
use super::facts::{SchoolFacts, View};
use super::flags::{self, Flags};
use super::format::{AdjustMode, Category, Entitlement, Policy, Rag, Rule, VisitAllowance};
use crate::calendar::AcademicYear;
use crate::register::{Date, Urn};
use serde::{Deserialize, Serialize};

/// What kind of rule an outcome is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A rule placing a school in a category.
    Category,
    /// The default: no rule of a more concerning category fired.
    Default,
    /// A causing-concern trigger.
    Trigger,
    /// A rule blocking removal from the causing-concern list.
    Removal,
}

/// One rule's outcome, with the evidence it read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// Rule id (`default` for the default category).
    pub rule: String,
    /// Kind.
    pub kind: RuleKind,
    /// The category the rule places a school in (category rules and the default).
    pub category: Option<String>,
    /// The rule's label.
    pub label: String,
    /// The passage of the source document it follows.
    pub source: Option<String>,
    /// Fired (`met`) or nearly fired (`near`).
    pub outcome: Tri,
    /// One sentence: what fired and why.
    pub summary: String,
    /// Everything the rule read.
    pub evidence: Vec<Evidence>,
}

/// What the engine proposes; people decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalAction {
    /// Add the school to the causing-concern list.
    AddToCausingConcernList,
    /// Remove the school from the causing-concern list.
    RemoveFromCausingConcernList,
}

/// A proposal with its grounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// What to do.
    pub action: ProposalAction,
    /// The trigger (or category) it comes from.
    pub grounds: String,
    /// Why, in words.
    pub reason: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

/// Whether the school could be removed from the causing-concern list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovalCheck {
    /// False when a removal rule blocks removal.
    pub allowed: bool,
    /// The blocking rules that fired.
    pub blocked_by: Vec<RuleOutcome>,
}

/// What the school is entitled to this academic year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entitlements {
    /// The academic year containing `as_of`.
    pub academic_year: AcademicYear,
    /// Visits by type.
    pub visits: std::collections::BTreeMap<String, VisitAllowance>,
    /// Funded support days by type.
    pub funded_days: std::collections::BTreeMap<String, f64>,
    /// Review cadence.
    pub review: Option<String>,
    /// Other entitlements.
    pub notes: Vec<String>,
    /// The adjustments applied (ids), in order.
    pub adjustments: Vec<String>,
}

/// Where a school is placed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// URN.
    pub urn: Urn,
    /// School name.
    pub name: String,
    /// The policy's name.
    pub policy: String,
    /// The date the facts describe.
    pub as_of: Date,
    /// Category id.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// RAG colour.
    pub rag: Rag,
    /// Whether the category means causing concern.
    pub causing_concern: bool,
    /// Every rule of the category that fired, with its evidence (or the default). Never empty.
    pub rationale: Vec<RuleOutcome>,
    /// Rules of more concerning categories, and triggers, that nearly fired.
    pub near_misses: Vec<RuleOutcome>,
    /// Derived statutory flags.
    pub flags: Flags,
    /// Causing-concern triggers that fired.
    pub triggers: Vec<RuleOutcome>,
    /// Proposals for the causing-concern list.
    pub proposals: Vec<Proposal>,
    /// Entitlements.
    pub entitlements: Entitlements,
    /// Removal from the causing-concern list.
    pub removal: RemovalCheck,
}

fn summarise(rule: &Rule, evidence: &[Evidence], outcome: Tri) -> String {
    let parts: Vec<String> = evidence
        .iter()
        .filter(|e| e.outcome == outcome)
        .map(evidence_words)
        .collect();
    let verb = if outcome == Tri::Met { "" } else { " (nearly)" };
    format!("{}{verb}: {}", rule.label, parts.join("; "))
}

/// One comparison in words: what the fact is, the school's value, what the
/// rule looks for, and the date and source of the evidence.
fn evidence_words(e: &Evidence) -> String {
    let what = super::facts::describe_fact(&e.fact);
    let yes_no = |v: &str| match v {
        "true" => Some("yes"),
        "false" => Some("no"),
        _ => None,
    };
    // Enumerated values are written in snake case in policies and facts
    // ("special_measures", "3 (requires_improvement)"): print them as words.
    let plain = |v: &str| {
        let chars: Vec<char> = v.chars().collect();
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let letter = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(|c| c.is_ascii_lowercase())
                };
                if c == '_' && letter(i.checked_sub(1)) && letter(Some(i + 1)) {
                    ' '
                } else {
                    c
                }
            })
            .collect::<String>()
    };
    let mut s = match e.value.as_deref().map(plain) {
        None => format!("{what}: not known"),
        Some(v) => match (yes_no(&v), yes_no(&e.threshold)) {
            (Some(v), Some(_)) => format!("{what}: {v}"),
            _ => {
                let cmp = match e.comparator.as_str() {
                    ">=" => "at least",
                    ">" => "more than",
                    "<=" => "at most",
                    "<" => "less than",
                    "==" => "exactly",
                    "!=" => "anything but",
                    other => other,
                };
                format!("{what} is {v} (the rule: {cmp} {})", plain(&e.threshold))
            }
        },
    };
    match (e.date, &e.source) {
        (Some(d), Some(src)) => s.push_str(&format!(", {d}, {src}")),
        (Some(d), None) => s.push_str(&format!(", {d}")),
        (None, Some(src)) => s.push_str(&format!(", {src}")),
        (None, None) => {}
    }
    s
}

/// The outcome of a rule that fired or nearly fired; `None` when it did not
/// (those are never shown, so no summary is built for them).
fn outcome(
    rule: &Rule,
    kind: RuleKind,
    category: Option<&str>,
    view: &View<'_>,
) -> Option<RuleOutcome> {
    let mut evidence = Vec::new();
    let tri = rule.condition.eval(view, &mut evidence);
    if tri == Tri::NotMet {
        return None;
    }
    Some(RuleOutcome {
        rule: rule.id.clone(),
        kind,
        category: category.map(str::to_owned),
        label: rule.label.clone(),
        source: rule.source.clone(),
        outcome: tri,
        summary: summarise(rule, &evidence, tri),
        evidence,
    })
}

fn apply(target: &mut Entitlements, e: &Entitlement, mode: AdjustMode) {
    match mode {
        AdjustMode::Set => {
            target.visits = e.visits.clone();
            target.funded_days = e.funded_days.clone();
        }
        AdjustMode::Minimum | AdjustMode::Add => {
            for (k, v) in &e.visits {
                let slot = target.visits.entry(k.clone()).or_insert(VisitAllowance {
                    count: None,
                    note: None,
                });
                slot.count = match (slot.count, v.count, mode) {
                    (Some(a), Some(b), AdjustMode::Add) => Some(a.saturating_add(b)),
                    (Some(a), Some(b), _) => Some(a.max(b)),
                    (a, b, _) => a.or(b),
                };
                if v.note.is_some() {
                    slot.note = v.note.clone();
                }
            }
            for (k, v) in &e.funded_days {
                let slot = target.funded_days.entry(k.clone()).or_insert(0.0);
                *slot = if mode == AdjustMode::Add {
                    *slot + v
                } else {
                    slot.max(*v)
                };
            }
        }
    }
    if e.review.is_some() {
        target.review = e.review.clone();
    }
    target.notes.extend(e.notes.iter().cloned());
}

/// Places one school under a policy. Deterministic: the same policy and facts
/// give the same placement.
///
/// Categories are tried from the most concerning to the least, and the first
/// whose rule fires is the school's category; when none fires, the first
/// (least concerning) category applies and the rationale says so.
pub fn categorise(policy: &Policy, facts: &SchoolFacts) -> Placement {
    let mut view = View::new(
        facts,
        policy.defaults.inspection_expected_after_months,
        policy.defaults.new_head_months,
    );
    let flags = flags::derive(policy, &view);
    view.flags = Some(flags.clone());

    let mut chosen: Option<(usize, Vec<RuleOutcome>)> = None;
    let mut near_misses = Vec::new();
    for (idx, cat) in policy.categories.iter().enumerate().rev() {
        let (fired, near): (Vec<RuleOutcome>, Vec<RuleOutcome>) = cat
            .rules
            .iter()
            .filter_map(|r| outcome(r, RuleKind::Category, Some(&cat.id), &view))
            .partition(|o| o.outcome == Tri::Met);
        if !fired.is_empty() {
            chosen = Some((idx, fired));
            break;
        }
        near_misses.extend(near);
    }
    let (idx, rationale) = match chosen {
        Some(c) => c,
        None => {
            let cat = &policy.categories[0];
            let more: Vec<&str> = policy.categories[1..]
                .iter()
                .map(|c| c.label.as_str())
                .collect();
            (
                0,
                vec![RuleOutcome {
                    rule: "default".into(),
                    kind: RuleKind::Default,
                    category: Some(cat.id.clone()),
                    label: cat.label.clone(),
                    source: None,
                    outcome: Tri::Met,
                    summary: if more.is_empty() {
                        format!("'{}' is the policy's only category", cat.label)
                    } else {
                        format!(
                            "no rule of a more concerning category ({}) fired, so the school is in '{}', the policy's least concerning (default) category",
                            more.join(", "),
                            cat.label
                        )
                    },
                    evidence: vec![],
                }],
            )
        }
    };
    let cat = &policy.categories[idx];

    // Triggers.
    let mut triggers = Vec::new();
    for t in &policy.triggers {
        match outcome(t, RuleKind::Trigger, None, &view) {
            Some(o) if o.outcome == Tri::Met => triggers.push(o),
            Some(o) => near_misses.push(o),
            None => {}
        }
    }

    // Removal.
    let blocked_by: Vec<RuleOutcome> = policy
        .removal_blocked_when
        .iter()
        .filter_map(|r| outcome(r, RuleKind::Removal, None, &view))
        .filter(|o| o.outcome == Tri::Met)
        .collect();
    let removal = RemovalCheck {
        allowed: blocked_by.is_empty(),
        blocked_by,
    };

    // Proposals.
    let mut proposals = Vec::new();
    if !facts.on_causing_concern_list {
        for t in &triggers {
            proposals.push(Proposal {
                action: ProposalAction::AddToCausingConcernList,
                grounds: t.rule.clone(),
                reason: t.summary.clone(),
                evidence: t
                    .evidence
                    .iter()
                    .filter(|e| e.outcome == Tri::Met)
                    .cloned()
                    .collect(),
            });
        }
        if cat.causing_concern && triggers.is_empty() {
            proposals.push(Proposal {
                action: ProposalAction::AddToCausingConcernList,
                grounds: cat.id.clone(),
                reason: format!(
                    "category '{}' means causing concern under this policy",
                    cat.label
                ),
                evidence: rationale
                    .iter()
                    .flat_map(|r| r.evidence.iter().filter(|e| e.outcome == Tri::Met).cloned())
                    .collect(),
            });
        }
    } else if triggers.is_empty() && !cat.causing_concern && removal.allowed {
        proposals.push(Proposal {
            action: ProposalAction::RemoveFromCausingConcernList,
            grounds: cat.id.clone(),
            reason: format!(
                "no causing-concern trigger fired, the school is in '{}', and no removal rule blocks removal: a decision with rationale may remove it",
                cat.label
            ),
            evidence: vec![],
        });
    }

    let entitlements = entitlements_of(policy, cat, facts, &view);

    Placement {
        urn: facts.urn,
        name: facts.name.clone(),
        policy: policy.name.clone(),
        as_of: facts.as_of,
        category: cat.id.clone(),
        category_label: cat.label.clone(),
        rag: cat.rag,
        causing_concern: cat.causing_concern,
        rationale,
        near_misses,
        flags,
        triggers,
        proposals,
        entitlements,
        removal,
    }
}

/// A category's entitlements for a school: the category's own, then every
/// adjustment of the policy that applies to the category and the school.
fn entitlements_of(
    policy: &Policy,
    cat: &Category,
    facts: &SchoolFacts,
    view: &View,
) -> Entitlements {
    let mut entitlements = Entitlements {
        academic_year: AcademicYear::containing(facts.as_of),
        visits: Default::default(),
        funded_days: Default::default(),
        review: None,
        notes: Vec::new(),
        adjustments: Vec::new(),
    };
    apply(&mut entitlements, &cat.entitlement, AdjustMode::Set);
    for adj in &policy.adjustments {
        if !adj.categories.is_empty() && !adj.categories.contains(&cat.id) {
            continue;
        }
        let applies = adj
            .condition
            .as_ref()
            .is_none_or(|c| c.eval(view, &mut Vec::new()) == Tri::Met);
        if applies {
            apply(&mut entitlements, &adj.entitlement, adj.mode);
            entitlements.adjustments.push(adj.id.clone());
        }
    }
    entitlements
}

/// The entitlements a school has in `category` (a category people decided,
/// which may differ from the one the rules place it in), with the policy's
/// adjustments that apply to it; `None` for a category the policy lacks.
pub fn entitlements_in(
    policy: &Policy,
    facts: &SchoolFacts,
    category: &str,
) -> Option<Entitlements> {
    let cat = policy.category(category)?;
    let mut view = View::new(
        facts,
        policy.defaults.inspection_expected_after_months,
        policy.defaults.new_head_months,
    );
    view.flags = Some(flags::derive(policy, &view));
    Some(entitlements_of(policy, cat, facts, &view))
}

/// Places every school, in the order given.
///
/// Schools are independent, so a large estate is shared across the machine's
/// cores; the result is in the order of `schools` whatever the thread count.
pub fn categorise_estate(policy: &Policy, schools: &[SchoolFacts]) -> Vec<Placement> {
    const PER_THREAD_MIN: usize = 512;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(schools.len() / PER_THREAD_MIN).max(1);
    if threads == 1 {
        return schools.iter().map(|s| categorise(policy, s)).collect();
    }
    let chunk = schools.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = schools
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|s| categorise(policy, s))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
