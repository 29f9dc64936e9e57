//! CSV as spreadsheets open it safely: RFC 4180 quoting, CRLF line ends, and
//! every cell passed through [`safe_cell`], so that a school's name (or any
//! other text someone typed) is never run as a formula by Excel, LibreOffice
//! or Google Sheets ("CSV injection"). Every CSV Uplift writes comes from here.

use std::borrow::Cow;

/// A cell a spreadsheet would read as a formula — one that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return — gets a leading `'`, which
/// spreadsheets show as text. Plain numbers (`-3`, `-0.5`, `+2`) stay as they
/// are: they are data, not formulas.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An optional sign, digits, and an optional fraction: `-3`, `+0.5`, `-.25`.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    match fraction {
        None => !whole.is_empty() && all_digits(whole),
        Some(f) => {
            (!whole.is_empty() || !f.is_empty())
                && all_digits(whole)
                && all_digits(f)
                && !f.is_empty()
        }
    }
}

/// One field as written: [`safe_cell`], then quoted when it holds a comma,
/// quote or line break, or starts or ends with a space (quotes doubled).
pub fn field(cell: &str) -> String {
    let cell = safe_cell(cell);
    if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

/// Appends one row, CRLF-terminated.
pub fn write_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(c.as_ref()));
    }
    out.push_str("\r\n");
}

/// A whole file: the header row, then the rows.
pub fn to_string<H: AsRef<str>, S: AsRef<str>>(header: &[H], rows: &[Vec<S>]) -> String {
    let mut out = String::new();
    write_row(&mut out, header);
    for r in rows {
        write_row(&mut out, r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (raw, want) in [
            (
                "=HYPERLINK(\"http://evil.example\")",
                "'=HYPERLINK(\"http://evil.example\")",
            ),
            ("+44 20 7974 4444", "'+44 20 7974 4444"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("+", "'+"),
            ("-.", "'-."),
            ("-1e5", "'-1e5"),
            ("-3 schools", "'-3 schools"),
        ] {
            assert_eq!(safe_cell(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn plain_numbers_and_text_stay_as_they_are() {
        for s in [
            "-3",
            "-0.5",
            "+2",
            "-.25",
            "12",
            "0.75",
            "Argyle Primary School",
            "",
            "a=b",
            " =x",
        ] {
            assert_eq!(safe_cell(s), s, "{s:?}");
        }
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("Plain"), "Plain");
        assert_eq!(
            field("Christ Church Primary School, Hampstead"),
            "\"Christ Church Primary School, Hampstead\""
        );
        assert_eq!(field("A \"quoted\" name"), "\"A \"\"quoted\"\" name\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field("=HYPERLINK(1,2)"), "\"'=HYPERLINK(1,2)\"");
        assert_eq!(field("\r=1"), "\"'\r=1\"");
        assert_eq!(field("-0.5"), "-0.5");
    }

    #[test]
    fn files_have_crlf_rows() {
        let csv = to_string(
            &["urn", "name"],
            &[vec!["100005", "=cmd"], vec!["100008", "Argyle"]],
        );
        assert_eq!(csv, "urn,name\r\n100005,'=cmd\r\n100008,Argyle\r\n");
    }
}
