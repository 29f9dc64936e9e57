//! `GET /api/v1/schools` and `GET /api/v1/schools/{urn}`: the register, with the
//! same rules as the pages (a school user sees only their own school; any other
//! URN is 404; intelligence only for roles allowed to read it).

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use uplift_app::register::{find_schools, school_profile, Profile, SchoolQuery};
use uplift_store::register::{MeasureRow, SchoolSort, SchoolSummary};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::paths;

/// The list's filters. Text filters other than `q` match exactly (case-insensitive).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolsQuery {
    /// Part of the name, or the start of the URN.
    #[serde(default)]
    pub q: String,
    /// Local authority code, e.g. `202`.
    #[serde(default)]
    pub la: String,
    /// Phase of education, e.g. `Primary`.
    #[serde(default)]
    pub phase: String,
    /// Type of establishment, e.g. `Community school`.
    #[serde(default, rename = "type")]
    pub type_name: String,
    /// Establishment status, e.g. `Open`.
    #[serde(default)]
    pub status: String,
    /// The trust's full name.
    #[serde(default)]
    pub trust: String,
    /// name (default), urn, la, phase, type, status, trust or pupils.
    #[serde(default)]
    pub sort: String,
    /// asc (default) or desc.
    #[serde(default)]
    pub order: String,
    /// At most 1000; default 50.
    #[serde(default)]
    pub limit: String,
    /// How many matching schools to skip; default 0.
    #[serde(default)]
    pub offset: String,
}

