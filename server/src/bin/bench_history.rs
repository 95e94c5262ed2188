//! The history benchmark: generates realistic plays (default 1,000,000: 300 accounts on 3
//! servers, 1,500 devices, home and travel addresses with places, 20,000 movies, episodes and
//! tracks, two years, resume chains, transcodes) into a fresh Sightline database through the real
//! schema, then prints p50/p95 of a list of named timed queries (history pages, dashboard
//! counters) and the database size. The same plays go into Tautulli's schema in a second file,
//! where Tautulli's History query is timed and compared.
//!
//! Usage: `cargo run --release -p server --bin bench-history -- [PLAYS] [--analyze] [--db DIR]
//! [--only PREFIX] [--tz ZONE]` (`--analyze` runs `ANALYZE` after loading, as `PRAGMA optimize`
//! eventually does; `--db DIR` keeps the database in DIR and reuses it on the next run, generating
//! the same plays again only for Tautulli; `--only PREFIX` times only the queries whose name starts
//! with it and skips Tautulli).
//! The statistics page is timed for today, a week, a month, a year and all time, in `--tz`
//! (default Europe/Stockholm, so local days do not line up with UTC days).
//! No timing asserts: it prints figures. To add a query, add one `measure(…)` line to `queries`.

use anyhow::Context as _;
use chrono::Duration as TimeDelta;
use sightline_backend::config::Config;
use sightline_backend::crypto::SecretBox;
use sightline_backend::history::{self, HistoryParams};
use sightline_backend::secret::SecretString;
use sightline_backend::stats::StatsQuery;
use sightline_backend::store::sqlite::SqliteStore;
use sightline_backend::store::sqlite::bench::{SyntheticPlay, TautulliDb};
use sightline_backend::store::{AccountInfo, NewServer, PlayStore, ServerStore};
use sightline_backend::time_zone::{self, Tz};
use sightline_backend::{AppContext, clock, ingest};
use sightline_domain::media::ServerKind;
use sightline_domain::stats::Period;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

const SERVERS: i64 = 3;
const ACCOUNTS_PER_SERVER: i64 = 100;
const DEVICES_PER_ACCOUNT: i64 = 5;
const MOVIES: i64 = 4_000;
const SHOWS: i64 = 400;
const EPISODES_PER_SHOW: i64 = 30;
const ALBUMS: i64 = 400;
const TRACKS_PER_ALBUM: i64 = 10;
const DAYS: i64 = 730;
const BATCH: usize = 20_000;
/// Runs per Sightline query; Tautulli's take seconds each, so fewer.
const RUNS: usize = 30;
const TAUTULLI_RUNS: usize = 3;
const TAUTULLI_SCHEMA: &str = "../shared/fixtures/tautulli/tautulli_schema.sql";

