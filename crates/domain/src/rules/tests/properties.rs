//! Properties over thousands of generated accounts (a fixed-seed generator, so failures reproduce):
//! evaluation is deterministic and ignores the order of sessions, distances are symmetric and never
//! negative, and no violation comes without evidence naming the judged session.

use super::*;
use crate::geo::{haversine_km, min_distance_km};

/// A whole number of minutes in `0..range`.
fn minutes(g: &mut Rng, range: i64) -> i64 {
    i64::try_from(g.below(usize::try_from(range).unwrap_or(1))).unwrap_or(0)
}

const CITIES: [(&str, f64, f64); 8] = [PARIS, VERSAILLES, LYON, LONDON, SYDNEY, NYC, LA, TOKYO];
const ADDRESSES: [&str; 12] = [
    "81.10.20.30",
    "81.10.20.31",
    "90.1.2.3",
    "1.120.5.6",
    "203.0.113.9",
    "2a01:e0a:5::1",
    "2a01:e0a:5::2",
    "2001:db8:9::7",
    "::ffff:90.1.2.3",
    "192.168.1.20",
    "100.64.3.4",
    "10.0.0.8",
];
const DEVICES: [&str; 4] = ["tv", "phone", "laptop", "tablet"];

fn random_session(g: &mut Rng, key: String) -> RuleSession {
    let start = -minutes(g, hours(30));
    let mut s = session(&key).with_ip(g.pick(&ADDRESSES)).span(start, start + minutes(g, 180).min(-start));
    if g.chance(80) {
        let city = g.pick(&CITIES);
        let country = if city.0 == "London" {
            "GB"
        } else if city.1 < 0.0 {
            "AU"
        } else {
            "FR"
        };
        s = s.in_city(city, country).accuracy(f64::from(u32::try_from(g.below(300)).unwrap_or(0)));
        if g.chance(50) {
            s = s.asn(u32::try_from(g.below(3)).unwrap_or(0) + 100);
        }
    }
    s = if g.chance(90) { s.device(g.pick(&DEVICES)) } else { s.no_device() };
    if g.chance(10) {
        s = s.relayed();
    }
    s
}

fn random_context(g: &mut Rng) -> EvalContext {
    let current = random_session(g, "now".to_owned()).started(0);
    let n_active = g.below(4);
    let active: Vec<RuleSession> = (0..n_active)
        .map(|i| {
            let s = random_session(g, format!("a{i}"));
            if g.chance(30) { s.paused_at(-minutes(g, 200)) } else { s }
        })
        .collect();
    let mut recent: Vec<RuleSession> = (0..g.below(12)).map(|i| random_session(g, format!("r{i}")).stopped()).collect();
    // Duplicate sightings of live sessions, as the store and the board both report them.
    recent.extend(active.iter().filter(|_| g.chance(30)).cloned());
    let mut c = ctx(current, active, recent);
    if g.chance(50) {
        c.known_devices = vec![g.pick(&DEVICES).to_owned()];
    }
    if g.chance(50) {
        c.known_countries = vec!["FR".to_owned()];
    }
    c
}

fn all_rules_on() -> Vec<Rule> {
    let mut rules = default_rules();
    for r in &mut rules {
        r.enabled = true;
    }
    // Tight limits so the generated accounts trip them often.
    for r in &mut rules {
        match &mut r.kind {
            RuleKind::ConcurrentStreams(p) => p.max_streams = 1,
            RuleKind::DeviceVelocity(p) => p.max_distinct = 2,
            RuleKind::GeoRestriction(p) => {
                p.mode = GeoMode::Allow;
                p.countries = vec!["FR".to_owned()];
            }
            _ => {}
        }
    }
    rules
}

#[test]
fn evaluation_is_deterministic_and_ignores_session_order() {
    let rules = all_rules_on();
    let mut g = Rng(7);
    let mut fired = 0;
    for _ in 0..3_000 {
        let c = random_context(&mut g);
        let first = evaluate(&rules, &c, t(0));
        assert_eq!(first, evaluate(&rules, &c, t(0)), "same input, same output");
        let mut shuffled = c.clone();
        shuffled.active.reverse();
        shuffled.recent.reverse();
        let by = g.below(3).min(shuffled.recent.len());
        shuffled.recent.rotate_left(by);
        assert_eq!(first, evaluate(&rules, &shuffled, t(0)), "order of sessions must not matter: {c:#?}");
        fired += usize::from(!first.is_empty());
    }
    assert!(fired > 300, "the generator must exercise the rules ({fired} of 3000 fired)");
}

#[test]
fn no_violation_without_evidence_naming_the_judged_session() {
    let rules = all_rules_on();
    let mut g = Rng(11);
    for _ in 0..3_000 {
        let c = random_context(&mut g);
        for v in evaluate(&rules, &c, t(0)) {
            assert!(!v.summary.trim().is_empty(), "{v:#?}");
            assert!(!v.condition_key.is_empty(), "{v:#?}");
            assert!(!v.evidence.sessions.is_empty(), "a violation lists the sessions involved: {v:#?}");
            assert!(
                v.evidence.sessions.iter().any(|s| s.session_key == "now"),
                "the judged session is part of the evidence: {v:#?}"
            );
            if let Measure::Amount { value, .. } = v.evidence.measured {
                assert!(value.is_finite(), "{v:#?}");
            }
        }
    }
}

#[test]
fn distances_are_symmetric_non_negative_and_shrink_with_accuracy() {
    let mut g = Rng(3);
    let coordinate = |g: &mut Rng, span: f64| (g.below(1_000_000) as f64 / 1_000_000.0 - 0.5) * span;
    for _ in 0..10_000 {
        let a = LatLon { lat: coordinate(&mut g, 180.0), lon: coordinate(&mut g, 360.0) };
        let b = LatLon { lat: coordinate(&mut g, 180.0), lon: coordinate(&mut g, 360.0) };
        let (ra, rb) = (g.below(500) as f64, g.below(500) as f64);
        let d = haversine_km(a, b);
        assert!((d - haversine_km(b, a)).abs() < 1e-9, "{a:?} {b:?}");
        assert!((0.0..=20_038.0).contains(&d), "{d}");
        assert!(haversine_km(a, a).abs() < 1e-9);
        let m = min_distance_km(a, ra, b, rb);
        assert!((m - min_distance_km(b, rb, a, ra)).abs() < 1e-9);
        assert!((0.0..=d).contains(&m), "{m} within 0..={d}");
    }
}
