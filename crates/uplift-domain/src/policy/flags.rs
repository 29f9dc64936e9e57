//! Derived statutory flags, each with its reason, its legal source and the
//! evidence it read, and room for an officer's override with a recorded reason.
//!
//! | flag | true when | source |
//! | --- | --- | --- |
//! | `special_measures` | the latest inspection records special measures; or, for a report card, urgent improvement in leadership and governance together with urgent improvement in another area or safeguarding not met | Education Act 2005 s44(1); 2006 Act s62; DESIGN.md §8 |
//! | `requires_significant_improvement` | the latest inspection records serious weaknesses or requires significant improvement (or an inadequate overall grade with no category recorded); or, for a report card, urgent improvement in any area other than leadership and governance, or safeguarding not met, or leadership and governance alone at urgent improvement — and not special measures | Education Act 2005 s44(2); 2006 Act s61; DESIGN.md §8 |
//! | `category_of_concern` | either of the two above | as above |
//! | `coasting` | the latest report card grades leadership and governance "needs attention" and the previous inspection was below good (graded: overall RI or inadequate, or with no overall grade a key judgement RI or worse; report card: leadership and governance below expected standard) | 2006 Act s60B, definition in force from 17 November 2025 (Uplift's reading, see [`FlagKind::Coasting`]) |
//! | `eligible_for_intervention` | maintained school and any of: an s60/s60A warning notice not complied with after its compliance period and a written notice of proposed powers; coasting; requires significant improvement; special measures | 2006 Act s59 |
//! | `stuck` | requires improvement at the latest inspection and below good at the one before (report cards: the policy's `[stuck]` equivalents) | DfE RISE targeting; DESIGN.md §8 |
//! | `new_headteacher` | headteacher in the first `new_head_months` (default 12) months in post | the policy |
//!
//! For a report card, the more serious of the recorded category and the
//! area pattern applies (a discrepancy is stated in the reason), so a worse
//! report card never lowers a flag.
//!
//! "Latest" and "previous" are the two newest judgement-bearing inspections
//! (graded or report card); ungraded inspections confirm the previous
//! judgement and do not displace it.

use super::condition::{Evidence, Tri};
use super::facts::{
    concern_name, grade_name, lowest_key_judgement, months_between, report_card_grade_name,
    unmet_after_compliance, Provenance, Slot, View, Worse,
};
use super::Policy;
use crate::register::{
    CategoryOfConcern, Date, Governance, Inspection, OeifGrade, ReportCardArea, ReportCardGrade,
    SafeguardingStandard,
};
use serde::{Deserialize, Serialize};

/// The derived flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// Special measures (Education Act 2005 s44(1)).
    SpecialMeasures,
    /// Requires significant improvement, including serious weaknesses (s44(2)).
    RequiresSignificantImprovement,
    /// Either category of concern.
    CategoryOfConcern,
    /// Eligible for intervention (2006 Act s59).
    EligibleForIntervention,
    /// Coasting (2006 Act s60B). Uplift's reading of the definition in force
    /// from 17 November 2025 ("around needs attention in leadership and
    /// governance", DESIGN.md §8): the latest report card grades leadership and
    /// governance exactly "needs attention" (urgent improvement is a category of
    /// concern instead), and the previous inspection was below good: a graded
    /// inspection with overall effectiveness RI or inadequate, a graded
    /// inspection without an overall grade whose weakest key judgement is RI or
    /// inadequate, or a report card whose leadership and governance was below
    /// "expected standard" (not secure or better).
    Coasting,
    /// "Stuck" for RISE: RI at the latest inspection and below good at the one before.
    Stuck,
    /// Headteacher in the first year in post.
    NewHeadteacher,
}

impl FlagKind {
    /// Every flag, in display order.
    pub const ALL: [FlagKind; 7] = [
        Self::SpecialMeasures,
        Self::RequiresSignificantImprovement,
        Self::CategoryOfConcern,
        Self::EligibleForIntervention,
        Self::Coasting,
        Self::Stuck,
        Self::NewHeadteacher,
    ];

