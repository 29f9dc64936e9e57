//! Server-side sessions. The cookie holds a random id; the database holds its
//! hash, the CSRF token for the session, and its idle and absolute expiry.

use crate::audit::{self, Actor, AuditAction, Change};
use crate::secret;
use crate::users::{User, COLS};
use crate::{timestamp, Db, Result, Tx};

/// A session just created: the cookie value and the CSRF token are shown once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
    pub expires_at: String,
}

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub csrf_token: String,
    pub user: User,
}

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: jiff::SignedDuration,
    pub absolute: jiff::SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: jiff::SignedDuration::from_mins(30),
            absolute: jiff::SignedDuration::from_hours(12),
        }
    }
}

impl Db {
    /// Starts a session for a user who has just proved who they are.
    pub async fn start_session(
        &self,
        user: &User,
        policy: SessionPolicy,
        request_id: Option<String>,
    ) -> Result<NewSession> {
        let cookie_value = secret::generate("");
        let csrf_token = secret::generate("");
        let now_ts = jiff::Timestamp::now();
        let expires_at = timestamp(now_ts.saturating_add(policy.absolute).unwrap_or(now_ts));
        let t = timestamp(now_ts);
        let mut tx = self.begin().await?;
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(secret::hash(&cookie_value)).bind(user.id).bind(&csrf_token).bind(&t).bind(&t)
            .bind(&expires_at).execute(&mut **c).await.map(|r| r.rows_affected()))?;
        let actor = Actor {
            user_id: Some(user.id),
            label: user.email.clone(),
            organisation_id: Some(user.organisation_id),
            request_id,
        };
        audit::record(
            &mut tx,
            &actor,
            Change::event(
                AuditAction::SignIn,
                "session",
                user.id,
                Some(user.organisation_id),
                Some(serde_json::json!({"expires_at": expires_at})),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            cookie_value,
            csrf_token,
            expires_at,
        })
    }

    /// The live session for a cookie value, if any. Expired sessions (idle or
    /// absolute) are removed; an inactive user has no session.
    pub async fn session(
        &self,
        cookie_value: &str,
        policy: SessionPolicy,
    ) -> Result<Option<Session>> {
        let id_hash = secret::hash(cookie_value);
        let sql = format!(
            "SELECT s.csrf_token, s.last_seen_at, s.expires_at, {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
            COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let found = on_pool!(self.pool(), p => {
            use sqlx::{FromRow, Row};
            sqlx::query(&sql).bind(&id_hash).fetch_optional(p).await?
                .map(|r| -> Result<(String, String, String, User)> {
                    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, User::from_row(&r)?))
                }).transpose()
        })?;
        let Some((csrf_token, last_seen, expires_at, user)) = found else {
            return Ok(None);
        };
        let now_ts = jiff::Timestamp::now();
        let idle_cutoff = timestamp(now_ts.saturating_sub(policy.idle).unwrap_or(now_ts));
        let t = timestamp(now_ts);
        if expires_at <= t || last_seen < idle_cutoff || !user.active {
            on_pool!(self.pool(), p => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(&id_hash).execute(p).await.map(|r| r.rows_affected()))?;
            return Ok(None);
        }
        // Touch at most once a minute, to keep reads cheap.
        let touch_cutoff = timestamp(
            now_ts
                .saturating_sub(jiff::SignedDuration::from_mins(1))
                .unwrap_or(now_ts),
        );
        if last_seen < touch_cutoff {
            on_pool!(self.pool(), p => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(&t).bind(&id_hash).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(Some(Session {
            id_hash,
            csrf_token,
            user,
        }))
    }

    /// Ends a session (signing out).
    pub async fn end_session(&self, session: &Session, request_id: Option<String>) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(&session.id_hash).execute(&mut **c).await.map(|r| r.rows_affected()))?;
        let actor = Actor {
            user_id: Some(session.user.id),
            label: session.user.email.clone(),
            organisation_id: Some(session.user.organisation_id),
            request_id,
        };
        audit::record(
            &mut tx,
            &actor,
            Change::event(
                AuditAction::SignOut,
                "session",
                session.user.id,
                Some(session.user.organisation_id),
                None,
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Removes every expired session; returns how many.
    pub async fn purge_sessions(&self, policy: SessionPolicy) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = purge_expired(&mut tx, policy, jiff::Timestamp::now()).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Deletes every session past its absolute expiry or idle for longer than
/// the policy allows, as of `now`; returns how many.
pub async fn purge_expired(
    tx: &mut Tx,
    policy: SessionPolicy,
    now: jiff::Timestamp,
) -> Result<u64> {
    let idle_cutoff = timestamp(now.saturating_sub(policy.idle).unwrap_or(now));
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
        .bind(timestamp(now)).bind(idle_cutoff).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
