//! Rule-engine throughput: the default rules judging one newly started session per account, with each
//! account's context (100 sessions in the last 24 h, 3 devices, 1 in 50 sessions active) already in
//! memory. Run with `cargo bench -p sightline-domain --bench rules`; prints evaluations per second,
//! µs per evaluation and the process's memory before and after building the data, first for `evaluate`
//! over each account's `EvalContext`, then for `evaluate_indexed` over its `AccountIndex` (built from the
//! same context, after checking that both give the same violations for every account).
//! `SIGHTLINE_BENCH_USERS=100` keeps the data in cache; `SIGHTLINE_BENCH_RULES=impossible_travel,new_device`
//! times only the default rules of those kinds.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::geo::LatLon;
use sightline_domain::media::{PlaybackState, StreamDecision, VideoResolution};
use sightline_domain::rules::{
    AccountIndex, AddressClass, EvalContext, Location, Rule, RuleSession, UserSettings, Violation, default_rules,
    evaluate, evaluate_indexed,
};
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

/// The number of accounts; `SIGHTLINE_BENCH_USERS` overrides it (few accounts keep the data in cache).
const USERS: usize = 10_000;
const SESSIONS_PER_USER: usize = 100;
const DEVICES_PER_USER: usize = 3;
const ACTIVE_ONE_IN: usize = 50;
const ROUNDS: usize = 10;

/// City, country, ASN, coordinates, and the first two octets of the addresses placed there.
type City = (&'static str, &'static str, u32, f64, f64, [u8; 2]);

const CITIES: [City; 8] = [
    ("London", "GB", 2856, 51.5142, -0.0931, [81, 2]),
    ("Manchester", "GB", 5089, 53.4808, -2.2426, [86, 1]),
    ("Paris", "FR", 3215, 48.8566, 2.3522, [90, 3]),
    ("Lyon", "FR", 12322, 45.7640, 4.8357, [82, 64]),
    ("Linköping", "SE", 29518, 58.4167, 15.6167, [89, 160]),
    ("Berlin", "DE", 3320, 52.5200, 13.4050, [91, 64]),
    ("New York", "US", 7922, 40.7128, -74.0060, [24, 44]),
    ("Sydney", "AU", 1221, -33.8688, 151.2093, [1, 128]),
];

const PRODUCTS: [(&str, &str); 3] = [("Plex for LG", "webOS"), ("Plex for iOS", "iOS"), ("Plex Web", "Chrome")];

/// splitmix64: a small, deterministic generator so every run judges the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().unwrap_or_default()
}

fn address(city: usize, host: u16) -> IpAddr {
    let [a, b] = CITIES[city].5;
    let [c, d] = host.to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(a, b, c, d.max(1)))
}

fn located(city: usize) -> (Option<String>, Option<Location>) {
    let (name, country, asn, lat, lon, _) = CITIES[city];
    let location = Location {
        point: LatLon::new(lat, lon),
        accuracy_km: 20.0,
        city: Some(name.to_owned()),
        region: None,
        country: Some(country.to_owned()),
        asn: Some(asn),
        asn_org: Some(format!("AS{asn} Telecom")),
    };
    (Some(country.to_owned()), Some(location))
}

struct Account {
    user: usize,
    home: usize,
    home_ip: IpAddr,
    mobile_hosts: [u16; 3],
}

impl Account {
    fn new(user: usize, rng: &mut Rng) -> Self {
        let home = rng.below(CITIES.len());
        let home_ip = address(home, rng.next() as u16);
        let mobile_hosts = [rng.next() as u16, rng.next() as u16, rng.next() as u16];
        Self { user, home, home_ip, mobile_hosts }
    }

