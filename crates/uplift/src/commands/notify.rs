//! `uplift mail send-pending` and `uplift notify sweep`, and the background
//! tasks of `uplift serve` that do the same on a schedule.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use uplift_store::mail::{self, SmtpSettings};
use uplift_store::maintenance::PurgePolicy;
use uplift_store::{jobs, notifications, Db};

use crate::cli::{MailCommand, NotifyCommand};
use crate::config::Config;
use crate::scheduler::{self, Job};

/// How many messages one drain sends at most.
const BATCH: i64 = 500;

pub async fn mail(db: &Db, config: &Config, c: MailCommand) -> Result<()> {
    match c {
        MailCommand::SendPending => {
            let Some(smtp) = config.smtp() else {
                bail!("email is off: set smtp_host in uplift.toml (or UPLIFT_SMTP_HOST) to send the outbox");
            };
            let r = mail::send_pending(db, &smtp, jiff::Timestamp::now(), BATCH).await?;
            println!(
                "Sent {}, failed {} (kept to retry later); {} waiting in the outbox.",
                r.sent, r.failed, r.waiting
            );
            if let Some(e) = &r.relay_down {
                println!("Stopped early, the relay is unreachable: {e}");
            }
            Ok(())
        }
    }
}

pub async fn notify(db: &Db, c: NotifyCommand) -> Result<()> {
    match c {
        NotifyCommand::Sweep { date } => {
            let today = match date {
                Some(d) => d
                    .parse::<jiff::civil::Date>()
                    .with_context(|| format!("--date {d:?} is not a date (YYYY-MM-DD)"))?,
                None => uplift_app::clock::today_in_england(),
            };
            let r = sweep_once(db, today).await?;
            println!(
                "Notified {} overdue visit(s), {} pre-visit form(s) due and {} overdue response(s) as of {today}.",
                r.visits_overdue, r.forms_due, r.responses_overdue
            );
            Ok(())
        }
    }
}

async fn sweep_once(db: &Db, today: jiff::civil::Date) -> Result<notifications::SweepReport> {
    let mut tx = db.begin().await?;
    let r = notifications::sweep(&mut tx, today).await?;
    tx.commit().await?;
    Ok(r)
}

/// The scheduled work of `uplift serve`, each job supervised (a failed or
/// panicking run is logged with the job's name and the job restarted after
/// a delay, see [`crate::scheduler`]):
/// - `mail`: the outbox drained every minute, when email is configured;
/// - `daily-sweep` and `purge`: checked every hour, and run once a day per
///   deployment (the day Europe/London's, claimed in `job_runs`, so several
///   instances on one database do each once).
pub fn spawn_background(
    db: Db,
    smtp: Option<SmtpSettings>,
    purge: PurgePolicy,
) -> Vec<tokio::task::JoinHandle<()>> {
    let owner = instance_name();
    let mut jobs = Vec::new();
    if let Some(smtp) = smtp {
        let db = db.clone();
        jobs.push(Job::new(
            "mail",
            Duration::from_secs(60),
            Duration::from_secs(60),
            move || {
                let (db, smtp) = (db.clone(), smtp.clone());
                async move { drain(&db, &smtp).await }
            },
        ));
    }
    {
        let (db, owner) = (db.clone(), owner.clone());
        jobs.push(Job::new(
            "daily-sweep",
            Duration::from_secs(3600),
            Duration::from_secs(300),
            move || {
                let (db, owner) = (db.clone(), owner.clone());
                async move { daily_sweep(&db, &owner).await }
            },
        ));
    }
    jobs.push(Job::new(
        "purge",
        Duration::from_secs(3600),
        Duration::from_secs(300),
        move || {
            let (db, owner) = (db.clone(), owner.clone());
            async move { daily_purge(&db, &owner, purge).await }
        },
    ));
    jobs.into_iter().map(scheduler::supervise).collect()
}

/// Who this instance is, in `job_runs`: the host name and process id.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "uplift".to_string());
    format!("{host}:{}", std::process::id())
}

async fn drain(db: &Db, smtp: &SmtpSettings) -> Result<()> {
    let r = mail::send_pending(db, smtp, jiff::Timestamp::now(), BATCH).await?;
    if let Some(e) = &r.relay_down {
        tracing::warn!(sent = r.sent, waiting = r.waiting, error = %e, "the mail relay is unreachable; the outbox waits for the next round");
    } else if r.sent + r.failed > 0 {
        tracing::info!(
            sent = r.sent,
            failed = r.failed,
            waiting = r.waiting,
            "outbox drained"
        );
    }
    Ok(())
}

async fn daily_sweep(db: &Db, owner: &str) -> Result<()> {
    let today = uplift_app::clock::today_in_england();
    if db.daily_run_done(jobs::SWEEP, today).await? {
        return Ok(());
    }
    match db.daily_sweep(today, owner).await? {
        Some(r) => tracing::info!(%today, notified = r.total(), "daily notification sweep"),
        None => tracing::debug!(%today, "daily notification sweep done by another instance"),
    }
    Ok(())
}

async fn daily_purge(db: &Db, owner: &str, policy: PurgePolicy) -> Result<()> {
    let today = uplift_app::clock::today_in_england();
    if db.daily_run_done(jobs::PURGE, today).await? {
        return Ok(());
    }
    match db.daily_purge(today, owner, policy).await? {
        Some(r) => tracing::info!(
            %today,
            sessions = r.sessions,
            sign_in_attempts = r.sign_in_attempts,
            mail_leases = r.mail_leases,
            "daily purge"
        ),
        None => tracing::debug!(%today, "daily purge done by another instance"),
    }
    Ok(())
}
