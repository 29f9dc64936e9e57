//! `GET /api/v1/schools/{urn}/category` and `GET /api/v1/estate-assessment`:
//! a school's category, rationale and flags, and the risk assessment of the
//! school estate, under the organisation's policy in force (the same figures
//! as the pages and `uplift categorise`).

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use uplift_domain::access::{Action, Scope};
use uplift_domain::policy::{FlagKind, Placement};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::paths;

/// One rule that fired.
#[derive(Serialize, ToSchema)]
pub struct RuleFired {
    pub rule: String,
    pub label: String,
    /// One sentence: what fired and why.
    pub summary: String,
    /// The passage of the source document the rule follows.
    pub source: Option<String>,
    /// Everything the rule read (fact, value, comparator, threshold, date, source).
    #[schema(value_type = Vec<Object>)]
    pub evidence: serde_json::Value,
}

/// A derived statutory flag.
#[derive(Serialize, ToSchema)]
pub struct FlagItem {
    pub flag: String,
    /// Whether it applies (after any officer's override).
    pub value: bool,
    pub reason: String,
    pub legal_source: String,
    /// The officer's override, if any.
    pub overridden_by: Option<String>,
}

/// A school's placement.
#[derive(Serialize, ToSchema)]
pub struct SchoolCategory {
    pub urn: i64,
    pub name: String,
    pub policy: String,
    pub as_of: String,
    pub category: String,
    pub category_label: String,
    /// red, amber, green (or another RAG colour of the policy).
    pub rag: String,
    pub causing_concern: bool,
    /// The category a lead decided, if any.
    pub decided_category: Option<String>,
    /// Never empty.
    pub rationale: Vec<RuleFired>,
    pub flags: Vec<FlagItem>,
}

fn school_category(p: &Placement, decided: Option<String>) -> SchoolCategory {
    SchoolCategory {
        urn: i64::from(p.urn.get()),
        name: p.name.clone(),
        policy: p.policy.clone(),
        as_of: p.as_of.to_string(),
        category: p.category.clone(),
        category_label: p.category_label.clone(),
        rag: p.rag.as_str().into(),
        causing_concern: p.causing_concern,
        decided_category: decided,
        rationale: p
            .rationale
            .iter()
            .map(|r| RuleFired {
                rule: r.rule.clone(),
                label: r.label.clone(),
                summary: r.summary.clone(),
                source: r.source.clone(),
                evidence: serde_json::to_value(&r.evidence).unwrap_or_default(),
            })
            .collect(),
        flags: FlagKind::ALL
            .iter()
            .map(|k| {
                let f = p.flags.get(*k);
                FlagItem {
                    flag: k.name().into(),
                    value: f.effective(),
                    reason: f.reason.clone(),
                    legal_source: f.legal_source.clone(),
                    overridden_by: f
                        .overridden_by
                        .as_ref()
                        .map(|o| format!("{} on {}: {}", o.by, o.on, o.reason)),
                }
            })
            .collect(),
    }
}

/// A school's category under the policy in force, with its rationale and flags.
#[utoipa::path(get, path = "/api/v1/schools/{urn}/category", security(("bearer" = [])),
    params(("urn" = i64, Path, description = "The school's URN")),
    responses((status = 200, body = SchoolCategory), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn school(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
) -> Result<Json<SchoolCategory>, ApiError> {
    let urn = paths::urn(&urn)?;
    let org = user.principal.organisation_id;
    permit(
        &user,
        Action::ReadCategories,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    let policy = state.db.policy_in_force(org).await?;
    let p = state
        .db
        .categorise_school(org, &policy, urn, state.today())
        .await?
        .ok_or(Problem::NotFound)?;
    let decided = state
        .db
        .category_history(org, urn)
        .await?
        .into_iter()
        .find_map(|d| d.category);
    Ok(Json(school_category(&p, decided)))
}

/// Schools in a category.
#[derive(Serialize, ToSchema)]
pub struct CategoryCountItem {
    pub category: String,
    pub label: String,
    pub rag: String,
    pub count: usize,
    pub last_year: usize,
}

/// A school's movement since last year.
#[derive(Serialize, ToSchema)]
pub struct MovementItem {
    pub urn: i64,
    pub name: String,
    pub from: Option<String>,
    pub to: String,
    /// more_concerning, less_concerning, new or changed.
    pub direction: String,
}

/// One school of the assessment.
#[derive(Serialize, ToSchema)]
pub struct AssessedSchool {
    pub urn: i64,
    pub name: String,
    pub category: String,
    pub rag: String,
    pub flags: Vec<String>,
    /// The summaries of the rules that fired (never empty).
    pub rationale: Vec<String>,
}

/// The risk assessment of the school estate.
#[derive(Serialize, ToSchema)]
pub struct EstateAssessmentBody {
    pub policy: String,
    pub policy_title: String,
    pub as_of: String,
    pub counts: Vec<CategoryCountItem>,
    pub movements: Vec<MovementItem>,
    pub schools: Vec<AssessedSchool>,
}

/// The risk assessment of the school estate under the policy in force.
#[utoipa::path(get, path = "/api/v1/estate-assessment", security(("bearer" = [])),
    responses((status = 200, body = EstateAssessmentBody), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn estate(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<EstateAssessmentBody>, ApiError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let as_of = state.today();
    let a = state.db.estate_assessment(org, &policy, as_of).await?;
    Ok(Json(EstateAssessmentBody {
        policy: a.policy.clone(),
        policy_title: a.policy_title.clone(),
        as_of: as_of.to_string(),
        counts: a
            .counts
            .iter()
            .map(|c| CategoryCountItem {
                category: c.category.clone(),
                label: c.label.clone(),
                rag: c.rag.as_str().into(),
                count: c.count,
                last_year: c.last_year,
            })
            .collect(),
        movements: a
            .movements
            .iter()
            .map(|m| MovementItem {
                urn: i64::from(m.urn.get()),
                name: m.name.clone(),
                from: m.from.clone(),
                to: m.to.clone(),
                direction: m.direction.as_str().into(),
            })
            .collect(),
        schools: a
            .placements
            .iter()
            .map(|p| AssessedSchool {
                urn: i64::from(p.urn.get()),
                name: p.name.clone(),
                category: p.category.clone(),
                rag: p.rag.as_str().into(),
                flags: p.flags.set_names().iter().map(|s| s.to_string()).collect(),
                rationale: p.rationale.iter().map(|r| r.summary.clone()).collect(),
            })
            .collect(),
    }))
}
