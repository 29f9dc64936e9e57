//! Schema migrations, embedded in the binary by sqlx's migrator: one folder
//! per backend (`migrations/sqlite`, `migrations/postgres`), the same versions
//! and the same logical schema in each. sqlx records every applied migration
//! with its SHA-384 checksum in `_sqlx_migrations`, so a migration changed
//! after it was applied is refused.
//!
//! Two instances starting together must both succeed, one applying and the
//! other finding nothing to do:
//! - on PostgreSQL the whole run holds the migrator's advisory lock
//!   (`pg_advisory_lock`, keyed on the database name) and each migration is
//!   applied in its own transaction;
//! - on SQLite, where sqlx takes no lock, the whole run is one `BEGIN
//!   IMMEDIATE` write transaction (each migration a savepoint inside it), so a
//!   second instance waits for the first and then finds everything applied.
//!   A SQLite migration therefore cannot opt out of its transaction
//!   (`-- no-transaction`); none needs to (0011 rebuilds `letters` inside it).
//!
//! A database migrated by the hand-written runner of earlier versions (its
//! history in `uplift_migrations`) is adopted: its rows are copied into
//! `_sqlx_migrations` with this build's checksums, and `uplift_migrations`
//! dropped, in one transaction, without re-running anything. A database that
//! has a migration this build does not know (migrated by a newer Uplift) is
//! refused with one line saying so.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::Connection;

use crate::connect::Pool;
use crate::{Backend, Db, Result, StoreError};

/// The SQLite schema.
pub static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
/// The PostgreSQL schema (the same versions as [`SQLITE`]).
pub static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The migrations of one backend.
pub fn for_backend(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    SQLITE.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A migration's name as its file is named, e.g. `0011_school_contacts`.
pub fn name(m: &sqlx::migrate::Migration) -> String {
    format!("{:04}_{}", m.version, m.description.replace(' ', "_"))
}

/// The table in which the runner of Uplift before sqlx's migrator kept its history.
pub const LEGACY_TABLE: &str = "uplift_migrations";

/// What the database records as applied, read under the lock.
struct Applied {
    /// Version → checksum.
    versions: BTreeMap<i64, Vec<u8>>,
    /// The history of the old runner, when its table is still there: (version, name, applied_at).
    legacy: Option<Vec<(i64, String, String)>>,
}

fn newer(version: i64) -> StoreError {
    StoreError::Invalid(format!(
        "this database was migrated by a newer Uplift (schema version {version}); this build knows up to {}: upgrade Uplift",
        latest_version()
    ))
}

/// Checks what is applied against what this build knows, and returns the
/// migrations still to apply.
fn plan(migrator: &Migrator, applied: &BTreeMap<i64, Vec<u8>>) -> Result<Vec<String>> {
    let known: BTreeMap<i64, &sqlx::migrate::Migration> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, m))
        .collect();
    let unknown: BTreeSet<i64> = applied
        .keys()
        .copied()
        .filter(|v| !known.contains_key(v))
        .collect();
    if let Some(&v) = unknown.last() {
        if v > latest_version() {
            return Err(newer(v));
        }
        return Err(StoreError::Invalid(format!(
            "this database has migration {v}, which this build of Uplift does not have: use the build that migrated it"
        )));
    }
    for (v, checksum) in applied {
        if let Some(m) = known.get(v) {
            if m.checksum.as_ref() != checksum.as_slice() {
                return Err(StoreError::Invalid(format!(
                    "migration {} was changed after it was applied to this database (its checksum differs): restore the original file",
                    name(m)
                )));
            }
        }
    }
    Ok(known
        .values()
        .filter(|m| !applied.contains_key(&m.version))
        .map(|m| name(m))
        .collect())
}

/// A row of `_sqlx_migrations` carried over from the old runner's history.
struct Adopted {
    version: i64,
    description: String,
    checksum: Vec<u8>,
    applied_at: String,
}

