//! Daily background jobs, run once per deployment however many instances
//! of `uplift serve` share the database: each run is claimed by inserting
//! `(job, run_date)` into `job_runs` in the transaction that does the work.
//! Another instance's insert conflicts (on PostgreSQL it waits for the first
//! transaction, then finds the row) and it skips; a run that fails rolls its
//! claim back with its work, so the next attempt (here or elsewhere) runs it.
//! The day is given by the caller: Europe/London's, from the application's
//! clock (`uplift_app::clock`), whatever the server's own time zone.

use serde::Serialize;
use sqlx::FromRow;

use crate::audit::Actor;
use crate::maintenance::{self, PurgePolicy, PurgeReport};
use crate::notifications::{self, SweepReport};
use crate::{now, Db, Result, StoreError, Tx};

/// The notification sweep (overdue visits, forms due, overdue responses).
pub const SWEEP: &str = "notification_sweep";
/// Purging expired sessions, old sign-in attempts and stale leases.
pub const PURGE: &str = "purge";

/// One claimed run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct JobRun {
    pub job: String,
    pub run_date: String,
    pub owner: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub detail: Option<String>,
}

/// Claims `job`'s run for `date` inside `tx`: true when this caller holds
/// it, false when another has it (committed, or still running on PostgreSQL,
/// which makes this wait for it).
pub async fn claim_daily(
    tx: &mut Tx,
    job: &str,
    date: jiff::civil::Date,
    owner: &str,
) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO job_runs (job, run_date, owner, started_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job, run_date) DO NOTHING")
        .bind(job).bind(date.to_string()).bind(owner).bind(now())
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Records what a claimed run did.
pub async fn finish_daily<T: Serialize>(
    tx: &mut Tx,
    job: &str,
    date: jiff::civil::Date,
    detail: &T,
) -> Result<()> {
    let detail = serde_json::to_string(detail)
        .map_err(|e| StoreError::Invalid(format!("cannot record {job}'s result: {e}")))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE job_runs SET finished_at = $1, detail = $2 WHERE job = $3 AND run_date = $4")
        .bind(now()).bind(detail).bind(job).bind(date.to_string())
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

impl Db {
    /// True when `job` has run for `date` (a cheap check before claiming).
    pub async fn daily_run_done(&self, job: &str, date: jiff::civil::Date) -> Result<bool> {
        let n: i64 = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM job_runs WHERE job = $1 AND run_date = $2")
            .bind(job).bind(date.to_string()).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The runs of `job`, newest first.
    pub async fn job_runs(&self, job: &str, limit: i64) -> Result<Vec<JobRun>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT job, run_date, owner, started_at, finished_at, detail FROM job_runs
             WHERE job = $1 ORDER BY run_date DESC LIMIT $2")
            .bind(job).bind(limit.clamp(1, 1000)).fetch_all(p).await)?)
    }

    /// The day's notification sweep, once per deployment: `None` when
    /// another instance (or an earlier run) has done it for `date`.
    pub async fn daily_sweep(
        &self,
        date: jiff::civil::Date,
        owner: &str,
    ) -> Result<Option<SweepReport>> {
        let mut tx = self.begin().await?;
        if !claim_daily(&mut tx, SWEEP, date, owner).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let report = notifications::sweep(&mut tx, date).await?;
        finish_daily(&mut tx, SWEEP, date, &report).await?;
        tx.commit().await?;
        Ok(Some(report))
    }

    /// The day's purge, once per deployment: `None` when already done for `date`.
    pub async fn daily_purge(
        &self,
        date: jiff::civil::Date,
        owner: &str,
        policy: PurgePolicy,
    ) -> Result<Option<PurgeReport>> {
        let mut tx = self.begin().await?;
        if !claim_daily(&mut tx, PURGE, date, owner).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let report = maintenance::purge(
            &mut tx,
            &Actor::system("purge"),
            policy,
            jiff::Timestamp::now(),
        )
        .await?;
        finish_daily(&mut tx, PURGE, date, &report).await?;
        tx.commit().await?;
        Ok(Some(report))
    }
}
