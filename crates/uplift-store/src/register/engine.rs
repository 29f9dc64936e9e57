//! The batch upsert engine under every import: look up a batch of rows by key in
//! one query, compare field by field, insert the new rows with multi-row INSERTs,
//! update the changed ones, and leave the unchanged ones alone (so re-importing a
//! file writes nothing).

use std::collections::HashMap;

use sqlx::Row;

use crate::{Backend, Result, Tx};

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

impl Val {
    pub fn text(s: Option<impl Into<String>>) -> Val {
        s.map(|s| Val::Text(s.into())).unwrap_or(Val::Null)
    }
    pub fn int(n: Option<impl Into<i64>>) -> Val {
        n.map(|n| Val::Int(n.into())).unwrap_or(Val::Null)
    }
    pub fn real(n: Option<f64>) -> Val {
        n.map(Val::Real).unwrap_or(Val::Null)
    }
    pub fn date(d: Option<jiff::civil::Date>) -> Val {
        Val::text(d.map(|d| d.to_string()))
    }
    /// The value as text, for change history and keys.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Val::Null => None,
            Val::Int(n) => Some(n.to_string()),
            Val::Real(n) => Some(n.to_string()),
            Val::Text(s) => Some(s.clone()),
            Val::Bool(b) => Some(b.to_string()),
        }
    }
    fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(n) => Some(*n),
            Val::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Real(n) => Some(*n),
            Val::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// A column's stored type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Real,
    Text,
    Bool,
}