/// (city, region, country code, country name, lat, lon, ASN, ASN org)
type Place = (&'static str, &'static str, &'static str, &'static str, f64, f64, i64, &'static str);
const PLACES: [Place; 16] = [
    ("London", "England", "GB", "United Kingdom", 51.51, -0.09, 5089, "Virgin Media"),
    ("Manchester", "England", "GB", "United Kingdom", 53.48, -2.24, 2856, "BT"),
    ("Linköping", "Östergötland", "SE", "Sweden", 58.41, 15.62, 29518, "Bredband2"),
    ("Stockholm", "Stockholm", "SE", "Sweden", 59.33, 18.07, 3301, "Telia"),
    ("San Diego", "California", "US", "United States", 32.72, -117.16, 7922, "Comcast"),
    ("New York", "New York", "US", "United States", 40.71, -74.01, 701, "Verizon"),
    ("Chicago", "Illinois", "US", "United States", 41.88, -87.63, 7018, "AT&T"),
    ("Toronto", "Ontario", "CA", "Canada", 43.65, -79.38, 812, "Rogers"),
    ("Berlin", "Berlin", "DE", "Germany", 52.52, 13.40, 3320, "Deutsche Telekom"),
    ("Munich", "Bavaria", "DE", "Germany", 48.14, 11.58, 3209, "Vodafone"),
    ("Paris", "Île-de-France", "FR", "France", 48.86, 2.35, 3215, "Orange"),
    ("Madrid", "Madrid", "ES", "Spain", 40.42, -3.70, 3352, "Telefónica"),
    ("Amsterdam", "North Holland", "NL", "Netherlands", 52.37, 4.90, 1136, "KPN"),
    ("Sydney", "New South Wales", "AU", "Australia", -33.87, 151.21, 1221, "Telstra"),
    ("Tokyo", "Tokyo", "JP", "Japan", 35.68, 139.69, 2516, "KDDI"),
    ("São Paulo", "São Paulo", "BR", "Brazil", -23.55, -46.63, 28573, "Claro"),
];
const WORDS: [&str; 48] = [
    "Silent", "River", "Night", "Empire", "Golden", "Shadow", "Bear", "Winter", "Storm", "Glass", "Iron", "Paper",
    "Harbor", "Crown", "Signal", "Desert", "Echo", "Garden", "Frontier", "Velvet", "Atlas", "Orbit", "Copper",
    "Lantern", "Hollow", "Summit", "Falcon", "Meadow", "Cipher", "Ember", "Horizon", "Quartz", "Raven", "Saga", "Tide",
    "Union", "Vertex", "Willow", "Zenith", "Anchor", "Beacon", "Canyon", "Delta", "Fable", "Grove", "Island", "Jade",
    "Kingdom",
];
/// (product, platform, device, player)
const CLIENTS: [(&str, &str, &str, &str); 8] = [
    ("Plex Web", "Chrome", "Windows", "Chrome"),
    ("Plex for Roku", "Roku", "Roku Ultra", "Living Room"),
    ("Plex for iOS", "iOS", "iPhone", "iPhone"),
    ("Plex for Android (TV)", "Android", "SHIELD Android TV", "SHIELD"),
    ("Plex for LG", "webOS", "LG OLED", "Bedroom TV"),
    ("Jellyfin Web", "Firefox", "Linux", "Firefox"),
    ("Infuse", "tvOS", "Apple TV", "Apple TV"),
    ("Plexamp", "Android", "Pixel", "Pixel"),
];

/// splitmix64: deterministic figures from run to run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: i64) -> i64 {
        i64::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
    fn chance(&mut self, percent: i64) -> bool {
        self.below(100) < percent
    }
}

/// What the last play of an account was, for resume chains.
#[derive(Clone, Copy, Default)]
struct Last {
    id: i64,
    head: i64,
    head_started: i64,
    item: i64,
    ended: i64,
    watched: bool,
}

struct Item {
    media_type: &'static str,
    title: String,
    show: Option<String>,
    parent: Option<String>,
    season: Option<i64>,
    episode: Option<i64>,
    duration_ms: i64,
}

fn item(n: i64) -> Item {
    let w = |i: i64| WORDS[usize::try_from(i.rem_euclid(48)).unwrap_or(0)];
    if n < MOVIES {
        Item {
            media_type: "movie",
            title: format!("{} {} {}", w(n), w(n / 48 + 7), n / 2304 + 1),
            show: None,
            parent: None,
            season: None,
            episode: None,
            duration_ms: (80 + n % 80) * 60_000,
        }
    } else if n < MOVIES + SHOWS * EPISODES_PER_SHOW {
        let k = n - MOVIES;
        let show = k / EPISODES_PER_SHOW;
        let ep = k % EPISODES_PER_SHOW;
        Item {
            media_type: "episode",
            title: format!("{} of the {}", w(k * 7 + 3), w(k * 13 + 5)),
            show: Some(format!("The {} {}", w(show), w(show / 48 + 11))),
            parent: Some(format!("Season {}", ep / 10 + 1)),
            season: Some(ep / 10 + 1),
            episode: Some(ep % 10 + 1),
            duration_ms: (22 + show % 40) * 60_000,
        }
    } else {
        let k = n - MOVIES - SHOWS * EPISODES_PER_SHOW;
        let album = k / TRACKS_PER_ALBUM;
        Item {
            media_type: "track",
            title: format!("{} {}", w(k * 5 + 1), w(k * 11 + 2)),
            show: Some(format!("{} Band", w(album * 3))),
            parent: Some(format!("{} Sessions", w(album))),
            season: None,
            episode: Some(k % TRACKS_PER_ALBUM + 1),
            duration_ms: (150 + k % 150) * 1_000,
        }
    }
}

