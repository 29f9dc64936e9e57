//! Notifications: each user's in-app inbox and, for users who keep email on,
//! the email outbox. [`notify`] writes both in the caller's transaction, so a
//! notification is never lost when the mail server is down: the outbox row
//! waits until [`crate::mail::send_pending`] delivers it.
//!
//! The daily [`sweep`] notifies overdue visits, pre-visit forms due and notes
//! whose response is overdue; every sweep notification carries a dedupe key,
//! so running it again notifies nobody twice.

use serde::Serialize;
use sqlx::FromRow;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// The kinds of notification.
pub const NOTE_AWAITING_HEADTEACHER: &str = "note_awaiting_headteacher";
pub const VISIT_OVERDUE: &str = "visit_overdue";
pub const FORM_DUE: &str = "form_due";
pub const RESPONSE_OVERDUE: &str = "response_overdue";
pub const QA_ASSIGNED: &str = "qa_assigned";
pub const QA_FEEDBACK: &str = "qa_feedback";

/// How a kind is named on screen.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        NOTE_AWAITING_HEADTEACHER => "Note of visit to agree",
        VISIT_OVERDUE => "Visit overdue",
        FORM_DUE => "Pre-visit form due",
        RESPONSE_OVERDUE => "Response overdue",
        QA_ASSIGNED => "Quality assurance",
        QA_FEEDBACK => "Moderation feedback",
        _ => "Notification",
    }
}

/// One message in a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Notification {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

const COLS: &str = "id, organisation_id, user_id, kind, subject, body, link, created_at, read_at";

fn check_text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() || value.chars().count() > max {
        return Err(StoreError::Invalid(format!(
            "{field} must be 1 to {max} characters"
        )));
    }
    Ok(())
}

/// Writes a notification to a user's inbox and, when the user has email on,
/// an outbox row in the same transaction. Returns the notification's id.
pub async fn notify(
    tx: &mut Tx,
    organisation_id: i64,
    user_id: i64,
    kind: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
) -> Result<i64> {
    match insert(
        tx,
        organisation_id,
        user_id,
        None,
        kind,
        subject,
        body,
        link,
    )
    .await?
    {
        Some(id) => Ok(id),
        None => Err(StoreError::Invalid("notification not written".into())),
    }
}

/// As [`notify`], but only once per user and `dedupe_key`: returns `None`
/// when the user was already notified of it.
#[allow(clippy::too_many_arguments)]
pub async fn notify_once(
    tx: &mut Tx,
    organisation_id: i64,
    user_id: i64,
    dedupe_key: &str,
    kind: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
) -> Result<Option<i64>> {
    insert(
        tx,
        organisation_id,
        user_id,
        Some(dedupe_key),
        kind,
        subject,
        body,
        link,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    organisation_id: i64,
    user_id: i64,
    dedupe_key: Option<&str>,
    kind: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
) -> Result<Option<i64>> {
    check_text("subject", subject, 200)?;
    check_text("body", body, 10_000)?;
    if let Some(l) = link {
        if !l.starts_with('/') || l.starts_with("//") {
            return Err(StoreError::Invalid(
                "link must be a path within Uplift, starting with /".into(),
            ));
        }
    }
    let recipient: Option<(i64, String, bool)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT organisation_id, email, active FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(&mut **c).await)?;
    let Some((user_org, email, active)) = recipient else {
        return Err(StoreError::NotFound(format!("user {user_id}")));
    };
    if user_org != organisation_id {
        return Err(StoreError::Invalid(format!(
            "user {user_id} is not in organisation {organisation_id}"
        )));
    }
    if let Some(key) = dedupe_key {
        let seen: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT id FROM notifications WHERE user_id = $1 AND dedupe_key = $2")
            .bind(user_id).bind(key).fetch_optional(&mut **c).await)?;
        if seen.is_some() {
            return Ok(None);
        }
    }
    let at = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO notifications (organisation_id, user_id, kind, subject, body, link, dedupe_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(organisation_id).bind(user_id).bind(kind).bind(subject.trim()).bind(body.trim())
        .bind(link).bind(dedupe_key).bind(&at).fetch_one(&mut **c).await)?;
    if active && email_enabled_tx(tx, user_id).await? {
        let mut text = body.trim().to_string();
        if let Some(l) = link {
            text.push_str(&format!("\n\nOpen it in Uplift: {{base_url}}{l}"));
        }
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO mail_outbox (organisation_id, notification_id, to_address, subject, body, created_at,
                                      attempts, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $6)")
            .bind(organisation_id).bind(id).bind(&email).bind(subject.trim()).bind(&text).bind(&at)
            .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some(id))
}

