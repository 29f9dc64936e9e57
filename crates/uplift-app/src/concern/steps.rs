//! The steps of a causing-concern case after designation: the Lead Officer,
//! contacts for letters, a letter of concern, a warning notice and its
//! outcome, written notice of proposed powers, eligibility, powers, concerns
//! about an academy, inspection support, tasks and letters. One use case
//! each, shared by the case page and the API.
//!
//! Field names in refusals: each input's name below; `on` is the step's
//! date (today when not given); `step` is the step itself not fitting the
//! case (the escalation's stage, an academy).

use jiff::civil::Date;
use uplift_domain::access::{Action, Scope};
use uplift_domain::concern::{
    ArrangementKind, CompliancePeriod, EligibilityRoute, Ground, Power, PowerKind,
};
use uplift_store::concern::{
    self as store, AcademyConcernRecord, CaseRecord, EligibilityRecord, InspectionSupportRecord,
    LetterRecord, NewWarningNotice, NoticeRecord, PowerUseRecord, Signed, TaskRecord,
    WrittenNoticeRecord,
};

use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// An adapter's name for a step's field: `on` (the step's date) becomes
/// `on`, `step` (the step itself) becomes `step`, and each `(use case's
/// name, adapter's name)` pair is renamed; every other name is kept. The page
/// and the API each pass their own names.
pub fn field_names<'a>(
    on: &'a str,
    step: &'a str,
    renamed: &'a [(&'a str, &'a str)],
) -> impl Fn(&str) -> String + 'a {
    move |field| {
        let f = match field {
            "on" => on,
            "step" => step,
            other => renamed
                .iter()
                .find(|(from, _)| *from == other)
                .map(|(_, to)| *to)
                .unwrap_or(other),
        };
        f.to_owned()
    }
}

/// Runs one store change in its own transaction: committed when it works,
/// rolled back (nothing saved) when refused, the refusal reported on `$field`.
macro_rules! in_tx {
    ($app:expr, $field:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $app.db().begin().await?;
        let out = $body.map_err(AppError::refused_on($field))?;
        $tx.commit().await?;
        Ok(out)
    }};
}

/// The case, if the caller may do `action` on it.
async fn case_for(app: &App, caller: &Caller, case_id: i64, action: Action) -> Result<CaseRecord> {
    let org = caller.organisation_id();
    let case = app
        .db()
        .concern_case(org, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.authorize(
        action,
        Scope::School {
            organisation_id: org,
            urn: case.urn,
        },
    )?;
    Ok(case)
}

/// Trimmed entries, the blank ones dropped.
fn clean(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The distinct choices among `items`, each read by `parse`; an unknown one
/// is refused (never defaulted), none at all is refused with `none`.
fn choices<T: PartialEq>(
    problems: &mut Problems,
    field: &str,
    items: &[String],
    parse: impl Fn(&str) -> Option<T>,
    unknown: impl Fn(&str) -> String,
    none: &str,
) -> Vec<T> {
    let before = problems.has(field);
    let mut out: Vec<T> = Vec::new();
    for item in clean(items) {
        match parse(&item) {
            Some(x) if !out.contains(&x) => out.push(x),
            Some(_) => {}
            None => problems.add(field, unknown(&item)),
        }
    }
    if out.is_empty() && !before && !problems.has(field) {
        problems.add(field, none);
    }
    out
}

fn signed(caller: &Caller, on: Date) -> Signed {
    Signed {
        on,
        name: caller.name.clone(),
        role: caller.role_label().to_owned(),
    }
}

/// Appoints the Lead Officer (`lead_officer`: a user of the organisation).
pub async fn assign_lead_officer(
    app: &App,
    caller: &Caller,
    case_id: i64,
    lead_officer: Option<i64>,
    on: Option<Date>,
) -> Result<CaseRecord> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let Some(officer) = lead_officer else {
        return Err(AppError::field("lead_officer", "Select the Lead Officer"));
    };
    let on = on.unwrap_or(app.today());
    let org = caller.organisation_id();
    in_tx!(app, "lead_officer", |tx| {
        store::assign_lead_officer(&mut tx, &caller.actor, org, case.id, officer, on).await
    })
}

/// The case's contacts for letters: the chair of governors (`chair_name`, at
/// most 200 characters, kept in the school's contacts) and the academy
/// trust's name.
pub async fn set_case_contacts(
    app: &App,
    caller: &Caller,
    case_id: i64,
    chair_name: Option<&str>,
    trust_name: &str,
) -> Result<CaseRecord> {
    let case = case_for(app, caller, case_id, Action::WriteConcern).await?;
    if chair_name.is_some_and(|c| c.trim().chars().count() > 200) {
        return Err(AppError::field(
            "chair_name",
            "The chair's name must be 200 characters or fewer",
        ));
    }
    let org = caller.organisation_id();
    in_tx!(app, "chair_name", |tx| {
        store::set_case_contacts(
            &mut tx,
            &caller.actor,
            org,
            case.id,
            chair_name,
            Some(trust_name),
        )
        .await
    })
}

/// A letter of concern: the `concerns` (at least one) and the
/// `required_action` (optional).
pub async fn send_letter_of_concern(
    app: &App,
    caller: &Caller,
    case_id: i64,
    concerns: &[String],
    required_action: &[String],
    on: Option<Date>,
) -> Result<(NoticeRecord, LetterRecord)> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let concerns = clean(concerns);
    if concerns.is_empty() {
        return Err(AppError::field(
            "concerns",
            "Enter the concerns, one on each line",
        ));
    }
    let required = clean(required_action);
    let signed = signed(caller, on.unwrap_or(app.today()));
    let org = caller.organisation_id();
    in_tx!(app, "concerns", |tx| {
        store::send_letter_of_concern(
            &mut tx,
            &caller.actor,
            org,
            case.id,
            &concerns,
            &required,
            &signed,
        )
        .await
    })
}

