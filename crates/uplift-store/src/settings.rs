//! Settings, each a text value under a key: deployment-wide ones ([`set`])
//! and one organisation's own ([`set_in`], keys ending `:<organisation id>`,
//! audited in that organisation's log). Changes are audited.

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, Tx};

/// The GOV.UK bank-holidays JSON in force (absent: the copy shipped with Uplift).
pub const BANK_HOLIDAYS: &str = "bank_holidays_json";

/// Sets a deployment-wide setting.
pub async fn set(tx: &mut Tx, actor: &Actor, key: &str, value: &str) -> Result<()> {
    set_in(tx, actor, key, None, value).await
}

/// Sets a setting, audited in `organisation_id`'s log when it is one
/// organisation's own.
pub async fn set_in(
    tx: &mut Tx,
    actor: &Actor,
    key: &str,
    organisation_id: Option<i64>,
    value: &str,
) -> Result<()> {
    let before: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key).fetch_optional(&mut **c).await)?;
    if before.as_deref() == Some(value) {
        return Ok(());
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(key).bind(value).bind(now()).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    let change = match &before {
        None => Change::created("setting", key, organisation_id, &value),
        Some(b) => Change::updated("setting", key, organisation_id, b, &value),
    };
    audit::record(tx, actor, change).await
}

impl Db {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            on_pool!(self.pool(), p => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key).fetch_optional(p).await)?,
        )
    }
}
