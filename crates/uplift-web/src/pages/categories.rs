//! Categorisation pages (issue 4): the annual data-led review of the estate
//! (`/categories`, where a lead agrees proposed movements in one form), a
//! school's category with every rule that fired and its evidence
//! (`/schools/{urn}/category`, with the lead's override forms), and the risk
//! assessment of the school estate (`/estate-assessment` and its CSV, which
//! is the same as `uplift categorise --format csv`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::categories::{self, CategoryChoice};
use uplift_app::AppError;
use uplift_domain::access::{authorize, Action, Scope};
use uplift_domain::policy::{FlagKind, Placement, Policy, RuleOutcome};
use uplift_domain::register::Date;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::paths;
use crate::render::render;

/// Today in England (Europe/London): the date the facts describe. Handlers
/// with the state at hand use `state.today()`, the application's clock.
pub fn today() -> Date {
    uplift_app::clock::today_in_england()
}

fn can(user: &CurrentUser, action: Action) -> bool {
    authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    )
    .is_allowed()
}

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

/// The errors by field id, for the fields' own messages.
fn by_field(errors: &[Value]) -> std::collections::BTreeMap<String, String> {
    errors
        .iter()
        .filter_map(|e| {
            let f = e.get_attr("field").ok()?;
            let t = e.get_attr("text").ok()?;
            Some((f.as_str()?.to_string(), t.as_str()?.to_string()))
        })
        .collect()
}

fn label_of(policy: &Policy, id: &str) -> String {
    policy
        .categories
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.label.clone())
        .unwrap_or_else(|| id.to_string())
}

fn rag_of(policy: &Policy, id: &str) -> &'static str {
    policy
        .categories
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.rag.as_str())
        .unwrap_or("grey")
}

