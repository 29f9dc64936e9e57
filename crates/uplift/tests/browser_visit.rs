//! Issue 5 in a real browser, on the demo authority: an adviser plans a visit
//! to one of their schools, the school completes its pre-visit
//! self-evaluation, the adviser writes the note of visit (areas of focus with
//! judgements, agreed actions, the next visit) and sends it, the headteacher
//! marks it accurate and shares it with the chair of governors, and the
//! adviser makes it final and locked. The note's PDF says what its page says.
//! A school user cannot open another school's visit or note.

mod support;

use jiff::civil::{Date, Weekday};
use serde_json::json;
use support::{Browser, DemoServer};

fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The next Monday to Friday after `d`.
fn next_weekday(d: Date) -> Date {
    let mut d = d.tomorrow().expect("a date");
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d = d.tomorrow().expect("a date");
    }
    d
}

/// The name on the caseload card of the adviser with this email, if any.
fn adviser_named(b: &Browser, email: &str) -> Option<String> {
    b.execute(
        "const email = arguments[0];
         for (const card of document.querySelectorAll('.govuk-summary-card')) {
           if (card.innerText.includes(email)) {
             const t = card.querySelector('.govuk-summary-card__title');
             return t ? t.childNodes[0].textContent.trim() : null;
           }
         }
         return null;",
        vec![json!(email)],
    )
    .as_str()
    .map(str::to_string)
}

