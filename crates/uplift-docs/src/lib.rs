//! Uplift's formal documents — notes of visit, letters to headteachers and
//! chairs of governors, meeting papers — as PDF (to send and keep) and as
//! Word `.docx` (for editing before sending).
//!
//! # Design
//!
//! A [`Document`] is a plain description: a [`Letterhead`], a title, an
//! optional reference and date, and a list of [`Block`]s. Nothing in it is
//! layout; the two writers decide that.
//!
//! The letterhead is the organisation's name, its lines (service name,
//! address, contact details), an optional [`Logo`] (PNG or JPEG, checked
//! when uploaded by [`validate_logo`]) and an optional footer line (for
//! example "Please quote our reference").
//!
//! * [`to_pdf`] lays the document out itself (no external tools) and writes
//!   the file with `pdf-writer`. Text is set in the 14 standard PDF fonts
//!   Helvetica and Helvetica-Bold with WinAnsiEncoding, so nothing is
//!   embedded and files stay small. Unicode is mapped to WinAnsi (Latin-1
//!   plus the typographic quotes, dashes, bullet, euro and ellipsis);
//!   anything else is printed as `?`. Widths come from our own conservative
//!   per-character estimate (see `winansi.rs`), so wrapped lines never pass
//!   the margin. Pages are A4; the letterhead appears at the top of the
//!   first page only, the logo at the top left about 20 mm high (narrower
//!   if it is very wide) with the name and lines beside it; every page has
//!   the footer line (wrapped, at most eight lines) above "Page N of M" at
//!   its foot. A JPEG logo is embedded as it is (DCTDecode); a PNG is
//!   decoded and written as deflated RGB or grey with its alpha channel as
//!   a soft mask. A logo that cannot be read is left out rather than fail
//!   the document. Tables wrap their cells, repeat their header row on every
//!   page they span and clip each cell so that even absurdly narrow columns
//!   cannot spill out. Words too long for a line are broken (without a
//!   hyphen, so the words can still be found in the text). Content streams
//!   are deflated.
//! * [`to_docx`] writes the Office Open XML parts by hand into a zip:
//!   Heading 1 / Heading 2 styles (so Word's navigation pane works), real
//!   bulleted lists, real tables whose first row repeats on each page, A4
//!   pages, the logo as an inline picture at the top of the body (in
//!   `word/media/`, with its relationship and alternative text), and a
//!   footer with the footer line and "Page N of M".
//! * [`to_text`] is every word of the document in reading order with
//!   whitespace collapsed to single spaces: the letterhead (organisation,
//!   then its lines), reference, date, title, then the blocks. Bullets are
//!   drawn, not typed, so no bullet characters appear; field labels and
//!   values, table cells (header first, row by row) and signatures appear as
//!   they are, with no added punctuation. The footer line, like the page
//!   numbers, belongs to the page, not the text, and is not part of it; the
//!   logo has no text. [`body_text`] is the same without the letterhead, for
//!   comparing with a web page that shows no letterhead.
//!
//! The text of the PDF (as [`inspect::pdf_text`] reads it, feature
//! `inspect`) is `to_text` with three additions: on every page the footer
//! line's lines and then "Page N of M", each on a line of its own, after the
//! page's own text, and, for a table spanning pages, its header row again at
//! the top of each further page. The only difference in order arises when
//! one table row or field is taller than a whole page and has to be split:
//! then the columns' parts are interleaved page by page. The text of the
//! .docx body (`word/document.xml`) is exactly `to_text`; the footer line is
//! in `word/footer1.xml`.
//!
//! None of the functions panics, whatever the input.

use serde::Serialize;

pub mod csv;
mod docx;
mod image;
mod pdf;
mod winansi;

pub use image::{validate_logo, ImageKind, Logo, LogoError, MAX_LOGO_BYTES, MAX_LOGO_PX};

#[cfg(feature = "inspect")]
pub mod inspect;

/// The sender's heading, printed at the top of the first page, and its
/// footer line, printed at the foot of every page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Letterhead {
    /// The organisation's name, printed large.
    pub organisation: String,
    /// Printed beneath the name: service name, address, contact details.
    pub lines: Vec<String>,
    /// Printed at the top left of the first page.
    pub logo: Option<Logo>,
    /// Printed at the foot of every page, above the page number (for
    /// example a registered address or "Please quote our reference").
    pub footer: Option<String>,
}

