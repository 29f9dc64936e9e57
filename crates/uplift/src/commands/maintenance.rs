//! `uplift maintenance purge`: removing what is only ever temporary (also
//! done daily by `uplift serve`).

use anyhow::Result;
use uplift_store::audit::Actor;
use uplift_store::maintenance::{self, PurgePolicy};
use uplift_store::sessions::SessionPolicy;
use uplift_store::throttle::ThrottlePolicy;
use uplift_store::Db;

use crate::cli::MaintenanceCommand;
use crate::config::Config;

/// How long sessions live (from the configuration) and the throttle window.
pub fn purge_policy(config: &Config) -> PurgePolicy {
    PurgePolicy {
        sessions: SessionPolicy {
            idle: jiff::SignedDuration::from_mins(config.session_idle_minutes),
            absolute: jiff::SignedDuration::from_hours(config.session_absolute_hours),
        },
        throttle: ThrottlePolicy::default(),
    }
}

pub async fn run(db: &Db, config: &Config, c: MaintenanceCommand) -> Result<()> {
    match c {
        MaintenanceCommand::Purge => {
            let mut tx = db.begin().await?;
            let r = maintenance::purge(
                &mut tx,
                &Actor::cli(),
                purge_policy(config),
                jiff::Timestamp::now(),
            )
            .await?;
            tx.commit().await?;
            println!(
                "Removed {} expired session(s), {} old sign-in attempt(s) and {} expired outbox lease(s).",
                r.sessions, r.sign_in_attempts, r.mail_leases
            );
            Ok(())
        }
    }
}
