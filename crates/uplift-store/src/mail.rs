//! Delivering the email outbox over SMTP (lettre). Each message is claimed
//! before it is sent, so two senders (the server's background task and
//! `uplift mail send-pending`) never send the same message twice; a failure
//! keeps the message with its error and retries it later with exponential
//! backoff (1 minute, doubling, at most 6 hours between attempts).
//!
//! The connection is plain SMTP without TLS: Uplift hands mail to a relay on
//! the same host or private network (a local Postfix or a smart host), which
//! does the onward delivery over TLS. Credentials, when configured, are sent
//! over that connection, so use them only on a trusted network.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::FromRow;

use crate::{timestamp, Db, Result, StoreError};

/// Messages are given up after this many failed attempts (about five days at
/// the longest backoff); they stay in the outbox with their last error.
pub const MAX_ATTEMPTS: i64 = 25;

/// How long a claimed message is held before another sender may try it.
const LEASE_SECS: i64 = 300;

/// Where and how to send mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// The From address, e.g. `Uplift <uplift@council.example>`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The address of the service, prefixed to links in messages (no trailing slash).
    pub base_url: String,
    /// How long to wait for the server.
    pub timeout_secs: u64,
}

impl SmtpSettings {
    /// Checks the settings once, so that a bad From address is reported at start.
    pub fn check(&self) -> Result<()> {
        if self.host.trim().is_empty() {
            return Err(StoreError::Invalid("smtp_host is empty".into()));
        }
        self.from.parse::<Mailbox>().map_err(|e| {
            StoreError::Invalid(format!(
                "smtp_from {:?} is not an email address: {e}",
                self.from
            ))
        })?;
        Ok(())
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub organisation_id: Option<i64>,
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

const COLS: &str = "id, organisation_id, notification_id, to_address, subject, body, created_at, attempts, next_attempt_at, last_error, sent_at";

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    pub sent: usize,
    pub failed: usize,
    /// Messages still waiting (to retry later, or given up) after the drain.
    pub waiting: i64,
}

/// The delay after the `attempts`-th failed attempt.
pub fn backoff(attempts: i64) -> jiff::SignedDuration {
    let exp = attempts.clamp(1, 20) - 1;
    let mins = 1i64.checked_shl(exp as u32).unwrap_or(i64::MAX).min(360);
    jiff::SignedDuration::from_mins(mins)
}

fn later(t: jiff::Timestamp, d: jiff::SignedDuration) -> String {
    timestamp(t.checked_add(d).unwrap_or(t))
}

impl Db {
    /// The outbox, newest first (for operators and tests).
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLS} FROM mail_outbox ORDER BY id DESC LIMIT $1");
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(limit.clamp(1, 10_000)).fetch_all(p).await)?,
        )
    }

    /// How many messages are not yet sent.
    pub async fn outbox_waiting(&self) -> Result<i64> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").fetch_one(p).await)?)
    }

    /// Takes a due message for sending: true when this caller holds it now.
    async fn claim(&self, m: &OutboxMessage, now: jiff::Timestamp) -> Result<bool> {
        let lease = later(now, jiff::SignedDuration::from_secs(LEASE_SECS));
        let n = on_pool!(self.pool(), p => sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1
             WHERE id = $2 AND sent_at IS NULL AND next_attempt_at = $3")
            .bind(&lease).bind(m.id).bind(&m.next_attempt_at).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

fn build(settings: &SmtpSettings, m: &OutboxMessage) -> std::result::Result<Message, String> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("from address: {e}"))?;
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("to address {:?}: {e}", m.to_address))?;
    let body = m
        .body
        .replace("{base_url}", settings.base_url.trim_end_matches('/'));
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))
}

fn transport(settings: &SmtpSettings) -> AsyncSmtpTransport<Tokio1Executor> {
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.trim())
        .port(settings.port)
        .timeout(Some(Duration::from_secs(settings.timeout_secs.max(1))));
    if let (Some(u), Some(p)) = (&settings.username, &settings.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    b.build()
}

/// Sends every message due at `now` (oldest first, at most `limit`); a
/// failure is recorded on the message and retried after [`backoff`].
pub async fn send_pending(
    db: &Db,
    settings: &SmtpSettings,
    now: jiff::Timestamp,
    limit: i64,
) -> Result<DrainReport> {
    let now_s = timestamp(now);
    let sql = format!(
        "SELECT {COLS} FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1 AND attempts < $2
         ORDER BY id LIMIT $3"
    );
    let due: Vec<OutboxMessage> = on_pool!(db.pool(), p => sqlx::query_as(&sql)
        .bind(&now_s).bind(MAX_ATTEMPTS).bind(limit.clamp(1, 10_000)).fetch_all(p).await)?;
    let mut report = DrainReport::default();
    if due.is_empty() {
        report.waiting = db.outbox_waiting().await?;
        return Ok(report);
    }
    let mailer = transport(settings);
    for m in due {
        if !db.claim(&m, now).await? {
            continue;
        }
        let outcome = match build(settings, &m) {
            Ok(msg) => mailer
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let attempts = m.attempts + 1;
        match outcome {
            Ok(()) => {
                on_pool!(db.pool(), p => sqlx::query(
                    "UPDATE mail_outbox SET sent_at = $1, attempts = $2, last_error = NULL, next_attempt_at = NULL
                     WHERE id = $3")
                    .bind(&now_s).bind(attempts).bind(m.id).execute(p).await.map(|r| r.rows_affected()))?;
                report.sent += 1;
            }
            Err(e) => {
                let next = (attempts < MAX_ATTEMPTS).then(|| later(now, backoff(attempts)));
                let e: String = e.chars().take(1000).collect();
                tracing::warn!(message = m.id, attempts, error = %e, "email not sent; will retry");
                on_pool!(db.pool(), p => sqlx::query(
                    "UPDATE mail_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4")
                    .bind(attempts).bind(&e).bind(next).bind(m.id).execute(p).await.map(|r| r.rows_affected()))?;
                report.failed += 1;
            }
        }
    }
    report.waiting = db.outbox_waiting().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), jiff::SignedDuration::from_mins(1));
        assert_eq!(backoff(2), jiff::SignedDuration::from_mins(2));
        assert_eq!(backoff(5), jiff::SignedDuration::from_mins(16));
        assert_eq!(backoff(10), jiff::SignedDuration::from_mins(360));
        assert_eq!(backoff(99), jiff::SignedDuration::from_mins(360));
    }
}
