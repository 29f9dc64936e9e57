//! An organisation's letterhead: the service name, address and contact lines,
//! footer line and logo printed on its notes of visit, letters and meeting
//! papers. One row per organisation; none until it is first saved (the
//! documents then carry the organisation's name alone).
//!
//! The logo's bytes are kept with the row (BLOB on SQLite, BYTEA on
//! PostgreSQL). They are checked by the caller (uplift-docs'
//! `validate_logo`) before they reach [`save`]; this module only insists on
//! one of the two types the documents can embed. Every save is audited; the
//! audit record names the logo by type, size, dimensions and SHA-256, never
//! by its bytes.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// The MIME types a logo may have.
pub const LOGO_TYPES: [&str; 2] = ["image/png", "image/jpeg"];

/// The text of a letterhead, as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LetterheadText {
    pub service_name: String,
    /// One line of the postal address per line of text.
    pub address_lines: String,
    pub telephone: String,
    pub email: String,
    pub website: String,
    /// Printed at the bottom of every page.
    pub footer: String,
}

/// A logo with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// `image/png` or `image/jpeg`.
    pub mime: String,
    pub width_px: i64,
    pub height_px: i64,
    pub bytes: Vec<u8>,
}

/// What is recorded about a logo: never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogoSummary {
    pub mime: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub width_px: i64,
    pub height_px: i64,
}

impl Logo {
    pub fn summary(&self) -> LogoSummary {
        LogoSummary {
            mime: self.mime.clone(),
            size_bytes: self.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&self.bytes)),
            width_px: self.width_px,
            height_px: self.height_px,
        }
    }
}

/// An organisation's letterhead as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    pub organisation_id: i64,
    pub text: LetterheadText,
    pub logo: Option<Logo>,
    pub updated_at: String,
    pub updated_by: String,
}

/// What the audit log keeps of a letterhead.
#[derive(Serialize)]
struct Recorded<'a> {
    #[serde(flatten)]
    text: &'a LetterheadText,
    logo: Option<LogoSummary>,
}

impl Letterhead {
    fn recorded(&self) -> Recorded<'_> {
        Recorded {
            text: &self.text,
            logo: self.logo.as_ref().map(Logo::summary),
        }
    }

    /// The non-empty address lines, trimmed.
    pub fn address(&self) -> Vec<&str> {
        self.text
            .address_lines
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// What a save does to the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Remove,
    Set(Logo),
}

#[derive(FromRow)]
struct Row {
    organisation_id: i64,
    service_name: String,
    address_lines: String,
    telephone: String,
    email: String,
    website: String,
    footer: String,
    logo: Option<Vec<u8>>,
    logo_mime: Option<String>,
    logo_width_px: Option<i64>,
    logo_height_px: Option<i64>,
    updated_at: String,
    updated_by: String,
}

