//! Letterheads with a logo and a footer line: the PDF embeds the image (a
//! JPEG as it is, a PNG as deflated samples with its alpha as a soft mask)
//! and reads back as `to_text` plus the footers of every page; the .docx
//! carries the picture in word/media with its relationship; broken or
//! unsuitable images are refused when checked. The images are made here.

use lopdf::{Dictionary, Object};
use uplift_docs::inspect::{docx_part, docx_text, pdf_page_count, pdf_text};
use uplift_docs::{
    to_docx, to_pdf, to_text, validate_logo, Block, Document, ImageKind, Letterhead, Logo,
    LogoError, MAX_LOGO_PX,
};

const FOOTER: &str =
    "Registered office: Town Hall, Example Road EX1 2MP. Please quote our reference on every reply.";

/// A PNG made with the `png` crate: a colour gradient, with a graded alpha
/// channel when `alpha`.
fn png_image(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(if alpha {
            png::ColorType::Rgba
        } else {
            png::ColorType::Rgb
        });
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&[(x * 7) as u8, (y * 13) as u8, 200]);
                if alpha {
                    data.push(((x + y) * 11) as u8);
                }
            }
        }
        w.write_image_data(&data).unwrap();
    }
    out
}

/// A tiny but complete baseline JPEG, 16 by 8 pixels of mid grey, written
/// byte by byte: one quantisation table of ones, one-code Huffman tables
/// (DC category 0, AC end-of-block), and each 8×8 block coded as "00".
fn jpeg_image(components: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    // DQT: table 0, 8-bit, all ones.
    b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    b.extend_from_slice(&[1u8; 64]);
    // SOF0: 8-bit, 8 high, 16 wide.
    let len = 8 + 3 * u16::from(components);
    b.extend_from_slice(&[0xFF, 0xC0]);
    b.extend_from_slice(&len.to_be_bytes());
    b.extend_from_slice(&[8, 0x00, 0x08, 0x00, 0x10, components]);
    for c in 1..=components {
        b.extend_from_slice(&[c, 0x11, 0x00]);
    }
    // DHT: DC table 0 and AC table 0, one code of length 1 for symbol 0.
    for class in [0x00u8, 0x10] {
        b.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        b.extend_from_slice(&[0u8; 15]);
        b.push(0x00);
    }
    // SOS.
    let len = 6 + 2 * u16::from(components);
    b.extend_from_slice(&[0xFF, 0xDA]);
    b.extend_from_slice(&len.to_be_bytes());
    b.push(components);
    for c in 1..=components {
        b.extend_from_slice(&[c, 0x00]);
    }
    b.extend_from_slice(&[0, 63, 0]);
    // Two blocks per component, two bits each, padded with ones.
    let bits = 2 * 2 * usize::from(components);
    let mut data = vec![0u8; bits.div_ceil(8)];
    let pad = data.len() * 8 - bits;
    if let Some(last) = data.last_mut() {
        *last = (1u8 << pad) - 1;
    }
    b.extend_from_slice(&data);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn letterhead(logo: Option<Logo>) -> Letterhead {
    Letterhead {
        organisation: "Invented Council".into(),
        lines: vec![
            "School Improvement Service".into(),
            "1 Invented Street".into(),
            "London X1 1XX".into(),
            "Telephone 020 0000 0000".into(),
        ],
        logo,
        footer: Some(FOOTER.into()),
    }
}

fn document(logo: Option<Logo>) -> Document {
    let mut blocks = vec![Block::Paragraph("Dear Headteacher,".into())];
    for i in 0..60 {
        blocks.push(Block::Paragraph(format!(
            "Paragraph {i} of a letter long enough to run onto a second page."
        )));
    }
    blocks.push(Block::Signature {
        name: "Priya Shah".into(),
        role: "Head of School Improvement".into(),
    });
    Document {
        letterhead: letterhead(logo),
        title: "Letter of concern".into(),
        reference: Some("SCC/2026/017".into()),
        date: Some("22 November 2026".into()),
        blocks,
    }
}

fn footer_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| FOOTER.contains(l.trim()) && !l.trim().is_empty())
        .count()
}

