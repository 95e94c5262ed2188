//! Tests for the notification address policy: a table of addresses and URLs, public and not.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

fn kind(s: &str) -> Option<AddrKind> {
    classify(ip(s))
}

#[test]
fn public_addresses_are_allowed() {
    for a in ["1.1.1.1", "8.8.8.8", "162.159.128.233", "2606:4700::6810:84e5", "2a00:1450:4001:82b::200e"] {
        assert_eq!(kind(a), None, "{a}");
        assert_eq!(check_addr(ip(a), false), Ok(()), "{a}");
    }
}

#[test]
fn non_public_addresses_are_classified() {
    let table = [
        ("127.0.0.1", AddrKind::Loopback),
        ("127.255.0.9", AddrKind::Loopback),
        ("::1", AddrKind::Loopback),
        ("10.0.0.5", AddrKind::Private),
        ("172.16.0.1", AddrKind::Private),
        ("172.31.255.255", AddrKind::Private),
        ("192.168.1.20", AddrKind::Private),
        ("100.64.0.1", AddrKind::SharedCgnat),
        ("100.127.255.254", AddrKind::SharedCgnat),
        ("169.254.169.254", AddrKind::LinkLocal),
        ("fe80::1", AddrKind::LinkLocal),
        ("fd00::1", AddrKind::UniqueLocal),
        ("fc12::9", AddrKind::UniqueLocal),
        ("0.0.0.0", AddrKind::Unspecified),
        ("0.1.2.3", AddrKind::Unspecified),
        ("::", AddrKind::Unspecified),
        ("224.0.0.1", AddrKind::Multicast),
        ("ff02::1", AddrKind::Multicast),
        ("255.255.255.255", AddrKind::Broadcast),
        ("240.0.0.1", AddrKind::Reserved),
        ("192.0.2.1", AddrKind::Documentation),
        ("2001:db8::1", AddrKind::Documentation),
        ("198.18.0.1", AddrKind::Reserved),
        ("2001::1", AddrKind::Reserved),
        ("100.100.100.200", AddrKind::Metadata),
        ("fd00:ec2::254", AddrKind::Metadata),
        // Mapped, compatible, NAT64 and 6to4 forms carry the IPv4 verdict.
        ("::ffff:127.0.0.1", AddrKind::Loopback),
        ("::ffff:7f00:1", AddrKind::Loopback),
        ("::ffff:169.254.169.254", AddrKind::LinkLocal),
        ("::ffff:10.1.2.3", AddrKind::Private),
        ("::10.1.2.3", AddrKind::Private),
        ("64:ff9b::127.0.0.1", AddrKind::Loopback),
        ("64:ff9b::a9fe:a9fe", AddrKind::LinkLocal),
        ("64:ff9b:1::1", AddrKind::Private),
        ("2002:7f00:1::", AddrKind::Loopback),
        ("2002:c0a8:101::1", AddrKind::Private),
    ];
    for (a, expected) in table {
        assert_eq!(kind(a), Some(expected), "{a}");
        assert!(check_addr(ip(a), false).is_err(), "{a} is refused by default");
    }
    assert_eq!(kind("::ffff:8.8.8.8"), None);
    assert_eq!(kind("64:ff9b::808:808"), None);
}

#[test]
fn allow_private_opens_the_lan_but_never_metadata_or_link_local() {
    for a in ["127.0.0.1", "10.0.0.5", "192.168.1.2", "100.64.1.2", "fd00::1", "::1", "::ffff:192.168.0.1"] {
        assert_eq!(check_addr(ip(a), true), Ok(()), "{a}");
    }
    for a in [
        "169.254.169.254",
        "fe80::1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "255.255.255.255",
        "100.100.100.200",
        "::ffff:169.254.169.254",
    ] {
        let refusal = check_addr(ip(a), true).expect_err(a);
        assert!(refusal.to_string().contains("never allowed"), "{refusal}");
    }
}

#[test]
fn refusals_say_what_the_address_is_and_how_to_allow_a_lan_target() {
    let r = check_addr(ip("10.0.0.5"), false).expect_err("private");
    assert_eq!(
        r.to_string(),
        "10.0.0.5 is a private network address; turn on \"allow private addresses\" to send to a service on your own network"
    );
}

fn url_check(raw: &str, allow_private: bool) -> Result<(), UrlRefusal> {
    check_url(&Url::parse(raw).expect("test url"), allow_private)
}

#[test]
fn numeric_and_bracketed_loopback_forms_are_refused() {
    for raw in [
        "http://127.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://2130706433/",
        "https://0x7f.1/",
        "https://0177.0.0.1/",
        "https://127.1/",
        "https://[::ffff:7f00:1]/",
        "https://[::1]:8080/",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/",
        "https://localhost/",
        "https://app.localhost./",
        "https://metadata.google.internal/",
    ] {
        assert!(url_check(raw, false).is_err(), "{raw}");
    }
    assert!(url_check("https://[::ffff:a9fe:a9fe]/", true).is_err(), "link-local even with allow_private");
    assert!(url_check("https://metadata.google.internal/", true).is_err());
    assert_eq!(url_check("http://127.0.0.1:8080/hook", true), Ok(()));
    assert_eq!(url_check("http://localhost:8080/hook", true), Ok(()));
}

#[test]
fn scheme_and_credentials_are_checked() {
    assert_eq!(url_check("https://hooks.example.com/x", false), Ok(()));
    assert_eq!(url_check("http://hooks.example.com/x", false), Err(UrlRefusal::NeedsHttps));
    assert_eq!(url_check("ftp://hooks.example.com/x", true), Err(UrlRefusal::Scheme("ftp".into())));
    assert_eq!(url_check("file:///etc/passwd", true), Err(UrlRefusal::Scheme("file".into())));
    assert_eq!(url_check("https://user:pw@hooks.example.com/x", false), Err(UrlRefusal::Credentials));
    assert_eq!(url_check("https://user@hooks.example.com/x", false), Err(UrlRefusal::Credentials));
}
