//! The PDF and .docx writers, checked by reading their output back with
//! independent readers (lopdf, zip, quick-xml).

use proptest::prelude::*;
use uplift_docs::inspect::{docx_part, docx_text, pdf_page_count, pdf_text};
use uplift_docs::{body_text, to_docx, to_pdf, to_text, Block, Document, Letterhead};

fn s(x: &str) -> String {
    x.to_string()
}

fn camden() -> Letterhead {
    Letterhead {
        organisation: s("London Borough of Camden"),
        lines: vec![
            s("5 Pancras Square, London N1C 4AG"),
            s("schoolimprovement@camden.example · 020 7974 0000"),
            s("School Improvement Service"),
        ],
        ..Default::default()
    }
}

fn note_of_visit() -> Document {
    Document {
        letterhead: camden(),
        title: s("Note of visit: Argyle Primary School"),
        reference: Some(s("Note of visit 42")),
        date: Some(s("22 November 2026")),
        blocks: vec![
            Block::Fields(vec![
                (s("School"), s("Argyle Primary School (URN 100000)")),
                (s("Date of visit"), s("18 November 2026")),
                (s("Adviser"), s("Priya Shah, School Improvement Adviser")),
                (s("Met with"), s("Headteacher, deputy headteacher, SENCo and chair of governors")),
                (s("Focus"), s("Early reading and phonics; attendance of disadvantaged pupils")),
            ]),
            Block::Heading(s("Purpose of the visit")),
            Block::Paragraph(s(
                "The visit followed up the actions agreed in the summer term. We looked at the \
                 school’s phonics programme, observed teaching in Reception and Year 1, and reviewed \
                 attendance information for pupils eligible for free school meals.",
            )),
            Block::Heading(s("What is going well")),
            Block::Bullets(vec![
                s("Phonics sessions are consistent across classes and pupils use the sound mats well."),
                s("Leaders know which pupils are falling behind and put catch-up sessions in place the same day."),
                s("Persistent absence has fallen from 24% to 17% since September."),
            ]),
            Block::Heading(s("What needs to improve")),
            Block::Subheading(s("Reading")),
            Block::Paragraph(s(
                "Books given to pupils to read at home do not always match the sounds they know. \
                 Leaders should check the match every half term and record it.",
            )),
            Block::Subheading(s("Attendance")),
            Block::Paragraph(s(
                "Follow-up of first-day absence is not yet consistent for pupils with a social \
                 worker. The attendance lead should agree a written procedure with the designated \
                 safeguarding lead — by the end of term.",
            )),
            Block::PageBreak,
            Block::Heading(s("Actions agreed")),
            Block::Table {
                header: vec![s("Action"), s("Owner"), s("By when")],
                rows: vec![
                    vec![
                        s("Audit the match between home reading books and the phonics programme"),
                        s("English lead"),
                        s("19 December 2026"),
                    ],
                    vec![
                        s("Write and share a first-day absence procedure for pupils with a social worker"),
                        s("Attendance lead with the DSL"),
                        s("16 January 2027"),
                    ],
                    vec![
                        s("Report progress on both actions to the full governing board"),
                        s("Headteacher"),
                        s("Spring term meeting"),
                    ],
                ],
            },
            Block::Paragraph(s("The next visit is planned for February 2027.")),
            Block::Signature {
                name: s("Priya Shah"),
                role: s("School Improvement Adviser"),
            },
        ],
    }
}

