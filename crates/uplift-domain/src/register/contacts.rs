//! A school's contacts as an organisation records them: the headteacher
//! (overriding the register's, for an acting head), the chair of governors
//! and the clerk to the governors.
//!
//! The published register names the headteacher but never the chair, yet
//! letters are "addressed to the headteacher and the chair of governors" and
//! notes of visit are "shared with the chair of governors": the names and
//! addresses typed here are the ones letters and emails use, so each is
//! checked once, here, for whoever records them (the page, the API, a case).

use std::fmt;

/// The longest name accepted.
pub const MAX_NAME: usize = 200;
/// The longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// One of the recorded contact details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactField {
    HeadteacherName,
    HeadteacherEmail,
    ChairName,
    ChairEmail,
    ClerkName,
    ClerkEmail,
}

impl ContactField {
    pub const ALL: [ContactField; 6] = [
        ContactField::HeadteacherName,
        ContactField::HeadteacherEmail,
        ContactField::ChairName,
        ContactField::ChairEmail,
        ContactField::ClerkName,
        ContactField::ClerkEmail,
    ];

    /// The field's name in forms, the API and the store.
    pub fn name(self) -> &'static str {
        match self {
            ContactField::HeadteacherName => "headteacher_name",
            ContactField::HeadteacherEmail => "headteacher_email",
            ContactField::ChairName => "chair_name",
            ContactField::ChairEmail => "chair_email",
            ContactField::ClerkName => "clerk_name",
            ContactField::ClerkEmail => "clerk_email",
        }
    }

    /// The detail in words, for messages ("The chair of governors' name").
    pub fn words(self) -> &'static str {
        match self {
            ContactField::HeadteacherName => "The headteacher's name",
            ContactField::HeadteacherEmail => "The headteacher's email address",
            ContactField::ChairName => "The chair of governors' name",
            ContactField::ChairEmail => "The chair of governors' email address",
            ContactField::ClerkName => "The clerk to the governors' name",
            ContactField::ClerkEmail => "The clerk to the governors' email address",
        }
    }

    /// Whether the detail is an email address (else a name).
    pub fn is_email(self) -> bool {
        matches!(
            self,
            ContactField::HeadteacherEmail | ContactField::ChairEmail | ContactField::ClerkEmail
        )
    }
}

/// Why a contact detail is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactProblem {
    /// A name longer than [`MAX_NAME`] characters.
    TooLong(ContactField),
    /// A name with a line break or other control character in it.
    NotOneLine(ContactField),
    /// An email address that does not look like one.
    NotAnEmail(ContactField),
}

impl ContactProblem {
    /// The detail refused.
    pub fn field(&self) -> ContactField {
        match self {
            ContactProblem::TooLong(f)
            | ContactProblem::NotOneLine(f)
            | ContactProblem::NotAnEmail(f) => *f,
        }
    }
}

impl fmt::Display for ContactProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = self.field().words();
        match self {
            ContactProblem::TooLong(_) => {
                write!(f, "{words} must be {MAX_NAME} characters or fewer")
            }
            ContactProblem::NotOneLine(_) => write!(f, "{words} must be on one line"),
            ContactProblem::NotAnEmail(_) => write!(
                f,
                "{words} must look like an email address, like name@example.org"
            ),
        }
    }
}

impl std::error::Error for ContactProblem {}

/// Checks one detail as typed (trimmed first; blank means "not recorded" and
/// is always accepted).
pub fn check(field: ContactField, value: &str) -> Result<(), ContactProblem> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(());
    }
    if field.is_email() {
        if looks_like_email(v) {
            Ok(())
        } else {
            Err(ContactProblem::NotAnEmail(field))
        }
    } else if v.chars().count() > MAX_NAME {
        Err(ContactProblem::TooLong(field))
    } else if v.chars().any(char::is_control) {
        Err(ContactProblem::NotOneLine(field))
    } else {
        Ok(())
    }
}

/// Every problem with a set of details, in the order of [`ContactField::ALL`].
pub fn problems<'a>(
    details: impl IntoIterator<Item = (ContactField, Option<&'a str>)>,
) -> Vec<ContactProblem> {
    let mut out: Vec<ContactProblem> = details
        .into_iter()
        .filter_map(|(f, v)| check(f, v.unwrap_or_default()).err())
        .collect();
    out.sort_by_key(ContactProblem::field);
    out
}

/// A valid-looking address: one `@`, something before it, a dotted domain
/// after it, no spaces or control characters, at most 254 characters.
pub fn looks_like_email(s: &str) -> bool {
    if s.chars().count() > MAX_EMAIL || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_details_are_not_recorded_and_accepted() {
        for f in ContactField::ALL {
            assert_eq!(check(f, "   "), Ok(()));
        }
    }

    #[test]
    fn names_are_one_line_and_at_most_200_characters() {
        let f = ContactField::ChairName;
        assert_eq!(check(f, &"Ł".repeat(200)), Ok(()));
        assert_eq!(check(f, &"Ł".repeat(201)), Err(ContactProblem::TooLong(f)));
        assert_eq!(
            check(f, "Pat\nGovernor"),
            Err(ContactProblem::NotOneLine(f))
        );
        assert_eq!(
            ContactProblem::TooLong(f).to_string(),
            "The chair of governors' name must be 200 characters or fewer"
        );
    }

    #[test]
    fn email_addresses_must_look_like_one() {
        let f = ContactField::ClerkEmail;
        assert_eq!(check(f, " clerk@school.example.org "), Ok(()));
        for bad in [
            "clerk",
            "clerk@school",
            "a@b@c.org",
            "a b@c.org",
            "@c.org",
            "a@.c.org",
            "a@c..org",
        ] {
            assert_eq!(check(f, bad), Err(ContactProblem::NotAnEmail(f)), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(check(f, &long), Err(ContactProblem::NotAnEmail(f)));
    }

    #[test]
    fn every_problem_is_reported_in_field_order() {
        let p = problems([
            (ContactField::ClerkEmail, Some("nope")),
            (ContactField::HeadteacherName, Some("Ada")),
            (ContactField::ChairName, Some(&*"x".repeat(201))),
            (ContactField::HeadteacherEmail, None),
        ]);
        assert_eq!(
            p,
            vec![
                ContactProblem::TooLong(ContactField::ChairName),
                ContactProblem::NotAnEmail(ContactField::ClerkEmail)
            ]
        );
    }
}
