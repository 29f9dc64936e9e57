//! Schools causing concern: the use cases of the list and its cases.

mod decisions;
pub mod queries;
pub mod steps;

pub use decisions::{record_decision, AtMeeting, RecordDecision};
pub use queries::{case_for, letter_for};
