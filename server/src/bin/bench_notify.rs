//! The notification-latency benchmark: Sightline (in this process, on a temporary data dir with
//! MaxMind's test databases) follows a simulated Plex server; one account after another streams
//! from London and Linköping at once, which opens one "Simultaneous locations" incident each. Two
//! destinations, a signed JSON webhook and a Discord-format webhook, point at a loopback inbox.
//! Prints p50/p95/max from each incident's `opened_at` (as stored) to its arrival at the inbox, per
//! destination kind, and how many arrived.
//!
//! Usage: `cargo run --release -p server --bin bench-notify -- [ACCOUNTS]` (default 40; one new
//! sharer every 400 ms). No timing asserts: it prints figures.

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use sightline_backend::notify::admin::{self, DestinationInput};
use sightline_backend::secret::SecretString;
use sightline_backend::servers::{self, ServerInput};
use sightline_backend::{AppContext, clock};
use sightline_domain::ServerId;
use sightline_simulator::geoip::DEMO_DATABASES;
use sightline_simulator::inbox::{Delivery, Inbox, InboxKind};
use sightline_simulator::{DeviceRef, Scenario, ServerKind, SimOptions, Simulator, StreamSpec};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

fn scenario(accounts: usize) -> String {
    let mut toml = String::from("[[server]]\nname = \"Plex\"\nkind = \"plex\"\n");
    for u in 0..accounts {
        let _ = write!(toml, "[[user]]\nname = \"sharer{u:03}\"\n");
    }
    toml.push_str("[[media]]\nid = \"film\"\nkind = \"movie\"\ntitle = \"Shared Film\"\nduration = \"3h\"\n");
    toml
}

fn destination(kind: &str, name: &str, config: &[(&str, String)]) -> DestinationInput {
    DestinationInput {
        kind: kind.to_owned(),
        name: name.to_owned(),
        enabled: true,
        events: vec!["incident_opened".to_owned()],
        min_severity: Some("low".to_owned()),
        allow_private: true,
        rate_per_minute: Some(600),
        title_template: None,
        body_template: None,
        config: config.iter().map(|(k, v)| ((*k).to_owned(), SecretString::new(v.clone()))).collect(),
        clear: Vec::new(),
    }
}

/// The account a delivery is about: the webhook's `vars.user`, or the Discord embed's "User" field.
fn account_of(d: &Delivery) -> Option<String> {
    let v = d.json()?;
    match d.kind {
        InboxKind::Webhook => v["vars"]["user"].as_str().map(str::to_owned),
        InboxKind::Discord => v["embeds"][0]["fields"]
            .as_array()?
            .iter()
            .find(|f| f["name"].as_str() == Some("User"))
            .and_then(|f| f["value"].as_str())
            .map(|s| s.replace('\\', "")),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn opened_at_by_account(ctx: &AppContext, server: ServerId) -> anyhow::Result<HashMap<String, DateTime<Utc>>> {
    let accounts = ctx.store.accounts(server).await.context("accounts")?;
    let names: HashMap<String, String> = accounts.into_iter().map(|a| (a.external_id, a.name)).collect();
    let incidents = ctx.store.incidents(10_000).await.context("incidents")?;
    let mut out = HashMap::new();
    for i in incidents {
        if let Some(name) = names.get(&i.violation.user_id) {
            out.entry(name.clone()).or_insert(i.opened_at);
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let accounts: usize = std::env::args().nth(1).map(|a| a.parse()).transpose().context("ACCOUNTS")?.unwrap_or(40);
    let data = tempfile::tempdir().context("temp dir")?;
    let geoip = data.path().join("geoip");
    std::fs::create_dir_all(&geoip)?;
    for (name, bytes) in DEMO_DATABASES {
        std::fs::write(geoip.join(name), bytes)?;
    }
    let inbox = Inbox::start(0).await.context("inbox")?;
    let sim = Simulator::start(Scenario::from_toml_str(&scenario(accounts))?, SimOptions::manual()).await?;
    let env = vec![
        ("SIGHTLINE_DATA_DIR".to_owned(), data.path().display().to_string()),
        ("SIGHTLINE_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("SIGHTLINE_POLL_ACTIVE_SECS".to_owned(), "1".to_owned()),
        ("SIGHTLINE_POLL_IDLE_SECS".to_owned(), "1".to_owned()),
        ("SIGHTLINE_LOG".to_owned(), "warn".to_owned()),
        ("SIGHTLINE_PLEX_TV_URL".to_owned(), format!("{}/", sim.plextv_url())),
    ];
    let config = server::boot::load_config(env)?;
    let running = server::serve::start(config).await?;
    let ctx = running.ctx.clone();
    let now = clock::now();
    admin::create(
        &ctx,
        &destination(
            "webhook",
            "Inbox webhook",
            &[("url", inbox.webhook_url()), ("secret", "bench-secret-123456".to_owned())],
        ),
        "bench",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("webhook destination: {e}"))?;
    admin::create(
        &ctx,
        &destination("discord", "Inbox Discord", &[("webhook_url", inbox.discord_url())]),
        "bench",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("discord destination: {e}"))?;
    let plex = sim.first(ServerKind::Plex).context("plex")?;
    let input = ServerInput {
        kind: "plex".to_owned(),
        name: "Plex".to_owned(),
        url: plex.base_url().to_owned(),
        token: SecretString::new(plex.token()),
        color: None,
        enabled: Some(true),
    };
    let server =
        servers::create(&ctx, input, "bench", clock::now()).await.map_err(|e| anyhow::anyhow!("server: {e}"))?.id;

    println!("bench-notify: {accounts} accounts, each in London and Linköping at once, one every 400 ms");
    for u in 0..accounts {
        let user = format!("sharer{u:03}");
        let mut london = StreamSpec::new(&user, "film");
        london.ip = "81.2.69.142".parse()?;
        london.device = DeviceRef::Preset("apple_tv".into());
        plex.start_stream(&london)?;
        let mut linkoping = StreamSpec::new(&user, "film");
        linkoping.ip = "89.160.20.112".parse()?;
        linkoping.device = DeviceRef::Preset("iphone".into());
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        plex.start_stream(&linkoping)?;
        if u + 1 < accounts {
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
    let log = inbox.wait_for(accounts * 2, Duration::from_secs(60)).await;
    let opened = opened_at_by_account(&ctx, server).await?;
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for d in &log {
        let Some(account) = account_of(d) else { continue };
        let Some(at) = opened.get(&account) else { continue };
        let ms = (d.received_at - *at).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0;
        let kind = match d.kind {
            InboxKind::Webhook => "webhook",
            InboxKind::Discord => "discord",
        };
        by_kind.entry(kind).or_default().push(ms);
    }
    println!("incidents opened: {}; deliveries received: {}", opened.len(), log.len());
    for (kind, mut ms) in by_kind {
        ms.sort_by(f64::total_cmp);
        println!(
            "{kind:<8} n={:<4} p50 {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms",
            ms.len(),
            percentile(&ms, 50.0),
            percentile(&ms, 95.0),
            ms.last().copied().unwrap_or(f64::NAN)
        );
    }
    running.stop().await?;
    sim.shutdown().await;
    if log.len() < accounts * 2 {
        bail!("only {} of {} deliveries arrived", log.len(), accounts * 2);
    }
    Ok(())
}
