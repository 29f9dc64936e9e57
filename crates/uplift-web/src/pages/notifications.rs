//! A user's notifications (the in-app inbox, marking read, email on or off)
//! and calendar feeds (secret .ics URLs to subscribe to in Outlook or Google
//! Calendar, created and revoked here, served at `/feeds/{secret}.ics`).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_domain::access::{Principal, Role};
use uplift_store::notifications::{self, CalendarFeed, FeedSubject};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

fn notification_value(n: &notifications::Notification) -> Value {
    context! {
        id => n.id,
        kind => n.kind.clone(),
        kind_label => notifications::kind_label(&n.kind),
        subject => n.subject.clone(),
        body => n.body.clone(),
        link => n.link.clone(),
        created_at => n.created_at.clone(),
        read => n.read_at.is_some(),
    }
}

async fn inbox(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let list = state.db.notifications(user.user.id, 200).await?;
    let unread = list.iter().filter(|n| n.read_at.is_none()).count();
    let email = state.db.email_enabled(user.user.id).await?;
    render(
        state,
        Some(user),
        "/notifications",
        "notifications.html",
        "Notifications",
        context! {
            notifications => list.iter().map(notification_value).collect::<Vec<_>>(),
            unread => unread,
            email_enabled => email,
            flash => flash,
        },
    )
}

/// `GET /notifications`: the inbox, newest first.
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    inbox(&state, &user, None).await
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    /// A notification's id, or `all`.
    #[serde(default)]
    id: String,
}

/// `POST /notifications/read`: marks one notification (or all) read.
pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ReadForm>,
) -> Result<Response, PageError> {
    let mut tx = state.db.begin().await?;
    if f.id == "all" {
        notifications::mark_all_read(&mut tx, user.user.id).await?;
    } else {
        let Ok(id) = f.id.trim().parse::<i64>() else {
            return Err(
                Problem::BadRequest("Choose a notification to mark as read.".into()).into(),
            );
        };
        // Another user's notification is simply not found.
        notifications::mark_read(&mut tx, user.user.id, id).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /notifications/email`: email notifications on or off.
pub async fn set_email(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<EmailForm>,
) -> Result<Response, PageError> {
    let enabled = match f.email.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            let list = state.db.notifications(user.user.id, 200).await?;
            let mut res = render(
                &state,
                Some(&user),
                "/notifications",
                "notifications.html",
                "Notifications",
                context! {
                    notifications => list.iter().map(notification_value).collect::<Vec<_>>(),
                    unread => list.iter().filter(|n| n.read_at.is_none()).count(),
                    email_enabled => state.db.email_enabled(user.user.id).await?,
                    flash => None::<String>,
                    errors => vec![err("email", "Select whether to get notifications by email")],
                },
            )?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(res);
        }
    };
    let mut tx = state.db.begin().await?;
    notifications::set_email_enabled(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        user.user.id,
        enabled,
    )
    .await?;
    tx.commit().await?;
    let msg = if enabled {
        "You will get notifications by email as well."
    } else {
        "You will no longer get notifications by email."
    };
    inbox(&state, &user, Some(msg)).await
}

/// May this user subscribe to the visits of `subject`? `own_adviser` is the
/// user's own adviser record, if any.
pub fn may_subscribe(p: &Principal, subject: FeedSubject, own_adviser: Option<i64>) -> bool {
    match (p.role, subject) {
        (Role::Admin | Role::Lead, _) => true,
        (Role::Adviser, FeedSubject::Adviser(a)) => own_adviser == Some(a),
        (Role::Adviser, FeedSubject::School(_)) => true,
        (Role::School, FeedSubject::School(urn)) => p.school_urn == Some(urn),
        _ => false,
    }
}

/// The address of the service as the browser reached it.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

fn feed_value(f: &CalendarFeed, advisers: &[(i64, String)], schools: &[(i64, String)]) -> Value {
    let subject = match (f.adviser_id, f.school_urn) {
        (Some(a), _) => advisers
            .iter()
            .find(|(id, _)| *id == a)
            .map(|(_, n)| format!("Adviser: {n}"))
            .unwrap_or_else(|| format!("Adviser {a}")),
        (_, Some(u)) => schools
            .iter()
            .find(|(urn, _)| *urn == u)
            .map(|(_, n)| format!("School: {n} ({u})"))
            .unwrap_or_else(|| format!("School {u}")),
        _ => String::new(),
    };
    context! {
        id => f.id, name => f.name.clone(), subject => subject, prefix => f.prefix.clone(),
        created_at => f.created_at.clone(), last_used_at => f.last_used_at.clone(),
        revoked_at => f.revoked_at.clone(),
    }
}

/// What the user may subscribe to: (advisers, schools).
async fn choices(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>, Option<i64>), Problem> {
    let org = user.principal.organisation_id;
    let own = state.db.adviser_id_of_user(org, user.user.id).await?;
    let advisers: Vec<(i64, String)> = state
        .db
        .feed_advisers(org)
        .await?
        .into_iter()
        .filter(|(id, _)| may_subscribe(&user.principal, FeedSubject::Adviser(*id), own))
        .collect();
    let mut schools: Vec<(i64, String)> = state
        .db
        .feed_schools(org)
        .await?
        .into_iter()
        .filter(|(urn, _)| may_subscribe(&user.principal, FeedSubject::School(*urn), own))
        .collect();
    if let (Role::School, Some(urn)) = (user.principal.role, user.principal.school_urn) {
        if !schools.iter().any(|(u, _)| *u == urn) {
            let name = state
                .db
                .feed_school_name(urn)
                .await?
                .unwrap_or_else(|| format!("URN {urn}"));
            schools.push((urn, name));
        }
    }
    Ok((advisers, schools, own))
}

#[derive(Debug, Deserialize, Default)]
pub struct FeedForm {
    #[serde(default)]
    name: String,
    /// `adviser:ID` or `school:URN`.
    #[serde(default)]
    subject: String,
}

#[allow(clippy::too_many_arguments)]
async fn calendar_page(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    form: &FeedForm,
    new_url: Option<String>,
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let (advisers, schools, _) = choices(state, user).await?;
    let feeds = state.db.calendar_feeds(user.user.id).await?;
    let mut options = Vec::new();
    for (id, name) in &advisers {
        options.push(
            context! { value => format!("adviser:{id}"), text => format!("Adviser: {name}") },
        );
    }
    for (urn, name) in &schools {
        options.push(
            context! { value => format!("school:{urn}"), text => format!("School: {name} ({urn})") },
        );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(
        state,
        Some(user),
        "/calendar",
        "calendar.html",
        "Calendar feeds",
        context! {
            feeds => feeds.iter().map(|f| feed_value(f, &advisers, &schools)).collect::<Vec<_>>(),
            options => options,
            name => form.name.clone(),
            subject => form.subject.clone(),
            new_url => new_url.clone(),
            new_webcal => new_url.map(|u| u.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1)),
            base_url => base_url(headers),
            errors => errors,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /calendar`: the user's feeds and the form to create one.
pub async fn calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
) -> Result<Response, PageError> {
    calendar_page(&state, &user, &headers, &FeedForm::default(), None, vec![]).await
}

/// Parses `adviser:ID` or `school:URN`.
pub fn parse_subject(s: &str) -> Option<FeedSubject> {
    let (kind, id) = s.trim().split_once(':')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "adviser" => Some(FeedSubject::Adviser(id)),
        "school" => Some(FeedSubject::School(id)),
        _ => None,
    }
}