fn items_total() -> i64 {
    MOVIES + SHOWS * EPISODES_PER_SHOW + ALBUMS * TRACKS_PER_ALBUM
}

/// Generates play `id` (1-based, in start order) at `started` for `account` (0-based).
fn play(rng: &mut Rng, id: i64, started: i64, account: i64, last: &mut Last) -> SyntheticPlay {
    let server = account / ACCOUNTS_PER_SERVER + 1;
    let gap = started - last.ended;
    let resume = last.id > 0 && !last.watched && (60_000..6 * 3_600_000).contains(&gap) && rng.chance(60);
    // Tastes: most plays come from a few hundred favourites per account.
    let n = if resume {
        last.item
    } else if rng.chance(70) {
        (account * 997 + rng.below(300) * 61) % items_total()
    } else {
        rng.below(items_total())
    };
    let it = item(n);
    let device = rng.below(DEVICES_PER_ACCOUNT);
    let client = CLIENTS[usize::try_from((account + device) % 8).unwrap_or(0)];
    // Home most of the time, sometimes on the road.
    let home = usize::try_from(account % 16).unwrap_or(0);
    let travelling = rng.chance(8);
    let place = if travelling { PLACES[usize::try_from(rng.below(16)).unwrap_or(0)] } else { PLACES[home] };
    let ip = if travelling {
        format!("{}.{}.{}.{}", 20 + rng.below(180), rng.below(256), rng.below(256), 1 + rng.below(254))
    } else {
        format!("{}.{}.{}.{}", 20 + account % 180, account % 251, (account * 7) % 256, 1 + account % 254)
    };
    let played = (it.duration_ms * (10 + rng.below(95)) / 100).min(if resume { it.duration_ms } else { i64::MAX });
    let position = if resume { (played + it.duration_ms / 3).min(it.duration_ms) } else { played };
    let watched = position * 100 >= it.duration_ms * 90;
    let transcode = it.media_type != "track" && rng.chance(30);
    let (resolution, width, height, bitrate) = match rng.below(4) {
        0 => ("4k", 3840, 2160, 40_000),
        1 | 2 => ("1080", 1920, 1080, 10_000),
        _ => ("720", 1280, 720, 4_000),
    };
    let (head, head_started) = if resume { (last.head, last.head_started) } else { (id, started) };
    let ended = started + played + rng.below(120_000);
    let resumes_key = resume.then_some(last.id);
    *last = Last { id, head, head_started, item: n, ended, watched };
    SyntheticPlay {
        id,
        server_id: server,
        account_id: account + 1,
        user_number: account + 1,
        user_name: format!("user{account:03}"),
        resumes_key,
        chain_head: head,
        chain_started_at: head_started,
        item_number: n,
        media_type: it.media_type,
        title: it.title,
        grandparent_title: it.show,
        parent_title: it.parent,
        season_number: it.season,
        episode_number: it.episode,
        year: (it.media_type == "movie").then_some(1960 + n % 65),
        duration_ms: it.duration_ms,
        started_at: started,
        ended_at: ended,
        played_ms: played,
        paused_ms: rng.below(300_000),
        position_ms: position,
        watched,
        player_name: client.3.to_owned(),
        device: client.2.to_owned(),
        device_id: format!("dev-{account}-{device}"),
        product: client.0,
        platform: client.1,
        client_ip: ip,
        resolution,
        width,
        height,
        bitrate_kbps: if transcode { bitrate / 3 } else { bitrate },
        video_codec: if it.media_type == "track" { "" } else { "h264" },
        audio_codec: if it.media_type == "track" { "flac" } else { "aac" },
        video_decision: if transcode { "transcode" } else { "direct_play" },
        audio_decision: "direct_play",
        decision: if transcode { "transcode" } else { "direct_play" },
        city: Some(place.0.to_owned()),
        region: Some(place.1.to_owned()),
        country_code: Some(place.2.to_owned()),
        country_name: Some(place.3.to_owned()),
        latitude: Some(place.4),
        longitude: Some(place.5),
        asn: Some(place.6),
        asn_org: Some(place.7.to_owned()),
    }
}

