//! The organisation's letterhead: service name, postal address, telephone,
//! email, website, footer line and logo, printed on every formal document.
//! Changing it follows `ManageTemplates`; [`document_letterhead`] is the one
//! place documents get it from (notes of visit, letters, meeting papers).
//!
//! Field names in refusals: `service_name`, `address_lines`, `telephone`,
//! `email`, `website`, `footer`, `logo`.

use uplift_docs::{
    validate_logo, ImageKind, Letterhead as DocumentLetterhead, Logo, MAX_LOGO_BYTES,
};
use uplift_domain::access::{Action, Scope};
use uplift_domain::register::contacts::looks_like_email;
use uplift_store::letterhead::{
    self as store, Letterhead, LetterheadText, Logo as StoredLogo, LogoChange,
};

use crate::error::Problems;
use crate::{App, AppError, Caller, FieldError, Result};

/// The most address lines, and the longest any line of the letterhead may be.
pub const MAX_ADDRESS_LINES: usize = 6;
pub const MAX_LINE: usize = 100;
/// The longest footer line.
pub const MAX_FOOTER: usize = 300;
/// The largest request a letterhead form or logo upload may send: a logo a
/// little over the limit is refused with a message on its field, not a
/// dropped request.
pub const MAX_REQUEST: usize = 4 * 1024 * 1024;

/// What to do with the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoInput {
    Keep,
    Remove,
    /// New bytes; `declared` is the type the sender said they are, if any
    /// (the API's `Content-Type`).
    Upload {
        bytes: Vec<u8>,
        declared: Option<ImageKind>,
    },
    /// A file over the size limit (its bytes not kept).
    TooLarge,
    /// A new file and "remove the logo" together.
    UploadAndRemove,
}

/// The organisation's letterhead as saved, if it has one.
pub async fn letterhead(app: &App, caller: &Caller) -> Result<Option<Letterhead>> {
    let org = allowed(caller)?;
    Ok(app.db().letterhead(org).await?)
}

