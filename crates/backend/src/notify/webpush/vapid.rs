//! VAPID (RFC 8292): Sightline's P-256 application-server key, created on first use as
//! `DATA_DIR/keys/vapid.key` (0600 in a 0700 folder, beside `secret.key`), and the ES256 JWT that
//! identifies Sightline to a push service for one endpoint's origin.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use std::io::Write as _;
use std::path::Path;
use thiserror::Error;
use url::Url;

/// The key file, relative to the data dir. Losing it invalidates every browser's subscription
/// (they were made for its public key): each browser must opt in again.
pub const VAPID_KEY_FILE: &str = "keys/vapid.key";
/// How long a token is valid. RFC 8292 allows 24 h; 12 h leaves room for clock skew.
pub const TOKEN_LIFETIME: Duration = Duration::hours(12);

#[derive(Debug, Error)]
pub enum VapidError {
    #[error("the VAPID key file {path} does not hold a P-256 private key (64 hex digits)")]
    Malformed { path: String },
    #[error("cannot read or create the VAPID key file {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("the push endpoint has no origin to address a token to")]
    NoOrigin,
}

/// The application-server key pair. `Debug` shows the public key only.
#[derive(Clone)]
pub struct VapidKeys {
    signing: SigningKey,
    /// base64url (no padding) of the uncompressed public point: the browser's `applicationServerKey`.
    public: String,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys").field("public", &self.public).finish_non_exhaustive()
    }
}

/// The claims of one VAPID token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// The push service's origin (`https://fcm.googleapis.com`).
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Who to contact: `mailto:` or an https URL.
    pub sub: String,
}

impl VapidKeys {
    /// The key in `data_dir`'s key file, or a new one written there. Two processes racing on a
    /// fresh data dir end up with the same key: the file is created exclusively and the loser reads it.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, VapidError> {
        let path = data_dir.join(VAPID_KEY_FILE);
        let shown = path.display().to_string();
        let io = |e: std::io::Error| VapidError::Io { path: shown.clone(), reason: e.to_string() };
        match std::fs::read_to_string(&path) {
            Ok(text) => return Self::parse(&text).ok_or(VapidError::Malformed { path: shown }),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            Err(_) => {}
        }
        let keys = Self::from_secret(super::ece::random_secret_key());
        if let Some(dir) = path.parent() {
            use std::os::unix::fs::DirBuilderExt as _;
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
        }
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path).map_err(io)?;
                return Self::parse(&text).ok_or(VapidError::Malformed { path: shown });
            }
            Err(e) => return Err(io(e)),
        };
        let secret = hex::encode(keys.signing.to_bytes());
        file.write_all(format!("{secret}\n").as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(keys)
    }

    /// A key pair from the key file's text (64 hex digits).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        p256::SecretKey::from_slice(&bytes).ok().map(Self::from_secret)
    }

    fn from_secret(secret: p256::SecretKey) -> Self {
        let point = secret.public_key().to_encoded_point(false);
        let public = URL_SAFE_NO_PAD.encode(point.as_bytes());
        Self { signing: SigningKey::from(secret), public }
    }

    /// base64url of the uncompressed public key, as `pushManager.subscribe` wants it and as the
    /// `k=` parameter of the Authorization header carries it.
    #[must_use]
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The key a push service verifies tokens with.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        *self.signing.verifying_key()
    }

    /// The claims for a message to `endpoint` sent at `now`: the endpoint's origin, expiry
    /// `now + TOKEN_LIFETIME`, and `subject`.
    pub fn claims(endpoint: &Url, subject: &str, now: DateTime<Utc>) -> Result<Claims, VapidError> {
        let origin = endpoint.origin();
        if !origin.is_tuple() {
            return Err(VapidError::NoOrigin);
        }
        Ok(Claims {
            aud: origin.ascii_serialization(),
            exp: (now + TOKEN_LIFETIME).timestamp(),
            sub: subject.to_owned(),
        })
    }

    /// The signed token: `base64url(header).base64url(claims).base64url(r || s)`.
    #[must_use]
    pub fn sign(&self, claims: &Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let body = serde_json::to_vec(claims).expect("three plain fields always serialize");
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(body));
        let signature: Signature = self.signing.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The `Authorization` header value for one message to `endpoint` (RFC 8292 §3).
    pub fn authorization(&self, endpoint: &Url, subject: &str, now: DateTime<Utc>) -> Result<String, VapidError> {
        let token = self.sign(&Self::claims(endpoint, subject, now)?);
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

/// The `sub` claim: the configured base URL when there is one (RFC 8292 allows an https URL;
/// Apple's push service wants a real one), else a `mailto:` that names the software.
#[must_use]
pub fn subject(base_url: Option<&Url>) -> String {
    match base_url {
        Some(url) if url.scheme() == "https" => url.origin().ascii_serialization(),
        _ => "mailto:sightline@localhost.invalid".to_owned(),
    }
}
