//! A subscription's keys as browsers hand them over (`p256dh` and `auth`, base64url with or
//! without padding) decoded and checked.

use super::ece::{AUTH_SECRET_LEN, check_subscription_keys};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The raw `p256dh` point and `auth` secret, or `None` when either is not what a browser sends.
#[must_use]
pub fn decode(p256dh: &str, auth: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let p256dh = decode_b64url(p256dh)?;
    let auth = decode_b64url(auth)?;
    check_subscription_keys(&p256dh, &auth).ok()?;
    debug_assert_eq!(auth.len(), AUTH_SECRET_LEN);
    Some((p256dh, auth))
}

/// base64url, padding optional.
#[must_use]
pub fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim().trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

    #[test]
    fn browser_keys_decode_with_or_without_padding() {
        assert!(decode(P256DH, "BTBZMqHH6r4Tts7J_aSIgg").is_some());
        assert!(decode(P256DH, "BTBZMqHH6r4Tts7J_aSIgg==").is_some());
    }

    #[test]
    fn wrong_keys_are_refused() {
        assert!(decode(P256DH, "BTBZMqHH6r4Tts7J").is_none(), "short auth");
        assert!(decode(&P256DH[..40], "BTBZMqHH6r4Tts7J_aSIgg").is_none(), "short key");
        assert!(decode("not base64!", "BTBZMqHH6r4Tts7J_aSIgg").is_none());
        // 65 bytes starting with 0x04 but not on the curve.
        let off_curve = URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert!(decode(&off_curve, "BTBZMqHH6r4Tts7J_aSIgg").is_none());
    }
}
