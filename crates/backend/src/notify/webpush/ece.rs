//! RFC 8291 message encryption for Web Push: ECDH (P-256) between a fresh sender key and the
//! subscription's key, HKDF-SHA-256 keyed by the subscription's auth secret, then one `aes128gcm`
//! record (RFC 8188) whose header carries the salt and the sender's public key.

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::{PublicKey, SecretKey};
use rand::RngCore as _;
use sha2::Sha256;
use thiserror::Error;

/// The record size written in the header. Push services accept bodies of at least 4096 bytes.
pub const RECORD_SIZE: u32 = 4096;
/// An uncompressed P-256 point: `0x04 || x || y`.
pub const PUBLIC_KEY_LEN: usize = 65;
/// The subscription's auth secret.
pub const AUTH_SECRET_LEN: usize = 16;
/// salt (16) || rs (4) || idlen (1) || keyid (the sender's public key, 65).
pub const HEADER_LEN: usize = 16 + 4 + 1 + PUBLIC_KEY_LEN;
const TAG_LEN: usize = 16;
/// The largest plaintext that fits one 4096-byte body (RFC 8291 §4): header, delimiter and tag aside.
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - HEADER_LEN - 1 - TAG_LEN;
/// RFC 8188: the last (here the only) record ends its plaintext with 0x02.
const LAST_RECORD_DELIMITER: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EceError {
    #[error("the subscription's p256dh key is not an uncompressed P-256 point")]
    BadPublicKey,
    #[error("the subscription's auth secret is not 16 bytes")]
    BadAuthSecret,
    #[error("the message is {0} bytes; at most {MAX_PLAINTEXT} fit one push message")]
    TooLarge(usize),
}

/// Checks a subscription's keys as the browser sent them (raw bytes, already base64url-decoded).
pub fn check_subscription_keys(p256dh: &[u8], auth: &[u8]) -> Result<(), EceError> {
    parse_public_key(p256dh)?;
    if auth.len() == AUTH_SECRET_LEN { Ok(()) } else { Err(EceError::BadAuthSecret) }
}

fn parse_public_key(bytes: &[u8]) -> Result<PublicKey, EceError> {
    if bytes.len() != PUBLIC_KEY_LEN || bytes[0] != 0x04 {
        return Err(EceError::BadPublicKey);
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| EceError::BadPublicKey)
}

/// Encrypts `plaintext` for the subscription (`ua_public`, `auth_secret`) with a fresh sender key
/// and salt, as every push message must be.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth_secret: &[u8]) -> Result<Vec<u8>, EceError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    encrypt_with(plaintext, ua_public, auth_secret, &random_secret_key(), &salt)
}

/// A uniformly random P-256 private key (rejection sampling over 32 random bytes).
#[must_use]
pub fn random_secret_key() -> SecretKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // Fails only for zero or values ≥ the group order: probability below 2^-32.
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return key;
        }
    }
}

/// The encryption with the sender key and salt given: deterministic, so the RFC's example can be
/// reproduced byte for byte. Production code calls [`encrypt`].
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
    as_secret: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, EceError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLarge(plaintext.len()));
    }
    let ua_key = parse_public_key(ua_public)?;
    if auth_secret.len() != AUTH_SECRET_LEN {
        return Err(EceError::BadAuthSecret);
    }
    let as_public = as_secret.public_key().to_encoded_point(false);
    let as_public = as_public.as_bytes();
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_key.as_affine());
    let keys = derive(shared.raw_secret_bytes(), auth_secret, ua_public, as_public, salt);

    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD_DELIMITER);
    let cipher = Aes128Gcm::new(&keys.cek.into());
    let sealed = cipher
        .encrypt(Nonce::from_slice(&keys.nonce), record.as_slice())
        .expect("AES-GCM encryption of one bounded record cannot fail");

    let mut body = Vec::with_capacity(HEADER_LEN + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(u8::try_from(as_public.len()).expect("an uncompressed P-256 point is 65 bytes"));
    body.extend_from_slice(as_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// The content-encryption key and nonce of RFC 8291 §3.3–3.4 and RFC 8188 §2.2–2.3.
struct Derived {
    cek: [u8; 16],
    nonce: [u8; 12],
}

/// Key derivation shared by both directions: `ecdh_secret` and the two public keys in the order
/// user agent, then application server.
fn derive(ecdh_secret: &[u8], auth_secret: &[u8], ua_public: &[u8], as_public: &[u8], salt: &[u8]) -> Derived {
    const EXPAND_OK: &str = "16, 12 and 32 bytes are valid HKDF-SHA-256 output lengths";
    let mut key_info = Vec::with_capacity(14 + ua_public.len() + as_public.len());
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth_secret), ecdh_secret).expand(&key_info, &mut ikm).expect(EXPAND_OK);

    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).expect(EXPAND_OK);
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).expect(EXPAND_OK);
    Derived { cek, nonce }
}
