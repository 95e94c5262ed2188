//! The ingestion benchmark: 1,000 concurrent simulated streams across 20 servers (Plex, Jellyfin
//! and Emby) with 1 s updates, followed by a real `sightline serve` process. Prints that
//! process's CPU use (% of one core), its peak RSS, and every transition (start, pause, resume,
//! stop) the script performed versus what reached the live channel: missed must be 0.
//!
//! Usage: `cargo run --release -p server --bin bench-ingest -- [SECONDS]` (default 120), after
//! `cargo build --release -p server --bin sightline`. No timing asserts: it prints figures.

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use serde_json::{Value, json};
use sightline_simulator::{Scenario, SimOptions, Simulator};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const SERVERS: usize = 20;
const STREAMS_PER_SERVER: usize = 50;
/// Ingestion must settle before CPU is measured (connects, first snapshots, account syncs).
const WARMUP: Duration = Duration::from_secs(20);

/// Per stream: start offset, pause (at, for) and stop, in seconds from the script's start.
struct Plan {
    start: u64,
    pause: Option<(u64, u64)>,
    stop: Option<u64>,
}

fn plan(i: usize, run_secs: u64) -> Plan {
    let n = i as u64;
    let start = n % 15;
    // A third pause once, a quarter stop before the end of the run, the rest play through.
    let pause = n.is_multiple_of(3).then_some((30 + n % 40, 10 + n % 20));
    let mut stop = n.is_multiple_of(4).then_some(start + 45 + n % (run_secs.saturating_sub(75).max(1)));
    // Jellyfin and Emby report sessions every 1.5 s: a resume and a stop closer than that are
    // one observation for any client of theirs, so the script keeps them 5 s apart.
    if let (Some(s), Some((at, len))) = (stop.as_mut(), pause)
        && (start + at + len..start + at + len + 5).contains(s)
    {
        *s = start + at + len + 5;
    }
    Plan { start, pause, stop }
}

fn scenario(run_secs: u64) -> String {
    let mut toml = String::from("loop = false\nspeed = 1.0\n");
    let kinds = ["plex", "jellyfin", "emby"];
    for s in 0..SERVERS {
        let _ = write!(toml, "[[server]]\nname = \"srv{s:02}\"\nkind = \"{}\"\n", kinds[s % 3]);
    }
    for u in 0..STREAMS_PER_SERVER {
        let _ = write!(toml, "[[user]]\nname = \"user{u:02}\"\n");
    }
    for m in 0..40 {
        let (kind, extra) = if m % 2 == 0 {
            ("movie", String::new())
        } else {
            ("episode", format!("show = \"Show {m}\"\nseason = 1\nepisode = {m}\n"))
        };
        let _ = write!(
            toml,
            "[[media]]\nid = \"m{m}\"\nkind = \"{kind}\"\ntitle = \"Title {m}\"\n{extra}duration = \"3h\"\nresolution = \"1080p\"\n"
        );
    }
    for s in 0..SERVERS {
        for k in 0..STREAMS_PER_SERVER {
            let i = s * STREAMS_PER_SERVER + k;
            let p = plan(i, run_secs);
            let decision = ["direct_play", "direct_stream", "transcode"][i % 3];
            let _ = write!(
                toml,
                "[[stream]]\nserver = \"srv{s:02}\"\nuser = \"user{k:02}\"\nmedia = \"m{}\"\ndevice = \"apple_tv\"\nip = \"81.2.69.{}\"\nstart = \"{}s\"\ndecision = \"{decision}\"\n",
                i % 40,
                i % 250,
                p.start
            );
            if let Some((at, len)) = p.pause {
                let _ = writeln!(toml, "pauses = [{{ at = \"{at}s\", for = \"{len}s\" }}]");
            }
            if let Some(stop) = p.stop {
                let _ = writeln!(toml, "stop = \"{stop}s\"");
            }
        }
    }
    toml
}

/// Transitions the script performs within `secs` (stops and resumes need a few seconds to be seen).
fn expected(run_secs: u64, secs: u64) -> HashMap<&'static str, u64> {
    let mut e = HashMap::new();
    for i in 0..SERVERS * STREAMS_PER_SERVER {
        let p = plan(i, run_secs);
        let end = p.stop.unwrap_or(u64::MAX);
        if p.start < secs {
            *e.entry("start").or_default() += 1;
        }
        if let Some((at, len)) = p.pause {
            if p.start + at < end.min(secs) {
                *e.entry("pause").or_default() += 1;
            }
            if p.start + at + len < end.min(secs) {
                *e.entry("resume").or_default() += 1;
            }
        }
        if end < secs {
            *e.entry("stop").or_default() += 1;
        }
    }
    e
}

fn proc_cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).context("unreadable stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    Ok(fields.get(11).context("utime")?.parse::<u64>()? + fields.get(12).context("stime")?.parse::<u64>()?)
}

