//! Establishment links, groups and group links (GIAS).

use super::{Date, GroupUid, LaCode, Urn};
use serde::{Deserialize, Serialize};

/// The kind of link between two establishments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkType {
    /// "Predecessor": the linked URN came before this one.
    Predecessor,
    /// "Successor": the linked URN came after this one.
    Successor,
    /// "Predecessor - merged".
    PredecessorMerged,
    /// "Successor - merged".
    SuccessorMerged,
    /// "Predecessor - amalgamated".
    PredecessorAmalgamated,
    /// "Successor - amalgamated".
    SuccessorAmalgamated,
    /// "Result of Amalgamation".
    ResultOfAmalgamation,
    /// "Predecessor - Split School".
    PredecessorSplit,
    /// "Successor - Split School".
    SuccessorSplit,
    /// "Sixth Form Centre School".
    SixthFormCentreSchool,
    /// "Sixth Form Centre Link".
    SixthFormCentreLink,
    /// Any other published wording, kept as published.
    Other(String),
}

impl LinkType {
    /// Maps the GIAS `LinkType` text.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "predecessor" => Self::Predecessor,
            "successor" => Self::Successor,
            "predecessor - merged" => Self::PredecessorMerged,
            "successor - merged" => Self::SuccessorMerged,
            "predecessor - amalgamated" => Self::PredecessorAmalgamated,
            "successor - amalgamated" => Self::SuccessorAmalgamated,
            "result of amalgamation" => Self::ResultOfAmalgamation,
            "predecessor - split school" => Self::PredecessorSplit,
            "successor - split school" => Self::SuccessorSplit,
            "sixth form centre school" => Self::SixthFormCentreSchool,
            "sixth form centre link" => Self::SixthFormCentreLink,
            _ => Self::Other(name.trim().to_owned()),
        }
    }

    /// True when the linked establishment came before this one (its history continues here).
    pub fn is_predecessor(&self) -> bool {
        matches!(
            self,
            Self::Predecessor
                | Self::PredecessorMerged
                | Self::PredecessorAmalgamated
                | Self::PredecessorSplit
        )
    }

    /// True when the linked establishment came after this one.
    pub fn is_successor(&self) -> bool {
        matches!(
            self,
            Self::Successor
                | Self::SuccessorMerged
                | Self::SuccessorAmalgamated
                | Self::SuccessorSplit
                | Self::ResultOfAmalgamation
        )
    }
}

/// One row of GIAS "All establishment links".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstablishmentLink {
    /// The establishment.
    pub urn: Urn,
    /// The linked establishment.
    pub linked_urn: Urn,
    /// The linked establishment's name.
    pub linked_name: Option<String>,
    /// How they are linked.
    pub link_type: LinkType,
    /// When the link was established, if recorded.
    pub established: Option<Date>,
}

/// Whether a group is open or closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupStatus {
    /// Open.
    Open,
    /// Closed.
    Closed,
    /// Proposed to open.
    ProposedToOpen,
    /// Any other published wording.
    Other(String),
}

impl GroupStatus {
    /// Maps `Group Status` text (or the `OPEN`/`CLOSED` codes).
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "open" => Self::Open,
            "closed" => Self::Closed,
            "proposed to open" | "proposed_to_open" => Self::ProposedToOpen,
            _ => Self::Other(name.trim().to_owned()),
        }
    }
}

/// A GIAS group: multi-academy trust, single-academy trust, sponsor, federation, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Group UID (the key group links refer to).
    pub uid: GroupUid,
    /// Group ID, e.g. "TR00001", where present.
    pub group_id: Option<String>,
    /// Group name.
    pub name: String,
    /// Companies House number.
    pub companies_house_number: Option<String>,
    /// Group type code.
    pub group_type_code: Option<String>,
    /// Group type, e.g. "Multi-academy trust".
    pub group_type: Option<String>,
    /// Status.
    pub status: GroupStatus,
    /// Open date.
    pub open_date: Option<Date>,
    /// Closed date.
    pub closed_date: Option<Date>,
    /// Incorporated on (open date).
    pub incorporated_on: Option<Date>,
    /// Address: street.
    pub street: Option<String>,
    /// Address: town.
    pub town: Option<String>,
    /// Address: postcode.
    pub postcode: Option<String>,
    /// Head of group: title, first name and last name joined with spaces.
    pub head_of_group: Option<String>,
    /// UKPRN.
    pub ukprn: Option<String>,
}

/// A link from an establishment to a group (GIAS "All group links").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLink {
    /// The establishment.
    pub urn: Urn,
    /// The group.
    pub group_uid: GroupUid,
    /// When the establishment joined, if known.
    pub joined: Option<Date>,
    /// Group name as given on the link row.
    pub group_name: Option<String>,
    /// Group type as given on the link row.
    pub group_type: Option<String>,
    /// Establishment name as given on the link row.
    pub establishment_name: Option<String>,
    /// Establishment's LA code as given on the link row.
    pub la_code: Option<LaCode>,
}