fn warning_notice() -> Document {
    Document {
        letterhead: camden(),
        title: s("Warning notice under section 60 of the Education and Inspections Act 2006"),
        reference: Some(s("Our reference: SCC/2026/017")),
        date: Some(s("22 November 2026")),
        blocks: vec![
            Block::Fields(vec![
                (s("To"), s("Ms A Example, Chair of Governors, Argyle Primary School")),
                (s("Copy to"), s("Mr B Example, Headteacher")),
            ]),
            Block::Paragraph(s("Dear Ms Example,")),
            Block::Paragraph(s(
                "I am writing to give the governing board of Argyle Primary School a warning notice \
                 under section 60 of the Education and Inspections Act 2006. The local authority is \
                 satisfied that the standards of performance of pupils at the school are unacceptably \
                 low and are likely to remain so unless the authority exercises its powers.",
            )),
            Block::Heading(s("The grounds for this notice")),
            Block::Bullets(vec![
                s("Outcomes in reading, writing and mathematics at the end of key stage 2 have been well below the national figures for three years."),
                s("The school’s own plans have not led to the improvement agreed at the meetings of 12 March and 9 July 2026."),
                s("The “rapid improvement” actions set in the note of visit of 18 November 2026 have not been met."),
            ]),
            Block::Heading(s("What the governing board must do")),
            Block::Paragraph(s(
                "The governing board must take the following action within 15 working days of the \
                 date of this letter, that is by 14 December 2026:",
            )),
            Block::Bullets(vec![
                s("agree a written plan that addresses each of the grounds above, with measurable milestones;"),
                s("commission external support for leadership of English and mathematics;"),
                s("report progress to the local authority every half term."),
            ]),
            Block::Paragraph(s(
                "If the governing board does not comply with this notice to the authority’s \
                 satisfaction, the authority may use its powers of intervention, which include \
                 appointing additional governors or suspending the governing board’s right to a \
                 delegated budget. The governing board may make representations to Ofsted against \
                 this notice within 15 working days.",
            )),
            Block::Paragraph(s("Yours sincerely,")),
            Block::Signature {
                name: s("Dr Jane Example"),
                role: s("Director of Education, London Borough of Camden"),
            },
            Block::PageBreak,
            Block::Heading(s("Annex: evidence considered")),
            Block::Table {
                header: vec![s("Evidence"), s("Date"), s("Finding")],
                rows: vec![
                    vec![s("Key stage 2 results"), s("2024 to 2026"), s("Reading, writing and mathematics combined 38%, 41%, 36% (national 60%, 61%, 62%)")],
                    vec![s("Note of visit 42"), s("18 November 2026"), s("Actions from the summer term not completed")],
                    vec![s("Review meeting"), s("9 July 2026"), s("Plan agreed; milestones for the autumn term missed")],
                ],
            },
        ],
    }
}

fn is_footer(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    matches!(words.as_slice(), ["Page", n, "of", m]
        if n.parse::<usize>().is_ok() && m.parse::<usize>().is_ok())
}

/// The PDF text without footers, whitespace collapsed; and the footers.
fn split_footers(text: &str) -> (String, Vec<String>) {
    let mut body = Vec::new();
    let mut footers = Vec::new();
    for line in text.lines() {
        if is_footer(line) {
            footers.push(line.trim().to_string());
        } else {
            body.push(line);
        }
    }
    (
        body.join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        footers,
    )
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_pdf_file(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-"), "PDF header");
    let trimmed = pdf
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| &pdf[..=i])
        .unwrap_or(pdf);
    assert!(trimmed.ends_with(b"%%EOF"), "PDF trailer");
}

fn footers_for(pages: usize) -> Vec<String> {
    (1..=pages)
        .map(|n| format!("Page {n} of {pages}"))
        .collect()
}

#[test]
fn note_of_visit_pdf_reads_back_as_its_text() {
    let doc = note_of_visit();
    let pdf = to_pdf(&doc);
    check_pdf_file(&pdf);
    assert_eq!(pdf_page_count(&pdf).unwrap(), 2);
    let (body, footers) = split_footers(&pdf_text(&pdf).unwrap());
    assert_eq!(body, to_text(&doc));
    assert_eq!(footers, footers_for(2));
    // The page break: "Actions agreed" starts page 2.
    let text = pdf_text(&pdf).unwrap();
    let page_one_end = text.find("Page 1 of 2").unwrap();
    assert!(text.find("Actions agreed").unwrap() > page_one_end);
    assert!(text.find("What needs to improve").unwrap() < page_one_end);
}