/// The text of the caseload card of the adviser with this email.
fn adviser_card(b: &Browser, email: &str) -> String {
    b.execute(
        "for (const card of document.querySelectorAll('.govuk-summary-card')) {
           if (card.innerText.includes(arguments[0])) return card.innerText;
         }
         return '';",
        vec![json!(email)],
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// `/visits/{id}` after planning: the path of the visit page.
fn visit_path(b: &Browser) -> String {
    let path = b.current_path();
    let id = path.strip_prefix("/visits/").unwrap_or_default();
    if id.is_empty() || id.contains('/') {
        b.fail(&format!(
            "planning a visit should lead to its page, not {path}"
        ));
    }
    path
}

#[test]
fn a_visit_from_plan_to_a_final_note_agreed_by_the_headteacher() {
    if !Browser::available() {
        return;
    }
    let app = DemoServer::start();
    let b = Browser::open();
    let today = today();
    let planned = next_weekday(today);

    // The school user's school: the visit is to it.
    b.sign_in(&app, "school");
    let home = b.main_text();
    let urn: String = home
        .split("You are signed in for the school with URN ")
        .nth(1)
        .unwrap_or_else(|| b.fail("the school user's home page should name their URN"))
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let link = b
        .links()
        .into_iter()
        .find(|(_, href)| href.ends_with(&format!("/schools/{urn}")))
        .unwrap_or_else(|| b.fail("the school user's home page should link to their school"));
    let school = link.0.split(" (URN").next().unwrap_or_default().to_string();
    assert!(!school.is_empty(), "{link:?}");
    b.sign_out();

    // A lead makes the demo adviser the school's named adviser (adding the
    // adviser when the demo has none for the demo adviser's account).
    b.sign_in(&app, "lead");
    b.goto("/advisers");
    assert_eq!(b.heading(), "Advisers and caseloads");
    let adviser_email = app.email("adviser");
    let adviser = match adviser_named(&b, &adviser_email) {
        Some(name) => name,
        None => {
            b.fill("Full name", "Dana Adviser");
            b.fill("Email address", &adviser_email);
            b.check("Primary");
            b.fill("Capacity in days a year", "40");
            b.click_button("Add the adviser");
            assert_eq!(b.error_summary(), None, "adding the adviser");
            adviser_named(&b, &adviser_email)
                .unwrap_or_else(|| b.fail("the new adviser should have a caseload card"))
        }
    };
    if !adviser_card(&b, &adviser_email).contains(&format!("URN {urn}")) {
        b.select("School", &format!("{school}, URN {urn}"));
        b.select("Named adviser", &adviser);
        b.fill(
            "Reason",
            "The adviser knows the school's phase; the browser test assigns it.",
        );
        b.click_button("Change the named adviser");
        assert_eq!(b.error_summary(), None, "assigning the named adviser");
    }
    let card = adviser_card(&b, &adviser_email);
    assert!(
        card.contains(&format!("URN {urn}")),
        "{school} should be on {adviser}'s caseload:\n{card}"
    );

    // The lead also plans a visit to another school, which the school user must not see.
    let other = if urn == "100008" { "100053" } else { "100008" };
    b.goto("/visits/new");
    b.select("School", &format!("URN {other}"));
    b.select("Adviser", &adviser);
    b.select("Type of visit", "School Effectiveness Visit");
    b.fill_date("Date of the visit", &planned.to_string());
    b.fill("Focus of the visit", "Another school's visit: attendance");
    b.click_button("Plan the visit");
    assert_eq!(b.error_summary(), None, "planning the other school's visit");
    let other_visit = visit_path(&b);
    b.sign_out();

    // The adviser plans the visit to the school.
    b.sign_in(&app, "adviser");
    b.goto("/visits");
    b.click_link("Plan a visit");
    assert_eq!(b.current_path(), "/visits/new");
    b.select("School", &format!("{school}, URN {urn}"));
    b.select("Adviser", &adviser);
    b.select("Type of visit", "School Effectiveness Visit");
    b.fill_date("Date of the visit", &planned.to_string());
    b.fill("Start time (optional)", "09:30");
    b.fill("End time (optional)", "12:00");
    b.fill(
        "Focus of the visit",
        "Early reading and phonics; attendance of disadvantaged pupils",
    );
    b.fill("Attendees", "Headteacher\nChair of governors\nEnglish lead");
    b.click_button("Plan the visit");
    assert_eq!(b.error_summary(), None, "planning the visit");
    let visit = visit_path(&b);
    b.assert_text("School Effectiveness Visit");
    b.assert_text(&school);
    b.click_button("Ask the school for its self-evaluation");
    assert_eq!(b.error_summary(), None);
    b.assert_text("Waiting for the school to complete its self-evaluation");
    b.sign_out();

    // The school completes its self-evaluation online.
    b.sign_in(&app, "school");
    b.goto(&visit);
    b.fill(
        "Your school's self-evaluation",
        "Early reading: phonics is taught daily from Reception. Our grade: Secure.\nAttendance: persistent absence is falling. Our grade: Emerging.",
    );
    b.click_button("Send the self-evaluation to the adviser");
    assert_eq!(b.error_summary(), None, "sending the self-evaluation");
    b.assert_text("phonics is taught daily from Reception");
    // Another school's visit is not there for this school.
    b.goto(&other_visit);
    b.assert_not_found();
    b.assert_no_text("Another school's visit");
    b.goto(&format!("{other_visit}/note"));
    b.assert_not_found();
    let pdf = b.download(&format!("{other_visit}/note.pdf"));
    assert_eq!(pdf.status, 404, "another school's note PDF");
    b.sign_out();

    // The adviser reviews it, records the visit held and writes the note.
    b.sign_in(&app, "adviser");
    b.goto(&visit);
    b.assert_text("phonics is taught daily from Reception");
    b.fill(
        "Your review of the self-evaluation",
        "A candid evaluation; the visit will test the phonics judgement in lessons.",
    );
    b.click_button("Save the review");
    assert_eq!(b.error_summary(), None, "reviewing the self-evaluation");
    b.fill_date("Date the visit took place", &today.to_string());
    b.click_button("Record the visit as held");
    assert_eq!(b.error_summary(), None, "recording the visit as held");
    b.click_button("Write the note of visit");
    assert_eq!(b.current_path(), format!("{visit}/note/edit"));
    assert_eq!(b.heading(), "Note of visit");
    b.fill_in("Area of focus 1", "Area", "Early reading and phonics");
    b.fill_in(
        "Area of focus 1",
        "What the adviser saw",
        "Phonics lessons in Reception and Year 1 were well paced; pupils who fall behind catch up the same day.",
    );
    b.select_in("Area of focus 1", "The school's own grade", "Secure");
    b.select_in(
        "Area of focus 1",
        "The adviser's judgement",
        "Highly Effective",
    );
    b.fill_in(
        "Area of focus 1",
        "Where the judgements differ: how the disagreement was discussed",
        "The headteacher agreed the evidence supports a higher judgement.",
    );
    b.click_button("Add another area of focus");
    assert_eq!(b.error_summary(), None, "adding an area of focus");
    assert_eq!(
        b.value_in("Area of focus 1", "Area"),
        "Early reading and phonics",
        "the first area is kept when another is added"
    );
    b.fill_in(
        "Area of focus 2",
        "Area",
        "Attendance of disadvantaged pupils",
    );
    b.fill_in(
        "Area of focus 2",
        "What the adviser saw",
        "Persistent absence fell from 19% to 14% this term; the attendance officer follows up on the first day.",
    );
    b.select_in("Area of focus 2", "The school's own grade", "Emerging");
    b.select_in("Area of focus 2", "The adviser's judgement", "Emerging");
    b.fill(
        "Strength 1",
        "A consistent phonics programme taught with fidelity",
    );
    b.fill(
        "Area for development 1",
        "Attendance of disadvantaged pupils in Years 5 and 6",
    );
    b.fill_in(
        "Agreed action 1",
        "Action",
        "Meet the families of the ten pupils with the lowest attendance",
    );
    b.fill_in("Agreed action 1", "Owner", "Attendance officer");
    b.fill_date("By when", "2027-01-29");
    b.fill_date("Date of the next visit (optional)", "2027-02-10");
    b.fill(
        "Focus of the next visit",
        "Attendance: the effect of the family meetings",
    );
    b.click_button("Save the draft note");
    assert_eq!(b.error_summary(), None, "saving the draft note");
    b.goto(&visit);
    b.click_button("Send the note to the headteacher");
    assert_eq!(b.error_summary(), None, "sending the note");
    b.assert_text("The headteacher's response is due by");
    b.sign_out();

    // The headteacher reads the note, marks it accurate and shares it with the chair.
    b.sign_in(&app, "school");
    b.goto(&visit);
    b.click_link("Read the note of visit");
    b.assert_text("Early reading and phonics");
    b.assert_text("Highly Effective");
    b.goto(&visit);
    b.check_in(
        "Is the note of visit accurate?",
        "Yes, the note is accurate",
    );
    b.click_button("Send your response");
    assert_eq!(b.error_summary(), None, "marking the note accurate");
    b.click_button("Share the note with the chair of governors");
    assert_eq!(b.error_summary(), None, "sharing with the chair");
    b.sign_out();

    // The adviser makes it final; it is then locked.
    b.sign_in(&app, "adviser");
    b.goto(&visit);
    b.click_button("Make the note final");
    assert_eq!(b.error_summary(), None, "making the note final");
    b.assert_no_text("Change the draft note");
    b.assert_no_text("Write the note of visit");
    let history = b.main_text();
    for step in [
        "shared with the chair of governors",
        "the note of visit is final",
    ] {
        assert!(
            history.contains(step),
            "the history should say {step:?}:\n{history}"
        );
    }
    // The form to change the note is refused for a final note.
    b.goto(&format!("{visit}/note/edit"));
    let refused = b.error_summary().is_some()
        || b.page_text().contains("Error code: 4")
        || b.current_path() != format!("{visit}/note/edit");
    assert!(refused, "a final note cannot be edited:\n{}", b.main_text());
    // Later changes are addenda.
    b.goto(&visit);
    b.fill(
        "Add an addendum",
        "The family meetings took place on 14 January.",
    );
    b.click_button("Add the addendum");
    assert_eq!(b.error_summary(), None, "adding an addendum");

    // The note as a page and as a PDF say the same.
    b.goto(&format!("{visit}/note"));
    b.assert_text("Final");
    let blocks = b.execute(
        "const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
         const main = document.querySelector('main');
         return Array.from(main.querySelectorAll('h1, h2, h3, p, li, th, td, dt, dd'))
           .filter(e => !e.querySelector('a, p, li, ul, table') && !e.closest('a'))
           .map(e => norm(e.innerText)).filter(t => t.length > 0);",
        vec![],
    );
    let blocks: Vec<String> = blocks
        .as_array()
        .expect("a list of texts")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(blocks.len() > 10, "{blocks:?}");
    let bytes = b.download_bytes(&format!("{visit}/note.pdf"));
    assert!(bytes.starts_with(b"%PDF-"), "the note's PDF is a PDF");
    let pdf_text = uplift_docs::inspect::pdf_text(&bytes).expect("the PDF's text");
    let pdf_norm = pdf_text.split_whitespace().collect::<Vec<_>>().join(" ");
    for block in &blocks {
        if block == "Final" || block.starts_with("Download the note") {
            continue;
        }
        // The page joins the reference and the date on one line ("Note of
        // visit 10, 22 November 2026" and the Final tag); the PDF sets them
        // on lines of their own.
        let block = block.strip_suffix(" Final").unwrap_or(block);
        let same =
            pdf_norm.contains(block) || block.split(", ").all(|part| pdf_norm.contains(part));
        assert!(
            same,
            "the PDF should say {block:?} as the page does; the PDF says:\n{pdf_text}"
        );
    }
    eprintln!(
        "the note page's {} blocks of text are all in the PDF",
        blocks.len()
    );
    for must in [
        "Early reading and phonics",
        "Highly Effective",
        "Attendance of disadvantaged pupils",
        "Meet the families of the ten pupils with the lowest attendance",
        "Attendance officer",
        school.as_str(),
    ] {
        assert!(
            pdf_norm.contains(must),
            "the PDF should say {must:?}:\n{pdf_text}"
        );
    }
    b.sign_out();

    // The headteacher sees the final note too; another school's stays hidden.
    b.sign_in(&app, "school");
    b.goto(&format!("{visit}/note"));
    b.assert_text("Early reading and phonics");
    let own_pdf = b.download(&format!("{visit}/note.pdf"));
    assert_eq!(own_pdf.status, 200, "the school's own note PDF");
    b.goto(&other_visit);
    b.assert_not_found();
    b.sign_out();
}
