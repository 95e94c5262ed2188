//! Concurrent streams: the limit and its override, paused streams, one household or address counted once,
//! device twins, trusted networks.

use super::*;

fn streams(addrs: &[&str]) -> Vec<RuleSession> {
    addrs.iter().enumerate().map(|(i, a)| session(&format!("s{i}")).with_ip(a).started(-(i as i64) - 1)).collect()
}

#[test]
fn a_fourth_stream_over_a_limit_of_three_is_flagged() {
    let now = session("now").with_ip("9.9.9.9");
    let v = run(&concurrent(3, true, false), &ctx(now, streams(&["1.1.1.1", "2.2.2.2", "3.3.3.3"]), vec![]), t(0));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].summary, "one account is playing 4 streams at once: 4 > 3");
    assert_eq!(keys(&v[0]), ["now", "s2", "s1", "s0"]);
    assert_eq!(v[0].condition_key, "r1|1|alice");
}

#[test]
fn three_streams_are_within_a_limit_of_three() {
    let now = session("now").with_ip("9.9.9.9");
    assert!(run(&concurrent(3, true, false), &ctx(now, streams(&["1.1.1.1", "2.2.2.2"]), vec![]), t(0)).is_empty());
}

#[test]
fn paused_streams_count_only_when_the_rule_says_so() {
    let now = session("now").with_ip("9.9.9.9");
    let mut others = streams(&["1.1.1.1", "2.2.2.2"]);
    others[1] = others[1].clone().paused_at(-5);
    let c = ctx(now, others, vec![]);
    assert!(run(&concurrent(2, true, false), &c, t(0)).is_empty());
    assert_eq!(run(&concurrent(2, true, true), &c, t(0)).len(), 1);
}

#[test]
fn a_paused_judged_session_does_not_trigger_when_paused_streams_do_not_count() {
    let now = session("now").with_ip("9.9.9.9").paused_at(-1);
    let c = ctx(now, streams(&["1.1.1.1", "2.2.2.2", "3.3.3.3"]), vec![]);
    assert!(run(&concurrent(2, true, false), &c, t(0)).is_empty());
}

#[test]
fn streams_from_one_address_count_once_when_grouped() {
    let now = session("now").with_ip("9.9.9.9");
    let c = ctx(now, streams(&["9.9.9.9", "9.9.9.9", "1.1.1.1"]), vec![]);
    assert!(run(&concurrent(2, true, false), &c, t(0)).is_empty());
    let v = run(&concurrent(2, false, false), &c, t(0));
    assert_eq!(amount(&v[0].evidence.measured), 4.0);
}

#[test]
fn ipv6_streams_in_one_slash_64_count_once_when_grouped() {
    let now = session("now").with_ip("2a01:e0a:1:2::9");
    let c = ctx(now, streams(&["2a01:e0a:1:2::1", "2a01:e0a:1:2::2", "2a01:e0a:1:3::1"]), vec![]);
    let v = run(&concurrent(1, true, false), &c, t(0));
    assert_eq!(amount(&v[0].evidence.measured), 2.0);
    assert!(v[0].summary.contains("(4 sessions; streams from one network or device count once)"), "{}", v[0].summary);
}

#[test]
fn a_household_network_counts_as_one_stream() {
    let now = session("now").with_ip("81.10.20.30");
    let mut c = ctx(now, streams(&["81.10.99.1", "81.10.7.7", "2.2.2.2"]), vec![]);
    c.settings.household_networks = vec!["81.10.0.0/16".parse().expect("cidr")];
    assert!(run(&concurrent(2, true, false), &c, t(0)).is_empty());
    c.settings.household_networks.clear();
    assert_eq!(run(&concurrent(2, true, false), &c, t(0)).len(), 1);
}

#[test]
fn an_account_override_replaces_the_rule_limit() {
    let now = session("now").with_ip("9.9.9.9");
    let mut c = ctx(now, streams(&["1.1.1.1", "2.2.2.2"]), vec![]);
    c.settings.max_streams = Some(5);
    assert!(run(&concurrent(2, true, false), &c, t(0)).is_empty());
    c.settings.max_streams = Some(1);
    let v = run(&concurrent(2, true, false), &c, t(0));
    assert_eq!(v[0].summary, "one account is playing 3 streams at once: 3 > this account's limit 1");
}

#[test]
fn two_sessions_of_one_device_count_once() {
    let now = session("now").device("tv");
    let twin = session("stale").device("tv").started(-20);
    let other = session("other").device("phone").started(-10);
    assert!(run(&concurrent(2, false, false), &ctx(now, vec![twin, other], vec![]), t(0)).is_empty());
}

#[test]
fn stopped_and_recent_only_sessions_do_not_count() {
    let now = session("now").with_ip("9.9.9.9");
    let stopped = session("gone").with_ip("1.1.1.1").stopped();
    let recent = session("old").with_ip("2.2.2.2").span(-hours(2), -hours(1));
    assert!(run(&concurrent(1, true, false), &ctx(now, vec![stopped], vec![recent]), t(0)).is_empty());
}

#[test]
fn streams_from_a_trusted_network_are_not_counted() {
    let mut r = concurrent(2, false, false);
    r.exceptions.networks = vec!["10.8.0.0/16".parse().expect("cidr"), "2001:470::/32".parse().expect("cidr")];
    let now = session("now").with_ip("9.9.9.9");
    let c = ctx(now, streams(&["10.8.1.1", "2001:470:1::5", "1.1.1.1"]), vec![]);
    assert!(run(&r, &c, t(0)).is_empty());
    r.exceptions.networks.clear();
    assert_eq!(run(&r, &c, t(0)).len(), 1);
}
