//! Account rules: inactivity on a schedule, new devices and new countries.

use super::*;

fn inactivity(days: u32) -> Rule {
    rule(RuleKind::AccountInactivity(InactivityParams { max_inactive_days: days }))
}

fn account(last: Option<i64>, first: Option<i64>) -> AccountActivity {
    AccountActivity {
        server_id: ServerId(1),
        user_id: "alice".to_owned(),
        last_activity_at: last.map(t),
        first_seen_at: first.map(t),
    }
}

const DAY: i64 = 24 * 60;

#[test]
fn an_account_idle_for_the_limit_is_flagged_and_one_day_less_is_not() {
    let r = inactivity(30);
    let v = evaluate_account(std::slice::from_ref(&r), &account(Some(0), None), t(30 * DAY));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].summary, "this account has not streamed for 30 days: 30 ≥ 30 days");
    assert_eq!(v[0].session_key, None);
    assert_eq!(v[0].condition_key, "r1|1|alice");
    assert!(evaluate_account(&[r], &account(Some(0), None), t(30 * DAY - 1)).is_empty());
}

#[test]
fn an_account_that_never_streamed_counts_from_when_it_was_first_seen() {
    let v = evaluate_account(&[inactivity(10)], &account(None, Some(0)), t(12 * DAY));
    assert!(v[0].summary.contains("never streamed"), "{}", v[0].summary);
    assert!(evaluate_account(&[inactivity(10)], &account(None, None), t(99 * DAY)).is_empty());
}

#[test]
fn scheduled_and_session_rules_do_not_run_in_each_other_s_entry_point() {
    let c = ctx(session("now"), vec![], vec![]);
    assert!(evaluate(&[inactivity(1)], &c, t(400 * DAY)).is_empty());
    assert!(evaluate_account(&[concurrent(1, false, false)], &account(Some(0), None), t(DAY)).is_empty());
}

#[test]
fn inactivity_respects_scope_and_disabled_rules() {
    let mut r = inactivity(1);
    r.scope = Scope::Server { server_id: ServerId(2) };
    assert!(evaluate_account(std::slice::from_ref(&r), &account(Some(0), None), t(5 * DAY)).is_empty());
    r.scope = Scope::All;
    r.enabled = false;
    assert!(evaluate_account(&[r], &account(Some(0), None), t(5 * DAY)).is_empty());
}

fn new_device() -> Rule {
    rule(RuleKind::NewDevice(NewDeviceParams {}))
}

fn new_country() -> Rule {
    rule(RuleKind::NewCountry(NewCountryParams {}))
}

#[test]
fn a_device_the_account_never_used_is_flagged() {
    let mut c = ctx(session("now").device("tv-2"), vec![], vec![]);
    c.known_devices = vec!["tv-1".to_owned(), "phone".to_owned()];
    let v = run(&new_device(), &c, t(0));
    assert_eq!(
        v[0].summary,
        "one account streamed from a device it never used before: \"Player now\" (Plex for LG, webOS)"
    );
    assert_eq!(v[0].condition_key, "r1|1|alice|device:tv-2");
    c.known_devices.push("tv-2".to_owned());
    assert!(run(&new_device(), &c, t(0)).is_empty());
}

#[test]
fn a_new_device_where_the_account_already_streams_is_the_household_s() {
    let tv = session("tv").device("tv-1").with_ip("81.10.20.30").started(-20);
    let c = ctx(session("now").device("tv-2").with_ip("81.10.20.31"), vec![tv.clone()], vec![]);
    assert!(run(&new_device(), &c, t(0)).is_empty(), "same /24");
    let c = ctx(session("now").device("tv-2").with_ip("90.1.2.3"), vec![tv], vec![]);
    assert_eq!(run(&new_device(), &c, t(0)).len(), 1, "another network");
}

#[test]
fn the_first_device_of_an_account_and_devices_seen_in_history_are_not_new() {
    let c = ctx(session("now").device("tv"), vec![], vec![]);
    assert!(run(&new_device(), &c, t(0)).is_empty());
    let c = ctx(session("now").device("tv"), vec![], vec![session("old").device("tv").span(-99, -90)]);
    assert!(run(&new_device(), &c, t(0)).is_empty());
    let c = ctx(session("now").no_device(), vec![], vec![session("old").span(-99, -90)]);
    assert!(run(&new_device(), &c, t(0)).is_empty());
}

#[test]
fn a_country_the_account_never_streamed_from_is_flagged() {
    let mut c = ctx(session("now").with_ip("1.120.5.6").in_city(TOKYO, "JP"), vec![], vec![]);
    c.known_countries = vec!["fr".to_owned(), "DE".to_owned()];
    let v = run(&new_country(), &c, t(0));
    assert_eq!(v[0].summary, "one account streamed from a country it never streamed from before: JP (known: DE, FR)");
    c.known_countries.push("JP".to_owned());
    assert!(run(&new_country(), &c, t(0)).is_empty());
}

#[test]
fn new_country_ignores_unlocatable_addresses_and_first_countries() {
    let mut c = ctx(session("now").with_ip("100.64.5.6").in_city(TOKYO, "JP"), vec![], vec![]);
    c.known_countries = vec!["FR".to_owned()];
    assert!(run(&new_country(), &c, t(0)).is_empty());
    let first = ctx(session("now").with_ip("1.120.5.6").in_city(TOKYO, "JP"), vec![], vec![]);
    assert!(run(&new_country(), &first, t(0)).is_empty());
    let seen = ctx(
        session("now").with_ip("1.120.5.6").in_city(TOKYO, "JP"),
        vec![],
        vec![session("old").with_ip("1.121.5.6").in_city(TOKYO, "JP").span(-99, -90)],
    );
    assert!(run(&new_country(), &seen, t(0)).is_empty());
}