/// `POST /calendar`: creates a feed; its URL is shown once.
pub async fn create_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Form(f): Form<FeedForm>,
) -> Result<Response, PageError> {
    let (advisers, schools, _) = choices(&state, &user).await?;
    let mut errors = Vec::new();
    let subject = parse_subject(&f.subject).filter(|s| match s {
        FeedSubject::Adviser(a) => advisers.iter().any(|(id, _)| id == a),
        FeedSubject::School(u) => schools.iter().any(|(urn, _)| urn == u),
    });
    if subject.is_none() {
        errors.push(err("subject", "Select whose visits the feed shows"));
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(err(
            "name",
            "Enter a name for the feed, up to 100 characters",
        ));
    }
    let Some(subject) = subject.filter(|_| errors.is_empty()) else {
        return calendar_page(&state, &user, &headers, &f, None, errors).await;
    };
    let mut tx = state.db.begin().await?;
    let (_, secret) = notifications::create_feed(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        user.user.id,
        subject,
        name,
    )
    .await?;
    tx.commit().await?;
    let url = format!("{}/feeds/{secret}.ics", base_url(&headers));
    calendar_page(
        &state,
        &user,
        &headers,
        &FeedForm::default(),
        Some(url),
        vec![],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    id: String,
}

/// `POST /calendar/revoke`: revokes one of the user's feeds.
pub async fn revoke_feed(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<RevokeForm>,
) -> Result<Response, PageError> {
    let Ok(id) = f.id.trim().parse::<i64>() else {
        return Err(Problem::BadRequest("Choose a feed to revoke.".into()).into());
    };
    let mut tx = state.db.begin().await?;
    notifications::revoke_feed(&mut tx, &user.actor(), user.user.id, id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/calendar").into_response())
}

/// `GET /feeds/{secret}.ics`: the feed, for calendar applications. The
/// secret is the credential: unknown, malformed or revoked answers 404, and
/// so does a feed whose owner may no longer see its visits.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match feed_body(&state, &file).await {
        Ok(Some((name, body))) => {
            let disposition = format!(
                "inline; filename=\"{}.ics\"",
                name.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ' ')
                    .collect::<String>()
            );
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/calendar; charset=utf-8"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&disposition)
                            .unwrap_or_else(|_| HeaderValue::from_static("inline")),
                    ),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, max-age=300"),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Ok(None) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found: this calendar feed does not exist or has been revoked.\n",
        )
            .into_response(),
        Err(p) => PageError(p).into_response(),
    }
}

async fn feed_body(state: &AppState, file: &str) -> Result<Option<(String, String)>, Problem> {
    let Some(secret) = file.strip_suffix(".ics") else {
        return Ok(None);
    };
    let Some(feed) = state.db.feed_by_secret(secret).await? else {
        return Ok(None);
    };
    // The owner must still be allowed to see what the feed shows.
    let Some(owner) = state.db.user(feed.user_id).await? else {
        return Ok(None);
    };
    let principal = owner.principal()?;
    if principal.organisation_id != feed.organisation_id {
        return Ok(None);
    }
    let subject = match (feed.adviser_id, feed.school_urn) {
        (Some(a), _) => FeedSubject::Adviser(a),
        (_, Some(u)) => FeedSubject::School(u),
        _ => return Ok(None),
    };
    let own = state
        .db
        .adviser_id_of_user(feed.organisation_id, owner.id)
        .await?;
    if !may_subscribe(&principal, subject, own) {
        return Ok(None);
    }
    let domain = state
        .db
        .organisation(feed.organisation_id)
        .await?
        .map(|o| format!("{}.uplift", o.slug))
        .unwrap_or_else(|| "uplift".into());
    let events =
        notifications::feed_events(&state.db, &feed, &domain, jiff::Timestamp::now()).await?;
    let title = format!("{}: {}", state.config.service_name, feed.name);
    Ok(Some((
        feed.name.clone(),
        uplift_domain::visits::render_calendar(&title, &events),
    )))
}
