//! Schools causing concern: the use cases of the list and its cases.

mod decisions;

pub use decisions::{record_decision, AtMeeting, RecordDecision};
