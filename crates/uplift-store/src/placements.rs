//! Categorisation as a read model: every school's placement under the
//! organisation's policy, stored (tables `placement_sets` and `placements`) so
//! that a page reads one row instead of categorising the estate.
//!
//! Freshness is a stamp. Every writer of something the placements read (see
//! [`Db::facts_for`] and the flag overrides) bumps a version counter in the
//! same transaction as its change ([`inputs_changed`]): the organisation's own
//! counter for its estate, policy, flag overrides, category decisions and
//! intelligence, and the register's (scope 0) for imports and generated
//! records. A stored set carries the versions it was computed from, the date
//! it describes (rules count back from it, so a new day is a new set) and a
//! hash of the policy. A read checks the stamp and reads the rows it needs in
//! ONE query; when the set is stale it recomputes the whole estate once (one
//! task per organisation at a time; the others wait and then read), replaces
//! the organisation's rows in one transaction and answers from what it
//! computed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::FromRow;
use uplift_domain::policy::{categorise_estate, FlagBasis, Placement, Policy, SchoolFacts};
use uplift_domain::register::Date;

use crate::categorisation::{apply_flag_overrides, FactsScope};
use crate::register::SchoolProfile;
use crate::{now, Db, Result, StoreError, Tx};

/// The scope of the register's counter (imports, generated records).
pub const REGISTER_SCOPE: i64 = 0;

/// How many sets an organisation keeps (today's under its policy, and a few
/// other dates or policies asked for by the CLI, tests and other years).
const SETS_KEPT: i64 = 4;

/// Rows per INSERT when a set is written.
const ROWS_PER_INSERT: usize = 400;

/// Records, inside the writer's transaction, that an input of the placements
/// changed: `Some(org)` for one organisation's own inputs, `None` for the
/// register shared by all.
pub async fn inputs_changed(tx: &mut Tx, organisation_id: Option<i64>) -> Result<()> {
    let scope = organisation_id.unwrap_or(REGISTER_SCOPE);
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO placement_inputs (scope_id, version) VALUES ($1, 1)
         ON CONFLICT (scope_id) DO UPDATE SET version = placement_inputs.version + 1")
        .bind(scope).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A stable key for a loaded policy: the SHA-256 of its full description (a
/// preset and an organisation's own TOML of the same name differ).
pub fn policy_key(policy: &Policy) -> String {
    hex::encode(Sha256::digest(format!("{policy:?}").as_bytes()))
}

/// Which rows of a set a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rows {
    /// One school.
    One(i64),
    /// Every school.
    All,
    /// The schools in a category of concern or with a proposal.
    Proposing,
}

impl Rows {
    fn join(self) -> &'static str {
        match self {
            Rows::One(_) => " AND p.urn = $4",
            Rows::All => "",
            Rows::Proposing => " AND (p.causing_concern OR p.proposes)",
        }
    }
}

#[derive(FromRow)]
struct Row {
    set_id: Option<i64>,
    urn: Option<i64>,
    placement: Option<String>,
    facts: Option<String>,
}

/// A school's placement with the facts it was placed on.
#[derive(Debug, Clone)]
pub struct Placed {
    pub facts: SchoolFacts,
    pub placement: Placement,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Invalid(format!("a stored {what} does not read back: {e}")))
}

/// A placement as stored: its JSON and what its flags' JSON leaves out.
#[derive(Serialize)]
struct StoredRef<'a> {
    placement: &'a Placement,
    flag_basis: FlagBasis,
}

#[derive(Deserialize)]
struct Stored {
    placement: Placement,
    flag_basis: FlagBasis,
}

fn encode_placement(p: &Placement) -> Result<String> {
    serde_json::to_string(&StoredRef {
        placement: p,
        flag_basis: p.flags.basis(),
    })
    .map_err(|e| StoreError::Invalid(format!("cannot store a placement: {e}")))
}

fn decode_placement(text: &str) -> Result<Placement> {
    let Stored {
        mut placement,
        flag_basis,
    } = parse(text, "placement")?;
    placement.flags.set_basis(flag_basis);
    Ok(placement)
}

