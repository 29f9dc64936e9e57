//! Parsed identity values: an email address and a password good enough to keep.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("email address {0:?} is not valid")]
    BadEmail(String),
    #[error("password is empty")]
    EmptyPassword,
    #[error("password is too weak: {0}")]
    WeakPassword(&'static str),
    #[error("the number of days until the token expires must be a whole number between 1 and 366")]
    TokenLifetime,
}

impl Email {
    pub fn parse(s: &str) -> Result<Email, IdentityError> {
        let e = s.trim().to_ascii_lowercase();
        let bad = || IdentityError::BadEmail(s.to_string());
        if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = e.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad());
        }
        Ok(Email(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Passwords everyone has tried first.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "123456789012",
    "qwertyuiop",
    "letmein123",
    "welcome12345",
    "changeme1234",
    "administrator",
    "iloveyou1234",
    "passwordpassword",
];

/// A password that passes the policy: at least 12 characters, not one
/// repeated character, not a well-known password, and not the email itself.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub const MIN_LEN: usize = 12;

    pub fn parse(s: &str, email: Option<&Email>) -> Result<NewPassword, IdentityError> {
        if s.is_empty() {
            return Err(IdentityError::EmptyPassword);
        }
        let n = s.chars().count();
        if n < Self::MIN_LEN {
            return Err(IdentityError::WeakPassword("use at least 12 characters"));
        }
        if n > 1024 {
            return Err(IdentityError::WeakPassword("use at most 1024 characters"));
        }
        let first = s.chars().next();
        if s.chars().all(|c| Some(c) == first) {
            return Err(IdentityError::WeakPassword("do not repeat one character"));
        }
        let lower = s.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(IdentityError::WeakPassword(
                "this is a commonly used password",
            ));
        }
        if let Some(e) = email {
            if lower == e.as_str() || lower == e.as_str().split('@').next().unwrap_or_default() {
                return Err(IdentityError::WeakPassword("do not use your email address"));
            }
        }
        Ok(NewPassword(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How long an API token lasts before it stops working: 1 to 366 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime(u16);

impl TokenLifetime {
    pub const MAX_DAYS: u16 = 366;

    pub fn from_days(days: i64) -> Result<TokenLifetime, IdentityError> {
        u16::try_from(days)
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(d))
            .map(TokenLifetime)
            .ok_or(IdentityError::TokenLifetime)
    }

    /// A number of days as typed: blank is no expiry.
    pub fn parse(s: &str) -> Result<Option<TokenLifetime>, IdentityError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentityError::TokenLifetime);
        }
        s.parse::<i64>()
            .map_err(|_| IdentityError::TokenLifetime)
            .and_then(Self::from_days)
            .map(Some)
    }

    pub fn days(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Head@School.Camden.sch.uk ").map(|e| e.to_string()),
            Ok("head@school.camden.sch.uk".to_string())
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@camden.gov.uk",
            "a@@b.uk",
            "a b@c.uk",
            "a@.uk",
            "a@b..uk",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        let e = Email::parse("lead@camden.gov.uk").ok();
        assert_eq!(
            NewPassword::parse("", e.as_ref()),
            Err(IdentityError::EmptyPassword)
        );
        assert!(NewPassword::parse("short", e.as_ref()).is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaaaaa", e.as_ref()).is_err());
        assert!(NewPassword::parse("Password123", e.as_ref()).is_err());
        assert!(NewPassword::parse("PasswordPassword", e.as_ref()).is_err());
        assert!(NewPassword::parse("lead@camden.gov.uk", e.as_ref()).is_err());
        assert!(NewPassword::parse("correct horse battery", e.as_ref()).is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery", None)),
            "Ok(NewPassword(***))"
        );
    }

    #[test]
    fn token_lifetimes() {
        assert_eq!(TokenLifetime::parse(""), Ok(None));
        assert_eq!(
            TokenLifetime::parse(" 30 ").map(|l| l.map(|l| l.days())),
            Ok(Some(30))
        );
        assert_eq!(TokenLifetime::from_days(366).map(|l| l.days()), Ok(366));
        for bad in ["0", "367", "-5", "1.5", "ninety", "99999999999999999999"] {
            assert_eq!(
                TokenLifetime::parse(bad),
                Err(IdentityError::TokenLifetime),
                "{bad}"
            );
        }
        assert!(IdentityError::TokenLifetime
            .to_string()
            .contains("between 1 and 366"));
    }

    proptest! {
        #[test]
        fn parsed_emails_are_normalised(local in "[a-z0-9.]{1,20}", domain in "[a-z]{1,10}\\.[a-z]{2,3}") {
            let raw = format!("{}@{}", local.to_uppercase(), domain);
            let e = Email::parse(&raw).unwrap();
            prop_assert_eq!(e.as_str(), raw.to_lowercase());
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
        }

        #[test]
        fn short_passwords_are_always_refused(s in ".{0,11}") {
            prop_assert!(NewPassword::parse(&s, None).is_err());
        }
    }
}
