//! Identifiers taken from a URL path. Anything that is not one is "not
//! found", never an error page that echoes it.

use crate::error::Problem;

/// A school's URN from the path (a positive number that fits a URN).
pub fn urn(s: &str) -> Result<i64, Problem> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|u| *u > 0 && *u <= i64::from(u32::MAX))
        .ok_or(Problem::NotFound)
}

/// A record's id from the path (a positive number).
pub fn id(s: &str) -> Result<i64, Problem> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(Problem::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_numbers_are_identifiers() {
        assert_eq!(urn(" 100000 ").ok(), Some(100000));
        assert!(urn("0").is_err());
        assert!(urn("-5").is_err());
        assert!(urn("4294967296").is_err());
        assert!(urn("12a").is_err());
        assert_eq!(id("7").ok(), Some(7));
        assert!(id("0").is_err());
        assert!(id("x").is_err());
    }
}
