//! Schools causing concern (issue 6): the causing-concern list with the
//! proposals from categorisation (`/concern`), designation of a school
//! (`/concern/designate/{urn}`), the case page with its whole timeline and
//! every step's form (`/concern/cases/{id}`), letters (`/concern/letters/{id}`,
//! `.pdf`, `.docx`) and the organisation's letter templates
//! (`/settings/letters`). Every form refuses bad input with the GOV.UK error
//! summary and saves nothing; every step is on the timeline and audited.

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

// ---------------------------------------------------------------------------
// The case page

fn letter_row(l: &LetterRecord) -> Value {
    context! {
        id => l.id,
        title => l.title.clone(),
        status => l.status.clone(),
        drafted_on => l.drafted_on.clone(),
        issued_on => l.issued_on.clone(),
        due_on => l.due_on.as_deref().and_then(|d| d.parse::<Date>().ok()).map(long_date),
        to => match &l.recipient { Some(r) => r.clone(), None => format!("{} and {}", l.headteacher_name, l.chair_name) },
        href => format!("/concern/letters/{}", l.id),
        pdf => format!("/concern/letters/{}.pdf", l.id),
        docx => format!("/concern/letters/{}.docx", l.id),
    }
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    values: &Fields,
    errors: Vec<Value>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let case = state
        .db
        .concern_case(org, case_id)
        .await?
        .ok_or(Problem::NotFound)?;
    permit(
        user,
        Action::ReadConcern,
        Scope::School {
            organisation_id: org,
            urn: case.urn,
        },
    )?;
    if user.principal.role == Role::School {
        // A school's own users see the letters issued to them, nothing internal.
        return Ok(Redirect::to("/concern").into_response());
    }
    let school = state
        .db
        .concern_school_name(case.urn)
        .await?
        .unwrap_or_else(|| format!("URN {}", case.urn));
    let events = state.db.case_events(case.id).await?;
    let tasks = state.db.case_tasks(case.id).await?;
    let letters = state.db.case_letters(case.id).await?;
    let notices = state.db.case_notices(case.id).await?;
    let written = state.db.case_written_notices(case.id).await?;
    let powers = state.db.case_powers(case.id).await?;
    let academy = state.db.case_academy_concerns(case.id).await?;
    let support = state.db.case_inspection_support(case.id).await?;
    let routes = state.db.case_eligibility_routes(&case).await?;
    let next = state.db.next_escalation_actions(&case).await?;
    let removal = state.db.removal_check(org, case.urn, state.today()).await?;
    let officers = state.db.concern_officers(org).await?;
    let open = case.closed_on.is_none();
    let is_academy = case.is_academy();
    // The chair is the school's, recorded once (school contacts).
    let contacts = state.db.school_contacts(org, case.urn).await?;
    let chair = contacts
        .as_ref()
        .and_then(|c| c.chair_name.clone())
        .filter(|n| !n.trim().is_empty());
    let mut tx = state.db.begin_read().await?;
    let default_days = store::default_compliance_days(&mut tx, org).await?;
    tx.rollback().await?;
    let decision_options: Vec<Value> = store::DECISION_KINDS
        .iter()
        .filter(|(k, _)| *k != "designate" && *k != "not_a_priority")
        .filter(|(k, _)| !(is_academy && *k == "recommend_warning_notice"))
        .map(|(k, t)| context! { value => k, text => t })
        .collect();
    let ground_options: Vec<Value> = Ground::ALL
        .iter()
        .map(|g| {
            context! {
                value => store::ground_str(*g),
                text => g.citation(),
                hint => g.description(),
            }
        })
        .collect();
    let power_options: Vec<Value> = store::POWER_KINDS
        .iter()
        .map(|p| context! { value => store::power_str(*p), text => store::power_label(*p), hint => p.citation() })
        .collect();
    let route_options: Vec<Value> = store::CATEGORY_ROUTES
        .iter()
        .map(|r| context! { value => store::route_str(*r), text => r.citation() })
        .collect();
    let arrangement_options: Vec<Value> = [
        ("advisory_services", "Advisory services"),
        ("collaborate_with_school", "Collaborate with another school"),
        (
            "collaborate_with_further_education",
            "Collaborate with a further education body",
        ),
        ("federation", "Federate with another school"),
    ]
    .iter()
    .map(|(v, t)| context! { value => v, text => t })
    .collect();
    let officer_options: Vec<Value> = officers
        .iter()
        .map(|(id, name, role)| context! { value => id.to_string(), text => format!("{name} ({role})") })
        .collect();
    let open_notice = notices
        .iter()
        .rev()
        .find(|n| n.kind == "warning_notice" && n.outcome.is_none());
    let mut value_map: BTreeMap<String, String> = CASE_FIELDS
        .iter()
        .map(|k| ((*k).to_owned(), String::new()))
        .collect();
    for (k, v) in values {
        value_map.insert(k.clone(), v.join("\n"));
    }
    let has_errors = !errors.is_empty();
    let mut res = render(
        state,
        Some(user),
        "/concern",
        "concern_case.html",
        &format!("{school}: causing concern"),
        context! {
            case => context! {
                id => case.id,
                urn => case.urn,
                school => school.clone(),
                state => store::state_label(&case.state),
                stage => store::stage_label(&case.escalation_stage),
                governance => if is_academy { "Academy" } else { "Maintained school" },
                category => case.category.clone(),
                opened_on => date_words(&case.opened_on),
                closed_on => case.closed_on.as_deref().map(date_words),
                lead_officer => case.lead_officer_name.clone(),
                lead_officer_user_id => case.lead_officer_user_id,
                chair_name => chair.clone(),
                contacts_href => format!("/schools/{}/contacts", case.urn),
                can_edit_contacts => authorize(&user.principal, Action::EditSchoolContacts, Scope::School { organisation_id: org, urn: case.urn }).is_allowed(),
                trust_name => case.trust_name.clone(),
            },
            open => open,
            academy => is_academy,
            removal_blocked => removal.err(),
            timeline => events.iter().map(|e| context! {
                at => date_words(&e.at),
                kind => e.kind.clone(),
                summary => e.summary.clone(),
                actor => e.actor.clone(),
            }).collect::<Vec<_>>(),
            tasks => tasks.iter().map(|t| context! {
                id => t.id,
                title => t.title.clone(),
                owner => match (&t.owner_user_id, case.lead_officer_name.as_ref()) {
                    (Some(_), Some(n)) if t.owner_role == "lead_officer" => format!("{} ({n})", store::owner_role_label(&t.owner_role)),
                    _ => store::owner_role_label(&t.owner_role).to_owned(),
                },
                due_on => date_words(&t.due_on),
                overdue => t.done_on.is_none() && t.due_on < state.today().to_string(),
                done_on => t.done_on.as_deref().map(date_words),
                reason => t.reason.clone(),
            }).collect::<Vec<_>>(),
            letters => letters.iter().map(letter_row).collect::<Vec<_>>(),
            notices => notices.iter().map(|n| context! {
                id => n.id,
                kind => if n.kind == "warning_notice" { "Warning notice" } else { "Letter of concern" },
                warning => n.kind == "warning_notice",
                section => n.section.as_deref().map(|s| if s == "s60a" { "Section 60A" } else { "Section 60" }),
                grounds => n.grounds().iter().map(|g| format!("{}: {}", g.citation(), g.description())).collect::<Vec<_>>(),
                concerns => n.concerns(),
                required_action => n.required_action(),
                compliance_days => n.compliance_days,
                compliance_end_on => n.compliance_end_on.as_deref().map(date_words),
                issued_on => date_words(&n.issued_on),
                signed_by => n.signed_by.clone(),
                outcome => n.outcome.as_deref().map(|o| if o == "complied" { "Complied" } else { "Not complied" }),
                outcome_on => n.outcome_on.as_deref().map(date_words),
                outcome_reason => n.outcome_reason.clone(),
            }).collect::<Vec<_>>(),
            written => written.iter().map(|w| context! {
                given_on => date_words(&w.given_on),
                proposed => w.proposed().iter().map(|p| store::power_label(*p)).collect::<Vec<_>>(),
                reason => w.reason.clone(),
                signed_by => w.signed_by.clone(),
            }).collect::<Vec<_>>(),
            eligibility => routes.iter().map(|(_, d, why)| context! { on => date_words(d), why => why }).collect::<Vec<_>>(),
            powers => powers.iter().map(|p| {
                let detail = match p.detail() {
                    Some(Power::S63Arrangements { with_whom, .. }) => format!("With {with_whom}"),
                    Some(Power::S64AdditionalGovernors { governors }) => format!("Governors: {}", governors.join(", ")),
                    Some(Power::S65InterimExecutiveBoard { members }) => format!("Members: {}", members.join(", ")),
                    _ => String::new(),
                };
                context! {
                    power => store::parse_power(&p.power).map(store::power_label).unwrap_or(""),
                    detail => detail,
                    used_on => date_words(&p.used_on),
                    signed_off_by => p.signed_off_by.clone(),
                }
            }).collect::<Vec<_>>(),
            academy_concerns => academy.iter().map(|a| context! {
                with => if a.raised_with == "trust" { "The academy trust" } else { "The DfE regional director" },
                recipient => a.recipient.clone(),
                on => date_words(&a.raised_on),
                concerns => a.concerns.clone(),
            }).collect::<Vec<_>>(),
            support => support.iter().map(|s| context! {
                notified_on => date_words(&s.notified_on),
                pre_inspection_on => s.pre_inspection_on.as_deref().map(date_words),
                pre_inspection_notes => s.pre_inspection_notes.clone(),
                day_two_call_on => s.day_two_call_on.as_deref().map(date_words),
                day_two_call_notes => s.day_two_call_notes.clone(),
                feedback_attended => s.feedback_attended,
                feedback_attended_by => s.feedback_attended_by.clone(),
                outcome => s.outcome.clone(),
            }).collect::<Vec<_>>(),
            next => next,
            open_notice => open_notice.map(|n| context! {
                id => n.id,
                compliance_end_on => n.compliance_end_on.as_deref().map(date_words),
            }),
            decision_options => decision_options,
            ground_options => ground_options,
            power_options => power_options,
            route_options => route_options,
            arrangement_options => arrangement_options,
            officer_options => officer_options,
            default_days => default_days,
            today => state.today().to_string(),
            dates => case_dates(values, state.today()),
            values => value_map,
            grounds_checked => many(values, "grounds"),
            proposed_checked => many(values, "proposed"),
            feedback_checked => many(values, "feedback_attended"),
            can_decide => can(user, Action::DecideConcern),
            can_write => can(user, Action::WriteConcern),
            field_errors => by_field(&errors),
            errors => errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// The GOV.UK date inputs of the case page's forms; those marked `true`
/// start at today's date.
const CASE_DATES: &[(&str, bool)] = &[
    ("assigned_on", true),
    ("decided_on", true),
    ("raised_on", true),
    ("loc_on", true),
    ("wn_on", true),
    ("outcome_on", true),
    ("written_on", true),
    ("eligible_on", true),
    ("power_on", true),
    ("notified_on", false),
    ("pre_inspection_on", false),
    ("day_two_call_on", false),
];

/// Each date input's day, month and year: as posted, or today's, or blank.
fn case_dates(values: &Fields, today: Date) -> BTreeMap<&'static str, Value> {
    CASE_DATES
        .iter()
        .map(|(name, starts_today)| {
            let parts = if values.contains_key(&format!("{name}-day")) {
                forms::date_parts(values, name)
            } else if *starts_today {
                forms::parts_of(today)
            } else {
                forms::date_parts(&Fields::new(), name)
            };
            (*name, parts)
        })
        .collect()
}

/// Every field of the case page's forms (the template reads each).
const CASE_FIELDS: &[&str] = &[
    "lead_officer",
    "assigned_on",
    "kind",
    "detail",
    "rationale",
    "chair_name",
    "trust_name",
    "raised_with",
    "academy_concerns",
    "engagement",
    "raised_on",
    "loc_concerns",
    "loc_required_action",
    "loc_on",
    "grounds",
    "wn_concerns",
    "wn_required_action",
    "compliance_days",
    "wn_on",
    "outcome",
    "outcome_reason",
    "outcome_on",
    "proposed",
    "intervention_reason",
    "written_on",
    "route",
    "evidence",
    "eligible_on",
    "power",
    "arrangement",
    "with_whom",
    "people",
    "power_on",
    "notified_on",
    "pre_inspection_on",
    "pre_inspection_notes",
    "day_two_call_on",
    "day_two_call_notes",
    "feedback_attended",
    "feedback_attended_by",
    "inspection_outcome",
];

#[derive(Debug, Deserialize, Default)]
pub struct CaseFlash {
    #[serde(default)]
    pub done: Option<String>,
}

fn flash_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "decision" => "The decision has been recorded.",
            "lead" => "The Lead Officer has been assigned.",
            "contacts" => "The contacts for letters have been saved.",
            "loc" => "The letter of concern has been recorded and its letter drafted.",
            "notice" => "The warning notice has been given and its letter drafted.",
            "outcome" => "The outcome of the warning notice has been recorded.",
            "written" => {
                "Written notice of proposed powers has been recorded and its letter drafted."
            }
            "eligibility" => "Eligibility for intervention has been recorded.",
            "power" => "The power used has been recorded.",
            "academy" => "The concern has been recorded and its letter drafted.",
            "support" => "The inspection support has been recorded.",
            "task" => "The task has been marked as done.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /concern/cases/{id}`: the case with its whole timeline.
pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(flash): Query<CaseFlash>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    render_case(
        &state,
        &user,
        id,
        &Fields::new(),
        Vec::new(),
        flash_text(flash.done.as_deref()),
    )
    .await
}

/// The case of the organisation, checked for `action` (a school user: only
/// their own school; anything else is "not found"). The one lookup every case
/// page and API handler uses.
pub(crate) async fn case_for(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
    action: Action,
) -> Result<CaseRecord, Problem> {
    let id = paths::id(case_id)?;
    Ok(uplift_app::concern::case_for(&state.app, &user.caller(), id, action).await?)
}

fn done(case_id: i64, what: &str) -> Response {
    Redirect::to(&format!("/concern/cases/{case_id}?done={what}")).into_response()
}

/// `POST /concern/cases/{id}/decisions`: a decision with its rationale.
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &id, Action::DecideConcern).await?;
    let f = fields(form);
    let decided_on = match forms::date_input(&f, "decided_on", "the date of the decision") {
        Ok(d) => d,
        Err(e) => return render_case(&state, &user, case.id, &f, vec![e], None).await,
    };
    let input = RecordDecision {
        urn: case.urn,
        kind: one(&f, "kind"),
        detail: one(&f, "detail"),
        rationale: one(&f, "rationale"),
        triggers: lines(&one(&f, "decision_triggers")),
        decided_on,
        at_meeting: None,
    };
    match uplift_app::concern::record_decision(&state.app, &user.caller(), input).await {
        Ok(_) => Ok(done(case.id, "decision")),
        Err(e) => {
            let errors = forms::refusals(e, |field| {
                match field {
                    "triggers" => "decision_triggers",
                    other => other,
                }
                .to_owned()
            })?;
            render_case(&state, &user, case.id, &f, errors, None).await
        }
    }
}

