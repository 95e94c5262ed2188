//! The engine as a whole: switches, scope, exceptions, invalid rules, determinism and serde shapes.

use super::*;

fn over_limit() -> EvalContext {
    let now = session("now").with_ip("9.9.9.9");
    ctx(now, vec![session("a").with_ip("1.1.1.1").started(-2), session("b").with_ip("2.2.2.2").started(-1)], vec![])
}

#[test]
fn no_rules_no_violations() {
    assert!(evaluate(&[], &over_limit(), t(0)).is_empty());
}

#[test]
fn a_disabled_rule_never_fires() {
    let mut r = concurrent(1, false, false);
    assert_eq!(run(&r, &over_limit(), t(0)).len(), 1);
    r.enabled = false;
    assert!(run(&r, &over_limit(), t(0)).is_empty());
}

#[test]
fn scope_by_server_and_by_account() {
    let cases = [
        (Scope::All, true),
        (Scope::Server { server_id: ServerId(1) }, true),
        (Scope::Server { server_id: ServerId(2) }, false),
        (Scope::User { server_id: ServerId(1), user_id: "alice".to_owned() }, true),
        (Scope::User { server_id: ServerId(1), user_id: "bob".to_owned() }, false),
        (Scope::User { server_id: ServerId(2), user_id: "alice".to_owned() }, false),
    ];
    for (scope, fires) in cases {
        let mut r = concurrent(1, false, false);
        r.scope = scope.clone();
        assert_eq!(run(&r, &over_limit(), t(0)).len(), usize::from(fires), "{scope:?}");
    }
}

#[test]
fn an_excepted_account_is_never_flagged() {
    let mut r = concurrent(1, false, false);
    r.exceptions.users = vec![UserRef { server_id: ServerId(2), user_id: "alice".to_owned() }];
    assert_eq!(run(&r, &over_limit(), t(0)).len(), 1, "the same name on another server is another account");
    r.exceptions.users.push(UserRef { server_id: ServerId(1), user_id: "alice".to_owned() });
    assert!(run(&r, &over_limit(), t(0)).is_empty());
}

#[test]
fn a_session_from_a_trusted_network_triggers_nothing() {
    let mut r = concurrent(1, false, false);
    r.exceptions.networks = vec!["9.9.9.0/24".parse().expect("cidr")];
    assert!(run(&r, &over_limit(), t(0)).is_empty());
}

#[test]
fn a_trusted_network_is_never_a_place_for_travel() {
    let mut r = travel();
    r.exceptions.networks = vec!["2a01:e0a::/32".parse().expect("cidr")];
    let before = session("vpn").with_ip("2a01:e0a:5::1").in_city(SYDNEY, "AU").span(-60, -30);
    let now = session("now").with_ip("81.10.20.30").in_city(PARIS, "FR");
    assert!(run(&r, &ctx(now.clone(), vec![], vec![before.clone()]), t(0)).is_empty());
    assert_eq!(run(&travel(), &ctx(now, vec![], vec![before]), t(0)).len(), 1);
}

#[test]
fn an_invalid_rule_is_skipped_instead_of_run() {
    let r = rule(RuleKind::ImpossibleTravel(TravelParams { max_speed_kmh: f64::NAN, ..TravelParams::default() }));
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").span(-60, -30);
    let now = session("b").with_ip("1.120.5.6").in_city(SYDNEY, "AU");
    assert!(run(&r, &ctx(now, vec![], vec![before]), t(0)).is_empty());
}

#[test]
fn several_rules_give_several_violations_in_rule_order() {
    let before = session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").started(-60);
    let now = session("b").with_ip("1.120.5.6").in_city(SYDNEY, "AU");
    let mut conc = concurrent(1, false, false);
    conc.id = RuleId("conc".to_owned());
    let mut sim = simultaneous();
    sim.id = RuleId("sim".to_owned());
    let earlier = session("x").with_ip("83.10.20.30").in_city(TOKYO, "JP").span(-90, -30);
    let v = evaluate(&[conc, sim, travel()], &ctx(now, vec![before], vec![earlier]), t(0));
    let ids: Vec<&str> = v.iter().map(|v| v.rule_id.0.as_str()).collect();
    assert_eq!(ids, ["conc", "sim", "r1"]);
}

fn busy_context(reverse: bool) -> EvalContext {
    let mut active = vec![
        session("a").with_ip("81.10.20.30").in_city(PARIS, "FR").started(-50),
        session("b").with_ip("83.10.20.30").in_city(TOKYO, "JP").started(-40),
        session("c").with_ip("2.2.2.2").started(-30).paused_at(-5),
    ];
    let mut recent = vec![
        session("d").with_ip("82.10.20.30").in_city(LA, "US").span(-hours(5), -hours(3)),
        session("e").with_ip("2a01:e0a:1:2::1").in_city(LONDON, "GB").span(-hours(8), -hours(6)),
        active[0].clone().seen(-20),
    ];
    if reverse {
        active.reverse();
        recent.reverse();
    }
    let mut c = ctx(session("now").with_ip("1.120.5.6").in_city(SYDNEY, "AU"), active, recent);
    c.known_devices = vec!["device-a".to_owned(), "device-d".to_owned()];
    c.known_countries = vec!["FR".to_owned()];
    c
}