fn summary(p: &Placement) -> String {
    p.rationale
        .iter()
        .map(|r| r.summary.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

// ---------------------------------------------------------------------------
// The annual review

#[derive(Debug, Deserialize, Default)]
pub struct ReviewFlash {
    #[serde(default)]
    pub agreed: Option<usize>,
}

async fn render_review(
    state: &AppState,
    user: &CurrentUser,
    checked: Vec<String>,
    rationale: &str,
    errors: Vec<Value>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let placements = state.db.categorise(org, &policy, state.today()).await?;
    let states = state.db.category_states(org).await?;
    let mut movements = Vec::new();
    let mut options = Vec::new();
    let mut unchanged = 0usize;
    for p in &placements {
        let urn = i64::from(p.urn.get());
        let current = states.current.get(&urn).and_then(|d| d.category.clone());
        if current.as_deref() == Some(p.category.as_str()) {
            unchanged += 1;
            continue;
        }
        let from = current
            .as_deref()
            .map(|c| label_of(&policy, c))
            .unwrap_or_else(|| "No category yet".into());
        options.push(context! {
            value => urn.to_string(),
            text => format!("{} (URN {urn}): {from} to {}", p.name, p.category_label),
            hint => summary(p),
        });
        movements.push(context! {
            urn => urn,
            name => p.name.clone(),
            href => format!("/schools/{urn}/category"),
            from => from,
            to => p.category_label.clone(),
            rag => p.rag.as_str(),
            reason => summary(p),
        });
    }
    let has_errors = !errors.is_empty();
    let mut res = render(
        state,
        Some(user),
        "/categories",
        "categories.html",
        "Annual category review",
        context! {
            policy => context! { name => policy.name.clone(), title => policy.title.clone(), follows => policy.follows.clone() },
            as_of => state.today().to_string(),
            academic_year => uplift_store::categorisation::academic_year(state.today()),
            total => placements.len(),
            unchanged => unchanged,
            movements => movements,
            options => options,
            checked => checked,
            rationale => rationale,
            can_decide => can(user, Action::DecideCategories),
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /categories`: the proposed movements under the policy in force.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(flash): Query<ReviewFlash>,
) -> Result<Response, PageError> {
    let flash = flash.agreed.map(|n| {
        format!(
            "{n} {} agreed.",
            if n == 1 {
                "category has been"
            } else {
                "categories have been"
            }
        )
    });
    render_review(&state, &user, Vec::new(), "", Vec::new(), flash).await
}

/// `POST /categories`: a lead agrees the selected schools' proposed categories
/// with one rationale (each decision audited).
pub async fn agree(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let checked: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "urn")
        .map(|(_, v)| v.trim().to_string())
        .collect();
    let rationale = fields
        .iter()
        .find(|(k, _)| k == "rationale")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    match categories::agree_categories(&state.app, &user.caller(), &checked, &rationale).await {
        Ok(n) => Ok(Redirect::to(&format!("/categories?agreed={n}")).into_response()),
        Err(AppError::Invalid(es)) => {
            let errors = refused(&es);
            render_review(&state, &user, checked, &rationale, errors, None).await
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}

/// A use case's refusals as the page shows them.
fn refused(es: &[uplift_app::FieldError]) -> Vec<Value> {
    es.iter().map(|e| err(&e.field, &e.message)).collect()
}

// ---------------------------------------------------------------------------
// One school

#[derive(Debug, Deserialize, Default)]
pub struct SchoolFlash {
    #[serde(default)]
    pub done: Option<String>,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct DecisionForm {
    /// confirm or override
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct FlagForm {
    #[serde(default)]
    pub flag: String,
    /// yes, no or clear
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub flag_reason: String,
}

fn outcome_view(r: &RuleOutcome) -> Value {
    let evidence: Vec<Value> = r
        .evidence
        .iter()
        .map(|e| {
            context! {
                fact => uplift_domain::policy::describe_fact(&e.fact),
                fact_name => e.fact.clone(),
                value => e.value.clone().unwrap_or_else(|| "not known".into()),
                test => format!("{} {}", e.comparator, e.threshold),
                date => e.date.map(|d| d.to_string()).unwrap_or_default(),
                source => e.source.clone().unwrap_or_default(),
            }
        })
        .collect();
    context! {
        label => r.label.clone(),
        rule => r.rule.clone(),
        summary => r.summary.clone(),
        source => r.source.clone().unwrap_or_default(),
        evidence => evidence,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_school(
    state: &AppState,
    user: &CurrentUser,
    urn: i64,
    decision: &DecisionForm,
    flag_form: &FlagForm,
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let p = state
        .db
        .categorise_school(org, &policy, urn, state.today())
        .await?
        .ok_or(Problem::NotFound)?;
    let history = state.db.category_history(org, urn).await?;
    let current = history.iter().find(|d| d.category.is_some());
    let flags: Vec<Value> = FlagKind::ALL
        .iter()
        .map(|k| {
            let f = p.flags.get(*k);
            context! {
                name => k.name(),
                label => k.name().replace('_', " "),
                set => f.effective(),
                derived => f.value,
                reason => f.reason.clone(),
                legal_source => f.legal_source.clone(),
                overridden => f.overridden_by.as_ref().map(|o| format!("Overridden by {} on {}: {}", o.by, o.on, o.reason)),
            }
        })
        .collect();
    let history_view: Vec<Value> = history
        .iter()
        .map(|d| {
            context! {
                at => d.decided_at.get(..10).unwrap_or(&d.decided_at).to_string(),
                year => d.academic_year.clone(),
                decision => d.decision.clone(),
                proposed => label_of(&policy, &d.proposed_category),
                category => d.category.as_deref().map(|c| label_of(&policy, c)).unwrap_or_default(),
                why => d.rationale.clone().or(d.override_reason.clone()).unwrap_or_default(),
                by => d.decided_by.clone(),
            }
        })
        .collect();
    let categories: Vec<Value> = std::iter::once(
        context! { value => "", text => "Select a category" },
    )
    .chain(policy.categories.iter().map(|c| {
        context! { value => c.id.clone(), text => format!("{} ({})", c.label, c.rag.as_str()) }
    }))
    .collect();
    let flag_options: Vec<Value> =
        std::iter::once(context! { value => "", text => "Select a flag" })
            .chain(FlagKind::ALL.iter().map(|k| {
                context! { value => k.name(), text => k.name().replace('_', " ") }
            }))
            .collect();
    let has_errors = !errors.is_empty();
    let path = format!("/schools/{urn}/category");
    let mut res = render(
        state,
        Some(user),
        &path,
        "school_category.html",
        &format!("{}: category", p.name),
        context! {
            school => context! { urn => urn, name => p.name.clone() },
            policy => context! { name => policy.name.clone(), title => policy.title.clone() },
            as_of => p.as_of.to_string(),
            category => context! { id => p.category.clone(), label => p.category_label.clone(), rag => p.rag.as_str(), causing_concern => p.causing_concern },
            current => current.map(|d| {
                let c = d.category.clone().unwrap_or_default();
                context! { label => label_of(&policy, &c), rag => rag_of(&policy, &c), decision => d.decision.clone(), at => d.decided_at.get(..10).unwrap_or(&d.decided_at).to_string() }
            }),
            rationale => p.rationale.iter().map(outcome_view).collect::<Vec<_>>(),
            near_misses => p.near_misses.iter().map(outcome_view).collect::<Vec<_>>(),
            triggers => p.triggers.iter().map(outcome_view).collect::<Vec<_>>(),
            flags => flags,
            history => history_view,
            categories => categories,
            flag_options => flag_options,
            can_decide => can(user, Action::DecideCategories),
            form => context! { category => decision.category.clone(), rationale => decision.rationale.clone(), reason => decision.reason.clone() },
            flag_form => context! { flag => flag_form.flag.clone(), value => flag_form.value.clone(), reason => flag_form.flag_reason.clone() },
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /schools/{urn}/category`.
pub async fn school(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Query(flash): Query<SchoolFlash>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    permit(
        &user,
        Action::ReadCategories,
        Scope::School {
            organisation_id: user.principal.organisation_id,
            urn,
        },
    )?;
    let flash = match flash.done.as_deref() {
        Some("confirmed") => Some("The category has been confirmed."),
        Some("overridden") => Some("The category has been overridden."),
        Some("flag") => Some("The flag override has been recorded."),
        _ => None,
    };
    render_school(
        &state,
        &user,
        urn,
        &DecisionForm::default(),
        &FlagForm::default(),
        Vec::new(),
        flash,
    )
    .await
}

/// `POST /schools/{urn}/category`: a lead confirms the proposed category with
/// a rationale, or overrides it with a reason (audited).
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let d = categories::DecideCategory {
        action: f.action.clone(),
        category: f.category.clone(),
        rationale: f.rationale.clone(),
        reason: f.reason.clone(),
    };
    match categories::decide_category(&state.app, &user.caller(), urn, &d).await {
        Ok(choice) => {
            let done = match choice {
                CategoryChoice::Confirm => "confirmed",
                CategoryChoice::Override => "overridden",
            };
            Ok(Redirect::to(&format!("/schools/{urn}/category?done={done}")).into_response())
        }
        Err(AppError::Invalid(es)) => {
            render_school(
                &state,
                &user,
                urn,
                &f,
                &FlagForm::default(),
                refused(&es),
                None,
            )
            .await
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}

/// `POST /schools/{urn}/flags`: a lead overrides a derived flag (or withdraws
/// an override) with a reason (audited).
pub async fn override_flag(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Form(f): Form<FlagForm>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let o = categories::OverrideFlag {
        flag: f.flag.clone(),
        value: f.value.clone(),
        reason: f.flag_reason.clone(),
    };
    match categories::override_flag(&state.app, &user.caller(), urn, &o).await {
        Ok(_) => Ok(Redirect::to(&format!("/schools/{urn}/category?done=flag")).into_response()),
        Err(AppError::Invalid(es)) => {
            let form = DecisionForm::default();
            render_school(&state, &user, urn, &form, &f, refused(&es), None).await
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}

// ---------------------------------------------------------------------------
// The estate assessment

/// `GET /estate-assessment`: counts by category, movements since last year,
/// and every school's rationale.
pub async fn estate(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let a = state
        .db
        .estate_assessment(org, &policy, state.today())
        .await?;
    let counts: Vec<Value> = a
        .counts
        .iter()
        .map(|c| context! { label => c.label.clone(), rag => c.rag.as_str(), count => c.count, last_year => c.last_year })
        .collect();
    let movements: Vec<Value> = a
        .movements
        .iter()
        .map(|m| {
            context! {
                urn => m.urn.get(),
                name => m.name.clone(),
                from => m.from.as_deref().map(|c| label_of(&policy, c)).unwrap_or_else(|| "No category".into()),
                to => label_of(&policy, &m.to),
                direction => m.direction.as_str().replace('_', " "),
            }
        })
        .collect();
    let schools: Vec<Value> = a
        .placements
        .iter()
        .map(|p| {
            context! {
                urn => p.urn.get(),
                name => p.name.clone(),
                href => format!("/schools/{}/category", p.urn.get()),
                category => p.category_label.clone(),
                rag => p.rag.as_str(),
                flags => p.flags.set_names().iter().map(|f| f.replace('_', " ")).collect::<Vec<_>>().join(", "),
                rationale => summary(p),
            }
        })
        .collect();
    render(
        &state,
        Some(&user),
        "/estate-assessment",
        "estate_assessment.html",
        "Risk assessment of the school estate",
        context! {
            policy => context! { name => a.policy.clone(), title => a.policy_title.clone() },
            as_of => state.today().to_string(),
            academic_year => uplift_store::categorisation::academic_year(state.today()),
            total => a.placements.len(),
            counts => counts,
            movements => movements,
            schools => schools,
            link_schools => can(&user, Action::ReadCategories),
        },
    )
}

/// `GET /estate-assessment.csv`: the same as `uplift categorise --format csv`.
pub async fn estate_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let a = state
        .db
        .estate_assessment(org, &policy, state.today())
        .await?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"estate-assessment.csv\""),
            ),
        ],
        uplift_docs::csv::to_string(
            uplift_domain::policy::EstateAssessment::CSV_HEADER,
            &a.csv_rows(),
        ),
    )
        .into_response())
}
