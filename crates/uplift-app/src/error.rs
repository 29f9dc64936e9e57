//! The error policy of every use case.
//!
//! * [`AppError::Invalid`]: the input was refused; each [`FieldError`] names
//!   the input it concerns, by the use case's own name for it (`rationale`,
//!   `decided_on`, ...), with a message in sentence case for a person. Pages
//!   show them in the GOV.UK error summary beside the field; the API answers
//!   422 with `{"error": …, "errors": [{"field", "message"}]}`.
//! * [`AppError::NotFound`]: the thing does not exist, or the caller may not
//!   know it does (another organisation's, another school's): 404.
//! * [`AppError::Forbidden`]: the caller may see it but not do this: 403.
//! * [`AppError::Store`]: anything else went wrong underneath: 500, logged.
//!
//! Nothing is saved when a use case returns an error.

use serde::Serialize;
use uplift_store::StoreError;

/// One refused input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The use case's name for the input.
    pub field: String,
    /// What is wrong and what to do, in sentence case.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl AsRef<str>) -> FieldError {
        FieldError {
            field: field.into(),
            message: sentence(message.as_ref()),
        }
    }
}

/// Why a use case refused.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("not permitted")]
    Forbidden,
    #[error(transparent)]
    Store(StoreError),
}

/// A use case's result.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// One refused input.
    pub fn field(field: &str, message: impl AsRef<str>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The refused inputs (empty for any other error).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(e) => e,
            _ => &[],
        }
    }

    /// A store error in which a refusal (`StoreError::Invalid`, whose message
    /// names no input) is reported against `field`.
    pub fn refused_on(field: &str) -> impl Fn(StoreError) -> AppError + '_ {
        move |e| match e {
            StoreError::Invalid(m) | StoreError::Conflict(m) => AppError::field(field, m),
            other => AppError::from(other),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Decision(d) => AppError::field(d.field(), d.to_string()),
            StoreError::Escalation(e) => AppError::field(e.field(), e.to_string()),
            other => AppError::Store(other),
        }
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message with a capital first letter.
pub fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Collects refusals while a use case checks its input.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    pub fn add(&mut self, field: &str, message: impl AsRef<str>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was refused.
    pub fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
