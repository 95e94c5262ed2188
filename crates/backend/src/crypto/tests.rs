//! Tests for encryption at rest: envelopes, key sources and the start-up key check.

use super::*;
use crate::store::sqlite::SqliteStore;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeZone;
use std::os::unix::fs::PermissionsExt as _;

const KEY_A: [u8; 32] = [7; 32];
const KEY_B: [u8; 32] = [9; 32];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid time")
}

#[test]
fn secrets_round_trip_and_each_encryption_is_different() {
    let b = SecretBox::new(&KEY_A);
    let one = b.encrypt("plex-token-123", "servers|token|1").expect("encrypts");
    let two = b.encrypt("plex-token-123", "servers|token|1").expect("encrypts");
    assert_ne!(one, two, "a fresh nonce every time");
    assert!(one.starts_with(&format!("v1:{}:", b.key_id())));
    assert!(!one.contains("plex-token-123"));
    assert_eq!(b.decrypt(&one, "servers|token|1").as_deref(), Ok("plex-token-123"));
}

#[test]
fn a_secret_moved_to_another_row_or_changed_does_not_decrypt() {
    let b = SecretBox::new(&KEY_A);
    let env = b.encrypt("secret", "servers|token|1").expect("encrypts");
    assert_eq!(b.decrypt(&env, "servers|token|2"), Err(CryptoError::Tampered));
    let (head, ct) = env.rsplit_once(':').expect("four parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(ct).expect("base64");
    bytes[0] ^= 1;
    let flipped = format!("{head}:{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(b.decrypt(&flipped, "servers|token|1"), Err(CryptoError::Tampered));
    for bad in ["", "plaintext", "v2:abcd:x:y", "v1:only:three", "v1:x:y:z:extra"] {
        assert!(b.decrypt(bad, "a").is_err(), "{bad}");
    }
}

#[test]
fn another_key_is_named_not_silently_failed() {
    let env = SecretBox::new(&KEY_A).encrypt("secret", "a").expect("encrypts");
    let other = SecretBox::new(&KEY_B);
    assert_eq!(other.decrypt(&env, "a"), Err(CryptoError::OtherKey(SecretBox::new(&KEY_A).key_id().to_owned())));
}

#[test]
fn configured_keys_are_hex_or_base64_of_32_bytes() {
    assert_eq!(parse_key(&"07".repeat(32)).expect("hex"), KEY_A);
    assert_eq!(parse_key("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").expect("base64"), KEY_A);
    for bad in ["", "short", &"0".repeat(63), "!!!!"] {
        assert!(matches!(parse_key(bad), Err(KeyError::Malformed)), "{bad}");
    }
}

#[test]
fn a_key_file_is_created_privately_once_and_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = load_or_create_key(dir.path(), None).expect("creates");
    let path = dir.path().join(KEY_FILE);
    let mode = std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(path.parent().expect("dir")).expect("exists").permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
    assert_eq!(load_or_create_key(dir.path(), None).expect("reads"), first);
    assert_eq!(load_or_create_key(dir.path(), Some(&"09".repeat(32))).expect("configured wins"), KEY_B);
}

#[tokio::test]
async fn the_key_check_accepts_the_same_key_and_refuses_another_without_changing_anything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("k.db")).await.expect("opens");
    verify_key(&SecretBox::new(&KEY_A), &store, t0()).await.expect("first start records the check");
    let recorded = store.setting(KEY_CHECK_SETTING).await.expect("reads").expect("stored");
    verify_key(&SecretBox::new(&KEY_A), &store, t0()).await.expect("same key passes");
    let err = verify_key(&SecretBox::new(&KEY_B), &store, t0()).await.expect_err("other key refused");
    let msg = err.to_string();
    assert!(msg.contains(SecretBox::new(&KEY_A).key_id()) && msg.contains("Nothing was changed"), "{msg}");
    assert_eq!(store.setting(KEY_CHECK_SETTING).await.expect("reads"), Some(recorded), "the check is untouched");
}
