//! `GET /api/v1/notifications` and `GET /api/v1/calendar-feeds`: the caller's
//! own inbox and calendar feeds (never anyone else's).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

/// One notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationItem {
    pub id: i64,
    /// note_awaiting_headteacher, visit_overdue, form_due, response_overdue, qa_assigned or qa_feedback.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// A path within Uplift, if the notification is about a record.
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// The caller's inbox.
#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub unread: i64,
    /// Whether the caller also gets notifications by email.
    pub email_enabled: bool,
    /// Newest first (at most 200).
    pub items: Vec<NotificationItem>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationList), (status = 401, body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<NotificationList>, ApiError> {
    let items = state.db.notifications(user.user.id, 200).await?;
    Ok(Json(NotificationList {
        unread: state.db.unread_notifications(user.user.id).await?,
        email_enabled: state.db.email_enabled(user.user.id).await?,
        items: items
            .into_iter()
            .map(|n| NotificationItem {
                id: n.id,
                kind: n.kind,
                subject: n.subject,
                body: n.body,
                link: n.link,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    }))
}

/// One calendar feed (its secret address is shown only once, when created).
#[derive(Serialize, ToSchema)]
pub struct CalendarFeedItem {
    pub id: i64,
    pub name: String,
    /// adviser or school.
    pub kind: String,
    pub adviser_id: Option<i64>,
    pub school_urn: Option<i64>,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The caller's calendar feeds, newest first.
#[utoipa::path(get, path = "/api/v1/calendar-feeds", security(("bearer" = [])),
    responses((status = 200, body = Vec<CalendarFeedItem>), (status = 401, body = crate::api::ErrorBody)))]
pub async fn feeds(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<CalendarFeedItem>>, ApiError> {
    Ok(Json(
        state
            .db
            .calendar_feeds(user.user.id)
            .await?
            .into_iter()
            .map(|f| CalendarFeedItem {
                id: f.id,
                name: f.name,
                kind: f.kind,
                adviser_id: f.adviser_id,
                school_urn: f.school_urn,
                prefix: f.prefix,
                created_at: f.created_at,
                last_used_at: f.last_used_at,
                revoked_at: f.revoked_at,
            })
            .collect(),
    ))
}
