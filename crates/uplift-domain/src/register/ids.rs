//! Identifier newtypes: URN, LA code and group UID.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why an identifier could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text was empty (after trimming spaces).
    #[error("{what} is empty")]
    Empty {
        /// What was being parsed ("URN", "LA code", ...).
        what: &'static str,
    },
    /// The text was not of the expected shape.
    #[error("{what} {text:?} is not valid: {expected}")]
    Invalid {
        /// What was being parsed.
        what: &'static str,
        /// The offending text.
        text: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
}

fn digits(
    what: &'static str,
    text: &str,
    max_len: usize,
    expected: &'static str,
) -> Result<u32, IdError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(IdError::Empty { what });
    }
    let invalid = || IdError::Invalid {
        what,
        text: t.to_owned(),
        expected,
    };
    if t.len() > max_len || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    t.parse::<u32>().map_err(|_| invalid())
}

/// Unique Reference Number: the national key of an establishment (1 to 7 digits, not zero).
///
/// Most school URNs have six digits (100000 upwards); children's centres have five.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Urn(u32);

impl Urn {
    /// The largest URN accepted (seven digits).
    pub const MAX: u32 = 9_999_999;

    /// Parses a URN from text such as `"100000"` (surrounding spaces are ignored).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let n = digits("URN", text, 7, "1 to 7 digits, not zero")?;
        Self::new(n)
    }

    /// Checks a number as a URN.
    pub fn new(n: u32) -> Result<Self, IdError> {
        if n == 0 || n > Self::MAX {
            return Err(IdError::Invalid {
                what: "URN",
                text: n.to_string(),
                expected: "1 to 7 digits, not zero",
            });
        }
        Ok(Urn(n))
    }

    /// The URN as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Urn {
    type Error = IdError;
    fn try_from(n: u32) -> Result<Self, IdError> {
        Urn::new(n)
    }
}
impl From<Urn> for u32 {
    fn from(u: Urn) -> u32 {
        u.0
    }
}
impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl FromStr for Urn {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Urn::parse(s)
    }
}

/// The three-digit local-authority code used by DfE ("old LA code"), e.g. `202` for Camden.
///
/// The nine-character GSS code (`E09000007`) is carried separately as text where a file has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct LaCode(u16);

impl LaCode {
    /// Parses a three-digit code such as `"202"` (100 to 999).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let t = text.trim();
        if t.len() != 3 {
            if t.is_empty() {
                return Err(IdError::Empty { what: "LA code" });
            }
            return Err(IdError::Invalid {
                what: "LA code",
                text: t.to_owned(),
                expected: "three digits, 100 to 999",
            });
        }
        let n = digits("LA code", t, 3, "three digits, 100 to 999")?;
        Self::new(n as u16)
    }

    /// Checks a number as an LA code.
    pub fn new(n: u16) -> Result<Self, IdError> {
        if !(100..=999).contains(&n) {
            return Err(IdError::Invalid {
                what: "LA code",
                text: n.to_string(),
                expected: "three digits, 100 to 999",
            });
        }
        Ok(LaCode(n))
    }

    /// Takes the LA code from the front of a seven-digit LAESTAB such as `"2024000"`.
    pub fn from_laestab(text: &str) -> Result<Self, IdError> {
        let t = text.trim();
        if t.len() != 7 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Invalid {
                what: "LAESTAB",
                text: t.to_owned(),
                expected: "seven digits (LA code and establishment number)",
            });
        }
        Self::parse(&t[..3])
    }

    /// The code as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for LaCode {
    type Error = IdError;
    fn try_from(n: u16) -> Result<Self, IdError> {
        LaCode::new(n)
    }
}
impl From<LaCode> for u16 {
    fn from(c: LaCode) -> u16 {
        c.0
    }
}
impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}
impl FromStr for LaCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        LaCode::parse(s)
    }
}

/// The GIAS unique identifier of a group (trust, sponsor, federation, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct GroupUid(u32);

impl GroupUid {
    /// Parses a group UID (1 to 9 digits, not zero).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let n = digits("group UID", text, 9, "1 to 9 digits, not zero")?;
        Self::try_from(n)
    }
    /// The UID as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}
impl TryFrom<u32> for GroupUid {
    type Error = IdError;
    fn try_from(n: u32) -> Result<Self, IdError> {
        if n == 0 {
            return Err(IdError::Invalid {
                what: "group UID",
                text: "0".into(),
                expected: "1 to 9 digits, not zero",
            });
        }
        Ok(GroupUid(n))
    }
}
impl From<GroupUid> for u32 {
    fn from(g: GroupUid) -> u32 {
        g.0
    }
}
impl fmt::Display for GroupUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn urn_parses_and_rejects() {
        assert_eq!(Urn::parse(" 100000 ").unwrap().get(), 100000);
        assert!(Urn::parse("").is_err());
        assert!(Urn::parse("0").is_err());
        assert!(Urn::parse("12a").is_err());
        assert!(Urn::parse("NAT").is_err());
        assert!(Urn::parse("12345678").is_err());
    }

    #[test]
    fn la_code_parses_and_rejects() {
        assert_eq!(LaCode::parse("202").unwrap().to_string(), "202");
        assert!(LaCode::parse("20").is_err());
        assert!(LaCode::parse("099").is_err());
        assert!(LaCode::parse("NAT").is_err());
        assert_eq!(LaCode::from_laestab("2024000").unwrap().get(), 202);
        assert!(LaCode::from_laestab("202400").is_err());
    }

    proptest! {
        #[test]
        fn urn_round_trips(n in 1u32..=Urn::MAX) {
            let u = Urn::parse(&n.to_string()).unwrap();
            prop_assert_eq!(u.get(), n);
            prop_assert_eq!(Urn::parse(&u.to_string()).unwrap(), u);
            let json = serde_json::to_string(&u).unwrap();
            prop_assert_eq!(serde_json::from_str::<Urn>(&json).unwrap(), u);
        }

        #[test]
        fn urn_parse_never_panics(s in ".*") {
            let _ = Urn::parse(&s);
            let _ = LaCode::parse(&s);
        }
    }
}
