//! The checks of each causing-concern step (issue 6), shared by the case
//! page's forms and the JSON API so that both refuse the same input with the
//! same messages. Each input comes with the name the caller gives its field
//! (the page's form field, or the API body's member), and every problem is
//! reported as `(field, message)` against that name. Nothing here saves.

use jiff::civil::Date;
use uplift_domain::concern::{ArrangementKind, EligibilityRoute, Ground, Power, PowerKind};
use uplift_store::concern::{self as store, NewWarningNotice};

use crate::pages::categories::today;

/// Every problem found: `(field, message)`.
pub type FieldErrors = Vec<(String, String)>;

/// An input and the name of the field it came from.
pub type Named<'a, T> = (&'a str, T);

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.push((field.to_owned(), message.into()));
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Trimmed entries, the empty ones dropped.
pub fn clean(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The distinct choices among `items` (each read by `parse`), in order. An
/// entry `parse` does not know is reported with `unknown`, and no choice at
/// all with `none` (unless something else was already wrong).
fn choices<T: PartialEq>(
    (field, items): Named<&[String]>,
    parse: impl Fn(&str) -> Option<T>,
    unknown: impl Fn(&str) -> String,
    none: &str,
    errors: &mut FieldErrors,
) -> Vec<T> {
    let before = errors.len();
    let mut out: Vec<T> = Vec::new();
    for item in clean(items) {
        match parse(&item) {
            Some(x) if !out.contains(&x) => out.push(x),
            Some(_) => {}
            None => push(errors, field, unknown(&item)),
        }
    }
    if out.is_empty() && errors.len() == before {
        push(errors, field, none);
    }
    out
}

/// A date: blank gives `default` (or an error naming `what` when there is
/// none); anything but YYYY-MM-DD is an error.
pub fn date(
    (name, text): Named<&str>,
    what: &str,
    default: Option<Date>,
    errors: &mut FieldErrors,
) -> Option<Date> {
    let v = text.trim();
    if v.is_empty() {
        if default.is_none() {
            push(errors, name, format!("Enter {what}"));
        }
        return default;
    }
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            push(
                errors,
                name,
                format!(
                    "{} must be a real date, for example 2026-11-23",
                    capital(what)
                ),
            );
            None
        }
    }
}

/// An optional date: blank is `None`, anything else must be a real date.
fn optional_date((name, text): Named<&str>, what: &str, errors: &mut FieldErrors) -> Option<Date> {
    if text.trim().is_empty() {
        None
    } else {
        date((name, text), what, None, errors)
    }
}

fn done<T>(value: Option<T>, errors: FieldErrors) -> Result<T, FieldErrors> {
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(errors),
    }
}

/// Assigning the Lead Officer: the officer and the date (today when blank).
pub fn lead_officer(
    (officer_field, officer): Named<Option<i64>>,
    on: Named<&str>,
) -> Result<(i64, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    if officer.is_none() {
        push(&mut errors, officer_field, "Select the Lead Officer");
    }
    let on = date(on, "the date of the assignment", Some(today()), &mut errors);
    done(officer.zip(on), errors)
}

/// The case's contacts for letters: the chair of governors' name is at most
/// 200 characters.
pub fn contacts((chair_field, chair): Named<&str>) -> Result<(), FieldErrors> {
    if chair.trim().chars().count() > 200 {
        return Err(vec![(
            chair_field.to_owned(),
            "The chair's name must be 200 characters or fewer".to_owned(),
        )]);
    }
    Ok(())
}

/// A letter of concern: the concerns (at least one), the action required
/// (optional) and the date of the letter (today when blank).
pub fn letter_of_concern(
    (concerns_field, concerns): Named<&[String]>,
    required: &[String],
    on: Named<&str>,
) -> Result<(Vec<String>, Vec<String>, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let concerns = clean(concerns);
    if concerns.is_empty() {
        push(
            &mut errors,
            concerns_field,
            "Enter the concerns, one on each line",
        );
    }
    let on = date(on, "the date of the letter", Some(today()), &mut errors);
    done(on.map(|on| (concerns, clean(required), on)), errors)
}

