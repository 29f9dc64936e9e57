//! Reading text back out of PDF and .docx files, for tests (feature
//! `inspect`).
//!
//! Deliberately independent of the writers: PDFs are parsed with `lopdf`
//! and their strings decoded as Windows-1252 by `encoding_rs` (the
//! WinAnsiEncoding of the standard fonts); .docx files are unzipped and the
//! text of every `w:t` element collected by a small scanner of our own.

use std::io::{Cursor, Read};

use lopdf::Object;

/// The text of a PDF: one line per text line (a new line starts at every
/// text object and every line-moving operator), pages one after another.
pub fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a PDF: {e}"))?;
    let mut out = String::new();
    for (number, page_id) in doc.get_pages() {
        let content = doc
            .get_and_decode_page_content(page_id)
            .map_err(|e| format!("page {number}: {e}"))?;
        let mut line = String::new();
        let flush = |line: &mut String, out: &mut String| {
            if !line.trim().is_empty() {
                out.push_str(line.trim_end());
                out.push('\n');
            }
            line.clear();
        };
        for op in &content.operations {
            match op.operator.as_str() {
                "BT" | "ET" | "Td" | "TD" | "T*" | "Tm" => flush(&mut line, &mut out),
                "Tj" => {
                    if let Some(Object::String(s, _)) = op.operands.first() {
                        line.push_str(&decode(s));
                    }
                }
                "'" | "\"" => {
                    flush(&mut line, &mut out);
                    if let Some(Object::String(s, _)) = op.operands.last() {
                        line.push_str(&decode(s));
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => line.push_str(&decode(s)),
                                Object::Integer(n) if *n < -200 => line.push(' '),
                                Object::Real(n) if *n < -200.0 => line.push(' '),
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        flush(&mut line, &mut out);
    }
    Ok(out)
}

fn decode(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// The number of pages of a PDF.
pub fn pdf_page_count(bytes: &[u8]) -> Result<usize, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a PDF: {e}"))?;
    Ok(doc.get_pages().len())
}

/// Read one part of a .docx (or any zip) as UTF-8 text.
pub fn docx_part(bytes: &[u8], name: &str) -> Result<String, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip file: {e}"))?;
    let mut file = archive
        .by_name(name)
        .map_err(|e| format!("no {name} in the package: {e}"))?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| format!("{name} is not UTF-8 text: {e}"))?;
    Ok(text)
}

/// The text of a .docx body: one line per paragraph (paragraphs inside
/// table cells included, in document order), page breaks as line breaks.
pub fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let xml = docx_part(bytes, "word/document.xml")?;
    let mut out = String::new();
    let mut para = String::new();
    let mut rest = xml.as_str();
    while let Some(lt) = rest.find('<') {
        let Some(gt) = rest[lt..].find('>') else {
            return Err("word/document.xml: unterminated tag".into());
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let closing = tag.starts_with('/');
        let empty = tag.ends_with('/');
        match name {
            "w:t" if !closing && !empty => {
                let Some(end) = rest.find("</w:t>") else {
                    return Err("word/document.xml: unterminated w:t".into());
                };
                para.push_str(&unescape(&rest[..end])?);
                rest = &rest[end + "</w:t>".len()..];
            }
            "w:tab" if !closing => para.push('\t'),
            "w:br" | "w:cr" if !closing => para.push('\n'),
            "w:p" if closing || empty => {
                out.push_str(&para);
                out.push('\n');
                para.clear();
            }
            _ => {}
        }
    }
    Ok(out)
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let Some(semi) = rest[amp..].find(';') else {
            return Err(format!("bad entity in {s:?}"));
        };
        let entity = &rest[amp + 1..amp + semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("bad entity &{entity};"))?
            }
        };
        out.push(c);
        rest = &rest[amp + semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
