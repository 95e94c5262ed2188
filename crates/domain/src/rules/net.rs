//! Address helpers for the rules: private and CGNAT ranges, "same network" (IPv4 /24, IPv6 /64) and the
//! per-address key device velocity counts (IPv6 per /64, since privacy addresses rotate inside one).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Carrier-grade NAT space, 100.64.0.0/10 (RFC 6598), also used by Tailscale.
#[must_use]
pub fn is_cgnat(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 100 && (b & 0xC0) == 64
        }
        IpAddr::V6(_) => false,
    }
}

/// An address that says nothing about where a viewer is: private, loopback, link-local, unique-local,
/// unspecified, broadcast or documentation ranges. CGNAT is separate ([`is_cgnat`]).
#[must_use]
pub fn is_private(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link local fe80::/10
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation 2001:db8::/32
        }
    }
}

/// Whether an address can be geolocated at all: neither private nor CGNAT.
#[inline]
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    let ip = canonical(ip);
    // Every non-public IPv4 range starts with one of these octets; the rest are public at once.
    if let IpAddr::V4(v4) = ip
        && !matches!(v4.octets()[0], 0 | 10 | 100 | 127 | 169 | 172 | 192 | 198 | 203 | 255)
    {
        return true;
    }
    !is_private(ip) && !is_cgnat(ip)
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4; everything else unchanged.
#[inline]
#[must_use]
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The network an address belongs to for "same place" checks: the IPv4 /24 or the IPv6 /64.
#[must_use]
pub fn prefix(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// Whether two addresses share an IPv4 /24 or an IPv6 /64 (identical addresses do too).
#[must_use]
pub fn same_prefix(a: IpAddr, b: IpAddr) -> bool {
    prefix(a) == prefix(b)
}

/// The key device velocity counts: the IPv4 address itself, or the IPv6 /64.
#[must_use]
pub fn velocity_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        v4 @ IpAddr::V4(_) => v4,
        v6 => prefix(v6),
    }
}

/// An address as people read it: IPv4 as is, IPv6 /64 groups as `2001:db8:1:2::/64`.
#[must_use]
pub fn velocity_label(ip: IpAddr) -> String {
    match velocity_key(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("{v6}/64"),
    }
}
