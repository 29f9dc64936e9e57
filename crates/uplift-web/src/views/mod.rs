//! Presentation shared by a page and an API operation (documents, labels),
//! so neither imports the other. Rules and queries live in `uplift-app`.

pub mod concern;
pub mod meetings;
pub mod plans;
pub mod spb;
