//! Password hashing with argon2id, off the async runtime, and generated passwords.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;
use uplift_domain::identity::{IdentityError, NewPassword, PasswordContext};

use crate::error::Problem;

fn hash_text(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// The PHC string of an argon2id hash of the password, with a random salt.
/// Slow on purpose: in a request handler use [`hash_blocking`].
pub fn hash_password(password: &NewPassword) -> Result<String, String> {
    hash_text(password.expose())
}

/// True when `password` matches the stored hash. A malformed hash never matches.
/// Slow on purpose: in a request handler use [`verify_blocking`].
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so a wrong email
/// takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_text(&generate_password()).unwrap_or_default())
}

/// [`verify_password`] on a blocking thread, so argon2 never stalls the async
/// runtime; with no stored hash (no such user) it verifies against
/// [`dummy_hash`] and is false.
pub async fn verify_blocking(password: String, stored: Option<String>) -> Result<bool, Problem> {
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| Problem::Internal(format!("password check failed: {e}")))
}

/// [`hash_password`] on a blocking thread.
pub async fn hash_blocking(password: NewPassword) -> Result<String, Problem> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Problem::Internal(format!("password hashing failed: {e}")))?
        .map_err(Problem::Internal)
}

/// [`NewPassword::parse`] (the one password policy) on a blocking thread:
/// the strength estimate takes a few milliseconds.
pub async fn parse_blocking(
    password: String,
    email: Option<uplift_domain::identity::Email>,
    name: String,
    organisation: String,
) -> Result<Result<NewPassword, IdentityError>, Problem> {
    tokio::task::spawn_blocking(move || {
        NewPassword::parse(
            &password,
            &PasswordContext {
                email: email.as_ref(),
                name: Some(&name),
                organisation: Some(&organisation),
            },
        )
    })
    .await
    .map_err(|e| Problem::Internal(format!("password check failed: {e}")))
}

/// A strong random password: five groups of five letters and digits, easy to read aloud.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..5)
        .map(|_| {
            (0..5)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A generated password that passes the policy for this person (a random one
/// could, very rarely, contain a word of their name).
pub fn generate_for(context: &PasswordContext<'_>) -> Result<NewPassword, IdentityError> {
    let mut last = Err(IdentityError::EmptyPassword);
    for _ in 0..20 {
        last = NewPassword::parse(&generate_password(), context);
        if last.is_ok() {
            break;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let p = NewPassword::parse("correct horse battery", &PasswordContext::default()).unwrap();
        let a = hash_password(&p).unwrap();
        let b = hash_password(&p).unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
        assert!(dummy_hash().starts_with("$argon2id$"));
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..20 {
            let p = generate_password();
            assert_eq!(p.len(), 29);
            assert!(NewPassword::parse(&p, &PasswordContext::default()).is_ok());
        }
        let ctx = PasswordContext {
            name: Some("Demo traded services"),
            organisation: Some("Camden Council"),
            ..Default::default()
        };
        assert!(generate_for(&ctx).is_ok());
    }

    #[tokio::test]
    async fn blocking_wrappers_agree_with_the_plain_functions() {
        let p = NewPassword::parse("correct horse battery", &PasswordContext::default()).unwrap();
        let h = hash_blocking(p).await.unwrap();
        assert_eq!(
            verify_blocking("correct horse battery".into(), Some(h.clone())).await,
            Ok(true)
        );
        assert_eq!(verify_blocking("wrong".into(), Some(h)).await, Ok(false));
        assert_eq!(verify_blocking("anything".into(), None).await, Ok(false));
    }
}
