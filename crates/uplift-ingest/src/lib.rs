//! Streaming readers of the published data formats: GIAS, Ofsted and DfE statistics.
//!
//! # Using a reader
//!
//! Each KIND of file has a reader function taking a file name (used in messages) and any
//! `Read + Seek` input, e.g. [`gias::read`], [`links::read_links`], [`perf::read_ks2`].
//! [`read_any`] and [`open`] dispatch on a [`Kind`]. Opening a reader
//!
//! 1. scans the file once to detect its encoding (see below) and rewinds it;
//! 2. reads the header and recognises the layout. A header that matches no known layout
//!    (including a file of another kind) is a fatal [`IngestError::UnrecognisedHeader`]
//!    listing the missing columns of the closest layout.
//!
//! The reader is then an iterator of `Result<Record<T>, RowError>`: a [`Record`] carries the
//! 1-based line number and the typed value; a [`RowError`] is a *rejected row* naming file,
//! line, field and reason. Rejected rows are not fatal: count them, list them, carry on. Only
//! [`RowError::is_fatal`] errors (I/O failure part-way) end the iteration.
//!
//! Memory does not grow with the file: rows are parsed one at a time from the byte stream
//! (one row of look-ahead detects a truncated final row).
//!
//! # Encoding policy
//!
//! Per file: if every byte is valid UTF-8 (with or without a BOM) the file is UTF-8;
//! otherwise it is Windows-1252 (GIAS publishes cp1252). Rows are never silently damaged:
//! - in a Windows-1252 file, a field holding one of the five bytes cp1252 does not define
//!   (0x81, 0x8D, 0x8F, 0x90, 0x9D) rejects the row ([`Reason::UndecodableByte`]);
//! - in a UTF-8 file, a field that already contains U+FFFD REPLACEMENT CHARACTER (a copy
//!   that was decoded lossily before it reached us, like the 2025-07-27 GIAS links copy)
//!   rejects the row ([`Reason::ReplacementCharacter`]), showing the damaged value.
//!
//! A rejected row is reported with file, line and field; nothing with a replacement
//! character ever reaches a record.
//!
//! # Other row checks
//!
//! Blank lines are skipped. A row with the wrong number of fields is rejected; if it is the
//! last row and short, it is reported as a truncated final row. A repeated key (URN; group
//! UID for groups) within one file rejects the later row. Dates must be `dd-mm-yyyy`,
//! `dd/mm/yyyy` or `yyyy-mm-dd`; anything else rejects the row naming the field. Values
//! `NULL` and empty are treated as missing.
//!
//! # LA codes
//!
//! Every record that has an LA code exposes it (`la_code`), so the caller can filter with
//! `--la`. The KS2 column subset has no LA column: join its school rows to the register on
//! URN, and use [`uplift_domain::register::PerformanceRecord::la_block`] for its LA totals.

pub mod error;
pub mod gias;
pub mod links;
pub mod ofsted;
pub mod perf;
pub mod reader;

pub use error::{IngestError, Problem, Reason, RowError};
pub use reader::{detect_encoding, parse_date, Encoding, Header, Layout, Parse, Reader, Record};

use std::fmt;
use std::io::{Read, Seek};
use std::path::Path;
use std::str::FromStr;
use uplift_domain::register::{
    AbsenceRecord, CensusRecord, EstablishmentLink, Group, GroupLink, OfstedRecord,
    PerformanceRecord, School, SpcRecord,
};

/// The kinds of file `uplift import KIND FILE` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// GIAS establishments (`edubasealldata`, `edubaseallstatefunded`).
    Gias,
    /// GIAS establishment links.
    GiasLinks,
    /// GIAS groups (trusts, sponsors, federations).
    GiasGroups,
    /// GIAS group links (URN → group UID).
    GiasGroupLinks,
    /// DfE "Schools, pupils and their characteristics" school-level file.
    Spc,
    /// Ofsted latest-inspections management information.
    Ofsted,
    /// KS2 performance tables.
    Ks2,
    /// KS4 performance tables.
    Ks4,
    /// Performance-tables census (pupil characteristics).
    Census,
    /// Performance-tables absence.
    Absence,
}