/// The estate placed, overrides applied: computed off the async runtime.
async fn compute(
    policy: &Policy,
    facts: Vec<SchoolFacts>,
    overrides: HashMap<i64, Vec<crate::categorisation::FlagOverride>>,
) -> Result<Vec<Placed>> {
    let policy = policy.clone();
    tokio::task::spawn_blocking(move || {
        let mut placements = categorise_estate(&policy, &facts);
        for p in &mut placements {
            if let Some(o) = overrides.get(&i64::from(p.urn.get())) {
                apply_flag_overrides(p, o);
            }
        }
        facts
            .into_iter()
            .zip(placements)
            .map(|(facts, placement)| Placed { facts, placement })
            .collect()
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("categorising the estate failed: {e}")))
}

impl Db {
    /// The rows of the organisation's fresh set (`None`: no fresh set).
    async fn read_set(
        &self,
        organisation_id: i64,
        key: &str,
        as_of: Date,
        rows: Rows,
        with_facts: bool,
    ) -> Result<Option<(i64, Vec<Row>)>> {
        let facts = if with_facts {
            "p.facts"
        } else {
            "CAST(NULL AS TEXT)"
        };
        let sql = format!(
            "WITH s AS (
                 SELECT MAX(id) AS id FROM placement_sets
                 WHERE organisation_id = $1 AND policy_key = $2 AND computed_for = $3
                   AND org_version = COALESCE((SELECT version FROM placement_inputs WHERE scope_id = $1), 0)
                   AND register_version = COALESCE((SELECT version FROM placement_inputs WHERE scope_id = {REGISTER_SCOPE}), 0))
             SELECT s.id AS set_id, p.urn, p.placement, {facts} AS facts
             FROM s LEFT JOIN placements p ON p.set_id = s.id{}
             ORDER BY p.urn",
            rows.join()
        );
        let found: Vec<Row> = on_pool!(self.pool(), p => {
            let q = sqlx::query_as(&sql).bind(organisation_id).bind(key).bind(as_of.to_string());
            match rows {
                Rows::One(urn) => q.bind(urn).fetch_all(p).await,
                _ => q.fetch_all(p).await,
            }
        })?;
        let Some(set_id) = found.first().and_then(|r| r.set_id) else {
            return Ok(None);
        };
        Ok(Some((
            set_id,
            found.into_iter().filter(|r| r.urn.is_some()).collect(),
        )))
    }

    /// The id of the organisation's fresh set (`None`: no fresh set), in one
    /// query.
    async fn fresh_set(&self, organisation_id: i64, key: &str, as_of: Date) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT MAX(id) FROM placement_sets
             WHERE organisation_id = $1 AND policy_key = $2 AND computed_for = $3
               AND org_version = COALESCE((SELECT version FROM placement_inputs WHERE scope_id = $1), 0)
               AND register_version = COALESCE((SELECT version FROM placement_inputs WHERE scope_id = {REGISTER_SCOPE}), 0)"
        );
        Ok(
            on_pool!(self.pool(), p => sqlx::query_scalar::<_, Option<i64>>(&sql)
            .bind(organisation_id).bind(key).bind(as_of.to_string())
            .fetch_one(p).await)?,
        )
    }

    /// Whether a fresh set exists (one query).
    async fn set_is_fresh(&self, organisation_id: i64, key: &str, as_of: Date) -> Result<bool> {
        Ok(self.fresh_set(organisation_id, key, as_of).await?.is_some())
    }

    /// Recomputes the organisation's placements and stores them, unless
    /// another task did while this one waited for the lock (`None`: read
    /// again).
    async fn refresh(
        &self,
        organisation_id: i64,
        policy: &Policy,
        key: &str,
        as_of: Date,
    ) -> Result<Option<Vec<Placed>>> {
        let lock = self.refresh_lock(organisation_id);
        let _guard = lock.lock().await;
        if self.set_is_fresh(organisation_id, key, as_of).await? {
            return Ok(None);
        }
        // The versions first: a change committed after this read makes the
        // stored set stale at once, so nothing newer is ever missed.
        let (org_version, register_version): (i64, i64) = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT COALESCE((SELECT version FROM placement_inputs WHERE scope_id = $1), 0),
                    COALESCE((SELECT version FROM placement_inputs WHERE scope_id = {REGISTER_SCOPE}), 0)"))
            .bind(organisation_id).fetch_one(p).await)?;
        let facts = self
            .facts_for(FactsScope::Estate(organisation_id), as_of)
            .await?;
        let overrides = self.flag_overrides(organisation_id).await?;
        let placed = compute(policy, facts, overrides).await?;
        self.count_categorisation();
        let mut encoded = Vec::with_capacity(placed.len());
        for p in &placed {
            let placement = encode_placement(&p.placement)?;
            let facts = serde_json::to_string(&p.facts)
                .map_err(|e| StoreError::Invalid(format!("cannot store facts: {e}")))?;
            encoded.push((p, placement, facts));
        }

        let mut tx = self.begin().await?;
        let set_id: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO placement_sets (organisation_id, policy_key, computed_for, org_version,
                 register_version, schools, computed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(organisation_id).bind(key).bind(as_of.to_string()).bind(org_version)
            .bind(register_version).bind(placed.len() as i64).bind(now())
            .fetch_one(&mut **c).await)?;
        for chunk in encoded.chunks(ROWS_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO placements (set_id, urn, category, causing_concern, proposes, placement, facts) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 7;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            on_tx!(tx, c => {
                let mut q = sqlx::query(&sql);
                for (p, placement, facts) in chunk {
                    q = q
                        .bind(set_id)
                        .bind(i64::from(p.placement.urn.get()))
                        .bind(&p.placement.category)
                        .bind(p.placement.causing_concern)
                        .bind(!p.placement.proposals.is_empty())
                        .bind(placement)
                        .bind(facts);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
        // Sets that can never be fresh again, the one this replaces, and any
        // beyond the newest few.
        let old = format!(
            "SELECT id FROM placement_sets WHERE organisation_id = $1 AND id <> $2 AND (
                 org_version <> $3 OR register_version <> $4
                 OR (policy_key = $5 AND computed_for = $6)
                 OR id NOT IN (SELECT id FROM placement_sets WHERE organisation_id = $1
                               ORDER BY id DESC LIMIT {SETS_KEPT}))"
        );
        for table in ["placements WHERE set_id", "placement_sets WHERE id"] {
            let sql = format!("DELETE FROM {table} IN ({old})");
            on_tx!(tx, c => sqlx::query(&sql)
                .bind(organisation_id).bind(set_id).bind(org_version).bind(register_version)
                .bind(key).bind(as_of.to_string())
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        let bytes = encoded
            .iter()
            .map(|(_, p, f)| p.len() + f.len())
            .sum::<usize>();
        let cache = self.read_cache();
        if cache.fits(bytes) {
            let rows = placed
                .iter()
                .map(|p| Decoded {
                    placement: p.placement.clone(),
                    facts: Some(p.facts.clone()),
                })
                .collect();
            cache.put(set_id, Rows::All, true, Arc::new(rows), bytes);
        }
        Ok(Some(placed))
    }

    /// The rows asked for from a fresh set, recomputing the set when it is
    /// stale: `Ok(rows)` read from the store (or from the in-memory cache of
    /// stored sets, [`ReadCache`]), or `Err(placed)` when this call computed
    /// the estate itself (then every school is in `placed`).
    async fn fresh_rows(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
        rows: Rows,
        with_facts: bool,
    ) -> Result<std::result::Result<Arc<Vec<Decoded>>, Vec<Placed>>> {
        let key = self.read_cache().policy_key(policy);
        for _ in 0..3 {
            // One query: the fresh set's id; then the cache, when it holds it.
            let Some(set_id) = self.fresh_set(organisation_id, &key, as_of).await? else {
                if let Some(placed) = self.refresh(organisation_id, policy, &key, as_of).await? {
                    return Ok(Err(placed));
                }
                continue;
            };
            if let Some(found) = self.read_cache().get(set_id, rows, with_facts) {
                return Ok(Ok(found));
            }
            if let Some((set_id, found)) = self
                .read_set(organisation_id, &key, as_of, rows, with_facts)
                .await?
            {
                let bytes = found
                    .iter()
                    .map(|r| {
                        r.placement.as_ref().map_or(0, String::len)
                            + r.facts.as_ref().map_or(0, String::len)
                    })
                    .sum::<usize>();
                let decoded = found
                    .iter()
                    .filter_map(|r| Some((r.placement.as_deref()?, r.facts.as_deref())))
                    .map(|(p, f)| {
                        Ok(Decoded {
                            placement: decode_placement(p)?,
                            facts: f.map(|f| parse(f, "school's facts")).transpose()?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let decoded = Arc::new(decoded);
                self.read_cache()
                    .put(set_id, rows, with_facts, decoded.clone(), bytes);
                return Ok(Ok(decoded));
            }
        }
        // Inputs changing faster than the estate can be placed: answer from a
        // computation of our own.
        let facts = self
            .facts_for(FactsScope::Estate(organisation_id), as_of)
            .await?;
        let overrides = self.flag_overrides(organisation_id).await?;
        Ok(Err(compute(policy, facts, overrides).await?))
    }

    /// One school of the estate placed under `policy` as of a date, from the
    /// read model (`None`: not in the estate's open schools).
    pub async fn stored_placement(
        &self,
        organisation_id: i64,
        policy: &Policy,
        urn: i64,
        as_of: Date,
    ) -> Result<Option<Placement>> {
        match self
            .fresh_rows(organisation_id, policy, as_of, Rows::One(urn), false)
            .await?
        {
            Ok(rows) => Ok(rows.first().map(|r| r.placement.clone())),
            Err(placed) => Ok(placed
                .into_iter()
                .find(|p| i64::from(p.placement.urn.get()) == urn)
                .map(|p| p.placement)),
        }
    }

    /// Every school of the estate placed, by URN, from the read model.
    pub async fn stored_placements(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
    ) -> Result<Vec<Placement>> {
        self.placements_where(organisation_id, policy, as_of, Rows::All)
            .await
    }

    /// The schools of the estate that are in a causing-concern category or
    /// for which categorisation proposes something, by URN, from the read
    /// model (the causing-concern list and agendas read only these).
    pub async fn proposing_placements(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
    ) -> Result<Vec<Placement>> {
        self.placements_where(organisation_id, policy, as_of, Rows::Proposing)
            .await
    }

    async fn placements_where(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
        rows: Rows,
    ) -> Result<Vec<Placement>> {
        match self
            .fresh_rows(organisation_id, policy, as_of, rows, false)
            .await?
        {
            Ok(found) => Ok(found.iter().map(|r| r.placement.clone()).collect()),
            Err(placed) => Ok(placed
                .into_iter()
                .map(|p| p.placement)
                .filter(|p| match rows {
                    Rows::One(u) => i64::from(p.urn.get()) == u,
                    Rows::All => true,
                    Rows::Proposing => p.causing_concern || !p.proposals.is_empty(),
                })
                .collect()),
        }
    }

    /// The estate's placements with the facts each was placed on (`only`: one
    /// school), by URN, from the read model: the visit entitlements read both.
    pub async fn stored_placed(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
        only: Option<i64>,
    ) -> Result<Vec<Placed>> {
        let rows = only.map_or(Rows::All, Rows::One);
        match self
            .fresh_rows(organisation_id, policy, as_of, rows, true)
            .await?
        {
            Ok(found) => Ok(found
                .iter()
                .filter_map(|r| {
                    Some(Placed {
                        placement: r.placement.clone(),
                        facts: r.facts.clone()?,
                    })
                })
                .collect()),
            Err(placed) => Ok(placed
                .into_iter()
                .filter(|p| only.is_none_or(|u| i64::from(p.placement.urn.get()) == u))
                .collect()),
        }
    }

    /// The register's input version (bumped by imports that change
    /// something, generated records and raw SQL).
    pub async fn register_version(&self) -> Result<i64> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(&format!(
            "SELECT COALESCE((SELECT version FROM placement_inputs WHERE scope_id = {REGISTER_SCOPE}), 0)"))
            .fetch_one(p).await)?)
    }

    /// The input versions (organisation, register) and the number of stored
    /// sets of an organisation: for tests and diagnostics.
    pub async fn placement_stamp(&self, organisation_id: i64) -> Result<(i64, i64, i64)> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT COALESCE((SELECT version FROM placement_inputs WHERE scope_id = $1), 0),
                    COALESCE((SELECT version FROM placement_inputs WHERE scope_id = {REGISTER_SCOPE}), 0),
                    (SELECT COUNT(*) FROM placement_sets WHERE organisation_id = $1)"))
            .bind(organisation_id).fetch_one(p).await)?)
    }
}

// ---------------------------------------------------------------------------
// The in-memory cache

/// A stored placement decoded, with its facts when the read asked for them.
#[derive(Debug, Clone)]
struct Decoded {
    placement: Placement,
    facts: Option<SchoolFacts>,
}

/// How much the in-memory cache of decoded placements may hold, in bytes (as
/// estimated from the stored JSON).
pub const READ_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// School profiles kept (the register's part; a few hundred KiB at most each).
const PROFILES_KEPT: usize = 256;

/// Policies kept parsed (each organisation's record in force, and the presets).
const POLICIES_KEPT: usize = 64;

/// What every clone of a [`Db`] keeps in memory for the read model: stored
/// placement sets already decoded, and parsed policies with their keys.
///
/// A stored set never changes once written (a change of an input makes a new
/// set, with a new id), so an entry keyed by the set's id is right for as
/// long as that set is the fresh one, and is simply never asked for again
/// after; the least recently used entries go when the cache is full. A read
/// still asks the store which set is fresh (one query), so a change made by
/// another instance is seen at once.
#[derive(Debug)]
pub struct ReadCache {
    budget: usize,
    placements: Mutex<Entries>,
    /// The register's part of school profiles: (register version, profile, last used).
    profiles: Mutex<HashMap<i64, KeptProfile>>,
    policies: Mutex<Vec<(PolicyOrigin, Arc<Policy>, String)>>,
}

/// Where a parsed policy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PolicyOrigin {
    /// An adopted policy record, by id and time adopted (records are never
    /// changed, only appended).
    Record(i64, String),
    /// A preset shipped with Uplift.
    Preset(String),
}