/// A table as an import writes it.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub name: &'static str,
    /// Columns written and compared (the key columns among them).
    pub cols: Vec<(&'static str, Ty)>,
    /// Indices into `cols` of the natural key.
    pub key: Vec<usize>,
    /// Index into `cols` of the column a batch is looked up by (`IN (...)`).
    pub scope: usize,
    /// Indices into `cols` of key columns also filtered on in the batch lookup
    /// (`col IN (the batch's distinct values)`), so that a lookup by `scope`
    /// does not bring back other datasets' rows.
    pub filters: Vec<usize>,
    /// Columns written on insert only (not compared), e.g. a head's start date.
    pub insert_only: Vec<(&'static str, Ty)>,
    /// `created_at` / `updated_at` columns (the `schools` table).
    pub stamps: bool,
    /// Existing rows are only updated when this column holds this value
    /// (schools known from GIAS are not overwritten by the census file).
    pub guard: Option<(&'static str, Val)>,
}

impl Table {
    pub fn new(
        name: &'static str,
        cols: &[(&'static str, Ty)],
        key: &[&str],
        scope: &str,
    ) -> Table {
        let idx = |n: &str| {
            cols.iter()
                .position(|(c, _)| *c == n)
                .unwrap_or_else(|| panic!("{name}: no column {n}"))
        };
        Table {
            name,
            cols: cols.to_vec(),
            key: key.iter().map(|k| idx(k)).collect(),
            scope: idx(scope),
            filters: Vec::new(),
            insert_only: Vec::new(),
            stamps: false,
            guard: None,
        }
    }

    /// Adds lookup filters on these key columns (see [`Table::filters`]).
    pub fn filtered_by(mut self, names: &[&str]) -> Table {
        self.filters = names.iter().filter_map(|n| self.col(n)).collect();
        self
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|(c, _)| *c == name)
    }

    fn key_of(&self, vals: &[Val]) -> String {
        let mut k = String::new();
        for &i in &self.key {
            k.push_str(&vals[i].as_text().unwrap_or_default());
            k.push('\u{1f}');
        }
        k
    }
}

/// One row to write: the values of `cols`, then of `insert_only`.
#[derive(Debug, Clone)]
pub(crate) struct NewRow {
    pub vals: Vec<Val>,
    pub insert_only: Vec<Val>,
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Inserted,
    Updated(Vec<Val>),
    Unchanged,
}

/// Parameters per statement, under SQLite's default limit of 32,766.
const MAX_PARAMS: usize = 30_000;

macro_rules! bind_val {
    ($q:expr, $ty:expr, $v:expr) => {
        match $ty {
            Ty::Int => $q.bind($v.as_i64()),
            Ty::Real => $q.bind($v.as_f64()),
            Ty::Text => $q.bind($v.as_str()),
            Ty::Bool => $q.bind($v.as_bool()),
        }
    };
}

/// `($start, …)` placeholders. SQLite gets plain `?`: it keeps `$N` and `?N`
/// in a list that `sqlite3_bind_parameter_name` (called by sqlx for every
/// argument) walks linearly, which makes a multi-row INSERT quadratic.
fn placeholders(mark: char, start: usize, n: usize) -> String {
    let mut s = String::with_capacity(n * 5 + 2);
    s.push('(');
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push(mark);
        if mark == '$' {
            s.push_str(&(start + i).to_string());
        }
    }
    s.push(')');
    s
}

/// Writes a batch of rows; returns one outcome per row, in order.
pub(crate) async fn upsert(
    tx: &mut Tx,
    t: &Table,
    rows: Vec<NewRow>,
    source_file: &str,
    now: &str,
) -> Result<Vec<Outcome>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mark = match tx.backend() {
        Backend::Sqlite => '?',
        Backend::Postgres => '$',
    };
    // 1. Existing rows for the batch's scope values.
    let mut scope_vals: Vec<&Val> = Vec::new();
    {
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            let v = &r.vals[t.scope];
            if seen.insert(v.as_text()) {
                scope_vals.push(v);
            }
        }
    }
    let mut select_cols: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
    if let Some((g, _)) = &t.guard {
        select_cols.push(g);
    }
    let scope_ty = t.cols[t.scope].1;
    let mut existing: HashMap<String, (Vec<Val>, bool)> = HashMap::new();
    // Distinct values of each filter column in the batch.
    let filter_vals: Vec<(usize, Vec<&Val>)> = t
        .filters
        .iter()
        .map(|&fi| {
            let mut seen = std::collections::HashSet::new();
            let vals: Vec<&Val> = rows
                .iter()
                .map(|r| &r.vals[fi])
                .filter(|v| seen.insert(v.as_text()))
                .collect();
            (fi, vals)
        })
        .collect();
    for chunk in scope_vals.chunks(5000) {
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {} IN {}",
            select_cols.join(", "),
            t.name,
            t.cols[t.scope].0,
            placeholders(mark, 1, chunk.len())
        );
        let mut next = 1 + chunk.len();
        for (fi, vals) in &filter_vals {
            sql.push_str(&format!(
                " AND {} IN {}",
                t.cols[*fi].0,
                placeholders(mark, next, vals.len())
            ));
            next += vals.len();
        }
        let found: Vec<(Vec<Val>, bool)> = on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = bind_val!(q, scope_ty, v);
            }
            for (fi, vals) in &filter_vals {
                for v in vals {
                    q = bind_val!(q, t.cols[*fi].1, v);
                }
            }
            let rows = q.fetch_all(&mut **c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let mut vals = Vec::with_capacity(t.cols.len());
                for (i, (_, ty)) in t.cols.iter().enumerate() {
                    vals.push(match ty {
                        Ty::Int => Val::int(row.try_get::<Option<i64>, _>(i)?),
                        Ty::Real => Val::real(row.try_get::<Option<f64>, _>(i)?),
                        Ty::Text => Val::text(row.try_get::<Option<String>, _>(i)?),
                        Ty::Bool => row.try_get::<Option<bool>, _>(i)?.map(Val::Bool).unwrap_or(Val::Null),
                    });
                }
                let ok = match &t.guard {
                    None => true,
                    Some((_, want)) => {
                        let g: Option<String> = row.try_get(t.cols.len())?;
                        want.as_text() == g
                    }
                };
                out.push((vals, ok));
            }
            Ok::<_, sqlx::Error>(out)
        })?;
        for (vals, ok) in found {
            existing.insert(t.key_of(&vals), (vals, ok));
        }
    }

    // 2. Compare.
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut inserts: Vec<NewRow> = Vec::new();
    let mut insert_at: HashMap<String, usize> = HashMap::new();
    let mut updates: Vec<Vec<Val>> = Vec::new();
    let mut update_at: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let key = t.key_of(&row.vals);
        if let Some(&i) = insert_at.get(&key) {
            // The same key twice in one batch: the later row wins.
            if inserts[i].vals == row.vals {
                outcomes.push(Outcome::Unchanged);
            } else {
                outcomes.push(Outcome::Updated(inserts[i].vals.clone()));
                inserts[i] = row;
            }
            continue;
        }
        match existing.get(&key) {
            None => {
                insert_at.insert(key, inserts.len());
                inserts.push(row);
                outcomes.push(Outcome::Inserted);
            }
            Some((old, guard_ok)) => {
                let current = update_at.get(&key).map(|&i| &updates[i]).unwrap_or(old);
                if !guard_ok || *current == row.vals {
                    outcomes.push(Outcome::Unchanged);
                } else {
                    outcomes.push(Outcome::Updated(current.clone()));
                    match update_at.get(&key) {
                        Some(&i) => updates[i] = row.vals,
                        None => {
                            update_at.insert(key, updates.len());
                            updates.push(row.vals);
                        }
                    }
                }
            }
        }
    }

    // 3. Insert the new rows, many per statement.
    if !inserts.is_empty() {
        let mut names: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
        names.extend(t.insert_only.iter().map(|(c, _)| *c));
        names.push("source_file");
        names.push("imported_at");
        if t.stamps {
            names.push("created_at");
            names.push("updated_at");
        }
        let width = names.len();
        let per = (MAX_PARAMS / width).clamp(1, 500);
        for chunk in inserts.chunks(per) {
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", t.name, names.join(", "));
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&placeholders(mark, 1 + i * width, width));
            }
            on_tx!(tx, c => {
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    for (v, (_, ty)) in r.vals.iter().zip(&t.cols) {
                        q = bind_val!(q, *ty, v);
                    }
                    for (v, (_, ty)) in r.insert_only.iter().zip(&t.insert_only) {
                        q = bind_val!(q, *ty, v);
                    }
                    q = q.bind(source_file).bind(now);
                    if t.stamps {
                        q = q.bind(now).bind(now);
                    }
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
    }

    // 4. Update the changed rows.
    if !updates.is_empty() {
        let mut set: Vec<String> = Vec::new();
        let mut n = 0;
        for (c, _) in &t.cols {
            n += 1;
            set.push(format!("{c} = ${n}"));
        }
        set.push(format!("source_file = ${}", n + 1));
        set.push(format!("imported_at = ${}", n + 2));
        n += 2;
        if t.stamps {
            n += 1;
            set.push(format!("updated_at = ${n}"));
        }
        let wh: Vec<String> = t
            .key
            .iter()
            .enumerate()
            .map(|(j, &i)| format!("{} = ${}", t.cols[i].0, n + 1 + j))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {}",
            t.name,
            set.join(", "),
            wh.join(" AND ")
        );
        for vals in &updates {
            on_tx!(tx, c => {
                let mut q = sqlx::query(&sql);
                for (v, (_, ty)) in vals.iter().zip(&t.cols) {
                    q = bind_val!(q, *ty, v);
                }
                q = q.bind(source_file).bind(now);
                if t.stamps {
                    q = q.bind(now);
                }
                for &i in &t.key {
                    q = bind_val!(q, t.cols[i].1, &vals[i]);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
    }
    Ok(outcomes)
}
