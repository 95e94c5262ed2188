//! `evaluate_indexed` against `evaluate`: a differential property test over random accounts, sessions and
//! rule sets (deterministic generator), plus the index's updates and a few fixed cases.

use super::*;
use ipnet::IpNet;
use std::collections::BTreeMap;

/// Addresses of every kind: public IPv4 in a few /24s (some sharing one), IPv6 in a few /64s, IPv4-mapped,
/// private, CGNAT, documentation, loopback.
const ADDRESSES: [&str; 22] = [
    "81.2.69.142",
    "81.2.69.143",
    "81.2.70.1",
    "89.160.20.112",
    "90.3.1.1",
    "90.3.1.2",
    "24.44.1.9",
    "1.128.0.1",
    "2001:480::1",
    "2001:480::2",
    "2001:480:0:1::1",
    "2a01:cb00::5",
    "::ffff:81.2.69.142",
    "::ffff:90.3.1.7",
    "192.168.1.10",
    "10.0.0.2",
    "100.64.1.1",
    "100.100.5.5",
    "203.0.113.9",
    "127.0.0.1",
    "fd00::1",
    "fe80::1",
];

const CITIES: [(&str, f64, f64); 8] = [PARIS, VERSAILLES, LYON, LONDON, SYDNEY, NYC, LA, TOKYO];
const COUNTRIES: [&str; 7] = ["FR", "fr", " FR ", "GB", "us", "JP", ""];
const DEVICES: [&str; 6] = ["tv", " tv ", "phone", "tablet", "Phone", ""];
const KEYS: [&str; 12] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
const NETWORKS: [&str; 6] =
    ["81.2.69.0/24", "90.3.0.0/16", "2001:480::/32", "::ffff:0:0/96", "192.168.0.0/16", "0.0.0.0/0"];

fn minutes(rng: &mut Rng) -> i64 {
    // Half-hour steps over 30 h, so equal times, Δt = 0 and the 24 h window's edge (-1440) happen often.
    match rng.below(10) {
        0 => -hours(24),
        1 => 0,
        _ => -(rng.below(61) as i64) * 30,
    }
}

fn random_session(rng: &mut Rng) -> RuleSession {
    let mut s = session(rng.pick(&KEYS));
    if rng.one_in(6) {
        s.server_id = ServerId(2);
    }
    if rng.one_in(8) {
        s.user_id = "bob".to_owned();
    }
    let start = minutes(rng);
    s.started_at = t(start);
    s.last_seen_at = t(start + if rng.one_in(3) { 0 } else { (rng.below(8) as i64) * 30 });
    s.state = rng.pick(&[
        PlaybackState::Playing,
        PlaybackState::Paused,
        PlaybackState::Buffering,
        PlaybackState::Stopped,
        PlaybackState::Stopped,
    ]);
    if s.state == PlaybackState::Paused && !rng.one_in(4) {
        s.paused_since = Some(t(start - rng.below(300) as i64));
    }
    if !rng.one_in(8) {
        let addr = ip(rng.pick(&ADDRESSES));
        s.ip = Some(addr);
        s.address_class = AddressClass::of(s.ip, rng.one_in(12));
        if rng.one_in(15) {
            // A class that disagrees with the address: the engine must still check the address.
            s.address_class = AddressClass::Public;
        }
    }
    if !rng.one_in(5) {
        let city = rng.pick(&CITIES);
        let country = rng.pick(&COUNTRIES);
        s = s.in_city(city, country).accuracy(rng.pick(&[0.0, 20.0, 150.0, f64::INFINITY]));
        if rng.one_in(2) {
            s = s.asn(rng.pick(&[3215, 2856, 7922]));
        }
        if rng.one_in(6) {
            s.country = None;
        }
        if rng.one_in(20)
            && let Some(l) = s.location.as_mut()
        {
            l.point = LatLon::new(123.0, 0.0);
        }
    } else if rng.one_in(2) {
        s.country = Some(rng.pick(&COUNTRIES).to_owned());
    }
    match rng.below(6) {
        0 => s = s.no_device(),
        1 => s.device_id = None,
        _ => s.device_id = Some(rng.pick(&DEVICES).to_owned()),
    }
    if s.device_id.is_none() && s.player.is_some() {
        s.player = Some(rng.pick(&["Living room", " Living room", "Kitchen"]).to_owned());
    }
    if rng.one_in(3) {
        s = s.transcoding(rng.pick(&[VideoResolution::Hd1080, VideoResolution::Uhd4k]));
    }
    s
}