#[test]
fn warning_notice_pdf_reads_back_as_its_text() {
    let doc = warning_notice();
    let pdf = to_pdf(&doc);
    check_pdf_file(&pdf);
    assert_eq!(pdf_page_count(&pdf).unwrap(), 2);
    let (body, footers) = split_footers(&pdf_text(&pdf).unwrap());
    assert_eq!(body, to_text(&doc));
    assert_eq!(footers, footers_for(2));
    assert!(body.contains("The “rapid improvement” actions"));
    assert!(body.contains("authority’s satisfaction"));
}

#[test]
fn pdf_has_title_producer_and_language() {
    let pdf = to_pdf(&note_of_visit());
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .and_then(|r| doc.get_dictionary(r))
        .unwrap();
    let text = |key: &[u8]| match info.get(key).unwrap() {
        lopdf::Object::String(bytes, _) => {
            if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
                let units: Vec<u16> = utf16
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).unwrap()
            } else {
                String::from_utf8(bytes.clone()).unwrap()
            }
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(text(b"Title"), "Note of visit: Argyle Primary School");
    assert_eq!(text(b"Producer"), "Uplift");
    let catalog = doc.catalog().unwrap();
    match catalog.get(b"Lang").unwrap() {
        lopdf::Object::String(bytes, _) => assert_eq!(bytes, b"en-GB"),
        other => panic!("{other:?}"),
    }
    // Standard fonts only, nothing embedded.
    let fonts: Vec<Vec<u8>> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Font".as_slice()))
        .map(|d| d.get(b"BaseFont").unwrap().as_name().unwrap().to_vec())
        .collect();
    assert!(fonts.contains(&b"Helvetica".to_vec()));
    assert!(fonts.contains(&b"Helvetica-Bold".to_vec()));
    assert_eq!(fonts.len(), 2);
}

fn long_table(rows: usize) -> Document {
    Document {
        letterhead: camden(),
        title: s("Pupils persistently absent"),
        reference: None,
        date: None,
        blocks: vec![
            Block::Paragraph(s("The table lists every pupil in the cohort.")),
            Block::Table {
                header: vec![s("Pupil reference"), s("Attendance band"), s("Notes")],
                rows: (1..=rows)
                    .map(|i| {
                        vec![
                            format!("P{i:05}"),
                            format!("band{}", i % 4),
                            format!("row{i} followed up by the attendance officer"),
                        ]
                    })
                    .collect(),
            },
            Block::Paragraph(s("End of table.")),
        ],
    }
}

#[test]
fn long_tables_paginate_with_the_header_repeated() {
    let doc = long_table(300);
    let pdf = to_pdf(&doc);
    let pages = pdf_page_count(&pdf).unwrap();
    assert!(pages >= 5, "{pages} pages");
    let text = pdf_text(&pdf).unwrap();
    let (body, footers) = split_footers(&text);
    assert_eq!(footers, footers_for(pages));
    // The header appears once on each page the table spans, which is all.
    assert_eq!(body.matches("Attendance band").count(), pages);
    // Each page after the first starts with the header.
    let mut per_page: Vec<String> = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if is_footer(line) {
            per_page.push(current.join(" "));
            current.clear();
        } else {
            current.push(line.to_string());
        }
    }
    for page in &per_page[1..] {
        assert!(
            page.starts_with("Pupil reference Attendance band Notes"),
            "page starts {:?}",
            &page[..60.min(page.len())]
        );
    }
    // Without the repeated headers the text is exactly to_text.
    let without_repeats = body.replacen("Pupil reference Attendance band Notes", "\u{0}", 1);
    let without_repeats = without_repeats
        .replace("Pupil reference Attendance band Notes ", "")
        .replace('\u{0}', "Pupil reference Attendance band Notes");
    assert_eq!(without_repeats, to_text(&doc));
}

