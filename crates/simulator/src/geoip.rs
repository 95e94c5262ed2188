//! MaxMind's synthetic test databases, embedded for `sightline demo`: they place the scenario's
//! public addresses (London, Linköping, Milton, …) so a demo shows places and detection with no
//! download. Never used outside the demo; see `geoip/README.md` for their source and licence.

/// `(file name, bytes)` of each embedded database.
pub const DEMO_DATABASES: [(&str, &[u8]); 2] = [
    ("GeoIP2-City-Test.mmdb", include_bytes!("../geoip/GeoIP2-City-Test.mmdb")),
    ("GeoLite2-ASN-Test.mmdb", include_bytes!("../geoip/GeoLite2-ASN-Test.mmdb")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_are_maxmind_databases() {
        // Every MaxMind DB ends its data with this marker before the metadata.
        const MARKER: &[u8] = b"\xAB\xCD\xEFMaxMind.com";
        for (name, bytes) in DEMO_DATABASES {
            assert!(bytes.windows(MARKER.len()).any(|w| w == MARKER), "{name}");
        }
    }
}
