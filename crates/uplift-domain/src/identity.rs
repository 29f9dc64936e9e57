//! Parsed identity values: an email address, a password good enough to keep
//! (the one password policy, used by the command line and the web alike) and
//! an API token's lifetime.

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
    #[error("password must be at least 12 characters")]
    TooShort,
    #[error("password must be at most 1024 characters")]
    TooLong,
    /// Why, in words that follow "harder to guess: ".
    #[error("choose a password that is harder to guess: {0}")]
    Guessable(String),
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

/// What a new password is checked against besides itself: the person's email
/// and name and their organisation's name, which are the first things anyone
/// guessing would try.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub email: Option<&'a Email>,
    pub name: Option<&'a str>,
    pub organisation: Option<&'a str>,
}

/// Words in organisations' names that say what kind of body it is, not which.
const GENERIC_WORDS: &[&str] = &[
    "academies",
    "academy",
    "borough",
    "city",
    "council",
    "county",
    "diocesan",
    "diocese",
    "district",
    "education",
    "federation",
    "improvement",
    "learning",
    "london",
    "metropolitan",
    "multi",
    "partnership",
    "royal",
    "school",
    "schools",
    "service",
    "services",
    "traded",
    "trust",
];

/// Lower-case words of at least `min` letters or digits.
fn words(s: &str, min: usize) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(move |w| w.chars().count() >= min)
        .map(str::to_lowercase)
}

/// Lower-case letters and digits only: "Camden Council" → "camdencouncil".
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl PasswordContext<'_> {
    /// Why the password is too personal, if it is.
    fn personal(&self, password: &str) -> Option<&'static str> {
        let lower = password.to_lowercase();
        let packed = compact(password);
        let holds = |fragment: &str| {
            let f = fragment.trim().to_lowercase();
            let c = compact(&f);
            f.chars().count() >= 3
                && (lower.contains(&f) || (c.chars().count() >= 3 && packed.contains(&c)))
        };
        if let Some(e) = self.email {
            let local = e.as_str().split('@').next().unwrap_or_default();
            if holds(e.as_str())
                || (local.chars().count() >= 4 && holds(local))
                || words(local, 4).any(|w| holds(&w))
            {
                return Some("do not use your email address");
            }
        }
        if let Some(name) = self.name {
            if holds(name) || words(name, 4).any(|w| holds(&w)) {
                return Some("do not use your name");
            }
        }
        if let Some(org) = self.organisation {
            if holds(org)
                || words(org, 4).any(|w| !GENERIC_WORDS.contains(&w.as_str()) && holds(&w))
            {
                return Some("do not use the name of your organisation");
            }
        }
        None
    }

    /// The words zxcvbn should treat as known to an attacker.
    fn known_words(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = self.email {
            out.push(e.as_str().to_string());
            out.extend(words(e.as_str(), 3));
        }
        for s in [self.name, self.organisation].into_iter().flatten() {
            out.push(s.to_lowercase());
            out.extend(words(s, 3));
        }
        out
    }
}

/// "This is a top-10 common password." → "this is a top-10 common password".
fn as_reason(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A password that passes the policy: at least 12 characters, at most 1024,
/// nothing of the person's email or name or their organisation's name, and
/// hard to guess (zxcvbn's score of at least 3, about 10^8 guesses or more).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub const MIN_LEN: usize = 12;
    pub const MAX_LEN: usize = 1024;

    pub fn parse(s: &str, context: &PasswordContext<'_>) -> Result<NewPassword, IdentityError> {
        if s.is_empty() {
            return Err(IdentityError::EmptyPassword);
        }
        let n = s.chars().count();
        if n < Self::MIN_LEN {
            return Err(IdentityError::TooShort);
        }
        if n > Self::MAX_LEN {
            return Err(IdentityError::TooLong);
        }
        if let Some(why) = context.personal(s) {
            return Err(IdentityError::Guessable(why.into()));
        }
        let known = context.known_words();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        // zxcvbn's time grows quickly with length; the first 100 characters
        // tell enough (a longer password is only stronger).
        let head: String = s.chars().take(100).collect();
        let estimate = zxcvbn::zxcvbn(&head, &known);
        if estimate.score() < zxcvbn::Score::Three {
            let why = estimate
                .feedback()
                .and_then(|f| {
                    f.warning()
                        .map(|w| w.to_string())
                        .or_else(|| f.suggestions().first().map(|s| s.to_string()))
                })
                .map(|w| as_reason(&w))
                .unwrap_or_else(|| "add another word or two; uncommon words are better".into());
            return Err(IdentityError::Guessable(why));
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
        let ctx = PasswordContext {
            email: e.as_ref(),
            name: Some("Alex Morgan"),
            organisation: Some("London Borough of Camden"),
        };
        assert_eq!(
            NewPassword::parse("", &ctx),
            Err(IdentityError::EmptyPassword)
        );
        assert_eq!(
            NewPassword::parse("short", &ctx),
            Err(IdentityError::TooShort)
        );
        assert_eq!(
            NewPassword::parse(&"ab".repeat(513), &ctx),
            Err(IdentityError::TooLong)
        );
        for weak in [
            "aaaaaaaaaaaaaaa",
            "Password1234",
            "PasswordPassword",
            "password1234",
            "qwertyuiop123",
            "123456789012",
            "iloveyou1234",
        ] {
            let e = NewPassword::parse(weak, &ctx).unwrap_err();
            assert!(matches!(e, IdentityError::Guessable(_)), "{weak}: {e}");
            assert!(
                e.to_string()
                    .starts_with("choose a password that is harder to guess: "),
                "{e}"
            );
        }
        for (personal, why) in [
            ("lead@camden.gov.uk", "email address"),
            ("camden rocks forever 99", "organisation"),
            ("London-Borough-of-Camden", "organisation"),
            ("alex morgan rules the world", "your name"),
            ("Morgan1985Morgan!", "your name"),
        ] {
            let e = NewPassword::parse(personal, &ctx).unwrap_err().to_string();
            assert!(e.contains(why), "{personal}: {e}");
        }
        // Generic words of an organisation's name are not its name.
        assert!(NewPassword::parse("borough council marble trumpet", &ctx).is_ok());
        assert!(NewPassword::parse("correct horse battery", &ctx).is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery", &ctx)),
            "Ok(NewPassword(***))"
        );
    }

    /// The passwords the tests, the documentation and CI use stay acceptable.
    #[test]
    fn the_passphrases_in_use_pass() {
        let ci = Email::parse("ci@ci.example").ok();
        let ci = PasswordContext {
            email: ci.as_ref(),
            name: Some("CI Lead"),
            organisation: Some("CI Council"),
        };
        for p in [
            "a smoke test passphrase",
            "a long passphrase here",
            "correct horse battery staple",
            "correct horse battery",
            "another good passphrase",
            "a brand new passphrase",
            "an entirely fresh passphrase",
            "marble trumpet orchard violet",
        ] {
            if let Err(e) = NewPassword::parse(p, &ci) {
                panic!("{p:?}: {e}");
            }
        }
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
            prop_assert!(NewPassword::parse(&s, &PasswordContext::default()).is_err());
        }
    }
}