impl From<Row> for Letterhead {
    fn from(r: Row) -> Self {
        let logo = match (r.logo, r.logo_mime) {
            (Some(bytes), Some(mime)) => Some(Logo {
                mime,
                width_px: r.logo_width_px.unwrap_or(0),
                height_px: r.logo_height_px.unwrap_or(0),
                bytes,
            }),
            _ => None,
        };
        Letterhead {
            organisation_id: r.organisation_id,
            text: LetterheadText {
                service_name: r.service_name,
                address_lines: r.address_lines,
                telephone: r.telephone,
                email: r.email,
                website: r.website,
                footer: r.footer,
            },
            logo,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

const SELECT: &str =
    "SELECT organisation_id, service_name, address_lines, telephone, email, website, footer,
    logo, logo_mime, logo_width_px, logo_height_px, updated_at, updated_by
    FROM organisation_letterheads WHERE organisation_id = $1";

impl Db {
    /// The organisation's letterhead; None when it has never been set.
    pub async fn letterhead(&self, organisation_id: i64) -> Result<Option<Letterhead>> {
        let row: Option<Row> = on_pool!(self.pool(), p => sqlx::query_as(SELECT)
            .bind(organisation_id).fetch_optional(p).await)?;
        Ok(row.map(Letterhead::from))
    }
}

/// The letterhead inside a transaction.
pub async fn get(tx: &mut Tx, organisation_id: i64) -> Result<Option<Letterhead>> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(SELECT)
        .bind(organisation_id).fetch_optional(&mut **c).await)?;
    Ok(row.map(Letterhead::from))
}

/// Saves the organisation's letterhead (creating it the first time) with
/// the logo kept, removed or replaced. Audited, with the logo summarised.
pub async fn save(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    text: &LetterheadText,
    logo: LogoChange,
) -> Result<Letterhead> {
    let before = get(tx, organisation_id).await?;
    let logo = match logo {
        LogoChange::Keep => before.as_ref().and_then(|b| b.logo.clone()),
        LogoChange::Remove => None,
        LogoChange::Set(l) => {
            if !LOGO_TYPES.contains(&l.mime.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "a logo must be image/png or image/jpeg, not {}",
                    l.mime
                )));
            }
            if l.bytes.is_empty() || l.width_px <= 0 || l.height_px <= 0 {
                return Err(StoreError::Invalid("the logo is empty".into()));
            }
            Some(l)
        }
    };
    let after = Letterhead {
        organisation_id,
        text: text.clone(),
        logo,
        updated_at: now(),
        updated_by: actor.label.clone(),
    };
    if let Some(b) = &before {
        if b.text == after.text && b.logo == after.logo {
            return Ok(b.clone());
        }
    }
    let l = after.logo.as_ref();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO organisation_letterheads (organisation_id, service_name, address_lines, telephone, email,
             website, footer, logo, logo_mime, logo_width_px, logo_height_px, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (organisation_id) DO UPDATE SET service_name = excluded.service_name,
             address_lines = excluded.address_lines, telephone = excluded.telephone, email = excluded.email,
             website = excluded.website, footer = excluded.footer, logo = excluded.logo,
             logo_mime = excluded.logo_mime, logo_width_px = excluded.logo_width_px,
             logo_height_px = excluded.logo_height_px, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by")
        .bind(organisation_id).bind(&text.service_name).bind(&text.address_lines).bind(&text.telephone)
        .bind(&text.email).bind(&text.website).bind(&text.footer)
        .bind(l.map(|l| l.bytes.as_slice())).bind(l.map(|l| l.mime.as_str()))
        .bind(l.map(|l| l.width_px)).bind(l.map(|l| l.height_px))
        .bind(&after.updated_at).bind(&after.updated_by)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    let change = match &before {
        None => Change::created(
            "letterhead",
            organisation_id,
            Some(organisation_id),
            &after.recorded(),
        ),
        Some(b) => Change::updated(
            "letterhead",
            organisation_id,
            Some(organisation_id),
            &b.recorded(),
            &after.recorded(),
        ),
    };
    audit::record(tx, actor, change).await?;
    Ok(after)
}

/// The demo authority's letterhead: Camden's public address, telephone and
/// website, and no logo (never a real council's logo). Left alone when the
/// organisation already has one, so a demo user's own edits survive a
/// restart. Returns whether it was saved.
pub async fn load_demo(db: &Db, organisation_id: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    if get(&mut tx, organisation_id).await?.is_some() {
        return Ok(false);
    }
    let text = LetterheadText {
        service_name: "School Improvement Service".into(),
        address_lines: "5 Pancras Square\nLondon N1C 4AG".into(),
        telephone: "020 7974 4444".into(),
        email: String::new(),
        website: "camden.gov.uk".into(),
        footer: "Please quote our reference in any reply.".into(),
    };
    save(
        &mut tx,
        &Actor::system("demo"),
        organisation_id,
        &text,
        LogoChange::Keep,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
