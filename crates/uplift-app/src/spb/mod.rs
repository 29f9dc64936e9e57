//! School Performance Board protocols on a case: starting one (requested,
//! or automatically for special measures or serious weaknesses), recording
//! each step, and every step's due date and state (a query). The domain's
//! protocol refuses steps out of order, fewer than three dates, a date not
//! offered and a meeting without governors.
//!
//! Field names in refusals: `route`, `requested_by`, `requested_on` to
//! start; `step`, `on`, `agreed`, `funded`, `chair`, `dates`, `chosen`,
//! `governors`, `next_dates` for a step.

use uplift_domain::access::Action;
use uplift_domain::concern::{SpbDeadlines, SpbProtocol, SpbStep, StepState};
use uplift_domain::policy::FlagKind;
use uplift_domain::register::{CategoryOfConcern, Date};
use uplift_store::spb::{self as store, rebuild, SpbRecord, SpbStart, StepInput, StepRecord};
use uplift_store::StoreError;

use crate::concern::case_for;
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// A date as typed in a list: `2026-12-08` or `8/12/2026`.
fn typed_date(s: &str) -> Option<Date> {
    let t = s.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = t.split('/').map(str::trim).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
        return Date::new(y, m, d).ok();
    }
    None
}

/// The protocol of the caller's organisation, if the caller may do `action`
/// on its school.
pub async fn spb_for(app: &App, caller: &Caller, spb_id: i64, action: Action) -> Result<SpbRecord> {
    let org = caller.organisation_id();
    let spb = app.db().spb(org, spb_id).await?.ok_or(AppError::NotFound)?;
    caller.authorize(
        action,
        uplift_domain::access::Scope::School {
            organisation_id: org,
            urn: spb.urn,
        },
    )?;
    Ok(spb)
}

/// The category that qualifies a school automatically, if any (special
/// measures, or serious weaknesses / requires significant improvement, from
/// the school's flags under the policy in force).
pub async fn automatic_category(
    app: &App,
    org: i64,
    urn: i64,
) -> Result<Option<CategoryOfConcern>> {
    let db = app.db();
    let policy = db.policy_in_force(org).await?;
    let Some(p) = db.categorise_school(org, &policy, urn, app.today()).await? else {
        return Ok(None);
    };
    if p.flags.get(FlagKind::SpecialMeasures).effective() {
        return Ok(Some(CategoryOfConcern::SpecialMeasures));
    }
    if p.flags
        .get(FlagKind::RequiresSignificantImprovement)
        .effective()
    {
        return Ok(Some(CategoryOfConcern::SeriousWeaknesses));
    }
    Ok(None)
}

/// One step of a protocol as of today.
#[derive(Debug, Clone)]
pub struct StepRow {
    pub step: SpbStep,
    pub due: Option<Date>,
    pub done_on: Option<Date>,
    pub state: StepState,
    /// The rule its due date comes from.
    pub rule: &'static str,
}

/// A protocol with its recorded steps and every step's due date and state.
#[derive(Debug, Clone)]
pub struct ProtocolStatus {
    pub record: SpbRecord,
    pub protocol: SpbProtocol,
    pub steps: Vec<StepRecord>,
    pub rows: Vec<StepRow>,
}

/// Every step of a protocol with its due date (in working days) and state,
/// as of today.
pub async fn protocol_status(app: &App, record: SpbRecord) -> Result<ProtocolStatus> {
    let db = app.db();
    let steps = db.spb_steps(record.id).await?;
    let protocol = rebuild(&record, &steps)?;
    let cal = db.bank_holidays().await?;
    let status = protocol
        .status(&cal, &SpbDeadlines::default(), app.today())
        .map_err(|e| AppError::Store(StoreError::Invalid(e.to_string())))?;
    let rows = status
        .into_iter()
        .map(|s| StepRow {
            done_on: match s.state {
                StepState::Done { on, .. } => Some(on),
                _ => None,
            },
            step: s.step,
            due: s.due,
            state: s.state,
            rule: s.rule,
        })
        .collect();
    Ok(ProtocolStatus {
        record,
        protocol,
        steps,
        rows,
    })
}

