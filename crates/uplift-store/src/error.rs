use thiserror::Error;

/// What can go wrong in the store. Messages are one line and name the problem.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database URL {0:?} is not supported: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot open the database {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// The domain refused a causing-concern decision or step; the error keeps
    /// its type (and so the field it concerns) to the edge.
    #[error(transparent)]
    Decision(#[from] uplift_domain::concern::DecisionError),
    /// The domain refused an escalation step (a warning notice, its outcome,
    /// a written notice, eligibility, a power, an academy concern).
    #[error(transparent)]
    Escalation(#[from] uplift_domain::concern::EscalationError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Backup(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True when the database refused a row because a unique key already exists.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            StoreError::Conflict(_) => true,
            _ => false,
        }
    }
}
