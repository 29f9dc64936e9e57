//! A letter as a document (PDF and Word), shared by the letter page and the
//! API so that both give the same file.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use uplift_domain::concern::long_date;
use uplift_store::concern::LetterRecord;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::Problem;

/// A stored ISO date as words ("2 December 2026"); the text as it is when
/// it is not a date.
pub fn date_words(s: &str) -> String {
    s.parse::<Date>()
        .map(long_date)
        .unwrap_or_else(|_| s.to_owned())
}

/// The letter as a formal document for PDF and Word.
/// `letterhead`: the organisation's, from [`uplift_app::letterhead::document_letterhead`].
pub fn letter_document(
    letterhead: uplift_docs::Letterhead,
    l: &LetterRecord,
) -> uplift_docs::Document {
    use uplift_docs::{Block, Document};
    let mut blocks = Vec::new();
    for para in l.body.split("\n\n") {
        let para = para.trim_matches('\n');
        if para.trim().is_empty() {
            continue;
        }
        let ls: Vec<&str> = para.lines().collect();
        if ls.iter().all(|x| x.trim_start().starts_with("- ")) {
            blocks.push(Block::Bullets(
                ls.iter()
                    .map(|x| x.trim_start().trim_start_matches("- ").to_owned())
                    .collect(),
            ));
        } else {
            blocks.push(Block::Paragraph(ls.join("\n")));
        }
    }
    Document {
        letterhead,
        title: l.title.clone(),
        reference: Some(format!("Letter {} (URN {})", l.id, l.urn)),
        date: Some(date_words(l.issued_on.as_deref().unwrap_or(&l.drafted_on))),
        blocks,
    }
}

/// The letter as a file: `pdf`, or `docx` (a Word file for editing); any
/// other kind is not found. Rendered off the async runtime.
pub async fn letter_file(
    state: &AppState,
    user: &CurrentUser,
    l: &LetterRecord,
    ext: &str,
) -> Result<Response, Problem> {
    let letterhead = uplift_app::letterhead::document_letterhead(
        &state.app,
        user.organisation.id,
        &user.organisation.name,
    )
    .await
    .map_err(crate::error::Problem::from)?;
    let doc = letter_document(letterhead, l);
    let (bytes, ctype, suffix) = match ext {
        "pdf" => (
            uplift_app::blocking(move || uplift_docs::to_pdf(&doc)).await?,
            "application/pdf",
            "pdf",
        ),
        "docx" => (
            uplift_app::blocking(move || uplift_docs::to_docx(&doc)).await?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        _ => return Err(Problem::NotFound),
    };
    let disposition = format!(
        "attachment; filename=\"letter-{}-{}.{suffix}\"",
        l.id, l.kind
    );
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|e| Problem::Internal(e.to_string()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}