/// One named query's timings.
struct Timed {
    name: String,
    samples: Vec<Duration>,
    rows: usize,
}

impl Timed {
    fn percentile(&self, p: usize) -> Duration {
        let mut s = self.samples.clone();
        s.sort();
        let i = (s.len() * p).div_ceil(100).saturating_sub(1);
        s.get(i).copied().unwrap_or_default()
    }
}

/// Times only the queries whose name starts with this (`--only`).
static ONLY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// One statistics page (every chart's figures) for `period` in `zone`, all servers; returns its
/// play count.
async fn stats_plays(ctx: &AppContext, period: Period, zone: Tz) -> anyhow::Result<usize> {
    let query = StatsQuery { time_zone: zone, ..StatsQuery::new(period) };
    let view = sightline_backend::stats::page(&*ctx.store, &query, clock::now()).await?;
    Ok(usize::try_from(view.plays).unwrap_or(usize::MAX))
}

/// Runs `f` once to warm up, then `runs` times, timing each.
async fn measure<F, Fut>(name: &str, runs: usize, mut f: F) -> anyhow::Result<Timed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    if ONLY.get().is_some_and(|prefix| !name.starts_with(prefix.as_str())) {
        return Ok(Timed { name: name.to_owned(), samples: Vec::new(), rows: 0 });
    }
    let rows = f().await?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        samples.push(t.elapsed());
    }
    let timed = Timed { name: name.to_owned(), samples, rows };
    println!(
        "{:<44} p50 {:>9.2} ms  p95 {:>9.2} ms  ({} rows, {} runs)",
        timed.name,
        timed.percentile(50).as_secs_f64() * 1e3,
        timed.percentile(95).as_secs_f64() * 1e3,
        timed.rows,
        runs
    );
    Ok(timed)
}

