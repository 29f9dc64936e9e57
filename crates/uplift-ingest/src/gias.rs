//! KIND `gias`: GIAS establishment files, `edubasealldata` (full width) and
//! `edubaseallstatefunded` (reduced, 33 columns). Windows-1252, `dd-mm-yyyy`.

use crate::error::{IngestError, Problem, Reason};
use crate::reader::{Col, Header, Layout, Parse, Reader, Row};
use std::io::{Read, Seek};
use uplift_domain::register::{EstablishmentStatus, Governance, LaCode, School, SixthForm, Urn};

/// The layouts this reader recognises (the first whose columns are all present wins).
pub const LAYOUTS: &[Layout] = &[
    Layout {
        name: "edubasealldata",
        required: &[
            "URN",
            "LA (code)",
            "EstablishmentName",
            "TypeOfEstablishment (code)",
            "TypeOfEstablishment (name)",
            "EstablishmentStatus (name)",
            "PhaseOfEducation (name)",
            "NumberOfPupils",
            "Trusts (name)",
            "OpenDate",
            "CloseDate",
        ],
    },
    Layout {
        name: "edubaseallstatefunded",
        required: &[
            "URN",
            "LA (code)",
            "EstablishmentNumber",
            "EstablishmentName",
            "TypeOfEstablishment (name)",
            "EstablishmentStatus (name)",
            "PhaseOfEducation (name)",
            "OpenDate",
        ],
    },
];

/// Column positions for the `gias` kind.
pub struct GiasParser {
    urn: Col,
    la_code: Col,
    la_name: Col,
    estab: Col,
    name: Col,
    type_code: Col,
    type_name: Col,
    type_group: Col,
    status: Col,
    phase: Col,
    low_age: Col,
    high_age: Col,
    sixth_form: Col,
    gender: Col,
    religious_character: Col,
    diocese: Col,
    admissions: Col,
    pupils: Col,
    capacity: Col,
    fsm: Col,
    trust: Col,
    trust_code: Col,
    sponsor: Col,
    federation: Col,
    ukprn: Col,
    open_date: Col,
    close_date: Col,
    reason_opened: Col,
    reason_closed: Col,
    head_title: Col,
    head_first: Col,
    head_last: Col,
    head_job: Col,
    head_start: Col,
    street: Col,
    locality: Col,
    address3: Col,
    town: Col,
    county: Col,
    postcode: Col,
    website: Col,
    telephone: Col,
    region: Col,
    constituency: Col,
    ofsted_last: Col,
    ofsted_rating: Col,
    special_measures: Col,
    last_changed: Col,
    rsc_region: Col,
}

impl GiasParser {
    fn new(h: &Header) -> Self {
        let c = |n: &[&str]| h.find_any(n);
        GiasParser {
            urn: c(&["URN"]),
            la_code: c(&["LA (code)"]),
            la_name: c(&["LA (name)"]),
            estab: c(&["EstablishmentNumber"]),
            name: c(&["EstablishmentName"]),
            type_code: c(&["TypeOfEstablishment (code)"]),
            type_name: c(&["TypeOfEstablishment (name)"]),
            type_group: c(&["EstablishmentTypeGroup (name)"]),
            status: c(&["EstablishmentStatus (name)"]),
            phase: c(&["PhaseOfEducation (name)"]),
            low_age: c(&["StatutoryLowAge"]),
            high_age: c(&["StatutoryHighAge"]),
            sixth_form: c(&["OfficialSixthForm (name)"]),
            gender: c(&["Gender (name)"]),
            religious_character: c(&["ReligiousCharacter (name)"]),
            diocese: c(&["Diocese (name)"]),
            admissions: c(&["AdmissionsPolicy (name)"]),
            pupils: c(&["NumberOfPupils"]),
            capacity: c(&["SchoolCapacity"]),
            fsm: c(&["PercentageFSM"]),
            trust: c(&["Trusts (name)"]),
            trust_code: c(&["Trusts (code)"]),
            sponsor: c(&["SchoolSponsors (name)"]),
            federation: c(&["Federations (name)"]),
            ukprn: c(&["UKPRN"]),
            open_date: c(&["OpenDate"]),
            close_date: c(&["CloseDate"]),
            reason_opened: c(&["ReasonEstablishmentOpened (name)"]),
            reason_closed: c(&["ReasonEstablishmentClosed (name)"]),
            head_title: c(&["HeadTitle (name)"]),
            head_first: c(&["HeadFirstName"]),
            head_last: c(&["HeadLastName"]),
            head_job: c(&["HeadPreferredJobTitle"]),
            head_start: c(&["HeadStartDate", "HeadTeacherStartDate"]),
            street: c(&["Street"]),
            locality: c(&["Locality"]),
            address3: c(&["Address3"]),
            town: c(&["Town"]),
            county: c(&["County (name)"]),
            postcode: c(&["Postcode"]),
            website: c(&["SchoolWebsite"]),
            telephone: c(&["TelephoneNum"]),
            region: c(&["GOR (name)"]),
            constituency: c(&["ParliamentaryConstituency (name)"]),
            ofsted_last: c(&["OfstedLastInsp"]),
            ofsted_rating: c(&["OfstedRating (name)"]),
            special_measures: c(&["OfstedSpecialMeasures (name)"]),
            last_changed: c(&["LastChangedDate"]),
            rsc_region: c(&["RSCRegion (name)"]),
        }
    }
}

