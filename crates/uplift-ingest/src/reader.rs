//! The streaming engine shared by every reader: encoding detection, CSV parsing on
//! bytes, header recognition, per-field decoding, row checks and duplicate keys.

use crate::error::{IngestError, Problem, Reason, RowError};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{Read, Seek, SeekFrom};

/// The text encoding detected for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The whole file is valid UTF-8 (a leading byte-order mark is allowed and ignored).
    Utf8,
    /// The file is not valid UTF-8 and is decoded as Windows-1252 (GIAS publishes cp1252).
    Windows1252,
}

/// Scans the input once, in fixed-size chunks, to decide its encoding, then rewinds it.
pub fn detect_encoding<R: Read + Seek>(input: &mut R) -> std::io::Result<Encoding> {
    let mut buf = vec![0u8; 64 * 1024];
    // Bytes of an incomplete UTF-8 sequence carried over from the previous chunk (at most 3).
    let mut carry: Vec<u8> = Vec::with_capacity(4);
    let mut result = Encoding::Utf8;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            if !carry.is_empty() {
                result = Encoding::Windows1252;
            }
            break;
        }
        let mut chunk = std::mem::take(&mut carry);
        chunk.extend_from_slice(&buf[..n]);
        match std::str::from_utf8(&chunk) {
            Ok(_) => {}
            Err(e) => match e.error_len() {
                Some(_) => {
                    result = Encoding::Windows1252;
                    break;
                }
                None => carry = chunk[e.valid_up_to()..].to_vec(),
            },
        }
    }
    input.seek(SeekFrom::Start(0))?;
    Ok(result)
}

/// Wraps the input to number lines independently of the CSV parser (whose own line
/// numbers drift on CRLF files and after blank lines). It remembers where each non-blank
/// line starts; the reader consumes these as records are read, so only the lines inside
/// the parser's read-ahead buffer are ever held.
struct LineTracker<R> {
    inner: R,
    offset: u64,
    line: u64,
    at_line_start: bool,
    pending_cr: bool,
    starts: VecDeque<(u64, u64)>,
}

impl<R> LineTracker<R> {
    fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            line: 1,
            at_line_start: true,
            pending_cr: false,
            starts: VecDeque::new(),
        }
    }

    /// The 1-based line of the first non-blank line starting at or after byte `pos`.
    fn line_at(&mut self, pos: u64) -> u64 {
        while let Some(&(o, _)) = self.starts.front() {
            if o < pos {
                self.starts.pop_front();
            } else {
                break;
            }
        }
        self.starts.front().map(|&(_, l)| l).unwrap_or(self.line)
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            // A lone CR (old Mac line ending) ends a line too, as it does for the CSV parser.
            if self.pending_cr && b != b'\n' {
                self.line += 1;
                self.at_line_start = true;
            }
            self.pending_cr = b == b'\r';
            match b {
                b'\n' => {
                    self.line += 1;
                    self.at_line_start = true;
                }
                b'\r' => {}
                _ if self.at_line_start => {
                    self.starts.push_back((self.offset, self.line));
                    self.at_line_start = false;
                }
                _ => {}
            }
            self.offset += 1;
        }
        Ok(n)
    }
}

/// Lower-cases, drops a BOM and collapses runs of white space, so that header lookups
/// tolerate the double space in `Latest OEIF  safeguarding is effective?` and case changes.
pub(crate) fn normalise(name: &str) -> String {
    let name = name.trim_start_matches('\u{feff}');
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// A file's header line.
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub(crate) fn new(names: Vec<String>) -> Self {
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(normalise(n)).or_insert(i);
        }
        Header { names, index }
    }

    /// The column names as published (BOM removed).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Finds a column by name (case- and space-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&normalise(name)).copied()
    }

    /// Finds the first of several alternative names.
    pub fn find_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.find(n))
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn name(&self, i: usize) -> &str {
        self.names.get(i).map(String::as_str).unwrap_or("?")
    }
}

