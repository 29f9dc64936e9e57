//! Schema migrations, embedded in the binary: one list per backend, the same
//! versions and the same logical schema in each.

use crate::connect::Pool;
use crate::{now, Backend, Db, Result, StoreError};

/// One step of the schema.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $(($v:literal, $name:literal)),* $(,)?) => {
        &[$(Migration {
            version: $v,
            name: $name,
            sql: include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")),
        }),*]
    };
}

pub static SQLITE: &[Migration] = migrations!("sqlite":
    (1, "0001_foundation"), (2, "0002_settings"), (3, "0003_register"),
    (4, "0004_categorisation"), (5, "0005_visits"), (6, "0006_concern"),
    (7, "0007_notifications"), (8, "0008_visit_attachments_qa"), (9, "0009_meetings_plans"),
    (10, "0010_letterhead"), (11, "0011_school_contacts"), (14, "0014_placements"));
pub static POSTGRES: &[Migration] = migrations!("postgres":
    (1, "0001_foundation"), (2, "0002_settings"), (3, "0003_register"),
    (4, "0004_categorisation"), (5, "0005_visits"), (6, "0006_concern"),
    (7, "0007_notifications"), (8, "0008_visit_attachments_qa"), (9, "0009_meetings_plans"),
    (10, "0010_letterhead"), (11, "0011_school_contacts"), (14, "0014_placements"));

pub fn for_backend(backend: Backend) -> &'static [Migration] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    SQLITE.last().map(|m| m.version).unwrap_or(0)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS uplift_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

impl Db {
    /// Applies every migration not yet applied, each in its own transaction.
    /// Returns the names of the migrations applied.
    pub async fn migrate(&self) -> Result<Vec<&'static str>> {
        let mut applied = Vec::new();
        if let Pool::Postgres(p) = self.pool() {
            // Two processes starting at once must not both migrate.
            sqlx::query(CREATE_TABLE).execute(p).await?;
        }
        for m in for_backend(self.backend()) {
            let mut tx = self.begin().await?;
            if let Pool::Postgres(_) = self.pool() {
                on_tx!(tx, c => sqlx::query("SELECT pg_advisory_xact_lock(7461293)").execute(&mut **c).await.map(|r| r.rows_affected()))?;
            }
            on_tx!(tx, c => sqlx::raw_sql(CREATE_TABLE).execute(&mut **c).await.map(|r| r.rows_affected()))?;
            let done: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
                "SELECT version FROM uplift_migrations WHERE version = $1")
                .bind(m.version).fetch_optional(&mut **c).await)?;
            if done.is_some() {
                continue;
            }
            on_tx!(tx, c => sqlx::raw_sql(m.sql).execute(&mut **c).await.map(|r| r.rows_affected())).map_err(|e| {
                StoreError::Invalid(format!("migration {} failed: {e}", m.name))
            })?;
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO uplift_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version).bind(m.name).bind(now()).execute(&mut **c).await.map(|r| r.rows_affected()))?;
            tx.commit().await?;
            applied.push(m.name);
        }
        Ok(applied)
    }

    /// The schema version of the database (0 when nothing is applied).
    pub async fn schema_version(&self) -> Result<i64> {
        let exists = self
            .table_names()
            .await?
            .iter()
            .any(|t| t == "uplift_migrations");
        if !exists {
            return Ok(0);
        }
        let v: Option<i64> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT MAX(version) FROM uplift_migrations").fetch_one(p).await)?;
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
        let s: Vec<_> = SQLITE.iter().map(|m| (m.version, m.name)).collect();
        let p: Vec<_> = POSTGRES.iter().map(|m| (m.version, m.name)).collect();
        assert_eq!(s, p);
        for w in s.windows(2) {
            assert!(w[0].0 < w[1].0, "versions must increase");
        }
    }
}
