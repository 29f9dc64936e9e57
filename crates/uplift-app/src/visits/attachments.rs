//! Files attached to a visit or its note of visit: listing those the caller
//! may read, adding one, and reading one's bytes under the access check.
//!
//! Who may read: staff who run visits, every file; a school user, their own
//! school's visit files, and its note's files once the note has been sent to
//! them; a QA reviewer, only the files of a note sampled to them. Who may
//! add: a lead, or the visit's own adviser.
//!
//! Field names in refusals: `attach_to` (visit or note), `file`.

use uplift_domain::access::{Action, Role, Scope};
use uplift_store::attachments::{self as store, Attachment, Refusal, VisitAccess};

use crate::{App, AppError, Caller, Result};

/// The visit, if it exists in the caller's organisation and the caller may
/// read something of it (not found otherwise).
pub async fn visit_access(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitAccess> {
    let org = caller.organisation_id();
    let a = app
        .db()
        .visit_access(org, visit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.authorize(
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn: a.urn,
        },
    )?;
    if caller.principal.role == Role::Panel && sampled_note(app, caller, &a).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// The visit's note, when it is sampled to this QA reviewer.
async fn sampled_note(app: &App, caller: &Caller, a: &VisitAccess) -> Result<Option<i64>> {
    let Some(note) = a.note_id else {
        return Ok(None);
    };
    Ok(app
        .db()
        .qa_sampled_to(caller.organisation_id(), note, caller.principal.user_id)
        .await?
        .then_some(note))
}

/// May the caller read this file of a visit they can reach?
async fn may_read(app: &App, caller: &Caller, a: &VisitAccess, att: &Attachment) -> Result<bool> {
    Ok(match caller.principal.role {
        Role::Admin | Role::Lead | Role::Adviser => true,
        Role::School => {
            caller.principal.school_urn == Some(a.urn)
                && (att.note_id.is_none() || a.note_shared_with_school())
        }
        Role::Panel => att.note_id.is_some() && sampled_note(app, caller, a).await? == att.note_id,
        Role::Commissioner | Role::Traded => false,
    })
}

/// May the caller add files to this visit? Leads: any; advisers: their own.
pub fn may_write(caller: &Caller, a: &VisitAccess) -> bool {
    match caller.principal.role {
        Role::Lead => true,
        Role::Adviser => a.adviser_user_id == Some(caller.principal.user_id),
        _ => false,
    }
}

/// The visit's files the caller may read, with the visit's access facts.
pub async fn attachments(
    app: &App,
    caller: &Caller,
    visit_id: i64,
) -> Result<(VisitAccess, Vec<Attachment>)> {
    let a = visit_access(app, caller, visit_id).await?;
    let mut out = Vec::new();
    for att in app
        .db()
        .attachments(caller.organisation_id(), visit_id)
        .await?
    {
        if may_read(app, caller, &a, &att).await? {
            out.push(att);
        }
    }
    Ok((a, out))
}

/// A file as uploaded.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    /// `visit` or `note`.
    pub attach_to: String,
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
    /// The file went over the limit (reading stopped there).
    pub too_large: bool,
}

/// Adds a file to the visit, or to its note (which must exist and not be
/// final): a known type whose contents match its name, at most `limit`
/// bytes. Refused, naming the field; nothing is saved.
pub async fn upload(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    up: &Upload,
    limit: u64,
) -> Result<Attachment> {
    let a = visit_access(app, caller, visit_id).await?;
    caller.authorize(
        Action::WriteVisits,
        Scope::School {
            organisation_id: caller.organisation_id(),
            urn: a.urn,
        },
    )?;
    if !may_write(caller, &a) {
        return Err(AppError::Forbidden);
    }
    let to_note = match up.attach_to.trim() {
        "visit" => false,
        "note" => true,
        _ => {
            return Err(AppError::field(
                "attach_to",
                "Select whether to attach the file to the visit or to the note of visit",
            ))
        }
    };
    if to_note && a.note_id.is_none() {
        return Err(AppError::field(
            "attach_to",
            "The visit has no note of visit yet: attach the file to the visit",
        ));
    }
    if to_note && a.note_final() {
        return Err(AppError::field(
            "attach_to",
            "The note of visit is final and locked: attach the file to the visit or add an addendum",
        ));
    }
    let Some(filename) = up.filename.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Err(AppError::field("file", "Select a file"));
    };
    if up.too_large {
        return Err(AppError::field(
            "file",
            Refusal::TooLarge { limit }.message(),
        ));
    }
    let mut tx = app.db().begin().await?;
    match store::add(
        &mut tx,
        &caller.actor,
        &a,
        to_note,
        filename,
        &up.bytes,
        limit,
    )
    .await
    .map_err(AppError::refused_on("file"))?
    {
        Ok(att) => {
            tx.commit().await?;
            Ok(att)
        }
        Err(refusal) => Err(AppError::field("file", refusal.message())),
    }
}

/// One file with its bytes, if the caller may read it (not found otherwise).
pub async fn read(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    attachment_id: i64,
) -> Result<(Attachment, Vec<u8>)> {
    let a = visit_access(app, caller, visit_id).await?;
    let (att, bytes) = app
        .db()
        .attachment_content(caller.organisation_id(), a.visit_id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_read(app, caller, &a, &att).await? {
        return Err(AppError::NotFound);
    }
    Ok((att, bytes))
}