    /// Name as used in facts (`flag.<name>`), JSON and CSV.
    pub fn name(self) -> &'static str {
        match self {
            Self::SpecialMeasures => "special_measures",
            Self::RequiresSignificantImprovement => "requires_significant_improvement",
            Self::CategoryOfConcern => "category_of_concern",
            Self::EligibleForIntervention => "eligible_for_intervention",
            Self::Coasting => "coasting",
            Self::Stuck => "stuck",
            Self::NewHeadteacher => "new_headteacher",
        }
    }

    /// How the flag moves when grades get worse.
    pub fn worse(self) -> Worse {
        match self {
            Self::SpecialMeasures | Self::CategoryOfConcern | Self::EligibleForIntervention => {
                Worse::Higher
            }
            Self::RequiresSignificantImprovement | Self::Coasting | Self::Stuck => {
                Worse::NotMonotone
            }
            Self::NewHeadteacher => Worse::Neutral,
        }
    }

    /// The legal (or policy) source cited with the flag.
    pub fn legal_source(self) -> &'static str {
        match self {
            Self::SpecialMeasures => "Education Act 2005 s44(1); Education and Inspections Act 2006 s62; report-card rule as in DESIGN.md §8",
            Self::RequiresSignificantImprovement => "Education Act 2005 s44(2); Education and Inspections Act 2006 s61; report-card rule as in DESIGN.md §8",
            Self::CategoryOfConcern => "Education Act 2005 s44",
            Self::EligibleForIntervention => "Education and Inspections Act 2006 s59 (routes: s60, s60A, s60B, s61, s62); Part 4 powers apply to maintained schools",
            Self::Coasting => "Education and Inspections Act 2006 s60B; coasting definition in force from 17 November 2025 (DESIGN.md §8: around 'needs attention' in leadership and governance)",
            Self::Stuck => "DfE RISE teams' targeting of 'stuck' schools (DESIGN.md §8)",
            Self::NewHeadteacher => "policy: first year in post",
        }
    }
}

/// An officer's override of a derived flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The value the officer sets.
    pub value: bool,
    /// The recorded reason.
    pub reason: String,
    /// Who overrode it.
    pub by: String,
    /// When.
    pub on: Date,
}

/// A derived flag with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagValue {
    /// The derived value.
    pub value: bool,
    /// Why, in words, citing the evidence.
    pub reason: String,
    /// The legal (or policy) source.
    pub legal_source: String,
    /// What it read.
    pub evidence: Vec<Evidence>,
    /// An officer's override, layered on by the caller.
    pub overridden_by: Option<Override>,
}

impl FlagValue {
    fn new(kind: FlagKind, value: bool, reason: String, evidence: Vec<Evidence>) -> Self {
        Self {
            value,
            reason,
            legal_source: kind.legal_source().into(),
            evidence,
            overridden_by: None,
        }
    }

    /// The value in force: the override's if there is one, else the derived value.
    pub fn effective(&self) -> bool {
        self.overridden_by.as_ref().map_or(self.value, |o| o.value)
    }
}

/// All derived flags of a school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flags {
    /// Special measures.
    pub special_measures: FlagValue,
    /// Requires significant improvement (including serious weaknesses).
    pub requires_significant_improvement: FlagValue,
    /// Either category of concern.
    pub category_of_concern: FlagValue,
    /// Eligible for intervention (s59).
    pub eligible_for_intervention: FlagValue,
    /// Coasting (s60B).
    pub coasting: FlagValue,
    /// Stuck (RISE).
    pub stuck: FlagValue,
    /// New headteacher.
    pub new_headteacher: FlagValue,
    /// Whether the school is maintained (Part 4 of the 2006 Act applies).
    #[serde(skip)]
    maintained: bool,
    /// The warning-notice route to eligibility, if any.
    #[serde(skip)]
    warning_notice_route: Option<String>,
}

