//! KINDs `gias-links`, `gias-groups` and `gias-group-links`.

use crate::error::{IngestError, Problem, Reason};
use crate::gias::{opt_la, urn};
use crate::reader::{Col, Header, Layout, Parse, Reader, Row};
use std::io::{Read, Seek};
use uplift_domain::register::{
    EstablishmentLink, Group, GroupLink, GroupStatus, GroupUid, LinkType,
};

/// Layouts of `gias-links`.
pub const LINK_LAYOUTS: &[Layout] = &[Layout {
    name: "links_edubasealldata",
    required: &["URN", "LinkURN", "LinkType", "LinkEstablishedDate"],
}];

/// Layouts of `gias-groups`. The pandas re-save in shared/data has the same columns,
/// ISO dates and `1900-01-01` for unknown dates.
pub const GROUP_LAYOUTS: &[Layout] = &[Layout {
    name: "allgroupsdata",
    required: &[
        "Group UID",
        "Group Name",
        "Group Type",
        "Group Status",
        "Group Postcode|Group Contact Postcode",
    ],
}];

/// Layouts of `gias-group-links`. The pandas re-save adds an unnamed index column first.
pub const GROUP_LINK_LAYOUTS: &[Layout] = &[Layout {
    name: "alllinksdata (group links)",
    required: &["URN", "Group UID", "Joined date|Date joined group"],
}];

fn uid(row: &Row<'_>, col: Col) -> Result<GroupUid, Problem> {
    let v = row.required(col, "Group UID")?;
    GroupUid::parse(v).map_err(|e| {
        row.problem(
            col,
            Reason::Invalid {
                value: v.to_owned(),
                expected: e.to_string(),
            },
        )
    })
}

/// Column positions for `gias-links`.
pub struct LinkParser {
    urn: Col,
    link_urn: Col,
    link_name: Col,
    link_type: Col,
    date: Col,
}

impl Parse for LinkParser {
    type Output = EstablishmentLink;
    fn parse(&mut self, r: &Row<'_>) -> Result<EstablishmentLink, Problem> {
        Ok(EstablishmentLink {
            urn: urn(r, self.urn, "URN")?,
            linked_urn: urn(r, self.link_urn, "LinkURN")?,
            linked_name: r.text(self.link_name),
            link_type: LinkType::from_name(r.required(self.link_type, "LinkType")?),
            established: r.date(self.date, false)?,
        })
    }
}

/// Reads GIAS establishment links (`links_edubasealldata*.csv`). A URN may appear on many
/// rows (one per link), so there is no duplicate check.
pub fn read_links<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, LinkParser>, IngestError> {
    Reader::open(file, "gias-links", input, LINK_LAYOUTS, |h, _| LinkParser {
        urn: h.find("URN"),
        link_urn: h.find("LinkURN"),
        link_name: h.find("LinkName"),
        link_type: h.find("LinkType"),
        date: h.find("LinkEstablishedDate"),
    })
}

/// Column positions for `gias-groups`.
pub struct GroupParser {
    uid: Col,
    id: Col,
    name: Col,
    ch: Col,
    type_code: Col,
    type_name: Col,
    status: Col,
    open: Col,
    closed: Col,
    incorporated: Col,
    street: Col,
    town: Col,
    postcode: Col,
    head: [Col; 3],
    ukprn: Col,
}

impl GroupParser {
    fn new(h: &Header) -> Self {
        GroupParser {
            uid: h.find("Group UID"),
            id: h.find("Group ID"),
            name: h.find("Group Name"),
            ch: h.find("Companies House Number"),
            type_code: h.find("Group Type (code)"),
            type_name: h.find("Group Type"),
            status: h.find("Group Status"),
            open: h.find_any(&["Open date", "Group Open Date"]),
            closed: h.find_any(&["Closed Date", "Group Closed Date"]),
            incorporated: h.find("Incorporated on (open date)"),
            street: h.find_any(&["Group Street", "Group Contact Street"]),
            town: h.find_any(&["Group Town", "Group Contact Town"]),
            postcode: h.find_any(&["Group Postcode", "Group Contact Postcode"]),
            head: [
                h.find("Head of Group Title"),
                h.find("Head of Group First Name"),
                h.find("Head of Group Last Name"),
            ],
            ukprn: h.find("UKPRN"),
        }
    }
}

impl Parse for GroupParser {
    type Output = Group;
    fn parse(&mut self, r: &Row<'_>) -> Result<Group, Problem> {
        let head: Vec<&str> = self
            .head
            .iter()
            .filter_map(|c| r.get(*c))
            .filter(|v| !v.eq_ignore_ascii_case("not recorded"))
            .collect();
        Ok(Group {
            uid: uid(r, self.uid)?,
            group_id: r.text(self.id),
            name: r.required(self.name, "Group Name")?.to_owned(),
            companies_house_number: r.text(self.ch),
            group_type_code: r.text(self.type_code),
            group_type: r.text(self.type_name),
            status: GroupStatus::from_name(r.raw(self.status)),
            open_date: r.date(self.open, true)?,
            closed_date: r.date(self.closed, true)?,
            incorporated_on: r.date(self.incorporated, true)?,
            street: r.text(self.street),
            town: r.text(self.town),
            postcode: r.text(self.postcode),
            head_of_group: (!head.is_empty()).then(|| head.join(" ")),
            ukprn: r.text(self.ukprn),
        })
    }
    fn key(&self, g: &Group) -> Option<(&'static str, u32)> {
        Some(("Group UID", g.uid.get()))
    }
}

/// Reads GIAS groups (`allgroupsdata.csv`, or the pandas re-save). Dates may be GIAS
/// `dd-mm-yyyy` or ISO; `1900-01-01` means unknown. Group UIDs must be unique.
pub fn read_groups<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, GroupParser>, IngestError> {
    Reader::open(file, "gias-groups", input, GROUP_LAYOUTS, |h, _| {
        GroupParser::new(h)
    })
}

/// Column positions for `gias-group-links`.
pub struct GroupLinkParser {
    urn: Col,
    uid: Col,
    joined: Col,
    group_name: Col,
    group_type: Col,
    est_name: Col,
    la: Col,
}

impl Parse for GroupLinkParser {
    type Output = GroupLink;
    fn parse(&mut self, r: &Row<'_>) -> Result<GroupLink, Problem> {
        Ok(GroupLink {
            urn: urn(r, self.urn, "URN")?,
            group_uid: uid(r, self.uid)?,
            joined: r.date(self.joined, true)?,
            group_name: r.text(self.group_name),
            group_type: r.text(self.group_type),
            establishment_name: r.text(self.est_name),
            la_code: opt_la(r, self.la)?,
        })
    }
}

/// Reads GIAS group links (`alllinksdata.csv`, or the pandas re-save with its unnamed
/// index column, which is ignored). An establishment may belong to several groups, so
/// there is no duplicate check on URN.
pub fn read_group_links<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, GroupLinkParser>, IngestError> {
    Reader::open(
        file,
        "gias-group-links",
        input,
        GROUP_LINK_LAYOUTS,
        |h, _| GroupLinkParser {
            urn: h.find("URN"),
            uid: h.find("Group UID"),
            joined: h.find_any(&["Joined date", "Date joined group"]),
            group_name: h.find("Group Name"),
            group_type: h.find("Group Type"),
            est_name: h.find("EstablishmentName"),
            la: h.find("LA (code)"),
        },
    )
}