/// A warning notice: its statutory grounds (at least one, each known), the
/// concerns and the action required (at least one of each), the compliance
/// period in working days (blank: the policy's default; otherwise 1 to 365)
/// and the date it is given (today when blank).
pub fn warning_notice(
    (grounds_field, grounds): Named<&[String]>,
    (concerns_field, concerns): Named<&[String]>,
    (required_field, required): Named<&[String]>,
    (days_field, days): Named<&str>,
    on: Named<&str>,
) -> Result<(NewWarningNotice, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let parsed: Vec<Ground> = choices(
        (grounds_field, grounds),
        store::parse_ground,
        |g| {
            format!("{g:?} is not a statutory ground: use unacceptably_low_standards, management_or_governance_breakdown, safety_threatened or teachers_pay_and_conditions")
        },
        "Select the statutory grounds for the warning notice",
        &mut errors,
    );
    let concerns = clean(concerns);
    if concerns.is_empty() {
        push(
            &mut errors,
            concerns_field,
            "Enter the concerns, one on each line",
        );
    }
    let required = clean(required);
    if required.is_empty() {
        push(
            &mut errors,
            required_field,
            "Enter the action the governing body must take, one on each line",
        );
    }
    let days = days.trim();
    let compliance_days = if days.is_empty() {
        None
    } else {
        match days.parse::<i64>() {
            Ok(0) => {
                push(
                    &mut errors,
                    days_field,
                    "The compliance period must be at least 1 working day: a period of zero is refused",
                );
                None
            }
            Ok(n @ 1..=365) => u32::try_from(n).ok(),
            _ => {
                push(
                    &mut errors,
                    days_field,
                    "The compliance period must be a whole number of working days, from 1 to 365",
                );
                None
            }
        }
    };
    let on = date(
        on,
        "the date the notice is given",
        Some(today()),
        &mut errors,
    );
    done(
        on.map(|on| {
            (
                NewWarningNotice {
                    grounds: parsed,
                    concerns,
                    required_action: required,
                    compliance_days,
                },
                on,
            )
        }),
        errors,
    )
}

/// The outcome of a warning notice: `complied` or `not_complied` (which needs
/// the reason), and its date (today when blank).
pub fn notice_outcome(
    (outcome_field, outcome): Named<&str>,
    (reason_field, reason): Named<&str>,
    on: Named<&str>,
) -> Result<(bool, String, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let complied = match outcome.trim() {
        "complied" => Some(true),
        "not_complied" => Some(false),
        _ => {
            push(
                &mut errors,
                outcome_field,
                "Select whether the governing body complied",
            );
            None
        }
    };
    let reason = reason.trim().to_owned();
    if complied == Some(false) && reason.is_empty() {
        push(
            &mut errors,
            reason_field,
            "Enter why the notice was not complied with",
        );
    }
    let on = date(on, "the date of the outcome", Some(today()), &mut errors);
    done(complied.zip(on).map(|(c, on)| (c, reason, on)), errors)
}

/// Written notice of proposed powers: the powers (at least one, each known),
/// why the authority proposes to intervene, and the date (today when blank).
pub fn written_notice(
    (proposed_field, proposed): Named<&[String]>,
    (reason_field, reason): Named<&str>,
    on: Named<&str>,
) -> Result<(Vec<PowerKind>, String, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let powers: Vec<PowerKind> = choices(
        (proposed_field, proposed),
        store::parse_power,
        |p| {
            format!("{p:?} is not a power: use s63_arrangements, s64_additional_governors, s65_interim_executive_board or s66_suspend_delegated_budget")
        },
        "Select the powers the authority proposes to use",
        &mut errors,
    );
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        push(
            &mut errors,
            reason_field,
            "Enter why the authority proposes to intervene",
        );
    }
    let on = date(
        on,
        "the date of the written notice",
        Some(today()),
        &mut errors,
    );
    done(on.map(|on| (powers, reason, on)), errors)
}

/// Eligibility for intervention by a category route: the route, the
/// evidence, and the date (today when blank).
pub fn eligibility(
    (route_field, route): Named<&str>,
    (evidence_field, evidence): Named<&str>,
    on: Named<&str>,
) -> Result<(EligibilityRoute, String, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let route = store::parse_route(route.trim()).filter(|r| store::CATEGORY_ROUTES.contains(r));
    if route.is_none() {
        push(&mut errors, route_field, "Select the route to eligibility");
    }
    let evidence = evidence.trim().to_owned();
    if evidence.is_empty() {
        push(
            &mut errors,
            evidence_field,
            "Enter the evidence (the inspection or the coasting data)",
        );
    }
    let on = date(on, "the date", Some(today()), &mut errors);
    done(route.zip(on).map(|(r, on)| (r, evidence, on)), errors)
}