fn proc_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("VmRSS value")?.parse()?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let run_secs: u64 = std::env::args().nth(1).map_or(Ok(120), |a| a.parse()).context("SECONDS must be a number")?;
    let bin = std::env::var("SIGHTLINE_BIN").unwrap_or_else(|_| "target/release/sightline".to_owned());
    if !std::path::Path::new(&bin).exists() {
        bail!("{bin} is missing: cargo build --release -p server --bin sightline");
    }
    let dir = tempfile::tempdir()?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg"))?;
    std::fs::write(site.join("pkg/sightline.wasm"), b"")?;
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let env = [
        ("SIGHTLINE_DATA_DIR", data.display().to_string()),
        ("SIGHTLINE_SITE_ROOT", site.display().to_string()),
        ("SIGHTLINE_LISTEN", format!("127.0.0.1:{port}")),
        ("SIGHTLINE_LOG", "warn".to_owned()),
    ];
    let out = std::process::Command::new(&bin)
        .args(["api-key", "create", "--name", "bench"])
        .envs(env.iter().cloned())
        .output()?;
    let key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("sl_"))
        .map(str::to_owned)
        .context("no api key printed")?;

    let scenario = Scenario::from_toml_str(&scenario(run_secs))?;
    let mut child = tokio::process::Command::new(&bin)
        .arg("serve")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("no pid")?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Listen to the live channel before any stream starts.
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://127.0.0.1:{port}/ws"
    ))?;
    request.headers_mut().insert("authorization", format!("Bearer {key}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let counter = tokio::spawn(async move {
        let mut states: HashMap<String, String> = HashMap::new();
        let mut seen: HashMap<&'static str, u64> = HashMap::new();
        while let Some(Ok(Message::Text(text))) = socket.next().await {
            let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
            match v["type"].as_str() {
                Some("playing") => {
                    let key = format!("{}-{}", v["now"]["server"]["id"], v["now"]["play"]);
                    let state = v["now"]["session"]["state"].as_str().unwrap_or_default().to_owned();
                    let kind = match (states.get(&key).map(String::as_str), state.as_str()) {
                        (None, _) => Some("start"),
                        (Some("paused"), "playing") => Some("resume"),
                        (Some("playing" | "buffering"), "paused") => Some("pause"),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        *seen.entry(kind).or_default() += 1;
                    }
                    states.insert(key, state);
                }
                Some("stopped") => *seen.entry("stop").or_default() += 1,
                _ => {}
            }
        }
        seen
    });

    let sim = Simulator::start(scenario, SimOptions::default()).await?;
    let started = Instant::now();
    for s in sim.servers() {
        let body = json!({ "kind": s.kind().as_str(), "name": s.name(), "url": s.base_url(), "token": s.token() });
        let res = http.post(format!("{base}/api/v1/servers")).bearer_auth(&key).json(&body).send().await?;
        if !res.status().is_success() {
            bail!("adding {} failed: {}", s.name(), res.text().await?);
        }
    }
    tokio::time::sleep(WARMUP).await;
    let (t0, c0) = (Instant::now(), proc_cpu_ticks(pid)?);
    let mut peak_rss = 0;
    while started.elapsed() < Duration::from_secs(run_secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak_rss = peak_rss.max(proc_rss_kib(pid)?);
    }
    let (t1, c1) = (Instant::now(), proc_cpu_ticks(pid)?);
    let elapsed = started.elapsed().as_secs();
    // Give the last transitions time to arrive, then stop the live socket by stopping the server.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let live =
        http.get(format!("{base}/api/v1/sessions/active")).bearer_auth(&key).send().await?.json::<Value>().await?;
    let _ = child.start_kill();
    let _ = child.wait().await;
    let seen = counter.await?;
    sim.shutdown().await;

    // utime/stime are in clock ticks of 1/100 s on Linux.
    let cpu = (c1 - c0) as f64 / 100.0 / (t1 - t0).as_secs_f64() * 100.0;
    let expect = expected(run_secs, elapsed);
    println!("ingestion benchmark: {SERVERS} servers, {} streams, {elapsed} s", SERVERS * STREAMS_PER_SERVER);
    println!("sightline CPU: {cpu:.1} % of one core (after a {} s warm-up)", WARMUP.as_secs());
    println!("sightline peak RSS: {:.1} MB", peak_rss as f64 / 1024.0);
    println!("streams active at the end: {}", live["sessions"].as_array().map_or(0, Vec::len));
    let mut missed_total = 0;
    for kind in ["start", "pause", "resume", "stop"] {
        let (e, s) = (expect.get(kind).copied().unwrap_or(0), seen.get(kind).copied().unwrap_or(0));
        missed_total += e.saturating_sub(s);
        println!(
            "{kind:>7}: scripted {e:>5}, seen live {s:>5}, missed {}, extra {}",
            e.saturating_sub(s),
            s.saturating_sub(e)
        );
    }
    println!("transitions missed: {missed_total}");
    Ok(())
}