#[derive(Serialize, ToSchema)]
pub struct SchoolItem {
    pub urn: i64,
    pub name: String,
    pub la_code: String,
    pub la_name: Option<String>,
    pub phase: Option<String>,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    /// Establishment status as published (Open, Closed, ...).
    pub status: Option<String>,
    /// maintained, academy, independent or other.
    pub governance: Option<String>,
    pub trust: Option<String>,
    pub number_on_roll: Option<i64>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

impl From<SchoolSummary> for SchoolItem {
    fn from(s: SchoolSummary) -> Self {
        SchoolItem {
            urn: s.urn,
            name: s.name,
            la_code: s.la_code,
            la_name: s.la_name,
            phase: s.phase,
            type_name: s.type_name,
            status: s.status,
            governance: s.governance,
            trust: s.trust,
            number_on_roll: s.number_on_roll,
            town: s.town,
            postcode: s.postcode,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SchoolList {
    /// How many schools match (all pages).
    pub total: i64,
    pub items: Vec<SchoolItem>,
}

fn number(name: &str, v: &str, default: i64) -> Result<i64, Problem> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(default);
    }
    v.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| Problem::BadRequest(format!("{name} must be a whole number, 0 or more")))
}

/// Schools matching the filters (a school user: their own school only).
#[utoipa::path(get, path = "/api/v1/schools", security(("bearer" = [])), params(SchoolsQuery),
    responses((status = 200, body = SchoolList), (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SchoolsQuery>,
) -> Result<Json<SchoolList>, ApiError> {
    let sort = match q.sort.trim() {
        "" => SchoolSort::Name,
        s => SchoolSort::parse(s).ok_or_else(|| {
            Problem::BadRequest(
                "sort must be one of name, urn, la, phase, type, status, trust, pupils".into(),
            )
        })?,
    };
    let descending = match q.order.trim() {
        "" | "asc" => false,
        "desc" => true,
        _ => return Err(Problem::BadRequest("order must be asc or desc".into()).into()),
    };
    let limit = number("limit", &q.limit, 50)?.clamp(1, 1000);
    let offset = number("offset", &q.offset, 0)?;
    let mut filter = SchoolQuery {
        q: q.q,
        la: q.la,
        phase: q.phase,
        type_name: q.type_name,
        status: q.status,
        trust: q.trust,
        ..Default::default()
    }
    .filter();
    filter.sort = sort;
    filter.descending = descending;
    filter.limit = limit;
    filter.offset = offset;
    let found = find_schools(&state.app, &user.caller(), &filter).await?;
    Ok(Json(SchoolList {
        total: found.total,
        items: found.items.into_iter().map(SchoolItem::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SchoolIdentity {
    pub urn: i64,
    pub name: String,
    pub la_code: String,
    pub la_name: Option<String>,
    pub phase: Option<String>,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    pub status: Option<String>,
    /// maintained, academy, independent or other.
    pub governance: Option<String>,
    pub sixth_form: Option<String>,
    pub number_on_roll: Option<i64>,
    pub statutory_low_age: Option<i64>,
    pub statutory_high_age: Option<i64>,
    pub religious_character: Option<String>,
    pub diocese: Option<String>,
    pub trust: Option<String>,
    pub sponsor: Option<String>,
    pub federation: Option<String>,
    pub head_name: Option<String>,
    pub head_job_title: Option<String>,
    /// ISO date.
    pub head_start_date: Option<String>,
    pub open_date: Option<String>,
    pub close_date: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub website: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SchoolLinkItem {
    pub urn: i64,
    pub name: Option<String>,
    /// predecessor, successor or other.
    pub direction: String,
    /// As published.
    pub link_type: String,
    pub established: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupItem {
    pub group_uid: i64,
    pub name: Option<String>,
    pub group_type: Option<String>,
    pub status: Option<String>,
    pub joined: Option<String>,
}

/// A report card (from November 2025): each area's grade as published on the
/// five-point scale, and safeguarding met or not met.
#[derive(Serialize, ToSchema)]
pub struct ReportCardItem {
    pub inspection_number: Option<String>,
    pub inspection_type: Option<String>,
    pub start_date: Option<String>,
    pub publication_date: Option<String>,
    pub category_of_concern: Option<String>,
    pub safeguarding: Option<String>,
    pub inclusion: Option<String>,
    pub curriculum_and_teaching: Option<String>,
    pub achievement: Option<String>,
    pub attendance_and_behaviour: Option<String>,
    pub personal_development_and_wellbeing: Option<String>,
    pub leadership_and_governance: Option<String>,
    pub early_years: Option<String>,
    pub post_16: Option<String>,
    /// True when the demo generated this record (not real data).
    pub generated: bool,
    pub source_file: String,
}

/// A graded inspection: 1 Outstanding, 2 Good, 3 Requires improvement,
/// 4 Inadequate, 9 not applicable. Inspections from September 2024 have no
/// overall effectiveness grade.
#[derive(Serialize, ToSchema)]
pub struct GradedInspectionItem {
    pub inspection_number: Option<String>,
    pub inspection_type: Option<String>,
    pub start_date: Option<String>,
    pub publication_date: Option<String>,
    pub category_of_concern: Option<String>,
    pub overall_effectiveness: Option<i64>,
    pub quality_of_education: Option<i64>,
    pub behaviour_and_attitudes: Option<i64>,
    pub personal_development: Option<i64>,
    pub leadership_and_management: Option<i64>,
    pub safeguarding_effective: Option<bool>,
    pub early_years: Option<i64>,
    pub sixth_form: Option<i64>,
    pub outcomes_for_pupils: Option<i64>,
    pub quality_of_teaching: Option<i64>,
    pub personal_development_behaviour_welfare: Option<i64>,
    /// True when the demo generated this record (not real data).
    pub generated: bool,
    pub source_file: String,
}

/// An ungraded inspection with its text outcome.
#[derive(Serialize, ToSchema)]
pub struct UngradedInspectionItem {
    pub inspection_number: Option<String>,
    pub inspection_date: Option<String>,
    pub publication_date: Option<String>,
    pub outcome: String,
    /// True when the demo generated this record (not real data).
    pub generated: bool,
    pub source_file: String,
}

/// The inspections in their own formats; none is converted into another.
#[derive(Serialize, ToSchema)]
pub struct Inspections {
    pub report_cards: Vec<ReportCardItem>,
    pub graded: Vec<GradedInspectionItem>,
    pub ungraded: Vec<UngradedInspectionItem>,
}

/// One published value: a number, or a marker (SUPP, NE, NA, NP, z, ...).
#[derive(Serialize, ToSchema)]
pub struct MeasureValue {
    pub value: Option<f64>,
    /// number, percent, marker or text.
    pub kind: String,
    pub marker: Option<String>,
}

impl From<&MeasureRow> for MeasureValue {
    fn from(m: &MeasureRow) -> Self {
        MeasureValue {
            value: m.value_num,
            kind: m.value_kind.clone(),
            marker: m.value_text.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PerformanceItem {
    pub dataset: String,
    pub time_period: String,
    pub measure: String,
    pub school: MeasureValue,
    /// The authority's published figure for the same measure.
    pub authority: Option<MeasureValue>,
    /// England's figure.
    pub national: Option<MeasureValue>,
    /// 1 (lowest quarter within the authority) to 4 (highest).
    pub quartile: Option<i64>,
    pub source_file: String,
}

#[derive(Serialize, ToSchema)]
pub struct IntelligenceEntry {
    pub id: i64,
    pub kind: String,
    /// ISO date it happened.
    pub occurred_on: String,
    pub source: String,
    pub summary: String,
    pub recorded_at: String,
    /// None when Uplift derived it from an import.
    pub author_user_id: Option<i64>,
    pub generated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SchoolDetail {
    pub school: SchoolIdentity,
    pub groups: Vec<GroupItem>,
    pub links: Vec<SchoolLinkItem>,
    pub inspections: Inspections,
    pub performance: Vec<PerformanceItem>,
    /// Present only for roles that may read intelligence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intelligence: Option<Vec<IntelligenceEntry>>,
}

/// One school's profile: identity, inspections by format, performance with
/// comparators, and (for roles allowed to read it) intelligence.
#[utoipa::path(get, path = "/api/v1/schools/{urn}", security(("bearer" = [])),
    params(("urn" = i64, Path, description = "The school's URN")),
    responses((status = 200, body = SchoolDetail), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
) -> Result<Json<SchoolDetail>, ApiError> {
    let urn = paths::urn(&urn)?;
    let Profile {
        profile: p,
        read_intelligence: read_intel,
    } = school_profile(&state.app, &user.caller(), urn).await?;
    let s = p.school;
    Ok(Json(SchoolDetail {
        school: SchoolIdentity {
            urn: s.urn,
            name: s.name,
            la_code: s.la_code,
            la_name: s.la_name,
            phase: s.phase,
            type_name: s.type_name,
            status: s.status,
            governance: s.governance,
            sixth_form: s.sixth_form,
            number_on_roll: s.number_on_roll,
            statutory_low_age: s.statutory_low_age,
            statutory_high_age: s.statutory_high_age,
            religious_character: s.religious_character,
            diocese: s.diocese,
            trust: s.trust,
            sponsor: s.sponsor,
            federation: s.federation,
            head_name: p.head_name,
            head_job_title: s.head_job_title,
            head_start_date: s.head_start_date,
            open_date: s.open_date,
            close_date: s.close_date,
            town: s.town,
            postcode: s.postcode,
            website: s.website,
        },
        groups: p
            .groups
            .into_iter()
            .map(|g| GroupItem {
                group_uid: g.group_uid,
                name: g.name,
                group_type: g.group_type,
                status: g.status,
                joined: g.joined,
            })
            .collect(),
        links: p
            .links
            .into_iter()
            .map(|l| SchoolLinkItem {
                urn: l.urn,
                name: l.name,
                direction: l.direction.to_string(),
                link_type: l.link_type,
                established: l.established,
            })
            .collect(),
        inspections: Inspections {
            report_cards: p
                .report_cards
                .into_iter()
                .map(|c| ReportCardItem {
                    inspection_number: c.inspection_number,
                    inspection_type: c.inspection_type,
                    start_date: c.start_date,
                    publication_date: c.publication_date,
                    category_of_concern: c.category_of_concern,
                    safeguarding: c.safeguarding,
                    inclusion: c.inclusion,
                    curriculum_and_teaching: c.curriculum_and_teaching,
                    achievement: c.achievement,
                    attendance_and_behaviour: c.attendance_and_behaviour,
                    personal_development_and_wellbeing: c.personal_development_and_wellbeing,
                    leadership_and_governance: c.leadership_and_governance,
                    early_years: c.early_years,
                    post_16: c.post_16,
                    generated: c.generated,
                    source_file: c.source_file,
                })
                .collect(),
            graded: p
                .graded_inspections
                .into_iter()
                .map(|g| GradedInspectionItem {
                    inspection_number: g.inspection_number,
                    inspection_type: g.inspection_type,
                    start_date: g.start_date,
                    publication_date: g.publication_date,
                    category_of_concern: g.category_of_concern,
                    overall_effectiveness: g.overall_effectiveness,
                    quality_of_education: g.quality_of_education,
                    behaviour_and_attitudes: g.behaviour_and_attitudes,
                    personal_development: g.personal_development,
                    leadership_and_management: g.leadership_and_management,
                    safeguarding_effective: g.safeguarding_effective,
                    early_years: g.early_years,
                    sixth_form: g.sixth_form,
                    outcomes_for_pupils: g.outcomes_for_pupils,
                    quality_of_teaching: g.quality_of_teaching,
                    personal_development_behaviour_welfare: g
                        .personal_development_behaviour_welfare,
                    generated: g.generated,
                    source_file: g.source_file,
                })
                .collect(),
            ungraded: p
                .ungraded_inspections
                .into_iter()
                .map(|u| UngradedInspectionItem {
                    inspection_number: u.inspection_number,
                    inspection_date: u.inspection_date,
                    publication_date: u.publication_date,
                    outcome: u.outcome,
                    generated: u.generated,
                    source_file: u.source_file,
                })
                .collect(),
        },
        performance: p
            .performance
            .iter()
            .map(|m| PerformanceItem {
                dataset: m.value.dataset.clone(),
                time_period: m.value.time_period.clone(),
                measure: m.value.measure.clone(),
                school: MeasureValue::from(&m.value),
                authority: m.authority.as_ref().map(MeasureValue::from),
                national: m.national.first().map(MeasureValue::from),
                quartile: m.value.quartile,
                source_file: m.value.source_file.clone(),
            })
            .collect(),
        intelligence: read_intel.then(|| {
            p.intelligence
                .into_iter()
                .map(|i| IntelligenceEntry {
                    id: i.id,
                    kind: i.kind,
                    occurred_on: i.occurred_on,
                    source: i.source,
                    summary: i.summary,
                    recorded_at: i.recorded_at,
                    author_user_id: i.author_user_id,
                    generated: i.generated,
                })
                .collect()
        }),
    }))
}
