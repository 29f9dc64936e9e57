//! The school profile page and the intelligence form on it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use serde_json::json;
use uplift_app::register::{school_profile, Profile};
use uplift_domain::access::{authorize, Action, Scope};
use uplift_domain::register::{ReportCardGrade, SafeguardingStandard};
use uplift_store::register::{
    self, IntelligenceItem, MeasureRow, NewIntelligence, SchoolProfile, INTELLIGENCE_KINDS,
};

use super::{opt, show_date, show_opt_date, GENERATED_LABEL};
use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::paths;
use crate::render::render;

/// A 1-4 grade with its name (9: not applicable).
pub fn oeif_grade(g: Option<i64>) -> String {
    match g {
        Some(1) => "1 Outstanding".into(),
        Some(2) => "2 Good".into(),
        Some(3) => "3 Requires improvement".into(),
        Some(4) => "4 Inadequate".into(),
        Some(9) => "Not applicable".into(),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

/// The five report-card grades, in order, as column headings.
pub const REPORT_CARD_SCALE: &[(ReportCardGrade, &str)] = &[
    (ReportCardGrade::Exceptional, "Exceptional"),
    (ReportCardGrade::StrongStandard, "Strong standard"),
    (ReportCardGrade::ExpectedStandard, "Expected standard"),
    (ReportCardGrade::NeedsAttention, "Needs attention"),
    (ReportCardGrade::UrgentImprovement, "Urgent improvement"),
];

fn report_card_view(c: &register::ReportCardRow) -> serde_json::Value {
    let areas = [
        ("Inclusion", &c.inclusion),
        ("Curriculum and teaching", &c.curriculum_and_teaching),
        ("Achievement", &c.achievement),
        ("Attendance and behaviour", &c.attendance_and_behaviour),
        (
            "Personal development and well-being",
            &c.personal_development_and_wellbeing,
        ),
        ("Leadership and governance", &c.leadership_and_governance),
        ("Early years", &c.early_years),
        ("Sixth form / post-16", &c.post_16),
    ];
    let rows: Vec<serde_json::Value> = areas
        .iter()
        .filter_map(|(label, v)| {
            let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            let grade = ReportCardGrade::parse(v);
            let cells: Vec<bool> = REPORT_CARD_SCALE
                .iter()
                .map(|(g, _)| Some(*g) == grade)
                .collect();
            Some(json!({ "area": label, "grade": v, "known": grade.is_some(), "cells": cells }))
        })
        .collect();
    let safeguarding = c
        .safeguarding
        .as_deref()
        .map(|s| match SafeguardingStandard::parse(s) {
            Some(SafeguardingStandard::Met) => "Met".to_string(),
            Some(SafeguardingStandard::NotMet) => "Not met".to_string(),
            None => s.to_string(),
        });
    json!({
        "date": show_opt_date(&c.start_date),
        "published": show_opt_date(&c.publication_date),
        "inspection_type": c.inspection_type,
        "inspection_number": c.inspection_number,
        "category_of_concern": c.category_of_concern,
        "safeguarding": safeguarding,
        "safeguarding_met": safeguarding.as_deref() == Some("Met"),
        "areas": rows,
        "generated": c.generated,
        "source_file": c.source_file,
    })
}

/// The graded inspections as one table: a row per judgement, a column per inspection.
fn graded_view(list: &[register::GradedInspectionRow]) -> serde_json::Value {
    type Get = fn(&register::GradedInspectionRow) -> Option<i64>;
    let judgements: &[(&str, Get)] = &[
        ("Overall effectiveness", |g| g.overall_effectiveness),
        ("Quality of education", |g| g.quality_of_education),
        ("Behaviour and attitudes", |g| g.behaviour_and_attitudes),
        ("Personal development", |g| g.personal_development),
        ("Leadership and management", |g| g.leadership_and_management),
        ("Early years provision", |g| g.early_years),
        ("Sixth form provision", |g| g.sixth_form),
        ("Outcomes for pupils", |g| g.outcomes_for_pupils),
        ("Quality of teaching, learning and assessment", |g| {
            g.quality_of_teaching
        }),
        ("Personal development, behaviour and welfare", |g| {
            g.personal_development_behaviour_welfare
        }),
    ];
    let rows: Vec<serde_json::Value> = judgements
        .iter()
        .filter(|(_, get)| list.iter().any(|g| get(g).is_some()))
        .map(|(label, get)| {
            let cells: Vec<String> = list.iter().map(|g| oeif_grade(get(g))).collect();
            json!({ "judgement": label, "cells": cells })
        })
        .collect();
    let safeguarding: Vec<String> = list
        .iter()
        .map(|g| match g.safeguarding_effective {
            Some(true) => "Yes".into(),
            Some(false) => "No".into(),
            None => String::new(),
        })
        .collect();
    let inspections: Vec<serde_json::Value> = list
        .iter()
        .map(|g| {
            json!({
                "date": show_opt_date(&g.start_date),
                "published": show_opt_date(&g.publication_date),
                "inspection_type": g.inspection_type,
                "category_of_concern": g.category_of_concern,
                "generated": g.generated,
                "source_file": g.source_file,
            })
        })
        .collect();
    json!({ "inspections": inspections, "rows": rows, "safeguarding": safeguarding,
            "any_generated": list.iter().any(|g| g.generated) })
}

fn marker_meaning(m: &str) -> Option<&'static str> {
    Some(match m {
        "SUPP" | "c" => "suppressed",
        "NE" => "no entries",
        "NA" | "z" => "not applicable",
        "NP" => "not published",
        "LOWCOV" => "low coverage",
        "NEW" => "new school",
        "x" => "not available",
        "u" => "low reliability",
        "low" => "rounds to zero",
        _ => return None,
    })
}

/// A published value as shown: number, percentage, or the marker with its meaning.
pub fn show_measure(m: &MeasureRow) -> String {
    match (m.value_kind.as_str(), m.value_num, m.value_text.as_deref()) {
        ("percent", Some(v), _) => format!("{}%", trim_num(v)),
        (_, Some(v), _) => trim_num(v),
        (_, None, Some(t)) => match marker_meaning(t.trim()) {
            Some(meaning) => format!("{t} ({meaning})"),
            None => t.to_string(),
        },
        _ => String::new(),
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

pub fn quartile_text(q: Option<i64>) -> String {
    match q {
        Some(1) => "1 (lowest quarter)".into(),
        Some(4) => "4 (highest quarter)".into(),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

/// Plain names for the commonest published measure codes (the code is shown too).
const MEASURE_LABELS: &[(&str, &str)] = &[
    ("PERCTOT", "Overall absence (%)"),
    (
        "PPERSABS10",
        "Persistent absence, 10% or more of sessions (%)",
    ),
    ("NOR", "Pupils on roll"),
    ("NORB", "Boys on roll"),
    ("NORG", "Girls on roll"),
    ("PNORB", "Boys (%)"),
    ("PNORG", "Girls (%)"),
    ("NUMEAL", "Pupils with English as an additional language"),
    ("PNUMEAL", "English as an additional language (%)"),
    ("NUMENGFL", "Pupils with English as a first language"),
    ("PNUMENGFL", "English as a first language (%)"),
    ("NUMUNCFL", "Pupils whose first language is unclassified"),
    ("PNUMUNCFL", "First language unclassified (%)"),
    ("NUMFSM", "Pupils eligible for free school meals"),
    (
        "NUMFSMEVER",
        "Pupils eligible for free school meals in the last 6 years",
    ),
    (
        "PNUMFSMEVER",
        "Eligible for free school meals in the last 6 years (%)",
    ),
    ("TSENELK", "Pupils on SEN support"),
    ("PSENELK", "SEN support (%)"),
    ("TSENELSE", "Pupils with an education, health and care plan"),
    ("PSENELSE", "Education, health and care plan (%)"),
    (
        "PTRWM_EXP",
        "Reading, writing and maths: expected standard (%)",
    ),
    (
        "PTRWM_HIGH",
        "Reading, writing and maths: higher standard (%)",
    ),
    ("READPROG", "Reading progress"),
    ("WRITPROG", "Writing progress"),
    ("MATPROG", "Maths progress"),
    ("TAPS", "Average point score"),
    ("ATT8SCR", "Attainment 8"),
    ("P8MEA", "Progress 8"),
    ("diffn_att8", "Attainment 8: disadvantaged gap"),
    ("diffn_p8mea", "Progress 8: disadvantaged gap"),
    ("p8_banding", "Progress 8 banding"),
];

/// `PERCTOT` → `Overall absence (%) (PERCTOT)`; an unknown code as published.
pub fn measure_label(code: &str) -> String {
    match MEASURE_LABELS.iter().find(|(c, _)| *c == code) {
        Some((_, label)) => format!("{label} ({code})"),
        None => code.to_string(),
    }
}

fn dataset_title(dataset: &str, period: &str) -> String {
    let name = match dataset {
        "ks2" => "Key stage 2".to_string(),
        "ks4" => "Key stage 4".to_string(),
        "census" => "School census".to_string(),
        "absence" => "Absence".to_string(),
        other => kind_label(other),
    };
    let period = period.trim();
    match period.len() {
        0 => name,
        6 if period.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{name}, {}/{}", &period[..4], &period[4..])
        }
        _ => format!("{name}, {period}"),
    }
}

fn performance_view(p: &SchoolProfile) -> Vec<serde_json::Value> {
    let mut groups: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for m in &p.performance {
        let key = dataset_title(&m.value.dataset, &m.value.time_period);
        let national = m.national.first().map(show_measure).unwrap_or_default();
        let row = json!({
            "measure": measure_label(&m.value.measure),
            "school": show_measure(&m.value),
            "authority": m.authority.as_ref().map(show_measure).unwrap_or_default(),
            "national": national,
            "quartile": quartile_text(m.value.quartile),
        });
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((key, vec![row])),
        }
    }
    groups
        .into_iter()
        .map(|(k, rows)| json!({ "title": k, "rows": rows }))
        .collect()
}

/// `leadership_change` → `Leadership change`.
pub fn kind_label(kind: &str) -> String {
    let s = kind.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

async fn intelligence_view(
    state: &AppState,
    user: &CurrentUser,
    items: &[IntelligenceItem],
) -> Result<Vec<serde_json::Value>, Problem> {
    // One query whatever the items (so a page's queries do not depend on them).
    let authors = state.db.users(user.principal.organisation_id).await?;
    Ok(items
        .iter()
        .map(|i| {
            let author = match i.author_user_id {
                Some(id) => authors
                    .iter()
                    .find(|u| u.id == id)
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| "A former user".into()),
                None if i.organisation_id.is_none() => "Uplift (from an import)".into(),
                None => "Not recorded".into(),
            };
            json!({
                "date": show_date(&i.occurred_on),
                "kind": kind_label(&i.kind),
                "source": i.source,
                "summary": i.summary,
                "author": author,
                "generated": i.generated,
            })
        })
        .collect())
}

fn yes_no(s: &Option<String>) -> String {
    match s.as_deref().map(|s| s.to_ascii_lowercase()) {
        Some(s) if s == "yes" || s.starts_with("has a") => "Yes".into(),
        Some(s) if s == "no" || s.starts_with("does not") => "No".into(),
        Some(s) if s == "unknown" => "Not known".into(),
        Some(_) => s.clone().unwrap_or_default(),
        None => String::new(),
    }
}

fn governance_text(s: &Option<String>) -> String {
    match s.as_deref() {
        Some("maintained") => "Maintained".into(),
        Some("academy") => "Academy".into(),
        Some("independent") => "Independent".into(),
        Some(other) => kind_label(other),
        None => String::new(),
    }
}

/// The profile form's values and errors, when it is shown again after a mistake.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct IntelligenceForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default, rename = "occurred-day")]
    pub day: String,
    #[serde(default, rename = "occurred-month")]
    pub month: String,
    #[serde(default, rename = "occurred-year")]
    pub year: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProfileFlash {
    added: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_profile(
    state: &AppState,
    user: &CurrentUser,
    profile: SchoolProfile,
    read_intel: bool,
    form: &IntelligenceForm,
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let s = &profile.school;
    let scope = Scope::School {
        organisation_id: user.principal.organisation_id,
        urn: s.urn,
    };
    let can_write = authorize(&user.principal, Action::WriteIntelligence, scope).is_allowed();
    let la = match &s.la_name {
        Some(n) => format!("{n} ({})", s.la_code),
        None => s.la_code.clone(),
    };
    let ages = match (s.statutory_low_age, s.statutory_high_age) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    };
    // The register's number on roll, else the latest school census headcount.
    let pupils = match (s.number_on_roll, profile.spc.first()) {
        (Some(n), _) => n.to_string(),
        (None, Some(f)) => match f.headcount {
            Some(h) => format!("{} (school census {})", trim_num(h), f.time_period),
            None => String::new(),
        },
        _ => String::new(),
    };
    let address = [&s.street, &s.locality, &s.address3, &s.town, &s.postcode]
        .iter()
        .filter_map(|p| p.as_deref().filter(|p| !p.trim().is_empty()))
        .collect::<Vec<_>>()
        .join(", ");
    let identity = vec![
        context! { key => "URN", value => s.urn.to_string() },
        context! { key => "Local authority", value => la },
        context! { key => "Phase", value => opt(&s.phase) },
        context! { key => "Type", value => opt(&s.type_name) },
        context! { key => "Status", value => opt(&s.status) },
        context! { key => "Maintained or academy", value => governance_text(&s.governance) },
        context! { key => "Sixth form", value => yes_no(&s.sixth_form) },
        context! { key => "Pupils on roll", value => pupils },
        context! { key => "Capacity", value => s.capacity.map(|n| n.to_string()).unwrap_or_default() },
        context! { key => "Ages", value => ages },
        context! { key => "Religious character", value => opt(&s.religious_character) },
        context! { key => "Diocese", value => opt(&s.diocese) },
        context! { key => "Address", value => address },
        context! { key => "Opened", value => show_opt_date(&s.open_date) },
        context! { key => "Closed", value => show_opt_date(&s.close_date) },
    ];
    // The published register names the headteacher, never the chair of
    // governors or the clerk: those are the organisation's school contacts
    // (which may also override the headteacher, e.g. an acting head).
    let org = user.principal.organisation_id;
    let contacts = state.db.school_contacts(org, s.urn).await?;
    let contact_rows =
        crate::pages::contacts::summary_rows(profile.head_name.as_deref(), contacts.as_ref());
    let mut leadership = vec![contact_rows[0].clone()];
    leadership.push(context! { key => "Job title", value => opt(&s.head_job_title) });
    leadership
        .push(context! { key => "Headteacher since", value => show_opt_date(&s.head_start_date) });
    leadership.extend(contact_rows.into_iter().skip(1));
    let can_edit_contacts = crate::pages::contacts::can_edit(user, s.urn)
        && state.db.concern_school_in_estate(org, s.urn).await?;
    // Causing concern: the open case and the "considered and not a priority"
    // decisions of this academic year with their letters (officers only).
    let concern = if user.principal.role != uplift_domain::access::Role::School
        && authorize(
            &user.principal,
            Action::ReadConcern,
            Scope::School {
                organisation_id: org,
                urn: s.urn,
            },
        )
        .is_allowed()
    {
        let open = state.db.open_concern_case(org, s.urn).await?;
        let considered = crate::pages::concern::considered_view(state, org, s.urn).await?;
        Some(context! {
            case_href => open.as_ref().map(|c| format!("/concern/cases/{}", c.id)),
            considered => considered,
            can_decide => authorize(&user.principal, Action::DecideConcern, Scope::Organisation(org)).is_allowed() && open.is_none(),
            decide_href => format!("/concern/designate/{}", s.urn),
        })
    } else {
        None
    };
    let trust = vec![
        context! { key => "Trust", value => opt(&s.trust) },
        context! { key => "Sponsor", value => opt(&s.sponsor) },
        context! { key => "Federation", value => opt(&s.federation) },
    ];
    let groups: Vec<serde_json::Value> = profile
        .groups
        .iter()
        .map(|g| {
            json!({ "name": g.name, "group_type": g.group_type, "status": g.status,
                    "joined": show_opt_date(&g.joined) })
        })
        .collect();
    let links: Vec<serde_json::Value> = profile
        .links
        .iter()
        .map(|l| {
            json!({
                "urn": l.urn, "name": l.name, "direction": kind_label(l.direction),
                "link_type": l.link_type, "established": show_opt_date(&l.established),
            })
        })
        .collect();
    let ungraded: Vec<serde_json::Value> = profile
        .ungraded_inspections
        .iter()
        .map(|u| {
            json!({ "date": show_opt_date(&u.inspection_date), "published": show_opt_date(&u.publication_date),
                    "outcome": u.outcome, "generated": u.generated, "source_file": u.source_file })
        })
        .collect();
    let report_cards: Vec<serde_json::Value> =
        profile.report_cards.iter().map(report_card_view).collect();
    let graded = graded_view(&profile.graded_inspections);
    let any_generated = profile.report_cards.iter().any(|c| c.generated)
        || profile.graded_inspections.iter().any(|g| g.generated)
        || profile.ungraded_inspections.iter().any(|u| u.generated);
    let spc: Vec<serde_json::Value> = profile
        .spc
        .iter()
        .map(|f| {
            let pct = |v: Option<f64>, m: &Option<String>| match (v, m) {
                (Some(v), _) => format!("{}%", trim_num(v)),
                (None, Some(m)) => m.clone(),
                _ => String::new(),
            };
            json!({
                "year": f.time_period,
                "headcount": f.headcount.map(trim_num).unwrap_or_default(),
                "fsm": pct(f.fsm_percent, &f.fsm_percent_marker),
                "eal": pct(f.eal_percent, &f.eal_percent_marker),
            })
        })
        .collect();
    let changes: Vec<serde_json::Value> = profile
        .changes
        .iter()
        .map(|c| {
            json!({ "date": show_date(&c.changed_on), "field": kind_label(&c.field),
                    "old": c.old_value, "new": c.new_value, "source_file": c.source_file })
        })
        .collect();
    let intelligence = if read_intel {
        intelligence_view(state, user, &profile.intelligence).await?
    } else {
        Vec::new()
    };
    let kinds: Vec<Value> = std::iter::once(context! { value => "", text => "Select a kind" })
        .chain(
            INTELLIGENCE_KINDS
                .iter()
                .map(|k| context! { value => *k, text => kind_label(k) }),
        )
        .collect();
    let name = s.name.clone();
    let path = format!("/schools/{}", s.urn);
    let ctx = context! {
        school => context! { urn => s.urn, name => name.clone(), source_file => opt(&s.source_file) },
        identity => identity,
        leadership => leadership,
        can_edit_contacts => can_edit_contacts,
        concern => concern,
        trust => trust,
        groups => groups,
        links => links,
        report_cards => report_cards,
        report_card_scale => REPORT_CARD_SCALE.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        graded => graded,
        ungraded => ungraded,
        any_inspection => !profile.report_cards.is_empty() || !profile.graded_inspections.is_empty() || !profile.ungraded_inspections.is_empty(),
        any_generated => any_generated,
        generated_label => GENERATED_LABEL,
        performance => performance_view(&profile),
        spc => spc,
        show_intelligence => read_intel,
        can_write_intelligence => can_write,
        intelligence => intelligence,
        kinds => kinds,
        form => context! {
            kind => form.kind.clone(), day => form.day.clone(), month => form.month.clone(),
            year => form.year.clone(), source => form.source.clone(), summary => form.summary.clone(),
        },
        errors => errors,
        flash => flash,
        changes => changes,
        visits => crate::pages::visits::school_section(state, user, s.urn).await?,
    };
    render(state, Some(user), &path, "school.html", &name, ctx)
}

/// `GET /schools/{urn}`: the school profile.
pub async fn profile(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Query(flash): Query<ProfileFlash>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let Profile {
        profile,
        read_intelligence: read_intel,
    } = school_profile(&state.app, &user.caller(), urn).await?;
    let flash = flash.added.map(|_| "The intelligence has been added.");
    render_profile(
        &state,
        &user,
        profile,
        read_intel,
        &IntelligenceForm::default(),
        Vec::new(),
        flash,
    )
    .await
}

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

/// Checks the form; returns the ISO date or the errors (field ids as in the template).
pub fn validate(f: &IntelligenceForm, today: jiff::civil::Date) -> Result<String, Vec<Value>> {
    let mut errors = Vec::new();
    if !INTELLIGENCE_KINDS.contains(&f.kind.trim()) {
        errors.push(err("kind", "Select the kind of intelligence"));
    }
    let (d, m, y) = (f.day.trim(), f.month.trim(), f.year.trim());
    let mut date = None;
    if d.is_empty() && m.is_empty() && y.is_empty() {
        errors.push(err("occurred-day", "Enter the date it happened"));
    } else {
        let missing: Vec<&str> = [("a day", d), ("a month", m), ("a year", y)]
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            errors.push(err(
                "occurred-day",
                &format!("The date must include {}", missing.join(" and ")),
            ));
        } else {
            let parsed = match (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) {
                (Ok(d), Ok(m), Ok(y)) if y >= 1900 => jiff::civil::Date::new(y, m, d).ok(),
                _ => None,
            };
            match parsed {
                None => errors.push(err("occurred-day", "The date must be a real date")),
                Some(p) if p > today => {
                    errors.push(err("occurred-day", "The date must be today or in the past"))
                }
                Some(p) => date = Some(p.to_string()),
            }
        }
    }
    if f.source.trim().is_empty() {
        errors.push(err(
            "source",
            "Enter the source, for example a phone call with the headteacher",
        ));
    } else if f.source.trim().chars().count() > 200 {
        errors.push(err("source", "The source must be 200 characters or fewer"));
    }
    if f.summary.trim().is_empty() {
        errors.push(err("summary", "Enter a summary of the intelligence"));
    } else if f.summary.trim().chars().count() > 4000 {
        errors.push(err(
            "summary",
            "The summary must be 4,000 characters or fewer",
        ));
    }
    match date {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(errors),
    }
}

/// `POST /schools/{urn}/intelligence`: adds an item (audited by the store).
pub async fn add_intelligence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Form(f): Form<IntelligenceForm>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let scope = Scope::School {
        organisation_id: user.principal.organisation_id,
        urn,
    };
    permit(&user, Action::WriteIntelligence, scope)?;
    let Profile {
        profile,
        read_intelligence: read_intel,
    } = school_profile(&state.app, &user.caller(), urn).await?;
    let today = state.today();
    let date = match validate(&f, today) {
        Ok(d) => d,
        Err(errors) => {
            let mut res =
                render_profile(&state, &user, profile, read_intel, &f, errors, None).await?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(res);
        }
    };
    let mut tx = state.db.begin().await?;
    register::add_intelligence(
        &mut tx,
        &user.actor(),
        &NewIntelligence {
            organisation_id: user.principal.organisation_id,
            urn,
            kind: f.kind.trim(),
            summary: f.summary.trim(),
            source: f.source.trim(),
            occurred_on: &date,
            author_user_id: Some(user.user.id),
            generated: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/schools/{urn}?added=1#intelligence")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intelligence_form_validation() {
        let today = jiff::civil::date(2026, 11, 22);
        let ok = IntelligenceForm {
            kind: "finance".into(),
            day: "3".into(),
            month: "11".into(),
            year: "2026".into(),
            source: "Call with the business manager".into(),
            summary: "Deficit budget forecast".into(),
        };
        assert_eq!(validate(&ok, today).unwrap(), "2026-11-03");
        let bad = IntelligenceForm {
            kind: "gossip".into(),
            day: "31".into(),
            month: "2".into(),
            year: "2026".into(),
            ..Default::default()
        };
        let errs = validate(&bad, today).unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        let future = IntelligenceForm {
            year: "2027".into(),
            ..ok.clone()
        };
        assert!(validate(&future, today).is_err());
        let partial = IntelligenceForm {
            month: "".into(),
            ..ok
        };
        let e = validate(&partial, today).unwrap_err();
        assert!(format!("{e:?}").contains("must include a month"));
    }

    #[test]
    fn grades_and_measures_are_shown_as_published() {
        assert_eq!(oeif_grade(Some(2)), "2 Good");
        assert_eq!(oeif_grade(Some(9)), "Not applicable");
        assert_eq!(trim_num(28.40), "28.4");
        assert_eq!(trim_num(-2.0), "-2");
        assert_eq!(kind_label("leadership_change"), "Leadership change");
        assert_eq!(measure_label("PERCTOT"), "Overall absence (%) (PERCTOT)");
        assert_eq!(measure_label("XYZ"), "XYZ");
        assert_eq!(dataset_title("ks4", "202324"), "Key stage 4, 2023/24");
        assert_eq!(dataset_title("absence", ""), "Absence");
    }
}
