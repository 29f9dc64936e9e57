//! One module per command; `run` dispatches.

mod admin;
mod calendar;
mod categorise;
mod data;
mod import;
mod maintenance;
mod notify;
mod serve;

use anyhow::{Context, Result};
use uplift_store::Db;

use crate::cli::{Cli, Command};
use crate::config::Config;

pub async fn run(cli: Cli) -> Result<()> {
    let mut config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    crate::logging::init(&config.log_format, &config.log);
    match cli.command {
        // Commands that need no database.
        Command::Calendar(c) => return calendar::run(c, &config).await,
        Command::Policy(crate::cli::PolicyCommand::Check { file }) => {
            return categorise::check(&file)
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            let applied = db.migrate().await?;
            if applied.is_empty() {
                println!(
                    "The database is up to date (schema version {}).",
                    db.schema_version().await?
                );
            } else {
                println!("Applied {}.", applied.join(", "));
            }
            return Ok(());
        }
        _ => {}
    }
    let db = open(&config.database_url).await?;
    let result = match cli.command {
        Command::Serve(args) => serve::run(db.clone(), &config, args).await,
        Command::Org(c) => admin::org(&db, c).await,
        Command::User(c) => admin::user(&db, c).await,
        Command::Token(c) => admin::token(&db, c).await,
        Command::Backup(a) => data::backup(&db, a).await,
        Command::Restore(a) => data::restore(&db, a).await,
        Command::Demo(c) => data::demo(&db, c).await.map(|_| ()),
        Command::Import(a) => data::import(&db, a).await,
        Command::Categorise(a) => categorise::run(&db, a).await,
        Command::Policy(c) => categorise::policy(&db, c).await,
        Command::Mail(c) => notify::mail(&db, &config, c).await,
        Command::Notify(c) => notify::notify(&db, c).await,
        Command::Maintenance(c) => maintenance::run(&db, &config, c).await,
        Command::Calendar(_) | Command::Migrate => Ok(()),
    };
    db.close().await;
    result
}

/// Opens the database and brings its schema up to date.
pub async fn open(url: &str) -> Result<Db> {
    Db::open(url)
        .await
        .with_context(|| "cannot start".to_string())
}