async fn history_rows(ctx: &AppContext, params: HistoryParams) -> anyhow::Result<usize> {
    let query = params.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let result = history::page(ctx, &query).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(result.page.items.len())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Writes the servers, accounts and plays into a fresh Sightline database; returns the plays
/// (kept for Tautulli).
async fn load(path: &Path, total: i64, analyze: bool) -> anyhow::Result<Vec<SyntheticPlay>> {
    // A database kept by `--db` already holds its servers and plays.
    let reuse = path.exists();
    let store = SqliteStore::open(path).await?;
    let now = clock::now();
    let secrets = SecretBox::new(&[7; 32]);
    for s in 0..if reuse { 0 } else { SERVERS } {
        let server = NewServer {
            kind: if s == 2 { ServerKind::Jellyfin } else { ServerKind::Plex },
            name: format!("Server {}", s + 1),
            url: format!("http://127.0.0.1:{}/", 32400 + s),
            color: "#38bdf8".to_owned(),
            enabled: false,
        };
        let created = store.create_server(&server, &SecretString::new("bench-token-0123"), &secrets, now).await?;
        let accounts: Vec<AccountInfo> = (0..ACCOUNTS_PER_SERVER)
            .map(|a| {
                let n = s * ACCOUNTS_PER_SERVER + a;
                AccountInfo {
                    external_id: format!("{}", n + 1),
                    name: format!("user{n:03}"),
                    thumb: None,
                    is_admin: n == 0,
                    is_disabled: false,
                }
            })
            .collect();
        store.sync_accounts(created.id, &accounts, now).await?;
    }
    let mut rng = Rng(42);
    let span = DAYS * 86_400_000;
    let end = now.timestamp_millis();
    let mut starts: Vec<i64> = (0..total).map(|_| end - span + rng.below(span)).collect();
    starts.sort_unstable();
    let accounts = SERVERS * ACCOUNTS_PER_SERVER;
    let mut last = vec![Last::default(); usize::try_from(accounts).unwrap_or(0)];
    let mut plays = Vec::with_capacity(starts.len());
    let t = Instant::now();
    for (i, started) in starts.into_iter().enumerate() {
        // Some accounts stream far more than others.
        let account = (rng.below(accounts) * rng.below(accounts)) / accounts;
        let slot = &mut last[usize::try_from(account).unwrap_or(0)];
        let id = i64::try_from(i).unwrap_or(0) + 1;
        plays.push(play(&mut rng, id, started, account, slot));
    }
    if reuse {
        println!("reusing the plays in {}", path.display());
        sightline_backend::store::Store::close(&store).await;
        return Ok(plays);
    }
    for batch in plays.chunks(BATCH) {
        store.bulk_insert_plays(batch).await?;
    }
    println!("loaded {} plays into Sightline in {:.1} s", plays.len(), t.elapsed().as_secs_f64());
    if analyze {
        store.analyze().await?;
    }
    sightline_backend::store::Store::close(&store).await;
    Ok(plays)
}

async fn tautulli(path: &Path, plays: &[SyntheticPlay]) -> anyhow::Result<TautulliDb> {
    let schema = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(TAUTULLI_SCHEMA))
        .context("reading Tautulli's schema")?;
    let db = TautulliDb::create(path, &schema).await?;
    let users: Vec<(i64, String)> =
        (0..SERVERS * ACCOUNTS_PER_SERVER).map(|n| (n + 1, format!("user{n:03}"))).collect();
    db.insert_users(&users).await?;
    let t = Instant::now();
    for batch in plays.chunks(BATCH) {
        db.insert_plays(batch).await?;
    }
    println!("loaded {} plays into Tautulli's schema in {:.1} s", plays.len(), t.elapsed().as_secs_f64());
    Ok(db)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let analyze = args.iter().any(|a| a == "--analyze");
    let total: i64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if let Some(prefix) = value("--only") {
        ONLY.set(prefix).ok();
    }
    let zone = time_zone::parse(&value("--tz").unwrap_or_else(|| "Europe/Stockholm".to_owned()))
        .map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let data_dir = value("--db").map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from);
    let config = Config { data_dir: data_dir.clone(), log: "warn".into(), ..Config::default() };
    server::boot::ensure_data_dir(&config.data_dir)?;
    let db_path = config.database_path();
    let plays = load(&db_path, total, analyze).await?;
    let (ctx, _) = server::boot::build_context(config).await?;

    // A mid-sized account, a country of a few percent, a word of a show's title.
    let user = format!("{}:{}", 1, 42);
    let word = "Bear";
    let p = |f: fn(&mut HistoryParams)| {
        let mut params = HistoryParams::default();
        f(&mut params);
        params
    };
    println!("\nSightline ({total} plays{})", if analyze { ", analyzed" } else { "" });
    let ctx = &ctx;
    // The user with the most plays, for the user page.
    let by_plays = sightline_backend::people::query::ListQuery {
        sort: sightline_backend::people::PeopleSort::Plays,
        ..sightline_backend::people::query::ListQuery::default()
    };
    let busiest =
        sightline_backend::people::list(ctx, &by_plays, clock::now()).await?.items.first().map_or(0, |p| p.id);
    let queries: Vec<Timed> = vec![
        measure("history: first page", RUNS, || history_rows(ctx, HistoryParams::default())).await?,
        measure("history: by user", RUNS, || {
            history_rows(ctx, HistoryParams { users: Some(user.clone()), ..HistoryParams::default() })
        })
        .await?,
        measure("history: by country (SE)", RUNS, || history_rows(ctx, p(|q| q.country = Some("SE".into())))).await?,
        measure("history: by country (BR)", RUNS, || history_rows(ctx, p(|q| q.country = Some("BR".into())))).await?,
        measure("history: title text", RUNS, || {
            history_rows(ctx, HistoryParams { q: Some(word.to_owned()), ..HistoryParams::default() })
        })
        .await?,
        measure("history: transcodes on Roku", RUNS, || {
            history_rows(
                ctx,
                p(|q| {
                    q.decision = Some("transcode".into());
                    q.platform = Some("Roku".into());
                }),
            )
        })
        .await?,
        measure("history: last month, movies, by title", RUNS, || {
            let from = (clock::now() - TimeDelta::days(30)).timestamp_millis().to_string();
            history_rows(
                ctx,
                HistoryParams {
                    from: Some(from),
                    media_type: Some("movie".into()),
                    sort: Some("title".into()),
                    ..HistoryParams::default()
                },
            )
        })
        .await?,
        measure("dashboard counters (ingest::today)", RUNS, || async {
            let c = ingest::today::today(ctx, clock::now()).await?;
            Ok(usize::try_from(c.plays).unwrap_or(0))
        })
        .await?,
        measure(&format!("statistics: today ({zone})"), RUNS, || stats_plays(ctx, Period::Day, zone)).await?,
        measure("statistics: week", RUNS, || stats_plays(ctx, Period::Week, zone)).await?,
        measure("statistics: month", RUNS, || stats_plays(ctx, Period::Month, zone)).await?,
        measure("statistics: year", RUNS, || stats_plays(ctx, Period::Year, zone)).await?,
        measure("statistics: all time", RUNS, || stats_plays(ctx, Period::All, zone)).await?,
        measure("users: list, last seen first", RUNS, || async {
            let q = sightline_backend::people::query::ListQuery::default();
            Ok(sightline_backend::people::list(ctx, &q, clock::now()).await?.items.len())
        })
        .await?,
        measure("users: the busiest user's page", RUNS, || async {
            let page = sightline_backend::people::page(ctx, busiest, clock::now()).await?;
            Ok(page.map_or(0, |p| p.devices.len() + p.addresses.len() + p.recent.len() + p.incidents.len()))
        })
        .await?,
    ];
    let size: u64 = ["", "-wal", "-shm"].iter().map(|s| file_size(&data_dir.join(format!("sightline.db{s}")))).sum();
    println!("database size: {:.1} MiB", size as f64 / 1_048_576.0);
    ctx.store.close().await;
    if ONLY.get().is_some() {
        return Ok(());
    }

    let tdb = tautulli(&dir.path().join("tautulli.db"), &plays).await?;
    println!("\nTautulli's History query shape on its schema");
    let tdb = &tdb;
    let compared = [
        (
            &queries[0],
            measure("tautulli: first page", TAUTULLI_RUNS, || async { Ok(tdb.history_page(None, None, 25).await?) })
                .await?,
        ),
        (
            &queries[1],
            measure("tautulli: by user", TAUTULLI_RUNS, || async { Ok(tdb.history_page(Some(42), None, 25).await?) })
                .await?,
        ),
        (
            &queries[4],
            measure("tautulli: title text", TAUTULLI_RUNS, || async {
                Ok(tdb.history_page(None, Some(word), 25).await?)
            })
            .await?,
        ),
    ];
    println!("tautulli database size: {:.1} MiB", file_size(&dir.path().join("tautulli.db")) as f64 / 1_048_576.0);
    for (ours, theirs) in compared {
        let ratio = theirs.percentile(50).as_secs_f64() / ours.percentile(50).as_secs_f64().max(1e-9);
        println!("{:<44} Tautulli / Sightline (p50) = {ratio:.0}×", ours.name);
    }
    tdb.close().await;
    Ok(())
}