/// A power used: which, with its particulars (s63: the arrangement and with
/// whom; s64: the additional governors; s65: the members of the interim
/// executive board, at least two), and the date (today when blank).
pub fn power(
    (power_field, power): Named<&str>,
    arrangement: &str,
    (with_field, with_whom): Named<&str>,
    (people_field, people): Named<&[String]>,
    on: Named<&str>,
) -> Result<(Power, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let people = clean(people);
    let power = match store::parse_power(power.trim()) {
        None => {
            push(&mut errors, power_field, "Select the power used");
            None
        }
        Some(PowerKind::S63Arrangements) => {
            let with_whom = with_whom.trim().to_owned();
            if with_whom.is_empty() {
                push(
                    &mut errors,
                    with_field,
                    "Enter with whom the arrangements are made",
                );
            }
            let arrangement = match arrangement.trim() {
                "collaborate_with_school" => ArrangementKind::CollaborateWithSchool,
                "collaborate_with_further_education" => {
                    ArrangementKind::CollaborateWithFurtherEducation
                }
                "federation" => ArrangementKind::Federation,
                _ => ArrangementKind::AdvisoryServices,
            };
            Some(Power::S63Arrangements {
                arrangement,
                with_whom,
            })
        }
        Some(PowerKind::S64AdditionalGovernors) => {
            if people.is_empty() {
                push(
                    &mut errors,
                    people_field,
                    "Enter the additional governors, one on each line",
                );
            }
            Some(Power::S64AdditionalGovernors { governors: people })
        }
        Some(PowerKind::S65InterimExecutiveBoard) => {
            if people.len() < 2 {
                push(
                    &mut errors,
                    people_field,
                    "Enter the members of the interim executive board, one on each line (at least two)",
                );
            }
            Some(Power::S65InterimExecutiveBoard { members: people })
        }
        Some(PowerKind::S66SuspendDelegatedBudget) => Some(Power::S66SuspendDelegatedBudget),
    };
    let on = date(
        on,
        "the date the power was used",
        Some(today()),
        &mut errors,
    );
    done(power.zip(on), errors)
}

/// Concerns about an academy: raised with the `trust` or the
/// `regional_director` (which needs what was done to agree action with the
/// trust), the concerns, and the date (today when blank). Returns whether it
/// is raised with the trust.
pub fn academy_concern(
    (with_field, raised_with): Named<&str>,
    (concerns_field, concerns): Named<&str>,
    (engagement_field, engagement): Named<&str>,
    on: Named<&str>,
) -> Result<(bool, String, String, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let to_trust = match raised_with.trim() {
        "trust" => Some(true),
        "regional_director" => Some(false),
        _ => {
            push(
                &mut errors,
                with_field,
                "Select who the concerns are raised with",
            );
            None
        }
    };
    let concerns = concerns.trim().to_owned();
    if concerns.is_empty() {
        push(&mut errors, concerns_field, "Enter the concerns");
    }
    let engagement = engagement.trim().to_owned();
    if to_trust == Some(false) && engagement.is_empty() {
        push(
            &mut errors,
            engagement_field,
            "Enter what was done to agree action with the trust",
        );
    }
    let on = date(on, "the date", Some(today()), &mut errors);
    done(
        to_trust
            .zip(on)
            .map(|(t, on)| (t, concerns, engagement, on)),
        errors,
    )
}

/// The dates of inspection support: when the school was notified (needed),
/// the pre-inspection discussion and the day-two call (each optional). The
/// order of the dates is the store's to check.
pub fn inspection_dates(
    notified: Named<&str>,
    pre_inspection: Named<&str>,
    day_two: Named<&str>,
) -> Result<(Date, Option<Date>, Option<Date>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let notified = date(
        notified,
        "the date the school was notified",
        None,
        &mut errors,
    );
    let pre = optional_date(
        pre_inspection,
        "the date of the pre-inspection discussion",
        &mut errors,
    );
    let day_two = optional_date(day_two, "the date of the day-two call", &mut errors);
    done(notified.map(|n| (n, pre, day_two)), errors)
}

/// The text of a draft letter: not blank.
pub fn letter_body((field, body): Named<&str>) -> Result<(), FieldErrors> {
    if body.trim().is_empty() {
        return Err(vec![(
            field.to_owned(),
            "Enter the text of the letter".to_owned(),
        )]);
    }
    Ok(())
}