/// The protocols of a case the caller may read, with their status.
pub async fn case_spbs(app: &App, caller: &Caller, case_id: i64) -> Result<Vec<ProtocolStatus>> {
    let case = case_for(app, caller, case_id, Action::ReadMeetings).await?;
    let mut out = Vec::new();
    for s in app
        .db()
        .case_spbs(caller.organisation_id(), case.id)
        .await?
    {
        out.push(protocol_status(app, s).await?);
    }
    Ok(out)
}

/// How a protocol came about, as a person gave it: `route` (`requested` or
/// `automatic`), `requested_by` (for a request, at most 200 characters) and
/// `requested_on`.
#[derive(Debug, Clone, Default)]
pub struct StartSpb {
    pub route: String,
    pub requested_by: String,
    pub requested_on: Option<Date>,
}

/// Starts a School Performance Board protocol on an open case.
pub async fn start_spb(
    app: &App,
    caller: &Caller,
    case_id: i64,
    input: StartSpb,
) -> Result<SpbRecord> {
    let case = case_for(app, caller, case_id, Action::WriteConcern).await?;
    let org = caller.organisation_id();
    let mut problems = Problems::new();
    if input.requested_on.is_none() {
        problems.add(
            "requested_on",
            "Enter the date of the request, for example 2026-11-24",
        );
    }
    let by = input.requested_by.trim();
    let how = match input.route.trim() {
        "requested" if by.is_empty() => {
            problems.add(
                "requested_by",
                "Enter who requested the School Performance Board",
            );
            None
        }
        "requested" if by.chars().count() > 200 => {
            problems.add(
                "requested_by",
                "Who requested it must be 200 characters or fewer",
            );
            None
        }
        "requested" => Some(SpbStart::Requested { by: by.to_string() }),
        "automatic" => match automatic_category(app, org, case.urn).await? {
            Some(category) => Some(SpbStart::Automatic { category }),
            None => {
                problems.add("route", "The school does not qualify automatically: only special measures or serious weaknesses do");
                None
            }
        },
        _ => {
            problems.add(
                "route",
                "Select how the School Performance Board came about",
            );
            None
        }
    };
    if case.closed_on.is_some() {
        problems.add(
            "route",
            "The case is closed: the school is no longer on the list",
        );
    }
    problems.done()?;
    let (Some(date), Some(how)) = (input.requested_on, how) else {
        return Err(AppError::field(
            "route",
            "Select how the School Performance Board came about",
        ));
    };
    let mut tx = app.db().begin().await?;
    let spb = store::start(&mut tx, &caller.actor, org, case.id, &how, date)
        .await
        .map_err(AppError::refused_on("route"))?;
    tx.commit().await?;
    Ok(spb)
}

/// A step as a person gave it. `step` is its name (`approval`,
/// `chair_nominated`, `dates_offered`, `date_chosen`, `confirmed`,
/// `chair_introduced`, `partner_visit`, `meeting`, `notes_sent`); `on` when
/// it happened; the rest as the step needs (`dates` and `next_dates` each
/// a date as typed, `chosen` one of the dates offered).
#[derive(Debug, Clone, Default)]
pub struct RecordStep {
    pub step: String,
    pub on: Option<Date>,
    pub agreed: Option<bool>,
    pub funded: Option<bool>,
    pub chair: String,
    pub dates: Vec<String>,
    pub chosen: String,
    pub governors: Option<bool>,
    pub next_dates: Vec<String>,
}

fn dates_list(items: &[String]) -> std::result::Result<Vec<Date>, String> {
    items
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            typed_date(l).ok_or_else(|| format!("{l:?} is not a date (for example 2026-12-08)"))
        })
        .collect()
}

