//! Deterministic identifiers: hex ids, Plex-style session ids and tokens derived from a seed
//! with SplitMix64, so a scenario gives the same ids every run and no RNG crate is needed.

/// One SplitMix64 step.
#[must_use]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a string, to seed ids from names.
#[must_use]
pub fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// 32 lowercase hex digits, the form Jellyfin and Emby use for ids.
#[must_use]
pub fn hex32(seed: u64) -> String {
    format!("{:016x}{:016x}", mix(seed), mix(seed ^ 0x5555_5555_5555_5555))
}

/// `len` characters from `[0-9a-z]`, the form of Plex `Session@id` and client identifiers.
#[must_use]
pub fn alnum(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = mix(state);
            char::from(ALPHABET[(state % 36) as usize])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_well_formed() {
        assert_eq!(hex32(7), hex32(7));
        assert_ne!(hex32(7), hex32(8));
        assert_eq!(hex32(1).len(), 32);
        assert!(alnum(3, 24).chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    }
}