impl Kind {
    /// Every kind, in import order (register first).
    pub const ALL: [Kind; 10] = [
        Kind::Gias,
        Kind::GiasLinks,
        Kind::GiasGroups,
        Kind::GiasGroupLinks,
        Kind::Spc,
        Kind::Ofsted,
        Kind::Ks2,
        Kind::Ks4,
        Kind::Census,
        Kind::Absence,
    ];

    /// The command-line name, e.g. `"gias-links"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gias => "gias",
            Kind::GiasLinks => "gias-links",
            Kind::GiasGroups => "gias-groups",
            Kind::GiasGroupLinks => "gias-group-links",
            Kind::Spc => "spc",
            Kind::Ofsted => "ofsted",
            Kind::Ks2 => "ks2",
            Kind::Ks4 => "ks4",
            Kind::Census => "census",
            Kind::Absence => "absence",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown KIND name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?}; expected one of gias, gias-links, gias-groups, gias-group-links, spc, ofsted, ks2, ks4, census, absence")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, UnknownKind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A record of any kind (for callers that dispatch on [`Kind`] at run time).
#[derive(Debug, Clone, PartialEq)]
pub enum AnyRecord {
    /// From `gias`.
    School(Box<School>),
    /// From `gias-links`.
    Link(EstablishmentLink),
    /// From `gias-groups`.
    Group(Group),
    /// From `gias-group-links`.
    GroupLink(GroupLink),
    /// From `spc`.
    Spc(Box<SpcRecord>),
    /// From `ofsted`.
    Ofsted(Box<OfstedRecord>),
    /// From `ks2` or `ks4`.
    Performance(Box<PerformanceRecord>),
    /// From `census`.
    Census(Box<CensusRecord>),
    /// From `absence`.
    Absence(AbsenceRecord),
}

/// A type-erased reader: what [`read_any`] returns.
pub struct AnyReader<'a> {
    /// The recognised layout.
    pub layout: &'static str,
    /// The detected encoding.
    pub encoding: Encoding,
    /// The records and rejected rows.
    pub rows: Box<dyn Iterator<Item = Result<Record<AnyRecord>, RowError>> + 'a>,
}

impl Iterator for AnyReader<'_> {
    type Item = Result<Record<AnyRecord>, RowError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn erase<'a, R, P, F>(reader: Reader<R, P>, f: F) -> AnyReader<'a>
where
    R: Read + 'a,
    P: Parse + 'a,
    F: Fn(P::Output) -> AnyRecord + 'a,
{
    AnyReader {
        layout: reader.layout(),
        encoding: reader.encoding(),
        rows: Box::new(reader.map(move |r| {
            r.map(|rec| Record {
                line: rec.line,
                value: f(rec.value),
            })
        })),
    }
}

/// Opens a reader of the given kind over any seekable input.
pub fn read_any<'a, R: Read + Seek + 'a>(
    kind: Kind,
    file: &str,
    input: R,
) -> Result<AnyReader<'a>, IngestError> {
    Ok(match kind {
        Kind::Gias => erase(gias::read(file, input)?, |s| AnyRecord::School(Box::new(s))),
        Kind::GiasLinks => erase(links::read_links(file, input)?, AnyRecord::Link),
        Kind::GiasGroups => erase(links::read_groups(file, input)?, AnyRecord::Group),
        Kind::GiasGroupLinks => erase(links::read_group_links(file, input)?, AnyRecord::GroupLink),
        Kind::Spc => erase(perf::read_spc(file, input)?, |s| {
            AnyRecord::Spc(Box::new(s))
        }),
        Kind::Ofsted => erase(ofsted::read(file, input)?, |s| {
            AnyRecord::Ofsted(Box::new(s))
        }),
        Kind::Ks2 => erase(perf::read_ks2(file, input)?, |s| {
            AnyRecord::Performance(Box::new(s))
        }),
        Kind::Ks4 => erase(perf::read_ks4(file, input)?, |s| {
            AnyRecord::Performance(Box::new(s))
        }),
        Kind::Census => erase(perf::read_census(file, input)?, |s| {
            AnyRecord::Census(Box::new(s))
        }),
        Kind::Absence => erase(perf::read_absence(file, input)?, AnyRecord::Absence),
    })
}

/// Opens a file from disk with a buffered reader, naming it by its path in messages.
pub fn open(kind: Kind, path: &Path) -> Result<AnyReader<'static>, IngestError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        file: name.clone(),
        source,
    })?;
    read_any(kind, &name, std::io::BufReader::new(file))
}