    /// One session: device 0 and 1 stream from home, device 2 is a phone on a carrier whose address
    /// changes among three, and 1 session in 50 of the phone is in another city.
    fn session(&self, n: usize, started_at: DateTime<Utc>, rng: &mut Rng) -> RuleSession {
        let device = rng.below(DEVICES_PER_USER);
        let (city, ip) = if device < 2 {
            (self.home, self.home_ip)
        } else if rng.below(50) == 0 {
            let away = rng.below(CITIES.len());
            (away, address(away, rng.next() as u16))
        } else {
            (self.home, address(self.home, self.mobile_hosts[rng.below(3)]))
        };
        let (country, location) = located(city);
        let (product, platform) = PRODUCTS[device];
        RuleSession {
            server_id: ServerId(1 + (self.user % 3) as i64),
            user_id: format!("user-{}", self.user),
            session_key: format!("s{}-{n}", self.user),
            play_id: Some(format!("{:016x}", (self.user * 1_000 + n) as u64)),
            started_at,
            last_seen_at: started_at + TimeDelta::minutes(20 + rng.below(100) as i64),
            state: PlaybackState::Stopped,
            paused_since: None,
            ip: Some(ip),
            address_class: AddressClass::Public,
            device_id: Some(format!("dev-{}-{device}", self.user)),
            player: Some(format!("Player {device}")),
            product: Some(product.to_owned()),
            platform: Some(platform.to_owned()),
            decision: StreamDecision::DirectPlay,
            source_resolution: Some(VideoResolution::Hd1080),
            resolution: Some(VideoResolution::Hd1080),
            country,
            location,
        }
    }
}

fn context(user: usize, now: DateTime<Utc>, rng: &mut Rng) -> EvalContext {
    let account = Account::new(user, rng);
    let mut starts: Vec<i64> =
        (0..SESSIONS_PER_USER).map(|_| rng.below(24 * 60 * 60 - 60) as i64 + 60).map(|s| -s).collect();
    starts.sort_unstable();
    let mut recent = Vec::with_capacity(SESSIONS_PER_USER);
    let mut active = Vec::new();
    for (n, s) in starts.into_iter().enumerate() {
        let mut session = account.session(n, now + TimeDelta::seconds(s), rng);
        if rng.below(ACTIVE_ONE_IN) == 0 {
            session.state = PlaybackState::Playing;
            session.last_seen_at = now;
            active.push(session.clone());
        }
        recent.push(session);
    }
    let mut session = account.session(SESSIONS_PER_USER, now, rng);
    session.state = PlaybackState::Playing;
    active.push(session.clone());
    let known_devices = (0..DEVICES_PER_USER).map(|d| format!("dev-{user}-{d}")).collect();
    let known_countries = vec![CITIES[account.home].1.to_owned()];
    EvalContext { session, active, recent, known_devices, known_countries, settings: UserSettings::default() }
}

/// How many violations of each kind one round finds, e.g. "new_device 12, impossible_travel 3".
fn by_kind<'a>(violations: impl Iterator<Item = &'a Violation>) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for v in violations {
        *counts.entry(v.kind.as_str()).or_insert(0_usize) += 1;
    }
    counts.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

/// `VmHWM` (peak) and `VmRSS` (current) of this process, in MiB, from `/proc/self/status`.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(|| "?".to_owned(), |kb| format!("{:.0} MiB", kb as f64 / 1024.0))
    };
    format!("VmHWM {}, VmRSS {}", field("VmHWM:"), field("VmRSS:"))
}

/// Times `ROUNDS` rounds of `evaluate_one` over `n` accounts (`passes` times each) and prints each round
/// and the best and mean; returns the violations found in one pass.
fn time_rounds(label: &str, n: usize, passes: usize, mut evaluate_one: impl FnMut(usize) -> usize) -> usize {
    let per_round = passes * n;
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut flagged = 0;
    for round in 0..ROUNDS {
        let started = Instant::now();
        let mut violations = 0;
        for _ in 0..passes {
            for i in 0..n {
                violations += evaluate_one(i);
            }
        }
        let secs = started.elapsed().as_secs_f64();
        flagged = violations / passes;
        best = best.min(secs);
        total += secs;
        println!(
            "{label} round {}: {per_round} evaluations in {:.1} ms, {:.0} evaluations/s, {:.2} µs/evaluation",
            round + 1,
            secs * 1e3,
            per_round as f64 / secs,
            secs * 1e6 / per_round as f64
        );
    }
    let mean = total / ROUNDS as f64;
    println!(
        "{label}: best {:.0} evaluations/s ({:.2} µs), mean {:.0} evaluations/s ({:.2} µs), one thread",
        per_round as f64 / best,
        best * 1e6 / per_round as f64,
        per_round as f64 / mean,
        mean * 1e6 / per_round as f64
    );
    flagged
}