#[test]
fn ten_thousand_rows_do_not_panic() {
    let doc = long_table(10_000);
    let pdf = to_pdf(&doc);
    let pages = pdf_page_count(&pdf).unwrap();
    assert!(pages > 150, "{pages} pages");
    let text = pdf_text(&pdf).unwrap();
    assert!(text.contains("P10000"));
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    let docx = to_docx(&doc);
    assert!(docx_text(&docx).unwrap().contains("row10000 followed up"));
}

fn empty_document() -> Document {
    Document {
        letterhead: Letterhead {
            organisation: String::new(),
            lines: vec![],
            ..Default::default()
        },
        title: String::new(),
        reference: None,
        date: None,
        blocks: vec![],
    }
}

#[test]
fn empty_documents_and_empty_blocks() {
    let doc = empty_document();
    let pdf = to_pdf(&doc);
    check_pdf_file(&pdf);
    assert_eq!(pdf_page_count(&pdf).unwrap(), 1);
    assert_eq!(normalise(&pdf_text(&pdf).unwrap()), "Page 1 of 1");
    assert_eq!(to_text(&doc), "");
    assert_eq!(normalise(&docx_text(&to_docx(&doc)).unwrap()), "");

    let doc = Document {
        blocks: vec![
            Block::PageBreak,
            Block::Table {
                header: vec![],
                rows: vec![],
            },
            Block::Table {
                header: vec![],
                rows: vec![vec![], vec![]],
            },
            Block::Table {
                header: vec![s("Only a header")],
                rows: vec![],
            },
            Block::Bullets(vec![]),
            Block::Bullets(vec![s(""), s("  ")]),
            Block::Fields(vec![]),
            Block::Fields(vec![(s(""), s(""))]),
            Block::Paragraph(s("   ")),
            Block::Heading(s("")),
            Block::Signature {
                name: s(""),
                role: s(""),
            },
            Block::PageBreak,
            Block::PageBreak,
        ],
        ..empty_document()
    };
    let pdf = to_pdf(&doc);
    assert_eq!(pdf_page_count(&pdf).unwrap(), 1);
    let (body, _) = split_footers(&pdf_text(&pdf).unwrap());
    assert_eq!(body, "Only a header");
    assert_eq!(to_text(&doc), "Only a header");
    assert_eq!(
        normalise(&docx_text(&to_docx(&doc)).unwrap()),
        "Only a header"
    );
}

#[test]
fn explicit_page_breaks_start_new_pages() {
    let doc = Document {
        blocks: vec![
            Block::Paragraph(s("one")),
            Block::PageBreak,
            Block::Paragraph(s("two")),
            Block::PageBreak,
            Block::Paragraph(s("three")),
        ],
        ..empty_document()
    };
    let pdf = to_pdf(&doc);
    assert_eq!(pdf_page_count(&pdf).unwrap(), 3);
    assert_eq!(
        normalise(&pdf_text(&pdf).unwrap()),
        "one Page 1 of 3 two Page 2 of 3 three Page 3 of 3"
    );
}

/// What the PDF shows for a character: WinAnsi has Latin-1 and a few
/// typographic characters; everything else is printed as '?'.
fn winansi_visible(c: char) -> char {
    const EXTRA: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    if (' '..='~').contains(&c) || ('\u{A0}'..='\u{FF}').contains(&c) || EXTRA.contains(c) {
        c
    } else {
        '?'
    }
}

fn pdf_expected(text: &str) -> String {
    text.chars().map(winansi_visible).collect()
}