/// A step's outcome on the case page: back to the case with the banner for
/// `what`, or the case page again with the refusals on the step's form.
/// `field` turns the use case's field names into the form's.
async fn after_step<T>(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    f: &Fields,
    what: &str,
    result: uplift_app::Result<T>,
    field: impl Fn(&str) -> String,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(done(case_id, what)),
        Err(e) => {
            let errors = forms::refusals(e, field)?;
            render_case(state, user, case_id, f, errors, None).await
        }
    }
}

/// Reads a step's date input, or shows the case page with its error.
macro_rules! step_date {
    ($state:expr, $user:expr, $case_id:expr, $f:expr, $name:expr, $what:expr) => {
        match forms::date_input(&$f, $name, $what) {
            Ok(d) => d,
            Err(e) => return render_case(&$state, &$user, $case_id, &$f, vec![e], None).await,
        }
    };
}

/// `POST /concern/cases/{id}/lead-officer`: assign the Lead Officer.
pub async fn lead_officer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "assigned_on",
        "the date of the assignment"
    );
    let officer = one(&f, "lead_officer").parse::<i64>().ok();
    let r = steps::assign_lead_officer(&state.app, &user.caller(), case_id, officer, on).await;
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "lead",
        r,
        steps::field_names("assigned_on", "lead_officer", &[]),
    )
    .await
}