/// A formal warning notice as given.
#[derive(Debug, Clone, Default)]
pub struct GiveWarningNotice {
    /// Stored names of the statutory grounds (s60(2)(a)-(c), s60A).
    pub grounds: Vec<String>,
    pub concerns: Vec<String>,
    pub required_action: Vec<String>,
    /// Working days as typed; blank takes the policy's default.
    pub compliance_days: String,
    pub on: Option<Date>,
}

/// Gives a formal warning notice (s60 or s60A): grounds (each known),
/// concerns and required action (at least one of each), a compliance period
/// of 1 to 365 working days (the policy's default when blank).
pub async fn give_warning_notice(
    app: &App,
    caller: &Caller,
    case_id: i64,
    input: GiveWarningNotice,
) -> Result<(NoticeRecord, LetterRecord)> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let mut problems = Problems::new();
    let grounds: Vec<Ground> = choices(
        &mut problems,
        "grounds",
        &input.grounds,
        store::parse_ground,
        |g| {
            format!("{g:?} is not a statutory ground: use unacceptably_low_standards, management_or_governance_breakdown, safety_threatened or teachers_pay_and_conditions")
        },
        "Select the statutory grounds for the warning notice",
    );
    let concerns = clean(&input.concerns);
    if concerns.is_empty() {
        problems.add("concerns", "Enter the concerns, one on each line");
    }
    let required = clean(&input.required_action);
    if required.is_empty() {
        problems.add(
            "required_action",
            "Enter the action the governing body must take, one on each line",
        );
    }
    let days = input.compliance_days.trim();
    let compliance_days = if days.is_empty() {
        None
    } else {
        match days.parse::<u32>().map(CompliancePeriod::new) {
            Ok(Ok(p)) => Some(p.working_days()),
            Ok(Err(e)) => {
                problems.add("compliance_days", e.to_string());
                None
            }
            Err(_) => {
                problems.add(
                    "compliance_days",
                    format!(
                        "The compliance period must be a whole number of working days, from 1 to {}",
                        CompliancePeriod::MAX_WORKING_DAYS
                    ),
                );
                None
            }
        }
    };
    problems.done()?;
    let new = NewWarningNotice {
        grounds,
        concerns,
        required_action: required,
        compliance_days,
    };
    let signed = signed(caller, input.on.unwrap_or(app.today()));
    let org = caller.organisation_id();
    in_tx!(app, "grounds", |tx| {
        store::give_warning_notice(&mut tx, &caller.actor, org, case.id, &new, &signed).await
    })
}

