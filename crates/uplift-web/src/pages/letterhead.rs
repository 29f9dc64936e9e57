//! The organisation's letterhead (`/settings/letterhead`): service name,
//! postal address, telephone, email, website, footer line and logo, printed
//! on every formal document. [`letterhead_for`] is the one place documents
//! get their letterhead from (notes of visit, letters, meeting papers).
//!
//! The form is multipart (the logo is a file); the guard checks its
//! `csrf_token` field before the handler reads the file. A logo must be a
//! PNG or JPEG by its bytes, at most 1 MB and 2000 by 2000 pixels, and
//! readable; bad input is refused with the GOV.UK error summary and field
//! errors, and nothing is saved.

use std::collections::BTreeMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::letterhead::{self, LogoInput};
use uplift_app::AppError;
use uplift_docs::{Block, Document, Letterhead, MAX_LOGO_BYTES};
use uplift_store::letterhead::{Letterhead as Stored, LetterheadText};
use uplift_store::orgs::Organisation;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

pub use uplift_app::letterhead::{MAX_ADDRESS_LINES, MAX_REQUEST};

/// The letterhead for the organisation's documents (the application's
/// [`uplift_app::letterhead::document_letterhead`]).
pub async fn letterhead_for(state: &AppState, org: &Organisation) -> Result<Letterhead, Problem> {
    Ok(uplift_app::letterhead::document_letterhead(&state.app, org.id, &org.name).await?)
}

// ---------------------------------------------------------------------------
// Pages

#[derive(Debug, Deserialize, Default)]
pub struct LetterheadQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

