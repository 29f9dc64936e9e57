//! Presentation shared by a page and its API operation (never rules, never
//! handlers): what both show of a thing, built once.

pub mod attachments;
pub mod visits;
