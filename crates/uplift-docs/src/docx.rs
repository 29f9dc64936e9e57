//! Word (.docx) output: the Office Open XML parts written by hand into a zip.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::{collapse, Block, Document, ImageKind, Logo};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const WP_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const PIC_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
/// The logo's relationship in word/_rels/document.xml.rels.
const LOGO_REL: &str = "rId4";
/// English Metric Units per point, and the logo's height (20 mm) and widest
/// width (about 7.5 cm) in them.
const EMU_PER_MM: u64 = 36_000;
const LOGO_H_EMU: u64 = 20 * EMU_PER_MM;
const LOGO_MAX_W_EMU: u64 = 75 * EMU_PER_MM;
const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
/// Width of the text area in twentieths of a point: A4 less two margins.
const TEXT_WIDTH: u32 = 11906 - 2 * 1247;

/// `s` as XML character data or attribute value: markup characters escaped,
/// characters XML 1.0 forbids replaced by `?`.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => out.push('?'),
            _ => out.push(c),
        }
    }
    out
}

struct Body {
    xml: String,
}

impl Body {
    fn run(&mut self, text: &str, bold: bool, size_half_points: Option<u32>) {
        let text = collapse(text);
        if text.is_empty() {
            return;
        }
        self.xml.push_str("<w:r>");
        if bold || size_half_points.is_some() {
            self.xml.push_str("<w:rPr>");
            if bold {
                self.xml.push_str("<w:b/>");
            }
            if let Some(sz) = size_half_points {
                let _ = write!(self.xml, r#"<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/>"#);
            }
            self.xml.push_str("</w:rPr>");
        }
        let _ = write!(
            self.xml,
            r#"<w:t xml:space="preserve">{}</w:t></w:r>"#,
            escape(&text)
        );
    }

    /// A paragraph; `ppr` is the inside of `w:pPr` (may be empty). Nothing
    /// is written for text without words unless `keep_empty`.
    fn para(&mut self, ppr: &str, text: &str, bold: bool, size: Option<u32>, keep_empty: bool) {
        if !keep_empty && text.split_whitespace().next().is_none() {
            return;
        }
        self.xml.push_str("<w:p>");
        if !ppr.is_empty() {
            let _ = write!(self.xml, "<w:pPr>{ppr}</w:pPr>");
        }
        self.run(text, bold, size);
        self.xml.push_str("</w:p>");
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let ncols = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        // Half the width shared equally, half by the longest content.
        let mut natural = vec![1usize; ncols];
        for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
            for (c, cell) in row.iter().enumerate() {
                if let Some(n) = natural.get_mut(c) {
                    *n = (*n).max(cell.chars().count().min(200));
                }
            }
        }
        let sum: usize = natural.iter().sum();
        let widths: Vec<u32> = natural
            .iter()
            .map(|&n| {
                let share = 0.5 / ncols as f64 + 0.5 * n as f64 / sum.max(1) as f64;
                ((TEXT_WIDTH as f64 * share) as u32).max(1)
            })
            .collect();
        self.xml.push_str(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>"#,
        );
        for w in &widths {
            let _ = write!(self.xml, r#"<w:gridCol w:w="{w}"/>"#);
        }
        self.xml.push_str("</w:tblGrid>");
        if !header.is_empty() {
            self.row(header, &widths, true);
        }
        for row in rows {
            self.row(row, &widths, false);
        }
        self.xml.push_str("</w:tbl>");
        // Space after the table (and Word wants a paragraph between tables).
        self.xml.push_str("<w:p/>");
    }

    fn row(&mut self, cells: &[String], widths: &[u32], header: bool) {
        self.xml.push_str("<w:tr>");
        if header {
            self.xml
                .push_str(r#"<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"#);
        }
        for (c, w) in widths.iter().enumerate() {
            let text = cells.get(c).map(String::as_str).unwrap_or("");
            let _ = write!(self.xml, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>"#);
            if header {
                self.xml
                    .push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="E0E0E0"/>"#);
            }
            self.xml.push_str("</w:tcPr>");
            self.para(r#"<w:spacing w:after="0"/>"#, text, header, None, true);
            self.xml.push_str("</w:tc>");
        }
        self.xml.push_str("</w:tr>");
    }

    fn fields(&mut self, pairs: &[(String, String)]) {
        if pairs.is_empty() {
            return;
        }
        let label_w = TEXT_WIDTH * 3 / 10;
        let value_w = TEXT_WIDTH - label_w;
        let _ = write!(
            self.xml,
            r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid><w:gridCol w:w="{label_w}"/><w:gridCol w:w="{value_w}"/></w:tblGrid>"#
        );
        for (label, value) in pairs {
            self.xml.push_str("<w:tr>");
            for (text, w, bold) in [(label, label_w, true), (value, value_w, false)] {
                let _ = write!(
                    self.xml,
                    r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>"#
                );
                self.para(r#"<w:spacing w:after="60"/>"#, text, bold, None, true);
                self.xml.push_str("</w:tc>");
            }
            self.xml.push_str("</w:tr>");
        }
        self.xml.push_str("</w:tbl><w:p/>");
    }
}

/// The logo to embed: usable when it is a PNG or JPEG with a size.
fn logo(doc: &Document) -> Option<&Logo> {
    doc.letterhead
        .logo
        .as_ref()
        .filter(|l| l.width_px > 0 && l.height_px > 0 && ImageKind::sniff(&l.bytes) == Some(l.kind))
}

fn media_name(logo: &Logo) -> String {
    format!("word/media/logo.{}", logo.kind.extension())
}

/// The logo as an inline picture in a paragraph of its own: 20 mm high,
/// its aspect ratio kept, no wider than 7.5 cm.
fn logo_paragraph(logo: &Logo, organisation: &str) -> String {
    let aspect = logo.width_px as f64 / logo.height_px as f64;
    let (mut cx, mut cy) = ((LOGO_H_EMU as f64 * aspect) as u64, LOGO_H_EMU);
    if cx > LOGO_MAX_W_EMU {
        cx = LOGO_MAX_W_EMU;
        cy = (LOGO_MAX_W_EMU as f64 / aspect) as u64;
    }
    let (cx, cy) = (cx.max(1), cy.max(1));
    let organisation = collapse(organisation);
    let descr = if organisation.is_empty() {
        "Logo".to_string()
    } else {
        format!("Logo of {organisation}")
    };
    let descr = escape(&descr);
    let file = format!("logo.{}", logo.kind.extension());
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Letterhead"/><w:spacing w:after="120"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="1" name="Logo" descr="{descr}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="{PIC_NS}"><pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{file}" descr="{descr}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{LOGO_REL}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}

fn document_xml(doc: &Document) -> String {
    let mut b = Body {
        xml: String::with_capacity(4096),
    };
    let lh = &doc.letterhead;
    if let Some(l) = logo(doc) {
        b.xml.push_str(&logo_paragraph(l, &lh.organisation));
    }
    let last_line = lh
        .lines
        .iter()
        .rposition(|l| l.split_whitespace().next().is_some());
    let rule =
        r#"<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>"#;
    let org_ppr = if last_line.is_none() {
        format!(r#"<w:pStyle w:val="Letterhead"/>{rule}<w:spacing w:after="360"/>"#)
    } else {
        r#"<w:pStyle w:val="Letterhead"/><w:spacing w:after="40"/>"#.to_string()
    };
    b.para(&org_ppr, &lh.organisation, true, Some(40), false);
    for (i, line) in lh.lines.iter().enumerate() {
        let ppr = if Some(i) == last_line {
            format!(r#"<w:pStyle w:val="Letterhead"/>{rule}<w:spacing w:after="360"/>"#)
        } else {
            r#"<w:pStyle w:val="Letterhead"/><w:spacing w:after="0"/>"#.to_string()
        };
        b.para(&ppr, line, false, Some(19), false);
    }
    if let Some(r) = &doc.reference {
        b.para(r#"<w:spacing w:after="0"/>"#, r, false, None, false);
    }
    if let Some(d) = &doc.date {
        b.para(r#"<w:jc w:val="right"/>"#, d, false, None, false);
    }
    b.para(
        r#"<w:pStyle w:val="Title"/>"#,
        &doc.title,
        false,
        None,
        false,
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(t) => b.para(r#"<w:pStyle w:val="Heading1"/>"#, t, false, None, false),
            Block::Subheading(t) => {
                b.para(r#"<w:pStyle w:val="Heading2"/>"#, t, false, None, false)
            }
            Block::Paragraph(t) => b.para("", t, false, None, false),
            Block::Bullets(items) => {
                for item in items {
                    b.para(
                        r#"<w:pStyle w:val="ListBullet"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>"#,
                        item,
                        false,
                        None,
                        false,
                    );
                }
            }
            Block::Fields(pairs) => b.fields(pairs),
            Block::Table { header, rows } => b.table(header, rows),
            Block::Signature { name, role } => {
                b.para(
                    r#"<w:keepNext/><w:spacing w:before="720" w:after="0"/>"#,
                    name,
                    true,
                    None,
                    false,
                );
                b.para("", role, false, None, false);
            }
            Block::PageBreak => b
                .xml
                .push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
    }
    format!(
        r#"{XML_DECL}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:pic="{PIC_NS}"><w:body>{}<w:sectPr><w:footerReference w:type="default" r:id="rId3"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1247" w:bottom="1134" w:left="1247" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        b.xml
    )
}

fn styles_xml() -> String {
    let heading = |id: &str, name: &str, level: u32, size: u32, before: u32| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="120"/><w:outlineLvl w:val="{level}"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>"#
        )
    };
    let border =
        |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="737373"/>"#);
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    format!(
        r#"{XML_DECL}<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="140" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:spacing w:before="120" w:after="240"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="34"/><w:szCs w:val="34"/></w:rPr></w:style>{}{}<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr></w:style><w:style w:type="paragraph" w:customStyle="1" w:styleId="Letterhead"><w:name w:val="Letterhead"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        heading("Heading1", "heading 1", 0, 28, 240),
        heading("Heading2", "heading 2", 1, 24, 200),
    )
}

fn numbering_xml() -> String {
    format!(
        r#"{XML_DECL}<w:numbering xmlns:w="{W_NS}"><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#
    )
}

fn footer_xml(doc: &Document) -> String {
    let line = doc
        .letterhead
        .footer
        .as_deref()
        .map(collapse)
        .filter(|f| !f.is_empty())
        .map(|f| {
            format!(
                r#"<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="60"/></w:pPr><w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                escape(&f)
            )
        })
        .unwrap_or_default();
    format!(
        r#"{XML_DECL}<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{line}<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">Page </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> of </w:t></w:r><w:fldSimple w:instr=" NUMPAGES "><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>"#
    )
}

fn core_xml(doc: &Document) -> String {
    format!(
        r#"{XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>en-GB</dc:language></cp:coreProperties>"#,
        escape(&collapse(&doc.title)),
        escape(&collapse(&doc.letterhead.organisation)),
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const APP_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Uplift</Application></Properties>"#;

fn package_rels() -> String {
    format!(
        r#"{XML_DECL}<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#
    )
}

fn document_rels(doc: &Document) -> String {
    let image = logo(doc)
        .map(|l| {
            format!(
                r#"<Relationship Id="{LOGO_REL}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/logo.{}"/>"#,
                l.kind.extension()
            )
        })
        .unwrap_or_default();
    format!(
        r#"{XML_DECL}<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>{image}</Relationships>"#
    )
}

/// The parts of the package, in the order they are stored.
pub(crate) fn parts(doc: &Document) -> Vec<(String, Vec<u8>)> {
    let mut parts: Vec<(String, Vec<u8>)> = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", package_rels()),
        ("word/document.xml", document_xml(doc)),
        ("word/_rels/document.xml.rels", document_rels(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/numbering.xml", numbering_xml()),
        ("word/footer1.xml", footer_xml(doc)),
        ("docProps/core.xml", core_xml(doc)),
        ("docProps/app.xml", APP_XML.to_string()),
    ]
    .into_iter()
    .map(|(name, xml)| (name.to_string(), xml.into_bytes()))
    .collect();
    if let Some(l) = logo(doc) {
        parts.push((media_name(l), l.bytes.clone()));
    }
    parts
}

fn write_zip(parts: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in parts {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(data)?;
    }
    Ok(zip.finish()?.into_inner())
}

pub(crate) fn render(doc: &Document) -> Vec<u8> {
    let parts = parts(doc);
    match write_zip(&parts) {
        Ok(bytes) => bytes,
        // Writing to memory does not fail in practice; if deflate ever did,
        // store the parts uncompressed rather than give up.
        Err(_) => {
            let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
            let options =
                SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
            for (name, data) in &parts {
                if zip.start_file(name.as_str(), options).is_err() || zip.write_all(data).is_err() {
                    return Vec::new();
                }
            }
            zip.finish().map(Cursor::into_inner).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1}y\u{FFFF}"), "x?y?");
        assert_eq!(escape("café ✓"), "café ✓");
    }
}
