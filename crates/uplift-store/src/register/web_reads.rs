//! Small reads the school pages need besides [`Db::schools`] and
//! [`Db::school_profile`]: the values the list's filter selects offer, and one
//! school's list row (for a school user, who sees only their own school).

use serde::Serialize;

use super::SchoolSummary;
use crate::{Db, Result};

/// The distinct values in the register, for the filter form's selects.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchoolFilterOptions {
    /// (LA code, LA name), by code.
    pub las: Vec<(String, Option<String>)>,
    pub phases: Vec<String>,
    pub types: Vec<String>,
    pub statuses: Vec<String>,
}

impl Db {
    /// The values present in the register for each filter (each read from its
    /// column's index).
    pub async fn school_filter_options(&self) -> Result<SchoolFilterOptions> {
        // They change only with the register: kept in memory for the
        // register's version (one primary-key read instead of four scans).
        let version = self.register_version().await?;
        if let Some(o) = self.cached_filter_options(version) {
            return Ok(o);
        }
        let las: Vec<(String, Option<String>)> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT la_code, MAX(la_name) FROM schools GROUP BY la_code ORDER BY la_code")
            .fetch_all(p).await)?;
        let mut distinct = Vec::with_capacity(3);
        for col in ["phase", "type_name", "status"] {
            let sql = format!(
                "SELECT DISTINCT {col} FROM schools WHERE {col} IS NOT NULL ORDER BY {col}"
            );
            let v: Vec<String> =
                on_pool!(self.pool(), p => sqlx::query_scalar(&sql).fetch_all(p).await)?;
            distinct.push(v);
        }
        let statuses = distinct.pop().unwrap_or_default();
        let types = distinct.pop().unwrap_or_default();
        let phases = distinct.pop().unwrap_or_default();
        let options = SchoolFilterOptions {
            las,
            phases,
            types,
            statuses,
        };
        self.cache_filter_options(version, &options);
        Ok(options)
    }

    /// One school's list row, or `None` when the URN is not in the register.
    pub async fn school_summary(&self, urn: i64) -> Result<Option<SchoolSummary>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT urn, la_code, la_name, name, phase, type_name, governance, status, trust,
                    number_on_roll, town, postcode
             FROM schools WHERE urn = $1")
            .bind(urn).fetch_optional(p).await)?)
    }
}
