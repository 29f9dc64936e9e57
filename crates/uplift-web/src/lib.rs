//! The web interface and JSON API of Uplift.

pub mod assets;
pub mod templates;
