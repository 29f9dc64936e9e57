//! Presentation shared by a page and its API operation (documents, labels,
//! what both show of a thing), built once, so neither imports the other.
//! Never rules or handlers: those live in `uplift-app` and `pages`/`api`.

pub mod attachments;
pub mod concern;
pub mod meetings;
pub mod plans;
pub mod spb;
pub mod visits;
