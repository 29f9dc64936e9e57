//! Backup and restore in one portable format, so a whole database moves between
//! SQLite and PostgreSQL (a user who outgrows SQLite restores into PostgreSQL).
//!
//! The format is JSON Lines:
//! 1. a header `{"format":"uplift-backup","version":1,"schema_version":N,…}`;
//! 2. for each table, `{"table":NAME,"columns":[…],"kinds":[…]}`, one
//!    `{"r":[…]}` line per row, and `{"end_table":NAME,"rows":N}`;
//! 3. a trailer `{"end":true,"rows":TOTAL,"sha256":HEX}` whose hash covers every
//!    line before it, so a truncated or altered file is refused.
//!
//! A backup reads every table in one snapshot (PostgreSQL: one REPEATABLE
//! READ READ ONLY transaction; SQLite: one read transaction), so it is
//! consistent while others write. A restore goes into an empty database in
//! one transaction: it all lands or nothing does.

use std::io::{BufRead, Write};

use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Db, Result, StoreError, Tx};

pub const FORMAT: &str = "uplift-backup";
pub const VERSION: i64 = 1;

/// Every table, parents before children. A test checks this against the schema.
pub const TABLES: &[&str] = &[
    "organisations",
    "schools",
    "organisation_schools",
    "users",
    "sessions",
    "api_tokens",
    "sign_in_attempts",
    "settings",
    "establishment_links",
    "register_groups",
    "group_links",
    "inspections_graded",
    "inspections_ungraded",
    "inspections_report_card",
    "performance_measures",
    "spc_figures",
    "school_changes",
    "intelligence",
    "school_contacts",
    "organisation_policies",
    "organisation_letterheads",
    "category_decisions",
    "flag_overrides",
    "concern_cases",
    "concern_decisions",
    "concern_tasks",
    "concern_notices",
    "concern_written_notices",
    "concern_eligibility",
    "concern_powers",
    "concern_academy_concerns",
    "concern_inspection_support",
    "letter_templates",
    "letters",
    "concern_case_events",
    "organisation_term_dates",
    "meetings",
    "meeting_attendees",
    "meeting_minutes",
    "meeting_agendas",
    "action_plans",
    "action_plan_versions",
    "action_plan_reviews",
    "monitoring_challenge_records",
    "spb_protocols",
    "spb_steps",
    "advisers",
    "school_advisers",
    "visits",
    "visit_self_evaluations",
    "visit_notes",
    "visit_note_addenda",
    "visit_events",
    "visit_attachments",
    "qa_samples",
    "qa_assignments",
    "qa_moderations",
    "qa_shadowed_visits",
    "qa_survey_responses",
    "adviser_annual_reviews",
    "notifications",
    "notification_preferences",
    "mail_outbox",
    "calendar_feeds",
    "job_runs",
    "audit_log",
];

/// Derived tables: the placements read model, rebuilt from the tables above
/// whenever it is stale, so never backed up (a restored database starts with
/// them empty and computes them on first read).
pub const DERIVED_TABLES: &[&str] = &["placement_inputs", "placement_sets", "placements"];

/// How a column's values are carried in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
    Bytes,
}

impl Kind {
    fn from_declared(t: &str) -> Kind {
        let t = t.to_ascii_uppercase();
        if t.contains("BOOL") {
            Kind::Bool
        } else if t.contains("INT") {
            Kind::Int
        } else if t.contains("REAL")
            || t.contains("DOUBLE")
            || t.contains("FLOAT")
            || t.contains("NUMERIC")
        {
            Kind::Real
        } else if t.contains("BLOB") || t.contains("BYTEA") {
            Kind::Bytes
        } else {
            Kind::Text
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Int => "int",
            Kind::Bool => "bool",
            Kind::Real => "real",
            Kind::Text => "text",
            Kind::Bytes => "bytes",
        }
    }
}

/// What a backup or restore moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    pub tables: usize,
    pub rows: u64,
}

struct HashingWriter<W: Write> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn line(&mut self, v: &Value) -> Result<()> {
        let mut s = serde_json::to_string(v).map_err(|e| StoreError::Backup(e.to_string()))?;
        s.push('\n');
        self.hash.update(s.as_bytes());
        self.inner.write_all(s.as_bytes())?;
        Ok(())
    }
}

/// The columns of a table and their declared types: (name, type).
fn columns_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    }
}

fn kinds(cols: Vec<(String, String)>) -> Vec<(String, Kind)> {
    cols.into_iter()
        .map(|(n, t)| (n, Kind::from_declared(&t)))
        .collect()
}

/// The columns of a table, read inside the transaction `tx`.
async fn columns_in(tx: &mut Tx, table: &str) -> Result<Vec<(String, Kind)>> {
    let sql = columns_sql(tx.backend());
    let cols: Vec<(String, String)> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(table).fetch_all(&mut **c).await)?;
    Ok(kinds(cols))
}