/// The text without the footer line's lines and the page numbers.
fn without_footers(text: &str, pages: usize) -> String {
    let numbers: Vec<String> = (1..=pages)
        .map(|n| format!("Page {n} of {pages}"))
        .collect();
    let mut seen = Vec::new();
    let body: Vec<&str> = text
        .lines()
        .filter(|l| {
            let t = l.trim();
            if numbers.iter().any(|n| n == t) {
                seen.push(t.to_string());
                return false;
            }
            !FOOTER.contains(t)
        })
        .collect();
    assert_eq!(seen, numbers, "every page numbered once, in order");
    body.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The image XObjects on the first page, by name.
fn first_page_images(pdf: &[u8]) -> (lopdf::Document, Vec<(Vec<u8>, lopdf::ObjectId)>) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let first = *doc.get_pages().get(&1).unwrap();
    let page = doc.get_dictionary(first).unwrap();
    let resources = match page.get(b"Resources").unwrap() {
        Object::Dictionary(d) => d.clone(),
        Object::Reference(r) => doc.get_dictionary(*r).unwrap().clone(),
        other => panic!("resources: {other:?}"),
    };
    let images = match resources.get(b"XObject") {
        Ok(Object::Dictionary(x)) => x
            .iter()
            .map(|(name, obj)| (name.clone(), obj.as_reference().unwrap()))
            .collect(),
        _ => Vec::new(),
    };
    (doc, images)
}

fn stream_dict(doc: &lopdf::Document, id: lopdf::ObjectId) -> (Dictionary, Vec<u8>) {
    match doc.get_object(id).unwrap() {
        Object::Stream(s) => {
            let data = s
                .decompressed_content()
                .unwrap_or_else(|_| s.content.clone());
            (s.dict.clone(), data)
        }
        other => panic!("not a stream: {other:?}"),
    }
}

fn name(d: &Dictionary, key: &[u8]) -> Vec<u8> {
    d.get(key).unwrap().as_name().unwrap().to_vec()
}

fn int(d: &Dictionary, key: &[u8]) -> i64 {
    d.get(key).unwrap().as_i64().unwrap()
}

fn check_text(pdf: &[u8], doc: &Document) {
    let pages = pdf_page_count(pdf).unwrap();
    assert!(pages >= 2, "the test letter runs to {pages} pages");
    let text = pdf_text(pdf).unwrap();
    assert_eq!(without_footers(&text, pages), to_text(doc));
    // The footer line (wrapped or not) is on every page.
    let per_page = footer_lines(&text) / pages;
    assert!(per_page >= 1);
    assert_eq!(footer_lines(&text), per_page * pages);
    let joined: String = text
        .lines()
        .filter(|l| FOOTER.contains(l.trim()))
        .take(per_page)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(joined, FOOTER);
}

#[test]
fn pdf_with_a_jpeg_logo_embeds_it_as_it_is() {
    for components in [1u8, 3] {
        let bytes = jpeg_image(components);
        let logo = validate_logo(&bytes).unwrap();
        assert_eq!(logo.kind, ImageKind::Jpeg);
        assert_eq!((logo.width_px, logo.height_px), (16, 8));
        let doc = document(Some(logo));
        let pdf = to_pdf(&doc);
        check_text(&pdf, &doc);
        let (lo, images) = first_page_images(&pdf);
        assert_eq!(images.len(), 1);
        let (dict, _) = stream_dict(&lo, images[0].1);
        assert_eq!(name(&dict, b"Subtype"), b"Image");
        assert_eq!(name(&dict, b"Filter"), b"DCTDecode");
        assert_eq!((int(&dict, b"Width"), int(&dict, b"Height")), (16, 8));
        assert_eq!(int(&dict, b"BitsPerComponent"), 8);
        let space: &[u8] = if components == 1 {
            b"DeviceGray"
        } else {
            b"DeviceRGB"
        };
        assert_eq!(name(&dict, b"ColorSpace"), space);
        // The bytes are the file's own.
        match lo.get_object(images[0].1).unwrap() {
            Object::Stream(s) => assert_eq!(s.content, bytes),
            _ => unreachable!(),
        }
        // Only the first page carries it.
        let second = *lo.get_pages().get(&2).unwrap();
        let page = lo.get_dictionary(second).unwrap();
        let res = page.get(b"Resources").unwrap().as_dict().unwrap();
        assert!(res.get(b"XObject").is_err());
    }
}

