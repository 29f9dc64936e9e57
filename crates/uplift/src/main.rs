//! `uplift`: the one binary. It reads the configuration, opens the database
//! (migrating it) and runs a command.

mod cli;
mod commands;
mod config;
mod logging;
mod scheduler;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line naming the problem.
            let msg = format!("{e:#}");
            eprintln!(
                "uplift: {}",
                msg.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            ExitCode::FAILURE
        }
    }
}
