//! Letters (the page, PDF and Word, edited while a draft, issued) and the
//! organisation's letter templates.

#[allow(unused_imports)]
use super::*;

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

pub(super) async fn render_letter(
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

pub(super) async fn render_templates(
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
pub(super) fn dedupe(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
}