/// The step the input describes; the refusals name the fields.
fn step_input(problems: &mut Problems, f: &RecordStep) -> Option<StepInput> {
    match f.step.trim() {
        "approval" => match (f.agreed, f.funded) {
            (Some(agreed), Some(funded)) => Some(StepInput::Approval { agreed, funded }),
            (a, fu) => {
                if a.is_none() {
                    problems.add(
                        "agreed",
                        "Select whether the Director agreed the School Performance Board",
                    );
                }
                if fu.is_none() {
                    problems.add("funded", "Select whether it is funded");
                }
                None
            }
        },
        "chair_nominated" => {
            let chair = f.chair.trim();
            if chair.is_empty() {
                problems.add("chair", "Enter the name of the chair nominated");
                None
            } else if chair.chars().count() > 200 {
                problems.add("chair", "The chair's name must be 200 characters or fewer");
                None
            } else {
                Some(StepInput::ChairNominated {
                    chair: chair.to_string(),
                })
            }
        }
        "dates_offered" => match dates_list(&f.dates) {
            Ok(dates) => Some(StepInput::DatesOffered { dates }),
            Err(e) => {
                problems.add("dates", format!("Each date offered must be a date: {e}"));
                None
            }
        },
        "date_chosen" => match typed_date(&f.chosen) {
            Some(chosen) => Some(StepInput::DateChosen { chosen }),
            None => {
                problems.add("chosen", "Select the date the headteacher chose");
                None
            }
        },
        "confirmed" => match f.governors {
            Some(governors_present) => Some(StepInput::Confirmed { governors_present }),
            None => {
                problems.add("governors", "Select whether governors will be present");
                None
            }
        },
        "chair_introduced" => Some(StepInput::ChairIntroduced),
        "partner_visit" => Some(StepInput::PartnerVisit),
        "meeting" => match dates_list(&f.next_dates) {
            Ok(next_dates) => Some(StepInput::Meeting { next_dates }),
            Err(e) => {
                problems.add("next_dates", format!("Each next date must be a date: {e}"));
                None
            }
        },
        "notes_sent" => Some(StepInput::NotesSent),
        _ => {
            problems.add("step", "Select the step to record");
            None
        }
    }
}

/// The field a refusal from the protocol belongs to.
pub fn refusal_field(step: &StepInput) -> &'static str {
    match step {
        StepInput::Approval { .. } => "agreed",
        StepInput::ChairNominated { .. } => "chair",
        StepInput::DatesOffered { .. } => "dates",
        StepInput::DateChosen { .. } => "chosen",
        StepInput::Confirmed { .. } => "governors",
        StepInput::Meeting { .. } => "next_dates",
        _ => "step",
    }
}

/// Records a step of a protocol; refused (nothing saved) when the protocol
/// refuses it, naming the step's field. Gives the protocol.
pub async fn record_step(
    app: &App,
    caller: &Caller,
    spb_id: i64,
    input: RecordStep,
) -> Result<SpbRecord> {
    let spb = spb_for(app, caller, spb_id, Action::WriteConcern).await?;
    let mut problems = Problems::new();
    if input.on.is_none() {
        problems.add("on", "Enter the date of the step, for example 2026-11-24");
    }
    let step = step_input(&mut problems, &input);
    problems.done()?;
    let (Some(step), Some(on)) = (step, input.on) else {
        return Err(AppError::field("step", "Select the step to record"));
    };
    let mut tx = app.db().begin().await?;
    match store::record_step(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        spb.id,
        &step,
        on,
    )
    .await
    {
        Ok(_) => {
            tx.commit().await?;
            Ok(spb)
        }
        Err(StoreError::Invalid(msg)) => Err(AppError::field(
            refusal_field(&step),
            format!("The step cannot be recorded: {msg}"),
        )),
        Err(e) => Err(e.into()),
    }
}
