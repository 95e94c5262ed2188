//! Where the encryption key comes from: configuration, or a key file created on first start.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use std::io::Write as _;
use std::path::Path;
use thiserror::Error;

/// The key file, relative to the data dir. Keep it out of database backups.
pub const KEY_FILE: &str = "keys/secret.key";

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("the secret key must be 32 bytes, given as 64 hex digits or base64")]
    Malformed,
    #[error("cannot read or create the key file {path}: {reason}")]
    Io { path: String, reason: String },
    #[error(
        "the secret key (id {actual}) is not the one this database was encrypted with (id {expected}); \
         restore the original key (SIGHTLINE_SECRET_KEY or DATA_DIR/keys/secret.key) and start again. \
         Nothing was changed"
    )]
    Mismatch { expected: String, actual: String },
    #[error("cannot check the secret key against the database: {0}")]
    Store(String),
}

/// Parses a configured key: 64 hex digits or standard base64 of 32 bytes.
pub fn parse_key(text: &str) -> Result<[u8; 32], KeyError> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).map_err(|_| KeyError::Malformed)?
    } else {
        STANDARD.decode(text).map_err(|_| KeyError::Malformed)?
    };
    bytes.try_into().map_err(|_| KeyError::Malformed)
}

/// The configured key, else the key file's, else a new random key written to the key file
/// (directory 0700, file 0600).
pub fn load_or_create_key(data_dir: &Path, configured: Option<&str>) -> Result<[u8; 32], KeyError> {
    if let Some(text) = configured {
        return parse_key(text);
    }
    let path = data_dir.join(KEY_FILE);
    let io = |e: std::io::Error| KeyError::Io { path: path.display().to_string(), reason: e.to_string() };
    match std::fs::read_to_string(&path) {
        Ok(text) => return parse_key(&text),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    if let Some(dir) = path.parent() {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
    }
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).map_err(io)?;
    file.write_all(format!("{}\n", hex::encode(key)).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(key)
}
