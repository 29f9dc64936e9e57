//! The school register: imports of the published files (GIAS, Ofsted, DfE
//! performance tables and census) and the reads the pages need (search, the
//! school profile, intelligence).
//!
//! SQL lives here; the rules (change detection, who is a new headteacher,
//! quartiles) are pure functions in `uplift_domain::register::rules`.

mod engine;
mod import;
mod read;
mod web_reads;

pub use import::{ImportOptions, ImportSummary, RejectedRow};
pub use read::*;
pub use web_reads::*;