/// Checks the old runner's history against this build, and the rows to add
/// to `_sqlx_migrations` for it.
fn adoption(
    migrator: &Migrator,
    legacy: &[(i64, String, String)],
    already: &BTreeMap<i64, Vec<u8>>,
) -> Result<Vec<Adopted>> {
    if let Some(v) = legacy.iter().map(|(v, _, _)| *v).max() {
        if v > latest_version() {
            return Err(newer(v));
        }
    }
    let mut rows = Vec::new();
    for (version, old_name, applied_at) in legacy {
        let m = migrator
            .iter()
            .find(|m| m.version == *version && !m.migration_type.is_down_migration())
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "{LEGACY_TABLE} records migration {old_name}, which this build of Uplift does not have"
                ))
            })?;
        if name(m) != *old_name {
            return Err(StoreError::Invalid(format!(
                "{LEGACY_TABLE} records migration {version} as {old_name}, but this build's migration {version} is {}",
                name(m)
            )));
        }
        if !already.contains_key(version) {
            rows.push(Adopted {
                version: m.version,
                description: m.description.to_string(),
                checksum: m.checksum.to_vec(),
                applied_at: applied_at.clone(),
            });
        }
    }
    Ok(rows)
}

fn migrate_error(migrator: &Migrator, e: MigrateError) -> StoreError {
    match e {
        MigrateError::ExecuteMigration(e, v) => {
            let n = migrator
                .iter()
                .find(|m| m.version == v)
                .map(name)
                .unwrap_or_else(|| v.to_string());
            StoreError::Invalid(format!("migration {n} failed: {e}"))
        }
        MigrateError::Dirty(v) => StoreError::Invalid(format!(
            "migration {v} failed part-way in an earlier run (marked unsuccessful in _sqlx_migrations): repair the schema by hand, then delete that row"
        )),
        MigrateError::Execute(e) => StoreError::Database(e),
        e => StoreError::Invalid(format!("migrations: {e}")),
    }
}