/// `POST /concern/cases/{id}/contacts`: the academy trust's name for
/// letters, and (when a `chair_name` field is sent) the chair of governors,
/// which is saved in the school's contacts (`/schools/{urn}/contacts`, the one
/// place the chair is kept), not on the case.
pub async fn contacts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let chair = f.contains_key("chair_name").then(|| one(&f, "chair_name"));
    let trust = one(&f, "trust_name");
    let r = steps::set_case_contacts(
        &state.app,
        &user.caller(),
        case_id,
        chair.as_deref(),
        &trust,
    )
    .await;
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "contacts",
        r,
        steps::field_names("chair_name", "chair_name", &[]),
    )
    .await
}

/// `POST /concern/cases/{id}/letter-of-concern`: a letter of concern.
pub async fn letter_of_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(state, user, case_id, f, "loc_on", "the date of the letter");
    let r = steps::send_letter_of_concern(
        &state.app,
        &user.caller(),
        case_id,
        &lines(&one(&f, "loc_concerns")),
        &lines(&one(&f, "loc_required_action")),
        on,
    )
    .await;
    let names = [
        ("concerns", "loc_concerns"),
        ("required_action", "loc_required_action"),
    ];
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "loc",
        r,
        steps::field_names("loc_on", "loc_concerns", &names),
    )
    .await
}

