//! Simultaneous locations: active sessions far apart, and what never counts (same place, same device,
//! stopped or unlocatable sessions, accuracy radii that cover the distance).

use super::*;

fn paris() -> RuleSession {
    session("paris").with_ip("81.10.20.30").in_city(PARIS, "FR").started(-30)
}

fn sydney() -> RuleSession {
    session("sydney").with_ip("1.120.5.6").in_city(SYDNEY, "AU")
}

#[test]
fn two_active_sessions_on_opposite_sides_of_the_world_are_flagged() {
    let v = run(&simultaneous(), &ctx(sydney(), vec![paris()], vec![]), t(0));
    assert_eq!(v.len(), 1);
    assert_eq!(keys(&v[0]), ["sydney", "paris"]);
    assert!(amount(&v[0].evidence.measured) > 16_000.0);
    assert!(v[0].summary.starts_with("one account is streaming from Sydney and Paris at the same time, 16,9"));
    assert!(v[0].summary.ends_with("km > 100 km"), "{}", v[0].summary);
}

#[test]
fn the_same_address_slash_24_or_device_is_never_two_places() {
    let cases = [
        ("same address", sydney().with_ip("81.10.20.30")),
        ("same /24", sydney().with_ip("81.10.20.99")),
        ("same device", sydney().device("device-paris")),
    ];
    for (name, now) in cases {
        assert!(run(&simultaneous(), &ctx(now, vec![paris()], vec![]), t(0)).is_empty(), "{name}");
    }
}

#[test]
fn stopped_unlocated_and_cgnat_sessions_are_ignored() {
    let others = [
        ("stopped", paris().stopped()),
        ("no location", session("p").with_ip("81.10.20.30")),
        ("cgnat", session("p").with_ip("100.100.1.1").in_city(PARIS, "FR")),
        ("recent only", paris().span(-hours(3), -hours(2))),
    ];
    for (name, other) in others {
        let (active, recent) = if name == "recent only" { (vec![], vec![other]) } else { (vec![other], vec![]) };
        assert!(run(&simultaneous(), &ctx(sydney(), active, recent), t(0)).is_empty(), "{name}");
    }
}

#[test]
fn paused_sessions_are_still_somewhere() {
    let v = run(&simultaneous(), &ctx(sydney(), vec![paris().paused_at(-10)], vec![]), t(0));
    assert_eq!(v.len(), 1);
}

#[test]
fn accuracy_radii_covering_the_distance_mean_no_violation() {
    let lyon = session("lyon").with_ip("90.1.2.3").in_city(LYON, "FR").accuracy(250.0);
    let paris = paris().accuracy(100.0);
    assert!(run(&simultaneous(), &ctx(lyon.clone(), vec![paris.clone()], vec![]), t(0)).is_empty());
    let v = run(&simultaneous(), &ctx(lyon.accuracy(20.0), vec![paris.accuracy(20.0)], vec![]), t(0));
    assert_eq!(v.len(), 1);
}

#[test]
fn three_places_are_listed_with_the_largest_distance() {
    let tokyo = session("tokyo").with_ip("83.10.20.30").in_city(TOKYO, "JP").started(-5);
    let v = run(&simultaneous(), &ctx(sydney(), vec![tokyo, paris()], vec![]), t(0));
    assert_eq!(keys(&v[0]), ["sydney", "paris", "tokyo"]);
    assert!(v[0].summary.contains("from Sydney, Paris and Tokyo at the same time, up to 16,9"), "{}", v[0].summary);
}

#[test]
fn a_stopped_judged_session_raises_nothing() {
    assert!(run(&simultaneous(), &ctx(sydney().stopped(), vec![paris()], vec![]), t(0)).is_empty());
}

#[test]
fn the_next_episode_keeps_the_same_condition_key() {
    let first = run(&simultaneous(), &ctx(sydney(), vec![paris()], vec![]), t(0));
    let mut next = sydney();
    next.session_key = "sydney-ep2".to_owned();
    let second = run(&simultaneous(), &ctx(next, vec![paris()], vec![]), t(45));
    assert_eq!(first[0].condition_key, second[0].condition_key);
    assert_eq!(first[0].condition_key, "r1|1|alice");
}