fn text_of(stored: Option<&Stored>) -> LetterheadText {
    stored.map(|s| s.text.clone()).unwrap_or_default()
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    values: &LetterheadText,
    errors: Vec<Value>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = &user.organisation;
    let stored = letterhead::letterhead(&state.app, &user.caller()).await?;
    // The preview shows what is saved, as the documents will print it.
    let lh = letterhead::to_document(&org.name, stored.as_ref());
    let logo = stored.as_ref().and_then(|s| s.logo.as_ref()).map(|l| {
        context! {
            src => format!("data:{};base64,{}", l.mime, base64::engine::general_purpose::STANDARD.encode(&l.bytes)),
            mime => l.mime.clone(),
            width => l.width_px,
            height => l.height_px,
            size => uplift_store::attachments::human_size(l.bytes.len() as u64),
        }
    });
    let field_errors: BTreeMap<String, String> = errors
        .iter()
        .filter_map(|e| {
            Some((
                e.get_attr("field").ok()?.as_str()?.to_owned(),
                e.get_attr("text").ok()?.as_str()?.to_owned(),
            ))
        })
        .collect();
    let has_errors = !errors.is_empty();
    let mut res = render(
        state,
        Some(user),
        "/settings/letterhead",
        "letterhead.html",
        "Letterhead",
        context! {
            values => context! {
                service_name => values.service_name.clone(),
                address_lines => values.address_lines.clone(),
                telephone => values.telephone.clone(),
                email => values.email.clone(),
                website => values.website.clone(),
                footer => values.footer.clone(),
            },
            preview => context! {
                organisation => lh.organisation.clone(),
                lines => lh.lines.clone(),
                footer => lh.footer.clone(),
            },
            logo => logo,
            saved => stored.as_ref().map(|s| context! { by => s.updated_by.clone(), at => s.updated_at.clone() }),
            max_lines => MAX_ADDRESS_LINES,
            field_errors => field_errors,
            errors => errors,
            flash => flash,
        },
    )?;
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /settings/letterhead`: the form, with a preview and a sample PDF.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<LetterheadQuery>,
) -> Result<Response, PageError> {
    let stored = letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
    let flash = q.saved.map(|_| "The letterhead has been saved.".to_owned());
    render_page(&state, &user, &text_of(stored.as_ref()), Vec::new(), flash).await
}

/// What the multipart form holds.
#[derive(Default)]
struct Submitted {
    text: LetterheadText,
    remove_logo: bool,
    logo: Option<Vec<u8>>,
    logo_too_large: bool,
}

async fn read_form(mut form: Multipart) -> Result<Submitted, Problem> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        Problem::BadRequest(format!("The form could not be read: {}", e.body_text()))
    };
    let mut s = Submitted::default();
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "logo" => {
                let mut bytes = Vec::new();
                // Past the limit the rest of the file is read and dropped
                // (the guard has already bounded the whole request).
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if s.logo_too_large || bytes.len() + chunk.len() > MAX_LOGO_BYTES {
                        s.logo_too_large = true;
                        bytes.clear();
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                // A file input left empty sends an empty part.
                if !bytes.is_empty() || s.logo_too_large {
                    s.logo = Some(bytes);
                }
            }
            "remove_logo" => {
                s.remove_logo = field.text().await.map_err(bad)? == "yes";
            }
            "service_name" | "address_lines" | "telephone" | "email" | "website" | "footer" => {
                let v = field.text().await.map_err(bad)?.replace("\r\n", "\n");
                let t = &mut s.text;
                match name.as_str() {
                    "service_name" => t.service_name = v,
                    "address_lines" => t.address_lines = v,
                    "telephone" => t.telephone = v,
                    "email" => t.email = v,
                    "website" => t.website = v,
                    _ => t.footer = v,
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// `POST /settings/letterhead` (multipart: csrf_token, the text fields,
/// `logo` file, `remove_logo=yes`).
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let caller = user.caller();
    // Nothing of the body is read for a caller who may not change it.
    letterhead::letterhead(&state.app, &caller)
        .await
        .map_err(Problem::from)?;
    let form = form.map_err(|e| {
        Problem::BadRequest(format!(
            "The form must be sent as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let s = read_form(form).await?;
    let logo = match (s.logo_too_large, s.logo.clone(), s.remove_logo) {
        (true, _, _) => LogoInput::TooLarge,
        (false, Some(_), true) => LogoInput::UploadAndRemove,
        (false, Some(bytes), false) => LogoInput::Upload {
            bytes,
            declared: None,
        },
        (false, None, true) => LogoInput::Remove,
        (false, None, false) => LogoInput::Keep,
    };
    match letterhead::save_letterhead(&state.app, &caller, Some(&s.text), logo).await {
        Ok(_) => Ok(Redirect::to("/settings/letterhead?saved=1").into_response()),
        Err(AppError::Invalid(es)) => {
            let errors = es.iter().map(|e| err(&e.field, &e.message)).collect();
            render_page(&state, &user, &s.text, errors, None).await
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}

/// A short sample document with the organisation's letterhead.
pub fn sample_document(letterhead: Letterhead, today: jiff::civil::Date) -> Document {
    Document {
        letterhead,
        title: "Sample letter".into(),
        reference: Some("Our reference: SAMPLE".into()),
        date: Some(uplift_domain::concern::long_date(today)),
        blocks: vec![
            Block::Fields(vec![
                ("To".into(), "The headteacher".into()),
                ("Copy to".into(), "The chair of governors".into()),
            ]),
            Block::Paragraph("Dear Headteacher,".into()),
            Block::Paragraph(
                "This sample shows how your organisation's letterhead appears on notes of \
                 visit, letters and meeting papers: the logo and the organisation's name at \
                 the top of the first page, the service name, address and contact details \
                 beside them, and the footer line at the foot of every page."
                    .into(),
            ),
            Block::Signature {
                name: "A. Officer".into(),
                role: "School Improvement Service".into(),
            },
        ],
    }
}

/// `GET /settings/letterhead/sample.pdf`: a sample letter as a PDF.
pub async fn sample_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    letterhead::letterhead(&state.app, &user.caller())
        .await
        .map_err(Problem::from)?;
    let lh = letterhead_for(&state, &user.organisation).await?;
    let doc = sample_document(lh, state.today());
    let bytes = uplift_app::blocking(move || uplift_docs::to_pdf(&doc)).await?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"letterhead-sample.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_dated_as_a_letter_is() {
        let doc = sample_document(
            uplift_app::letterhead::to_document("Camden Council", None),
            jiff::civil::date(2026, 12, 2),
        );
        assert_eq!(doc.date.as_deref(), Some("Wednesday 2 December 2026"));
        assert_eq!(doc.letterhead.organisation, "Camden Council");
    }
}
