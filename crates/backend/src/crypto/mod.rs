//! Encryption at rest for secrets Sightline must be able to read back (media-server tokens,
//! webhook URLs): XChaCha20-Poly1305 with a 256-bit key kept outside the database.
//!
//! Threat model: this protects database files, backups and SQL-injection reads. It does not
//! protect against code running inside the Sightline process, which must hold the key.
//! The key comes from `SIGHTLINE_SECRET_KEY` (or `_FILE`) or from `DATA_DIR/keys/secret.key`,
//! created on first start. A key-check value in the database makes a wrong key stop the start
//! with a clear message, before anything is read or written with it.

mod envelope;
mod key;
#[cfg(test)]
mod tests;

pub use envelope::{CryptoError, SecretBox};
pub use key::{KEY_FILE, KeyError, load_or_create_key, parse_key};

use crate::store::SettingStore;
use chrono::{DateTime, Utc};

/// The settings key under which the key-check value is stored.
pub const KEY_CHECK_SETTING: &str = "crypto.key_check";
const KEY_CHECK_PLAINTEXT: &str = "sightline key check v1";
const KEY_CHECK_AAD: &str = "settings|crypto.key_check";

/// Proves `secret_box` is the key this database was encrypted with, or records it on first use.
pub async fn verify_key(
    secret_box: &SecretBox,
    settings: &dyn SettingStore,
    now: DateTime<Utc>,
) -> Result<(), KeyError> {
    let stored = settings.setting(KEY_CHECK_SETTING).await.map_err(|e| KeyError::Store(e.to_string()))?;
    match stored {
        None => {
            let check =
                secret_box.encrypt(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD).map_err(|e| KeyError::Store(e.to_string()))?;
            settings.set_setting(KEY_CHECK_SETTING, &check, now).await.map_err(|e| KeyError::Store(e.to_string()))
        }
        Some(check) => match secret_box.decrypt(&check, KEY_CHECK_AAD) {
            Ok(text) if text == KEY_CHECK_PLAINTEXT => Ok(()),
            _ => Err(KeyError::Mismatch {
                expected: envelope::key_id_of(&check).unwrap_or("unknown").to_owned(),
                actual: secret_box.key_id().to_owned(),
            }),
        },
    }
}