fn random_rule(rng: &mut Rng, n: usize) -> Rule {
    let kind = match rng.below(11) {
        0 => RuleKind::ImpossibleTravel(TravelParams {
            max_speed_kmh: rng.pick(&[100.0, 900.0, 5000.0]),
            min_distance_km: rng.pick(&[0.0, 10.0, 100.0]),
            skip_same_device: rng.one_in(2),
        }),
        1 => RuleKind::SimultaneousLocations(SimultaneousParams { min_distance_km: rng.pick(&[0.0, 10.0, 100.0]) }),
        2 | 3 => RuleKind::DeviceVelocity(VelocityParams {
            max_distinct: rng.below(6) as u32,
            window_hours: rng.pick(&[1, 6, 24, 720]),
            count: rng.pick(&[VelocityCount::Ips, VelocityCount::Devices]),
        }),
        4 => RuleKind::ConcurrentStreams(ConcurrentParams {
            max_streams: rng.below(4) as u32,
            group_by_network: rng.one_in(2),
            count_paused: rng.one_in(2),
        }),
        5 => RuleKind::GeoRestriction(GeoRestrictionParams {
            mode: rng.pick(&[GeoMode::Allow, GeoMode::Block]),
            countries: vec!["fr".to_owned(), " GB".to_owned()],
        }),
        6 => RuleKind::AccountInactivity(InactivityParams { max_inactive_days: 1 }),
        7 => RuleKind::NewDevice(NewDeviceParams {}),
        8 => RuleKind::NewCountry(NewCountryParams {}),
        9 => RuleKind::PausedTooLong(PausedParams { max_paused_minutes: rng.pick(&[1, 60, 0]) }),
        _ => RuleKind::ConcurrentTranscodes(ConcurrentTranscodesParams { max_transcodes: rng.below(3) as u32 }),
    };
    let mut r = rule(kind);
    r.id = RuleId(format!("r{n}"));
    r.enabled = !rng.one_in(10);
    if rng.one_in(10) {
        r.scope = Scope::Server { server_id: ServerId(2) };
    }
    if rng.one_in(12) {
        r.exceptions.users.push(UserRef { server_id: ServerId(1), user_id: "alice".to_owned() });
    }
    if rng.one_in(5) {
        r.exceptions.networks.push(rng.pick(&NETWORKS).parse().expect("a valid network"));
    }
    r.exceptions.household_networks = rng.one_in(2);
    r
}

fn random_rules(rng: &mut Rng) -> Vec<Rule> {
    let mut rules = if rng.one_in(3) { default_rules() } else { Vec::new() };
    for n in 0..rng.below(8) {
        rules.push(random_rule(rng, n));
    }
    if !rules.is_empty() && rng.one_in(4) {
        let again = rules[rng.below(rules.len())].clone();
        rules.push(again);
    }
    rules
}

/// A random account: recent sessions with repeated keys (several sightings of one session), active ones
/// that are often newer sightings of recent ones, known devices and countries, and settings.
fn random_account(rng: &mut Rng) -> (Vec<RuleSession>, Vec<RuleSession>, Vec<String>, Vec<String>, UserSettings) {
    // Mostly small accounts, where every edge case meets every other; one in ten as large as the bench's.
    let n = if rng.one_in(10) { rng.below(120) } else { rng.below(30) };
    let recent: Vec<RuleSession> = (0..n).map(|_| random_session(rng)).collect();
    let mut active = Vec::new();
    for _ in 0..rng.below(5) {
        let mut s = if !recent.is_empty() && rng.one_in(2) {
            recent[rng.below(recent.len())].clone()
        } else {
            random_session(rng)
        };
        if !rng.one_in(4) {
            s.state = PlaybackState::Playing;
            s.last_seen_at = t(rng.pick(&[0, -30, -60]));
        }
        active.push(s);
    }
    let known_devices = (0..rng.below(4)).map(|_| rng.pick(&DEVICES).to_owned()).collect();
    let known_countries = (0..rng.below(3)).map(|_| rng.pick(&COUNTRIES).to_owned()).collect();
    let mut settings = UserSettings::default();
    if rng.one_in(3) {
        settings.household_networks.push(rng.pick(&NETWORKS[..5]).parse::<IpNet>().expect("a valid network"));
    }
    if rng.one_in(4) {
        settings.max_streams = Some(rng.below(3) as u32);
    }
    (active, recent, known_devices, known_countries, settings)
}

