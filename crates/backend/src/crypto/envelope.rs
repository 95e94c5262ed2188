//! The ciphertext envelope `v1:<key id>:<nonce>:<ciphertext>` (base64url). The associated
//! data names where the value lives (`table|column|row`), so a ciphertext copied into another
//! row does not decrypt.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

const VERSION: &str = "v1";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    #[error("the stored secret is not in a format this version understands")]
    Format,
    #[error("the stored secret was encrypted with another key (id {0})")]
    OtherKey(String),
    #[error("the stored secret does not decrypt: it was changed or moved")]
    Tampered,
    #[error("the secret could not be encrypted")]
    Encrypt,
}

/// Encrypts and decrypts small secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBox(key id {})", self.key_id)
    }
}

/// The key id inside an envelope, if it looks like one.
pub(super) fn key_id_of(envelope: &str) -> Option<&str> {
    let mut parts = envelope.split(':');
    (parts.next() == Some(VERSION)).then(|| parts.next()).flatten()
}

impl SecretBox {
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        let key_id = hex::encode(&Sha256::digest(key)[..4]);
        Self { cipher: XChaCha20Poly1305::new(key.into()), key_id }
    }

    /// A short, non-secret fingerprint of the key, for messages.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Encrypts `plaintext` bound to `aad` (where it will be stored).
    pub fn encrypt(&self, plaintext: &str, aad: &str) -> Result<String, CryptoError> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() };
        let ct = self.cipher.encrypt(XNonce::from_slice(&nonce), payload).map_err(|_| CryptoError::Encrypt)?;
        Ok(format!("{VERSION}:{}:{}:{}", self.key_id, URL_SAFE_NO_PAD.encode(nonce), URL_SAFE_NO_PAD.encode(ct)))
    }

    /// Decrypts an envelope made by [`SecretBox::encrypt`] with the same `aad`.
    pub fn decrypt(&self, envelope: &str, aad: &str) -> Result<String, CryptoError> {
        let parts: Vec<&str> = envelope.split(':').collect();
        let [VERSION, key_id, nonce, ct] = parts.as_slice() else {
            return Err(CryptoError::Format);
        };
        if *key_id != self.key_id {
            return Err(CryptoError::OtherKey((*key_id).to_owned()));
        }
        let nonce = URL_SAFE_NO_PAD.decode(nonce).map_err(|_| CryptoError::Format)?;
        let ct = URL_SAFE_NO_PAD.decode(ct).map_err(|_| CryptoError::Format)?;
        if nonce.len() != 24 {
            return Err(CryptoError::Format);
        }
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad: aad.as_bytes() })
            .map_err(|_| CryptoError::Tampered)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Tampered)
    }
}
