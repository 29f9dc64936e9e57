//! The command line: every command, its options and its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "uplift",
    version,
    about = "Uplift: school-improvement case management for local authorities, partnerships, trusts and traded services",
    propagate_version = true
)]
pub struct Cli {
    /// Database to use: sqlite://PATH (created on first use) or postgres://USER@HOST/DB.
    /// Default: sqlite://uplift.db in the working directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Configuration file (TOML). Default: uplift.toml in the working directory, if present.
    #[arg(long, env = "UPLIFT_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface and the JSON API.
    Serve(ServeArgs),
    /// Bring the database schema up to date (also done at every start).
    Migrate,
    /// Manage organisations (the tenants: a council, a partnership, a trust).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write the whole database to FILE in the portable backup format.
    Backup(BackupArgs),
    /// Restore a backup FILE into an empty database (SQLite or PostgreSQL).
    Restore(RestoreArgs),
    /// The bundled sample local authority.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Import a published data file into the register.
    Import(ImportArgs),
    /// Working days in England.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Place every school of the estate in a category under a policy, with its
    /// reasons. Changes nothing unless --apply is given.
    Categorise(CategoriseArgs),
    /// Check a policy file, or choose the organisation's policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The email outbox of notifications.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Scheduled notifications.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Housekeeping that `uplift serve` also does daily.
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Delete sessions past their idle or absolute expiry, sign-in attempts
    /// older than the throttle window (15 minutes) and expired leases on
    /// outbox messages; recorded in the audit log as one entry with the
    /// counts. `uplift serve` does this once a day.
    Purge,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send every email due now through the configured SMTP relay (smtp_host),
    /// once; failures stay in the outbox and are retried later.
    SendPending,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Notify overdue visits, pre-visit forms due and overdue responses to notes
    /// (idempotent: nobody is notified twice of the same thing).
    Sweep {
        /// The day to sweep as of (YYYY-MM-DD). Default: today.
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Default: 127.0.0.1:8080.
    #[arg(long, env = "UPLIFT_BIND")]
    pub bind: Option<String>,
    /// On an empty database, load the bundled sample local authority and demo users,
    /// and print how to sign in.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation.
    Add {
        /// Short name used in URLs and commands, e.g. camden.
        #[arg(long)]
        slug: String,
        /// Name shown in the header, e.g. "Camden Council".
        #[arg(long)]
        name: String,
        /// local-authority, partnership, trust or traded-service.
        #[arg(long, default_value = "local-authority")]
        kind: String,
        /// The local-authority code whose schools the organisation serves, e.g. 202.
        #[arg(long)]
        la: Option<String>,
    },
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input, or generated and
    /// printed when standard input is a terminal or --generate-password is given.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, lead, adviser, panel, school, commissioner or traded.
        #[arg(long)]
        role: String,
        /// The URN of the school a school user belongs to.
        #[arg(long)]
        school: Option<i64>,
        /// The organisation's slug (default: the only organisation).
        #[arg(long)]
        organisation: Option<String>,
        /// Generate a strong password and print it.
        #[arg(long)]
        generate_password: bool,
    },
    /// Set a new password (read from standard input, or generated and printed)
    /// and end the user's sessions and API tokens.
    Reset {
        #[arg(long)]
        email: String,
        /// Generate a strong password and print it.
        #[arg(long)]
        generate_password: bool,
    },
    /// Disable a user: they can no longer sign in, and their sessions and API
    /// tokens end at once (audited).
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled user again (audited). Their old API tokens stay revoked.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// List the users of an organisation.
    List {
        /// The organisation's slug (default: the only organisation).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for a user and print it once.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "finance export".
        #[arg(long, default_value = "api")]
        name: String,
        /// The token stops working after this many days (1 to 366). Default: no expiry.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        expires_in_days: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `uplift backup`.
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Load the bundled sample local authority (Camden, real published data) and demo users.
    Load,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// gias, gias-links, gias-groups, gias-group-links, spc, ofsted, ks2, ks4, census or absence.
    pub kind: String,
    /// The published file.
    pub file: PathBuf,
    /// Only rows for this local-authority code (repeatable).
    #[arg(long = "la")]
    pub la: Vec<String>,
    /// Print the summary as JSON (keys inserted, updated, unchanged, rejected).
    #[arg(long)]
    pub summary: Option<SummaryFormat>,
    /// All or nothing: refuse the whole file, writing nothing, if any row is
    /// rejected (by default rejected rows are listed and the rest imported).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the date N working days after DATE (ISO dates; weekends and
    /// England-and-Wales bank holidays are not working days).
    AddWorkingDays {
        /// YYYY-MM-DD
        date: String,
        /// How many working days.
        n: u32,
    },
    /// Replace the bank holidays with a GOV.UK bank-holidays.json file.
    Update {
        /// A copy of https://www.gov.uk/bank-holidays.json
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum CategoriseFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct CategoriseArgs {
    /// A preset (la-differentiated, side-by-side, priority-schools, trust) or a
    /// policy TOML file. Default: the organisation's policy in force.
    #[arg(long)]
    pub policy: Option<String>,
    /// table (default), json (one object per school) or csv (the estate assessment).
    #[arg(long, value_enum, default_value_t = CategoriseFormat::Table)]
    pub format: CategoriseFormat,
    /// Record the placements: a first category for schools without one, a
    /// proposal for a lead to decide where the category would change (audited).
    #[arg(long)]
    pub apply: bool,
    /// The organisation's slug (default: the only organisation).
    #[arg(long)]
    pub organisation: Option<String>,
    /// The date the facts describe, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file: unknown facts, unreachable categories and type
    /// errors are reported with their line and column (exit non-zero).
    Check {
        /// The policy TOML file.
        file: PathBuf,
    },
    /// Put a preset or a policy file in force for the organisation (audited);
    /// a policy with errors is refused and the previous one stays in force.
    Use {
        /// A preset name or a policy TOML file.
        policy: String,
        /// The organisation's slug (default: the only organisation).
        #[arg(long)]
        organisation: Option<String>,
    },
    /// List the presets and the organisation's policy history.
    List {
        /// The organisation's slug (default: the only organisation).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definitions_are_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_help() {
        fn walk(c: &clap::Command, path: &str) {
            if c.get_name() != "help" {
                assert!(
                    c.get_about().is_some(),
                    "{path} {} has no help text",
                    c.get_name()
                );
            }
            for s in c.get_subcommands() {
                walk(s, &format!("{path} {}", c.get_name()));
            }
        }
        for s in Cli::command().get_subcommands() {
            walk(s, "uplift");
        }
    }

    #[test]
    fn categorise_takes_policy_format_and_apply() {
        let cli = Cli::try_parse_from([
            "uplift",
            "categorise",
            "--policy",
            "trust",
            "--format",
            "json",
            "--apply",
        ])
        .unwrap();
        match cli.command {
            Command::Categorise(a) => {
                assert_eq!(a.policy.as_deref(), Some("trust"));
                assert_eq!(a.format, CategoriseFormat::Json);
                assert!(a.apply);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn import_takes_repeated_la_and_json_summary() {
        let cli = Cli::try_parse_from([
            "uplift",
            "import",
            "gias",
            "f.csv",
            "--la",
            "202",
            "--la",
            "201",
            "--summary",
            "json",
        ])
        .unwrap();
        match cli.command {
            Command::Import(a) => {
                assert_eq!(a.la, vec!["202", "201"]);
                assert_eq!(a.summary, Some(SummaryFormat::Json));
            }
            other => panic!("{other:?}"),
        }
    }
}
