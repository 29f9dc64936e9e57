//! Purging what is only ever temporary: sessions past their idle or absolute
//! expiry, sign-in attempts older than the throttle window, and leases on
//! outbox messages that expired (their sender died). Run daily by `uplift
//! serve` and on demand by `uplift maintenance purge`; each run is one
//! transaction and one audit entry with the counts.

use serde::Serialize;

use crate::audit::{self, Actor, AuditAction, Change};
use crate::sessions::{self, SessionPolicy};
use crate::throttle::{self, ThrottlePolicy};
use crate::{timestamp, Result, Tx};

/// How long each kind of temporary row lives.
#[derive(Debug, Clone, Copy, Default)]
pub struct PurgePolicy {
    pub sessions: SessionPolicy,
    pub throttle: ThrottlePolicy,
}

/// What one purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub sessions: u64,
    pub sign_in_attempts: u64,
    pub mail_leases: u64,
}

/// Removes every expired row as of `now`, inside `tx`, and records one audit
/// entry (entity `maintenance`, id `purge`) with the counts.
pub async fn purge(
    tx: &mut Tx,
    actor: &Actor,
    policy: PurgePolicy,
    now: jiff::Timestamp,
) -> Result<PurgeReport> {
    let sessions = sessions::purge_expired(tx, policy.sessions, now).await?;
    let sign_in_attempts = throttle::purge_old_attempts(tx, policy.throttle, now).await?;
    let mail_leases = on_tx!(tx, c => sqlx::query(
        "UPDATE mail_outbox SET lease_owner = NULL, lease_expires_at = NULL
         WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= $1")
        .bind(timestamp(now)).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    let report = PurgeReport {
        sessions,
        sign_in_attempts,
        mail_leases,
    };
    audit::record(
        tx,
        actor,
        Change::event(
            AuditAction::Delete,
            "maintenance",
            "purge",
            None,
            Some(serde_json::json!({
                "as_of": timestamp(now),
                "sessions": report.sessions,
                "sign_in_attempts": report.sign_in_attempts,
                "mail_leases": report.mail_leases,
            })),
        ),
    )
    .await?;
    Ok(report)
}