/// The judged session: new, or another sighting of a session the account has.
fn judged(rng: &mut Rng, index: &AccountIndex) -> RuleSession {
    let pool: Vec<&RuleSession> = index.recent().iter().chain(index.active()).collect();
    let mut s =
        if !pool.is_empty() && rng.one_in(3) { pool[rng.below(pool.len())].clone() } else { random_session(rng) };
    if rng.one_in(3) {
        // A new play: a key the account has not used yet (the index then adds it in place).
        s.session_key = format!("new-{}", rng.below(1_000_000));
    }
    if rng.one_in(2) {
        s.state = PlaybackState::Playing;
        s.started_at = t(rng.pick(&[0, 0, -30, -600]));
        s.last_seen_at = s.started_at.max(t(0));
    }
    s
}

fn same(a: &[Violation], b: &[Violation]) -> bool {
    // Debug text equates NaN with NaN, which `==` does not.
    a == b || format!("{a:?}") == format!("{b:?}")
}

#[test]
fn indexed_evaluation_equals_the_scan_on_random_accounts() {
    let mut rng = Rng(0x1D_E7EC7);
    let mut fired: BTreeMap<&str, usize> = BTreeMap::new();
    for case in 0..8_000 {
        let (active, recent, devices, countries, settings) = random_account(&mut rng);
        let mut index = AccountIndex::new(active, recent, devices, countries, settings);
        let rules = random_rules(&mut rng);
        for step in 0..4 {
            let s = judged(&mut rng, &index);
            let now = t(rng.pick(&[0, 0, 30, -hours(24) + 30, hours(1)]));
            let expected = evaluate(&rules, &index.context(s.clone()), now);
            let got = evaluate_indexed(&rules, &s, &index, now);
            assert!(same(&got, &expected), "case {case} step {step}:\n{got:#?}\n!=\n{expected:#?}");
            for v in &expected {
                *fired.entry(v.kind.as_str()).or_default() += 1;
            }
            // The index follows the account: a new sighting, a stream that ended, old sessions pruned.
            match rng.below(4) {
                0 => index.push_active(s),
                1 => index.push_recent(s),
                2 => {
                    let gone = index.active().first().map(|a| (a.server_id, a.session_key.clone()));
                    if let Some((server, key)) = gone {
                        assert!(index.remove_active(server, &key));
                    }
                }
                _ => index.prune_recent(t(minutes(&mut rng))),
            }
        }
    }
    for kind in [
        "impossible_travel",
        "simultaneous_locations",
        "device_velocity",
        "concurrent_streams",
        "geo_restriction",
        "new_device",
        "new_country",
        "paused_too_long",
        "concurrent_transcodes",
    ] {
        assert!(fired.get(kind).copied().unwrap_or(0) >= 20, "too few {kind} violations to compare: {fired:?}");
    }
}

#[test]
fn the_judged_session_s_own_sightings_are_left_out() {
    // The account already has a sighting of the judged session, on another device and address: as in the
    // view, it neither counts for velocity nor serves as the previous place for travel.
    let old = session("old").device("phone").with_ip("81.2.69.142").in_city(LONDON, "GB").span(-120, -20).stopped();
    let twin = session("now").device("box").with_ip("2001:480::1").in_city(LA, "US").span(-50, -1).stopped();
    let now = session("now").device("tv").with_ip("90.3.1.1").in_city(PARIS, "FR");
    let index = AccountIndex::new(vec![], vec![old, twin], vec![], vec![], UserSettings::default());
    let mut velocity =
        rule(RuleKind::DeviceVelocity(VelocityParams { max_distinct: 1, window_hours: 24, count: VelocityCount::Ips }));
    velocity.id = RuleId("v".to_owned());
    let rules = [travel(), velocity];
    let got = evaluate_indexed(&rules, &now, &index, t(0));
    assert_eq!(got, evaluate(&rules, &index.context(now.clone()), t(0)));
    assert_eq!(got.iter().map(|v| v.kind.as_str()).collect::<Vec<_>>(), ["impossible_travel", "device_velocity"]);
    assert_eq!(keys(&got[0]), ["now", "old"]);
    assert_eq!(amount(&got[1].evidence.measured), 2.0);
}

#[test]
fn an_index_built_from_a_context_gives_that_context_back() {
    let c = ctx(session("now").with_ip("9.9.9.9"), vec![session("a").with_ip("1.1.1.1")], vec![session("b")]);
    let (s, index) = AccountIndex::from_context(c.clone());
    assert_eq!(index.context(s), c);
}
