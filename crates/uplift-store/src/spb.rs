//! School Performance Board protocols on a case (issue 6): the request (or
//! automatic qualification for special measures and serious weaknesses) and
//! every step recorded after it. The protocol is rebuilt from its steps with
//! the domain's rules (`uplift_domain::concern::spb`) each time it is read or
//! a step is added, so a step out of order, fewer than three dates, a date
//! not offered or a meeting without governors is refused and nothing is
//! saved. Every change is audited and put on the case timeline.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use uplift_domain::concern::{SpbProtocol, SpbStep};
use uplift_domain::register::{CategoryOfConcern, Date};

use crate::audit::{self, Actor, Change};
use crate::plans::{case_ref, timeline};
use crate::{now, Db, Result, StoreError, Tx};

/// The stored name of a step.
pub fn step_name(step: SpbStep) -> &'static str {
    match step {
        SpbStep::Request => "request",
        SpbStep::Approval => "approval",
        SpbStep::ChairNominated => "chair_nominated",
        SpbStep::DatesOffered => "dates_offered",
        SpbStep::DateChosen => "date_chosen",
        SpbStep::Confirmed => "confirmed",
        SpbStep::ChairIntroduced => "chair_introduced",
        SpbStep::PartnerVisit => "partner_visit",
        SpbStep::Meeting => "meeting",
        SpbStep::NotesSent => "notes_sent",
        SpbStep::NextDates => "next_dates",
    }
}

/// The step stored under `name`.
pub fn parse_step(name: &str) -> Option<SpbStep> {
    SpbStep::ALL
        .into_iter()
        .find(|s| step_name(*s) == name.trim())
}

/// The words on screen for a step.
pub fn step_label(step: SpbStep) -> &'static str {
    match step {
        SpbStep::Request => "Request",
        SpbStep::Approval => "Approval and funding decision",
        SpbStep::ChairNominated => "Chair nominated",
        SpbStep::DatesOffered => "Dates offered to the headteacher",
        SpbStep::DateChosen => "Date chosen by the headteacher",
        SpbStep::Confirmed => "Date confirmed, governors to be present",
        SpbStep::ChairIntroduced => "Chair introduced to the headteacher",
        SpbStep::PartnerVisit => "Priority Partner visit",
        SpbStep::Meeting => "The meeting",
        SpbStep::NotesSent => "Notes uploaded and sent",
        SpbStep::NextDates => "Next dates agreed",
    }
}

/// A protocol as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SpbRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub case_id: i64,
    pub urn: i64,
    /// requested or automatic.
    pub route: String,
    pub requested_by: Option<String>,
    /// special_measures or serious_weaknesses (automatic route).
    pub category: Option<String>,
    pub requested_on: String,
    pub created_by: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
}

const SPB_COLS: &str = "id, organisation_id, case_id, urn, route, requested_by, category, requested_on, created_by, created_by_user_id, created_at";

/// A recorded step as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StepRecord {
    pub id: i64,
    pub protocol_id: i64,
    pub step: String,
    pub on_date: String,
    pub detail_json: String,
    pub recorded_by: String,
    pub recorded_by_user_id: Option<i64>,
    pub recorded_at: String,
}

const STEP_COLS: &str =
    "id, protocol_id, step, on_date, detail_json, recorded_by, recorded_by_user_id, recorded_at";

/// A step to record, with its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepInput {
    Approval { agreed: bool, funded: bool },
    ChairNominated { chair: String },
    DatesOffered { dates: Vec<Date> },
    DateChosen { chosen: Date },
    Confirmed { governors_present: bool },
    ChairIntroduced,
    PartnerVisit,
    Meeting { next_dates: Vec<Date> },
    NotesSent,
}

impl StepInput {
    pub fn step(&self) -> SpbStep {
        match self {
            Self::Approval { .. } => SpbStep::Approval,
            Self::ChairNominated { .. } => SpbStep::ChairNominated,
            Self::DatesOffered { .. } => SpbStep::DatesOffered,
            Self::DateChosen { .. } => SpbStep::DateChosen,
            Self::Confirmed { .. } => SpbStep::Confirmed,
            Self::ChairIntroduced => SpbStep::ChairIntroduced,
            Self::PartnerVisit => SpbStep::PartnerVisit,
            Self::Meeting { .. } => SpbStep::Meeting,
            Self::NotesSent => SpbStep::NotesSent,
        }
    }

