//! How a School Performance Board protocol's steps read.

use uplift_domain::concern::StepState;

/// A step's state in words, with the tag colour it is shown in.
pub fn state_words(s: &StepState) -> (&'static str, &'static str) {
    match s {
        StepState::Done { late: true, .. } => ("Done late", "orange"),
        StepState::Done { early: true, .. } => ("Done before its window", "orange"),
        StepState::Done { .. } => ("Done", "green"),
        StepState::Pending => ("To do", "grey"),
        StepState::AtRisk => ("Due soon", "yellow"),
        StepState::Overdue => ("Overdue", "red"),
        StepState::NotApplicable => ("Not applicable", "grey"),
    }
}