async fn email_enabled_tx(tx: &mut Tx, user_id: i64) -> Result<bool> {
    let v: Option<bool> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT email_enabled FROM notification_preferences WHERE user_id = $1")
        .bind(user_id).fetch_optional(&mut **c).await)?;
    Ok(v.unwrap_or(true))
}

/// Marks one of the user's notifications read. Another user's notification is not found.
pub async fn mark_read(tx: &mut Tx, user_id: i64, id: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
        .bind(now()).bind(id).bind(user_id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("notification {id}")));
    }
    Ok(())
}

/// Marks all of the user's notifications read; returns how many changed.
pub async fn mark_all_read(tx: &mut Tx, user_id: i64) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now()).bind(user_id).execute(&mut **c).await.map(|r| r.rows_affected()))?)
}

/// Turns a user's email notifications on or off (audited).
pub async fn set_email_enabled(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    user_id: i64,
    enabled: bool,
) -> Result<()> {
    let before = email_enabled_tx(tx, user_id).await?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notification_preferences (user_id, email_enabled, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET email_enabled = excluded.email_enabled, updated_at = excluded.updated_at")
        .bind(user_id).bind(enabled).bind(now()).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if before != enabled {
        audit::record(
            tx,
            actor,
            Change::updated(
                "notification_preferences",
                user_id,
                Some(organisation_id),
                &serde_json::json!({ "email_enabled": before }),
                &serde_json::json!({ "email_enabled": enabled }),
            ),
        )
        .await?;
    }
    Ok(())
}

impl Db {
    /// A user's notifications, newest first.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
        let sql = format!(
            "SELECT {COLS} FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
        );
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(user_id).bind(limit.clamp(1, 500))
            .fetch_all(p).await)?,
        )
    }

    /// How many of a user's notifications are unread.
    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id).fetch_one(p).await)?)
    }

    /// Whether a user has email notifications on (the default).
    pub async fn email_enabled(&self, user_id: i64) -> Result<bool> {
        let v: Option<bool> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT email_enabled FROM notification_preferences WHERE user_id = $1")
            .bind(user_id).fetch_optional(p).await)?;
        Ok(v.unwrap_or(true))
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub visits_overdue: usize,
    pub forms_due: usize,
    pub responses_overdue: usize,
}

impl SweepReport {
    pub fn total(&self) -> usize {
        self.visits_overdue + self.forms_due + self.responses_overdue
    }
}

/// Stages of a visit not yet held.
const NOT_HELD: &str = "'planned', 'self_evaluation_requested', 'self_evaluation_completed', 'self_evaluation_reviewed'";

/// How many days before a visit the school is reminded of its pre-visit form.
pub const FORM_DUE_DAYS: i64 = 7;

async fn school_users(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM users WHERE organisation_id = $1 AND role = 'school' AND school_urn = $2 AND active = $3
         ORDER BY id")
        .bind(organisation_id).bind(urn).bind(true).fetch_all(&mut **c).await)?)
}