/// A known layout of a kind: a name and the columns that identify it.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Short name, e.g. `"edubasealldata"`.
    pub name: &'static str,
    /// Columns that must all be present. Each entry may list alternatives separated by `|`.
    pub required: &'static [&'static str],
}

/// Picks the first layout whose required columns are all present, or reports the closest.
pub(crate) fn recognise(
    file: &str,
    kind: &'static str,
    header: &Header,
    layouts: &[Layout],
) -> Result<Layout, IngestError> {
    let mut best: Option<(Layout, Vec<String>)> = None;
    for layout in layouts {
        let missing: Vec<String> = layout
            .required
            .iter()
            .filter(|req| {
                header
                    .find_any(&req.split('|').collect::<Vec<_>>())
                    .is_none()
            })
            .map(|req| req.split('|').next().unwrap_or(req).to_owned())
            .collect();
        if missing.is_empty() {
            return Ok(*layout);
        }
        if best.as_ref().is_none_or(|(_, m)| missing.len() < m.len()) {
            best = Some((*layout, missing));
        }
    }
    let (layout, missing) = best.unwrap_or((
        Layout {
            name: "none",
            required: &[],
        },
        Vec::new(),
    ));
    Err(IngestError::UnrecognisedHeader {
        file: file.to_owned(),
        kind,
        layout: layout.name,
        missing,
    })
}

/// One decoded row handed to a parser.
pub struct Row<'a> {
    pub(crate) fields: &'a [String],
    pub(crate) header: &'a Header,
}

/// A column index resolved from the header (absent columns are `None`).
pub(crate) type Col = Option<usize>;

