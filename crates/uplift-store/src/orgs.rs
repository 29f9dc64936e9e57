//! Organisations: the tenants. Every row an organisation writes belongs to it.

use serde::Serialize;
use sqlx::FromRow;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// local-authority, partnership, trust or traded-service
    pub kind: String,
    pub la_code: Option<String>,
    pub created_at: String,
}

pub const KINDS: &[&str] = &["local-authority", "partnership", "trust", "traded-service"];

pub struct NewOrganisation<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub la_code: Option<&'a str>,
}

const COLS: &str = "id, slug, name, kind, la_code, created_at";

pub async fn create(tx: &mut Tx, actor: &Actor, new: &NewOrganisation<'_>) -> Result<Organisation> {
    let slug = new.slug.trim();
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(StoreError::Invalid(format!(
            "organisation slug {slug:?} must be lower-case letters, digits and hyphens"
        )));
    }
    if new.name.trim().is_empty() {
        return Err(StoreError::Invalid("organisation name is empty".into()));
    }
    if !KINDS.contains(&new.kind) {
        return Err(StoreError::Invalid(format!(
            "organisation kind {:?} is not one of {}",
            new.kind,
            KINDS.join(", ")
        )));
    }
    let exists: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(slug).fetch_optional(&mut **c).await)?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "organisation {slug:?} already exists"
        )));
    }
    let sql = format!(
        "INSERT INTO organisations (slug, name, kind, la_code, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLS}"
    );
    let org: Organisation = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(slug).bind(new.name.trim()).bind(new.kind).bind(new.la_code).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("organisation", org.id, Some(org.id), &org),
    )
    .await?;
    Ok(org)
}

pub async fn by_slug(tx: &mut Tx, slug: &str) -> Result<Option<Organisation>> {
    let sql = format!("SELECT {COLS} FROM organisations WHERE slug = $1");
    Ok(on_tx!(tx, c => sqlx::query_as(&sql).bind(slug).fetch_optional(&mut **c).await)?)
}

impl Db {
    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>> {
        let sql = format!("SELECT {COLS} FROM organisations WHERE id = $1");
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?)
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let sql = format!("SELECT {COLS} FROM organisations ORDER BY id");
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql).fetch_all(p).await)?)
    }
}