/// `POST /concern/cases/{id}/warning-notice`: a formal warning notice.
pub async fn warning_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "wn_on",
        "the date the notice is given"
    );
    let input = steps::GiveWarningNotice {
        grounds: many(&f, "grounds"),
        concerns: lines(&one(&f, "wn_concerns")),
        required_action: lines(&one(&f, "wn_required_action")),
        compliance_days: one(&f, "compliance_days"),
        on,
    };
    let r = steps::give_warning_notice(&state.app, &user.caller(), case_id, input).await;
    let names = [
        ("concerns", "wn_concerns"),
        ("required_action", "wn_required_action"),
    ];
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "notice",
        r,
        steps::field_names("wn_on", "grounds", &names),
    )
    .await
}

/// `POST /concern/notices/{id}/outcome`: complied or not complied.
pub async fn notice_outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    let org = user.principal.organisation_id;
    let notice = state
        .db
        .concern_notice(org, id)
        .await?
        .ok_or(Problem::NotFound)?;
    let case_id = notice.case_id;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "outcome_on",
        "the date of the outcome"
    );
    let r = steps::record_notice_outcome(
        &state.app,
        &user.caller(),
        id,
        &one(&f, "outcome"),
        &one(&f, "outcome_reason"),
        on,
    )
    .await;
    let names = [("reason", "outcome_reason")];
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "outcome",
        r,
        steps::field_names("outcome_on", "outcome", &names),
    )
    .await
}