/// Drops GIAS's placeholder values ("Not applicable", "Not recorded") from descriptive fields.
fn meaningful(v: Option<String>) -> Option<String> {
    v.filter(|s| {
        let l = s.to_ascii_lowercase();
        l != "not applicable" && l != "not recorded" && l != "does not apply"
    })
}

pub(crate) fn urn(row: &Row<'_>, col: Col, name: &str) -> Result<Urn, Problem> {
    let v = row.required(col, name)?;
    Urn::parse(v).map_err(|e| {
        row.problem(
            col,
            Reason::Invalid {
                value: v.to_owned(),
                expected: e.to_string(),
            },
        )
    })
}

pub(crate) fn opt_urn(row: &Row<'_>, col: Col) -> Result<Option<Urn>, Problem> {
    row.parse_with(col, "a URN (1 to 7 digits)", |v| Urn::parse(v).ok())
}

pub(crate) fn la(row: &Row<'_>, col: Col, name: &str) -> Result<LaCode, Problem> {
    let v = row.required(col, name)?;
    LaCode::parse(v).map_err(|e| {
        row.problem(
            col,
            Reason::Invalid {
                value: v.to_owned(),
                expected: e.to_string(),
            },
        )
    })
}

pub(crate) fn opt_la(row: &Row<'_>, col: Col) -> Result<Option<LaCode>, Problem> {
    row.parse_with(col, "a three-digit LA code", |v| LaCode::parse(v).ok())
}

impl Parse for GiasParser {
    type Output = School;

    fn parse(&mut self, r: &Row<'_>) -> Result<School, Problem> {
        let type_name = r.text(self.type_name);
        let governance = type_name
            .as_deref()
            .map(Governance::from_type_name)
            .unwrap_or(Governance::Other);
        Ok(School {
            urn: urn(r, self.urn, "URN")?,
            la_code: la(r, self.la_code, "LA (code)")?,
            la_name: r.text(self.la_name),
            establishment_number: r.u32(self.estab)?,
            name: r.required(self.name, "EstablishmentName")?.to_owned(),
            type_code: r.text(self.type_code),
            type_name,
            type_group: r.text(self.type_group),
            governance,
            status: r
                .get(self.status)
                .map(EstablishmentStatus::from_name)
                .unwrap_or(EstablishmentStatus::Other(String::new())),
            phase: meaningful(r.text(self.phase)),
            statutory_low_age: r.u8(self.low_age)?,
            statutory_high_age: r.u8(self.high_age)?,
            sixth_form: r
                .get(self.sixth_form)
                .map(SixthForm::from_name)
                .unwrap_or(SixthForm::Unknown),
            gender: meaningful(r.text(self.gender)),
            religious_character: meaningful(r.text(self.religious_character)),
            diocese: meaningful(r.text(self.diocese)),
            admissions_policy: meaningful(r.text(self.admissions)),
            number_on_roll: r.u32(self.pupils)?,
            capacity: r.u32(self.capacity)?,
            percentage_fsm: r.f64(self.fsm)?,
            trust: r.text(self.trust),
            trust_code: r.text(self.trust_code),
            sponsor: r.text(self.sponsor),
            federation: r.text(self.federation),
            ukprn: r.u32(self.ukprn)?,
            open_date: r.date(self.open_date, false)?,
            close_date: r.date(self.close_date, false)?,
            reason_opened: meaningful(r.text(self.reason_opened)),
            reason_closed: meaningful(r.text(self.reason_closed)),
            head_title: meaningful(r.text(self.head_title)),
            head_first_name: r.text(self.head_first),
            head_last_name: r.text(self.head_last),
            head_job_title: r.text(self.head_job),
            head_start_date: r.date(self.head_start, false)?,
            street: r.text(self.street),
            locality: r.text(self.locality),
            address3: r.text(self.address3),
            town: r.text(self.town),
            county: meaningful(r.text(self.county)),
            postcode: r.text(self.postcode),
            website: r.text(self.website),
            telephone: r.text(self.telephone),
            region: r.text(self.region),
            parliamentary_constituency: r.text(self.constituency),
            ofsted_last_inspection: r.date(self.ofsted_last, false)?,
            ofsted_rating: r.text(self.ofsted_rating),
            ofsted_special_measures: meaningful(r.text(self.special_measures)),
            last_changed_date: r.date(self.last_changed, false)?,
            rsc_region: r.text(self.rsc_region),
        })
    }

    fn key(&self, s: &School) -> Option<(&'static str, u32)> {
        Some(("URN", s.urn.get()))
    }
}

/// Reads a GIAS establishment file (`edubasealldata` or `edubaseallstatefunded`).
pub fn read<R: Read + Seek>(file: &str, input: R) -> Result<Reader<R, GiasParser>, IngestError> {
    Reader::open(file, "gias", input, LAYOUTS, |h, _| GiasParser::new(h))
}
