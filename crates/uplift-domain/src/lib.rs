//! The school-improvement model and its rules.
//!
//! Pure Rust: nothing here touches the network, the file system or a database,
//! so every rule can be tested quickly and densely.

pub mod access;
pub mod calendar;
pub mod concern;
pub mod identity;
pub mod policy;
pub mod register;
pub mod visits;