/// `POST /concern/cases/{id}/written-notice`: written notice of proposed powers.
pub async fn written_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "written_on",
        "the date of the written notice"
    );
    let r = steps::give_written_notice(
        &state.app,
        &user.caller(),
        case_id,
        &many(&f, "proposed"),
        &one(&f, "intervention_reason"),
        on,
    )
    .await;
    let names = [("reason", "intervention_reason")];
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "written",
        r,
        steps::field_names("written_on", "proposed", &names),
    )
    .await
}

/// `POST /concern/cases/{id}/eligibility`: eligibility by a category route.
pub async fn eligibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "eligible_on",
        "the date of eligibility"
    );
    let r = steps::record_eligibility(
        &state.app,
        &user.caller(),
        case_id,
        &one(&f, "route"),
        &one(&f, "evidence"),
        on,
    )
    .await;
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "eligibility",
        r,
        steps::field_names("eligible_on", "route", &[]),
    )
    .await
}

/// `POST /concern/cases/{id}/powers`: a power used, signed off by a lead.
pub async fn power(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(
        state,
        user,
        case_id,
        f,
        "power_on",
        "the date the power was used"
    );
    let input = steps::UsePower {
        power: one(&f, "power"),
        arrangement: one(&f, "arrangement"),
        with_whom: one(&f, "with_whom"),
        people: lines(&one(&f, "people")),
        on,
    };
    let r = steps::use_power(&state.app, &user.caller(), case_id, input).await;
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "power",
        r,
        steps::field_names("power_on", "power", &[]),
    )
    .await
}

/// `POST /concern/cases/{id}/academy-concern`: concerns about an academy
/// raised with the trust, then with the DfE regional director.
pub async fn academy_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let on = step_date!(state, user, case_id, f, "raised_on", "the date");
    let r = steps::raise_academy_concern(
        &state.app,
        &user.caller(),
        case_id,
        &one(&f, "raised_with"),
        &one(&f, "academy_concerns"),
        &one(&f, "engagement"),
        on,
    )
    .await;
    let names = [("concerns", "academy_concerns")];
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "academy",
        r,
        steps::field_names("raised_on", "raised_with", &names),
    )
    .await
}

