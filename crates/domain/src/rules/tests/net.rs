//! Address helpers: CGNAT and private ranges, /24 and /64 grouping, address classes, number formatting.

use super::*;
use crate::rules::net::*;

#[test]
fn cgnat_is_exactly_100_64_slash_10() {
    for (addr, want) in [
        ("100.64.0.0", true),
        ("100.127.255.255", true),
        ("100.63.255.255", false),
        ("100.128.0.0", false),
        ("::ffff:100.100.1.1", true),
    ] {
        assert_eq!(is_cgnat(ip(addr)), want, "{addr}");
    }
}

#[test]
fn private_addresses_cover_lan_loopback_link_local_and_ula() {
    for addr in [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.1.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:192.168.1.1",
    ] {
        assert!(is_private(ip(addr)), "{addr}");
        assert!(!is_public(ip(addr)), "{addr}");
    }
    for addr in ["81.10.20.30", "2a01:e0a::1", "172.32.0.1"] {
        assert!(is_public(ip(addr)), "{addr}");
    }
}

#[test]
fn prefixes_group_ipv4_by_24_and_ipv6_by_64() {
    assert!(same_prefix(ip("81.10.20.1"), ip("81.10.20.254")));
    assert!(!same_prefix(ip("81.10.20.1"), ip("81.10.21.1")));
    assert!(same_prefix(ip("2a01:e0a:1:2::1"), ip("2a01:e0a:1:2:ffff::9")));
    assert!(!same_prefix(ip("2a01:e0a:1:2::1"), ip("2a01:e0a:1:3::1")));
    assert!(same_prefix(ip("::ffff:81.10.20.1"), ip("81.10.20.7")));
    assert_eq!(velocity_label(ip("81.10.20.1")), "81.10.20.1");
    assert_eq!(velocity_label(ip("2a01:e0a:1:2:abcd::1")), "2a01:e0a:1:2::/64");
}

#[test]
fn address_classes_come_from_the_address_and_the_relay_flag() {
    assert_eq!(AddressClass::of(Some(ip("81.10.20.30")), false), AddressClass::Public);
    assert_eq!(AddressClass::of(Some(ip("192.168.0.2")), false), AddressClass::Private);
    assert_eq!(AddressClass::of(Some(ip("100.64.0.2")), false), AddressClass::Cgnat);
    assert_eq!(AddressClass::of(Some(ip("81.10.20.30")), true), AddressClass::Relay);
    assert_eq!(AddressClass::of(None, false), AddressClass::Unknown);
}

#[test]
fn numbers_and_durations_read_naturally() {
    assert_eq!(fmt_int(17_000.4), "17,000");
    assert_eq!(fmt_int(999.0), "999");
    assert_eq!(fmt_int(1_234_567.0), "1,234,567");
    assert_eq!(fmt_int(f64::INFINITY), "∞");
    assert_eq!(fmt_duration(TimeDelta::seconds(20)), "1 min");
    assert_eq!(fmt_duration(TimeDelta::minutes(45)), "45 min");
    assert_eq!(fmt_duration(TimeDelta::minutes(120)), "2 h");
    assert_eq!(fmt_duration(TimeDelta::minutes(150)), "2.5 h");
    assert_eq!(fmt_duration(TimeDelta::days(3)), "3 days");
}