/// What re-deriving the flags after an override reads besides the flags
/// themselves, which a placement's JSON leaves out. A store that keeps
/// placements keeps this beside them ([`Flags::basis`], [`Flags::set_basis`]),
/// so that a placement read back is the placement computed, and an override
/// layered on it later re-derives as it would have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagBasis {
    maintained: bool,
    warning_notice_route: Option<String>,
}

impl Flags {
    /// What re-deriving reads besides the flags (see [`FlagBasis`]).
    pub fn basis(&self) -> FlagBasis {
        FlagBasis {
            maintained: self.maintained,
            warning_notice_route: self.warning_notice_route.clone(),
        }
    }

    /// Restores what [`Flags::basis`] returned, after reading flags back.
    pub fn set_basis(&mut self, basis: FlagBasis) {
        self.maintained = basis.maintained;
        self.warning_notice_route = basis.warning_notice_route;
    }

    /// One flag.
    pub fn get(&self, kind: FlagKind) -> &FlagValue {
        match kind {
            FlagKind::SpecialMeasures => &self.special_measures,
            FlagKind::RequiresSignificantImprovement => &self.requires_significant_improvement,
            FlagKind::CategoryOfConcern => &self.category_of_concern,
            FlagKind::EligibleForIntervention => &self.eligible_for_intervention,
            FlagKind::Coasting => &self.coasting,
            FlagKind::Stuck => &self.stuck,
            FlagKind::NewHeadteacher => &self.new_headteacher,
        }
    }

    fn get_mut(&mut self, kind: FlagKind) -> &mut FlagValue {
        match kind {
            FlagKind::SpecialMeasures => &mut self.special_measures,
            FlagKind::RequiresSignificantImprovement => &mut self.requires_significant_improvement,
            FlagKind::CategoryOfConcern => &mut self.category_of_concern,
            FlagKind::EligibleForIntervention => &mut self.eligible_for_intervention,
            FlagKind::Coasting => &mut self.coasting,
            FlagKind::Stuck => &mut self.stuck,
            FlagKind::NewHeadteacher => &mut self.new_headteacher,
        }
    }

    /// The names of the flags whose effective value is true, in display order.
    pub fn set_names(&self) -> Vec<&'static str> {
        FlagKind::ALL
            .iter()
            .filter(|k| self.get(**k).effective())
            .map(|k| k.name())
            .collect()
    }

    /// Layers an officer's override on a flag. Overriding special measures,
    /// requires significant improvement or coasting re-derives "category of
    /// concern" and "eligible for intervention" from the effective values
    /// (unless those are themselves overridden).
    pub fn apply_override(&mut self, kind: FlagKind, o: Override) {
        self.get_mut(kind).overridden_by = Some(o);
        if matches!(
            kind,
            FlagKind::SpecialMeasures
                | FlagKind::RequiresSignificantImprovement
                | FlagKind::Coasting
        ) {
            self.rederive();
        }
    }

    fn rederive(&mut self) {
        let sm = self.special_measures.effective();
        let rsi = self.requires_significant_improvement.effective();
        let coc = &mut self.category_of_concern;
        coc.value = sm || rsi;
        coc.reason = match (sm, rsi) {
            (true, _) => "special measures".into(),
            (false, true) => "requires significant improvement".into(),
            _ => "no category of concern".into(),
        };
        let (value, reason) = eligibility(
            self.maintained,
            self.warning_notice_route.as_deref(),
            self.coasting.effective(),
            rsi,
            sm,
        );
        self.eligible_for_intervention.value = value;
        self.eligible_for_intervention.reason = reason;
    }
}

