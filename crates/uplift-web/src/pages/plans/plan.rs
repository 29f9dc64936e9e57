//! Creating, viewing, changing and reviewing a plan.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------
// Creating a plan

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_new(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseRecord,
    editor: &Editor,
    kind: &str,
    title: &str,
    agreed_on: &str,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(case.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let path = format!("/concern/cases/{}/plan", case.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_form.html",
        &format!("{school}: new action plan"),
        context! {
            mode => "create",
            action => format!("/concern/cases/{}/plan", case.id),
            back => path.clone(),
            heading => format!("Create an action plan for {school}"),
            school => school.clone(),
            kinds => vec![
                context! { value => "action_plan", text => "Action plan" },
                context! { value => "statement_of_action", text => "Statement of Action (special measures or serious weaknesses)" },
            ],
            form => context! { kind => if kind.is_empty() { "action_plan" } else { kind }, title => title, agreed_on => agreed_on, note => "" },
            editor => editor.view(errors),
            submit => "Create the plan",
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /concern/cases/{case_id}/plan/new`.
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    render_new(
        &state,
        &user,
        &case,
        &Editor::blank(),
        "",
        "",
        &today().to_string(),
        &[],
    )
    .await
}

/// `POST /concern/cases/{case_id}/plan`: creates a plan (version 1), or
/// redisplays the form with another row.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    let editor = Editor::from_form(&fields);
    let kind_text = field(&fields, "kind");
    let title = field(&fields, "title");
    let agreed_text = field(&fields, "agreed_on");
    if !field(&fields, "add").is_empty() {
        return render_new(
            &state,
            &user,
            &case,
            &editor,
            kind_text,
            title,
            agreed_text,
            &[],
        )
        .await;
    }
    let input = plans::NewPlan {
        kind: kind_text.to_string(),
        title: title.to_string(),
        agreed_on: parse_date(agreed_text),
        content: content_input(&editor),
    };
    match plans::create_plan(&state.app, &user.caller(), case.id, input).await {
        Ok((plan, _)) => {
            Ok(Redirect::to(&format!("/plans/{}?done=created", plan.id)).into_response())
        }
        Err(e) => {
            let errors = pairs(e)?;
            render_new(
                &state,
                &user,
                &case,
                &editor,
                kind_text,
                title,
                agreed_text,
                &errors,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------
// Viewing a plan

#[derive(Debug, Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

/// A version's content for the template.
pub fn content_view(c: &PlanContent) -> Value {
    context! {
        cadence => match c.review_cadence { ReviewCadence::Termly => "Termly", ReviewCadence::HalfTermly => "Half-termly" },
        priorities => c.priorities.iter().enumerate().map(|(i, p)| context! {
            n => i + 1,
            title => p.title.clone(),
            criteria => p.success_criteria.clone(),
            actions => p.actions.iter().map(|a| context! {
                description => a.description.clone(),
                owner => owner_label(a.owner),
                owner_name => a.owner_name.clone(),
                milestones => a.milestones.iter().map(|m| format!("{}: {}", m.due, m.description)).collect::<Vec<_>>(),
                criteria => a.success_criteria.clone(),
                evidence => a.evidence.clone(),
                rag => a.rag.as_str(),
                rag_label => rag_label(a.rag),
            }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
    }
}

/// `GET /plans/{plan_id}`: a version (the current one unless `?version=N`),
/// every version, and every review.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::ReadConcern).await?;
    let org = user.principal.organisation_id;
    let db = &state.db;
    let versions = db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?;
    let shown: &VersionRecord = match q.version.as_deref().map(str::trim) {
        None | Some("") => current,
        Some(n) => {
            let n = n.parse::<i64>().map_err(|_| Problem::NotFound)?;
            let v = versions
                .iter()
                .find(|v| v.number == n)
                .ok_or(Problem::NotFound)?;
            if school_user(&user) && v.number != current.number {
                return Err(PageError(Problem::NotFound));
            }
            v
        }
    };
    let reviews = if school_user(&user) {
        Vec::new()
    } else {
        db.plan_reviews(plan.id).await?
    };
    let review_of_shown = reviews.iter().find(|r| r.new_version == shown.number);
    let terms = terms_for(&state, org, today()).await?;
    let school = db.school_name(plan.urn).await?.unwrap_or_default();
    let flash = match q.done.as_deref() {
        Some("created") => Some("The plan has been created (version 1)."),
        Some("edited") => Some("The change has been saved as a new version."),
        Some("reviewed") => Some("The review has been recorded and the new version agreed."),
        _ => None,
    };
    let review_view = |r: &store::ReviewRecord| {
        context! {
            date => r.review_date.clone(),
            progress => r.progress.clone(),
            summary => r.summary.clone(),
            reviewed_version => r.reviewed_version,
            new_version => r.new_version,
            attendees => r.attendees.lines().map(str::to_string).collect::<Vec<_>>(),
            judgements => r.judgements().iter().map(|j| context! { priority => j.priority.clone(), rag => j.rag.as_str(), rag_label => rag_label(j.rag), comment => j.comment.clone() }).collect::<Vec<_>>(),
            by => r.recorded_by.clone(),
            meeting_id => r.meeting_id,
        }
    };
    let path = format!("/plans/{}", plan.id);
    render(
        &state,
        Some(&user),
        &path,
        "plan.html",
        &format!("{}: {}", school, plan.title),
        context! {
            plan => context! { id => plan.id, title => plan.title.clone(), kind => plan_kind_label(plan.kind()), case_id => plan.case_id, urn => plan.urn },
            school => school.clone(),
            shown => context! {
                number => shown.number, agreed_on => shown.agreed_on.clone(), origin => shown.origin.clone(),
                note => shown.note.clone(), by => shown.created_by.clone(), is_current => shown.number == current.number,
                content => content_view(&shown.content()?),
            },
            current_number => current.number,
            next_review => next_review_due(&versions, &terms).map(|d| d.to_string()),
            review_of_shown => review_of_shown.map(review_view),
            versions => if school_user(&user) { Vec::new() } else { versions.iter().map(|v| context! {
                number => v.number, agreed_on => v.agreed_on.clone(), origin => v.origin.clone(), note => v.note.clone(),
                href => format!("/plans/{}?version={}", plan.id, v.number), current => v.number == shown.number,
            }).collect::<Vec<_>>() },
            reviews => reviews.iter().map(review_view).collect::<Vec<_>>(),
            school_user => school_user(&user),
            can_write => can(&user, Action::WriteConcern),
            flash => flash,
        },
    )
}

// ---------------------------------------------------------------------------
// Changing a plan: a new version

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_edit(
    state: &AppState,
    user: &CurrentUser,
    plan: &PlanRecord,
    editor: &Editor,
    agreed_on: &str,
    note: &str,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(plan.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let path = format!("/plans/{}", plan.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_form.html",
        &format!("{school}: change the plan"),
        context! {
            mode => "edit",
            action => format!("/plans/{}/edit", plan.id),
            back => path.clone(),
            heading => format!("Change {} for {school}", plan.title),
            school => school.clone(),
            kinds => Vec::<Value>::new(),
            form => context! { kind => plan.kind.clone(), title => plan.title.clone(), agreed_on => agreed_on, note => note },
            editor => editor.view(errors),
            submit => "Save as a new version",
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /plans/{plan_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let (_, editor) = current_version(&state, &plan).await?;
    render_edit(&state, &user, &plan, &editor, &today().to_string(), "", &[]).await
}

/// `POST /plans/{plan_id}/edit`: saves the change as a new version.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let editor = Editor::from_form(&fields);
    let agreed_text = field(&fields, "agreed_on");
    let note = field(&fields, "note");
    if !field(&fields, "add").is_empty() {
        return render_edit(&state, &user, &plan, &editor, agreed_text, note, &[]).await;
    }
    let input = plans::EditPlan {
        agreed_on: parse_date(agreed_text),
        note: note.to_string(),
        content: content_input(&editor),
    };
    match plans::edit_plan(&state.app, &user.caller(), plan.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{}?done=edited", plan.id)).into_response()),
        Err(e) => {
            let errors = pairs(e)?;
            render_edit(&state, &user, &plan, &editor, agreed_text, note, &errors).await
        }
    }
}

// ---------------------------------------------------------------------------
// Reviewing a plan

#[derive(Debug, Clone, Default)]
pub(super) struct ReviewForm {
    date: String,
    progress: String,
    summary: String,
    attendees: String,
    meeting: String,
    judgements: Vec<(String, String, String)>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_review(
    state: &AppState,
    user: &CurrentUser,
    plan: &PlanRecord,
    current: &VersionRecord,
    form: &ReviewForm,
    editor: &Editor,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(plan.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let content = current.content()?;
    let e = |f: String| errors.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone());
    let judgements: Vec<Value> = content
        .priorities
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i + 1;
            let (rag, comment) = form
                .judgements
                .get(i)
                .map(|(_, r, c)| (r.clone(), c.clone()))
                .unwrap_or_default();
            context! { n => n, title => p.title.clone(), rag => rag, comment => comment, error_rag => e(format!("j{n}_rag")) }
        })
        .collect();
    let rags: Vec<Value> = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]
        .iter()
        .map(|(v, t)| context! { value => *v, text => *t })
        .collect();
    let path = format!("/plans/{}", plan.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_review.html",
        &format!("{school}: review the plan"),
        context! {
            plan => context! { id => plan.id, title => plan.title.clone() },
            school => school.clone(),
            current => context! { number => current.number, agreed_on => current.agreed_on.clone(), content => content_view(&content) },
            form => context! { date => form.date.clone(), progress => form.progress.clone(), summary => form.summary.clone(), attendees => form.attendees.clone(), meeting => form.meeting.clone() },
            judgements => judgements,
            rags => rags,
            editor => editor.view(errors),
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /plans/{plan_id}/review`.
pub async fn review_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let (current, editor) = current_version(&state, &plan).await?;
    let form = ReviewForm {
        date: today().to_string(),
        ..Default::default()
    };
    render_review(&state, &user, &plan, &current, &form, &editor, &[]).await
}

/// The plan's current version and an editor holding its content, to change
/// or review it from.
pub(super) async fn current_version(
    state: &AppState,
    plan: &PlanRecord,
) -> Result<(VersionRecord, Editor), PageError> {
    let versions = state.db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?.clone();
    let editor = Editor::from_content(&current.content()?);
    Ok((current, editor))
}

/// `POST /plans/{plan_id}/review`: records the review (progress judged,
/// overall and per priority) and agrees the next version.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let versions = state.db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?.clone();
    let content = current.content()?;
    let editor = Editor::from_form(&fields);
    let form = ReviewForm {
        date: field(&fields, "review_date").to_string(),
        progress: field(&fields, "progress").to_string(),
        summary: field(&fields, "summary").to_string(),
        attendees: field(&fields, "attendees").to_string(),
        meeting: field(&fields, "meeting").to_string(),
        judgements: content
            .priorities
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = i + 1;
                (
                    p.title.clone(),
                    field(&fields, &format!("j{n}_rag")).to_string(),
                    field(&fields, &format!("j{n}_comment")).to_string(),
                )
            })
            .collect(),
    };
    if !field(&fields, "add").is_empty() {
        return render_review(&state, &user, &plan, &current, &form, &editor, &[]).await;
    }
    let input = plans::ReviewPlan {
        review_date: parse_date(&form.date),
        progress: form.progress.clone(),
        summary: form.summary.clone(),
        judgements: form
            .judgements
            .iter()
            .map(|(title, rag, comment)| plans::JudgementInput {
                priority: title.clone(),
                rag: rag.clone(),
                comment: comment.clone(),
            })
            .collect(),
        attendees: lines(&form.attendees),
        meeting: form.meeting.clone(),
        next: content_input(&editor),
    };
    match plans::review_plan(&state.app, &user.caller(), plan.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{}?done=reviewed", plan.id)).into_response()),
        Err(e) => {
            // The use case names a priority's judgement `judgements[i].rag`;
            // this form's field is `j{i+1}_rag`.
            let errors: Vec<(String, String)> = pairs(e)?
                .into_iter()
                .map(|(f, m)| (review_field(&f), m))
                .collect();
            render_review(&state, &user, &plan, &current, &form, &editor, &errors).await
        }
    }
}

/// The review form's name for a use case's field.
pub(super) fn review_field(f: &str) -> String {
    f.strip_prefix("judgements[")
        .and_then(|r| r.strip_suffix("].rag"))
        .and_then(|i| i.parse::<usize>().ok())
        .map(|i| format!("j{}_rag", i + 1))
        .unwrap_or_else(|| f.to_owned())
}

/// A use case's refusals as (field, message) pairs; anything else is the
/// error page.
pub(super) fn pairs(e: uplift_app::AppError) -> Result<Vec<(String, String)>, Problem> {
    match e {
        uplift_app::AppError::Invalid(errors) => {
            Ok(errors.into_iter().map(|e| (e.field, e.message)).collect())
        }
        other => Err(other.into()),
    }
}