/// The whole run on one connection `$c` (already locked): ensure sqlx's
/// table, adopt the old runner's history, refuse what this build does not
/// know, apply the rest. `$exists` counts the old table; `$installed` is the
/// SQL for the old `applied_at` text ($4) as `installed_on`.
macro_rules! run_on {
    ($c:expr, $migrator:expr, $exists:literal, $installed:literal) => {{
        let c = $c;
        let migrator: &Migrator = $migrator;
        c.ensure_migrations_table()
            .await
            .map_err(|e| migrate_error(migrator, e))?;
        let legacy_exists: i64 = sqlx::query_scalar($exists)
            .bind(LEGACY_TABLE)
            .fetch_one(&mut *c)
            .await?;
        let applied = |rows: Vec<sqlx::migrate::AppliedMigration>| -> BTreeMap<i64, Vec<u8>> {
            rows.into_iter()
                .map(|m| (m.version, m.checksum.to_vec()))
                .collect()
        };
        let mut state = Applied {
            versions: applied(
                c.list_applied_migrations()
                    .await
                    .map_err(|e| migrate_error(migrator, e))?,
            ),
            legacy: None,
        };
        if legacy_exists > 0 {
            state.legacy = Some(
                sqlx::query_as(&format!(
                    "SELECT version, name, applied_at FROM {LEGACY_TABLE} ORDER BY version"
                ))
                .fetch_all(&mut *c)
                .await?,
            );
        }
        if let Some(legacy) = &state.legacy {
            let rows = adoption(migrator, legacy, &state.versions)?;
            let mut tx = c.begin().await?;
            for row in &rows {
                sqlx::query(concat!(
                    "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time, installed_on) ",
                    "VALUES ($1, $2, TRUE, $3, -1, ", $installed, ")"
                ))
                .bind(row.version)
                .bind(&row.description)
                .bind(&row.checksum)
                .bind(&row.applied_at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(&format!("DROP TABLE {LEGACY_TABLE}"))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(
                adopted = rows.len(),
                "schema history carried over from {LEGACY_TABLE} into _sqlx_migrations"
            );
            state.versions = applied(
                c.list_applied_migrations()
                    .await
                    .map_err(|e| migrate_error(migrator, e))?,
            );
        }
        let pending = plan(migrator, &state.versions)?;
        // `run_direct` rather than `run`: the future stays Send (sqlx's
        // `Acquire` bound on `run` is not general enough for tokio::spawn).
        migrator
            .run_direct(&mut *c)
            .await
            .map_err(|e| migrate_error(migrator, e))?;
        Ok::<Vec<String>, StoreError>(pending)
    }};
}

impl Db {
    /// Applies every migration not yet applied. Returns the names of the
    /// migrations applied (empty when the database was up to date).
    pub async fn migrate(&self) -> Result<Vec<String>> {
        match self.pool() {
            Pool::Sqlite(p) => {
                let mut conn = p.acquire().await?;
                // The write lock for the whole run: a second instance waits here.
                let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                let applied = run_on!(
                    &mut *tx,
                    &SQLITE,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                    "$4"
                )?;
                tx.commit().await?;
                Ok(applied)
            }
            Pool::Postgres(p) => {
                let mut conn = p.acquire().await?;
                // The migrator's own advisory lock, held for the whole run
                // (the migrator takes it again inside: it is re-entrant).
                conn.lock().await.map_err(|e| migrate_error(&POSTGRES, e))?;
                let result = async {
                    run_on!(
                        &mut *conn,
                        &POSTGRES,
                        "SELECT COUNT(*) FROM information_schema.tables
                         WHERE table_schema = current_schema() AND table_name = $1",
                        "CAST($4 AS TIMESTAMPTZ)"
                    )
                }
                .await;
                if conn.unlock().await.is_err() {
                    // Never hand back a connection that may still hold the lock.
                    conn.detach();
                }
                result
            }
        }
    }

    /// The schema version of the database (0 when nothing is applied): the
    /// newest migration recorded by sqlx, or by the old runner on a database
    /// not yet adopted.
    pub async fn schema_version(&self) -> Result<i64> {
        let tables = self.table_names().await?;
        let sql = if tables.iter().any(|t| t == "_sqlx_migrations") {
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE"
        } else if tables.iter().any(|t| t == LEGACY_TABLE) {
            "SELECT MAX(version) FROM uplift_migrations"
        } else {
            return Ok(0);
        };
        let v: Option<i64> =
            on_pool!(self.pool(), p => sqlx::query_scalar(sql).fetch_one(p).await)?;
        Ok(v.unwrap_or(0))
    }

    /// The names of the tables in the schema, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = match self.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(p)
            .await?,
            Pool::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(p)
                .await?
            }
        };
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_versions() {
        let s: Vec<_> = SQLITE.iter().map(name).collect();
        let p: Vec<_> = POSTGRES.iter().map(name).collect();
        assert_eq!(s, p);
        assert!(!s.is_empty());
        let versions: Vec<i64> = SQLITE.iter().map(|m| m.version).collect();
        for w in versions.windows(2) {
            assert!(w[0] < w[1], "versions must increase");
        }
        assert_eq!(latest_version(), *versions.last().unwrap_or(&0));
        assert_eq!(name(SQLITE.iter().next().unwrap()), "0001_foundation");
    }

    #[test]
    fn a_version_this_build_does_not_know_is_refused_in_one_line() {
        let mut applied: BTreeMap<i64, Vec<u8>> = SQLITE
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        assert!(plan(&SQLITE, &applied).unwrap().is_empty());
        let newest = latest_version() + 2;
        applied.insert(newest, vec![0]);
        let e = plan(&SQLITE, &applied).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "this database was migrated by a newer Uplift (schema version {newest}); this build knows up to {}: upgrade Uplift",
                latest_version()
            )
        );
        applied.remove(&newest);
        applied.insert(3, vec![1, 2, 3]);
        let e = plan(&SQLITE, &applied).unwrap_err().to_string();
        assert!(e.contains("0003_register") && e.contains("changed"), "{e}");
    }
}
