//! Security fixes, each proved through the whole application: redirects after
//! sign-in, the client behind a trusted proxy, token lifetimes, `__Host-`
//! cookies, multipart bodies refused before they are read, the throttled
//! password check on the account page, password strength and CSV exports.

#[path = "../common/mod.rs"]
mod common;

mod account_throttle;
mod csv_exports;
mod host_cookies;
mod multipart_guard;
mod passwords;
mod proxy;
mod redirects;
mod token_expiry;
