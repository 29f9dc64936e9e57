//! Schools causing concern (issue 6): the causing-concern list with the
//! proposals from categorisation (`/concern`), designation of a school
//! (`/concern/designate/{urn}`), the case page with its whole timeline and
//! every step's form (`/concern/cases/{id}`), letters (`/concern/letters/{id}`,
//! `.pdf`, `.docx`) and the organisation's letter templates
//! (`/settings/letters`). Every form refuses bad input with the GOV.UK error
//! summary and saves nothing; every step is on the timeline and audited.

mod case;
mod case_steps;
mod letters;

pub use case::*;
pub use case_steps::*;
pub use letters::*;

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::civil::Date;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_domain::access::{authorize, Action, Role, Scope};
use uplift_domain::concern::{long_date, Ground, LetterKind, Power, Template};
use uplift_store::concern::{self as store, CaseRecord, LetterRecord};
use uplift_store::StoreError;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::forms;
use crate::paths;
use crate::render::render;
use crate::views::concern::date_words;
use uplift_app::concern::{steps, RecordDecision};

use crate::forms::{by_field, err, fields, lines, many, one, Fields};

fn can(user: &CurrentUser, action: Action) -> bool {
    authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    )
    .is_allowed()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A refusal from the store becomes an error on the form (nothing was saved).
