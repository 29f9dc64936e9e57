//! Opening a database from its URL, and transactions on either backend.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

use crate::{Result, StoreError};

/// Which database engine is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone (clones share the pool and the
/// counters).
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    url: String,
    shared: Arc<Shared>,
}

/// What every clone of a [`Db`] shares besides the pool.
#[derive(Debug, Default)]
struct Shared {
    /// Statements issued (every `on_pool!` and `on_tx!`).
    statements: Arc<AtomicU64>,
    /// Estate categorisations computed for the placements read model.
    categorisations: AtomicU64,
    /// One lock per organisation, held while its placements are recomputed,
    /// so that concurrent readers of stale placements compute them once.
    refresh_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// The school list's filter values, with the register version they were
    /// read at.
    filter_options: Mutex<Option<(i64, crate::register::SchoolFilterOptions)>>,
    /// Decoded placements and parsed policies (see [`crate::placements::ReadCache`]).
    read_cache: crate::placements::ReadCache,
}

/// The URL with any password hidden, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Db {
    fn with_pool(pool: Pool, url: String) -> Db {
        Db {
            pool,
            url,
            shared: Arc::default(),
        }
    }

    /// Opens the database named by `url` (`sqlite://PATH`, `sqlite::memory:` or
    /// `postgres://…`), creating a SQLite file on first use. Does not migrate.
    pub async fn connect(url: &str) -> Result<Db> {
        let shown = redact_url(url);
        let open_err = |e: sqlx::Error| StoreError::Open {
            url: shown.clone(),
            reason: one_line(&e.to_string()),
        };
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(open_err)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory");
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                // An in-memory database exists once per connection: keep one.
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(open_err)?;
            Ok(Db::with_pool(Pool::Sqlite(pool), shown))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(open_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(open_err)?;
            Ok(Db::with_pool(Pool::Postgres(pool), shown))
        } else {
            Err(StoreError::UnsupportedUrl(shown))
        }
    }

    /// Opens and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with the password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool, for one statement: [`on_pool!`](crate::on_pool) calls this,
    /// and each call counts as one statement in [`Db::query_count`].
    #[doc(hidden)]
    pub fn pool(&self) -> &Pool {
        self.shared.statements.fetch_add(1, Ordering::Relaxed);
        &self.pool
    }

    /// How many statements this database handle (and its clones, and the
    /// transactions they began) has issued: every `on_pool!` and `on_tx!`
    /// counts one. Cheap (a relaxed atomic), always on; tests use it to check
    /// that a page issues a bounded number of queries.
    pub fn query_count(&self) -> u64 {
        self.shared.statements.load(Ordering::Relaxed)
    }

    /// How many times the placements read model categorised an organisation's
    /// whole estate (see [`crate::placements`]).
    pub fn categorisation_count(&self) -> u64 {
        self.shared.categorisations.load(Ordering::Relaxed)
    }

    pub(crate) fn count_categorisation(&self) {
        self.shared.categorisations.fetch_add(1, Ordering::Relaxed);
    }

    /// The filter values cached for a register version.
    pub(crate) fn cached_filter_options(
        &self,
        version: i64,
    ) -> Option<crate::register::SchoolFilterOptions> {
        let slot = self
            .shared
            .filter_options
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        slot.as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, o)| o.clone())
    }

    pub(crate) fn cache_filter_options(
        &self,
        version: i64,
        options: &crate::register::SchoolFilterOptions,
    ) {
        *self
            .shared
            .filter_options
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((version, options.clone()));
    }

    /// The in-memory cache of the placements read model (32 MiB), shared by
    /// every clone of this handle (the web state's among them).
    pub fn read_cache(&self) -> &crate::placements::ReadCache {
        &self.shared.read_cache
    }

    /// The lock held while an organisation's placements are recomputed.
    pub(crate) fn refresh_lock(&self, organisation_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .shared
            .refresh_locks
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        locks.entry(organisation_id).or_default().clone()
    }

    /// Starts a transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue instead of failing.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(self.tx(inner))
    }

    fn tx(&self, inner: TxInner) -> Tx {
        Tx {
            inner,
            statements: self.shared.statements.clone(),
        }
    }

    /// A read-only view that needs no lock (plain `BEGIN`).
    pub async fn begin_read(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(self.tx(inner))
    }

    /// A read-only snapshot of the whole database, for reading many tables
    /// consistently (a backup): on PostgreSQL `BEGIN ISOLATION LEVEL
    /// REPEATABLE READ READ ONLY`, so every statement sees the database as of
    /// the first one; on SQLite a read transaction, which in WAL mode keeps
    /// the snapshot of its first read until it ends. Writers are not blocked.
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxInner::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        };
        Ok(self.tx(inner))
    }

    /// Runs one SQL statement as given and returns the rows it changed. For
    /// operators and tests; the application uses the repositories. The
    /// statement may have changed anything, so every organisation's stored
    /// placements are marked stale (when the schema has them).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        let r = on_pool!(self.pool(), p => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()))?;
        // Before migrations (or on a schema without the read model) there is
        // nothing to mark.
        let _ = on_pool!(self.pool(), p => sqlx::query(
            "INSERT INTO placement_inputs (scope_id, version) VALUES ($1, 1)
             ON CONFLICT (scope_id) DO UPDATE SET version = placement_inputs.version + 1")
            .bind(crate::placements::REGISTER_SCOPE).execute(p).await.map(|r| r.rows_affected()));
        Ok(r)
    }

    /// Runs a query whose first column is text and joins the values with newlines.
    pub async fn execute_raw_text(&self, sql: &str) -> Result<String> {
        let v: Vec<Option<String>> =
            on_pool!(self.pool(), p => sqlx::query_scalar(sql).fetch_all(p).await)?;
        Ok(v.into_iter().flatten().collect::<Vec<_>>().join("\n"))
    }

    /// The value of a SQLite pragma (None on PostgreSQL).
    pub async fn pragma(&self, name: &str) -> Result<String> {
        match &self.pool {
            Pool::Sqlite(p) => {
                use sqlx::Row;
                let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(p).await?;
                let v = row
                    .try_get::<String, _>(0)
                    .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))?;
                Ok(v)
            }
            Pool::Postgres(_) => Err(StoreError::Invalid("pragmas are SQLite's".into())),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

#[doc(hidden)]
pub enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A transaction on either backend. Dropped without [`Tx::commit`], it rolls back:
/// nothing is ever half-written.
pub struct Tx {
    inner: TxInner,
    statements: Arc<AtomicU64>,
}

impl Tx {
    /// The connection, for one statement: [`on_tx!`](crate::on_tx) calls
    /// this, and each call counts in [`Db::query_count`].
    #[doc(hidden)]
    pub fn inner_mut(&mut self) -> &mut TxInner {
        self.statements.fetch_add(1, Ordering::Relaxed);
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