type EntryKey = (i64, Rows, bool);

/// A profile kept: (register version, the register's part, last used).
type KeptProfile = (i64, Arc<SchoolProfile>, u64);

impl Entries {
    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<EntryKey, (Arc<Vec<Decoded>>, usize, u64)>,
    used: usize,
    tick: u64,
    hits: u64,
    misses: u64,
}

/// What the cache holds and how it has done, for the benchmarks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadCacheStats {
    pub entries: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

impl Default for ReadCache {
    fn default() -> ReadCache {
        ReadCache::with_budget(READ_CACHE_BYTES)
    }
}

impl ReadCache {
    /// A cache that holds at most about `budget` bytes of placements.
    pub fn with_budget(budget: usize) -> ReadCache {
        ReadCache {
            budget,
            placements: Mutex::default(),
            profiles: Mutex::default(),
            policies: Mutex::default(),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.placements.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The estimated size in memory of rows whose stored JSON is `json` bytes.
    fn size(json: usize) -> usize {
        json.saturating_mul(2)
    }

    fn fits(&self, json: usize) -> bool {
        Self::size(json) <= self.budget
    }

    /// The rows of a set: exactly as asked, or one school out of the whole set.
    fn get(&self, set_id: i64, rows: Rows, with_facts: bool) -> Option<Arc<Vec<Decoded>>> {
        let mut e = self.entries();
        e.tick += 1;
        let tick = e.tick;
        let mut candidates = vec![(set_id, rows, with_facts), (set_id, rows, true)];
        if let Rows::One(_) = rows {
            candidates.push((set_id, Rows::All, with_facts));
            candidates.push((set_id, Rows::All, true));
        }
        for k in candidates {
            let Some(entry) = e.map.get_mut(&k) else {
                continue;
            };
            entry.2 = tick;
            let found = entry.0.clone();
            e.hits += 1;
            return Some(match (rows, k.1) {
                (Rows::One(urn), Rows::All) => Arc::new(
                    found
                        .binary_search_by_key(&urn, |d| i64::from(d.placement.urn.get()))
                        .ok()
                        .map(|i| vec![found[i].clone()])
                        .unwrap_or_default(),
                ),
                _ => found,
            });
        }
        e.misses += 1;
        None
    }

    fn put(
        &self,
        set_id: i64,
        rows: Rows,
        with_facts: bool,
        found: Arc<Vec<Decoded>>,
        json: usize,
    ) {
        let size = Self::size(json) + 64;
        if size > self.budget {
            return;
        }
        let mut e = self.entries();
        e.tick += 1;
        let tick = e.tick;
        if let Some((_, old, _)) = e
            .map
            .insert((set_id, rows, with_facts), (found, size, tick))
        {
            e.used -= old;
        }
        e.used += size;
        while e.used > self.budget {
            let Some(oldest) = e.map.iter().min_by_key(|(_, v)| v.2).map(|(k, _)| *k) else {
                break;
            };
            if let Some((_, s, _)) = e.map.remove(&oldest) {
                e.used -= s;
            }
        }
    }

    /// What the cache holds now.
    pub fn stats(&self) -> ReadCacheStats {
        let e = self.entries();
        ReadCacheStats {
            entries: e.map.len(),
            bytes: e.used,
            hits: e.hits,
            misses: e.misses,
        }
    }

    /// Empties the cache (the benchmarks time reads without it).
    pub fn clear(&self) {
        {
            let mut e = self.entries();
            e.map.clear();
            e.used = 0;
        }
        self.profiles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.policies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The register's part of a school's profile, as of a register version.
    pub(crate) fn profile(&self, urn: i64, version: i64) -> Option<Arc<SchoolProfile>> {
        let tick = self.entries().next_tick();
        let mut kept = self.profiles.lock().unwrap_or_else(|e| e.into_inner());
        let entry = kept.get_mut(&urn).filter(|(v, _, _)| *v == version)?;
        entry.2 = tick;
        Some(entry.1.clone())
    }

    pub(crate) fn put_profile(&self, urn: i64, version: i64, profile: Arc<SchoolProfile>) {
        let tick = self.entries().next_tick();
        let mut kept = self.profiles.lock().unwrap_or_else(|e| e.into_inner());
        // Profiles of an older register are never read again.
        kept.retain(|_, (v, _, _)| *v == version);
        if kept.len() >= PROFILES_KEPT {
            if let Some(oldest) = kept.iter().min_by_key(|(_, e)| e.2).map(|(k, _)| *k) {
                kept.remove(&oldest);
            }
        }
        kept.insert(urn, (version, profile, tick));
    }

    /// The policy parsed from `origin`, parsing it on first use.
    pub(crate) fn policy(
        &self,
        origin: PolicyOrigin,
        load: impl FnOnce() -> Result<Policy>,
    ) -> Result<Arc<Policy>> {
        {
            let kept = self.policies.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, p, _)) = kept.iter().find(|(o, _, _)| *o == origin) {
                return Ok(p.clone());
            }
        }
        let policy = Arc::new(load()?);
        let key = policy_key(&policy);
        let mut kept = self.policies.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= POLICIES_KEPT {
            kept.remove(0);
        }
        kept.push((origin, policy.clone(), key));
        Ok(policy)
    }

    /// [`policy_key`], without hashing again a policy this cache parsed.
    pub fn policy_key(&self, policy: &Policy) -> String {
        {
            let kept = self.policies.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, _, key)) = kept
                .iter()
                .rev()
                .find(|(_, p, _)| std::ptr::eq(p.as_ref(), policy) || p.as_ref() == policy)
            {
                return key.clone();
            }
        }
        policy_key(policy)
    }
}
