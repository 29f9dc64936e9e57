//! Persistence for Uplift: one schema, one set of repositories, two backends.
//!
//! SQLite is embedded and the default; PostgreSQL is the scale-out store. Every
//! query is written once, in SQL both backends accept (`$1` placeholders, text
//! ISO-8601 dates, `BOOLEAN`, `BIGINT` keys), and compiled for each backend by
//! the [`on_pool!`] and [`on_tx!`] macros, so there is a single implementation
//! to test and it is tested on both (see `tests/conformance.rs`).

/// Runs `$body` with `$p` bound to the backend's own pool type.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::connect::Pool::Sqlite($p) => $body,
            $crate::connect::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the backend's own connection inside a transaction.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx.inner_mut() {
            $crate::connect::TxInner::Sqlite($c) => $body,
            $crate::connect::TxInner::Postgres($c) => $body,
        }
    };
}

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod categorisation;
pub mod concern;
#[doc(hidden)]
pub mod connect;
pub mod contacts;
mod error;
pub mod jobs;
pub mod letterhead;
pub mod mail;
pub mod maintenance;
pub mod meetings;
pub mod migrate;
pub mod notifications;
pub mod orgs;
pub mod placements;
pub mod plans;
pub mod qa;
pub mod register;
mod secret;
pub mod sessions;
pub mod settings;
pub mod spb;
pub mod testkit;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod visits;

pub use connect::{Backend, Db, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time as stored: RFC 3339 in UTC with microseconds.
pub fn now() -> String {
    timestamp(jiff::Timestamp::now())
}

/// Formats a timestamp the way the database stores it (sorts as text).
pub fn timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