/// Saves the letterhead (audited). `text` of `None` keeps the saved text
/// (a logo upload alone). Every problem with the text and the logo is
/// reported on its field and nothing is saved.
pub async fn save_letterhead(
    app: &App,
    caller: &Caller,
    text: Option<&LetterheadText>,
    logo: LogoInput,
) -> Result<Letterhead> {
    let org = allowed(caller)?;
    let mut problems = Vec::new();
    let text = match text.map(check_text) {
        Some(Ok(t)) => Some(t),
        Some(Err(es)) => {
            problems.extend(es);
            None
        }
        None => None,
    };
    let change = match logo_change(logo) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let (Some(change), true) = (change, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let mut tx = app.db().begin().await?;
    let text = match text {
        Some(t) => t,
        None => store::get(&mut tx, org)
            .await?
            .map(|l| l.text)
            .unwrap_or_default(),
    };
    let saved = store::save(&mut tx, &caller.actor, org, &text, change)
        .await
        .map_err(AppError::refused_on("logo"))?;
    tx.commit().await?;
    Ok(saved)
}

/// The letterhead documents print for an organisation: its name, then the
/// service name, address lines, telephone, email and website; the footer
/// line; the logo. One that never set one gets its name alone.
pub async fn document_letterhead(
    app: &App,
    organisation_id: i64,
    organisation: &str,
) -> Result<DocumentLetterhead> {
    let stored = app.db().letterhead(organisation_id).await?;
    Ok(to_document(organisation, stored.as_ref()))
}

/// The document letterhead from what is stored (pure).
pub fn to_document(organisation: &str, stored: Option<&Letterhead>) -> DocumentLetterhead {
    let Some(s) = stored else {
        return DocumentLetterhead {
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
    DocumentLetterhead {
        organisation: organisation.to_owned(),
        lines,
        logo,
        footer,
    }
}

fn allowed(caller: &Caller) -> Result<i64> {
    let org = caller.organisation_id();
    caller.authorize(Action::ManageTemplates, Scope::Organisation(org))?;
    Ok(org)
}

fn logo_change(logo: LogoInput) -> std::result::Result<LogoChange, FieldError> {
    match logo {
        LogoInput::Keep => Ok(LogoChange::Keep),
        LogoInput::Remove => Ok(LogoChange::Remove),
        LogoInput::TooLarge => Err(FieldError::new(
            "logo",
            uplift_docs::LogoError::TooLarge.to_string(),
        )),
        LogoInput::UploadAndRemove => Err(FieldError::new(
            "logo",
            "Either upload a new logo or remove the logo, not both",
        )),
        LogoInput::Upload { bytes, declared } => {
            let logo = check_logo(&bytes)?;
            match declared {
                Some(d) if d.mime() != logo.mime => Err(FieldError::new(
                    "logo",
                    format!(
                        "The file is a {} image but was sent as a {} image",
                        kind_name(&logo.mime),
                        kind_name(d.mime())
                    ),
                )),
                _ => Ok(LogoChange::Set(logo)),
            }
        }
    }
}

fn kind_name(mime: &str) -> &'static str {
    match ImageKind::from_mime(mime) {
        Some(ImageKind::Png) => "PNG",
        Some(ImageKind::Jpeg) => "JPEG",
        None => "different",
    }
}

/// Trims the text and checks it: at most six address lines, every line at
/// most 100 characters, an email address that looks like one, a footer of at
/// most 300 characters.
pub fn check_text(t: &LetterheadText) -> std::result::Result<LetterheadText, Vec<FieldError>> {
    let mut errors = Problems::new();
    let one_line = |name: &str, label: &str, v: &str, errors: &mut Problems| {
        let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
        if v.chars().count() > MAX_LINE {
            errors.add(
                name,
                format!("{label} must be {MAX_LINE} characters or fewer"),
            );
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
        errors.add(
            "address_lines",
            format!(
                "Enter the address in {MAX_ADDRESS_LINES} lines or fewer (it has {})",
                address.len()
            ),
        );
    } else if let Some((i, _)) = address
        .iter()
        .enumerate()
        .find(|(_, l)| l.chars().count() > MAX_LINE)
    {
        errors.add(
            "address_lines",
            format!(
                "Line {} of the address must be {MAX_LINE} characters or fewer",
                i + 1
            ),
        );
    }
    let telephone = one_line("telephone", "Telephone", &t.telephone, &mut errors);
    let email = one_line("email", "Email address", &t.email, &mut errors);
    if !email.is_empty() && !errors.has("email") && !looks_like_email(&email) {
        errors.add(
            "email",
            "Enter an email address in the correct format, like name@example.gov.uk",
        );
    }
    let website = one_line("website", "Website", &t.website, &mut errors);
    let footer = t.footer.split_whitespace().collect::<Vec<_>>().join(" ");
    if footer.chars().count() > MAX_FOOTER {
        errors.add(
            "footer",
            format!("Footer line must be {MAX_FOOTER} characters or fewer"),
        );
    }
    match errors.done() {
        Ok(()) => Ok(LetterheadText {
            service_name,
            address_lines: address.join("\n"),
            telephone,
            email,
            website,
            footer,
        }),
        Err(AppError::Invalid(es)) => Err(es),
        Err(_) => Err(Vec::new()),
    }
}

/// Checks a logo's bytes (type by magic bytes, size, pixels, readable).
pub fn check_logo(bytes: &[u8]) -> std::result::Result<StoredLogo, FieldError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(FieldError::new(
            "logo",
            uplift_docs::LogoError::TooLarge.to_string(),
        ));
    }
    let logo = validate_logo(bytes).map_err(|e| FieldError::new("logo", e.to_string()))?;
    Ok(StoredLogo {
        mime: logo.kind.mime().to_owned(),
        width_px: i64::from(logo.width_px),
        height_px: i64::from(logo.height_px),
        bytes: logo.bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_every_problem_named() {
        let ok = check_text(&LetterheadText {
            service_name: "  School   Improvement ".into(),
            address_lines: "Town Hall\n\n  Judd Street \nLondon WC1H 9JE".into(),
            email: " si@camden.example.gov.uk ".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.service_name, "School Improvement");
        assert_eq!(ok.address_lines, "Town Hall\nJudd Street\nLondon WC1H 9JE");
        assert_eq!(ok.email, "si@camden.example.gov.uk");

        let bad = check_text(&LetterheadText {
            address_lines: "1\n2\n3\n4\n5\n6\n7".into(),
            email: "si@camden".into(),
            footer: "x".repeat(301),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["address_lines", "email", "footer"]);
        assert_eq!(
            bad[0].message,
            "Enter the address in 6 lines or fewer (it has 7)"
        );
    }

    #[test]
    fn a_logo_must_be_an_image_of_the_type_sent() {
        assert!(logo_change(LogoInput::Upload {
            bytes: b"not an image".to_vec(),
            declared: None
        })
        .is_err());
        assert_eq!(
            logo_change(LogoInput::UploadAndRemove).unwrap_err().field,
            "logo"
        );
        assert_eq!(logo_change(LogoInput::Keep).unwrap(), LogoChange::Keep);
    }
}