/// `POST /concern/cases/{id}/inspection-support`: support around an inspection.
pub async fn inspection_support(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case_id = paths::id(&id)?;
    let f = fields(form);
    let notified = step_date!(
        state,
        user,
        case_id,
        f,
        "notified_on",
        "the date the school was notified"
    );
    let pre = step_date!(
        state,
        user,
        case_id,
        f,
        "pre_inspection_on",
        "the date of the pre-inspection discussion"
    );
    let day_two = step_date!(
        state,
        user,
        case_id,
        f,
        "day_two_call_on",
        "the date of the day-two call"
    );
    let support_id = one(&f, "support_id").parse::<i64>().ok();
    let opt = |k: &str| {
        let v = one(&f, k);
        (!v.is_empty()).then_some(v)
    };
    let s = store::InspectionSupport {
        notified_on: notified,
        pre_inspection_on: pre,
        pre_inspection_notes: opt("pre_inspection_notes"),
        day_two_call_on: day_two,
        day_two_call_notes: opt("day_two_call_notes"),
        feedback_attended: one(&f, "feedback_attended") == "yes",
        feedback_attended_by: opt("feedback_attended_by"),
        outcome: opt("inspection_outcome"),
    };
    let r =
        steps::save_inspection_support(&state.app, &user.caller(), case_id, support_id, s).await;
    after_step(
        &state,
        &user,
        case_id,
        &f,
        "support",
        r,
        steps::field_names("notified_on", "notified_on", &[]),
    )
    .await
}

/// `POST /concern/tasks/{id}/done`: mark a task done.
pub async fn task_done(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    let task = steps::complete_task(&state.app, &user.caller(), id).await?;
    Ok(done(task.case_id, "task"))
}

// ---------------------------------------------------------------------------
// Letters

pub use crate::views::concern::letter_document;

/// The letter of the organisation, readable by the user (a school user:
/// only the issued letters of their own school; anything else is "not
/// found"). The one lookup the letter pages and the API use.
pub(crate) async fn letter_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<LetterRecord, Problem> {
    Ok(uplift_app::concern::letter_for(&state.app, &user.caller(), id).await?)
}

/// `GET /concern/letters/{file}`: the letter page (`{id}`), its PDF
/// (`{id}.pdf`) or its Word file (`{id}.docx`). A school user reads only
/// issued letters of their own school.
pub async fn letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let (id, ext) = match file.rsplit_once('.') {
        Some((id, ext)) => (id, Some(ext)),
        None => (file.as_str(), None),
    };
    let id = paths::id(id)?;
    let l = letter_for(&state, &user, id).await?;
    match ext {
        None => render_letter(&state, &user, &l, &Fields::new(), Vec::new()).await,
        Some(ext) => Ok(crate::views::concern::letter_file(&state, &user, &l, ext).await?),
    }
}

