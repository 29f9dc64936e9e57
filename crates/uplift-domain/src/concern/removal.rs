//! The removal rule: a school whose latest inspection put it in requires
//! improvement, inadequate, serious weaknesses, special measures or a
//! report-card category of concern stays on the causing-concern list until a
//! later inspection is good or better (or, for report cards, the equivalent).
//!
//! Source: Barnet School Improvement Strategy Part B section C, "Lead Officer
//! Role" ("A school judged as RI or inadequate by OfSTED will not be removed
//! from the SCC list until a subsequent OfSTED inspection judges them to be
//! good or better"); Birmingham improvement cycle Stage 3 ("the criteria for
//! removal ... is that the school has received a judgement of Good or
//! Outstanding at their most recent inspection"); DESIGN.md §8 for report
//! cards and inspections without an overall grade.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::policy::{inspection_date, lowest_key_judgement, RemovalCheck};
use crate::register::{
    CategoryOfConcern, GradedInspection, Inspection, OeifGrade, ReportCardArea, ReportCardGrade,
    ReportCardInspection, SafeguardingStandard,
};

/// The sources the removal rule cites.
pub const REMOVAL_SOURCE: &str = "Barnet School Improvement Strategy Part B, C (Lead Officer role): \
a school judged RI or inadequate is not removed until a subsequent inspection judges it good or better; \
Birmingham improvement cycle Stage 3; DESIGN.md §8";

/// What the organisation accepts, for a report card, as the equivalent of
/// "good or better" (the old and new scales are never converted: this is a
/// policy choice, stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCardEquivalent {
    /// Every graded area must be at this grade or better.
    pub minimum_grade: ReportCardGrade,
    /// Safeguarding must be met.
    pub safeguarding_met: bool,
}

impl Default for ReportCardEquivalent {
    /// No area below "expected standard", safeguarding met.
    fn default() -> Self {
        Self {
            minimum_grade: ReportCardGrade::ExpectedStandard,
            safeguarding_met: true,
        }
    }
}

/// Everything the removal rule reads about one case.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseFacts {
    /// The school's inspections in any format and any order.
    pub inspections: Vec<Inspection>,
    /// The report-card equivalent of good or better.
    pub report_card_equivalent: ReportCardEquivalent,
    /// The policy engine's own removal check (its `[removal]` rules), when
    /// the caller has categorised the school.
    pub policy_removal: Option<RemovalCheck>,
}

/// How one inspection bears on removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// The inspection put the school in RI, inadequate or a category of concern.
    Concern {
        /// Why, in words.
        reason: String,
    },
    /// Good or better (or the report-card equivalent).
    GoodOrBetter {
        /// Why, in words.
        reason: String,
    },
    /// Neither: it does not put the school in a category, nor lift one.
    Neither {
        /// Why, in words.
        reason: String,
    },
}

/// Removal is blocked, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{reason}")]
pub struct Blocked {
    /// One or more sentences: the blocking inspection or rule and the source.
    pub reason: String,
}

fn rank(g: ReportCardGrade) -> u8 {
    match g {
        ReportCardGrade::Exceptional => 1,
        ReportCardGrade::StrongStandard => 2,
        ReportCardGrade::ExpectedStandard => 3,
        ReportCardGrade::NeedsAttention => 4,
        ReportCardGrade::UrgentImprovement => 5,
    }
}

fn grade_words(g: ReportCardGrade) -> &'static str {
    match g {
        ReportCardGrade::Exceptional => "exceptional",
        ReportCardGrade::StrongStandard => "strong standard",
        ReportCardGrade::ExpectedStandard => "expected standard",
        ReportCardGrade::NeedsAttention => "needs attention",
        ReportCardGrade::UrgentImprovement => "urgent improvement",
    }
}

fn concern_words(c: &CategoryOfConcern) -> String {
    match c {
        CategoryOfConcern::SeriousWeaknesses => "serious weaknesses".into(),
        CategoryOfConcern::SpecialMeasures => "special measures".into(),
        CategoryOfConcern::RequiresSignificantImprovement => {
            "requires significant improvement".into()
        }
        CategoryOfConcern::Other(s) => s.clone(),
    }
}

fn oeif_words(g: OeifGrade) -> &'static str {
    match g {
        OeifGrade::Outstanding => "outstanding",
        OeifGrade::Good => "good",
        OeifGrade::RequiresImprovement => "requires improvement",
        OeifGrade::Inadequate => "inadequate",
        OeifGrade::NotApplicable => "not graded",
    }
}

fn dated(what: &str, date: Option<Date>) -> String {
    match date {
        Some(d) => format!("the {what} of {d}"),
        None => format!("an undated {what}"),
    }
}

fn graded_standing(g: &GradedInspection, date: Option<Date>) -> Standing {
    let name = dated("inspection", date);
    if let Some(c) = &g.category_of_concern {
        return Standing::Concern {
            reason: format!("{name} placed the school in {}", concern_words(c)),
        };
    }
    match g.overall_effectiveness {
        Some(o @ (OeifGrade::Outstanding | OeifGrade::Good)) => {
            return Standing::GoodOrBetter {
                reason: format!("{name} judged overall effectiveness {}", oeif_words(o)),
            }
        }
        Some(o @ (OeifGrade::RequiresImprovement | OeifGrade::Inadequate)) => {
            return Standing::Concern {
                reason: format!("{name} judged overall effectiveness {}", oeif_words(o)),
            }
        }
        Some(OeifGrade::NotApplicable) | None => {}
    }
    // From 2 September 2024 there is no overall grade: read the key judgements.
    match lowest_key_judgement(g) {
        Some(o @ (OeifGrade::RequiresImprovement | OeifGrade::Inadequate)) => Standing::Concern {
            reason: format!(
                "{name} (no overall grade) judged a key judgement {}",
                oeif_words(o)
            ),
        },
        Some(OeifGrade::Outstanding | OeifGrade::Good) => Standing::GoodOrBetter {
            reason: format!("{name} (no overall grade) judged every key judgement good or better"),
        },
        _ => Standing::Neither {
            reason: format!("{name} recorded no overall grade and no key judgements"),
        },
    }
}

