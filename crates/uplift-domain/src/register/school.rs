//! The establishment record (GIAS).

use super::{Date, LaCode, Urn};
use serde::{Deserialize, Serialize};

/// Whether an establishment is open, closed or proposed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EstablishmentStatus {
    /// "Open".
    Open,
    /// "Open, but proposed to close".
    OpenProposedToClose,
    /// "Closed".
    Closed,
    /// "Proposed to open".
    ProposedToOpen,
    /// Any other published wording, kept as published.
    Other(String),
}

impl EstablishmentStatus {
    /// Maps the GIAS `EstablishmentStatus (name)` text.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "open" => Self::Open,
            "open, but proposed to close" => Self::OpenProposedToClose,
            "closed" => Self::Closed,
            "proposed to open" => Self::ProposedToOpen,
            _ => Self::Other(name.trim().to_owned()),
        }
    }
}

/// Maintained by the local authority, an academy, or neither; derived from the type of establishment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Governance {
    /// Community, voluntary aided/controlled, foundation, maintained nursery or special, PRU.
    Maintained,
    /// Academy converter or sponsor-led, free school, UTC, studio school, academy special/AP.
    Academy,
    /// Independent school or non-maintained special school.
    Independent,
    /// Anything else (further education, children's centre, ...) or not known.
    Other,
}

impl Governance {
    /// Derives the governance from a GIAS or DfE type-of-establishment name.
    pub fn from_type_name(type_name: &str) -> Self {
        let t = type_name.to_ascii_lowercase();
        if t.contains("academy")
            || t.contains("free school")
            || t.contains("university technical college")
            || t.contains("studio school")
            || t.starts_with("free schools")
        {
            Self::Academy
        } else if t.contains("non-maintained") || t.contains("independent") {
            Self::Independent
        } else if t.contains("community")
            || t.contains("voluntary aided")
            || t.contains("voluntary controlled")
            || t.contains("foundation")
            || t.contains("pupil referral unit")
            || t.contains("local authority nursery")
            || t.contains("la maintained")
        {
            Self::Maintained
        } else {
            Self::Other
        }
    }
}

/// Whether the school has an official sixth form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SixthForm {
    /// "Has a sixth form".
    Yes,
    /// "Does not have a sixth form".
    No,
    /// "Not applicable", "Not recorded" or missing.
    Unknown,
}

impl SixthForm {
    /// Maps GIAS `OfficialSixthForm (name)` or Ofsted "Sixth form" text.
    pub fn from_name(name: &str) -> Self {
        let t = name.trim().to_ascii_lowercase();
        if t.starts_with("has a sixth form") || t == "yes" {
            Self::Yes
        } else if t.starts_with("does not have") || t == "no" {
            Self::No
        } else {
            Self::Unknown
        }
    }
}

/// An establishment as published by Get Information About Schools.
///
/// Fields that a layout does not carry are `None` (the state-funded extract has no
/// pupil numbers, trust or diocese columns, for example).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    /// Unique reference number.
    pub urn: Urn,
    /// Local authority code.
    pub la_code: LaCode,
    /// Local authority name.
    pub la_name: Option<String>,
    /// Establishment number within the LA (the `ESTAB` of `LAESTAB`).
    pub establishment_number: Option<u32>,
    /// Establishment name.
    pub name: String,
    /// Type of establishment code, where published.
    pub type_code: Option<String>,
    /// Type of establishment name, e.g. "Voluntary aided school".
    pub type_name: Option<String>,
    /// Establishment type group, e.g. "Academies", where published.
    pub type_group: Option<String>,
    /// Maintained, academy or independent, derived from the type.
    pub governance: Governance,
    /// Open, closed or proposed.
    pub status: EstablishmentStatus,
    /// Phase of education, e.g. "Primary".
    pub phase: Option<String>,
    /// Statutory low age.
    pub statutory_low_age: Option<u8>,
    /// Statutory high age.
    pub statutory_high_age: Option<u8>,
    /// Official sixth form.
    pub sixth_form: SixthForm,
    /// Gender of entry, e.g. "Mixed".
    pub gender: Option<String>,
    /// Religious character, e.g. "Church of England".
    pub religious_character: Option<String>,
    /// Diocese name, where published.
    pub diocese: Option<String>,
    /// Admissions policy.
    pub admissions_policy: Option<String>,
    /// Number on roll (GIAS `NumberOfPupils`), where published.
    pub number_on_roll: Option<u32>,
    /// School capacity, where published.
    pub capacity: Option<u32>,
    /// Percentage of pupils eligible for free school meals, where published.
    pub percentage_fsm: Option<f64>,
    /// Trust name (`Trusts (name)`), where published.
    pub trust: Option<String>,
    /// Trust code, where published.
    pub trust_code: Option<String>,
    /// Sponsor name, where published.
    pub sponsor: Option<String>,
    /// Federation name, where published.
    pub federation: Option<String>,
    /// UK provider reference number.
    pub ukprn: Option<u32>,
    /// Date the establishment opened.
    pub open_date: Option<Date>,
    /// Date the establishment closed.
    pub close_date: Option<Date>,
    /// Reason the establishment opened.
    pub reason_opened: Option<String>,
    /// Reason the establishment closed.
    pub reason_closed: Option<String>,
    /// Headteacher's title.
    pub head_title: Option<String>,
    /// Headteacher's first name (sometimes free text).
    pub head_first_name: Option<String>,
    /// Headteacher's last name (sometimes free text).
    pub head_last_name: Option<String>,
    /// Headteacher's preferred job title.
    pub head_job_title: Option<String>,
    /// Headteacher's start date, where a layout carries one (current GIAS
    /// extracts do not; the store infers it from the import in which the head changed).
    pub head_start_date: Option<Date>,
    /// Street.
    pub street: Option<String>,
    /// Locality.
    pub locality: Option<String>,
    /// Third address line.
    pub address3: Option<String>,
    /// Town.
    pub town: Option<String>,
    /// County.
    pub county: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Telephone number.
    pub telephone: Option<String>,
    /// Government office region.
    pub region: Option<String>,
    /// Parliamentary constituency name.
    pub parliamentary_constituency: Option<String>,
    /// Date of the last Ofsted inspection as recorded by GIAS, where published.
    pub ofsted_last_inspection: Option<Date>,
    /// Ofsted rating as recorded by GIAS, where published (the old four-point wording).
    pub ofsted_rating: Option<String>,
    /// Whether GIAS records the school as in special measures, where published.
    pub ofsted_special_measures: Option<String>,
    /// Date GIAS last changed the record, where published.
    pub last_changed_date: Option<Date>,
    /// Regional director (formerly RSC) region, where published.
    pub rsc_region: Option<String>,
}