/// The daily sweep, for every organisation, as of `today`: overdue visits
/// (to the adviser), pre-visit forms due within [`FORM_DUE_DAYS`] (to the
/// school's users) and notes whose response is overdue (to the school's
/// users). Idempotent: each event notifies each user once.
pub async fn sweep(tx: &mut Tx, today: jiff::civil::Date) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let today_s = today.to_string();
    // Overdue visits: planned before today and not yet held.
    let sql = format!(
        "SELECT v.id, v.organisation_id, v.urn, v.planned_date, a.user_id, COALESCE(s.name, '')
         FROM visits v JOIN advisers a ON a.id = v.adviser_id LEFT JOIN schools s ON s.urn = v.urn
         WHERE v.planned_date < $1 AND v.stage IN ({NOT_HELD}) AND a.user_id IS NOT NULL
         ORDER BY v.id"
    );
    let rows: Vec<(i64, i64, i64, String, i64, String)> = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(&today_s).fetch_all(&mut **c).await)?;
    for (visit, org, urn, date, user, school) in rows {
        let subject = format!("Visit overdue: {school} ({urn})");
        let body = format!(
            "The visit to {school} planned for {date} has not been recorded as held. Record it, or plan it again."
        );
        if notify_once(
            tx,
            org,
            user,
            &format!("visit-overdue:{visit}"),
            VISIT_OVERDUE,
            &subject,
            &body,
            Some(&format!("/visits/{visit}")),
        )
        .await?
        .is_some()
        {
            report.visits_overdue += 1;
        }
    }
    // Pre-visit forms due: requested, not completed, visit within the window.
    let until = today
        .checked_add(jiff::Span::new().days(FORM_DUE_DAYS))
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        .to_string();
    let rows: Vec<(i64, i64, i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT v.id, v.organisation_id, v.urn, v.planned_date, COALESCE(s.name, '')
         FROM visits v JOIN visit_self_evaluations e ON e.visit_id = v.id LEFT JOIN schools s ON s.urn = v.urn
         WHERE e.completed_at IS NULL AND v.stage = 'self_evaluation_requested'
           AND v.planned_date >= $1 AND v.planned_date <= $2
         ORDER BY v.id")
        .bind(&today_s).bind(&until).fetch_all(&mut **c).await)?;
    for (visit, org, urn, date, school) in rows {
        for user in school_users(tx, org, urn).await? {
            let body = format!(
                "Please complete the pre-visit self-evaluation form for {school} before the visit on {date}."
            );
            if notify_once(
                tx,
                org,
                user,
                &format!("form-due:{visit}"),
                FORM_DUE,
                &format!("Pre-visit form due by {date}"),
                &body,
                Some(&format!("/visits/{visit}")),
            )
            .await?
            .is_some()
            {
                report.forms_due += 1;
            }
        }
    }
    // Notes sent to the headteacher whose response date has passed.
    let rows: Vec<(i64, i64, i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT v.id, v.organisation_id, v.urn, n.response_due, COALESCE(s.name, '')
         FROM visit_notes n JOIN visits v ON v.id = n.visit_id LEFT JOIN schools s ON s.urn = v.urn
         WHERE n.state = 'sent' AND n.response_due IS NOT NULL AND n.response_due < $1
         ORDER BY v.id")
        .bind(&today_s).fetch_all(&mut **c).await)?;
    for (visit, org, urn, due, school) in rows {
        for user in school_users(tx, org, urn).await? {
            let body = format!(
                "The note of visit to {school} was due a response by {due}. Mark it accurate or respond with comments."
            );
            if notify_once(
                tx,
                org,
                user,
                &format!("response-overdue:{visit}"),
                RESPONSE_OVERDUE,
                &format!("Response to a note of visit overdue since {due}"),
                &body,
                Some(&format!("/visits/{visit}")),
            )
            .await?
            .is_some()
            {
                report.responses_overdue += 1;
            }
        }
    }
    Ok(report)
}

/// Notifies the school's users that a note of visit awaits the headteacher.
/// Called by the send step of the note workflow, in its transaction.
pub async fn note_awaiting_headteacher(
    tx: &mut Tx,
    organisation_id: i64,
    urn: i64,
    visit_id: i64,
    response_due: Option<&str>,
) -> Result<usize> {
    let school: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT name FROM schools WHERE urn = $1")
        .bind(urn).fetch_optional(&mut **c).await)?;
    let school = school.unwrap_or_else(|| urn.to_string());
    let due = response_due
        .map(|d| format!(" Please respond by {d}."))
        .unwrap_or_default();
    let users = school_users(tx, organisation_id, urn).await?;
    for user in &users {
        notify(
            tx,
            organisation_id,
            *user,
            NOTE_AWAITING_HEADTEACHER,
            &format!("A note of visit to {school} is ready for you"),
            &format!(
                "Your school improvement adviser has sent the note of visit to {school}. Mark it accurate or respond with comments.{due}"
            ),
            Some(&format!("/visits/{visit_id}")),
        )
        .await?;
    }
    Ok(users.len())
}

