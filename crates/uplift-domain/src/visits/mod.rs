//! Advisers, visits and notes of visit (issue 5): entitlements planned,
//! delivered, agreed and quality-assured. Pure: no I/O, no database.
//!
//! Every rule explains itself with a reason that cites the seed it follows
//! (`shared/seeds/`): `003` is the Barnet strategy (Part B: visits table,
//! additional visits, School Effectiveness Visits, notes of visit, Emerging /
//! Secure / Highly Effective), `001` the Buckinghamshire Side by Side offer
//! (Headline Visits, New to Headship) and `002` the Birmingham framework
//! (Priority Partners and their quality assurance, 10% of visit notes).
//!
//! * [`entitlement`]: what a school is entitled to in an academic year,
//!   composed from the policy engine's [`Placement`](crate::policy::Placement)
//!   and the circumstance rules of [`VisitRules`]; [`plan_visits`] spreads
//!   them over the half terms on working days.
//! * [`delivery`]: delivered against due, overdue flagged, tallied by school,
//!   adviser, category and term.
//! * [`workflow`]: the visit and note-of-visit state machine, with the actor
//!   checked on every transition.
//! * [`note`]: the content of a note of visit and its field-level validation.
//! * [`qa`]: the termly quality-assurance sample, moderation, shadowing,
//!   surveys and annual reviews.
//! * [`caseload`]: advisers' expertise and capacity, and suggested
//!   reassignments.
//! * [`ics`]: the iCalendar (RFC 5545) feed.

pub mod caseload;
pub mod delivery;
pub mod entitlement;
pub mod ics;
pub mod note;
pub mod qa;
pub mod workflow;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use caseload::{
    caseload, Adviser, AdviserLoad, CaseloadReport, DaysPerVisit, Expertise, SchoolNeeds,
    Suggestion,
};
pub use delivery::{
    delivery, DeliveryLine, DeliveryReport, DeliveryStatus, DeliveryTally, DueVisit, Grouping,
    VisitRecord,
};
pub use entitlement::{
    entitlement_for, plan_visits, AdditionalVisitKind, Circumstance, CircumstanceRule, PlannedSlot,
    Reason, SchoolEntitlement, VisitEntitlement, VisitRules,
};
pub use ics::{render_calendar, CalendarEvent, EventTime};
pub use note::{
    AgreedAction, Disagreement, FocusArea, Judgement, NextVisit, NoteOfVisit, NoteOfVisitForm,
};
pub use qa::{
    draw_qa_sample, missing_shadowed_visits, qa_overview, AnnualReview, FinalisedNote,
    ModerationForm, ModerationRecord, QaConfig, QaOverview, QaPick, QaRating, QaSample,
    ShadowedVisit, Survey, SurveyQuestion, SurveyRespondent, SurveyResponse,
};
pub use workflow::{Actor, ActorRole, Stage, Visit, VisitAction, VisitPlan, WorkflowError};

/// A type of visit (DESIGN.md section 2). The keys are the ones the
/// policies use in `visits = { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum VisitType {
    /// School Effectiveness Visit (seed 003).
    SchoolEffectiveness,
    /// Headline Visit (seed 001).
    Headline,
    /// New to Headship (Headline) Visit (seed 001).
    NewToHeadship,
    /// Keeping-in-touch visit to an academy (seed 003, part B b).
    KeepingInTouch,
    /// Additional visit for a circumstance (seed 003, "additional visits").
    Additional,
    /// Additional visit where safeguarding concerns have been identified (seed 003).
    Safeguarding,
    /// Monitoring visit.
    Monitoring,
    /// Deep dive.
    DeepDive,
    /// Review.
    Review,
    /// Inspection support.
    InspectionSupport,
    /// Any other key a policy uses.
    Other(String),
}

impl VisitType {
    /// The policy key, e.g. `school_effectiveness`.
    pub fn key(&self) -> &str {
        match self {
            VisitType::SchoolEffectiveness => "school_effectiveness",
            VisitType::Headline => "headline",
            VisitType::NewToHeadship => "new_to_headship",
            VisitType::KeepingInTouch => "keeping_in_touch",
            VisitType::Additional => "additional",
            VisitType::Safeguarding => "safeguarding",
            VisitType::Monitoring => "monitoring",
            VisitType::DeepDive => "deep_dive",
            VisitType::Review => "review",
            VisitType::InspectionSupport => "inspection_support",
            VisitType::Other(k) => k,
        }
    }

    /// From a policy key; unknown keys become [`VisitType::Other`].
    pub fn from_key(key: &str) -> VisitType {
        match key {
            "school_effectiveness" => VisitType::SchoolEffectiveness,
            "headline" => VisitType::Headline,
            "new_to_headship" => VisitType::NewToHeadship,
            "keeping_in_touch" => VisitType::KeepingInTouch,
            "additional" => VisitType::Additional,
            "safeguarding" => VisitType::Safeguarding,
            "monitoring" => VisitType::Monitoring,
            "deep_dive" => VisitType::DeepDive,
            "review" => VisitType::Review,
            "inspection_support" => VisitType::InspectionSupport,
            other => VisitType::Other(other.to_owned()),
        }
    }

    /// The name shown on screen.
    pub fn label(&self) -> String {
        match self {
            VisitType::SchoolEffectiveness => "School Effectiveness Visit".into(),
            VisitType::Headline => "Headline Visit".into(),
            VisitType::NewToHeadship => "New to Headship visit".into(),
            VisitType::KeepingInTouch => "Keeping-in-touch visit".into(),
            VisitType::Additional => "Additional visit".into(),
            VisitType::Safeguarding => "Safeguarding visit".into(),
            VisitType::Monitoring => "Monitoring visit".into(),
            VisitType::DeepDive => "Deep dive".into(),
            VisitType::Review => "Review".into(),
            VisitType::InspectionSupport => "Inspection support".into(),
            VisitType::Other(k) => {
                let mut s = k.replace('_', " ");
                if let Some(first) = s.get(0..1) {
                    let up = first.to_uppercase();
                    s.replace_range(0..1, &up);
                }
                s
            }
        }
    }
}

impl fmt::Display for VisitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl From<VisitType> for String {
    fn from(v: VisitType) -> String {
        v.key().to_owned()
    }
}

impl From<String> for VisitType {
    fn from(s: String) -> VisitType {
        VisitType::from_key(&s)
    }
}

/// One problem with one field of a form, for a GOV.UK error summary: the
/// summary links to `#` + [`FieldError::id`] and the field shows the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Path of the field, e.g. `focus_areas[0].adviser_judgement`.
    pub field: String,
    /// The message, written for the person filling in the form.
    pub message: String,
}

impl FieldError {
    /// A new error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTML id of the field: `focus_areas[0].adviser_judgement` becomes
    /// `focus-areas-0-adviser-judgement`.
    pub fn id(&self) -> String {
        let mut out = String::new();
        for c in self.field.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        out
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A stable 64-bit hash (FNV-1a then a SplitMix64 finaliser) of `parts`
/// joined by a separator. Used wherever a choice must be random-looking but
/// reproducible (the QA sample, stable UIDs); never a global RNG.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    // SplitMix64 finaliser: spreads the low-entropy FNV state over all bits.
    h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}