impl Row<'_> {
    fn field_name(&self, col: usize) -> &str {
        self.header.name(col)
    }

    /// The trimmed value, or `None` when the column is absent, empty or `NULL`.
    pub(crate) fn get(&self, col: Col) -> Option<&str> {
        let v = self.fields.get(col?)?.trim();
        if v.is_empty() || v.eq_ignore_ascii_case("null") {
            None
        } else {
            Some(v)
        }
    }

    /// The raw (trimmed) value even when it is `NULL`, or "" if absent.
    pub(crate) fn raw(&self, col: Col) -> &str {
        col.and_then(|c| self.fields.get(c))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    pub(crate) fn text(&self, col: Col) -> Option<String> {
        self.get(col).map(str::to_owned)
    }

    pub(crate) fn required(&self, col: Col, name: &str) -> Result<&str, Problem> {
        self.get(col).ok_or_else(|| {
            Problem::new(
                col.map(|c| self.field_name(c)).unwrap_or(name),
                Reason::Missing,
            )
        })
    }

    pub(crate) fn problem(&self, col: Col, reason: Reason) -> Problem {
        Problem::new(col.map(|c| self.field_name(c)).unwrap_or("?"), reason)
    }

    /// Parses with `f`, mapping failure to an `Invalid` problem on this field.
    pub(crate) fn parse_with<T>(
        &self,
        col: Col,
        expected: &str,
        f: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, Problem> {
        match self.get(col) {
            None => Ok(None),
            Some(v) => f(v).map(Some).ok_or_else(|| {
                self.problem(
                    col,
                    Reason::Invalid {
                        value: v.to_owned(),
                        expected: expected.to_owned(),
                    },
                )
            }),
        }
    }

    pub(crate) fn u32(&self, col: Col) -> Result<Option<u32>, Problem> {
        self.parse_with(col, "a whole number", |v| v.parse::<u32>().ok())
    }

    pub(crate) fn u8(&self, col: Col) -> Result<Option<u8>, Problem> {
        self.parse_with(col, "a whole number up to 255", |v| v.parse::<u8>().ok())
    }

    pub(crate) fn f64(&self, col: Col) -> Result<Option<f64>, Problem> {
        self.parse_with(col, "a number", |v| {
            v.parse::<f64>().ok().filter(|n| n.is_finite())
        })
    }

    /// A date in any of the published formats. With `unknown_1900`, `1900-01-01` (pandas' fill
    /// value for unknown dates) reads as no date.
    pub(crate) fn date(&self, col: Col, unknown_1900: bool) -> Result<Option<Date>, Problem> {
        match self.get(col) {
            None => Ok(None),
            Some(v) => match parse_date(v) {
                Some(d) if unknown_1900 && d == jiff::civil::date(1900, 1, 1) => Ok(None),
                Some(d) => Ok(Some(d)),
                None => Err(self.problem(
                    col,
                    Reason::MalformedDate {
                        value: v.to_owned(),
                    },
                )),
            },
        }
    }
}

/// Parses `dd-mm-yyyy`, `dd/mm/yyyy` or `yyyy-mm-dd` (day and month may have one digit).
pub fn parse_date(text: &str) -> Option<Date> {
    let t = text.trim();
    let sep = if t.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 && sep == '-' {
        (parts[0], parts[1], parts[2])
    } else {
        (parts[2], parts[1], parts[0])
    };
    if y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let y: i16 = y.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    let d: i8 = d.parse().ok()?;
    Date::new(y, m, d).ok()
}

/// Turns a decoded row into a record. Implemented by each kind's parser.
pub trait Parse {
    /// The record type.
    type Output;
    /// Parses one row.
    fn parse(&mut self, row: &Row<'_>) -> Result<Self::Output, Problem>;
    /// The key that must be unique within the file, if this kind has one:
    /// a label (`"URN"`) and the value.
    fn key(&self, _record: &Self::Output) -> Option<(&'static str, u32)> {
        None
    }
}

/// A record with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    /// 1-based line number where the row starts.
    pub line: u64,
    /// The record.
    pub value: T,
}

/// Remembers the keys seen so far: a bit set for keys below 2^24 (at most 2 MiB,
/// bounded by the key space and not by the file), a set for any larger key.
#[derive(Default)]
struct SeenKeys {
    bits: Vec<u64>,
    large: HashSet<u32>,
}

impl SeenKeys {
    const BITSET_LIMIT: u32 = 1 << 24;

    /// Records `key`; returns false if it was already present.
    fn insert(&mut self, key: u32) -> bool {
        if key >= Self::BITSET_LIMIT {
            return self.large.insert(key);
        }
        let word = (key / 64) as usize;
        let bit = 1u64 << (key % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }
}

/// A streaming reader over one file of one kind: an iterator of records and rejected rows.
///
/// Memory stays constant in the size of the file: one row is decoded at a time (plus one
/// row of look-ahead to recognise a truncated final row), and duplicate keys are tracked in
/// a bit set bounded by the key space.
pub struct Reader<R: Read, P: Parse> {
    file: String,
    kind: &'static str,
    layout: &'static str,
    encoding: Encoding,
    header: Header,
    csv: csv::Reader<LineTracker<R>>,
    parser: P,
    lookahead: Option<Result<(csv::ByteRecord, u64), RowError>>,
    finished: bool,
    seen: SeenKeys,
    fields: Vec<String>,
}

impl<R: Read + Seek, P: Parse> Reader<R, P> {
    /// Opens a reader: detects the encoding, reads the header, recognises the layout
    /// and lets `make` resolve the parser's columns.
    pub(crate) fn open(
        file: &str,
        kind: &'static str,
        mut input: R,
        layouts: &[Layout],
        make: impl FnOnce(&Header, Layout) -> P,
    ) -> Result<Self, IngestError> {
        let io = |source| IngestError::Io {
            file: file.to_owned(),
            source,
        };
        let encoding = detect_encoding(&mut input).map_err(io)?;
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineTracker::new(input));
        let mut first = csv::ByteRecord::new();
        let got = csv
            .read_byte_record(&mut first)
            .map_err(|e| csv_io(file, e))?;
        if !got {
            return Err(IngestError::Empty {
                file: file.to_owned(),
                kind,
            });
        }
        let mut names = Vec::with_capacity(first.len());
        for (i, raw) in first.iter().enumerate() {
            let name = decode(encoding, raw).map_err(|reason| IngestError::BadHeader {
                file: file.to_owned(),
                column: i + 1,
                reason: reason.to_string(),
            })?;
            names.push(name.trim_start_matches('\u{feff}').to_owned());
        }
        let header = Header::new(names);
        let layout = recognise(file, kind, &header, layouts)?;
        let parser = make(&header, layout);
        Ok(Reader {
            file: file.to_owned(),
            kind,
            layout: layout.name,
            encoding,
            header,
            csv,
            parser,
            lookahead: None,
            finished: false,
            seen: SeenKeys::default(),
            fields: Vec::new(),
        })
    }
}

fn csv_io(file: &str, e: csv::Error) -> IngestError {
    IngestError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Decodes one field under the file's encoding policy.
fn decode(encoding: Encoding, raw: &[u8]) -> Result<String, Reason> {
    match encoding {
        Encoding::Utf8 => {
            let s = std::str::from_utf8(raw).map_err(|_| Reason::InvalidUtf8)?;
            if s.contains('\u{fffd}') {
                return Err(Reason::ReplacementCharacter {
                    value: s.replace('\u{fffd}', "\\u{fffd}"),
                });
            }
            Ok(s.to_owned())
        }
        Encoding::Windows1252 => {
            if let Some(&byte) = raw
                .iter()
                .find(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
            {
                return Err(Reason::UndecodableByte { byte });
            }
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(raw);
            Ok(s.into_owned())
        }
    }
}

impl<R: Read, P: Parse> Reader<R, P> {
    /// The file name given when opening.
    pub fn file_name(&self) -> &str {
        &self.file
    }
    /// The kind, e.g. `"gias"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
    /// The recognised layout, e.g. `"edubaseallstatefunded"`.
    pub fn layout(&self) -> &'static str {
        self.layout
    }
    /// The detected encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn row_error(&self, line: u64, field: Option<String>, reason: Reason) -> RowError {
        RowError {
            file: self.file.clone(),
            line,
            field,
            reason,
        }
    }

    fn read_raw(&mut self) -> Option<Result<(csv::ByteRecord, u64), RowError>> {
        let mut rec = csv::ByteRecord::new();
        match self.csv.read_byte_record(&mut rec) {
            Ok(false) => None,
            Ok(true) => {
                let pos = rec.position().map(|p| p.byte()).unwrap_or(0);
                let line = self.csv.get_mut().line_at(pos);
                Some(Ok((rec, line)))
            }
            Err(e) => {
                let pos = e.position().map(|p| p.byte()).unwrap_or(0);
                let line = self.csv.get_mut().line_at(pos);
                Some(Err(self.row_error(line, None, Reason::Io(e.to_string()))))
            }
        }
    }

    fn process(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        is_last: bool,
    ) -> Option<Result<Record<P::Output>, RowError>> {
        // Blank lines: the CSV parser already skips empty lines; a line of spaces is also blank.
        if rec.len() <= 1
            && rec
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
        {
            return None;
        }
        let expected = self.header.len();
        if rec.len() != expected {
            let reason = if rec.len() < expected && is_last {
                Reason::TruncatedFinalRow {
                    found: rec.len(),
                    expected,
                }
            } else {
                Reason::WrongFieldCount {
                    found: rec.len(),
                    expected,
                }
            };
            return Some(Err(self.row_error(line, None, reason)));
        }
        self.fields.clear();
        for (i, raw) in rec.iter().enumerate() {
            match decode(self.encoding, raw) {
                Ok(s) => self.fields.push(s),
                Err(reason) => {
                    let field = Some(self.header.name(i).to_owned());
                    return Some(Err(self.row_error(line, field, reason)));
                }
            }
        }
        let row = Row {
            fields: &self.fields,
            header: &self.header,
        };
        let value = match self.parser.parse(&row) {
            Ok(v) => v,
            Err(p) => return Some(Err(self.row_error(line, p.field, p.reason))),
        };
        if let Some((label, key)) = self.parser.key(&value) {
            if !self.seen.insert(key) {
                return Some(Err(self.row_error(
                    line,
                    Some(label.to_owned()),
                    Reason::DuplicateKey {
                        key: format!("{label} {key}"),
                    },
                )));
            }
        }
        Some(Ok(Record { line, value }))
    }
}

impl<R: Read, P: Parse> Iterator for Reader<R, P> {
    type Item = Result<Record<P::Output>, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.finished {
                return None;
            }
            let current = match self.lookahead.take() {
                Some(x) => Some(x),
                None => self.read_raw(),
            };
            let (rec, line) = match current {
                None => {
                    self.finished = true;
                    return None;
                }
                Some(Err(e)) => {
                    self.finished = true;
                    return Some(Err(e));
                }
                Some(Ok(x)) => x,
            };
            self.lookahead = self.read_raw();
            let is_last = self.lookahead.is_none();
            if let Some(item) = self.process(&rec, line, is_last) {
                return Some(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("01-09-2018"),
            Some(jiff::civil::date(2018, 9, 1))
        );
        assert_eq!(
            parse_date("13/01/2026"),
            Some(jiff::civil::date(2026, 1, 13))
        );
        assert_eq!(
            parse_date("2022-07-05"),
            Some(jiff::civil::date(2022, 7, 5))
        );
        assert_eq!(parse_date("31-02-2020"), None);
        assert_eq!(parse_date("2020/01/01"), None);
        assert_eq!(parse_date("1-1-20"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn detects_encodings() {
        let mut c = std::io::Cursor::new(b"a,b\n\xe0\n".to_vec());
        assert_eq!(detect_encoding(&mut c).unwrap(), Encoding::Windows1252);
        let mut c = std::io::Cursor::new("a,b\n\u{e0}\n".as_bytes().to_vec());
        assert_eq!(detect_encoding(&mut c).unwrap(), Encoding::Utf8);
        // truncated multi-byte sequence at end of file
        let mut c = std::io::Cursor::new(b"a,b\n\xc3".to_vec());
        assert_eq!(detect_encoding(&mut c).unwrap(), Encoding::Windows1252);
    }

    #[test]
    fn seen_keys() {
        let mut s = SeenKeys::default();
        assert!(s.insert(100000));
        assert!(!s.insert(100000));
        assert!(s.insert(u32::MAX));
        assert!(!s.insert(u32::MAX));
    }

    proptest! {
        #[test]
        fn date_round_trip(y in 1900i16..=2100, m in 1i8..=12, d in 1i8..=28) {
            let date = Date::new(y, m, d).unwrap();
            prop_assert_eq!(parse_date(&format!("{d:02}-{m:02}-{y}")), Some(date));
            prop_assert_eq!(parse_date(&format!("{d:02}/{m:02}/{y}")), Some(date));
            prop_assert_eq!(parse_date(&date.to_string()), Some(date));
        }

        #[test]
        fn parse_date_never_panics(s in ".*") {
            let _ = parse_date(&s);
        }

        #[test]
        fn detection_over_chunk_boundaries(prefix in 0usize..70000) {
            // A multi-byte character straddling the 64 KiB chunk boundary is still UTF-8.
            let mut bytes = vec![b'a'; prefix];
            bytes.extend_from_slice("é€😀".as_bytes());
            let mut c = std::io::Cursor::new(bytes);
            prop_assert_eq!(detect_encoding(&mut c).unwrap(), Encoding::Utf8);
        }
    }
}
