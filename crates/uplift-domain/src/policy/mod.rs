//! Policies and categorisation: every school placed, with its reasons, under
//! any organisation's rules (issue 4). Pure: no I/O, no database.
//!
//! # Using it
//!
//! ```text
//! let policy = Policy::preset("la-differentiated")?;        // or Policy::parse(file_name, &text)
//! let facts: Vec<SchoolFacts> = /* assembled by the store from the register */;
//! let placements = categorise_estate(&policy, &facts);     // one Placement per school
//! let assessment = EstateAssessment::new(&policy, placements, &last_year_categories);
//! let rows = assessment.csv_rows();                         // under EstateAssessment::CSV_HEADER
//! ```
//!
//! * [`Policy::parse`]`(name, text) -> Result<Policy, Vec<PolicyError>>`: loads
//!   a TOML policy; every problem comes back with its line and column. A
//!   loaded [`Policy`] is immutable; when loading fails the caller keeps the
//!   previous one in force.
//! * [`presets`] and [`Policy::preset`]: the four shipped policies,
//!   `la-differentiated`, `side-by-side`, `priority-schools` and `trust`.
//! * [`categorise`]`(&Policy, &SchoolFacts) -> Placement`: the category,
//!   the rules that fired with their evidence (never empty), near misses,
//!   flags, causing-concern triggers and proposals, entitlements and whether
//!   removal from the causing-concern list is blocked.
//! * [`derive_flags`]: the statutory flags alone; [`Flags::apply_override`]
//!   layers an officer's override with a recorded reason.
//! * [`catalogue`]: every fact name a rule may read, with its type.
//!
//! # The policy format
//!
//! ```toml
//! # Follows: <the document>
//! [policy]
//! name = "example"
//! title = "Example authority"
//! follows = "Example School Improvement Strategy 2026, part B"
//!
//! [defaults]
//! inspection_expected_after_months = 30   # "inspection.expected_soon"
//! new_head_months = 12                    # "head.is_new", flag new_headteacher
//!
//! [deadlines]                             # working days
//! warning_notice_compliance = 15
//!
//! [stuck]                                 # report-card equivalents for RISE "stuck"
//! latest_report_card = { any = ["report_card.leadership_and_governance >= needs_attention"] }
//! previous_report_card = { any = ["inspection.previous.report_card.leadership_and_governance >= needs_attention"] }
//!
//! [[category]]                            # least concerning first: the default
//! id = "secure"
//! label = "Secure"
//! rag = "green"
//! visits = { school_effectiveness = 2 }
//!
//! [[category]]
//! id = "concern"
//! label = "Causing concern"
//! rag = "red"
//! causing_concern = true
//! visits = { school_effectiveness = { count = 6, note = "at least half-termly" } }
//! funded_days = { consultant = 9 }
//! review = "half-termly"
//! [[category.rule]]
//! id = "ri-or-worse"
//! label = "Judged RI or worse"
//! any = [
//!   "inspection.latest.oeif.overall >= requires_improvement",
//!   "report_card.urgent_improvement_count >= 1",
//!   { all = ["report_card.leadership_and_governance >= needs_attention",
//!            "performance.ks2.rwm_expected.quartile >= 4 near 1"] },
//! ]
//!
//! [[trigger]]                             # proposals for the causing-concern list
//! id = "safety"
//! label = "Safety of pupils threatened"
//! any = ["intelligence.safety_threatened.count_12m >= 1", "report_card.safeguarding == not_met"]
//!
//! [removal]
//! [[removal.blocked_when]]
//! id = "still-ri"
//! label = "Judged RI or inadequate until a later inspection is good or better"
//! any = ["inspection.latest.oeif.overall >= requires_improvement"]
//!
//! [[adjustment]]                          # circumstances, applied in order
//! id = "sixth-form"
//! mode = "minimum"                        # or "add", "set"
//! all = ["school.is_maintained == true", "school.has_sixth_form == true"]
//! visits = { school_effectiveness = 3 }
//! ```
//!
//! Conditions are `"<fact> <op> <value> [near <margin>]"` (see
//! [`condition`](self::Condition)); `all`/`any` nest as inline tables.
//!
//! # Monotonicity
//!
//! Categories are tried from the most concerning down and the first whose
//! rule fires wins. The loader only accepts category rules written as "at
//! least this bad" over facts that get worse with grades and measures (`>=` on
//! grades, `<=` on attainment, `==` only on the worst value of a scale), and
//! refuses facts that are not monotone in grades (such as `flag.stuck`). Every
//! rule's set of schools is then closed under getting worse, so a school whose
//! grades or measures get worse never moves to a less concerning category.
//! Property tests check this over random schools for every preset.

mod condition;
mod engine;
mod estate;
mod facts;
mod flags;
mod format;

pub use condition::{Atom, Condition, Evidence, Op, Tri};
pub use engine::{
    categorise, categorise_estate, entitlements_in, Entitlements, Placement, Proposal,
    ProposalAction, RemovalCheck, RuleKind, RuleOutcome,
};
pub use estate::{CategoryCount, Direction, EstateAssessment, Movement};
pub use facts::{
    catalogue, concern_rank, describe_fact, grade_rank, inspection_date, lowest_key_judgement,
    months_between, report_card_rank, unmet_after_compliance, FactInfo, FactType, FactValue,
    InspectionFact, IntelligenceItem, MeasureDef, MeasureFact, Provenance, SchoolFacts,
    WarningNoticeFact, WarningNoticeSection, Worse, INTELLIGENCE_KINDS, MEASURES,
    REPORT_CARD_AREAS,
};
pub use flags::{derive_flags, FlagBasis, FlagKind, FlagValue, Flags, Override};
pub use format::{
    line_col, AdjustMode, Adjustment, Category, Defaults, Entitlement, Policy, PolicyError,
    PolicyErrorKind, Rag, Rule, StuckConfig, VisitAllowance,
};

const PRESETS: &[(&str, &str)] = &[
    (
        "la-differentiated",
        include_str!("../../policies/la-differentiated.toml"),
    ),
    (
        "side-by-side",
        include_str!("../../policies/side-by-side.toml"),
    ),
    (
        "priority-schools",
        include_str!("../../policies/priority-schools.toml"),
    ),
    ("trust", include_str!("../../policies/trust.toml")),
];

/// The presets shipped with Uplift, as `(name, TOML text)`.
pub fn presets() -> &'static [(&'static str, &'static str)] {
    PRESETS
}

impl Policy {
    /// Loads a preset by name (`la-differentiated`, `side-by-side`,
    /// `priority-schools`, `trust`).
    pub fn preset(name: &str) -> Result<Policy, Vec<PolicyError>> {
        match PRESETS.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Policy::parse(n, text),
            None => Err(vec![PolicyError {
                file: name.to_owned(),
                line: 1,
                column: 1,
                kind: PolicyErrorKind::Invalid,
                message: format!(
                    "no preset '{name}' (presets: {})",
                    PRESETS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }]),
        }
    }
}
