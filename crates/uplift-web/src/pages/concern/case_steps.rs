//! The steps of a case: each form posts to a use case of
//! `uplift_app::concern` and comes back to the case page.

#[allow(unused_imports)]
use super::*;

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
pub(super) async fn after_step<T>(
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
