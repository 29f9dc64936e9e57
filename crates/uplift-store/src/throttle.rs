//! Throttling of failed sign-ins (and of the current-password check on the
//! account page), by account and by client address.

use crate::{now, timestamp, Db, Result};

/// How many failures, within what window, lock sign-in.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures_per_account: i64,
    pub max_failures_per_client: i64,
    pub window: jiff::SignedDuration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures_per_account: 5,
            max_failures_per_client: 20,
            window: jiff::SignedDuration::from_mins(15),
        }
    }
}

impl Db {
    /// Records a sign-in attempt. A success clears the account's failures.
    pub async fn record_sign_in_attempt(
        &self,
        email: &str,
        client: &str,
        succeeded: bool,
    ) -> Result<()> {
        let email = email.trim().to_ascii_lowercase();
        on_pool!(self.pool(), p => sqlx::query(
            "INSERT INTO sign_in_attempts (email, client, succeeded, at) VALUES ($1, $2, $3, $4)")
            .bind(&email).bind(client).bind(succeeded).bind(now()).execute(p).await.map(|r| r.rows_affected()))?;
        if succeeded {
            on_pool!(self.pool(), p => sqlx::query("DELETE FROM sign_in_attempts WHERE email = $1 AND succeeded = $2")
                .bind(&email).bind(false).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// True when sign-in for this account or from this client is locked for now.
    pub async fn sign_in_locked(
        &self,
        email: &str,
        client: &str,
        policy: ThrottlePolicy,
    ) -> Result<bool> {
        let email = email.trim().to_ascii_lowercase();
        let now_ts = jiff::Timestamp::now();
        let since = timestamp(now_ts.saturating_sub(policy.window).unwrap_or(now_ts));
        let (by_account, by_client): (i64, i64) = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND succeeded = $2 AND at >= $3),
               (SELECT COUNT(*) FROM sign_in_attempts WHERE client = $4 AND succeeded = $2 AND at >= $3)")
            .bind(&email).bind(false).bind(&since).bind(client).fetch_one(p).await)?;
        Ok(by_account >= policy.max_failures_per_account
            || by_client >= policy.max_failures_per_client)
    }

    /// True when the account alone has had too many failures within the
    /// window: failed sign-ins and failed checks of the current password on
    /// the account page count together.
    pub async fn account_locked(&self, email: &str, policy: ThrottlePolicy) -> Result<bool> {
        let email = email.trim().to_ascii_lowercase();
        let now_ts = jiff::Timestamp::now();
        let since = timestamp(now_ts.saturating_sub(policy.window).unwrap_or(now_ts));
        let failures: i64 = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND succeeded = $2 AND at >= $3")
            .bind(&email).bind(false).bind(&since).fetch_one(p).await)?;
        Ok(failures >= policy.max_failures_per_account)
    }
}

/// Deletes the sign-in attempts older than the throttle window as of `now`
/// (they no longer count towards any lock); returns how many.
pub async fn purge_old_attempts(
    tx: &mut crate::Tx,
    policy: ThrottlePolicy,
    now: jiff::Timestamp,
) -> Result<u64> {
    let cutoff = timestamp(now.saturating_sub(policy.window).unwrap_or(now));
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM sign_in_attempts WHERE at < $1")
        .bind(cutoff).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