fn main() {
    let users: usize = std::env::var("SIGHTLINE_BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(USERS);
    // Each round judges at least USERS sessions, going over few accounts several times.
    let passes = USERS.div_ceil(users.max(1));
    let mut rules: Vec<Rule> = default_rules();
    if let Ok(only) = std::env::var("SIGHTLINE_BENCH_RULES") {
        rules.retain(|r| only.split(',').any(|k| k == r.kind.rule_type().as_str()));
    }
    let now = now();
    println!(
        "rule engine bench: {} enabled default rules, {users} accounts, {} bytes per RuleSession",
        rules.iter().filter(|r| r.enabled).count(),
        std::mem::size_of::<RuleSession>()
    );
    println!("memory before building the data: {}", memory());
    let built = Instant::now();
    let mut rng = Rng(0x5EED);
    let contexts: Vec<EvalContext> = (0..users).map(|u| context(u, now, &mut rng)).collect();
    let n_sessions: usize = contexts.iter().map(|c| c.recent.len()).sum();
    let n_active: usize = contexts.iter().map(|c| c.active.len()).sum();
    println!(
        "built {users} contexts ({n_sessions} recent sessions, {n_active} active incl. the judged ones) in {:.1} s",
        built.elapsed().as_secs_f64()
    );
    println!("memory after building the data:  {}", memory());

    // The scan over each EvalContext (`evaluate`, used by the live pipeline, replay and backtest).
    let flagged = time_rounds("evaluate", users, passes, |i| {
        black_box(evaluate(black_box(&rules), black_box(&contexts[i]), now)).len()
    });
    let expected: Vec<Vec<Violation>> = contexts.iter().map(|c| evaluate(&rules, c, now)).collect();
    println!("violations in one pass over the {users} accounts: {flagged}: {}", by_kind(expected.iter().flatten()));

    // The same accounts as AccountIndex (the contexts are moved in, not copied).
    let built = Instant::now();
    let indexed: Vec<(RuleSession, AccountIndex)> = contexts.into_iter().map(AccountIndex::from_context).collect();
    println!(
        "built {users} account indexes from the contexts in {:.2} s ({:.1} µs each)",
        built.elapsed().as_secs_f64(),
        built.elapsed().as_secs_f64() * 1e6 / users as f64
    );
    println!("memory after building the indexes: {}", memory());
    let differences = indexed
        .iter()
        .zip(&expected)
        .filter(|((s, index), expected)| evaluate_indexed(&rules, s, index, now) != **expected)
        .count();
    println!("evaluate_indexed differs from evaluate for {differences} of {users} accounts");
    drop(expected);
    let flagged = time_rounds("evaluate_indexed", users, passes, |i| {
        let (s, index) = &indexed[i];
        black_box(evaluate_indexed(black_box(&rules), black_box(s), black_box(index), now)).len()
    });
    let found: Vec<Violation> = indexed.iter().flat_map(|(s, index)| evaluate_indexed(&rules, s, index, now)).collect();
    println!("violations in one pass over the {users} accounts: {flagged}: {}", by_kind(found.iter()));
    println!("memory after evaluating: {}", memory());

    // Keeping an index current: a new play is added in place, a new sighting of a known one rebuilds.
    let mut indexed = indexed;
    let plays: Vec<RuleSession> = indexed
        .iter()
        .map(|(s, _)| RuleSession { session_key: format!("{}-next", s.session_key), ..s.clone() })
        .collect();
    let started = Instant::now();
    for ((_, index), play) in indexed.iter_mut().zip(plays) {
        index.push_active(play);
    }
    let new_play = started.elapsed().as_secs_f64() * 1e6 / users as f64;
    let sightings: Vec<RuleSession> = indexed.iter().map(|(s, _)| s.clone()).collect();
    let started = Instant::now();
    for ((_, index), sighting) in indexed.iter_mut().zip(sightings) {
        index.push_recent(sighting);
    }
    let known_play = started.elapsed().as_secs_f64() * 1e6 / users as f64;
    println!("index upkeep: a new play {new_play:.2} µs, another sighting of a known play {known_play:.2} µs");
    println!("memory at the end (the session lists grew by doubling): {}", memory());
}
