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
use uplift_docs::{validate_logo, Block, Document, ImageKind, Letterhead, Logo, MAX_LOGO_BYTES};
use uplift_domain::access::{Action, Scope};
use uplift_store::letterhead::{
    self as store, Letterhead as Stored, LetterheadText, Logo as StoredLogo, LogoChange,
};
use uplift_store::orgs::Organisation;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

/// The most address lines, and the longest any line of the letterhead may be.
pub const MAX_ADDRESS_LINES: usize = 6;
pub const MAX_LINE: usize = 100;
/// The longest footer line.
pub const MAX_FOOTER: usize = 300;
/// The largest request the letterhead form or the logo upload reads: a logo
/// a little over the limit is refused with a message on the field, not a
/// dropped request.
pub const MAX_REQUEST: usize = 4 * 1024 * 1024;

/// The letterhead for the organisation's documents: its name, then the
/// service name, address lines, telephone, email and website; the footer
/// line; the logo. An organisation that never set one gets its name alone.
pub async fn letterhead_for(state: &AppState, org: &Organisation) -> Result<Letterhead, Problem> {
    let stored = state.db.letterhead(org.id).await?;
    Ok(to_letterhead(&org.name, stored.as_ref()))
}

/// The document letterhead from what is stored (pure).
pub fn to_letterhead(organisation: &str, stored: Option<&Stored>) -> Letterhead {
    let Some(s) = stored else {
        return Letterhead {
            organisation: organisation.to_owned(),
            ..Default::default()
        };
    };
    let t = &s.text;
    let mut lines: Vec<String> = Vec::new();
    let mut push = |prefix: &str, v: &str| {
        let v = v.trim();
        if !v.is_empty() {
            lines.push(format!("{prefix}{v}"));
        }
    };
    push("", &t.service_name);
    for l in s.address() {
        push("", l);
    }
    push("Telephone ", &t.telephone);
    push("Email ", &t.email);
    push("", &t.website);
    let footer = Some(t.footer.trim().to_owned()).filter(|f| !f.is_empty());
    let logo = s.logo.as_ref().and_then(|l| {
        Some(Logo {
            kind: ImageKind::from_mime(&l.mime)?,
            bytes: l.bytes.clone(),
            width_px: u32::try_from(l.width_px).ok()?,
            height_px: u32::try_from(l.height_px).ok()?,
        })
    });
    Letterhead {
        organisation: organisation.to_owned(),
        lines,
        logo,
        footer,
    }
}