#[test]
fn non_latin_text_does_not_panic_and_prints_as_question_marks() {
    let doc = Document {
        letterhead: Letterhead {
            organisation: s("Ysgol Gymraeg — Cyngor ŵ ŷ"),
            lines: vec![s("Зарегистрировано 日本語 ✓ 🎓")],
            ..Default::default()
        },
        title: s("Zoë’s “café” – naïve … 50 € • ½"),
        reference: Some(s("مرجع 17")),
        date: Some(s("22\u{00A0}November\u{2003}2026")),
        blocks: vec![
            Block::Paragraph(s(
                "e\u{301} combining, \u{1}control\u{7f} and zero\u{200b}width",
            )),
            Block::Table {
                header: vec![s("名前"), s("Ünïcödé")],
                rows: vec![vec![s("𝔘𝔫𝔦𝔠𝔬𝔡𝔢"), s("Straße")]],
            },
        ],
    };
    let pdf = to_pdf(&doc);
    let (body, _) = split_footers(&pdf_text(&pdf).unwrap());
    assert_eq!(body, pdf_expected(&to_text(&doc)));
    assert!(body.contains("Zoë’s “café” – naïve … 50 € • ½"));
    assert!(body.contains("?? 17"));
    assert!(body.contains("22 November 2026"));
    // Word keeps every character but the ones XML forbids.
    let docx = to_docx(&doc);
    let text = normalise(&docx_text(&docx).unwrap());
    assert_eq!(text, to_text(&doc).replace('\u{1}', "?"));
    assert!(text.contains("Зарегистрировано 日本語 ✓ 🎓"));
}

#[test]
fn very_long_words_are_broken_and_kept() {
    let word = "Supercalifragilisticexpialidocious".repeat(20);
    let doc = Document {
        title: word.clone(),
        blocks: vec![
            Block::Paragraph(format!("before {word} after")),
            Block::Bullets(vec![word.clone()]),
            Block::Fields(vec![(word.clone(), word.clone())]),
            Block::Table {
                header: vec![word.clone(); 12],
                rows: vec![vec![word.clone(); 12]; 2],
            },
            Block::Signature {
                name: word.clone(),
                role: s("role"),
            },
        ],
        ..empty_document()
    };
    let pdf = to_pdf(&doc);
    let (body, _) = split_footers(&pdf_text(&pdf).unwrap());
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    // Broken words come back in pieces on separate lines, in order; the
    // header row may be repeated on a following page.
    let got = squash(&body);
    let want = squash(&to_text(&doc));
    let header = word.repeat(12);
    assert!(
        got == want || got == want.replacen(&header, &header.repeat(2), 1),
        "text differs"
    );
}

#[test]
fn giant_cells_are_split_across_pages() {
    let long = "word ".repeat(3000);
    let doc = Document {
        blocks: vec![
            Block::Table {
                header: vec![s("Left"), s("Right")],
                rows: vec![vec![long.clone(), s("short")]],
            },
            Block::Fields(vec![(s("Label"), long.clone())]),
        ],
        ..empty_document()
    };
    let pdf = to_pdf(&doc);
    let pages = pdf_page_count(&pdf).unwrap();
    assert!(pages > 4, "{pages}");
    let text = pdf_text(&pdf).unwrap();
    assert_eq!(text.matches("word").count(), 6000);
    assert!(text.contains("short"));
    assert_eq!(text.matches("Left").count(), text.matches("Right").count());
}

fn check_xml(name: &str, xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i32;
    let check_attributes = |e: &quick_xml::events::BytesStart| {
        for attr in e.attributes() {
            attr.unwrap_or_else(|err| panic!("{name}: bad attribute: {err}"));
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                check_attributes(&e);
                depth += 1
            }
            Ok(Event::Empty(e)) => check_attributes(&e),
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::GeneralRef(r)) => {
                if r.is_char_ref() {
                    assert!(matches!(r.resolve_char_ref(), Ok(Some(_))), "{name}: {r:?}");
                } else {
                    let entity: &str = r.as_ref();
                    assert!(
                        ["amp", "lt", "gt", "quot", "apos"].contains(&entity),
                        "{name}: unknown entity {entity}"
                    );
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{name} is not well-formed XML: {e}"),
        }
        assert!(depth >= 0, "{name}: unbalanced");
    }
    assert_eq!(depth, 0, "{name}: unclosed elements");
}