/// The outcome of a warning notice: `outcome` is `complied` or
/// `not_complied` (which needs the `reason`).
pub async fn record_notice_outcome(
    app: &App,
    caller: &Caller,
    notice_id: i64,
    outcome: &str,
    reason: &str,
    on: Option<Date>,
) -> Result<NoticeRecord> {
    let org = caller.organisation_id();
    let notice = app
        .db()
        .concern_notice(org, notice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    case_for(app, caller, notice.case_id, Action::DecideConcern).await?;
    let mut problems = Problems::new();
    let complied = match outcome.trim() {
        "complied" => Some(true),
        "not_complied" => Some(false),
        _ => {
            problems.add("outcome", "Select whether the governing body complied");
            None
        }
    };
    let reason = reason.trim().to_owned();
    if complied == Some(false) && reason.is_empty() {
        problems.add("reason", "Enter why the notice was not complied with");
    }
    problems.done()?;
    let complied = complied.unwrap_or(false);
    let on = on.unwrap_or(app.today());
    in_tx!(app, "outcome", |tx| {
        store::record_notice_outcome(
            &mut tx,
            &caller.actor,
            org,
            notice_id,
            complied,
            on,
            &reason,
        )
        .await
    })
}

/// Written notice of the powers proposed (`proposed`: stored names of s63 to
/// s66) and why (`reason`).
pub async fn give_written_notice(
    app: &App,
    caller: &Caller,
    case_id: i64,
    proposed: &[String],
    reason: &str,
    on: Option<Date>,
) -> Result<(WrittenNoticeRecord, LetterRecord)> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let mut problems = Problems::new();
    let powers: Vec<PowerKind> = choices(
        &mut problems,
        "proposed",
        proposed,
        store::parse_power,
        |p| {
            format!("{p:?} is not a power: use s63_arrangements, s64_additional_governors, s65_interim_executive_board or s66_suspend_delegated_budget")
        },
        "Select the powers the authority proposes to use",
    );
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        problems.add("reason", "Enter why the authority proposes to intervene");
    }
    problems.done()?;
    let signed = signed(caller, on.unwrap_or(app.today()));
    let org = caller.organisation_id();
    in_tx!(app, "proposed", |tx| {
        store::give_written_notice(
            &mut tx,
            &caller.actor,
            org,
            case.id,
            &powers,
            &reason,
            &signed,
        )
        .await
    })
}

/// Eligibility for intervention by a category route (`route`: special
/// measures, requires significant improvement or coasting) with its
/// `evidence`.
pub async fn record_eligibility(
    app: &App,
    caller: &Caller,
    case_id: i64,
    route: &str,
    evidence: &str,
    on: Option<Date>,
) -> Result<EligibilityRecord> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let mut problems = Problems::new();
    let route: Option<EligibilityRoute> =
        store::parse_route(route.trim()).filter(|r| store::CATEGORY_ROUTES.contains(r));
    if route.is_none() {
        problems.add("route", "Select the route to eligibility");
    }
    let evidence = evidence.trim().to_owned();
    if evidence.is_empty() {
        problems.add(
            "evidence",
            "Enter the evidence (the inspection or the coasting data)",
        );
    }
    problems.done()?;
    let route = route.ok_or_else(|| AppError::field("route", "Select the route to eligibility"))?;
    let on = on.unwrap_or(app.today());
    let org = caller.organisation_id();
    in_tx!(app, "route", |tx| {
        store::record_eligibility(&mut tx, &caller.actor, org, case.id, route, on, &evidence).await
    })
}

/// A power as used.
#[derive(Debug, Clone, Default)]
pub struct UsePower {
    /// The power's stored name (`s63_arrangements` … `s66_suspend_delegated_budget`).
    pub power: String,
    /// s63: the arrangement's stored name.
    pub arrangement: String,
    /// s63: with whom.
    pub with_whom: String,
    /// s64: the additional governors; s65: the board's members.
    pub people: Vec<String>,
    pub on: Option<Date>,
}

/// Records a power used, signed off by the caller. The power's particulars
/// are the domain's rule (`Power::new`); an unknown arrangement is refused.
pub async fn use_power(
    app: &App,
    caller: &Caller,
    case_id: i64,
    input: UsePower,
) -> Result<PowerUseRecord> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let Some(kind) = store::parse_power(input.power.trim()) else {
        return Err(AppError::field("power", "Select the power used"));
    };
    let arrangement = match input.arrangement.trim() {
        "" => None,
        a => match ArrangementKind::parse(a) {
            Some(k) => Some(k),
            None => {
                return Err(AppError::field(
                    "arrangement",
                    format!(
                        "{a:?} is not an s63 arrangement: use {}",
                        ArrangementKind::ALL.map(|(_, n)| n).join(", ")
                    ),
                ))
            }
        },
    };
    if kind == PowerKind::S63Arrangements {
        // Both particulars of s63(2) at once, in the form's order.
        let mut problems = Problems::new();
        if arrangement.is_none() {
            problems.add(
                "arrangement",
                uplift_domain::concern::EscalationError::NoArrangement.to_string(),
            );
        }
        if input.with_whom.trim().is_empty() {
            problems.add("with_whom", "Enter with whom the arrangements are made");
        }
        problems.done()?;
    }
    let power = Power::new(kind, arrangement, &input.with_whom, &input.people)
        .map_err(|e| AppError::field(e.field(), e.to_string()))?;
    let on = input.on.unwrap_or(app.today());
    let org = caller.organisation_id();
    let signed_off = caller.name.clone();
    in_tx!(app, "power", |tx| {
        store::use_power(&mut tx, &caller.actor, org, case.id, power, on, &signed_off).await
    })
}

