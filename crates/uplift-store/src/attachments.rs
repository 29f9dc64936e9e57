//! Attachments on visits and notes of visit, kept in the database with the
//! record (BLOB on SQLite, BYTEA on PostgreSQL) with their SHA-256. Only
//! allowed types are accepted, recognised from the bytes themselves (magic
//! numbers) as well as the file's extension; the size limit is the caller's
//! (configured). Who may read or add one is decided by the web layer from
//! [`VisitAccess`].

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Attachment {
    pub id: i64,
    pub organisation_id: i64,
    pub visit_id: i64,
    /// Set when the file is attached to the note of visit rather than the visit.
    pub note_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

const COLS: &str = "id, organisation_id, visit_id, note_id, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at";

/// Why a file was refused: the message names the problem for the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge { limit: u64 },
    Type(String),
    Name,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::Empty => "The selected file is empty".into(),
            Refusal::TooLarge { limit } => format!(
                "The selected file must be smaller than {}",
                human_size(*limit)
            ),
            Refusal::Type(why) => format!(
                "The selected file must be a PDF, Word, Excel, PowerPoint, image (PNG, JPEG or GIF) or plain text file{why}"
            ),
            Refusal::Name => "The file name must be 1 to 200 characters".into(),
        }
    }
}

/// `10 MB`, `512 KB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MB", bytes / (1024 * 1024))
    } else if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}

/// The allowed types: (extensions, MIME type, magic check).
const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP: &[u8] = b"PK\x03\x04";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Recognises an allowed file from its extension and its bytes together;
/// returns the content type to store and serve.
pub fn recognise(filename: &str, bytes: &[u8]) -> std::result::Result<&'static str, Refusal> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (mime, ok) = match ext.as_str() {
        "pdf" => ("application/pdf", bytes.starts_with(b"%PDF-")),
        "doc" => ("application/msword", bytes.starts_with(OLE2)),
        "xls" => ("application/vnd.ms-excel", bytes.starts_with(OLE2)),
        "ppt" => ("application/vnd.ms-powerpoint", bytes.starts_with(OLE2)),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            bytes.starts_with(ZIP) && contains(bytes, b"word/"),
        ),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes.starts_with(ZIP) && contains(bytes, b"xl/"),
        ),
        "pptx" => (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            bytes.starts_with(ZIP) && contains(bytes, b"ppt/"),
        ),
        "png" => ("image/png", bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
        "jpg" | "jpeg" => ("image/jpeg", bytes.starts_with(&[0xFF, 0xD8, 0xFF])),
        "gif" => (
            "image/gif",
            bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        ),
        "txt" | "csv" => (
            if ext == "csv" {
                "text/csv; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            },
            std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
        ),
        "" => return Err(Refusal::Type(" (it has no extension)".into())),
        other => {
            return Err(Refusal::Type(format!(
                " (.{} files are not accepted)",
                other.chars().take(10).collect::<String>()
            )))
        }
    };
    if ok {
        Ok(mime)
    } else {
        Err(Refusal::Type(format!(
            " (its contents are not a .{ext} file)"
        )))
    }
}

/// The file name as kept: the last path component, control characters and
/// quotes removed.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect::<String>()
        .trim()
        .to_string()
}

/// Checks a file before anything is written.
pub fn check(
    filename: &str,
    bytes: &[u8],
    limit: u64,
) -> std::result::Result<&'static str, Refusal> {
    let name = clean_filename(filename);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Refusal::Name);
    }
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge { limit });
    }
    recognise(&name, bytes)
}

/// What decides who may see or add a visit's attachments.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VisitAccess {
    pub visit_id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    pub adviser_id: i64,
    /// The visiting adviser's user, if any.
    pub adviser_user_id: Option<i64>,
    pub note_id: Option<i64>,
    /// draft | sent | responded | shared | final.
    pub note_state: Option<String>,
}

impl VisitAccess {
    /// True once the note has gone to the school (sent or later).
    pub fn note_shared_with_school(&self) -> bool {
        matches!(
            self.note_state.as_deref(),
            Some("sent" | "responded" | "shared" | "final")
        )
    }

    pub fn note_final(&self) -> bool {
        self.note_state.as_deref() == Some("final")
    }
}