/// A secret calendar feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CalendarFeed {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: i64,
    pub kind: String,
    pub adviser_id: Option<i64>,
    pub school_urn: Option<i64>,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const FEED_COLS: &str = "id, organisation_id, user_id, kind, adviser_id, school_urn, name, prefix, created_at, last_used_at, revoked_at";

/// Every feed secret starts with this.
pub const FEED_PREFIX: &str = "cal_";

/// What a feed covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedSubject {
    Adviser(i64),
    School(i64),
}

/// Creates a feed; returns it and its secret (shown once). The caller has
/// checked that the user may see the subject's visits.
pub async fn create_feed(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    user_id: i64,
    subject: FeedSubject,
    name: &str,
) -> Result<(CalendarFeed, String)> {
    let name = name.trim();
    check_text("name", name, 100)?;
    let (kind, adviser, urn) = match subject {
        FeedSubject::Adviser(a) => ("adviser", Some(a), None),
        FeedSubject::School(u) => ("school", None, Some(u)),
    };
    let plain = crate::secret::generate(FEED_PREFIX);
    let prefix: String = plain.chars().take(FEED_PREFIX.len() + 6).collect();
    let sql = format!(
        "INSERT INTO calendar_feeds (organisation_id, user_id, kind, adviser_id, school_urn, name, secret_hash, prefix, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {FEED_COLS}"
    );
    let feed: CalendarFeed = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(organisation_id).bind(user_id).bind(kind).bind(adviser).bind(urn).bind(name)
        .bind(crate::secret::hash(&plain)).bind(&prefix).bind(now()).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("calendar_feed", feed.id, Some(organisation_id), &feed),
    )
    .await?;
    Ok((feed, plain))
}

/// Revokes one of the user's feeds (another user's feed is not found).
pub async fn revoke_feed(
    tx: &mut Tx,
    actor: &Actor,
    user_id: i64,
    feed_id: i64,
) -> Result<CalendarFeed> {
    let sql = format!("SELECT {FEED_COLS} FROM calendar_feeds WHERE id = $1 AND user_id = $2");
    let before: CalendarFeed = on_tx!(tx, c => sqlx::query_as(&sql).bind(feed_id).bind(user_id)
        .fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("calendar feed {feed_id}")))?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let sql =
        format!("UPDATE calendar_feeds SET revoked_at = $1 WHERE id = $2 RETURNING {FEED_COLS}");
    let after: CalendarFeed = on_tx!(tx, c => sqlx::query_as(&sql).bind(now()).bind(feed_id)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "calendar_feed",
            feed_id,
            Some(before.organisation_id),
            &before,
            &after,
        ),
    )
    .await?;
    Ok(after)
}

