//! Opaque random tokens (session cookies, API keys, setup tokens) and their stored hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Prefix of every API key, so leaked keys are recognisable in logs and secret scanners.
pub const API_KEY_PREFIX: &str = "sl_";

/// `n_bytes` of OS randomness, URL-safe base64 without padding.
#[must_use]
pub fn random_token(n_bytes: usize) -> String {
    let mut bytes = vec![0u8; n_bytes];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API key: `sl_` + 256 random bits.
#[must_use]
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_token(32))
}

/// The SHA-256 (hex) under which a high-entropy token is stored. Fine for random secrets
/// of at least 128 bits (ASVS 6.5.2); passwords use argon2id instead.
#[must_use]
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in constant time (for equal lengths).
#[must_use]
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = random_token(32);
        let b = random_token(32);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn api_keys_carry_the_prefix_and_hash_deterministically() {
        let k = new_api_key();
        assert!(k.starts_with("sl_"));
        assert_eq!(hash_token(&k), hash_token(&k));
        assert_ne!(hash_token(&k), hash_token(&new_api_key()));
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn secret_comparison_is_exact() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
    }
}
