//! The client address of a dashboard request. `X-Forwarded-For` is believed only when the
//! TCP peer is a configured trusted proxy, and is walked right to left: the first hop that
//! is not itself a trusted proxy is the client (the Home Assistant algorithm). A forged
//! left-most entry therefore never wins.

use ipnet::IpNet;
use std::net::IpAddr;

/// Turns `::ffff:a.b.c.d` into `a.b.c.d`; other addresses are unchanged.
#[must_use]
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|n| n.contains(&ip))
}

/// Parses one `X-Forwarded-For` element: a bare address, `[v6]`, `[v6]:port` or `v4:port`.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let s = raw.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let (host, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Resolves the client address from the TCP peer and the `X-Forwarded-For` header values.
#[must_use]
pub fn resolve(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) || forwarded_for.is_empty() {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.iter().flat_map(|h| h.split(',')).collect();
    let mut client = peer;
    for raw in hops.iter().rev() {
        let Some(hop) = parse_hop(raw).map(canonical) else {
            // A malformed hop ends the walk: everything left of it is unverifiable.
            return client;
        };
        client = hop;
        if !is_trusted(hop, trusted) {
            return hop;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().expect("cidr")).collect()
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        assert_eq!(resolve(ip("203.0.113.5"), &["1.2.3.4"], &nets(&["10.0.0.0/8"])), ip("203.0.113.5"));
        assert_eq!(resolve(ip("10.0.0.2"), &["1.2.3.4"], &[]), ip("10.0.0.2"), "no proxies configured");
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client_so_forged_entries_lose() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("10.0.0.2"), &["6.6.6.6, 203.0.113.7"], &trusted), ip("203.0.113.7"));
        assert_eq!(resolve(ip("10.0.0.2"), &["6.6.6.6, 203.0.113.7, 10.0.0.9"], &trusted), ip("203.0.113.7"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &["6.6.6.6", "203.0.113.7"], &trusted),
            ip("203.0.113.7"),
            "several headers"
        );
    }

    #[test]
    fn when_every_hop_is_trusted_the_leftmost_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("10.0.0.2"), &["10.1.1.1, 10.0.0.9"], &trusted), ip("10.1.1.1"));
    }

    #[test]
    fn malformed_hops_stop_the_walk_at_the_last_good_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("10.0.0.2"), &["203.0.113.7, garbage"], &trusted), ip("10.0.0.2"));
        assert_eq!(resolve(ip("10.0.0.2"), &["unknown, 10.0.0.3"], &trusted), ip("10.0.0.3"));
        assert_eq!(resolve(ip("10.0.0.2"), &["999.1.1.1"], &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_normalised() {
        let trusted = nets(&["127.0.0.1/32", "::1/128"]);
        assert_eq!(resolve(ip("::ffff:127.0.0.1"), &["203.0.113.7:5555"], &trusted), ip("203.0.113.7"));
        assert_eq!(resolve(ip("::1"), &["[2001:db8::1]:443"], &trusted), ip("2001:db8::1"));
        assert_eq!(resolve(ip("::1"), &["::ffff:198.51.100.4"], &trusted), ip("198.51.100.4"));
        assert_eq!(canonical(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }
}
