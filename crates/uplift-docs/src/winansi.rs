//! Unicode to WinAnsiEncoding, and a conservative width estimate for the
//! standard Helvetica and Helvetica-Bold fonts.
//!
//! The widths are our own approximation, grouped into a few classes of
//! characters. Every class is at least as wide as the widest character in
//! it, so a line measured here is never wider on the page than we think:
//! wrapped text never runs past the margin (it may wrap a little early).

/// The WinAnsi byte for a character; anything outside the encoding is `?`.
pub(crate) fn encode_char(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{A0}'..='\u{FF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => b'?',
    }
}

/// Encode a string (no whitespace handling: callers pass single words or
/// lines already built from words).
pub(crate) fn encode(s: &str) -> Vec<u8> {
    s.chars().map(encode_char).collect()
}

/// Width classes, in thousandths of the font size: (regular, bold).
const NARROW: (u16, u16) = (280, 340);
const THIN: (u16, u16) = (340, 400);
const SMALL: (u16, u16) = (400, 480);
const ROUND_SMALL: (u16, u16) = (500, 560);
const BODY: (u16, u16) = (560, 615);
const SQUARE_CAPITAL: (u16, u16) = (615, 615);
const CAPITAL: (u16, u16) = (670, 725);
const WIDE_CAPITAL: (u16, u16) = (725, 725);
const ROUND_CAPITAL: (u16, u16) = (780, 780);
const WIDE: (u16, u16) = (840, 890);
const WIDEST: (u16, u16) = (1020, 1020);

fn class(b: u8) -> (u16, u16) {
    match b {
        b' ' | b'i' | b'j' | b'l' | b'.' | b',' | b':' | b';' | b'!' | b'|' | b'\'' | b'I'
        | b'[' | b']' | b'/' | b'\\' | 0x91 | 0x92 => NARROW,
        b'f' | b't' | b'r' | b'(' | b')' | b'-' | b'`' | b'{' | b'}' | 0xAD => THIN,
        b'"' | b'*' => SMALL,
        b'm' | b'w' | b'M' | b'%' => WIDE,
        b'W' | b'@' | 0xC6 | 0xE6 | 0x8C | 0x9C | 0x85 | 0x97 | 0x89 | 0x99 => WIDEST,
        b'c' | b'k' | b's' | b'v' | b'x' | b'y' | b'z' | b'J' => ROUND_SMALL,
        b'0'..=b'9'
        | b'$'
        | b'#'
        | b'_'
        | b'?'
        | b'+'
        | b'<'
        | b'>'
        | b'='
        | b'~'
        | b'^'
        | b'L'
        | 0x93
        | 0x94
        | 0x80
        | 0x96 => BODY,
        b'a'..=b'z' => BODY,
        b'F' | b'T' | b'Z' => SQUARE_CAPITAL,
        b'C' | b'D' | b'H' | b'N' | b'R' | b'U' => WIDE_CAPITAL,
        b'G' | b'O' | b'Q' => ROUND_CAPITAL,
        b'A'..=b'Z' | b'&' => CAPITAL,
        // The accented capitals and small letters of Latin-1 (and ß), as
        // their widest relatives.
        0xC0..=0xDF if b != 0xD7 => ROUND_CAPITAL,
        0xE0..=0xFF if b != 0xF7 => BODY,
        _ => WIDEST,
    }
}

/// Estimated width in points of WinAnsi bytes set in Helvetica (or bold).
pub(crate) fn width(bytes: &[u8], bold: bool, size: f32) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|&b| {
            let (r, bd) = class(b);
            u32::from(if bold { bd } else { r })
        })
        .sum();
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_latin1_and_typographic_punctuation() {
        assert_eq!(encode("café"), b"caf\xe9");
        assert_eq!(encode("‘’“”–—•€…"), b"\x91\x92\x93\x94\x96\x97\x95\x80\x85");
        assert_eq!(encode("日本"), b"??");
        assert_eq!(encode("\u{80}\u{9f}\u{1}"), b"???");
    }

    #[test]
    fn widths_grow_with_text() {
        assert!(width(b"WWW", false, 10.0) > width(b"iii", false, 10.0));
        assert!(width(b"abc", true, 10.0) >= width(b"abc", false, 10.0));
        assert_eq!(width(b"", false, 10.0), 0.0);
    }
}