const PARTS: [&str; 9] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/styles.xml",
    "word/numbering.xml",
    "word/footer1.xml",
    "docProps/core.xml",
    "docProps/app.xml",
];

#[test]
fn docx_is_a_valid_package_with_the_paragraphs_in_order() {
    for doc in [note_of_visit(), warning_notice()] {
        let docx = to_docx(&doc);
        assert!(docx.starts_with(b"PK"));
        for part in PARTS {
            check_xml(part, &docx_part(&docx, part).unwrap());
        }
        let text = docx_text(&docx).unwrap();
        assert_eq!(normalise(&text), to_text(&doc));
        let core = docx_part(&docx, "docProps/core.xml").unwrap();
        assert!(core.contains(&format!("<dc:title>{}</dc:title>", doc.title)));
    }
    let doc = note_of_visit();
    let docx = to_docx(&doc);
    let xml = docx_part(&docx, "word/document.xml").unwrap();
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 1);
    assert_eq!(xml.matches(r#"<w:pStyle w:val="Heading1"/>"#).count(), 4);
    assert_eq!(xml.matches(r#"<w:pStyle w:val="Heading2"/>"#).count(), 2);
    assert_eq!(xml.matches(r#"<w:br w:type="page"/>"#).count(), 1);
    let styles = docx_part(&docx, "word/styles.xml").unwrap();
    assert!(styles.contains(r#"w:styleId="Heading1""#));
    assert!(styles.contains(r#"<w:outlineLvl w:val="1"/>"#));
    // One paragraph per line of docx_text: the headings are paragraphs of
    // their own, in order.
    let text = docx_text(&docx).unwrap();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let find = |t: &str| lines.iter().position(|l| *l == t).unwrap();
    assert!(find("Purpose of the visit") < find("What is going well"));
    assert!(find("What is going well") < find("Reading"));
    assert!(find("Reading") < find("Actions agreed"));
    assert!(find("Action") < find("Owner"));
}

#[test]
fn docx_escapes_markup() {
    let doc = Document {
        title: s("Governors & <staff> \"review\" 'notes'"),
        blocks: vec![Block::Paragraph(s("a < b && c > d ]]> <w:p/>"))],
        ..empty_document()
    };
    let docx = to_docx(&doc);
    for part in PARTS {
        check_xml(part, &docx_part(&docx, part).unwrap());
    }
    assert_eq!(normalise(&docx_text(&docx).unwrap()), to_text(&doc));
    assert_eq!(body_text(&doc), to_text(&doc));
}

// ---------------------------------------------------------------------------
// Random documents.

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[A-Za-z0-9]{1,12}",
        2 => "[a-zéßÆœ’“”–—•€…&<>()\\\\%@W]{1,15}",
        1 => "[日本語Зй🎓\u{1}\u{7f}\u{200b}a]{1,6}",
    ]
}

fn text(max_words: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(word(), 0..max_words),
        prop_oneof![Just(" "), Just("  "), Just("\n"), Just("\t ")],
    )
        .prop_map(|(words, sep)| words.join(sep))
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        text(6).prop_map(Block::Heading),
        text(6).prop_map(Block::Subheading),
        text(80).prop_map(Block::Paragraph),
        prop::collection::vec(text(30), 0..6).prop_map(Block::Bullets),
        prop::collection::vec((text(4), text(20)), 0..6).prop_map(Block::Fields),
        (1usize..=6)
            .prop_flat_map(|cols| (
                prop::collection::vec(text(3), 0..=cols),
                prop::collection::vec(prop::collection::vec(text(8), 0..=cols), 0..40),
            ))
            .prop_map(|(header, rows)| Block::Table { header, rows }),
        (text(4), text(8)).prop_map(|(name, role)| Block::Signature { name, role }),
        Just(Block::PageBreak),
    ]
}

fn document() -> impl Strategy<Value = Document> {
    (
        text(6),
        prop::collection::vec(text(8), 0..4),
        text(12),
        prop::option::of(text(5)),
        prop::option::of(text(4)),
        prop::collection::vec(block(), 0..14),
    )
        .prop_map(
            |(organisation, lines, title, reference, date, blocks)| Document {
                letterhead: Letterhead {
                    organisation,
                    lines,
                    ..Default::default()
                },
                title,
                reference,
                date,
                blocks,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_documents_render_and_read_back(doc in document()) {
        let pdf = to_pdf(&doc);
        check_pdf_file(&pdf);
        let pages = pdf_page_count(&pdf).map_err(TestCaseError::fail)?;
        let (body, footers) = split_footers(&pdf_text(&pdf).map_err(TestCaseError::fail)?);
        prop_assert_eq!(footers, footers_for(pages));
        // Every word, in order. Words broken across lines come back in
        // pieces, so compare without whitespace.
        let got: String = body.split_whitespace().collect();
        let expected = pdf_expected(&to_text(&doc));
        let mut at = 0;
        for w in expected.split_whitespace() {
            match got[at..].find(w) {
                Some(i) => at += i + w.len(),
                None => prop_assert!(false, "word {:?} missing from the PDF text", w),
            }
        }
        // Without tables (whose headers repeat) the text is exactly the same.
        if !doc.blocks.iter().any(|b| matches!(b, Block::Table { .. })) {
            let want: String = expected.split_whitespace().collect();
            prop_assert_eq!(got, want);
        }

        let docx = to_docx(&doc);
        for part in PARTS {
            check_xml(part, &docx_part(&docx, part).map_err(TestCaseError::fail)?);
        }
        let docx_words = normalise(&docx_text(&docx).map_err(TestCaseError::fail)?);
        prop_assert_eq!(docx_words, to_text(&doc).replace('\u{1}', "?"));
    }
}

/// Set UPLIFT_DOCS_SAMPLES=<dir> to write the sample documents there, to
/// look at them or check them with other tools (qpdf --check, Word).
#[test]
fn write_samples_when_asked() {
    let Some(dir) = std::env::var_os("UPLIFT_DOCS_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, doc) in [
        ("note-of-visit", note_of_visit()),
        ("warning-notice", warning_notice()),
        ("long-table", long_table(120)),
    ] {
        std::fs::write(dir.join(format!("{name}.pdf")), to_pdf(&doc)).unwrap();
        std::fs::write(dir.join(format!("{name}.docx")), to_docx(&doc)).unwrap();
    }
}

#[test]
fn absurd_tables_do_not_panic() {
    let giant = "heading ".repeat(2000);
    let doc = Document {
        blocks: vec![
            // Far more columns than fit: tiny type, clipped cells.
            Block::Table {
                header: (0..300).map(|i| format!("c{i}")).collect(),
                rows: vec![(0..300).map(|i| format!("v{i}")).collect(); 3],
            },
            // A header taller than a page is not repeated.
            Block::Table {
                header: vec![giant.clone(), s("x")],
                rows: vec![vec![s("a"), s("b")]; 100],
            },
            // Ragged rows.
            Block::Table {
                header: vec![s("one")],
                rows: vec![vec![], vec![s("1"), s("2"), s("3")], vec![s("only")]],
            },
        ],
        ..empty_document()
    };
    let pdf = to_pdf(&doc);
    let pages = pdf_page_count(&pdf).unwrap();
    let text = pdf_text(&pdf).unwrap();
    assert_eq!(text.matches("heading").count(), 2000);
    // One character per line in such narrow columns, but all there.
    let squashed: String = text.split_whitespace().collect();
    assert!(squashed.contains("c298c299v0v1"));
    assert!(squashed.contains("v298v299v0v1"));
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    let (body, _) = split_footers(&text);
    assert!(
        body.ends_with("one 1 2 3 only"),
        "{}",
        &body[body.len() - 40..]
    );
    let docx = to_docx(&doc);
    check_xml(
        "word/document.xml",
        &docx_part(&docx, "word/document.xml").unwrap(),
    );
}