    /// One line for the timeline.
    pub fn describe(&self, on: Date) -> String {
        let list = |d: &[Date]| {
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Approval { agreed, funded } => format!(
                "SPB {} and {} on {on}",
                if *agreed { "agreed" } else { "not agreed" },
                if *funded { "funded" } else { "not funded" }
            ),
            Self::ChairNominated { chair } => format!("SPB chair {chair} nominated on {on}"),
            Self::DatesOffered { dates } => {
                format!(
                    "SPB dates offered to the headteacher on {on}: {}",
                    list(dates)
                )
            }
            Self::DateChosen { chosen } => {
                format!("The headteacher chose {chosen} for the SPB (on {on})")
            }
            Self::Confirmed { .. } => {
                format!("SPB date confirmed on {on}, governors to be present")
            }
            Self::ChairIntroduced => format!("The SPB chair introduced themselves on {on}"),
            Self::PartnerVisit => format!("Priority Partner visit before the SPB on {on}"),
            Self::Meeting { next_dates } if next_dates.is_empty() => {
                format!("School Performance Board held on {on}")
            }
            Self::Meeting { next_dates } => format!(
                "School Performance Board held on {on}; next dates {}",
                list(next_dates)
            ),
            Self::NotesSent => format!("SPB notes uploaded and sent on {on}"),
        }
    }

    fn apply(&self, p: &mut SpbProtocol, on: Date) -> Result<()> {
        let r = match self {
            Self::Approval { agreed, funded } => p.decide(on, *agreed, *funded),
            Self::ChairNominated { chair } => p.nominate_chair(on, chair),
            Self::DatesOffered { dates } => p.offer_dates(on, dates.clone()),
            Self::DateChosen { chosen } => p.choose_date(on, *chosen),
            Self::Confirmed { governors_present } => p.confirm(on, *governors_present),
            Self::ChairIntroduced => p.chair_introduced(on),
            Self::PartnerVisit => p.partner_visit(on),
            Self::Meeting { next_dates } => p.hold(on, next_dates.clone()),
            Self::NotesSent => p.notes_sent(on),
        };
        r.map_err(|e| StoreError::Invalid(e.to_string()))
    }
}

fn category_name(c: &CategoryOfConcern) -> Option<&'static str> {
    match c {
        CategoryOfConcern::SpecialMeasures => Some("special_measures"),
        CategoryOfConcern::SeriousWeaknesses => Some("serious_weaknesses"),
        _ => None,
    }
}

fn parse_category(s: &str) -> Option<CategoryOfConcern> {
    match s {
        "special_measures" => Some(CategoryOfConcern::SpecialMeasures),
        "serious_weaknesses" => Some(CategoryOfConcern::SeriousWeaknesses),
        _ => None,
    }
}

fn day(s: &str) -> Result<Date> {
    s.get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| StoreError::Invalid(format!("stored date {s:?} is unreadable")))
}

/// Rebuilds the domain protocol from its stored request and steps.
pub fn rebuild(record: &SpbRecord, steps: &[StepRecord]) -> Result<SpbProtocol> {
    let requested = day(&record.requested_on)?;
    let mut p = match (record.route.as_str(), record.category.as_deref()) {
        ("automatic", Some(c)) => {
            let cat = parse_category(c)
                .ok_or_else(|| StoreError::Invalid(format!("stored category {c:?} is unknown")))?;
            SpbProtocol::automatic(cat, requested)
        }
        _ => SpbProtocol::request(record.requested_by.as_deref().unwrap_or(""), requested),
    }
    .map_err(|e| StoreError::Invalid(e.to_string()))?;
    for s in steps {
        let input: StepInput = serde_json::from_str(&s.detail_json).map_err(|e| {
            StoreError::Invalid(format!("stored SPB step {} is unreadable: {e}", s.id))
        })?;
        input.apply(&mut p, day(&s.on_date)?)?;
    }
    Ok(p)
}

/// How a protocol starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpbStart {
    /// Requested by the Priority Partner or another party.
    Requested { by: String },
    /// Special measures or serious weaknesses: agreed and funded as statutory monitoring.
    Automatic { category: CategoryOfConcern },
}

/// Starts a protocol on a case. Audited; on the case timeline.
pub async fn start(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    how: &SpbStart,
    on: Date,
) -> Result<SpbRecord> {
    let case = case_ref(tx, organisation_id, case_id).await?;
    let (route, by, category) = match how {
        SpbStart::Requested { by } => {
            SpbProtocol::request(by, on).map_err(|e| StoreError::Invalid(e.to_string()))?;
            ("requested", Some(by.trim().to_string()), None)
        }
        SpbStart::Automatic { category } => {
            SpbProtocol::automatic(category.clone(), on)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            ("automatic", None, category_name(category))
        }
    };
    let row: SpbRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO spb_protocols (organisation_id, case_id, urn, route, requested_by, category, requested_on,
             created_by, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {SPB_COLS}"))
        .bind(organisation_id).bind(case_id).bind(case.urn).bind(route).bind(&by).bind(category)
        .bind(on.to_string()).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("spb_protocol", row.id, Some(organisation_id), &row),
    )
    .await?;
    let summary = match how {
        SpbStart::Requested { by } => format!("School Performance Board requested by {} on {on}", by.trim()),
        SpbStart::Automatic { category } => format!(
            "School Performance Board: qualifies automatically ({}) on {on}; agreed and funded as statutory monitoring",
            match category {
                CategoryOfConcern::SpecialMeasures => "special measures",
                _ => "serious weaknesses",
            }
        ),
    };
    timeline(
        tx,
        actor,
        &case,
        on,
        "spb_requested",
        summary,
        ("spb_protocol", row.id),
        None,
    )
    .await?;
    Ok(row)
}

