//! The school register: schools, their links and groups, inspections in their
//! three formats, and published performance data.
//!
//! Everything here is pure data with `serde` support and no I/O. The readers in
//! `uplift-ingest` produce these types from the published files; the store
//! persists them. Identifiers follow "parse, don't validate": a [`Urn`] or a
//! [`LaCode`] can only be built through `parse` (or the checked constructors),
//! so holding one means it is well formed.

pub mod contacts;
mod ids;
mod inspection;
mod links;
mod performance;
pub mod rules;
mod school;

pub use ids::{GroupUid, IdError, LaCode, Urn};
pub use inspection::{
    CategoryOfConcern, GradedInspection, Inspection, OeifGrade, OfstedRecord, ReportCardArea,
    ReportCardAreaGrade, ReportCardGrade, ReportCardInspection, SafeguardingStandard,
    UngradedInspection,
};
pub use links::{EstablishmentLink, Group, GroupLink, GroupStatus, LinkType};
pub use performance::{
    AbsenceRecord, CensusRecord, Level, Marker, Measure, MeasureValue, PerformanceRecord, SpcRecord,
};
pub use school::{EstablishmentStatus, Governance, School, SixthForm};

/// A calendar date with no time zone (re-exported for convenience).
pub type Date = jiff::civil::Date;
