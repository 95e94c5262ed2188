//! Validation: NaN, infinite, negative and absurd parameters, lists and names, with stable codes.

use super::*;

fn problems(kind: RuleKind) -> Vec<(&'static str, &'static str)> {
    rule(kind).problems().into_iter().map(|e| (e.field, e.code())).collect()
}

#[test]
fn travel_numbers_must_be_finite_positive_and_sensible() {
    let travel = |max_speed_kmh, min_distance_km| {
        problems(RuleKind::ImpossibleTravel(TravelParams { max_speed_kmh, min_distance_km, skip_same_device: true }))
    };
    let cases = [
        (f64::NAN, 100.0, vec![("max_speed_kmh", "not_finite")]),
        (f64::INFINITY, 100.0, vec![("max_speed_kmh", "not_finite")]),
        (-900.0, 100.0, vec![("max_speed_kmh", "negative")]),
        (0.0, 100.0, vec![("max_speed_kmh", "too_small")]),
        (1e9, 100.0, vec![("max_speed_kmh", "too_large")]),
        (900.0, -1.0, vec![("min_distance_km", "negative")]),
        (900.0, f64::NEG_INFINITY, vec![("min_distance_km", "not_finite")]),
        (900.0, 40_000.0, vec![("min_distance_km", "too_large")]),
        (f64::NAN, f64::NAN, vec![("max_speed_kmh", "not_finite"), ("min_distance_km", "not_finite")]),
        (900.0, 0.0, vec![]),
    ];
    for (speed, distance, want) in cases {
        assert_eq!(travel(speed, distance), want, "{speed} {distance}");
    }
}

#[test]
fn counts_and_windows_must_be_within_range() {
    let cases = [
        (
            RuleKind::SimultaneousLocations(SimultaneousParams { min_distance_km: f64::NAN }),
            ("min_distance_km", "not_finite"),
        ),
        (
            RuleKind::DeviceVelocity(VelocityParams { max_distinct: 0, ..VelocityParams::default() }),
            ("max_distinct", "too_small"),
        ),
        (
            RuleKind::DeviceVelocity(VelocityParams { window_hours: 10_000, ..VelocityParams::default() }),
            ("window_hours", "too_large"),
        ),
        (
            RuleKind::ConcurrentStreams(ConcurrentParams { max_streams: 0, ..ConcurrentParams::default() }),
            ("max_streams", "too_small"),
        ),
        (RuleKind::AccountInactivity(InactivityParams { max_inactive_days: 0 }), ("max_inactive_days", "too_small")),
        (RuleKind::PausedTooLong(PausedParams { max_paused_minutes: 100_000 }), ("max_paused_minutes", "too_large")),
        (
            RuleKind::ConcurrentTranscodes(ConcurrentTranscodesParams { max_transcodes: 101 }),
            ("max_transcodes", "too_large"),
        ),
    ];
    for (kind, want) in cases {
        assert_eq!(problems(kind.clone()), vec![want], "{kind:?}");
    }
}

#[test]
fn country_lists_need_codes_and_an_allow_list_needs_one() {
    let geo = |mode, list: &[&str]| {
        problems(RuleKind::GeoRestriction(GeoRestrictionParams {
            mode,
            countries: list.iter().map(|c| (*c).to_owned()).collect(),
        }))
    };
    assert_eq!(geo(GeoMode::Allow, &[]), vec![("countries", "required")]);
    assert_eq!(geo(GeoMode::Block, &[]), vec![]);
    assert_eq!(geo(GeoMode::Block, &["France"]), vec![("countries", "invalid_country")]);
    assert_eq!(geo(GeoMode::Block, &["F1"]), vec![("countries", "invalid_country")]);
    assert_eq!(geo(GeoMode::Block, &["fr", "FR"]), vec![("countries", "duplicate")]);
    assert_eq!(geo(GeoMode::Allow, &["fr", " de "]), vec![]);
    let many: Vec<String> = (0..301).map(|_| "FR".to_owned()).collect();
    let too_many = rule(RuleKind::GeoRestriction(GeoRestrictionParams { mode: GeoMode::Block, countries: many }));
    assert_eq!(too_many.validate().map_err(|e| e.code()), Err("too_many"));
}

#[test]
fn ids_and_names_are_checked() {
    let mut r = rule(RuleKind::NewDevice(NewDeviceParams {}));
    r.name = "  ".to_owned();
    r.id = RuleId(String::new());
    let got: Vec<(&str, &str)> = r.problems().into_iter().map(|e| (e.field, e.code())).collect();
    assert_eq!(got, [("id", "required"), ("name", "required")]);
    r.id = RuleId("has space".to_owned());
    r.name = "x".repeat(101);
    let got: Vec<(&str, &str)> = r.problems().into_iter().map(|e| (e.field, e.code())).collect();
    assert_eq!(got, [("id", "characters"), ("name", "too_large")]);
}

#[test]
fn errors_read_as_field_and_sentence() {
    let e = rule(RuleKind::ImpossibleTravel(TravelParams { max_speed_kmh: f64::NAN, ..TravelParams::default() }))
        .validate()
        .expect_err("NaN is invalid");
    assert_eq!(e.to_string(), "max_speed_kmh: must be a finite number");
    let e = RuleError { field: "max_streams", problem: Problem::TooLarge { max: 100 } };
    assert_eq!(e.to_string(), "max_streams: must be at most 100");
}

#[test]
fn every_default_rule_is_valid_and_ids_are_unique() {
    let rules = default_rules();
    for r in &rules {
        assert_eq!(r.validate(), Ok(()), "{}", r.id);
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.0.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len());
}

#[test]
fn per_account_settings_are_checked() {
    let mut s = UserSettings::default();
    assert_eq!(s.validate(), Ok(()));
    s.max_streams = Some(0);
    assert_eq!(s.validate().map_err(|e| (e.field, e.code())), Err(("max_streams", "too_small")));
}
