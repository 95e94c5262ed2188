//! Media-server adapters: the `MediaServer` trait (`server.rs`) with its Plex and Jellyfin/Emby
//! implementations (`plex/client.rs`, `jellyfin_like/client.rs`), the pure parsers that turn
//! "current sessions" payloads into `sightline_domain::media::MediaSession`, the URL policy for
//! media-server addresses, and `MediaHttp`, the locked-down HTTP client the adapters share.
//! `control.rs` holds what stopping a stream or messaging its viewer can come to.

pub mod control;
pub mod feed;
pub mod http;
pub mod jellyfin_like;
pub mod plex;
pub mod server;
pub mod sse;
pub mod url_policy;

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use thiserror::Error;

/// The largest payload a parser accepts. A busy server's session list is a few hundred KiB.
pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;

/// Images larger than this are not proxied.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Why a payload could not be turned into sessions.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("payload is not valid json: {0}")]
    NotJson(String),
    #[error("payload is not valid xml: {0}")]
    NotXml(String),
    /// Well-formed, but not what the endpoint returns (wrong root, a required field missing).
    #[error("unexpected payload shape: {0}")]
    UnexpectedShape(String),
    #[error("payload exceeds the limit of {limit} {unit}")]
    TooLarge { limit: usize, unit: &'static str },
}

/// Refuses payloads over [`MAX_PAYLOAD_BYTES`] before any parsing starts.
pub(crate) fn check_size(body: &str) -> Result<(), ParseError> {
    if body.len() > MAX_PAYLOAD_BYTES {
        return Err(ParseError::TooLarge { limit: MAX_PAYLOAD_BYTES, unit: "bytes" });
    }
    Ok(())
}

/// Maps a `serde_json` error to ours: broken syntax is `NotJson`, a wrong type is a shape error.
pub(crate) fn json_error(e: &serde_json::Error) -> ParseError {
    match e.classify() {
        serde_json::error::Category::Data => ParseError::UnexpectedShape(e.to_string()),
        _ => ParseError::NotJson(e.to_string()),
    }
}

/// Reads a client address as servers report it: a bare IPv4 or IPv6 address, either with a
/// port (`1.2.3.4:5678`, `[2001:db8::1]:5678`), an IPv6 zone (`fe80::1%eth0`) or brackets.
/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4. Anything else is `None`.
pub(crate) fn parse_ip(raw: &str) -> Option<IpAddr> {
    let s = without_zone(raw.trim());
    let ip = s
        .parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|v| v.parse().ok()))
        .or_else(|| mapped_v4_with_port(&s))?;
    Some(ip.to_canonical())
}

/// Drops an IPv6 zone id (`%eth0`), which `std` does not parse, keeping any `]:port` after it.
fn without_zone(s: &str) -> Cow<'_, str> {
    match s.split_once('%') {
        Some((head, rest)) => Cow::Owned(format!("{head}{}", rest.find(']').map_or("", |i| &rest[i..]))),
        None => Cow::Borrowed(s),
    }
}

/// `::ffff:1.2.3.4:5678` (an unbracketed mapped address with a port) is unambiguous because the
/// dotted quad must end the address; plain IPv6 is never split, since its last group could be read as a port.
fn mapped_v4_with_port(s: &str) -> Option<IpAddr> {
    let (host, port) = s.rsplit_once(':')?;
    if !host.contains('.') || port.parse::<u16>().is_err() {
        return None;
    }
    host.parse::<IpAddr>().ok().filter(IpAddr::is_ipv6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    #[test]
    fn addresses_with_and_without_ports_parse_to_the_bare_ip() {
        assert_eq!(parse_ip("192.168.1.4"), v4(192, 168, 1, 4));
        assert_eq!(parse_ip(" 192.168.1.4:53211 "), v4(192, 168, 1, 4));
        let v6 = Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)));
        assert_eq!(parse_ip("2001:db8::1"), v6);
        assert_eq!(parse_ip("[2001:db8::1]:8096"), v6);
        assert_eq!(parse_ip("[2001:db8::1]"), v6);
        let link_local = Some(IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1)));
        assert_eq!(parse_ip("fe80::1%eth0"), link_local);
        assert_eq!(parse_ip("[fe80::1%eth0]:8096"), link_local);
    }

    #[test]
    fn ipv4_mapped_ipv6_is_reported_as_ipv4() {
        assert_eq!(parse_ip("::ffff:10.0.0.7"), v4(10, 0, 0, 7));
        assert_eq!(parse_ip("[::ffff:10.0.0.7]:443"), v4(10, 0, 0, 7));
        assert_eq!(parse_ip("::ffff:10.0.0.7:443"), v4(10, 0, 0, 7));
    }

    #[test]
    fn garbage_addresses_are_none() {
        for raw in [
            "",
            "   ",
            "localhost",
            "1.2.3",
            "999.1.1.1",
            "1.2.3.4:99999",
            "1.2.3.4:abc",
            "[::1",
            "::1]:80",
            "%",
            "a%b",
        ] {
            assert_eq!(parse_ip(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn oversized_payloads_are_refused_before_parsing() {
        let body = " ".repeat(MAX_PAYLOAD_BYTES + 1);
        assert_eq!(check_size(&body), Err(ParseError::TooLarge { limit: MAX_PAYLOAD_BYTES, unit: "bytes" }));
        assert_eq!(check_size("{}"), Ok(()));
    }
}
