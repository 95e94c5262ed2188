//! Tests for the media-server address policy: the allowed LAN forms and every refused form.

use super::*;

fn accepted(raw: &str) -> String {
    match check_media_url(raw) {
        Ok(url) => url.to_string(),
        Err(e) => panic!("{raw:?} was refused: {e}"),
    }
}

fn refused(raw: &str) -> UrlPolicyError {
    match check_media_url(raw) {
        Ok(url) => panic!("{raw:?} was accepted as {url}"),
        Err(e) => e,
    }
}

#[test]
fn lan_loopback_cgnat_ula_and_host_names_are_allowed() {
    for (raw, expected) in [
        ("http://192.168.1.10:32400", "http://192.168.1.10:32400/"),
        ("http://10.0.0.5:8096", "http://10.0.0.5:8096/"),
        ("http://172.16.3.4", "http://172.16.3.4/"),
        ("http://127.0.0.1:32400/", "http://127.0.0.1:32400/"),
        ("http://100.64.1.2:8096", "http://100.64.1.2:8096/"),
        ("http://[fd00::1]:8096", "http://[fd00::1]:8096/"),
        ("http://[::1]:8096", "http://[::1]:8096/"),
        ("https://nas.local:8920", "https://nas.local:8920/"),
        ("https://plex.example.com", "https://plex.example.com/"),
        ("http://localhost:32400", "http://localhost:32400/"),
        ("  http://nas:8096  ", "http://nas:8096/"),
        ("http://203.0.113.7", "http://203.0.113.7/"),
    ] {
        assert_eq!(accepted(raw), expected, "{raw}");
    }
}

#[test]
fn a_base_path_is_kept_and_ends_with_a_slash() {
    assert_eq!(accepted("http://nas:8096/jellyfin"), "http://nas:8096/jellyfin/");
    assert_eq!(accepted("http://nas:8096/jellyfin/"), "http://nas:8096/jellyfin/");
    assert_eq!(accepted("https://media.example.com/emby/web"), "https://media.example.com/emby/web/");
}

#[test]
fn checking_an_accepted_address_again_gives_the_same_address() {
    let once = accepted("http://nas:8096/jellyfin");
    assert_eq!(accepted(&once), once);
}

#[test]
fn numeric_loopback_forms_are_judged_after_normalisation_and_allowed() {
    assert_eq!(accepted("http://2130706433"), "http://127.0.0.1/");
    assert_eq!(accepted("http://0x7f.1"), "http://127.0.0.1/");
    assert_eq!(accepted("http://[::ffff:7f00:1]"), "http://[::ffff:7f00:1]/");
}

#[test]
fn link_local_addresses_are_refused_in_every_spelling() {
    for raw in [
        "http://169.254.169.254",
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.0.1:8096",
        "http://169.254.169.254.",
        "http://2852039166",
        "http://0xa9fea9fe",
        "http://0251.0376.0251.0376",
        "http://0xa9.0xfe.0xa9.0xfe",
        "http://[fe80::1]",
        "http://[febf::1]",
        "http://[::ffff:169.254.169.254]",
        "http://[::ffff:a9fe:a9fe]",
        "http://[::169.254.169.254]",
        "http://[64:ff9b::169.254.169.254]",
    ] {
        assert!(matches!(refused(raw), UrlPolicyError::LinkLocal(_)), "{raw}");
    }
}

#[test]
fn this_network_addresses_are_refused() {
    for raw in [
        "http://0.0.0.0",
        "http://0.0.0.0:32400",
        "http://0",
        "http://0.1.2.3",
        "http://[::]",
        "http://[::ffff:0.0.0.0]",
        "http://[::0.0.0.5]",
    ] {
        assert!(matches!(refused(raw), UrlPolicyError::Unspecified(_)), "{raw}");
    }
}

#[test]
fn cloud_metadata_names_and_addresses_are_refused() {
    for raw in [
        "http://metadata.google.internal",
        "http://METADATA.google.internal./computeMetadata/v1/",
        "http://metadata",
        "http://metadata.goog",
        "http://instance-data",
        "http://instance-data.ec2.internal",
        "http://100.100.100.200",
        "http://[fd00:ec2::254]",
        "http://[::ffff:100.100.100.200]",
    ] {
        assert!(matches!(refused(raw), UrlPolicyError::Metadata(_)), "{raw}");
    }
}

#[test]
fn other_schemes_are_refused() {
    for (raw, scheme) in [
        ("file:///etc/passwd", "file"),
        ("ftp://x", "ftp"),
        ("ws://nas:8096", "ws"),
        ("javascript:alert(1)", "javascript"),
        ("gopher://nas:70/", "gopher"),
    ] {
        assert_eq!(refused(raw), UrlPolicyError::UnsupportedScheme(scheme.into()), "{raw}");
    }
}

#[test]
fn credentials_in_the_address_are_refused() {
    for raw in ["http://user:pw@host", "http://user@host:8096", "https://:pw@host", "http://a@169.254.169.254"] {
        assert_eq!(refused(raw), UrlPolicyError::Credentials, "{raw}");
    }
}

#[test]
fn queries_and_fragments_are_refused() {
    assert_eq!(refused("http://nas:32400/?X-Plex-Token=abc"), UrlPolicyError::Query);
    assert_eq!(refused("http://nas:32400/?"), UrlPolicyError::Query);
    assert_eq!(refused("http://nas:32400/#top"), UrlPolicyError::Fragment);
}

#[test]
fn empty_and_malformed_addresses_are_refused() {
    assert_eq!(refused(""), UrlPolicyError::Empty);
    assert_eq!(refused("   "), UrlPolicyError::Empty);
    for raw in ["nas:8096", "192.168.1.4", "http://", "http://[fe80::1%25eth0]/", "http://exa mple.com", "//nas/"] {
        assert!(matches!(refused(raw), UrlPolicyError::Malformed(_) | UrlPolicyError::UnsupportedScheme(_)), "{raw}");
    }
}

#[test]
fn resolved_addresses_follow_the_same_rule() {
    let ok: [IpAddr; 7] = [
        "192.168.1.4".parse().expect("ip"),
        "10.1.2.3".parse().expect("ip"),
        "127.0.0.1".parse().expect("ip"),
        "100.64.0.9".parse().expect("ip"),
        "::1".parse().expect("ip"),
        "fd12:3456::7".parse().expect("ip"),
        "2001:db8::1".parse().expect("ip"),
    ];
    for ip in ok {
        assert_eq!(check_resolved_addr(ip), Ok(()), "{ip}");
    }
    for raw in ["169.254.169.254", "fe80::abcd", "0.0.0.0", "::", "::ffff:169.254.169.254", "100.100.100.200"] {
        let ip: IpAddr = raw.parse().expect("ip");
        assert!(check_resolved_addr(ip).is_err(), "{raw}");
    }
}

#[test]
fn refusal_messages_name_the_reason_in_plain_words() {
    assert_eq!(
        refused("http://169.254.169.254").to_string(),
        "169.254.169.254 is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services live"
    );
    assert_eq!(refused("ftp://x").to_string(), "only http:// and https:// server addresses are allowed, not ftp://");
    assert!(refused("http://user:pw@host").to_string().contains("user name or password"));
    assert!(!refused("http://user:pw@host").to_string().contains("pw"));
}