fn eligibility(
    maintained: bool,
    wn: Option<&str>,
    coasting: bool,
    rsi: bool,
    sm: bool,
) -> (bool, String) {
    let mut routes = Vec::new();
    if let Some(w) = wn {
        routes.push(w.to_owned());
    }
    if coasting {
        routes.push("coasting (s60B)".to_owned());
    }
    if rsi {
        routes.push("requires significant improvement (s61)".to_owned());
    }
    if sm {
        routes.push("special measures (s62)".to_owned());
    }
    if routes.is_empty() {
        return (
            false,
            "no s59 route applies: no unmet warning notice after its compliance period with written notice, not coasting, no category of concern".into(),
        );
    }
    if !maintained {
        return (
            false,
            format!(
                "not a maintained school, so Part 4 of the 2006 Act does not apply (for an academy the funding agreement and the DfE regional director apply); grounds that would apply: {}",
                routes.join("; ")
            ),
        );
    }
    (
        true,
        format!("eligible under s59 by: {}", routes.join("; ")),
    )
}

fn ev(
    fact: &str,
    value: String,
    comparator: &str,
    threshold: &str,
    met: bool,
    date: Option<Date>,
    source: &Provenance,
) -> Evidence {
    Evidence {
        fact: fact.into(),
        value: Some(value),
        comparator: comparator.into(),
        threshold: threshold.into(),
        outcome: if met { Tri::Met } else { Tri::NotMet },
        date,
        source: Some(source.source.clone()),
        condition: format!("{fact} {comparator} {threshold}"),
    }
}

fn area_name(a: ReportCardArea) -> &'static str {
    super::facts::REPORT_CARD_AREAS
        .iter()
        .find(|(_, x)| *x == a)
        .map_or("area", |(n, _)| *n)
}

/// The category of concern of the latest judgement-bearing inspection.
struct ConcernFinding {
    sm: bool,
    rsi: bool,
    reason: String,
    evidence: Vec<Evidence>,
}

