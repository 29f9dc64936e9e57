//! The one form layer of the pages: reading posted fields, the GOV.UK date
//! input, and showing a use case's refusals in the GOV.UK error summary.
//! Every page handler reads its form through these; none has its own copy.

use std::collections::BTreeMap;

use jiff::civil::Date;
use minijinja::{context, Value};
use uplift_app::{AppError, FieldError};

/// A posted form: each field's values in the order sent.
pub type Fields = BTreeMap<String, Vec<String>>;

/// Groups a posted form by field.
pub fn fields(form: Vec<(String, String)>) -> Fields {
    let mut out: Fields = BTreeMap::new();
    for (k, v) in form {
        out.entry(k).or_default().push(v);
    }
    out
}

/// A field's first value, trimmed ("" when absent).
pub fn one(f: &Fields, k: &str) -> String {
    f.get(k)
        .and_then(|v| v.first())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// A field's non-blank values, trimmed (checkboxes).
pub fn many(f: &Fields, k: &str) -> Vec<String> {
    f.get(k)
        .map(|v| {
            v.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The non-blank lines of a textarea, list markers ("-", "*") dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().trim_start_matches(['-', '*']).trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// One error for the page: the field's id and the message.
pub fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

/// The errors by field, for the message beside each field.
pub fn by_field(errors: &[Value]) -> BTreeMap<String, String> {
    errors
        .iter()
        .filter_map(|e| {
            let f = e.get_attr("field").ok()?;
            let t = e.get_attr("text").ok()?;
            Some((f.as_str()?.to_string(), t.as_str()?.to_string()))
        })
        .collect()
}

/// A use case's refused inputs as errors on this page's form: `field` turns
/// the use case's name for an input into the form's own field name.
pub fn field_errors(errors: &[FieldError], field: impl Fn(&str) -> String) -> Vec<Value> {
    errors
        .iter()
        .map(|e| err(&field(&e.field), &e.message))
        .collect()
}

/// What a page does with a use case's error: refusals go on the form
/// (`Ok`), anything else becomes the error page (`Err`).
pub fn refusals(
    e: AppError,
    field: impl Fn(&str) -> String,
) -> Result<Vec<Value>, crate::error::Problem> {
    match e {
        AppError::Invalid(errors) => Ok(field_errors(&errors, field)),
        other => Err(crate::error::Problem::from(other)),
    }
}

/// A GOV.UK date input's three fields (`<name>-day`, `-month`, `-year`) as
/// posted, for showing the form again.
pub fn date_parts(f: &Fields, name: &str) -> Value {
    context! {
        day => one(f, &format!("{name}-day")),
        month => one(f, &format!("{name}-month")),
        year => one(f, &format!("{name}-year")),
    }
}

/// A date's parts for a date input's initial value.
pub fn parts_of(d: Date) -> Value {
    context! { day => d.day().to_string(), month => d.month().to_string(), year => d.year().to_string() }
}

/// Reads a GOV.UK date input. All three fields blank is `Ok(None)` (the use
/// case decides whether a date is needed); otherwise every part must be
/// given and the date real, with the Design System's messages
/// ("<What> must include a month", "<What> must be a real date") reported on
/// `name`. `what` names the date in a sentence ("the date of the decision").
pub fn date_input(f: &Fields, name: &str, what: &str) -> Result<Option<Date>, Value> {
    let day = one(f, &format!("{name}-day"));
    let month = one(f, &format!("{name}-month"));
    let year = one(f, &format!("{name}-year"));
    parse_date_parts(&day, &month, &year, what).map_err(|m| err(name, &m))
}

/// The rule behind [`date_input`], on the three texts.
pub fn parse_date_parts(
    day: &str,
    month: &str,
    year: &str,
    what: &str,
) -> Result<Option<Date>, String> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Ok(None);
    }
    let what = uplift_app::error::sentence(what);
    let missing: Vec<&str> = [("day", day), ("month", month), ("year", year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    match missing.as_slice() {
        [] => {}
        [one] => return Err(format!("{what} must include a {one}")),
        [a, b] => return Err(format!("{what} must include a {a} and {b}")),
        _ => return Err(format!("{what} must be a real date")),
    }
    let real = || format!("{what} must be a real date");
    let d: i8 = day.parse().map_err(|_| real())?;
    let m: i8 = month.parse().map_err(|_| real())?;
    if year.len() != 4 {
        return Err(format!(
            "{what} must include a year with 4 numbers, like 2026"
        ));
    }
    let y: i16 = year.parse().map_err(|_| real())?;
    Date::new(y, m, d).map(Some).map_err(|_| real())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(d: &str, m: &str, y: &str) -> Result<Option<Date>, String> {
        parse_date_parts(d, m, y, "the date of the decision")
    }

    #[test]
    fn a_gov_uk_date_input_reads_as_a_date_or_says_what_is_wrong() {
        assert_eq!(
            parse("2", "12", "2026"),
            Ok(Some(jiff::civil::date(2026, 12, 2)))
        );
        assert_eq!(
            parse(" 02 ", "12", "2026"),
            Ok(Some(jiff::civil::date(2026, 12, 2)))
        );
        assert_eq!(parse("", "", ""), Ok(None));
        assert_eq!(
            parse("2", "", "2026"),
            Err("The date of the decision must include a month".into())
        );
        assert_eq!(
            parse("", "", "2026"),
            Err("The date of the decision must include a day and month".into())
        );
        assert_eq!(
            parse("31", "2", "2026"),
            Err("The date of the decision must be a real date".into())
        );
        assert_eq!(
            parse("a", "2", "2026"),
            Err("The date of the decision must be a real date".into())
        );
        assert_eq!(
            parse("1", "2", "26"),
            Err("The date of the decision must include a year with 4 numbers, like 2026".into())
        );
        // 29 February only in a leap year.
        assert_eq!(
            parse("29", "2", "2028"),
            Ok(Some(jiff::civil::date(2028, 2, 29)))
        );
        assert!(parse("29", "2", "2027").is_err());
    }
}