/// A field refused: its name and the message.
pub type Refusal = (&'static str, String);

fn looks_like_email(s: &str) -> bool {
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) || s.len() > 254 {
        return false;
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Trims the text and checks it: at most six address lines, every line at
/// most 100 characters, an email address that looks like one.
pub fn check_text(t: &LetterheadText) -> Result<LetterheadText, Vec<Refusal>> {
    let mut errors: Vec<Refusal> = Vec::new();
    let one_line = |name: &'static str, label: &str, v: &str, errors: &mut Vec<Refusal>| {
        let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
        if v.chars().count() > MAX_LINE {
            errors.push((
                name,
                format!("{label} must be {MAX_LINE} characters or fewer"),
            ));
        }
        v
    };
    let service_name = one_line("service_name", "Service name", &t.service_name, &mut errors);
    let address: Vec<String> = t
        .address_lines
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    if address.len() > MAX_ADDRESS_LINES {
        errors.push((
            "address_lines",
            format!(
                "Enter the address in {MAX_ADDRESS_LINES} lines or fewer (it has {})",
                address.len()
            ),
        ));
    } else if let Some((i, _)) = address
        .iter()
        .enumerate()
        .find(|(_, l)| l.chars().count() > MAX_LINE)
    {
        errors.push((
            "address_lines",
            format!(
                "Line {} of the address must be {MAX_LINE} characters or fewer",
                i + 1
            ),
        ));
    }
    let telephone = one_line("telephone", "Telephone", &t.telephone, &mut errors);
    let email = one_line("email", "Email address", &t.email, &mut errors);
    if !email.is_empty() && email.chars().count() <= MAX_LINE && !looks_like_email(&email) {
        errors.push((
            "email",
            "Enter an email address in the correct format, like name@example.gov.uk".into(),
        ));
    }
    let website = one_line("website", "Website", &t.website, &mut errors);
    let footer = t.footer.split_whitespace().collect::<Vec<_>>().join(" ");
    if footer.chars().count() > MAX_FOOTER {
        errors.push((
            "footer",
            format!("Footer line must be {MAX_FOOTER} characters or fewer"),
        ));
    }
    if errors.is_empty() {
        Ok(LetterheadText {
            service_name,
            address_lines: address.join("\n"),
            telephone,
            email,
            website,
            footer,
        })
    } else {
        Err(errors)
    }
}

/// Checks a logo's bytes (type by magic bytes, size, pixels, readable);
/// the message is for the `logo` field.
pub fn check_logo(bytes: &[u8]) -> Result<StoredLogo, String> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(uplift_docs::LogoError::TooLarge.to_string());
    }
    let logo = validate_logo(bytes).map_err(|e| e.to_string())?;
    Ok(StoredLogo {
        mime: logo.kind.mime().to_owned(),
        width_px: i64::from(logo.width_px),
        height_px: i64::from(logo.height_px),
        bytes: logo.bytes,
    })
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
    let stored = state.db.letterhead(org.id).await?;
    // The preview shows what is saved, as the documents will print it.
    let lh = to_letterhead(&org.name, stored.as_ref());
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
    let org = user.principal.organisation_id;
    permit(&user, Action::ManageTemplates, Scope::Organisation(org))?;
    let stored = state.db.letterhead(org).await?;
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
    let org = user.principal.organisation_id;
    permit(&user, Action::ManageTemplates, Scope::Organisation(org))?;
    let form = form.map_err(|e| {
        Problem::BadRequest(format!(
            "The form must be sent as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let s = read_form(form).await?;
    let mut errors: Vec<Value> = Vec::new();
    let text = match check_text(&s.text) {
        Ok(t) => Some(t),
        Err(es) => {
            errors.extend(es.iter().map(|(f, m)| err(f, m)));
            None
        }
    };
    let change = if s.logo_too_large {
        errors.push(err("logo", &uplift_docs::LogoError::TooLarge.to_string()));
        None
    } else if let Some(bytes) = &s.logo {
        if s.remove_logo {
            errors.push(err(
                "logo",
                "Either upload a new logo or remove the logo, not both",
            ));
            None
        } else {
            match check_logo(bytes) {
                Ok(l) => Some(LogoChange::Set(l)),
                Err(m) => {
                    errors.push(err("logo", &m));
                    None
                }
            }
        }
    } else if s.remove_logo {
        Some(LogoChange::Remove)
    } else {
        Some(LogoChange::Keep)
    };
    let (Some(text), Some(change), true) = (text, change, errors.is_empty()) else {
        return render_page(&state, &user, &s.text, errors, None).await;
    };
    let mut tx = state.db.begin().await?;
    match store::save(&mut tx, &user.actor(), org, &text, change).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to("/settings/letterhead?saved=1").into_response())
        }
        Err(uplift_store::StoreError::Invalid(m)) => {
            tx.rollback().await?;
            render_page(&state, &user, &s.text, vec![err("logo", &m)], None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A short sample document with the organisation's letterhead.
pub fn sample_document(letterhead: Letterhead) -> Document {
    Document {
        letterhead,
        title: "Sample letter".into(),
        reference: Some("Our reference: SAMPLE".into()),
        date: Some(uplift_domain::concern::long_date(
            crate::pages::categories::today(),
        )),
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
    let org = user.principal.organisation_id;
    permit(&user, Action::ManageTemplates, Scope::Organisation(org))?;
    let lh = letterhead_for(&state, &user.organisation).await?;
    let doc = sample_document(lh);
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

    fn text() -> LetterheadText {
        LetterheadText {
            service_name: " School  Improvement Service ".into(),
            address_lines: "5 Pancras Square\n\n  London N1C 4AG \n".into(),
            telephone: "020 7974 4444".into(),
            email: "".into(),
            website: "camden.gov.uk".into(),
            footer: "".into(),
        }
    }

    #[test]
    fn text_is_tidied_and_checked() {
        let t = check_text(&text()).unwrap();
        assert_eq!(t.service_name, "School Improvement Service");
        assert_eq!(t.address_lines, "5 Pancras Square\nLondon N1C 4AG");
        let mut bad = text();
        bad.address_lines = (1..=7).map(|i| format!("Line {i}\n")).collect();
        bad.email = "not an email".into();
        bad.telephone = "1".repeat(101);
        let errors = check_text(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["address_lines", "telephone", "email"]);
        let mut long = text();
        long.address_lines = format!("ok\n{}", "x".repeat(101));
        assert_eq!(
            check_text(&long).unwrap_err()[0].1,
            "Line 2 of the address must be 100 characters or fewer"
        );
    }

    #[test]
    fn nothing_set_gives_the_name_alone() {
        let lh = to_letterhead("Camden Council", None);
        assert_eq!(lh.organisation, "Camden Council");
        assert!(lh.lines.is_empty() && lh.logo.is_none() && lh.footer.is_none());
        assert!(looks_like_email("a@b.gov.uk"));
        assert!(!looks_like_email("a@b"));
        assert!(check_logo(b"hello").is_err());
    }
}