/// Records a step, refused (nothing saved) when the domain's protocol refuses
/// it. Audited; on the case timeline.
pub async fn record_step(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    protocol_id: i64,
    input: &StepInput,
    on: Date,
) -> Result<StepRecord> {
    let record: SpbRecord = on_tx!(tx, c => sqlx::query_as::<_, SpbRecord>(&format!(
        "SELECT {SPB_COLS} FROM spb_protocols WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(protocol_id).fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("SPB protocol {protocol_id}")))?;
    let steps: Vec<StepRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {STEP_COLS} FROM spb_steps WHERE protocol_id = $1 ORDER BY id"))
        .bind(protocol_id).fetch_all(&mut **c).await)?;
    let mut p = rebuild(&record, &steps)?;
    input.apply(&mut p, on)?;
    let detail = serde_json::to_string(input)
        .map_err(|e| StoreError::Invalid(format!("the step cannot be stored: {e}")))?;
    let row: StepRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO spb_steps (protocol_id, step, on_date, detail_json, recorded_by, recorded_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {STEP_COLS}"))
        .bind(protocol_id).bind(step_name(input.step())).bind(on.to_string()).bind(&detail)
        .bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("spb_step", row.id, Some(organisation_id), &row),
    )
    .await?;
    let case = case_ref(tx, organisation_id, record.case_id).await?;
    timeline(
        tx,
        actor,
        &case,
        on,
        "spb_step",
        input.describe(on),
        ("spb_protocol", protocol_id),
        None,
    )
    .await?;
    Ok(row)
}

impl Db {
    /// The SPB protocols of a case, oldest first.
    pub async fn case_spbs(&self, organisation_id: i64, case_id: i64) -> Result<Vec<SpbRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {SPB_COLS} FROM spb_protocols WHERE organisation_id = $1 AND case_id = $2 ORDER BY id"))
            .bind(organisation_id).bind(case_id).fetch_all(p).await)?)
    }

    /// Every SPB protocol of the organisation (for deadlines on agendas).
    pub async fn all_spbs(&self, organisation_id: i64) -> Result<Vec<SpbRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {SPB_COLS} FROM spb_protocols WHERE organisation_id = $1 ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The SPB protocols of the organisation's open cases, each with its
    /// steps (in order), in protocol order: two queries however many there
    /// are (the agenda's deadlines read these).
    pub async fn open_case_spbs(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<(SpbRecord, Vec<StepRecord>)>> {
        const OPEN: &str =
            "SELECT id FROM concern_cases WHERE organisation_id = $1 AND closed_on IS NULL";
        let spbs: Vec<SpbRecord> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {SPB_COLS} FROM spb_protocols WHERE organisation_id = $1 AND case_id IN ({OPEN}) ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?;
        let steps: Vec<StepRecord> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {STEP_COLS} FROM spb_steps WHERE protocol_id IN (
                 SELECT id FROM spb_protocols WHERE organisation_id = $1 AND case_id IN ({OPEN}))
             ORDER BY protocol_id, id"))
            .bind(organisation_id).fetch_all(p).await)?;
        let mut by_spb: std::collections::HashMap<i64, Vec<StepRecord>> =
            std::collections::HashMap::new();
        for s in steps {
            by_spb.entry(s.protocol_id).or_default().push(s);
        }
        Ok(spbs
            .into_iter()
            .map(|p| {
                let s = by_spb.remove(&p.id).unwrap_or_default();
                (p, s)
            })
            .collect())
    }

    pub async fn spb(&self, organisation_id: i64, id: i64) -> Result<Option<SpbRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {SPB_COLS} FROM spb_protocols WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    pub async fn spb_steps(&self, protocol_id: i64) -> Result<Vec<StepRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {STEP_COLS} FROM spb_steps WHERE protocol_id = $1 ORDER BY id"))
            .bind(protocol_id).fetch_all(p).await)?)
    }
}
