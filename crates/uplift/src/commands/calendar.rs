//! Working days in England, for officers and scripts.

use anyhow::{anyhow, Context, Result};
use uplift_domain::calendar::{BankHolidays, WorkingDayCalendar};

use crate::cli::CalendarCommand;
use crate::config::Config;

pub async fn run(cmd: CalendarCommand, config: &Config) -> Result<()> {
    match cmd {
        CalendarCommand::AddWorkingDays { date, n } => {
            let d: jiff::civil::Date = date
                .parse()
                .map_err(|_| anyhow!("{date:?} is not a date: use YYYY-MM-DD"))?;
            let holidays = super::data::bank_holidays(config).await?;
            if !holidays.covers(d) {
                eprintln!(
                    "warning: the bank holidays known cover {:?} only; refresh them with `uplift calendar update FILE`",
                    holidays.covered_years()
                );
            }
            let out = holidays
                .add_working_days(d, n)
                .map_err(|e| anyhow!("{e}"))?;
            println!("{out}");
            Ok(())
        }
        CalendarCommand::Update { file } => {
            let text =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let parsed =
                BankHolidays::parse_bytes(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            super::data::store_bank_holidays(config, &parsed, &text).await?;
            println!(
                "Bank holidays updated: {} England-and-Wales dates, {:?}.",
                parsed.len(),
                parsed.covered_years()
            );
            Ok(())
        }
    }
}
