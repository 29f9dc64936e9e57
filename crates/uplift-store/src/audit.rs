//! The append-only audit log: who changed what, when, in which organisation,
//! with the values before and after. The database refuses UPDATE and DELETE on
//! it (triggers on both backends); this module only ever inserts and reads.

use serde::Serialize;
use sqlx::FromRow;

use crate::{now, Db, Result, Tx};

/// Who is making a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// An email address, or `cli` / `system` for changes not made by a signed-in user.
    pub label: String,
    pub organisation_id: Option<i64>,
    pub request_id: Option<String>,
}

impl Actor {
    /// A change made by an operator at the command line.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            label: "cli".into(),
            organisation_id: None,
            request_id: None,
        }
    }

    /// A change made by Uplift itself (an import, a scheduled job).
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("system:{what}"),
            organisation_id: None,
            request_id: None,
        }
    }
}

/// The kind of change. Sign-in events are recorded too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    SignIn,
    SignOut,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::SignIn => "sign_in",
            AuditAction::SignOut => "sign_out",
        }
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub organisation_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

/// One change, as the log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub organisation_id: Option<i64>,
    pub action: AuditAction,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

fn value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v)
        .unwrap_or_else(|e| serde_json::Value::String(format!("(not recordable: {e})")))
}

impl Change {
    pub fn created<T: Serialize>(
        entity: &'static str,
        id: impl ToString,
        org: Option<i64>,
        after: &T,
    ) -> Change {
        Change {
            organisation_id: org,
            action: AuditAction::Create,
            entity,
            entity_id: id.to_string(),
            before: None,
            after: Some(value(after)),
        }
    }

    pub fn updated<B: Serialize, A: Serialize>(
        entity: &'static str,
        id: impl ToString,
        org: Option<i64>,
        before: &B,
        after: &A,
    ) -> Change {
        Change {
            organisation_id: org,
            action: AuditAction::Update,
            entity,
            entity_id: id.to_string(),
            before: Some(value(before)),
            after: Some(value(after)),
        }
    }

    pub fn deleted<B: Serialize>(
        entity: &'static str,
        id: impl ToString,
        org: Option<i64>,
        before: &B,
    ) -> Change {
        Change {
            organisation_id: org,
            action: AuditAction::Delete,
            entity,
            entity_id: id.to_string(),
            before: Some(value(before)),
            after: None,
        }
    }

    /// An event that is not a change of a row (signing in or out).
    pub fn event(
        action: AuditAction,
        entity: &'static str,
        id: impl ToString,
        org: Option<i64>,
        detail: Option<serde_json::Value>,
    ) -> Change {
        Change {
            organisation_id: org,
            action,
            entity,
            entity_id: id.to_string(),
            before: None,
            after: detail,
        }
    }
}

/// Appends one entry inside the transaction that makes the change, so the
/// change and its record commit or roll back together.
pub async fn record(tx: &mut Tx, actor: &Actor, change: Change) -> Result<()> {
    let before = change
        .before
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json_err)?;
    let after = change
        .after
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json_err)?;
    let org = change.organisation_id.or(actor.organisation_id);
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO audit_log (at, organisation_id, actor_user_id, actor, action, entity, entity_id,
                                before_json, after_json, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(now()).bind(org).bind(actor.user_id).bind(&actor.label).bind(change.action.as_str())
        .bind(change.entity).bind(&change.entity_id).bind(before).bind(after).bind(&actor.request_id)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

fn json_err(e: serde_json::Error) -> crate::StoreError {
    crate::StoreError::Invalid(format!("cannot record audit values: {e}"))
}

/// What to look for in the log. Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub organisation_id: Option<i64>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Inclusive ISO dates.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Entries with an id below this (for paging backwards through time).
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl Db {
    /// Entries matching the filter, newest first.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let to_end = f.to.as_ref().map(|d| format!("{d}T99"));
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        let sql = "SELECT id, at, organisation_id, actor_user_id, actor, action, entity, entity_id,
                          before_json, after_json, request_id
                   FROM audit_log
                   WHERE ($1 IS NULL OR organisation_id = $1)
                     AND ($2 IS NULL OR entity = $2)
                     AND ($3 IS NULL OR entity_id = $3)
                     AND ($4 IS NULL OR action = $4)
                     AND ($5 IS NULL OR actor = $5)
                     AND ($6 IS NULL OR at >= $6)
                     AND ($7 IS NULL OR at <= $7)
                     AND ($8 IS NULL OR id < $8)
                   ORDER BY id DESC
                   LIMIT $9";
        let rows = on_pool!(self.pool(), p => sqlx::query_as::<_, AuditEntry>(sql)
            .bind(f.organisation_id).bind(&f.entity).bind(&f.entity_id).bind(&f.action)
            .bind(&f.actor).bind(&f.from).bind(&to_end).bind(f.before_id).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// How many entries the log holds for an organisation (all when `None`).
    pub async fn audit_count(&self, organisation_id: Option<i64>) -> Result<i64> {
        let n = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE ($1 IS NULL OR organisation_id = $1)")
            .bind(organisation_id).fetch_one(p).await)?;
        Ok(n)
    }
}