/// Whether a report card is a category of concern under DESIGN.md §8:
/// special measures (urgent improvement in leadership and governance with
/// urgent improvement elsewhere or safeguarding not met) or requires
/// significant improvement (any other urgent improvement, or safeguarding not met).
pub fn report_card_category(r: &ReportCardInspection) -> Option<CategoryOfConcern> {
    if let Some(c) = &r.category_of_concern {
        return Some(c.clone());
    }
    let urgent =
        |a: &&crate::register::ReportCardAreaGrade| a.grade == ReportCardGrade::UrgentImprovement;
    let lg_urgent = r
        .areas
        .iter()
        .filter(urgent)
        .any(|a| a.area == ReportCardArea::LeadershipAndGovernance);
    let other_urgent = r
        .areas
        .iter()
        .filter(urgent)
        .any(|a| a.area != ReportCardArea::LeadershipAndGovernance);
    let not_met = r.safeguarding == Some(SafeguardingStandard::NotMet);
    if lg_urgent && (other_urgent || not_met) {
        Some(CategoryOfConcern::SpecialMeasures)
    } else if lg_urgent || other_urgent || not_met {
        Some(CategoryOfConcern::RequiresSignificantImprovement)
    } else {
        None
    }
}

fn report_card_standing(
    r: &ReportCardInspection,
    date: Option<Date>,
    eq: ReportCardEquivalent,
) -> Standing {
    let name = dated("report-card inspection", date);
    if let Some(c) = report_card_category(r) {
        return Standing::Concern {
            reason: format!(
                "{name} placed the school in the category of concern {}",
                concern_words(&c)
            ),
        };
    }
    let below: Vec<String> = r
        .areas
        .iter()
        .filter(|a| rank(a.grade) > rank(eq.minimum_grade))
        .map(|a| format!("{:?} at {}", a.area, grade_words(a.grade)))
        .collect();
    if !below.is_empty() {
        return Standing::Neither {
            reason: format!(
                "{name} graded {} (below {}), so it is not the equivalent of good or better",
                below.join(", "),
                grade_words(eq.minimum_grade)
            ),
        };
    }
    if eq.safeguarding_met && r.safeguarding != Some(SafeguardingStandard::Met) {
        return Standing::Neither {
            reason: format!("{name} did not record safeguarding as met"),
        };
    }
    if r.areas.is_empty() {
        return Standing::Neither {
            reason: format!("{name} graded no evaluation areas"),
        };
    }
    Standing::GoodOrBetter {
        reason: format!(
            "{name} graded every area {} or better{}: the policy's equivalent of good or better",
            grade_words(eq.minimum_grade),
            if eq.safeguarding_met {
                " with safeguarding met"
            } else {
                ""
            }
        ),
    }
}

/// How one inspection bears on removal from the list.
pub fn standing(inspection: &Inspection, eq: ReportCardEquivalent) -> Standing {
    let date = inspection_date(inspection);
    match inspection {
        Inspection::Graded(g) => graded_standing(g, date),
        Inspection::ReportCard(r) => report_card_standing(r, date, eq),
        Inspection::Ungraded(u) => {
            let name = dated("ungraded inspection", date);
            let t = u.outcome.to_ascii_lowercase();
            let negative = [
                "requires improvement",
                "inadequate",
                "not good",
                "concern",
                "declined",
            ]
            .iter()
            .any(|w| t.contains(w));
            if !negative && (t.contains("good") || t.contains("outstanding")) {
                Standing::GoodOrBetter {
                    reason: format!("{name} found \"{}\"", u.outcome.trim()),
                }
            } else {
                Standing::Neither {
                    reason: format!(
                        "{name} found \"{}\", which is not a judgement of good or better",
                        u.outcome.trim()
                    ),
                }
            }
        }
    }
}

/// Whether the school may be removed from the causing-concern list.
///
/// Walks the inspections from the latest back: the first that is good or
/// better (or the report-card equivalent) allows removal; the first that put
/// the school in RI, inadequate or a category of concern blocks it; an
/// inspection that is neither (an ungraded inspection, a report card with an
/// area needing attention) neither lifts nor imposes the block. The policy's
/// own `[removal]` rules, when given, block too. A removal still needs a
/// decision with a rationale ([`super::Decision`]).
pub fn can_remove(facts: &CaseFacts) -> Result<(), Blocked> {
    let mut reasons = Vec::new();
    let mut ordered: Vec<&Inspection> = facts.inspections.iter().collect();
    ordered.sort_by_key(|i| inspection_date(i));
    for inspection in ordered.iter().rev() {
        match standing(inspection, facts.report_card_equivalent) {
            Standing::GoodOrBetter { .. } => break,
            Standing::Concern { reason } => {
                reasons.push(format!(
                    "Removal is blocked: {reason}, and no later inspection has judged the school good or better ({REMOVAL_SOURCE})."
                ));
                break;
            }
            Standing::Neither { .. } => continue,
        }
    }
    if let Some(check) = &facts.policy_removal {
        if !check.allowed {
            for rule in &check.blocked_by {
                reasons.push(format!(
                    "Removal is blocked by the policy rule \"{}\": {}.",
                    rule.label, rule.summary
                ));
            }
            if check.blocked_by.is_empty() {
                reasons.push("Removal is blocked by the policy's removal rules.".into());
            }
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Blocked {
            reason: reasons.join(" "),
        })
    }
}
