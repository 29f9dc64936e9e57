//! Random secrets and their stored hashes. Secrets are shown once and kept only
//! as SHA-256 hashes, so a copy of the database gives nobody a way in.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random secret: `prefix` followed by 32 random bytes in URL-safe hex.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
