//! Personal API tokens for integrations. A token acts with its user's role and
//! scope; it is shown once and stored only as a hash. It ends when revoked,
//! when its expiry (if it has one) passes, when its user's password changes
//! and when its user is disabled.

use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::identity::TokenLifetime;

use crate::audit::{self, Actor, Change};
use crate::secret;
use crate::users::{User, COLS};
use crate::{now, timestamp, Db, Result, StoreError, Tx};

/// Every token starts with this, so leaked tokens are easy to find.
pub const TOKEN_PREFIX: &str = "upl_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When it stops working (RFC 3339), if it was given an expiry.
    pub expires_at: Option<String>,
}

impl ApiToken {
    /// Not revoked and not past its expiry.
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none()
            && self
                .expires_at
                .as_deref()
                .is_none_or(|e| e > now().as_str())
    }
}

const TOKEN_COLS: &str =
    "id, user_id, name, prefix, created_at, last_used_at, revoked_at, expires_at";

/// True when `s` has the shape of a token Uplift issues.
pub fn well_formed(s: &str) -> bool {
    s.strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Creates a token for a user, expiring after `lifetime` if given; returns
/// the record and the token itself (shown once).
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    user: &User,
    name: &str,
    lifetime: Option<TokenLifetime>,
) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid(
            "token name must be 1 to 100 characters".into(),
        ));
    }
    let plain = secret::generate(TOKEN_PREFIX);
    let prefix: String = plain.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let created = jiff::Timestamp::now();
    let expires_at = lifetime.map(|l| {
        let days = jiff::SignedDuration::from_hours(i64::from(l.days()) * 24);
        timestamp(created.saturating_add(days).unwrap_or(created))
    });
    let sql = format!(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLS}"
    );
    let token: ApiToken = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(user.id).bind(name).bind(secret::hash(&plain)).bind(&prefix).bind(timestamp(created))
        .bind(&expires_at).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("api_token", token.id, Some(user.organisation_id), &token),
    )
    .await?;
    Ok((token, plain))
}

/// Revokes one of a user's tokens.
pub async fn revoke(tx: &mut Tx, actor: &Actor, user: &User, token_id: i64) -> Result<ApiToken> {
    let sql = format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1 AND user_id = $2");
    let before: ApiToken = on_tx!(tx, c => sqlx::query_as(&sql).bind(token_id).bind(user.id)
        .fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("token {token_id}")))?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let sql = format!("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 RETURNING {TOKEN_COLS}");
    let after: ApiToken = on_tx!(tx, c => sqlx::query_as(&sql).bind(now()).bind(token_id)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "api_token",
            token_id,
            Some(user.organisation_id),
            &before,
            &after,
        ),
    )
    .await?;
    Ok(after)
}

/// Revokes every token of a user that is not revoked yet (their password
/// changed, or they were disabled), each change audited; returns how many.
pub(crate) async fn revoke_all(tx: &mut Tx, actor: &Actor, user: &User) -> Result<usize> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
    );
    let live: Vec<ApiToken> =
        on_tx!(tx, c => sqlx::query_as(&sql).bind(user.id).fetch_all(&mut **c).await)?;
    for t in &live {
        revoke(tx, actor, user, t.id).await?;
    }
    Ok(live.len())
}

impl Db {
    /// The active user a token acts for, if the token is live (not revoked,
    /// not expired).
    pub async fn token_user(&self, plain: &str) -> Result<Option<User>> {
        if !well_formed(plain) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, {} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = $2
               AND (t.expires_at IS NULL OR t.expires_at > $3)",
            COLS.split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let found = on_pool!(self.pool(), p => {
            use sqlx::{FromRow, Row};
            sqlx::query(&sql).bind(secret::hash(plain)).bind(true).bind(now()).fetch_optional(p).await?
                .map(|r| -> Result<(i64, Option<String>, User)> {
                    Ok((r.try_get("token_id")?, r.try_get("token_last_used_at")?, User::from_row(&r)?))
                })
                .transpose()
        })?;
        let Some((token_id, last_used, user)) = found else {
            return Ok(None);
        };
        // Recorded at most once a minute: a write on every request would
        // queue every API read behind SQLite's single writer.
        let now_ts = jiff::Timestamp::now();
        let touch_cutoff = crate::timestamp(
            now_ts
                .saturating_sub(jiff::SignedDuration::from_mins(1))
                .unwrap_or(now_ts),
        );
        if last_used
            .as_deref()
            .is_none_or(|l| l < touch_cutoff.as_str())
        {
            on_pool!(self.pool(), p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now()).bind(token_id).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(Some(user))
    }

    pub async fn tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let sql =
            format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC");
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(user_id).fetch_all(p).await)?)
    }
}
