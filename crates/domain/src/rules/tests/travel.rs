//! Impossible travel: speeds, and the false alarms it must not raise (same address, /24, /64, ASN + city,
//! unlocatable addresses, accuracy radii, short hops, one device's VPN).

use super::*;

fn paris_earlier() -> RuleSession {
    session("paris").with_ip("81.10.20.30").in_city(PARIS, "FR").asn(3215).span(-hours(4), -hours(2))
}

fn sydney_now() -> RuleSession {
    session("sydney").with_ip("1.120.5.6").in_city(SYDNEY, "AU").asn(1221)
}

#[test]
fn paris_then_sydney_two_hours_later_is_flagged_with_the_speed() {
    let v = run(&travel(), &ctx(sydney_now(), vec![], vec![paris_earlier()]), t(0));
    assert_eq!(v.len(), 1, "{v:#?}");
    let speed = amount(&v[0].evidence.measured);
    assert!((8_400.0..8_560.0).contains(&speed), "{speed}");
    assert_eq!(amount(&v[0].evidence.threshold), 900.0);
    assert_eq!(v[0].kind, RuleType::ImpossibleTravel);
    assert_eq!(v[0].severity, Severity::High);
    assert_eq!(keys(&v[0]), ["sydney", "paris"]);
    assert!(v[0].summary.starts_with("one account streamed from Paris and then Sydney, 16,9"), "{}", v[0].summary);
    assert!(v[0].summary.ends_with("km apart, within 2 h: 8,480 km/h > 900 km/h"), "{}", v[0].summary);
}

#[test]
fn evidence_carries_addresses_locations_asn_and_devices() {
    let v = run(&travel(), &ctx(sydney_now(), vec![], vec![paris_earlier()]), t(0));
    let paris = &v[0].evidence.sessions[1];
    assert_eq!(paris.ip, Some(ip("81.10.20.30")));
    assert_eq!(paris.asn, Some(3215));
    assert_eq!(paris.device_id.as_deref(), Some("device-paris"));
    assert_eq!(paris.location.as_ref().and_then(|l| l.city.as_deref()), Some("Paris"));
    assert!(v[0].evidence.facts.iter().any(|f| f.name == "distance_km"));
}

#[test]
fn the_same_address_with_a_changed_geoip_location_is_not_travel() {
    let now = session("now").with_ip("81.10.20.30").in_city(SYDNEY, "AU");
    assert!(run(&travel(), &ctx(now, vec![], vec![paris_earlier()]), t(0)).is_empty());
}

#[test]
fn the_same_ipv4_slash_24_is_not_travel() {
    let now = session("now").with_ip("81.10.20.200").in_city(SYDNEY, "AU");
    assert!(run(&travel(), &ctx(now, vec![], vec![paris_earlier()]), t(0)).is_empty());
}

#[test]
fn the_same_ipv6_slash_64_is_not_travel_but_another_slash_64_is() {
    let before = session("a").with_ip("2a01:e0a:1:2::1").in_city(PARIS, "FR").span(-hours(3), -hours(2));
    let same = session("b").with_ip("2a01:e0a:1:2:aaaa:bbbb:cccc:dddd").in_city(SYDNEY, "AU");
    assert!(run(&travel(), &ctx(same, vec![], vec![before.clone()]), t(0)).is_empty());
    let other = session("c").with_ip("2a01:e0a:1:3::1").in_city(SYDNEY, "AU");
    assert_eq!(run(&travel(), &ctx(other, vec![], vec![before]), t(0)).len(), 1);
}

#[test]
fn the_same_asn_and_city_is_not_travel_even_when_coordinates_differ() {
    let before = session("a").with_ip("81.10.20.30").in_city(("Paris", 48.85, 2.35), "FR").asn(3215).span(-30, -15);
    let now = session("b").with_ip("90.1.2.3").in_city(("Paris", 43.6, 1.44), "FR").asn(3215);
    assert!(run(&travel(), &ctx(now.clone(), vec![], vec![before.clone()]), t(0)).is_empty());
    let other_asn = now.asn(12322);
    assert_eq!(run(&travel(), &ctx(other_asn, vec![], vec![before]), t(0)).len(), 1);
}

#[test]
fn private_cgnat_relay_and_unknown_addresses_are_never_compared() {
    let cases: Vec<(&str, RuleSession)> = vec![
        ("lan", session("x").with_ip("192.168.1.20").in_city(SYDNEY, "AU")),
        ("cgnat", session("x").with_ip("100.64.3.4").in_city(SYDNEY, "AU")),
        ("cgnat top", session("x").with_ip("100.127.255.254").in_city(SYDNEY, "AU")),
        ("ula", session("x").with_ip("fd12:3456::1").in_city(SYDNEY, "AU")),
        ("relay", session("x").with_ip("1.200.5.6").in_city(SYDNEY, "AU").relayed()),
        ("no location", session("x").with_ip("1.200.5.6")),
    ];
    for (name, now) in cases {
        assert!(run(&travel(), &ctx(now.clone(), vec![], vec![paris_earlier()]), t(0)).is_empty(), "{name}");
        // And as the earlier session: nothing to compare with.
        let sydney = sydney_now();
        let mut before = now.span(-hours(3), -hours(2));
        before.session_key = "before".to_owned();
        assert!(run(&travel(), &ctx(sydney, vec![], vec![before]), t(0)).is_empty(), "{name} as previous");
    }
}

