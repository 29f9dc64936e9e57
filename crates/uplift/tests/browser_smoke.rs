//! The built binary in a real browser, as a new user meets it: `uplift serve
//! --demo`, then headless Chromium signs in as every demo role, gets a wrong
//! password refused with the GOV.UK error summary, searches the schools as a
//! lead, and finds another school's profile closed to a school user.
//!
//! One browser for the whole file (signing out between roles) keeps it quick.

mod support;

use support::{Browser, DemoServer};

/// The number in "90 schools" / "1 school" above the results table.
fn school_count(b: &Browser) -> usize {
    let text = b.main_text();
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() == 2
                && words[0].parse::<usize>().is_ok()
                && (words[1] == "school" || words[1] == "schools")
        })
        .unwrap_or_else(|| b.fail("no \"N schools\" line above the results"));
    line.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default()
}

#[test]
fn a_new_user_signs_in_and_finds_schools_in_the_browser() {
    if !Browser::available() {
        return;
    }
    let app = DemoServer::start();
    let b = Browser::open();

    // A wrong password: the error summary, the field error, the title, no sign-in.
    b.goto(&app.url("/sign-in"));
    assert_eq!(b.heading(), "Sign in");
    b.fill("Email address", &app.email("lead"));
    b.fill("Password", "not the password at all");
    b.click_button("Sign in");
    assert_eq!(b.current_path(), "/sign-in");
    let summary = b
        .error_summary()
        .unwrap_or_else(|| b.fail("a wrong password should show the error summary"));
    assert!(summary.contains("There is a problem"), "{summary}");
    assert!(
        summary.contains("Enter a correct email address and password"),
        "{summary}"
    );
    assert!(b.title().starts_with("Error: "), "title: {}", b.title());
    assert_eq!(b.value_of("Email address"), app.email("lead"));
    assert_eq!(b.value_of("Password"), "", "a password is never echoed");
    b.goto(&app.url("/schools"));
    assert_eq!(b.current_path(), "/sign-in", "still signed out");

    // Every demo role signs in and sees its organisation's home page.
    let roles = app.roles();
    for role in [
        "admin",
        "lead",
        "adviser",
        "panel",
        "school",
        "commissioner",
        "traded",
    ] {
        assert!(
            roles.iter().any(|r| r == role),
            "serve --demo printed no {role}"
        );
    }
    for role in &roles {
        b.sign_in(&app, role);
        assert_eq!(b.current_path(), "/", "{role} lands on the home page");
        assert_eq!(b.heading(), "Camden Council school improvement", "{role}");
        b.assert_text("Camden Council");
        b.sign_out();
    }

    // A lead: the schools list, filters and a profile.
    b.sign_in(&app, "lead");
    b.click_link("Schools");
    assert_eq!(b.current_path(), "/schools");
    let all = school_count(&b);
    assert!(all > 50, "the Camden demo estate has {all} schools");
    b.select("Phase", "Primary");
    b.click_button("Search");
    assert!(
        b.current_path_and_query().contains("phase="),
        "{}",
        b.current_path_and_query()
    );
    let primaries = school_count(&b);
    assert!(
        primaries > 0 && primaries < all,
        "{primaries} primary of {all}"
    );
    assert_eq!(b.value_of("Phase"), "Primary", "the filter stays chosen");
    b.fill("School name or URN", "Argyle");
    b.click_button("Search");
    assert_eq!(school_count(&b), 1);
    b.assert_text("Argyle Primary School");
    b.assert_no_text("Acland Burghley School");
    b.click_link("Argyle Primary School");
    assert_eq!(b.current_path(), "/schools/100008");
    assert!(
        b.heading().contains("Argyle Primary School"),
        "{}",
        b.heading()
    );
    b.assert_text("100008");
    b.click_link("Schools");
    b.fill("School name or URN", "no school is called this");
    b.click_button("Search");
    assert_eq!(school_count(&b), 0);
    b.assert_text("No schools match");
    b.sign_out();

    // A school user: their own school, and a 404 for any other.
    b.sign_in(&app, "school");
    let home = b.main_text();
    let urn: String = home
        .split("You are signed in for the school with URN ")
        .nth(1)
        .unwrap_or_else(|| b.fail("the school user's home page should name their URN"))
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!urn.is_empty(), "{home}");
    b.click_link("Schools");
    assert_eq!(school_count(&b), 1, "a school user sees only their school");
    b.assert_text(&urn);
    b.goto(&app.url(&format!("/schools/{urn}")));
    b.assert_text(&format!("URN {urn}"));
    let other = if urn == "100008" { "100053" } else { "100008" };
    b.goto(&app.url(&format!("/schools/{other}")));
    b.assert_not_found();
    b.assert_no_text("Argyle Primary School");
    b.sign_out();
}
