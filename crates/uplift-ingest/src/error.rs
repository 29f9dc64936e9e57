//! Typed errors: fatal file-level errors and row-level rejections.

use std::fmt;

/// A file-level problem: the file cannot be read as this kind at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (no header line).
    #[error("{file}: the file is empty; expected a {kind} header line")]
    Empty {
        /// File name.
        file: String,
        /// The kind that was expected.
        kind: &'static str,
    },
    /// The header is not one of the layouts this reader knows (or the file is of another kind).
    #[error("{file}: not a recognised {kind} file: missing columns {} (closest layout: {layout})", .missing.join(", "))]
    UnrecognisedHeader {
        /// File name.
        file: String,
        /// The kind that was expected.
        kind: &'static str,
        /// The known layout that came closest.
        layout: &'static str,
        /// The columns of that layout that the header lacks.
        missing: Vec<String>,
    },
    /// A header name could not be decoded or is damaged.
    #[error("{file}: line 1: header column {column}: {reason}")]
    BadHeader {
        /// File name.
        file: String,
        /// 1-based column number.
        column: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The last row of the file ends early: the file was cut off.
    TruncatedFinalRow {
        /// Fields found.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A row (not the last) has the wrong number of fields.
    WrongFieldCount {
        /// Fields found.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A byte that Windows-1252 does not define (0x81, 0x8D, 0x8F, 0x90, 0x9D).
    UndecodableByte {
        /// The byte.
        byte: u8,
    },
    /// Invalid UTF-8 in a file detected as UTF-8 (only if the file changed while being read).
    InvalidUtf8,
    /// The field already holds U+FFFD REPLACEMENT CHARACTER: the file was decoded lossily
    /// before it reached us, and the original character is lost.
    ReplacementCharacter {
        /// The damaged value, with U+FFFD shown as `\u{fffd}`.
        value: String,
    },
    /// A required value is missing.
    Missing,
    /// A date is not `dd-mm-yyyy`, `dd/mm/yyyy` or `yyyy-mm-dd`, or is not a real date.
    MalformedDate {
        /// The value.
        value: String,
    },
    /// A value is not valid for its column.
    Invalid {
        /// The value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// The key (URN, or group UID) already appeared in an earlier row of this file.
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// Reading the file failed part-way (fatal: the reader stops after this).
    Io(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TruncatedFinalRow { found, expected } => write!(
                f,
                "truncated final row: {found} of {expected} fields (the file appears cut off)"
            ),
            Reason::WrongFieldCount { found, expected } => {
                write!(f, "row has {found} fields; the header has {expected}")
            }
            Reason::UndecodableByte { byte } => write!(
                f,
                "byte 0x{byte:02X} is not a Windows-1252 character (wrong encoding?)"
            ),
            Reason::InvalidUtf8 => write!(f, "invalid UTF-8"),
            Reason::ReplacementCharacter { value } => write!(
                f,
                "value {value:?} contains U+FFFD replacement characters: the file was damaged by a lossy decoding before publication here"
            ),
            Reason::Missing => write!(f, "value is required but missing"),
            Reason::MalformedDate { value } => write!(
                f,
                "malformed date {value:?}: expected dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd"
            ),
            Reason::Invalid { value, expected } => {
                write!(f, "invalid value {value:?}: expected {expected}")
            }
            Reason::DuplicateKey { key } => {
                write!(f, "duplicate {key}: an earlier row of this file has the same key")
            }
            Reason::Io(e) => write!(f, "read error: {e}"),
        }
    }
}

/// A rejected row: which file, which line, which field, and why.
///
/// Rejected rows are not fatal: the reader carries on with the next row (except for
/// [`Reason::Io`], after which it stops). Callers count and list them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: line {line}{}: {reason}", .field.as_ref().map(|f| format!(", field {f:?}")).unwrap_or_default())]
pub struct RowError {
    /// File name as given to the reader.
    pub file: String,
    /// 1-based line number where the row starts.
    pub line: u64,
    /// The column name, when one field is at fault.
    /// The column at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: Reason,
}

impl RowError {
    /// True when the reader cannot continue (an I/O error part-way through the file).
    pub fn is_fatal(&self) -> bool {
        matches!(self.reason, Reason::Io(_))
    }
}

/// A row problem before the file and line are attached.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The column at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: Reason,
}

impl Problem {
    pub(crate) fn new(field: &str, reason: Reason) -> Self {
        Problem {
            field: Some(field.to_owned()),
            reason,
        }
    }
}