#[test]
fn pdf_with_a_png_logo_has_rgb_samples_and_a_soft_mask() {
    let bytes = png_image(40, 20, true);
    let logo = validate_logo(&bytes).unwrap();
    assert_eq!(logo.kind, ImageKind::Png);
    assert_eq!((logo.width_px, logo.height_px), (40, 20));
    let doc = document(Some(logo));
    let pdf = to_pdf(&doc);
    check_text(&pdf, &doc);
    let (lo, images) = first_page_images(&pdf);
    assert_eq!(images.len(), 1);
    let (dict, samples) = stream_dict(&lo, images[0].1);
    assert_eq!(name(&dict, b"Subtype"), b"Image");
    assert_eq!(name(&dict, b"Filter"), b"FlateDecode");
    assert_eq!(name(&dict, b"ColorSpace"), b"DeviceRGB");
    assert_eq!((int(&dict, b"Width"), int(&dict, b"Height")), (40, 20));
    assert_eq!(samples.len(), 40 * 20 * 3);
    // Pixel (3, 2): red 21, green 26, blue 200.
    let at = (2 * 40 + 3) * 3;
    assert_eq!(&samples[at..at + 3], &[21, 26, 200]);
    let mask = dict.get(b"SMask").unwrap().as_reference().unwrap();
    let (mdict, alpha) = stream_dict(&lo, mask);
    assert_eq!(name(&mdict, b"ColorSpace"), b"DeviceGray");
    assert_eq!(alpha.len(), 40 * 20);
    assert_eq!(alpha[2 * 40 + 3], 55);

    // An opaque PNG needs no mask.
    let doc = document(Some(validate_logo(&png_image(10, 10, false)).unwrap()));
    let pdf = to_pdf(&doc);
    let (lo, images) = first_page_images(&pdf);
    let (dict, _) = stream_dict(&lo, images[0].1);
    assert!(dict.get(b"SMask").is_err());
}

#[test]
fn without_a_logo_there_is_no_image_and_the_footer_is_still_printed() {
    let doc = document(None);
    let pdf = to_pdf(&doc);
    check_text(&pdf, &doc);
    let (_, images) = first_page_images(&pdf);
    assert!(images.is_empty());
}

