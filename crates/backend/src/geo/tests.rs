//! Lookups against MaxMind's published test databases in `shared/geoip` (see its README for the
//! addresses and what they hold).

use super::*;
use std::path::PathBuf;

fn shared_geoip() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geoip"))
}

/// A data dir whose `geoip/` holds copies of the named test databases.
fn data_dir_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let geoip = dir.path().join(GEOIP_DIR);
    std::fs::create_dir_all(&geoip).expect("geoip dir");
    for f in files {
        std::fs::copy(shared_geoip().join(f), geoip.join(f)).expect("copies a test database");
    }
    dir
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

#[test]
fn city_asn_and_anonymous_databases_answer_together() {
    let dir = data_dir_with(&["GeoIP2-City-Test.mmdb", "GeoLite2-ASN-Test.mmdb", "GeoIP2-Anonymous-IP-Test.mmdb"]);
    let geo = Geo::open(dir.path());
    let london = geo.lookup(ip("81.2.69.142"));
    assert_eq!(london.city.as_deref(), Some("London"));
    assert_eq!(london.country_code.as_deref(), Some("GB"));
    assert_eq!(london.continent.as_deref(), Some("EU"));
    assert_eq!((london.latitude, london.longitude, london.accuracy_km), (Some(51.5142), Some(-0.0931), Some(10)));
    assert!(london.anonymous && london.vpn && london.hosting && london.tor);

    let linkoping = geo.lookup(ip("89.160.20.112"));
    assert_eq!(linkoping.city.as_deref(), Some("Linköping"));
    assert_eq!((linkoping.asn, linkoping.asn_org.as_deref()), (Some(29518), Some("Bredband2 AB")));
    assert!(!linkoping.anonymous);

    let milton = geo.lookup(ip("216.160.83.56"));
    assert_eq!((milton.postal_code.as_deref(), milton.region.as_deref()), (Some("98354"), Some("Washington")));

    let v6 = geo.lookup(ip("2001:480:10::1"));
    assert_eq!((v6.city.as_deref(), v6.country_code.as_deref()), (Some("San Diego"), Some("US")));
    let mapped = geo.lookup(ip("::ffff:81.2.69.142"));
    assert_eq!(mapped.city.as_deref(), Some("London"), "IPv4-mapped IPv6 is looked up as IPv4");
}

#[test]
fn local_and_carrier_nat_addresses_are_never_looked_up_and_unknown_ones_stay_empty() {
    let dir = data_dir_with(&["GeoIP2-City-Test.mmdb"]);
    let geo = Geo::open(dir.path());
    let lan = geo.lookup(ip("192.168.1.10"));
    assert_eq!(lan, GeoInfo { class: Some(AddressClass::Private), ..GeoInfo::default() });
    assert_eq!(geo.lookup(ip("100.64.3.4")).class, Some(AddressClass::Cgnat));
    let unknown = geo.lookup(ip("8.8.8.8"));
    assert_eq!((unknown.class, unknown.city, unknown.latitude), (Some(AddressClass::Public), None, None));
}

#[test]
fn a_country_database_alone_gives_the_country_and_no_point() {
    let dir = data_dir_with(&["GeoLite2-Country-Test.mmdb"]);
    let geo = Geo::open(dir.path());
    let info = geo.lookup(ip("81.2.69.142"));
    assert_eq!((info.country_code.as_deref(), info.city, info.latitude), (Some("GB"), None, None));
}

#[test]
fn no_databases_and_broken_files_are_reported_not_fatal() {
    let dir = data_dir_with(&[]);
    std::fs::write(dir.path().join(GEOIP_DIR).join("broken.mmdb"), b"not a database").expect("writes");
    let geo = Geo::open(dir.path());
    let dbs = geo.databases();
    assert!(!dbs.can_locate());
    assert_eq!(dbs.problems.len(), 1, "{:?}", dbs.problems);
    assert!(dbs.problems[0].starts_with("broken.mmdb"));
    assert_eq!(geo.lookup(ip("81.2.69.142")).city, None);
    // A database dropped in later is picked up by a reload.
    std::fs::copy(shared_geoip().join("GeoLite2-City-Test.mmdb"), dir.path().join(GEOIP_DIR).join("city.mmdb"))
        .expect("copies");
    geo.reload();
    assert_eq!(geo.lookup(ip("81.2.69.142")).city.as_deref(), Some("London"));
    let infos = geo.databases().infos();
    assert_eq!((infos[0].role, infos[0].database_type.as_str()), (DbRole::City, "GeoLite2-City"));
    assert!(infos[0].built_at.is_some());
}

#[test]
fn database_types_map_to_roles() {
    assert_eq!(role_of("GeoIP2-City"), Some(DbRole::City));
    assert_eq!(role_of("DBIP-City-Lite"), Some(DbRole::City));
    assert_eq!(role_of("GeoLite2-Country"), Some(DbRole::Country));
    assert_eq!(role_of("GeoLite2-ASN"), Some(DbRole::Asn));
    assert_eq!(role_of("DBIP-ASN-Lite (compat=GeoLite2-ASN)"), Some(DbRole::Asn));
    assert_eq!(role_of("GeoIP2-Anonymous-IP"), Some(DbRole::AnonymousIp));
    assert_eq!(role_of("GeoIP2-ISP"), None);
}