impl Db {
    async fn columns(&self, table: &str) -> Result<Vec<(String, Kind)>> {
        let sql = columns_sql(self.backend());
        let cols: Vec<(String, String)> =
            on_pool!(self.pool(), p => sqlx::query_as(sql).bind(table).fetch_all(p).await)?;
        Ok(kinds(cols))
    }

    /// Writes the whole database to `out` in the portable format.
    pub async fn backup<W: Write>(&self, out: W) -> Result<BackupSummary> {
        let mut w = HashingWriter {
            inner: out,
            hash: Sha256::new(),
        };
        // One snapshot for everything read, the schema version included: on
        // PostgreSQL REPEATABLE READ (READ COMMITTED would let a write
        // committed between two tables appear in one and not the other), on
        // SQLite one read transaction.
        let mut tx = self.begin_snapshot().await?;
        let schema_version: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&mut **c).await)?;
        w.line(&json!({
            "format": FORMAT, "version": VERSION, "schema_version": schema_version,
            "source_backend": self.backend().name(), "created_at": crate::now(),
        }))?;
        let mut summary = BackupSummary::default();
        for table in TABLES {
            let cols = columns_in(&mut tx, table).await?;
            let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
            let kinds: Vec<&str> = cols.iter().map(|(_, k)| k.name()).collect();
            w.line(&json!({"table": table, "columns": names, "kinds": kinds}))?;
            let sql = format!(
                "SELECT {} FROM {table} ORDER BY {}",
                names.join(", "),
                names.join(", ")
            );
            let mut n = 0u64;
            on_tx!(tx, c => {
                let mut rows = sqlx::query(&sql).fetch(&mut **c);
                while let Some(row) = rows.try_next().await? {
                    let mut vals = Vec::with_capacity(cols.len());
                    for (i, (_, kind)) in cols.iter().enumerate() {
                        vals.push(match kind {
                            Kind::Int => json!(row.try_get::<Option<i64>, _>(i)?),
                            Kind::Bool => json!(row.try_get::<Option<bool>, _>(i)?),
                            Kind::Real => json!(row.try_get::<Option<f64>, _>(i)?),
                            Kind::Text => json!(row.try_get::<Option<String>, _>(i)?),
                            Kind::Bytes => json!(row.try_get::<Option<Vec<u8>>, _>(i)?.map(hex::encode)),
                        });
                    }
                    w.line(&json!({"r": vals}))?;
                    n += 1;
                }
                Ok::<(), StoreError>(())
            })?;
            w.line(&json!({"end_table": table, "rows": n}))?;
            summary.tables += 1;
            summary.rows += n;
        }
        tx.rollback().await?;
        let digest = hex::encode(w.hash.clone().finalize());
        let trailer = json!({"end": true, "rows": summary.rows, "sha256": digest});
        let s = serde_json::to_string(&trailer).map_err(|e| StoreError::Backup(e.to_string()))?;
        w.inner.write_all(s.as_bytes())?;
        w.inner.write_all(b"\n")?;
        w.inner.flush()?;
        Ok(summary)
    }

    /// Restores a backup into this database, which must be empty. Everything is
    /// checked and written in one transaction; on any problem nothing changes.
    pub async fn restore<R: BufRead>(&self, input: R, source_name: &str) -> Result<BackupSummary> {
        let bad = |line: usize, why: &str| {
            StoreError::Backup(format!("{source_name}: line {line}: {why}"))
        };
        let mut lines = input.lines().enumerate();
        let mut hash = Sha256::new();
        // Each line is hashed as it is read, except the trailer, which holds the hash.
        let mut next = |hash: &mut Sha256| -> Result<Option<(usize, Value)>> {
            match lines.next() {
                None => Ok(None),
                Some((i, l)) => {
                    let l = l.map_err(|e| bad(i + 1, &format!("cannot read: {e}")))?;
                    let v: Value = serde_json::from_str(&l).map_err(|_| {
                        bad(i + 1, "not a line of an Uplift backup (the file is damaged or of another format)")
                    })?;
                    if v.get("end").is_none() {
                        hash.update(l.as_bytes());
                        hash.update(b"\n");
                    }
                    Ok(Some((i + 1, v)))
                }
            }
        };
        let (_, header) = next(&mut hash)?.ok_or_else(|| bad(1, "the file is empty"))?;
        if header.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(bad(
                1,
                "not an Uplift backup (no \"format\": \"uplift-backup\" header)",
            ));
        }
        if header.get("version").and_then(Value::as_i64) != Some(VERSION) {
            return Err(bad(
                1,
                &format!(
                    "backup format version {} is not supported (expected {VERSION})",
                    header["version"]
                ),
            ));
        }
        let their_schema = header
            .get("schema_version")
            .and_then(Value::as_i64)
            .unwrap_or(-1);
        let ours = self.schema_version().await?;
        if their_schema != ours {
            return Err(bad(1, &format!("the backup has schema version {their_schema}, this database has {ours}: use the same Uplift version")));
        }
        for table in TABLES {
            let n: i64 = on_pool!(self.pool(), p => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(p).await)?;
            if n > 0 {
                return Err(StoreError::Backup(format!(
                    "cannot restore into {}: it is not empty (table {table} has {n} rows); restore into a new database",
                    self.url()
                )));
            }
        }
        let mut tx = self.begin().await?;
        let mut summary = BackupSummary::default();
        let mut expected_tables = TABLES.iter();
        loop {
            let (ln, v) = next(&mut hash)?
                .ok_or_else(|| bad(0, "the file ends early (truncated): no end marker"))?;
            if v.get("end").is_some() {
                let digest = hex::encode(hash.clone().finalize());
                let want = v.get("sha256").and_then(Value::as_str).unwrap_or_default();
                if v.get("rows").and_then(Value::as_u64) != Some(summary.rows) {
                    return Err(bad(
                        ln,
                        "the row count in the end marker does not match the file",
                    ));
                }
                if want != digest {
                    return Err(bad(
                        ln,
                        "the checksum does not match: the file was altered or damaged",
                    ));
                }
                if expected_tables.next().is_some() {
                    return Err(bad(ln, "tables are missing before the end marker"));
                }
                break;
            }
            let table = v
                .get("table")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(ln, "expected a table header"))?;
            if expected_tables.next() != Some(&table) {
                return Err(bad(ln, &format!("unexpected table {table:?}")));
            }
            let cols = self.columns(table).await?;
            let file_cols: Vec<String> = serde_json::from_value(v["columns"].clone())
                .map_err(|_| bad(ln, "columns missing"))?;
            let ours: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
            if file_cols != ours {
                return Err(bad(
                    ln,
                    &format!(
                        "table {table} has columns {file_cols:?} in the file but {ours:?} here"
                    ),
                ));
            }
            let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                ours.join(", "),
                placeholders.join(", ")
            );
            let mut n = 0u64;
            loop {
                let (ln, v) = next(&mut hash)?
                    .ok_or_else(|| bad(0, "the file ends early (truncated) inside a table"))?;
                if let Some(end) = v.get("end_table") {
                    if end.as_str() != Some(table)
                        || v.get("rows").and_then(Value::as_u64) != Some(n)
                    {
                        return Err(bad(
                            ln,
                            &format!("table {table}: the row count does not match"),
                        ));
                    }
                    break;
                }
                let vals = v
                    .get("r")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad(ln, "expected a row"))?;
                if vals.len() != cols.len() {
                    return Err(bad(
                        ln,
                        &format!(
                            "a row of {table} has {} values, expected {}",
                            vals.len(),
                            cols.len()
                        ),
                    ));
                }
                insert_row(&mut tx, &sql, &cols, vals)
                    .await
                    .map_err(|e| bad(ln, &e.to_string()))?;
                n += 1;
            }
            summary.tables += 1;
            summary.rows += n;
        }
        if next(&mut hash)?.is_some() {
            return Err(bad(0, "there is data after the end marker"));
        }
        if tx.backend() == Backend::Postgres {
            for table in TABLES {
                let has_id = self
                    .columns(table)
                    .await?
                    .iter()
                    .any(|(n, k)| n == "id" && *k == Kind::Int);
                if has_id {
                    on_tx!(tx, c => sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"))
                        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

async fn insert_row(tx: &mut Tx, sql: &str, cols: &[(String, Kind)], vals: &[Value]) -> Result<()> {
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            for ((name, kind), v) in cols.iter().zip(vals) {
                let wrong = || {
                    StoreError::Backup(format!("column {name}: value {v} is not {}", kind.name()))
                };
                q = match (kind, v) {
                    (Kind::Int, Value::Null) => q.bind(None::<i64>),
                    (Kind::Int, v) => q.bind(Some(v.as_i64().ok_or_else(wrong)?)),
                    (Kind::Bool, Value::Null) => q.bind(None::<bool>),
                    (Kind::Bool, v) => q.bind(Some(v.as_bool().ok_or_else(wrong)?)),
                    (Kind::Real, Value::Null) => q.bind(None::<f64>),
                    (Kind::Real, v) => q.bind(Some(v.as_f64().ok_or_else(wrong)?)),
                    (Kind::Text, Value::Null) => q.bind(None::<String>),
                    (Kind::Text, v) => q.bind(Some(v.as_str().ok_or_else(wrong)?.to_string())),
                    (Kind::Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
                    (Kind::Bytes, v) => q.bind(Some(
                        hex::decode(v.as_str().ok_or_else(wrong)?).map_err(|_| wrong())?,
                    )),
                };
            }
            q
        }};
    }
    on_tx!(tx, c => bind_all!(sqlx::query(sql)).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
