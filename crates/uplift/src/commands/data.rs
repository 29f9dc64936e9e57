//! Moving data in and out: backup, restore, imports, the demo authority and
//! the bank holidays.

use std::fs::File;
use std::io::{BufReader, BufWriter};

use anyhow::{anyhow, bail, Context, Result};
use uplift_domain::calendar::{BankHolidays, BUNDLED_BANK_HOLIDAYS};
use uplift_store::audit::Actor;
use uplift_store::{settings, Db};

use crate::cli::{BackupArgs, DemoCommand, ImportArgs, RestoreArgs};
use crate::config::Config;

pub async fn backup(db: &Db, args: BackupArgs) -> Result<()> {
    if args.file.exists() {
        bail!(
            "{} already exists: choose a new file name",
            args.file.display()
        );
    }
    // Write beside the target and rename, so a failed backup leaves no file.
    let tmp = args.file.with_extension("partial");
    let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = db.backup(BufWriter::new(f)).await;
    match result {
        Ok(s) => {
            std::fs::rename(&tmp, &args.file)?;
            println!(
                "Backed up {} rows from {} tables to {}.",
                s.rows,
                s.tables,
                args.file.display()
            );
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e.into())
        }
    }
}

pub async fn restore(db: &Db, args: RestoreArgs) -> Result<()> {
    let f =
        File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let s = db.restore(BufReader::new(f), &name).await?;
    println!(
        "Restored {} rows into {} tables from {}.",
        s.rows, s.tables, name
    );
    Ok(())
}

pub async fn demo(db: &Db, cmd: DemoCommand) -> Result<crate::commands::serve::DemoSignIn> {
    match cmd {
        DemoCommand::Load => {
            let sign_in = super::serve::load_demo(db).await?;
            sign_in.print();
            Ok(sign_in)
        }
    }
}

pub async fn import(db: &Db, args: ImportArgs) -> Result<()> {
    super::import::run(db, args).await
}

/// Loads the bundled Camden register into the demo organisation's estate;
/// returns a school for the demo school account, if the register has one.
pub async fn load_demo_register(db: &Db, organisation_id: i64) -> Result<Option<i64>> {
    super::import::load_demo_register(db, organisation_id).await
}

/// The bank holidays in force: the stored copy, or the one shipped with Uplift.
pub async fn bank_holidays(config: &Config) -> Result<BankHolidays> {
    let db = super::open(&config.database_url).await?;
    let stored = db.setting(settings::BANK_HOLIDAYS).await?;
    db.close().await;
    let text = stored.as_deref().unwrap_or(BUNDLED_BANK_HOLIDAYS);
    BankHolidays::parse(text).map_err(|e| anyhow!("the stored bank holidays are unreadable: {e}"))
}

pub async fn store_bank_holidays(
    config: &Config,
    _parsed: &BankHolidays,
    raw: &[u8],
) -> Result<()> {
    let text =
        std::str::from_utf8(raw).map_err(|_| anyhow!("the bank-holidays file is not UTF-8"))?;
    let db = super::open(&config.database_url).await?;
    let mut tx = db.begin().await?;
    settings::set(&mut tx, &Actor::cli(), settings::BANK_HOLIDAYS, text).await?;
    tx.commit().await?;
    db.close().await;
    Ok(())
}
