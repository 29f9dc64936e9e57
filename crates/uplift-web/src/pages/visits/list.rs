//! Visits delivered against due (`/visits`) and the visits section of a
//! school's profile.

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::{context, Value};
use uplift_app::visits::queries;
use uplift_domain::access::{Action, Role};
use uplift_domain::visits::{DeliveryStatus, Grouping};

use super::advisers::YearQuery;
use super::{adviser_names, can, current_year, school_names, stage_tag, year_from};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;
use crate::views::visits::show_date;

/// `GET /visits`: delivered against due for the year, grouped by school,
/// adviser, category or term, overdue visits flagged, and the visits.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let year = year_from(&state, q.year.as_deref())?;
    let grouping = match q.group.as_deref().unwrap_or("school") {
        "adviser" => Grouping::Adviser,
        "category" => Grouping::Category,
        "term" => Grouping::Term,
        _ => Grouping::School,
    };
    let caller = user.caller();
    let report = queries::delivery(&state.app, &caller, year, None).await?;
    let names = school_names(&state, org).await?;
    let advisers = adviser_names(&state, org).await?;
    let adviser_name = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|i| advisers.get(&i))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "No named adviser".into())
    };
    let school_name = |urn: i64| {
        names
            .get(&urn)
            .cloned()
            .unwrap_or_else(|| format!("URN {urn}"))
    };
    let tallies: Vec<Value> = report
        .tally(grouping)
        .into_iter()
        .map(|t| {
            let label = match grouping {
                Grouping::School => t.key.parse::<i64>().map(school_name).unwrap_or(t.key.clone()),
                Grouping::Adviser => adviser_name(&t.key),
                _ => t.key.clone(),
            };
            context! { label => label, due => t.due, delivered => t.delivered, overdue => t.overdue, pending => t.pending }
        })
        .collect();
    let overdue: Vec<Value> = report
        .overdue()
        .map(|l| {
            let urn = i64::from(l.due.urn.get());
            context! {
                school => school_name(urn),
                href => format!("/schools/{urn}#visits"),
                visit_type => l.due.visit_type.label(),
                due_by => show_date(&l.due.due_by.to_string()),
                adviser => adviser_name(&l.due.adviser_id),
                planned => match &l.status { DeliveryStatus::Overdue { planned: Some(d) } => show_date(&d.to_string()), _ => String::new() },
            }
        })
        .collect();
    let visits = queries::visits(&state.app, &caller, Some(year), None, None).await?;
    let rows: Vec<Value> = visits
        .iter()
        .map(|v| {
            let (stage, colour) = stage_tag(v.stage());
            context! {
                href => format!("/visits/{}", v.id),
                date => show_date(&v.planned_date),
                school => school_name(v.urn),
                visit_type => v.visit_type().label(),
                adviser => advisers.get(&v.adviser_id).map(|a| a.name.clone()).unwrap_or_default(),
                stage => stage,
                colour => colour,
            }
        })
        .collect();
    let total_due = report.lines.len();
    let delivered = report
        .lines
        .iter()
        .filter(|l| matches!(l.status, DeliveryStatus::Delivered { .. }))
        .count();
    render(
        &state,
        Some(&user),
        "/visits",
        "visits.html",
        "Visits",
        context! {
            year => year.to_string(),
            group => match grouping { Grouping::School => "school", Grouping::Adviser => "adviser", Grouping::Category => "category", Grouping::Term => "term" },
            tallies => tallies,
            overdue => overdue,
            visits => rows,
            total_due => total_due,
            delivered => delivered,
            overdue_count => report.overdue().count(),
            can_plan => can(&user, Action::WriteVisits),
            is_school => user.principal.role == Role::School,
        },
    )
}

/// The visits section of a school's profile: its named adviser, its
/// entitlement for the year with the reasons, and its visits.
pub async fn school_section(
    state: &AppState,
    user: &CurrentUser,
    urn: i64,
) -> Result<Option<Value>, Problem> {
    let org = user.principal.organisation_id;
    let year = current_year(state);
    let caller = user.caller();
    let (plan, report) = match queries::school_entitlement(&state.app, &caller, urn, year).await {
        Ok(found) => found,
        Err(uplift_app::AppError::NotFound | uplift_app::AppError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let advisers = adviser_names(state, org).await?;
    let history: Vec<Value> = state
        .db
        .assignment_history(org, urn)
        .await?
        .iter()
        .map(|a| {
            context! {
                adviser => advisers.get(&a.adviser_id).map(|x| x.name.clone()).unwrap_or_default(),
                from => show_date(&a.from_date),
                to => a.to_date.as_deref().map(show_date).unwrap_or_default(),
                reason => a.reason.clone(),
            }
        })
        .collect();
    let current = state
        .db
        .current_assignments(org)
        .await?
        .get(&urn)
        .and_then(|a| advisers.get(&a.adviser_id))
        .map(|a| a.name.clone());
    let entitlement: Vec<Value> = plan
        .entitlement
        .visits
        .iter()
        .map(|v| {
            context! {
                visit_type => v.visit_type.label(),
                count => v.count,
                reasons => v.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>(),
            }
        })
        .collect();
    let lines: Vec<Value> = report
        .lines
        .iter()
        .map(|l| {
            let (status, colour, href) = match &l.status {
                DeliveryStatus::Delivered { visit_id, date } => (format!("Delivered {}", show_date(&date.to_string())), "green", format!("/visits/{visit_id}")),
                DeliveryStatus::Overdue { .. } => ("Overdue".to_string(), "red", String::new()),
                DeliveryStatus::Pending { planned: Some(d) } => (format!("Planned {}", show_date(&d.to_string())), "blue", String::new()),
                DeliveryStatus::Pending { planned: None } => ("Not yet planned".to_string(), "grey", String::new()),
            };
            context! { visit_type => l.due.visit_type.label(), due_by => show_date(&l.due.due_by.to_string()), status => status, colour => colour, href => href }
        })
        .collect();
    let visits: Vec<Value> = queries::visits(&state.app, &caller, None, Some(urn), None)
        .await?
        .iter()
        .map(|v| {
            let (stage, colour) = stage_tag(v.stage());
            context! { href => format!("/visits/{}", v.id), date => show_date(&v.planned_date), visit_type => v.visit_type().label(), stage => stage, colour => colour }
        })
        .collect();
    let lead_officer = state.db.lead_officers(org).await?.remove(&urn);
    Ok(Some(context! {
        year => year.to_string(),
        lead_officer => lead_officer,
        category => plan.entitlement.category_label.clone(),
        adviser => current,
        history => history,
        entitlement => entitlement,
        lines => lines,
        visits => visits,
        can_plan => can(user, Action::WriteVisits),
    }))
}