#[test]
fn the_same_input_gives_the_same_output_whatever_the_order_of_sessions() {
    let mut rules = default_rules();
    for r in &mut rules {
        r.enabled = true;
    }
    if let Some(r) = rules.iter_mut().find(|r| matches!(r.kind, RuleKind::DeviceVelocity(_))) {
        r.kind = RuleKind::DeviceVelocity(VelocityParams { max_distinct: 2, ..VelocityParams::default() });
    }
    let a = evaluate(&rules, &busy_context(false), t(0));
    let b = evaluate(&rules, &busy_context(false), t(0));
    let c = evaluate(&rules, &busy_context(true), t(0));
    assert_eq!(a, b);
    assert_eq!(a, c);
    let kinds: Vec<RuleType> = a.iter().map(|v| v.kind).collect();
    assert!(kinds.contains(&RuleType::SimultaneousLocations), "{kinds:?}");
    assert!(kinds.contains(&RuleType::ImpossibleTravel), "{kinds:?}");
    assert!(kinds.contains(&RuleType::DeviceVelocity), "{kinds:?}");
    // The new country is a fact of the sharing violation, not an incident of its own.
    let facts: Vec<&str> = a.iter().flat_map(|v| &v.evidence.facts).map(|f| f.name.as_str()).collect();
    assert!(facts.contains(&"new_country"), "{facts:?}");
}

#[test]
fn rules_serialize_with_a_type_tag_and_round_trip() {
    for r in default_rules() {
        let json = serde_json::to_string(&r).expect("serializes");
        let back: Rule = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, r);
    }
    let json = serde_json::to_value(RuleKind::ConcurrentStreams(ConcurrentParams::default())).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({"type": "concurrent_streams", "max_streams": 3, "group_by_network": true, "count_paused": false})
    );
    let minimal: Rule = serde_json::from_str(
        r#"{"id":"x","name":"X","kind":{"type":"new_device"},"severity":"critical","enabled":true}"#,
    )
    .expect("scope and exceptions default");
    assert_eq!(minimal.scope, Scope::All);
    assert_eq!(minimal.severity, Severity::Critical);
}

#[test]
fn contexts_and_violations_round_trip_through_json() {
    let c = busy_context(false);
    let json = serde_json::to_string(&c).expect("serializes");
    assert_eq!(serde_json::from_str::<EvalContext>(&json).expect("deserializes"), c);
    let v = evaluate(&[simultaneous()], &c, t(0));
    let json = serde_json::to_string(&v).expect("serializes");
    assert_eq!(serde_json::from_str::<Vec<Violation>>(&json).expect("deserializes"), v);
}

#[test]
fn rule_types_match_their_serde_tags() {
    for r in default_rules() {
        let json = serde_json::to_value(&r.kind).expect("serializes");
        assert_eq!(json["type"], r.kind.rule_type().as_str());
    }
}

#[test]
fn severities_are_ordered() {
    assert!(
        Severity::Low < Severity::Medium && Severity::Medium < Severity::High && Severity::High < Severity::Critical
    );
    assert_eq!(Severity::Critical.as_str(), "critical");
}

#[test]
fn a_new_device_and_country_during_sharing_are_facts_of_one_violation() {
    let mut sim = simultaneous();
    sim.id = RuleId("sim".to_owned());
    let mut device = rule(RuleKind::NewDevice(NewDeviceParams {}));
    device.id = RuleId("dev".to_owned());
    let mut country = rule(RuleKind::NewCountry(NewCountryParams {}));
    country.id = RuleId("country".to_owned());
    let home = session("home").with_ip("81.10.20.30").in_city(PARIS, "FR").device("tv").started(-60);
    let away = session("away").with_ip("1.120.5.6").in_city(SYDNEY, "AU").device("laptop");
    let rules = [device.clone(), country.clone(), sim];
    let v = evaluate(&rules, &ctx(away.clone(), vec![home.clone()], vec![]), t(0));
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].rule_id.0, "sim");
    let facts: Vec<&str> = v[0].evidence.facts.iter().map(|f| f.name.as_str()).collect();
    assert!(facts.contains(&"new_device") && facts.contains(&"new_country"), "{facts:?}");
    // Without a sharing violation the notices stand on their own.
    let v = evaluate(&[device, country], &ctx(away, vec![home], vec![]), t(0));
    assert_eq!(v.len(), 2, "{v:#?}");
}
