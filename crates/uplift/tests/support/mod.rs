//! Support for the real-browser tests (`tests/browser_*.rs`): the built
//! binary serving the demo authority ([`DemoServer`]) and headless Chromium
//! driven over WebDriver ([`Browser`]).
//!
//! A test starts like this:
//!
//! ```ignore
//! mod support;
//! use support::{Browser, DemoServer};
//!
//! #[test]
//! fn a_lead_signs_in() {
//!     if !Browser::available() {
//!         return; // printed "Browser was not tested: ..." (fails when UPLIFT_REQUIRE_BROWSER=1)
//!     }
//!     let app = DemoServer::start();
//!     let b = Browser::open();
//!     b.sign_in(&app, "lead");
//!     assert!(b.page_text().contains("Camden Council"));
//! }
//! ```
//!
//! Only one browser runs at a time in a test binary (`Browser::open` waits for
//! the previous one to be dropped): the machine has two cores.

#![allow(dead_code)]

pub mod browser;
pub mod demo;

pub use browser::Browser;
pub use demo::DemoServer;