#[test]
fn docx_carries_the_logo_in_word_media_with_its_relationship() {
    for (bytes, ext) in [(png_image(40, 20, true), "png"), (jpeg_image(3), "jpeg")] {
        let doc = document(Some(validate_logo(&bytes).unwrap()));
        let docx = to_docx(&doc);
        // The media part is the file itself.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
        let mut media = Vec::new();
        std::io::Read::read_to_end(
            &mut archive.by_name(&format!("word/media/logo.{ext}")).unwrap(),
            &mut media,
        )
        .unwrap();
        assert_eq!(media, bytes);
        let rels = docx_part(&docx, "word/_rels/document.xml.rels").unwrap();
        assert!(rels.contains(&format!(
            r#"<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/logo.{ext}"/>"#
        )));
        let types = docx_part(&docx, "[Content_Types].xml").unwrap();
        assert!(types.contains(&format!(r#"<Default Extension="{ext}""#)));
        let xml = docx_part(&docx, "word/document.xml").unwrap();
        assert!(xml.contains(r#"<a:blip r:embed="rId4"/>"#));
        assert!(xml.contains("<wp:inline"));
        assert!(xml.contains(r#"descr="Logo of Invented Council""#));
        // 20 mm high; 40 mm wide for a 2:1 logo.
        assert!(xml.contains(r#"<wp:extent cx="1440000" cy="720000"/>"#));
        // The logo comes first, before the organisation's name.
        assert!(xml.find("<w:drawing>").unwrap() < xml.find("Invented Council</w:t>").unwrap());
        for part in [
            "word/document.xml",
            "word/_rels/document.xml.rels",
            "[Content_Types].xml",
            "word/footer1.xml",
        ] {
            let text = docx_part(&docx, part).unwrap();
            let mut reader = quick_xml::Reader::from_str(&text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{part}: {e}"),
                }
            }
        }
        let footer = docx_part(&docx, "word/footer1.xml").unwrap();
        assert!(footer.contains("Please quote our reference on every reply."));
        let words = docx_text(&docx)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words, to_text(&doc));
    }
    // Without a logo: no media, no image relationship.
    let docx = to_docx(&document(None));
    let rels = docx_part(&docx, "word/_rels/document.xml.rels").unwrap();
    assert!(!rels.contains("relationships/image"));
    assert!(docx_part(&docx, "word/media/logo.png").is_err());
}

#[test]
fn broken_and_unsuitable_images_are_refused() {
    assert_eq!(
        validate_logo(b"not an image at all"),
        Err(LogoError::NotAnImage)
    );
    assert_eq!(validate_logo(b""), Err(LogoError::Empty));
    // A PNG cut short, and one with a damaged pixel stream.
    let good = png_image(40, 20, true);
    let cut = &good[..good.len() / 2];
    assert!(
        matches!(validate_logo(cut), Err(LogoError::Corrupt(_))),
        "{:?}",
        validate_logo(cut)
    );
    let mut damaged = good.clone();
    let idat = damaged.windows(4).position(|w| w == b"IDAT").unwrap();
    for b in &mut damaged[idat + 4..idat + 24] {
        *b ^= 0x5A;
    }
    assert!(matches!(
        validate_logo(&damaged),
        Err(LogoError::Corrupt(_))
    ));
    // Too many pixels: checked from the header, before decoding.
    let wide = png_image(MAX_LOGO_PX + 1, 1, false);
    assert_eq!(
        validate_logo(&wide),
        Err(LogoError::TooManyPixels {
            width: MAX_LOGO_PX + 1,
            height: 1
        })
    );
    // A JPEG without its end, and a CMYK one.
    let jpeg = jpeg_image(3);
    assert!(matches!(
        validate_logo(&jpeg[..jpeg.len() - 2]),
        Err(LogoError::Corrupt(_))
    ));
    let mut cmyk = jpeg_image(3);
    // Turn the frame header's component count into 4 (and add one).
    let sof = cmyk.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    cmyk[sof + 3] += 3;
    cmyk[sof + 9] = 4;
    cmyk.splice(sof + 19..sof + 19, [4u8, 0x11, 0x00]);
    assert_eq!(validate_logo(&cmyk), Err(LogoError::Cmyk));
    assert!(LogoError::Cmyk.to_string().contains("CMYK"));

    // A letterhead carrying unreadable bytes (never through validate_logo)
    // still renders, without the picture.
    let bogus = Logo {
        kind: ImageKind::Png,
        bytes: cut.to_vec(),
        width_px: 40,
        height_px: 20,
    };
    let doc = document(Some(bogus));
    let pdf = to_pdf(&doc);
    check_text(&pdf, &doc);
    let (_, images) = first_page_images(&pdf);
    assert!(images.is_empty());
    assert!(to_docx(&doc).starts_with(b"PK"));
}

/// Set UPLIFT_DOCS_SAMPLES=<dir> to write letterheads with logos there.
#[test]
fn write_logo_samples_when_asked() {
    let Some(dir) = std::env::var_os("UPLIFT_DOCS_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let png = document(Some(validate_logo(&png_image(120, 60, true)).unwrap()));
    std::fs::write(dir.join("logo-png.pdf"), to_pdf(&png)).unwrap();
    std::fs::write(dir.join("logo-png.docx"), to_docx(&png)).unwrap();
    let jpeg = document(Some(validate_logo(&jpeg_image(3)).unwrap()));
    std::fs::write(dir.join("logo-jpeg.pdf"), to_pdf(&jpeg)).unwrap();
}