fn store_refusal(e: StoreError, field: &str) -> Result<Value, PageError> {
    match e {
        StoreError::Invalid(m) => Ok(err(field, &capital(&m))),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------
// The list

/// `GET /concern`: designated schools with category, Lead Officer, stage and
/// next deadline, and the schools categorisation proposes for the list. A
/// school user sees the letters issued to their own school.
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    if user.principal.role == Role::School {
        let urn = user.principal.school_urn.ok_or(Problem::NotFound)?;
        let letters = state.db.issued_letters_for_school(org, urn).await?;
        return render(
            &state,
            Some(&user),
            "/concern",
            "concern_school.html",
            "Letters to your school",
            context! { letters => letters.iter().map(letter_row).collect::<Vec<_>>() },
        );
    }
    let cases = state.db.concern_cases(org).await?;
    let policy = state.db.policy_in_force(org).await?;
    // Only the schools categorisation proposes or places in a category of
    // concern, from the placements read model.
    let placements = state
        .db
        .proposing_placements(org, &policy, state.today())
        .await?;
    let open: Vec<i64> = cases
        .iter()
        .filter(|c| c.closed_on.is_none())
        .map(|c| c.urn)
        .collect();
    let labels: BTreeMap<String, String> = policy
        .categories
        .iter()
        .map(|c| (c.id.clone(), c.label.clone()))
        .collect();
    let current: Vec<Value> = cases
        .iter()
        .filter(|c| c.closed_on.is_none())
        .map(|c| {
            context! {
                href => format!("/concern/cases/{}", c.id),
                school => c.school_name.clone(),
                urn => c.urn,
                category => c.category.as_ref().map(|k| labels.get(k).cloned().unwrap_or_else(|| k.clone())),
                lead_officer => c.lead_officer_name.clone(),
                state => store::state_label(&c.state),
                stage => store::stage_label(&c.escalation_stage),
                next_deadline => c.next_deadline().and_then(|d| d.parse::<Date>().ok()).map(long_date),
                academy => c.governance == "academy",
            }
        })
        .collect();
    let closed: Vec<Value> = cases
        .iter()
        .filter(|c| c.closed_on.is_some())
        .map(|c| {
            context! {
                href => format!("/concern/cases/{}", c.id),
                school => c.school_name.clone(),
                urn => c.urn,
                opened_on => c.opened_on.clone(),
                closed_on => c.closed_on.clone(),
            }
        })
        .collect();
    // Independent schools and others cannot be on the list (no statutory route).
    let eligible = state.db.concern_eligible_schools(org).await?;
    // Schools considered and not a priority this academic year: listed with
    // their decision and letter, not again as undecided proposals.
    let since = academic_year_start(state.today()).to_string();
    let not_priority = state.db.not_a_priority_decisions(org, None, &since).await?;
    // Their schools' names and latest data, in one query.
    let considered_schools = state.db.considered_schools(org, &since).await?;
    let letters = state.db.organisation_letters(org, 1000).await?;
    let mut seen = std::collections::BTreeSet::new();
    let mut considered_urns = std::collections::BTreeSet::new();
    // Schools whose data changed after the decision: proposed again, with it.
    let mut reconsider: BTreeMap<i64, String> = BTreeMap::new();
    let mut considered: Vec<Value> = Vec::new();
    for d in &not_priority {
        // Newest first: the latest decision per school; a designation since
        // then (an open case) takes the school off this list.
        if !seen.insert(d.urn) || open.contains(&d.urn) {
            continue;
        }
        let (name, latest) = considered_schools.get(&d.urn).cloned().unwrap_or_default();
        if latest.as_deref().is_some_and(|l| l > d.decided_on.as_str()) {
            reconsider.insert(
                d.urn,
                format!(
                    "Considered and not a priority on {}; the school's data has changed since",
                    date_words(&d.decided_on)
                ),
            );
            continue;
        }
        considered_urns.insert(d.urn);
        let name = name.unwrap_or_else(|| format!("URN {}", d.urn));
        considered.push(context! {
            urn => d.urn,
            school => name,
            school_href => format!("/schools/{}#concern", d.urn),
            decided_on => date_words(&d.decided_on),
            decided_by => d.decided_by.clone(),
            rationale => d.rationale.clone(),
            letters => letters.iter().filter(|l| l.decision_id == Some(d.id)).map(letter_row).collect::<Vec<_>>(),
            href => format!("/concern/designate/{}", d.urn),
        });
    }
    let proposals: Vec<Value> = placements
        .iter()
        .filter(|p| {
            let urn = i64::from(p.urn.get());
            (p.causing_concern || !p.proposals.is_empty())
                && !open.contains(&urn)
                && eligible.contains(&urn)
                && !considered_urns.contains(&urn)
        })
        .map(|p| {
            let urn = i64::from(p.urn.get());
            let mut why: Vec<String> = p.triggers.iter().map(|t| t.summary.clone()).collect();
            why.extend(p.proposals.iter().map(|x| x.reason.clone()));
            if why.is_empty() {
                why = p.rationale.iter().map(|r| r.summary.clone()).collect();
            }
            dedupe(&mut why);
            context! {
                urn => urn,
                school => p.name.clone(),
                category => p.category_label.clone(),
                rag => p.rag.as_str(),
                why => why,
                previous => reconsider.get(&urn).cloned(),
                href => format!("/concern/designate/{urn}"),
            }
        })
        .collect();
    render(
        &state,
        Some(&user),
        "/concern",
        "concern.html",
        "Schools causing concern",
        context! {
            cases => current,
            closed => closed,
            proposals => proposals,
            considered => considered,
            academic_year => format!("{}/{:02}", academic_year_start(state.today()).year(), (academic_year_start(state.today()).year() + 1) % 100),
            can_decide => can(&user, Action::DecideConcern),
            can_templates => can(&user, Action::ManageTemplates),
        },
    )
}

// ---------------------------------------------------------------------------
// Designation

async fn render_designate(
    state: &AppState,
    user: &CurrentUser,
    urn: i64,
    values: &Fields,
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let policy = state.db.policy_in_force(org).await?;
    let placement = state
        .db
        .categorise_school(org, &policy, urn, state.today())
        .await?
        .ok_or(Problem::NotFound)?;
    if !state.db.concern_school_in_estate(org, urn).await? {
        return Err(Problem::NotFound.into());
    }
    let mut triggers: Vec<String> = placement
        .triggers
        .iter()
        .map(|t| t.summary.clone())
        .collect();
    triggers.extend(placement.proposals.iter().map(|p| p.reason.clone()));
    if triggers.is_empty() {
        triggers = placement
            .rationale
            .iter()
            .map(|r| r.summary.clone())
            .collect();
    }
    dedupe(&mut triggers);
    let options: Vec<Value> = triggers
        .iter()
        .map(|t| context! { value => t, text => t })
        .collect();
    let checked = if values.contains_key("rationale") {
        many(values, "triggers")
    } else {
        triggers.clone()
    };
    let open = state.db.open_concern_case(org, urn).await?;
    let previous = considered_view(state, org, urn).await?;
    let has_errors = !errors.is_empty();
    let mut res = render(
        state,
        Some(user),
        "/concern",
        "concern_designate.html",
        &format!("Decide about {}", placement.name),
        context! {
            urn => urn,
            decision => { let d = one(values, "decision"); if d.is_empty() { "designate".to_owned() } else { d } },
            decision_options => vec![
                context! { value => "designate", text => "Designate as causing concern", hint => "The school goes on the list: a Lead Officer, an action plan, and the priority letter with the rationale." },
                context! { value => "not_a_priority", text => "Not a priority", hint => "Considered and not designated: the headteacher and chair of governors are told in writing why, with the rationale." },
            ],
            previous => previous,
            school => placement.name.clone(),
            category => placement.category_label.clone(),
            rag => placement.rag.as_str(),
            options => options,
            checked => checked,
            other_trigger => one(values, "other_trigger"),
            rationale => one(values, "rationale"),
            decided_on => if values.is_empty() { forms::parts_of(state.today()) } else { forms::date_parts(values, "decided_on") },
            open_case => open.map(|c| format!("/concern/cases/{}", c.id)),
            field_errors => by_field(&errors),
            errors => errors,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /concern/designate/{urn}`: the designation form with the triggers
/// categorisation found.
pub async fn designate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    render_designate(&state, &user, urn, &Fields::new(), Vec::new()).await
}

/// `POST /concern/designate/{urn}`: a lead designates the school, or records
/// that it is not a priority (the `record_decision` use case).
pub async fn designate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let urn = paths::urn(&urn)?;
    let f = fields(form);
    let mut triggers = many(&f, "triggers");
    triggers.extend(lines(&one(&f, "other_trigger")));
    let decided_on = match forms::date_input(&f, "decided_on", "the date of the decision") {
        Ok(d) => d,
        Err(e) => return render_designate(&state, &user, urn, &f, vec![e]).await,
    };
    let kind = match one(&f, "decision").as_str() {
        "" => "designate".to_owned(),
        k => k.to_owned(),
    };
    let input = RecordDecision {
        urn,
        kind,
        rationale: one(&f, "rationale"),
        triggers,
        decided_on,
        ..Default::default()
    };
    match uplift_app::concern::record_decision(&state.app, &user.caller(), input).await {
        Ok(r) => match (r.case, r.letters.first()) {
            (Some(c), _) => Ok(Redirect::to(&format!("/concern/cases/{}", c.id)).into_response()),
            // Not a priority: the drafted letter, to check and issue.
            (None, Some(l)) => {
                Ok(Redirect::to(&format!("/concern/letters/{}", l.id)).into_response())
            }
            (None, None) => Ok(Redirect::to("/concern").into_response()),
        },
        Err(e) => {
            let errors = forms::refusals(e, |field| {
                match field {
                    "kind" | "detail" => "decision",
                    other => other,
                }
                .to_owned()
            })?;
            render_designate(&state, &user, urn, &f, errors).await
        }
    }
}

/// The start (1 September) of the academic year `on` falls in.
pub(crate) fn academic_year_start(on: Date) -> Date {
    let year = if on.month() >= 9 {
        on.year()
    } else {
        on.year() - 1
    };
    Date::new(year, 9, 1).unwrap_or(on)
}

/// The school's "considered and not a priority" decisions of the current
/// academic year, newest first, each with its letters.
pub(crate) async fn considered_view(
    state: &AppState,
    org: i64,
    urn: i64,
) -> Result<Vec<Value>, PageError> {
    let since = academic_year_start(state.today()).to_string();
    let decisions = state
        .db
        .not_a_priority_decisions(org, Some(urn), &since)
        .await?;
    if decisions.is_empty() {
        return Ok(Vec::new());
    }
    let letters = state.db.school_letters(org, urn).await?;
    Ok(decisions
        .iter()
        .map(|d| {
            context! {
                id => d.id,
                decided_on => date_words(&d.decided_on),
                decided_by => d.decided_by.clone(),
                rationale => d.rationale.clone(),
                letters => letters.iter().filter(|l| l.decision_id == Some(d.id)).map(letter_row).collect::<Vec<_>>(),
            }
        })
        .collect())
}
