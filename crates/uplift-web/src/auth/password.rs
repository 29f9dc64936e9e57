//! Password hashing with argon2id, and generated passwords.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;
use uplift_domain::identity::NewPassword;

/// The PHC string of an argon2id hash of the password, with a random salt.
pub fn hash_password(password: &NewPassword) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// True when `password` matches the stored hash. A malformed hash never matches.
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
    DUMMY.get_or_init(|| {
        let p = NewPassword::parse("not a real password at all", None).ok();
        p.and_then(|p| hash_password(&p).ok()).unwrap_or_default()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let p = NewPassword::parse("correct horse battery", None).unwrap();
        let a = hash_password(&p).unwrap();
        let b = hash_password(&p).unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..20 {
            let p = generate_password();
            assert_eq!(p.len(), 29);
            assert!(NewPassword::parse(&p, None).is_ok());
        }
    }
}