/// Concerns about an academy, raised with the trust (`raised_with` =
/// `trust`) or then with the DfE regional director (`regional_director`,
/// which needs the `engagement` with the trust).
pub async fn raise_academy_concern(
    app: &App,
    caller: &Caller,
    case_id: i64,
    raised_with: &str,
    concerns: &str,
    engagement: &str,
    on: Option<Date>,
) -> Result<(AcademyConcernRecord, LetterRecord)> {
    let case = case_for(app, caller, case_id, Action::DecideConcern).await?;
    let mut problems = Problems::new();
    let to_trust = match raised_with.trim() {
        "trust" => Some(true),
        "regional_director" => Some(false),
        _ => {
            problems.add("raised_with", "Select who the concerns are raised with");
            None
        }
    };
    let concerns = concerns.trim().to_owned();
    if concerns.is_empty() {
        problems.add("concerns", "Enter the concerns");
    }
    let engagement = engagement.trim().to_owned();
    if to_trust == Some(false) && engagement.is_empty() {
        problems.add(
            "engagement",
            "Enter what was done to agree action with the trust",
        );
    }
    problems.done()?;
    let to_trust = to_trust.unwrap_or(true);
    let signed = signed(caller, on.unwrap_or(app.today()));
    let org = caller.organisation_id();
    in_tx!(app, "raised_with", |tx| {
        store::raise_academy_concern(
            &mut tx,
            &caller.actor,
            org,
            case.id,
            to_trust,
            &concerns,
            &engagement,
            &signed,
        )
        .await
    })
}

/// Records (or, with `support_id`, updates) the support around an
/// inspection; `notified_on` is needed (the order of the dates is the
/// store's to check).
pub async fn save_inspection_support(
    app: &App,
    caller: &Caller,
    case_id: i64,
    support_id: Option<i64>,
    support: store::InspectionSupport,
) -> Result<InspectionSupportRecord> {
    let case = case_for(app, caller, case_id, Action::WriteConcern).await?;
    if support.notified_on.is_none() {
        return Err(AppError::field(
            "notified_on",
            "Enter the date the school was notified",
        ));
    }
    let org = caller.organisation_id();
    in_tx!(app, "notified_on", |tx| {
        store::save_inspection_support(&mut tx, &caller.actor, org, case.id, support_id, &support)
            .await
    })
}

/// Marks a task done, today.
pub async fn complete_task(app: &App, caller: &Caller, task_id: i64) -> Result<TaskRecord> {
    let org = caller.organisation_id();
    caller.authorize(Action::WriteConcern, Scope::Organisation(org))?;
    let today = app.today();
    in_tx!(app, "task", |tx| {
        store::complete_task(&mut tx, &caller.actor, org, task_id, today).await
    })
}

/// Edits a draft letter's text (`body`: not blank).
pub async fn edit_letter(
    app: &App,
    caller: &Caller,
    letter_id: i64,
    body: &str,
) -> Result<LetterRecord> {
    let org = caller.organisation_id();
    caller.authorize(Action::WriteConcern, Scope::Organisation(org))?;
    // Browsers send a textarea's line breaks as CR LF.
    let body = body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        return Err(AppError::field("body", "Enter the text of the letter"));
    }
    in_tx!(app, "body", |tx| {
        store::edit_letter(&mut tx, &caller.actor, org, letter_id, &body).await
    })
}

/// Issues a draft letter to the school, dated today.
pub async fn issue_letter(app: &App, caller: &Caller, letter_id: i64) -> Result<LetterRecord> {
    let org = caller.organisation_id();
    caller.authorize(Action::DecideConcern, Scope::Organisation(org))?;
    let today = app.today();
    in_tx!(app, "status", |tx| {
        store::issue_letter(&mut tx, &caller.actor, org, letter_id, today).await
    })
}