fn concern_finding(view: &View<'_>) -> ConcernFinding {
    let Some(latest) = view.slot(Slot::Latest) else {
        return ConcernFinding {
            sm: false,
            rsi: false,
            reason: "no graded or report-card inspection on record".into(),
            evidence: vec![],
        };
    };
    let src = &latest.source;
    match &latest.inspection {
        Inspection::Graded(g) => {
            let date = g.start_date.or(g.publication_date);
            let date_s = date.map_or("undated".into(), |d| d.to_string());
            let mut evidence = vec![ev(
                "inspection.latest.category_of_concern",
                concern_name(g.category_of_concern.as_ref()),
                "==",
                "recorded",
                g.category_of_concern.is_some(),
                date,
                src,
            )];
            match &g.category_of_concern {
                Some(CategoryOfConcern::SpecialMeasures) => ConcernFinding {
                    sm: true,
                    rsi: false,
                    reason: format!("the inspection of {date_s} placed the school in special measures (4b)"),
                    evidence,
                },
                Some(c) => ConcernFinding {
                    sm: false,
                    rsi: true,
                    reason: format!(
                        "the inspection of {date_s} recorded {} (4a): the school requires significant improvement",
                        concern_name(Some(c))
                    ),
                    evidence,
                },
                None => {
                    let inadequate = g.overall_effectiveness == Some(OeifGrade::Inadequate);
                    evidence.push(ev(
                        "inspection.latest.oeif.overall",
                        g.overall_effectiveness.map_or("none".into(), |x| grade_name(x).into()),
                        "==",
                        "inadequate",
                        inadequate,
                        date,
                        src,
                    ));
                    ConcernFinding {
                        sm: false,
                        rsi: inadequate,
                        reason: if inadequate {
                            format!("the inspection of {date_s} judged overall effectiveness inadequate but no category is recorded in the data: treated as requiring significant improvement until the category is known")
                        } else {
                            format!("the inspection of {date_s} recorded no category of concern")
                        },
                        evidence,
                    }
                }
            }
        }
        Inspection::ReportCard(r) => {
            let date = r.start_date.or(r.publication_date);
            let date_s = date.map_or("undated".into(), |d| d.to_string());
            let lg = r
                .areas
                .iter()
                .find(|a| a.area == ReportCardArea::LeadershipAndGovernance)
                .map(|a| a.grade);
            let lg_urgent = lg == Some(ReportCardGrade::UrgentImprovement);
            let others: Vec<&str> = r
                .areas
                .iter()
                .filter(|a| {
                    a.grade == ReportCardGrade::UrgentImprovement
                        && a.area != ReportCardArea::LeadershipAndGovernance
                })
                .map(|a| area_name(a.area))
                .collect();
            let sg_not_met = r.safeguarding == Some(SafeguardingStandard::NotMet);
            let mut evidence = vec![
                ev(
                    "report_card.leadership_and_governance",
                    lg.map_or("not graded".into(), |g| report_card_grade_name(g).into()),
                    "==",
                    "urgent_improvement",
                    lg_urgent,
                    date,
                    src,
                ),
                ev(
                    "report_card.urgent_improvement_other_than_lg_count",
                    others.len().to_string(),
                    ">=",
                    "1",
                    !others.is_empty(),
                    date,
                    src,
                ),
                ev(
                    "report_card.safeguarding",
                    match r.safeguarding {
                        Some(SafeguardingStandard::Met) => "met".into(),
                        Some(SafeguardingStandard::NotMet) => "not_met".into(),
                        None => "not recorded".into(),
                    },
                    "==",
                    "not_met",
                    sg_not_met,
                    date,
                    src,
                ),
            ];
            let derived_sm = lg_urgent && (!others.is_empty() || sg_not_met);
            let derived_rsi = !derived_sm && (lg_urgent || !others.is_empty() || sg_not_met);
            let pattern = if derived_sm {
                format!(
                    "urgent improvement in leadership and governance together with {}",
                    if others.is_empty() {
                        "safeguarding not met".to_owned()
                    } else {
                        format!("urgent improvement in {}", others.join(", "))
                    }
                )
            } else if derived_rsi {
                let mut parts = Vec::new();
                if !others.is_empty() {
                    parts.push(format!("urgent improvement in {}", others.join(", ")));
                }
                if sg_not_met {
                    parts.push("safeguarding not met".to_owned());
                }
                if lg_urgent {
                    parts.push("urgent improvement in leadership and governance alone".to_owned());
                }
                parts.join(" and ")
            } else {
                "no area at urgent improvement and safeguarding not recorded as not met".into()
            };
            match &r.category_of_concern {
                Some(c) => {
                    evidence.insert(
                        0,
                        ev(
                            "inspection.latest.category_of_concern",
                            concern_name(Some(c)),
                            "==",
                            "recorded",
                            true,
                            date,
                            src,
                        ),
                    );
                    let recorded_sm = *c == CategoryOfConcern::SpecialMeasures;
                    // The more serious of the recorded category and the area
                    // pattern applies, so that a worse report card never
                    // lowers the flag; a discrepancy is stated.
                    let sm = recorded_sm || derived_sm;
                    let agrees = recorded_sm == derived_sm && recorded_sm != derived_rsi;
                    ConcernFinding {
                        sm,
                        rsi: !sm,
                        reason: if agrees {
                            format!(
                                "the report card of {date_s} records {} ({pattern})",
                                concern_name(Some(c))
                            )
                        } else if sm && !recorded_sm {
                            format!("the report card of {date_s} records {}, but the areas show {pattern}: special measures, the more serious, is taken (check the record)", concern_name(Some(c)))
                        } else {
                            format!(
                                "the report card of {date_s} records {} (the areas show {pattern})",
                                concern_name(Some(c))
                            )
                        },
                        evidence,
                    }
                }
                None => {
                    ConcernFinding {
                        sm: derived_sm,
                        rsi: derived_rsi,
                        reason: if derived_sm {
                            format!("the report card of {date_s} shows {pattern}: special measures")
                        } else if derived_rsi {
                            format!("the report card of {date_s} shows {pattern}: requires significant improvement")
                        } else {
                            format!("the report card of {date_s} shows {pattern}: no category of concern")
                        },
                        evidence,
                    }
                }
            }
        }
        Inspection::Ungraded(_) => ConcernFinding {
            sm: false,
            rsi: false,
            reason: "the latest inspection is ungraded".into(),
            evidence: vec![],
        },
    }
}

