//! Page templates embedded in the binary.
//!
//! Every file under `crates/uplift-web/templates/` is embedded by `build.rs` and loaded into a
//! minijinja [`Environment`] with HTML auto-escaping for `.html` files and strict undefined
//! values, so a handler that forgets a variable fails loudly in tests instead of rendering a
//! blank. `macros.html` holds the GOV.UK Design System components; `layout.html` is the page
//! every other template extends (see the comment at the top of each file for its context).
//!
//! Besides minijinja's built-ins the templates can use:
//! - `asset_url(path)`: the cache-busting URL of an embedded asset, e.g. `/assets/uplift.css?v=…`;
//! - `error_for(field)`: the text of the entry in `errors` whose `field` matches, or none;
//! - `value | date`: `2026-11-22` (or an RFC 3339 timestamp) as `22 November 2026`;
//! - `value | datetime`: an RFC 3339 timestamp as `22 November 2026 at 2:05pm`, UK time.

use std::sync::OnceLock;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::Offset;
use jiff::Timestamp;
use minijinja::{
    escape_formatter, AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior,
    Value,
};

include!(concat!(env!("OUT_DIR"), "/templates_gen.rs"));

/// A new environment with every embedded template, filter and function.
///
/// Building it parses every template; hold one (see [`shared`]) rather than building it per request.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(format_value);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("date", date);
    env.add_filter("datetime", datetime);
    env.add_function("asset_url", asset_url);
    env.add_function("error_for", error_for);
    for (name, source) in TEMPLATES {
        if let Err(error) = env.add_template(name, source) {
            panic!("embedded template {name} does not parse: {error:#}");
        }
    }
    env
}

/// One environment for the whole process, built on first use.
pub fn shared() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(environment)
}

/// The names of every embedded template, e.g. `layout.html`.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(name, _)| *name)
}

/// Prints values: `none` as nothing (never the word "none" on a page), and in HTML escapes the
/// five characters that matter (`& < > " '`), as Jinja2 does; minijinja's default also escapes
/// `/`, which makes every URL read `&#x2f;…`.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if value.is_none() {
        return Ok(());
    }
    if state.auto_escape() != AutoEscape::Html || value.is_safe() {
        return escape_formatter(out, state, value);
    }
    let text = match value.as_str() {
        Some(text) => std::borrow::Cow::Borrowed(text),
        None => std::borrow::Cow::Owned(value.to_string()),
    };
    let mut rest: &str = &text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#x27;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)?;
    Ok(())
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// `asset_url("uplift.css")` → `/assets/uplift.css?v=<content hash>`.
fn asset_url(path: &str) -> Result<Value, Error> {
    // Marked safe: the URL is ours and HTML escaping would turn `/` into `&#x2f;`.
    crate::assets::url(path)
        .map(Value::from_safe_string)
        .ok_or_else(|| invalid(format!("no embedded asset {path:?}")))
}

/// The `text` of the first entry in the context's `errors` whose `field` is `field`, or none.
fn error_for(state: &State, field: &str) -> Result<Value, Error> {
    let Some(errors) = state.lookup("errors") else {
        return Ok(Value::from(()));
    };
    if errors.is_undefined() || errors.is_none() {
        return Ok(Value::from(()));
    }
    for error in errors.try_iter()? {
        if error.get_attr("field")?.as_str() == Some(field) {
            return error.get_attr("text");
        }
    }
    Ok(Value::from(()))
}

/// `2026-11-22` → `22 November 2026`, the GOV.UK style. An RFC 3339 timestamp gives its UK date.
fn date(value: &str) -> Result<String, Error> {
    let date = match value.parse::<Date>() {
        Ok(date) => date,
        Err(_) => uk_time(value)?.date(),
    };
    Ok(date.strftime("%-d %B %Y").to_string())
}

