//! Geo restriction: allow- and block-lists, case, and addresses that have no country.

use super::*;

fn geo(mode: GeoMode, countries: &[&str]) -> Rule {
    rule(RuleKind::GeoRestriction(GeoRestrictionParams {
        mode,
        countries: countries.iter().map(|c| (*c).to_owned()).collect(),
    }))
}

fn from(country: &str) -> RuleSession {
    session("now").with_ip("81.10.20.30").in_city(PARIS, country)
}

#[test]
fn block_and_allow_lists_flag_the_right_countries() {
    let cases = [
        (GeoMode::Block, vec!["RU", "CN"], "RU", true),
        (GeoMode::Block, vec!["RU", "CN"], "FR", false),
        (GeoMode::Allow, vec!["FR", "DE"], "FR", false),
        (GeoMode::Allow, vec!["FR", "DE"], "US", true),
        (GeoMode::Block, vec!["ru"], "RU", true),
        (GeoMode::Allow, vec![" fr "], "fr", false),
        (GeoMode::Block, vec![], "RU", false),
    ];
    for (mode, list, country, flagged) in cases {
        let v = run(&geo(mode, &list), &ctx(from(country), vec![], vec![]), t(0));
        assert_eq!(v.len(), usize::from(flagged), "{mode:?} {list:?} {country}");
    }
}

#[test]
fn summaries_name_the_country_and_the_list() {
    let v = run(&geo(GeoMode::Allow, &["FR", "DE"]), &ctx(from("US"), vec![], vec![]), t(0));
    assert_eq!(v[0].summary, "one account streamed from US, which is not on the allow-list (DE, FR)");
    assert_eq!(v[0].evidence.measured, Measure::label("US"));
    assert_eq!(v[0].condition_key, "r1|1|alice|country:US");
    let v = run(&geo(GeoMode::Block, &["RU"]), &ctx(from("RU"), vec![], vec![]), t(0));
    assert_eq!(v[0].summary, "one account streamed from RU, which is on the block-list");
}

#[test]
fn local_cgnat_relay_and_unknown_addresses_never_violate_in_either_mode() {
    let cases = [
        session("x").with_ip("192.168.1.5").in_city(PARIS, "RU"),
        session("x").with_ip("100.64.1.1").in_city(PARIS, "RU"),
        from("RU").relayed(),
        session("x").in_city(PARIS, "RU"),
    ];
    for s in cases {
        for mode in [GeoMode::Block, GeoMode::Allow] {
            let list = if mode == GeoMode::Block { ["RU"] } else { ["FR"] };
            assert!(run(&geo(mode, &list), &ctx(s.clone(), vec![], vec![]), t(0)).is_empty(), "{mode:?} {s:?}");
        }
    }
}

#[test]
fn a_public_address_without_a_country_is_not_judged() {
    let s = session("x").with_ip("81.10.20.30");
    assert!(run(&geo(GeoMode::Allow, &["FR"]), &ctx(s, vec![], vec![]), t(0)).is_empty());
}

#[test]
fn the_location_country_is_used_when_the_session_has_none() {
    let mut s = from("RU");
    s.country = None;
    assert_eq!(run(&geo(GeoMode::Block, &["RU"]), &ctx(s, vec![], vec![]), t(0)).len(), 1);
}