/// Whether a judgement-bearing inspection in `slot` is "below good"
/// (graded) or satisfies the policy's report-card equivalent.
fn below_good(
    view: &View<'_>,
    slot: Slot,
    policy: &Policy,
    ev_out: &mut Vec<Evidence>,
) -> Option<(bool, String)> {
    let i = view.slot(slot)?;
    match &i.inspection {
        Inspection::Graded(g) => {
            let date = g.start_date.or(g.publication_date);
            let (grade, what) = match g
                .overall_effectiveness
                .filter(|x| *x != OeifGrade::NotApplicable)
            {
                Some(o) => (Some(o), "overall effectiveness"),
                None => (
                    lowest_key_judgement(g),
                    "weakest key judgement (no overall grade)",
                ),
            };
            let below = grade.is_some_and(|x| x.number() >= 3);
            ev_out.push(ev(
                match slot {
                    Slot::Latest => "inspection.latest.oeif.overall",
                    Slot::Previous => "inspection.previous.oeif.overall",
                },
                grade.map_or("none".into(), |x| grade_name(x).into()),
                ">=",
                "requires_improvement",
                below,
                date,
                &i.source,
            ));
            Some((
                below,
                format!(
                    "{what} {} on {}",
                    grade.map_or("not graded", grade_name),
                    date.map_or("an undated inspection".into(), |d| d.to_string())
                ),
            ))
        }
        Inspection::ReportCard(_) => {
            let cond = match slot {
                Slot::Latest => policy.stuck.latest_report_card.as_ref(),
                Slot::Previous => policy.stuck.previous_report_card.as_ref(),
            };
            match cond {
                Some(c) => {
                    let mut e = Vec::new();
                    let r = c.eval(view, &mut e);
                    let met = r == Tri::Met;
                    ev_out.extend(e);
                    Some((
                        met,
                        format!(
                            "report card {} the policy's equivalent",
                            if met { "meets" } else { "does not meet" }
                        ),
                    ))
                }
                None => Some((
                    false,
                    "report card: the policy sets no report-card equivalent".into(),
                )),
            }
        }
        Inspection::Ungraded(_) => None,
    }
}

/// Derives the flags of a school under a policy (the policy supplies the
/// report-card equivalents for "stuck" and the length of a new headship).
pub fn derive_flags(policy: &Policy, facts: &super::SchoolFacts) -> Flags {
    let view = View::new(
        facts,
        policy.defaults.inspection_expected_after_months,
        policy.defaults.new_head_months,
    );
    derive(policy, &view)
}

