//! `uplift mail send-pending` and `uplift notify sweep`, and the background
//! tasks of `uplift serve` that do the same on a schedule.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use uplift_store::mail::{self, SmtpSettings};
use uplift_store::{notifications, Db};

use crate::cli::{MailCommand, NotifyCommand};
use crate::config::Config;

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
                None => jiff::Zoned::now().date(),
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

/// The scheduled work of `uplift serve`: the outbox drained every minute
/// (when email is configured) and the sweep once a day. Errors are logged
/// and tried again on the next round.
pub fn spawn_background(db: Db, smtp: Option<SmtpSettings>) {
    if let Some(smtp) = smtp {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match mail::send_pending(&db, &smtp, jiff::Timestamp::now(), BATCH).await {
                    Ok(r) if r.sent + r.failed > 0 => {
                        tracing::info!(
                            sent = r.sent,
                            failed = r.failed,
                            waiting = r.waiting,
                            "outbox drained"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox not drained"),
                }
            }
        });
    }
    tokio::spawn(async move {
        let mut last: Option<jiff::civil::Date> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let today = jiff::Zoned::now().date();
            if last == Some(today) {
                continue;
            }
            match sweep_once(&db, today).await {
                Ok(r) => {
                    last = Some(today);
                    tracing::info!(notified = r.total(), "daily notification sweep")
                }
                Err(e) => tracing::warn!(error = %e, "daily notification sweep failed"),
            }
        }
    });
}