#[test]
fn accuracy_radii_that_cover_the_distance_mean_no_violation() {
    // Paris to Lyon is about 390 km; radii of 200 + 200 km leave nothing.
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").accuracy(200.0).span(-60, -10);
    let now = session("b").with_ip("90.1.2.3").in_city(LYON, "FR").accuracy(200.0);
    assert!(run(&travel(), &ctx(now.clone(), vec![], vec![before.clone()]), t(0)).is_empty());
    let precise = now.accuracy(10.0);
    let v = run(&travel(), &ctx(precise, vec![], vec![before.accuracy(10.0)]), t(0));
    assert_eq!(v.len(), 1);
    assert!(v[0].summary.contains("at least 3"), "{}", v[0].summary);
}

#[test]
fn hops_shorter_than_the_minimum_distance_are_ignored() {
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").span(-10, -6);
    let now = session("b").with_ip("90.1.2.3").in_city(VERSAILLES, "FR");
    assert!(run(&travel(), &ctx(now, vec![], vec![before]), t(0)).is_empty());
}

#[test]
fn a_plausible_flight_is_not_flagged() {
    let before = session("a").with_ip("81.10.20.30").in_city(NYC, "US").span(-hours(12), -hours(10));
    let now = session("b").with_ip("90.1.2.3").in_city(LA, "US");
    assert!(run(&travel(), &ctx(now, vec![], vec![before]), t(0)).is_empty());
}

#[test]
fn speed_is_measured_from_the_last_sighting_not_the_start() {
    // Started in Paris 12 h ago (start-to-start would be ~485 km/h) but was still seen there 1 h ago.
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").span(-hours(12), -hours(1));
    let now = session("b").with_ip("90.1.2.3").in_city(NYC, "US");
    let v = run(&travel(), &ctx(now, vec![], vec![before]), t(0));
    assert_eq!(v.len(), 1);
    assert!(amount(&v[0].evidence.measured) > 5_000.0);
}

#[test]
fn only_the_most_recent_located_session_is_the_starting_point() {
    let nyc = session("nyc").with_ip("81.10.20.30").in_city(NYC, "US").span(-hours(26), -hours(24));
    let la = session("la").with_ip("82.10.20.30").in_city(LA, "US").span(-hours(2), -30);
    let tokyo = session("tokyo").with_ip("83.10.20.30").in_city(TOKYO, "JP");
    let v = run(&travel(), &ctx(tokyo, vec![], vec![nyc.clone(), la.clone()]), t(0));
    assert_eq!(keys(&v[0]), ["tokyo", "la"]);
    // Back home in New York 30 h after leaving it, via LA: fine.
    let home = session("home").with_ip("81.10.20.31").in_city(NYC, "US").span(hours(6), hours(6));
    assert!(run(&travel(), &ctx(home, vec![], vec![nyc, la]), t(hours(6))).is_empty());
}

#[test]
fn one_device_changing_place_is_skipped_unless_configured() {
    let before = paris_earlier().device("phone");
    let now = sydney_now().device("phone");
    assert!(run(&travel(), &ctx(now.clone(), vec![], vec![before.clone()]), t(0)).is_empty());
    let strict = rule(RuleKind::ImpossibleTravel(TravelParams { skip_same_device: false, ..TravelParams::default() }));
    assert_eq!(run(&strict, &ctx(now, vec![], vec![before]), t(0)).len(), 1);
}

#[test]
fn overlapping_sessions_give_a_finite_speed_from_the_minimum_gap() {
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").span(-30, 5);
    let now = session("b").with_ip("90.1.2.3").in_city(LONDON, "GB");
    let v = run(&travel(), &ctx(now, vec![], vec![before]), t(5));
    assert_eq!(v.len(), 1);
    let speed = amount(&v[0].evidence.measured);
    assert!(speed.is_finite() && speed > 3_000.0, "{speed}");
    assert!(v[0].summary.contains("within 5 min"), "{}", v[0].summary);
}

#[test]
fn a_session_still_streaming_elsewhere_is_left_to_the_simultaneous_rule() {
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").span(-30, 5);
    let now = session("b").with_ip("90.1.2.3").in_city(LONDON, "GB");
    assert!(run(&travel(), &ctx(now.clone(), vec![before.clone()], vec![]), t(5)).is_empty());
    let both = ctx(now, vec![before], vec![]);
    let v = run(&rule(RuleKind::SimultaneousLocations(SimultaneousParams::default())), &both, t(5));
    assert_eq!(v.len(), 1, "{v:#?}");
}

#[test]
fn sessions_that_started_later_are_not_the_previous_one() {
    let later = session("later").with_ip("81.10.20.30").in_city(PARIS, "FR").span(30, 60);
    assert!(run(&travel(), &ctx(sydney_now(), vec![], vec![later]), t(60)).is_empty());
}

#[test]
fn the_condition_key_names_the_pair_whatever_the_history_order() {
    let filler = session("old").with_ip("5.6.7.8").in_city(PARIS, "FR").span(-hours(30), -hours(29));
    let a = run(&travel(), &ctx(sydney_now(), vec![], vec![paris_earlier(), filler.clone()]), t(0));
    let b = run(&travel(), &ctx(sydney_now(), vec![], vec![filler, paris_earlier()]), t(0));
    assert_eq!(a, b);
    assert_eq!(a[0].condition_key, "r1|1|alice|1:paris+1:sydney");
}

#[test]
fn a_household_network_is_not_travel_when_the_rule_honours_it() {
    let mut r = travel();
    r.exceptions.household_networks = true;
    let mut c = ctx(sydney_now(), vec![], vec![paris_earlier()]);
    c.settings.household_networks = vec!["81.10.0.0/16".parse().expect("cidr")];
    assert!(run(&r, &c, t(0)).is_empty());
    r.exceptions.household_networks = false;
    assert_eq!(run(&r, &c, t(0)).len(), 1);
}