/// `2026-11-22T14:05:00Z` → `22 November 2026 at 2:05pm`, in UK time (GMT or BST).
fn datetime(value: &str) -> Result<String, Error> {
    let local = uk_time(value)?;
    let time = match (local.hour(), local.minute()) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        (hour, minute) => {
            let suffix = if hour < 12 { "am" } else { "pm" };
            let hour = match hour % 12 {
                0 => 12,
                h => h,
            };
            if minute == 0 {
                format!("{hour}{suffix}")
            } else {
                format!("{hour}:{minute:02}{suffix}")
            }
        }
    };
    Ok(format!("{} at {time}", local.date().strftime("%-d %B %Y")))
}

/// An RFC 3339 timestamp as the civil time in the UK.
///
/// British Summer Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
/// Sunday of October (the rule since 1996); outside it the UK keeps GMT. Computing it here keeps
/// the binary free of a time-zone database.
fn uk_time(value: &str) -> Result<DateTime, Error> {
    let timestamp: Timestamp = value
        .parse()
        .map_err(|e| invalid(format!("{value:?} is not an RFC 3339 timestamp: {e}")))?;
    let year = Offset::UTC.to_datetime(timestamp).year();
    let change = |month: i8| -> Result<Timestamp, Error> {
        let sunday = Date::new(year, month, 1)
            .and_then(|d| d.nth_weekday_of_month(-1, Weekday::Sunday))
            .map_err(|e| {
                invalid(format!(
                    "cannot compute British Summer Time for {year}: {e}"
                ))
            })?;
        Offset::UTC
            .to_timestamp(sunday.at(1, 0, 0, 0))
            .map_err(|e| {
                invalid(format!(
                    "cannot compute British Summer Time for {year}: {e}"
                ))
            })
    };
    let summer = timestamp >= change(3)? && timestamp < change(10)?;
    let offset = Offset::constant(if summer { 1 } else { 0 });
    Ok(offset.to_datetime(timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value as Json};

    const SCRIPT: &str = "<script>alert(1)</script>";

    /// The context every page gets, signed in as a lead at Camden.
    fn base(page_title: &str) -> Json {
        json!({
            "service_name": "Uplift",
            "organisation_name": "Camden Council",
            "user": {
                "name": "Ada Lovelace",
                "email": "ada@example.org",
                "role": "lead",
                "role_label": "Lead",
            },
            "nav": [
                {"href": "/", "text": "Home", "current": true},
                {"href": "/audit", "text": "Audit log", "current": false},
            ],
            "csrf_token": "csrf-123",
            "page_title": page_title,
        })
    }

    fn with(mut context: Json, extra: Json) -> Json {
        let (Json::Object(target), Json::Object(extra)) = (&mut context, extra) else {
            panic!("contexts are objects");
        };
        target.extend(extra);
        context
    }

    fn render(name: &str, context: &Json) -> String {
        environment()
            .get_template(name)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"))
            .render(context)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"))
    }

    /// Checks that apply to every page: one h1, the shell, no inline script or style.
    fn assert_page(html: &str) {
        assert_eq!(html.matches("<h1").count(), 1, "exactly one h1:\n{html}");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(r#"<html lang="en" class="govuk-template">"#));
        assert!(html.contains(r##"<a href="#main-content" class="govuk-skip-link""##));
        assert!(html.contains(r#"<main class="govuk-main-wrapper" id="main-content">"#));
        assert!(html.contains(&format!(
            r#"<link rel="stylesheet" href="/assets/uplift.css?v={}">"#,
            crate::assets::CSS_VERSION
        )));
        assert!(html.contains(&format!(
            r#"<script type="module" src="/assets/uplift.js?v={}"></script>"#,
            crate::assets::JS_VERSION
        )));
        assert_eq!(html.matches("<script").count(), 1, "no inline script");
        assert!(!html.contains("style="), "no inline style");
        assert!(!html.contains("onclick") && !html.contains("javascript:"));
        for gov_uk_only in [
            "GDS Transport",
            "govuk-logo",
            "crown",
            "Crown copyright",
            "Open Government Licence",
            "GOV.UK",
        ] {
            assert!(!html.contains(gov_uk_only), "{gov_uk_only} on the page");
        }
        assert!(html.contains(r#"href="/accessibility""#));
        assert!(!html.contains(SCRIPT), "unescaped script:\n{html}");
        // Every input except hidden ones and buttons has a label pointing at it.
        for id in html.split(r#"<input class=""#).skip(1).map(|rest| {
            let id = &rest[rest.find(r#"id=""#).expect("inputs have ids") + 4..];
            &id[..id.find('"').unwrap()]
        }) {
            assert!(
                html.contains(&format!(r#"for="{id}""#)),
                "no label for {id}"
            );
        }
    }

    #[test]
    fn every_template_parses_and_is_html() {
        let env = environment();
        let names: Vec<_> = names().collect();
        for expected in [
            "account.html",
            "audit.html",
            "error.html",
            "home.html",
            "layout.html",
            "macros.html",
            "sign_in.html",
            "tokens.html",
            "users.html",
        ] {
            assert!(names.contains(&expected), "{expected} is embedded");
        }
        for name in names {
            env.get_template(name).unwrap();
            let source = TEMPLATES.iter().find(|(n, _)| *n == name).unwrap().1;
            assert!(!source.contains("style="), "{name} has an inline style");
            assert!(
                name == "layout.html" || !source.contains("<script"),
                "{name} has a script"
            );
        }
    }

    #[test]
    fn layout_shows_organisation_navigation_and_sign_out() {
        let html = render(
            "home.html",
            &with(base("Home"), json!({"flash": "Password changed"})),
        );
        assert_page(&html);
        assert!(html.contains("<title>Home – Uplift</title>"));
        assert!(html.contains(r#"<span class="uplift-header__organisation">Camden Council</span>"#));
        assert!(html.contains(r#"<span class="uplift-header__service">Uplift</span>"#));
        assert!(html
            .contains(r#"<a href="/" class="govuk-header__link govuk-header__link--homepage">"#));
        assert!(html.contains(
            r#"class="govuk-service-navigation" data-module="govuk-service-navigation""#
        ));
        assert!(html.contains(r#"href="/" aria-current="page">"#));
        assert!(html.contains(r#"href="/audit">"#));
        assert!(!html.contains(r#"href="/audit" aria-current"#));
        assert!(
            html.contains(r#"<form method="post" action="/sign-out" class="uplift-inline-form">"#)
        );
        assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="csrf-123">"#));
        assert!(
            html.contains(r#"<button type="submit" class="uplift-link-button">Sign out</button>"#)
        );
        assert!(html.contains("govuk-notification-banner--success"));
        assert!(html.contains("Password changed"));
        assert!(html.contains("Uplift is run by Camden Council."));
    }

    #[test]
    fn layout_without_user_or_organisation() {
        let mut context = base("Page not found");
        let object = context.as_object_mut().unwrap();
        object.remove("user");
        object.remove("nav");
        object.remove("organisation_name");
        let html = render(
            "error.html",
            &with(
                context,
                json!({"status": 404, "heading": "Page not found", "message": "Check the address."}),
            ),
        );
        assert_page(&html);
        assert!(!html.contains("govuk-service-navigation"));
        assert!(!html.contains("Sign out"));
        assert!(!html.contains("uplift-header__organisation"));
    }

    #[test]
    fn sign_in_page() {
        let context = with(
            base("Sign in"),
            json!({"user": null, "nav": [], "email": "ada@example.org", "next": "/audit?x=1"}),
        );
        let html = render("sign_in.html", &context);
        assert_page(&html);
        assert!(html.contains(r#"<form method="post" action="/sign-in" novalidate>"#));
        assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="csrf-123">"#));
        assert!(html.contains(r#"<input type="hidden" name="next" value="/audit?x=1">"#));
        assert!(html.contains(r#"id="email" name="email" type="email" spellcheck="false" value="ada@example.org" autocomplete="email""#));
        assert!(html.contains(r#"id="password" name="password" type="password""#));
        assert!(html.contains(r#"data-module="govuk-password-input""#));
        assert!(!html.contains("govuk-error-summary"));
        assert!(!html.contains("Sign out"));

        let errors = with(
            context,
            json!({
                "email": SCRIPT,
                "errors": [
                    {"field": "email", "text": "Enter an email address"},
                    {"field": "password", "text": "Enter your password"},
                ],
            }),
        );
        let html = render("sign_in.html", &errors);
        assert_page(&html);
        assert!(html.contains("<title>Error: Sign in – Uplift</title>"));
        assert!(
            html.contains(r#"<div class="govuk-error-summary" data-module="govuk-error-summary">"#)
        );
        assert!(html.contains(r##"<a href="#email">Enter an email address</a>"##));
        assert!(html.contains(r##"<a href="#password">Enter your password</a>"##));
        assert!(html.contains(r#"<div class="govuk-form-group govuk-form-group--error">"#));
        assert!(html.contains(r#"<p id="email-error" class="govuk-error-message">"#));
        assert!(html.contains(
            r#"<span class="govuk-visually-hidden">Error:</span> Enter an email address"#
        ));
        assert!(html.contains(r#"class="govuk-input govuk-input--error" id="email""#));
        assert!(html.contains(r#"aria-describedby="email-error""#));
        assert!(html.contains(r#"govuk-js-password-input-input govuk-input--error" id="password""#));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn home_shows_only_what_it_is_given() {
        let html = render("home.html", &base("Home"));
        assert_page(&html);
        assert!(html.contains("There is nothing here yet."));
        assert!(!html.contains("uplift-card"));

        let html = render(
            "home.html",
            &with(
                base("Home"),
                json!({
                    "cards": [
                        {"title": "Schools causing concern", "value": 0, "href": "/schools?concern=1", "description": null},
                        {"title": SCRIPT, "value": 12, "href": null, "description": "Visits due this term"},
                    ],
                    "sections": [
                        {"title": "Your caseload", "text": null, "links": [{"href": "/schools/100000", "text": "A school"}]},
                    ],
                }),
            ),
        );
        assert_page(&html);
        assert!(!html.contains("There is nothing here yet."));
        assert!(html.contains(
            r#"<a class="govuk-link" href="/schools?concern=1">Schools causing concern</a>"#
        ));
        assert!(html.contains(r#"<p class="uplift-card__value">0</p>"#));
        assert!(html.contains(r#"<p class="uplift-card__value">12</p>"#));
        assert!(html.contains("Visits due this term"));
        assert!(html.contains(r#"<h2 class="govuk-heading-m">Your caseload</h2>"#));
        assert!(html.contains(r#"<a class="govuk-link" href="/schools/100000">A school</a>"#));
        assert!(!html.contains("none"), "none is never printed:\n{html}");
    }

    #[test]
    fn error_page_for_each_status() {
        for (status, heading) in [
            (400, "There is a problem with your request"),
            (403, "You do not have access to this page"),
            (404, "Page not found"),
            (429, "Too many attempts"),
            (500, "Sorry, there is a problem with the service"),
        ] {
            let html = render(
                "error.html",
                &with(
                    base(heading),
                    json!({"status": status, "heading": heading, "message": SCRIPT}),
                ),
            );
            assert_page(&html);
            assert!(html.contains(&format!(r#"<h1 class="govuk-heading-l">{heading}</h1>"#)));
            assert!(html.contains(&format!("Error code: {status}")));
            assert!(html.contains(r#"<a class="govuk-link" href="/">Go to the home page</a>"#));
        }
    }

    #[test]
    fn audit_page() {
        let html = render(
            "audit.html",
            &with(
                base("Audit log"),
                json!({
                    "filters": {"entity": "user", "action": "update", "user_email": "", "from": {"day": "1", "month": "11", "year": "2026"}, "to": {"day": "", "month": "", "year": ""}},
                    "entries": [
                        {
                            "at": "2026-07-01T13:30:00Z",
                            "user_email": "ada@example.org",
                            "organisation_name": "Camden Council",
                            "action": "update",
                            "entity": "user",
                            "entity_id": "42",
                            "before": "{\"role\": \"adviser\"}",
                            "after": format!("{{\"name\": \"{SCRIPT}\"}}"),
                        },
                        {
                            "at": "2026-11-22T09:00:00Z",
                            "user_email": null,
                            "organisation_name": null,
                            "action": "create",
                            "entity": "school",
                            "entity_id": null,
                            "before": null,
                            "after": null,
                        },
                    ],
                    "prev_href": null,
                    "next_href": "/audit?page=2",
                }),
            ),
        );
        assert_page(&html);
        assert!(html
            .contains(r#"<form method="get" action="/audit" class="uplift-filter" novalidate>"#));
        assert!(html.contains(r#"id="entity" name="entity" type="text" value="user""#));
        assert!(html.contains(r#"<option value="update" selected>Update</option>"#));
        assert!(html.contains(r#"<option value="">Any</option>"#));
        assert!(html.contains(r#"id="from-day" name="from-day" type="text" value="1""#));
        assert!(html.contains(r#"id="from-year" name="from-year" type="text" value="2026""#));
        assert!(html.contains(r#"id="to-day" name="to-day" type="text" inputmode"#));
        assert!(html.contains(r#"<th scope="col" class="govuk-table__header">When</th>"#));
        assert!(
            html.contains("1 July 2026 at 2:30pm"),
            "BST applies in July"
        );
        assert!(html.contains("22 November 2026 at 9am"));
        assert!(html.contains(r#"<details class="govuk-details">"#));
        assert!(html.contains(
            r#"<pre class="uplift-code-block">{&quot;role&quot;: &quot;adviser&quot;}</pre>"#
        ));
        assert!(html.contains("None recorded"));
        assert!(html.contains("System"));
        assert!(html.contains(
            r#"<nav class="govuk-pagination govuk-pagination--block" aria-label="Pagination">"#
        ));
        assert!(html.contains(r#"href="/audit?page=2" rel="next""#));
        assert!(!html.contains(r#"rel="prev""#));

        let empty = render(
            "audit.html",
            &with(
                base("Audit log"),
                json!({"entries": [], "prev_href": null, "next_href": null}),
            ),
        );
        assert_page(&empty);
        assert!(empty.contains("No entries match these filters."));
        assert!(!empty.contains("govuk-pagination"));
    }

    #[test]
    fn users_page() {
        let html = render(
            "users.html",
            &with(
                base("Users"),
                json!({"users": [
                    {"name": "Ada Lovelace", "email": "ada@example.org", "role_label": "Lead", "school_urn": null, "active": true},
                    {"name": SCRIPT, "email": "head@example.org", "role_label": "School", "school_urn": 100000, "active": false},
                ]}),
            ),
        );
        assert_page(&html);
        assert!(html.contains(r#"<th scope="row" class="govuk-table__header">Ada Lovelace</th>"#));
        assert!(html.contains("Not a school user"));
        assert!(html.contains(r#"<td class="govuk-table__cell">100000</td>"#));
        assert!(html.contains(r#"<strong class="govuk-tag govuk-tag--green">"#));
        assert!(html.contains(r#"<strong class="govuk-tag govuk-tag--grey">"#));
        assert!(html.contains("Deactivated"));
        assert!(html.contains("2 users"));
    }

    #[test]
    fn tokens_page() {
        let tokens = json!({"tokens": [
            {"id": 7, "name": SCRIPT, "created_at": "2026-01-05T08:15:00Z", "last_used_at": null},
            {"id": 8, "name": "Finance export", "created_at": "2026-03-29T00:30:00Z", "last_used_at": "2026-10-25T11:00:00+00:00"},
        ]});
        let html = render("tokens.html", &with(base("API tokens"), tokens.clone()));
        assert_page(&html);
        assert!(!html.contains("govuk-panel"));
        assert!(html.contains(
            r#"<form method="post" action="/tokens/7/revoke" class="uplift-inline-form">"#
        ));
        assert!(html.contains(
            r#"<form method="post" action="/tokens/8/revoke" class="uplift-inline-form">"#
        ));
        assert_eq!(
            html.matches(r#"name="csrf_token" value="csrf-123""#)
                .count(),
            4
        );
        assert!(html.contains("5 January 2026 at 8:15am"));
        assert!(
            html.contains("29 March 2026 at 12:30am"),
            "GMT until 01:00 UTC on 29 March 2026"
        );
        assert!(
            html.contains("25 October 2026 at 11am"),
            "GMT again on 25 October 2026"
        );
        assert!(html.contains("Never"));
        assert!(html.contains(r#"<form method="post" action="/tokens" novalidate>"#));

        let html = render(
            "tokens.html",
            &with(
                with(base("API tokens"), tokens),
                json!({"new_token": "upl_secret_abc"}),
            ),
        );
        assert_page(&html);
        assert!(html.contains(r#"<div class="govuk-panel govuk-panel--confirmation">"#));
        assert!(html.contains(r#"<code class="uplift-token">upl_secret_abc</code>"#));
        assert!(html.contains("It will not be shown again."));

        let html = render(
            "tokens.html",
            &with(base("API tokens"), json!({"tokens": []})),
        );
        assert_page(&html);
        assert!(html.contains("You have no API tokens."));
    }

    #[test]
    fn account_page() {
        let html = render("account.html", &base("Your account"));
        assert_page(&html);
        assert!(html.contains(r#"<form method="post" action="/account" novalidate>"#));
        for (id, autocomplete) in [
            ("current_password", "current-password"),
            ("new_password", "new-password"),
            ("confirm_password", "new-password"),
        ] {
            assert!(html.contains(&format!(r#"id="{id}" name="{id}" type="password""#)));
            assert!(html.contains(&format!(r#"for="{id}""#)));
            let input = &html[html.find(&format!(r#"id="{id}""#)).unwrap()..];
            assert!(input[..input.find('>').unwrap()]
                .contains(&format!(r#"autocomplete="{autocomplete}""#)));
        }
        assert!(html.contains("Ada Lovelace"));

        let html = render(
            "account.html",
            &with(
                base("Your account"),
                json!({"errors": [{"field": "confirm_password", "text": "Passwords do not match"}]}),
            ),
        );
        assert!(html.contains("<title>Error: Your account – Uplift</title>"));
        assert!(html.contains(r#"aria-describedby="confirm_password-error""#));
        assert!(html.contains(r#"aria-describedby="new_password-hint""#));
    }

    #[test]
    fn macros_render_govuk_markup() {
        let env = environment();
        let render_macro = |call: &str| -> String {
            let source = format!(r#"{{% import "macros.html" as govuk %}}{call}"#);
            env.template_from_named_str("call.html", &source)
                .and_then(|template| template.render(json!({})))
                .unwrap_or_else(|e| panic!("{call}: {e:#}"))
        };
        let squash = |html: String| html.split_whitespace().collect::<Vec<_>>().join(" ");

        let tag = squash(render_macro(r#"{{ govuk.tag("Amber", "amber") }}"#));
        assert_eq!(
            tag,
            r#"<strong class="govuk-tag govuk-tag--orange"> Amber </strong>"#
        );

        let button = squash(render_macro(
            r#"{{ govuk.button("Delete", variant="warning", prevent_double_click=true) }}"#,
        ));
        assert_eq!(
            button,
            r#"<button type="submit" data-prevent-double-click="true" class="govuk-button govuk-button--warning" data-module="govuk-button"> Delete </button>"#
        );

        let select = render_macro(
            r#"{{ govuk.select("role", "Role", options=[{"value": "lead", "text": "Lead"}, {"value": "panel", "text": "Panel"}], selected="panel", error="Select a role") }}"#,
        );
        assert!(select.contains(r#"<select class="govuk-select govuk-select--error" id="role" name="role" aria-describedby="role-error">"#));
        assert!(select.contains(r#"<option value="panel" selected>Panel</option>"#));

        let radios = render_macro(
            r#"{{ govuk.radios("rag", "Rating", options=[{"value": "red", "text": "Red"}, {"value": "green", "text": "Green", "hint": "On track"}], selected="green", hint="Pick one", inline=true) }}"#,
        );
        assert!(radios.contains(r#"<fieldset class="govuk-fieldset" aria-describedby="rag-hint">"#));
        assert!(radios.contains(
            r#"<div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">"#
        ));
        assert!(radios.contains(r#"id="rag" name="rag" type="radio" value="red">"#));
        assert!(radios.contains(r#"id="rag-2" name="rag" type="radio" value="green" checked aria-describedby="rag-2-item-hint">"#));

        let checkboxes = render_macro(
            r#"{{ govuk.checkboxes("roles", "Roles", options=[{"value": "a", "text": "A"}, {"value": "b", "text": "B"}], checked=["b"], error="Pick one") }}"#,
        );
        assert!(checkboxes
            .contains(r#"<fieldset class="govuk-fieldset" aria-describedby="roles-error">"#));
        assert!(
            checkboxes.contains(r#"id="roles-2" name="roles" type="checkbox" value="b" checked>"#)
        );
        assert!(checkboxes.contains(r#"id="roles" name="roles" type="checkbox" value="a">"#));

        let textarea = render_macro(
            r#"{{ govuk.textarea("notes", "Notes", value="<b>hi</b>", error="Too long") }}"#,
        );
        assert!(textarea.contains(r#"<textarea class="govuk-textarea govuk-textarea--error" id="notes" name="notes" rows="5" aria-describedby="notes-error">&lt;b&gt;hi&lt;/b&gt;</textarea>"#));

        let date = render_macro(
            r#"{{ govuk.date_input("visit", "Visit date", day="22", month="11", year="2026", error="Enter a real date", error_fields=["month"]) }}"#,
        );
        assert!(date.contains(
            r#"<fieldset class="govuk-fieldset" role="group" aria-describedby="visit-error">"#
        ));
        assert!(date.contains(r#"class="govuk-input govuk-date-input__input govuk-input--width-2" id="visit-day" name="visit-day" type="text" value="22" inputmode="numeric">"#));
        assert!(date.contains(r#"class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="visit-month""#));
        assert!(date.contains(
            r#"govuk-input--width-4" id="visit-year" name="visit-year" type="text" value="2026""#
        ));

        let summary = render_macro(
            r#"{{ govuk.summary_list([{"key": "Name", "value": "Ada", "href": "/name"}, {"key": "URN", "value": none}]) }}"#,
        );
        assert!(summary.contains(r#"<a class="govuk-link" href="/name">Change<span class="govuk-visually-hidden"> name</span></a>"#));
        assert!(summary.contains("Not recorded"));
        assert!(summary.contains("govuk-summary-list__row--no-actions"));

        let table = render_macro(
            r#"{{ govuk.table("Schools", head=[{"text": "Name", "href": "?sort=name", "sort": "ascending"}, {"text": "Pupils", "numeric": true}, "Rating"], rows=[["Hill School", {"text": 210, "numeric": true}, {"text": "Red", "tag_colour": "red"}]], first_cell_is_header=true) }}"#,
        );
        assert!(table.contains(
            r#"<caption class="govuk-table__caption govuk-table__caption--m">Schools</caption>"#
        ));
        assert!(table.contains(r#"<th scope="col" class="govuk-table__header" aria-sort="ascending"><a class="govuk-link" href="?sort=name">Name"#));
        assert!(table.contains(r#"<th scope="col" class="govuk-table__header govuk-table__header--numeric">Pupils</th>"#));
        assert!(table.contains(r#"<th scope="row" class="govuk-table__header">Hill School</th>"#));
        assert!(
            table.contains(r#"<td class="govuk-table__cell govuk-table__cell--numeric">210</td>"#)
        );
        assert!(
            table.contains(r#"<strong class="govuk-tag govuk-tag--red">"#),
            "{table}"
        );

        let pages = render_macro(
            r#"{{ govuk.pagination(prev="/p/1", next="/p/3", pages=[{"number": 1, "href": "/p/1"}, {"number": 2, "href": "/p/2", "current": true}, {"ellipsis": true}]) }}"#,
        );
        assert!(pages.contains(r#"<nav class="govuk-pagination" aria-label="Pagination">"#));
        assert!(pages.contains(r#"href="/p/2" aria-label="Page 2" aria-current="page">"#));
        assert!(pages.contains("govuk-pagination__item--ellipses"));

        let crumbs = render_macro(
            r#"{{ govuk.breadcrumbs([{"text": "Home", "href": "/"}, {"text": "Schools"}]) }}"#,
        );
        assert!(crumbs.contains(r#"<a class="govuk-breadcrumbs__link" href="/">Home</a>"#));
        assert!(crumbs.contains(
            r#"<li class="govuk-breadcrumbs__list-item" aria-current="page">Schools</li>"#
        ));

        for (call, expected) in [
            (
                r#"{{ govuk.back_link("/schools") }}"#,
                r#"<a href="/schools" class="govuk-back-link">Back</a>"#,
            ),
            (
                r#"{{ govuk.inset_text("Note") }}"#,
                r#"<div class="govuk-inset-text">"#,
            ),
            (
                r#"{{ govuk.details("More", "Text") }}"#,
                r#"<span class="govuk-details__summary-text">"#,
            ),
            (
                r#"{{ govuk.panel("Done", "Ref 1", heading_level=1) }}"#,
                r#"<h1 class="govuk-panel__title">"#,
            ),
            (
                r#"{{ govuk.notification_banner("Heads up") }}"#,
                r#"role="region" aria-labelledby="govuk-notification-banner-title""#,
            ),
            (
                r#"{{ govuk.warning_text("Careful") }}"#,
                r#"<span class="govuk-visually-hidden">Warning</span>"#,
            ),
            (r#"{{ govuk.error_summary([]) }}"#, ""),
        ] {
            let html = render_macro(call);
            assert!(html.contains(expected), "{call}:\n{html}");
        }
        assert!(render_macro(r#"{{ govuk.error_summary([]) }}"#)
            .trim()
            .is_empty());
    }

    #[test]
    fn date_filters_use_gov_uk_style_and_uk_time() {
        assert_eq!(date("2026-11-22").unwrap(), "22 November 2026");
        assert_eq!(date("2026-01-01").unwrap(), "1 January 2026");
        assert_eq!(date("2026-06-30T23:30:00Z").unwrap(), "1 July 2026", "BST");
        assert!(date("22/11/2026").is_err());
        assert_eq!(
            datetime("2026-11-22T14:05:00Z").unwrap(),
            "22 November 2026 at 2:05pm"
        );
        assert_eq!(
            datetime("2026-11-22T00:00:00Z").unwrap(),
            "22 November 2026 at midnight"
        );
        assert_eq!(
            datetime("2026-11-22T12:00:00Z").unwrap(),
            "22 November 2026 at midday"
        );
        assert_eq!(
            datetime("2026-11-22T12:01:00Z").unwrap(),
            "22 November 2026 at 12:01pm"
        );
        assert_eq!(
            datetime("2026-11-22T00:05:00Z").unwrap(),
            "22 November 2026 at 12:05am"
        );
        assert_eq!(
            datetime("2026-08-01T11:00:00Z").unwrap(),
            "1 August 2026 at midday"
        );
        assert_eq!(
            datetime("2026-08-01T11:00:00+02:00").unwrap(),
            "1 August 2026 at 10am"
        );
        // The changes happen at 01:00 UTC on the last Sundays of March and October.
        assert_eq!(
            datetime("2026-03-29T00:59:00Z").unwrap(),
            "29 March 2026 at 12:59am"
        );
        assert_eq!(
            datetime("2026-03-29T01:00:00Z").unwrap(),
            "29 March 2026 at 2am"
        );
        assert_eq!(
            datetime("2026-10-25T00:59:00Z").unwrap(),
            "25 October 2026 at 1:59am"
        );
        assert_eq!(
            datetime("2026-10-25T01:00:00Z").unwrap(),
            "25 October 2026 at 1am"
        );
        assert!(datetime("2026-11-22").is_err());
        assert!(datetime("yesterday").is_err());
    }

    #[test]
    fn strict_undefined_catches_missing_context() {
        let env = environment();
        let error = env
            .get_template("error.html")
            .unwrap()
            .render(base("Oops"))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UndefinedError);
    }
}