impl Db {
    /// The facts that decide access to a visit of the organisation.
    pub async fn visit_access(
        &self,
        organisation_id: i64,
        visit_id: i64,
    ) -> Result<Option<VisitAccess>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT v.id AS visit_id, v.organisation_id, v.urn, v.adviser_id, a.user_id AS adviser_user_id,
                    n.id AS note_id, n.state AS note_state
             FROM visits v JOIN advisers a ON a.id = v.adviser_id LEFT JOIN visit_notes n ON n.visit_id = v.id
             WHERE v.organisation_id = $1 AND v.id = $2")
            .bind(organisation_id).bind(visit_id).fetch_optional(p).await)?)
    }

    /// A visit's attachments (the visit's and its note's), oldest first.
    pub async fn attachments(
        &self,
        organisation_id: i64,
        visit_id: i64,
    ) -> Result<Vec<Attachment>> {
        let sql = format!(
            "SELECT {COLS} FROM visit_attachments WHERE organisation_id = $1 AND visit_id = $2 ORDER BY id"
        );
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(organisation_id).bind(visit_id)
            .fetch_all(p).await)?,
        )
    }

    /// One attachment of a visit with its bytes.
    pub async fn attachment_content(
        &self,
        organisation_id: i64,
        visit_id: i64,
        id: i64,
    ) -> Result<Option<(Attachment, Vec<u8>)>> {
        let sql = format!(
            "SELECT {COLS}, content FROM visit_attachments WHERE organisation_id = $1 AND visit_id = $2 AND id = $3"
        );
        on_pool!(self.pool(), p => {
            use sqlx::Row;
            let row = sqlx::query(&sql).bind(organisation_id).bind(visit_id).bind(id)
                .fetch_optional(p).await?;
            row.map(|r| -> Result<(Attachment, Vec<u8>)> {
                Ok((Attachment::from_row(&r)?, r.try_get::<Vec<u8>, _>("content")?))
            })
            .transpose()
        })
    }
}

/// Adds a file to a visit, or to its note when `to_note` (the note must exist
/// and not be final). The file is checked first; nothing is written when it
/// is refused. Audited (without the bytes).
#[allow(clippy::too_many_arguments)]
pub async fn add(
    tx: &mut Tx,
    actor: &Actor,
    access: &VisitAccess,
    to_note: bool,
    filename: &str,
    bytes: &[u8],
    limit: u64,
) -> Result<std::result::Result<Attachment, Refusal>> {
    let content_type = match check(filename, bytes, limit) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let note_id = if to_note {
        match access.note_id {
            None => {
                return Err(StoreError::Invalid(
                    "the visit has no note of visit yet: attach the file to the visit".into(),
                ))
            }
            Some(_) if access.note_final() => {
                return Err(StoreError::Invalid(
                    "the note of visit is final and locked: add an addendum instead".into(),
                ))
            }
            Some(n) => Some(n),
        }
    } else {
        None
    };
    let name = clean_filename(filename);
    let sha = hex::encode(Sha256::digest(bytes));
    let sql = format!(
        "INSERT INTO visit_attachments (organisation_id, visit_id, note_id, filename, content_type, size_bytes,
             sha256, content, uploaded_by, uploaded_by_user_id, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLS}"
    );
    let a: Attachment = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(access.organisation_id).bind(access.visit_id).bind(note_id).bind(&name).bind(content_type)
        .bind(bytes.len() as i64).bind(&sha).bind(bytes).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("visit_attachment", a.id, Some(access.organisation_id), &a),
    )
    .await?;
    Ok(Ok(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_bytes_and_extension() {
        assert_eq!(recognise("a.pdf", b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert!(recognise("a.pdf", b"MZ\x90\x00").is_err());
        assert!(recognise("evil.exe", b"MZ\x90\x00").is_err());
        assert!(recognise("a.png", b"%PDF-1.7").is_err());
        assert_eq!(
            recognise("photo.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok("image/jpeg")
        );
        assert!(recognise("notes.txt", b"hello\0world").is_err());
        assert!(recognise("notes.txt", b"Plain text").is_ok());
        assert!(recognise("x.docx", b"PK\x03\x04....word/document.xml").is_ok());
        assert!(recognise("x.docx", b"PK\x03\x04....xl/workbook.xml").is_err());
        assert!(recognise("noextension", b"%PDF-").is_err());
    }

    #[test]
    fn names_and_sizes() {
        assert_eq!(
            clean_filename("C:\\Users\\a\\plan \"v2\".pdf"),
            "plan v2.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(
            check("a.pdf", b"%PDF-", 3),
            Err(Refusal::TooLarge { limit: 3 })
        );
        assert_eq!(check("a.pdf", b"", 3), Err(Refusal::Empty));
    }
}
