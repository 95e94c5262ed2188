//! Device velocity: distinct public addresses (IPv6 per /64) or devices within the window.

use super::*;

fn velocity(max_distinct: u32, count: VelocityCount) -> Rule {
    rule(RuleKind::DeviceVelocity(VelocityParams { max_distinct, window_hours: 24, count }))
}

fn history(addrs: &[&str]) -> Vec<RuleSession> {
    addrs
        .iter()
        .enumerate()
        .map(|(i, a)| session(&format!("h{i}")).with_ip(a).span(-hours(10) + i as i64, -hours(9) + i as i64))
        .collect()
}

#[test]
fn more_addresses_than_allowed_in_a_day_are_flagged() {
    let now = session("now").with_ip("9.9.9.9");
    let v = run(&velocity(3, VelocityCount::Ips), &ctx(now, vec![], history(&["1.1.1.1", "2.2.2.2", "3.3.3.3"])), t(0));
    assert_eq!(v.len(), 1);
    assert_eq!(amount(&v[0].evidence.measured), 4.0);
    assert_eq!(v[0].summary, "one account used 4 different addresses within 24 h: 4 > 3");
    assert_eq!(v[0].evidence.sessions.len(), 4);
}

#[test]
fn exactly_the_limit_is_allowed() {
    let now = session("now").with_ip("9.9.9.9");
    assert!(
        run(&velocity(3, VelocityCount::Ips), &ctx(now, vec![], history(&["1.1.1.1", "2.2.2.2"])), t(0)).is_empty()
    );
}

#[test]
fn ipv6_privacy_addresses_in_one_slash_64_count_once() {
    let now = session("now").with_ip("2a01:e0a:1:2::9");
    let past = history(&["2a01:e0a:1:2::1", "2a01:e0a:1:2:abcd::2", "2a01:e0a:1:2:ffff::3", "2a01:e0a:1:3::1"]);
    let v = run(&velocity(1, VelocityCount::Ips), &ctx(now, vec![], past), t(0));
    assert_eq!(amount(&v[0].evidence.measured), 2.0);
}

#[test]
fn sessions_outside_the_window_do_not_count() {
    let now = session("now").with_ip("9.9.9.9");
    let old = session("old").with_ip("1.1.1.1").span(-hours(30), -hours(25));
    let inside = session("in").with_ip("2.2.2.2").span(-hours(30), -hours(23));
    assert!(run(&velocity(1, VelocityCount::Ips), &ctx(now.clone(), vec![], vec![old.clone()]), t(0)).is_empty());
    assert_eq!(run(&velocity(1, VelocityCount::Ips), &ctx(now, vec![], vec![old, inside]), t(0)).len(), 1);
}

#[test]
fn lan_cgnat_and_relay_addresses_do_not_count() {
    let now = session("now").with_ip("9.9.9.9");
    let mut past = history(&["192.168.1.2", "10.0.0.3", "100.64.0.9", "fe80::1", "4.4.4.4"]);
    past[4].address_class = AddressClass::Relay;
    assert!(run(&velocity(1, VelocityCount::Ips), &ctx(now, vec![], past), t(0)).is_empty());
}

#[test]
fn devices_can_be_counted_instead_of_addresses() {
    let now = session("now").with_ip("9.9.9.9").device("tv");
    let past = vec![
        session("a").with_ip("9.9.9.9").device("phone").span(-60, -50),
        session("b").with_ip("9.9.9.9").device("tablet").span(-40, -30),
        session("c").with_ip("9.9.9.9").device("tv").span(-20, -10),
    ];
    let v = run(&velocity(2, VelocityCount::Devices), &ctx(now.clone(), vec![], past.clone()), t(0));
    assert_eq!(amount(&v[0].evidence.measured), 3.0);
    assert!(run(&velocity(2, VelocityCount::Ips), &ctx(now, vec![], past), t(0)).is_empty());
}

#[test]
fn a_session_in_both_lists_counts_once() {
    let now = session("now").with_ip("9.9.9.9");
    let twin = session("a").with_ip("1.1.1.1").started(-30);
    let c = ctx(now, vec![twin.clone()], vec![twin]);
    assert!(run(&velocity(2, VelocityCount::Ips), &c, t(0)).is_empty());
}
