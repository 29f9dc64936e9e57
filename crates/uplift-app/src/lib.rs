//! The application layer: the one place each use case lives.
//!
//! Pages, the JSON API and the command line are adapters: they parse their
//! input (a form, a JSON body, arguments), call one function here, and render
//! its result or its [`AppError`]. Each use case
//!
//! * checks who is asking against the access policy (`uplift_domain::access`),
//! * validates its input into domain types, reporting every problem as a
//!   [`FieldError`] naming the input it concerns,
//! * owns its transaction (nothing is half-written), and
//! * takes "today" from the [`App`]'s [`Clock`], in Europe/London.
//!
//! Rules stay in `uplift-domain`; persistence in `uplift-store`. See
//! `ARCHITECTURE.md` at the top of the repository.

pub mod audit;
pub mod categories;
pub mod clock;
pub mod concern;
pub mod contacts;
pub mod error;
pub mod letterhead;
pub mod meetings;
pub mod plans;
pub mod register;
pub mod spb;
pub mod visits;

use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;
use uplift_domain::access::{authorize, Action, Decision, Principal, Scope};
use uplift_store::audit::Actor;
use uplift_store::Db;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, FieldError, Result};

/// The application: the store and the clock every use case runs against.
#[derive(Clone)]
pub struct App {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl App {
    /// The application on the system clock.
    pub fn new(db: Db) -> App {
        App::with_clock(db, Arc::new(SystemClock))
    }

    /// The application on a given clock (tests set the date this way).
    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> App {
        App { db, clock }
    }

    /// The store, for the queries not yet moved into use cases.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Today in England (Europe/London).
    pub fn today(&self) -> Date {
        self.clock.today()
    }

    /// This instant.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// Runs CPU-bound work (rendering a PDF or Word file, hashing a password,
/// categorising an estate) on tokio's blocking pool, so it never stalls the
/// requests the async runtime is serving.
pub async fn blocking<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        AppError::Store(uplift_store::StoreError::Invalid(format!(
            "background work failed: {e}"
        )))
    })
}

/// Who is acting: the access policy's view of them, how the audit log names
/// them, and the name and role they sign letters with.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
    /// The person's name ("Alex Lead").
    pub name: String,
}

impl Caller {
    /// Refuses unless the access policy allows `action` on `scope`: a thing
    /// the caller may not even know exists is [`AppError::NotFound`].
    pub fn authorize(&self, action: Action, scope: Scope) -> Result<()> {
        match authorize(&self.principal, action, scope) {
            Decision::Allow => Ok(()),
            Decision::Forbid => Err(AppError::Forbidden),
            Decision::Hide => Err(AppError::NotFound),
        }
    }

    /// The caller's organisation.
    pub fn organisation_id(&self) -> i64 {
        self.principal.organisation_id
    }

    /// The role letters are signed with ("Head of school improvement").
    pub fn role_label(&self) -> &'static str {
        self.principal.role.label()
    }
}