/// True when `s` has the shape of a feed secret.
pub fn feed_secret_well_formed(s: &str) -> bool {
    s.strip_prefix(FEED_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Db {
    /// The user's feeds, newest first.
    pub async fn calendar_feeds(&self, user_id: i64) -> Result<Vec<CalendarFeed>> {
        let sql =
            format!("SELECT {FEED_COLS} FROM calendar_feeds WHERE user_id = $1 ORDER BY id DESC");
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(user_id).fetch_all(p).await)?)
    }

    /// The live feed a secret opens, looked up by the secret's hash (the
    /// database compares hashes, never the secret), with its owner still
    /// active. Revoked or unknown: `None`.
    pub async fn feed_by_secret(&self, plain: &str) -> Result<Option<CalendarFeed>> {
        if !feed_secret_well_formed(plain) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {} FROM calendar_feeds f JOIN users u ON u.id = f.user_id
             WHERE f.secret_hash = $1 AND f.revoked_at IS NULL AND u.active = $2",
            FEED_COLS
                .split(", ")
                .map(|c| format!("f.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let found: Option<CalendarFeed> = on_pool!(self.pool(), p => sqlx::query_as(&sql)
            .bind(crate::secret::hash(plain)).bind(true).fetch_optional(p).await)?;
        if let Some(f) = &found {
            on_pool!(self.pool(), p => sqlx::query("UPDATE calendar_feeds SET last_used_at = $1 WHERE id = $2")
                .bind(now()).bind(f.id).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(found)
    }
}

/// The events of a feed: the adviser's or the school's visits in the feed's
/// organisation, oldest first, as calendar events with stable UIDs.
pub async fn feed_events(
    db: &Db,
    feed: &CalendarFeed,
    domain: &str,
    dtstamp: jiff::Timestamp,
) -> Result<Vec<uplift_domain::visits::CalendarEvent>> {
    use uplift_domain::visits::{CalendarEvent, VisitPlan, VisitType};
    type Row = (
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let sql =
        "SELECT v.id, v.urn, v.adviser_id, v.visit_type, v.planned_date, v.start_time, v.end_time,
                      v.focus, v.attendees, s.name
               FROM visits v LEFT JOIN schools s ON s.urn = v.urn
               WHERE v.organisation_id = $1
                 AND (($2 = 'adviser' AND v.adviser_id = $3) OR ($2 = 'school' AND v.urn = $4))
               ORDER BY v.planned_date, v.id";
    let rows: Vec<Row> = on_pool!(db.pool(), p => sqlx::query_as(sql)
        .bind(feed.organisation_id).bind(&feed.kind).bind(feed.adviser_id).bind(feed.school_urn)
        .fetch_all(p).await)?;
    let mut events = Vec::with_capacity(rows.len());
    for (id, urn, adviser, kind, date, start, end, focus, attendees, school) in rows {
        let Ok(date) = date.parse::<jiff::civil::Date>() else {
            continue;
        };
        let Ok(urn_id) = uplift_domain::register::Urn::new(urn as u32) else {
            continue;
        };
        let time = |t: Option<String>| t.and_then(|t| t.parse::<jiff::civil::Time>().ok());
        let plan = VisitPlan {
            visit_id: id.to_string(),
            urn: urn_id,
            adviser_id: adviser.to_string(),
            visit_type: VisitType::from_key(&kind),
            date,
            start: time(start),
            end: time(end),
            focus,
            attendees: serde_json::from_str(&attendees).unwrap_or_default(),
        };
        let school = school.unwrap_or_else(|| format!("URN {urn}"));
        events.push(CalendarEvent::for_visit(
            &plan, &school, None, domain, dtstamp,
        ));
    }
    Ok(events)
}

impl Db {
    /// The organisation's active advisers (id, name), by name.
    pub async fn feed_advisers(&self, organisation_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, name FROM advisers WHERE organisation_id = $1 AND active = $2 ORDER BY name, id")
            .bind(organisation_id).bind(true).fetch_all(p).await)?)
    }

    /// The schools the organisation serves (URN, name), by name.
    pub async fn feed_schools(&self, organisation_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT s.urn, s.name FROM organisation_schools o JOIN schools s ON s.urn = o.urn
             WHERE o.organisation_id = $1 ORDER BY s.name, s.urn")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// A school's name from the register.
    pub async fn feed_school_name(&self, urn: i64) -> Result<Option<String>> {
        Ok(
            on_pool!(self.pool(), p => sqlx::query_scalar("SELECT name FROM schools WHERE urn = $1")
            .bind(urn).fetch_optional(p).await)?,
        )
    }

    /// The adviser record of a user, if the user is an adviser of the organisation.
    pub async fn adviser_id_of_user(
        &self,
        organisation_id: i64,
        user_id: i64,
    ) -> Result<Option<i64>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT id FROM advisers WHERE organisation_id = $1 AND user_id = $2")
            .bind(organisation_id).bind(user_id).fetch_optional(p).await)?)
    }
}
