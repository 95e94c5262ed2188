//! Tests for resolution under the address policy, with a fixed lookup table.

use super::*;
use crate::notify::ssrf::AddrKind;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

fn table() -> Lookup {
    Lookup::table(&[
        ("public.example", &[ip("93.184.215.14")]),
        ("lan.example", &[ip("10.0.0.5")]),
        ("mixed.example", &[ip("127.0.0.1"), ip("93.184.215.14"), ip("10.9.9.9")]),
        ("meta.example", &[ip("169.254.169.254")]),
        ("empty.example", &[]),
    ])
}

#[tokio::test]
async fn refused_addresses_are_dropped_and_public_ones_kept() {
    let lookup = table();
    assert_eq!(resolve_allowed(&lookup, "public.example", false).await.expect("public"), vec![ip("93.184.215.14")]);
    assert_eq!(resolve_allowed(&lookup, "mixed.example", false).await.expect("one public"), vec![ip("93.184.215.14")]);
    assert_eq!(resolve_allowed(&lookup, "mixed.example", true).await.expect("all").len(), 3);
}

#[tokio::test]
async fn a_name_with_only_refused_addresses_is_refused_naming_the_address() {
    let lookup = table();
    match resolve_allowed(&lookup, "lan.example", false).await {
        Err(ResolveError::Refused(r)) => {
            assert_eq!(r.kind, AddrKind::Private);
            assert_eq!(r.target, "lan.example (10.0.0.5)");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(resolve_allowed(&lookup, "lan.example", true).await.expect("lan allowed"), vec![ip("10.0.0.5")]);
    assert!(matches!(resolve_allowed(&lookup, "meta.example", true).await, Err(ResolveError::Refused(_))));
}

#[tokio::test]
async fn the_save_time_check_refuses_a_name_with_any_refused_address() {
    let lookup = table();
    assert!(matches!(resolve_all_allowed(&lookup, "mixed.example", false).await, Err(ResolveError::Refused(_))));
    assert!(resolve_all_allowed(&lookup, "public.example", false).await.is_ok());
}

#[tokio::test]
async fn unknown_names_and_empty_answers_are_lookup_errors() {
    let lookup = table();
    assert!(matches!(resolve_allowed(&lookup, "nowhere.example", false).await, Err(ResolveError::Lookup(_))));
    assert!(matches!(resolve_allowed(&lookup, "empty.example", false).await, Err(ResolveError::Lookup(_))));
}

#[tokio::test]
async fn literals_and_special_names_skip_the_lookup() {
    let lookup = table();
    assert!(matches!(resolve_allowed(&lookup, "127.0.0.1", false).await, Err(ResolveError::Refused(_))));
    assert!(matches!(resolve_allowed(&lookup, "[::1]", false).await, Err(ResolveError::Refused(_))));
    assert!(matches!(resolve_allowed(&lookup, "localhost", false).await, Err(ResolveError::Refused(_))));
    assert_eq!(resolve_allowed(&lookup, "127.0.0.1", true).await.expect("loopback allowed"), vec![ip("127.0.0.1")]);
}

#[tokio::test]
async fn the_system_resolver_sees_localhost_as_loopback() {
    let found = resolve_allowed(&Lookup::system(), "localhost", true).await.expect("localhost resolves");
    assert!(found.iter().all(IpAddr::is_loopback), "{found:?}");
}
