//! The case page.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------
// The case page

pub(super) fn letter_row(l: &LetterRecord) -> Value {
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

pub(super) async fn render_case(
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
pub(super) const CASE_DATES: &[(&str, bool)] = &[
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
pub(super) fn case_dates(values: &Fields, today: Date) -> BTreeMap<&'static str, Value> {
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
pub(super) const CASE_FIELDS: &[&str] = &[
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

pub(super) fn flash_text(done: Option<&str>) -> Option<String> {
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

pub(super) fn done(case_id: i64, what: &str) -> Response {
    Redirect::to(&format!("/concern/cases/{case_id}?done={what}")).into_response()
}