/// A formal document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub letterhead: Letterhead,
    pub title: String,
    /// For example "Note of visit 42" or a letter reference.
    pub reference: Option<String>,
    /// Already formatted, for example "22 November 2026".
    pub date: Option<String>,
    pub blocks: Vec<Block>,
}

/// One piece of a document's body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Label and value pairs.
    Fields(Vec<(String, String)>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Signature {
        name: String,
        role: String,
    },
    PageBreak,
}

/// The document as a PDF file (A4, Helvetica, "Page N of M" footers).
pub fn to_pdf(doc: &Document) -> Vec<u8> {
    pdf::render(doc)
}

/// The document as a Word `.docx` file, for editing.
pub fn to_docx(doc: &Document) -> Vec<u8> {
    docx::render(doc)
}

/// Every word of the document in reading order, separated by single spaces:
/// letterhead, reference, date, title, then the blocks.
pub fn to_text(doc: &Document) -> String {
    let mut parts: Vec<&str> = Vec::new();
    parts.push(&doc.letterhead.organisation);
    parts.extend(doc.letterhead.lines.iter().map(String::as_str));
    body_parts(doc, &mut parts);
    normalise(&parts)
}

/// Like [`to_text`] without the letterhead: reference, date, title, blocks.
pub fn body_text(doc: &Document) -> String {
    let mut parts: Vec<&str> = Vec::new();
    body_parts(doc, &mut parts);
    normalise(&parts)
}

fn body_parts<'a>(doc: &'a Document, parts: &mut Vec<&'a str>) {
    if let Some(r) = &doc.reference {
        parts.push(r);
    }
    if let Some(d) = &doc.date {
        parts.push(d);
    }
    parts.push(&doc.title);
    for block in &doc.blocks {
        match block {
            Block::Heading(t) | Block::Subheading(t) | Block::Paragraph(t) => parts.push(t),
            Block::Bullets(items) => parts.extend(items.iter().map(String::as_str)),
            Block::Fields(pairs) => {
                for (label, value) in pairs {
                    parts.push(label);
                    parts.push(value);
                }
            }
            Block::Table { header, rows } => {
                parts.extend(header.iter().map(String::as_str));
                for row in rows {
                    parts.extend(row.iter().map(String::as_str));
                }
            }
            Block::Signature { name, role } => {
                parts.push(name);
                parts.push(role);
            }
            Block::PageBreak => {}
        }
    }
}

fn normalise(parts: &[&str]) -> String {
    let mut out = String::new();
    for word in parts.iter().flat_map(|p| p.split_whitespace()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `s` with runs of whitespace collapsed to single spaces and trimmed.
pub(crate) fn collapse(s: &str) -> String {
    normalise(&[s])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_in_reading_order_and_normalised() {
        let doc = Document {
            letterhead: Letterhead {
                organisation: "Camden  Council".into(),
                lines: vec!["5 Pancras Square\nLondon".into()],
                ..Default::default()
            },
            title: "Note of visit".into(),
            reference: Some("NV-42".into()),
            date: Some("22 November 2026".into()),
            blocks: vec![
                Block::Heading("Purpose".into()),
                Block::Bullets(vec!["one".into(), "  two ".into()]),
                Block::Fields(vec![("School".into(), "Argyle".into())]),
                Block::Table {
                    header: vec!["A".into(), "B".into()],
                    rows: vec![vec!["1".into()], vec![]],
                },
                Block::PageBreak,
                Block::Signature {
                    name: "Jo Bloggs".into(),
                    role: "Adviser".into(),
                },
            ],
        };
        assert_eq!(
            to_text(&doc),
            "Camden Council 5 Pancras Square London NV-42 22 November 2026 Note of visit \
             Purpose one two School Argyle A B 1 Jo Bloggs Adviser"
        );
        assert_eq!(
            body_text(&doc),
            "NV-42 22 November 2026 Note of visit Purpose one two School Argyle A B 1 Jo Bloggs Adviser"
        );
    }
}