pub(crate) fn derive(policy: &Policy, view: &View<'_>) -> Flags {
    let facts = view.facts;
    let c = concern_finding(view);
    let special_measures = FlagValue::new(
        FlagKind::SpecialMeasures,
        c.sm,
        c.reason.clone(),
        c.evidence.clone(),
    );
    let requires_significant_improvement = FlagValue::new(
        FlagKind::RequiresSignificantImprovement,
        c.rsi,
        c.reason.clone(),
        c.evidence.clone(),
    );
    let category_of_concern = FlagValue::new(
        FlagKind::CategoryOfConcern,
        c.sm || c.rsi,
        c.reason.clone(),
        c.evidence.clone(),
    );

    // Coasting.
    let mut cev = Vec::new();
    let coasting = match view.report_card(Slot::Latest) {
        Some((r, src)) => {
            let date = r.start_date.or(r.publication_date);
            let lg = r
                .areas
                .iter()
                .find(|a| a.area == ReportCardArea::LeadershipAndGovernance)
                .map(|a| a.grade);
            let na = lg == Some(ReportCardGrade::NeedsAttention);
            cev.push(ev(
                "report_card.leadership_and_governance",
                lg.map_or("not graded".into(), |g| report_card_grade_name(g).into()),
                "==",
                "needs_attention",
                na,
                date,
                src,
            ));
            let prev = match view.slot(Slot::Previous).map(|i| &i.inspection) {
                Some(Inspection::ReportCard(p)) => {
                    let plg = p
                        .areas
                        .iter()
                        .find(|a| a.area == ReportCardArea::LeadershipAndGovernance)
                        .map(|a| a.grade);
                    let below = plg.is_some_and(|g| super::facts::report_card_rank(g) >= 4);
                    if let Some(i) = view.slot(Slot::Previous) {
                        cev.push(ev(
                            "inspection.previous.report_card.leadership_and_governance",
                            plg.map_or("not graded".into(), |g| report_card_grade_name(g).into()),
                            ">=",
                            "needs_attention",
                            below,
                            p.start_date.or(p.publication_date),
                            &i.source,
                        ));
                    }
                    Some((below, format!("the previous report card graded leadership and governance {}", plg.map_or("not graded", report_card_grade_name))))
                }
                Some(Inspection::Graded(_)) => {
                    let mut e = Vec::new();
                    let r = below_good(view, Slot::Previous, policy, &mut e);
                    cev.extend(e);
                    r.map(|(b, s)| (b, format!("the previous inspection: {s}")))
                }
                _ => None,
            };
            match (na, prev) {
                (true, Some((true, why))) => (true, format!("the latest report card ({}) grades leadership and governance needs attention and {why}, below good: coasting (Uplift's reading of the definition in force from 17 November 2025)", date.map_or("undated".into(), |d| d.to_string()))),
                (true, Some((false, why))) => (false, format!("leadership and governance needs attention at the latest report card, but {why}, which is good or better")),
                (true, None) => (false, "leadership and governance needs attention at the latest report card, but there is no previous inspection to compare".into()),
                (false, _) => (false, format!("the latest report card grades leadership and governance {}, not needs attention", lg.map_or("not graded", report_card_grade_name))),
            }
        }
        None => (false, "coasting (from 17 November 2025) reads the leadership and governance grade of a report card; the latest inspection is not a report card".into()),
    };
    let coasting = FlagValue::new(FlagKind::Coasting, coasting.0, coasting.1, cev);

    // Warning notices.
    let wn = facts
        .warning_notices
        .iter()
        .find(|w| unmet_after_compliance(w, facts.as_of));
    let wn_route = wn.map(|w| {
        format!(
            "{} warning notice given {} not complied with after its compliance period ended {}, written notice of proposed powers {}",
            match w.section {
                super::facts::WarningNoticeSection::S60 => "s60",
                super::facts::WarningNoticeSection::S60A => "s60A",
            },
            w.given,
            w.compliance_period_ends,
            w.written_notice_of_proposed_powers
                .map_or(String::new(), |d| d.to_string())
        )
    });
    let maintained = facts.governance == Governance::Maintained;
    let (ev_value, ev_reason) =
        eligibility(maintained, wn_route.as_deref(), coasting.value, c.rsi, c.sm);
    let mut eev = c.evidence.clone();
    if let Some(w) = wn {
        eev.push(ev(
            "warning_notice.unmet_after_compliance",
            "true".into(),
            "==",
            "true",
            true,
            Some(w.given),
            &w.source,
        ));
    }
    let eligible_for_intervention =
        FlagValue::new(FlagKind::EligibleForIntervention, ev_value, ev_reason, eev);

    // Stuck.
    let mut sev = Vec::new();
    let stuck = {
        let latest_ri = match view.slot(Slot::Latest).map(|i| &i.inspection) {
            Some(Inspection::Graded(g)) => {
                let date = g.start_date.or(g.publication_date);
                let (grade, what) = match g
                    .overall_effectiveness
                    .filter(|x| *x != OeifGrade::NotApplicable)
                {
                    Some(o) => (Some(o), "overall effectiveness"),
                    None => (
                        lowest_key_judgement(g),
                        "weakest key judgement (no overall grade)",
                    ),
                };
                let ri = grade == Some(OeifGrade::RequiresImprovement);
                if let Some(i) = view.slot(Slot::Latest) {
                    sev.push(ev(
                        "inspection.latest.oeif.overall",
                        grade.map_or("none".into(), |x| grade_name(x).into()),
                        "==",
                        "requires_improvement",
                        ri,
                        date,
                        &i.source,
                    ));
                }
                Some((
                    ri,
                    format!(
                        "latest inspection: {what} {}",
                        grade.map_or("not graded", grade_name)
                    ),
                ))
            }
            Some(Inspection::ReportCard(_)) => below_good(view, Slot::Latest, policy, &mut sev)
                .map(|(b, s)| (b, format!("latest inspection: {s} of requires improvement"))),
            _ => None,
        };
        match latest_ri {
            None => (
                false,
                "no graded or report-card inspection on record".into(),
            ),
            Some((false, why)) => (false, format!("{why}: not requires improvement")),
            Some((true, why)) => match below_good(view, Slot::Previous, policy, &mut sev) {
                Some((true, pwhy)) => (
                    true,
                    format!("{why}, and the inspection before was below good ({pwhy}): stuck"),
                ),
                Some((false, pwhy)) => (
                    false,
                    format!("{why}, but the inspection before was not below good ({pwhy})"),
                ),
                None => (
                    false,
                    format!("{why}, but there is no earlier judgement to compare"),
                ),
            },
        }
    };
    let stuck = FlagValue::new(FlagKind::Stuck, stuck.0, stuck.1, sev);

    // New headteacher.
    let months_limit = policy.defaults.new_head_months;
    let new_headteacher = match &facts.head_start_date {
        Some((d, p)) => {
            let months = months_between(*d, facts.as_of);
            let is_new = months >= 0 && (months as u32) < months_limit;
            FlagValue::new(
                FlagKind::NewHeadteacher,
                is_new,
                format!(
                    "headteacher in post since {d}: {months} month(s) at {}, {} the first {months_limit} months",
                    facts.as_of,
                    if is_new { "within" } else { "beyond" }
                ),
                vec![ev("head.months_in_post", months.to_string(), "<", &months_limit.to_string(), is_new, Some(*d), p)],
            )
        }
        None => {
            let item = facts
                .intelligence
                .iter()
                .filter(|i| i.kind == "new_headteacher" && i.date <= facts.as_of)
                .filter(|i| {
                    let m = months_between(i.date, facts.as_of);
                    m >= 0 && (m as u32) < months_limit
                })
                .max_by_key(|i| i.date);
            match item {
                Some(i) => FlagValue::new(
                    FlagKind::NewHeadteacher,
                    true,
                    format!(
                        "no start date recorded, but intelligence of {} records a new headteacher",
                        i.date
                    ),
                    vec![ev(
                        "intelligence.new_headteacher.count_12m",
                        "1".into(),
                        ">=",
                        "1",
                        true,
                        Some(i.date),
                        &i.source,
                    )],
                ),
                None => FlagValue::new(
                    FlagKind::NewHeadteacher,
                    false,
                    "headteacher's start date not known and no new-headteacher intelligence".into(),
                    vec![],
                ),
            }
        }
    };

    Flags {
        special_measures,
        requires_significant_improvement,
        category_of_concern,
        eligible_for_intervention,
        coasting,
        stuck,
        new_headteacher,
        maintained,
        warning_notice_route: wn_route,
    }
}