async fn render_letter(
    state: &AppState,
    user: &CurrentUser,
    l: &LetterRecord,
    values: &Fields,
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let staff = user.principal.role != Role::School;
    let has_errors = !errors.is_empty();
    let body = if values.contains_key("body") {
        one(values, "body")
    } else {
        l.body.clone()
    };
    let mut res = render(
        state,
        Some(user),
        "/concern",
        "concern_letter.html",
        &l.title,
        context! {
            letter => letter_row(l),
            body => body,
            text => l.body.clone(),
            case_href => staff.then(|| match l.case_id {
                Some(c) => format!("/concern/cases/{c}"),
                None => format!("/schools/{}#concern", l.urn),
            }),
            back_text => if l.case_id.is_some() { "Back to the case" } else { "Back to the school" },
            draft => l.status == "draft",
            can_write => staff && can(user, Action::WriteConcern),
            can_issue => staff && can(user, Action::DecideConcern),
            field_errors => by_field(&errors),
            errors => errors,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `POST /concern/letters/{file}`: edit a draft letter's text.
pub async fn edit_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&file)?;
    let org = user.principal.organisation_id;
    let l = letter_for(&state, &user, id).await?;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let f = fields(form);
    let body = f
        .get("body")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_default();
    match steps::edit_letter(&state.app, &user.caller(), id, &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/concern/letters/{id}")).into_response()),
        Err(e) => {
            let errors = forms::refusals(e, str::to_owned)?;
            render_letter(&state, &user, &l, &f, errors).await
        }
    }
}

/// `POST /concern/letters/{file}/issue`: issue the letter to the school.
pub async fn issue_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let id = paths::id(&file)?;
    let org = user.principal.organisation_id;
    let l = letter_for(&state, &user, id).await?;
    permit(&user, Action::DecideConcern, Scope::Organisation(org))?;
    match steps::issue_letter(&state.app, &user.caller(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/concern/letters/{id}")).into_response()),
        Err(e) => {
            let errors = forms::refusals(e, |_| "body".to_owned())?;
            render_letter(&state, &user, &l, &Fields::new(), errors).await
        }
    }
}

// ---------------------------------------------------------------------------
// Letter templates

#[derive(Debug, Deserialize, Default)]
pub struct TemplateQuery {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub saved: Option<String>,
}

async fn render_templates(
    state: &AppState,
    user: &CurrentUser,
    kind: LetterKind,
    body: Option<String>,
    errors: Vec<Value>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let own = state.db.letter_templates(org).await?;
    let kinds: Vec<Value> = LetterKind::ALL
        .iter()
        .map(|k| {
            context! {
                slug => k.slug(),
                title => store::letter_kind_title(*k),
                href => format!("/settings/letters?kind={}", k.slug()),
                own => own.contains_key(k.slug()),
                current => *k == kind,
            }
        })
        .collect();
    let text = body.unwrap_or_else(|| {
        own.get(kind.slug())
            .map(|t| t.body.clone())
            .unwrap_or_else(|| kind.default_text().to_owned())
    });
    let has_errors = !errors.is_empty();
    let mut res = render(
        state,
        Some(user),
        "/settings/letters",
        "letter_templates.html",
        "Letter templates",
        context! {
            kinds => kinds,
            kind => kind.slug(),
            title => store::letter_kind_title(kind),
            own => own.get(kind.slug()).map(|t| context! { by => t.updated_by.clone(), at => t.updated_at.clone() }),
            body => text,
            placeholders => kind.placeholders().iter().map(|(n, d)| context! { name => format!("{{{{{n}}}}}"), what => d }).collect::<Vec<_>>(),
            required => kind.required().iter().map(|n| format!("{{{{{n}}}}}")).collect::<Vec<_>>(),
            can_manage => can(user, Action::ManageTemplates),
            field_errors => by_field(&errors),
            errors => errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /settings/letters?kind=…`: the organisation's letter templates.
pub async fn templates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    let kind = q
        .kind
        .as_deref()
        .and_then(store::parse_letter_kind)
        .unwrap_or(LetterKind::PriorityDecision);
    let flash = q.saved.map(|_| "The template has been saved.".to_owned());
    render_templates(&state, &user, kind, None, Vec::new(), flash).await
}

/// `POST /settings/letters`: save a template. An unknown placeholder is
/// refused with its name and line; nothing is saved.
pub async fn save_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::ManageTemplates, Scope::Organisation(org))?;
    let f = fields(form);
    let Some(kind) = store::parse_letter_kind(&one(&f, "kind")) else {
        let e = vec![err("kind", "Select a letter")];
        return render_templates(&state, &user, LetterKind::PriorityDecision, None, e, None).await;
    };
    let body = f
        .get("body")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if let Err(problems) = Template::parse(kind, &body) {
        let errors = store::describe_template_errors(&problems)
            .into_iter()
            .map(|m| err("body", &capital(&m)))
            .collect();
        return render_templates(&state, &user, kind, Some(body), errors, None).await;
    }
    let mut tx = state.db.begin().await?;
    match store::save_template(&mut tx, &user.actor(), org, kind, &body).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/settings/letters?kind={}&saved=1", kind.slug()))
                    .into_response(),
            )
        }
        Err(e) => {
            tx.rollback().await?;
            let e = store_refusal(e, "body")?;
            render_templates(&state, &user, kind, Some(body), vec![e], None).await
        }
    }
}

/// Keeps the first of each repeated reason (a proposal often restates the
/// trigger that caused it), in order.
fn dedupe(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
}
