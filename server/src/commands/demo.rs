//! `sightline demo [--scenario FILE]`: starts simulated Plex, Jellyfin and Emby servers on
//! loopback, starts Sightline on its own data dir connected to them, signs in nobody but prints
//! an owner login, and runs until Ctrl-C. Incidents are sent to a local notification inbox. The same servers a user would add in Settings. With no GeoIP
//! database in its data dir it installs MaxMind's synthetic test databases, so places and detection show.

use crate::cli::Demo;
use crate::{boot, logging, serve};
use anyhow::Context as _;
use sightline_backend::auth::token::random_token;
use sightline_backend::auth::{AuthError, ClientMeta};
use sightline_backend::notify::admin::{self as notify_admin, DestinationInput};
use sightline_backend::secret::SecretString;
use sightline_backend::servers::{self, ServerInput, ServerPatch};
use sightline_backend::{AppContext, clock};
use sightline_simulator::geoip::DEMO_DATABASES;
use sightline_simulator::inbox::Inbox;
use sightline_simulator::{SimHandle, SimOptions, Simulator};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

const DEMO_USER: &str = "demo";
const COLORS: &[&str] = &["#e5a00d", "#aa5cc3", "#52b54b", "#38bdf8", "#f87171"];

pub async fn run(mut env: Vec<(String, String)>, args: &Demo) -> anyhow::Result<()> {
    let scenario = super::simulate::load_scenario(args.scenario.as_deref())?;
    if !env.iter().any(|(k, _)| k == "SIGHTLINE_DATA_DIR") {
        env.push(("SIGHTLINE_DATA_DIR".to_owned(), "./data-demo".to_owned()));
    }
    let sim = Simulator::start(scenario, SimOptions::default()).await.context("cannot start the simulated servers")?;
    env.push(("SIGHTLINE_PLEX_TV_URL".to_owned(), format!("{}/", sim.plextv_url())));
    let config = boot::load_config(env)?;
    logging::init(&config);
    boot::check_site_root(&config)?;
    let test_geoip = install_test_geoip(&config.data_dir)?;
    let inbox = Inbox::start(0).await.context("cannot start the demo's notification inbox")?;
    let running = serve::start(config).await?;
    let password = owner_login(&running.ctx, running.setup_token.as_deref()).await?;
    connect_servers(&running.ctx, &sim).await?;
    connect_inbox(&running.ctx, &inbox).await?;
    let stop = serve::shutdown_signal();
    let port = running.addr.port();
    let banner = "=".repeat(72);
    println!(
        "{banner}\n  Sightline demo: open http://localhost:{port}\n  Sign in as \"{DEMO_USER}\" with password {password}\n  \
         Simulated servers:"
    );
    for s in sim.servers() {
        println!("    {:<10} {:<20} {}  token {}", s.kind().as_str(), s.name(), s.base_url(), s.token());
    }
    println!(
        "  Notifications: incidents go to a local inbox at {} (a webhook and a Discord-format\n  \
         destination, in Settings -> Notifications).",
        inbox.base_url()
    );
    if test_geoip {
        println!("  Places come from MaxMind's synthetic test databases (installed in the demo data dir).");
    }
    println!("  Data: {}\n  Stop with Ctrl-C.\n{banner}", running.ctx.config.data_dir.display());
    stop.await;
    running.stop().await?;
    sim.shutdown().await;
    inbox.shutdown();
    Ok(())
}

/// The demo's two notification destinations, both pointing at the local inbox: a signed JSON
/// webhook and a Discord-format webhook, for incidents. Existing ones (same name) are pointed at
/// the inbox's new port.
async fn connect_inbox(ctx: &AppContext, inbox: &Inbox) -> anyhow::Result<()> {
    let wanted = [
        ("webhook", "Demo inbox (webhook)", vec![("url", inbox.webhook_url()), ("secret", random_token(24))]),
        ("discord", "Demo inbox (Discord format)", vec![("webhook_url", inbox.discord_url())]),
    ];
    let existing = notify_admin::list(ctx).await.context("cannot list notification destinations")?;
    for (kind, name, config) in wanted {
        let input = DestinationInput {
            kind: kind.to_owned(),
            name: name.to_owned(),
            enabled: true,
            events: vec!["incident_opened".to_owned(), "action_taken".to_owned(), "test".to_owned()],
            min_severity: Some("low".to_owned()),
            // The inbox is on loopback: a private target the owner allows explicitly.
            allow_private: true,
            rate_per_minute: Some(60),
            title_template: None,
            body_template: None,
            config: config.into_iter().map(|(k, v)| (k.to_owned(), SecretString::new(v))).collect(),
            clear: Vec::new(),
        };
        let now = clock::now();
        let known = existing.readable.iter().find(|r| r.destination.name == name);
        let done = match known {
            Some(r) => notify_admin::update(ctx, r.destination.id, &input, "demo", now).await.map(|_| ()),
            None => notify_admin::create(ctx, &input, "demo", now).await.map(|_| ()),
        };
        done.map_err(|e| anyhow::anyhow!("cannot set up the demo destination {name}: {e}"))?;
    }
    Ok(())
}

/// Puts MaxMind's test databases in the demo's `geoip/` folder when it holds no database, so the
/// scenario's addresses have places and the detection rules can judge them. Returns whether it did.
fn install_test_geoip(data_dir: &Path) -> anyhow::Result<bool> {
    let dir = data_dir.join("geoip");
    let has_database = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().any(|e| e.path().extension().is_some_and(|x| x == "mmdb")))
        .unwrap_or(false);
    if has_database {
        return Ok(false);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in DEMO_DATABASES {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(true)
}

/// Creates the demo owner on a fresh data dir, or gives the existing owner a new password.
async fn owner_login(ctx: &AppContext, setup_token: Option<&str>) -> anyhow::Result<String> {
    let password = random_token(12);
    let now = clock::now();
    match setup_token {
        Some(token) => {
            let meta =
                ClientMeta { ip: IpAddr::V4(Ipv4Addr::LOCALHOST), user_agent: Some("sightline demo".to_owned()) };
            match ctx.auth.complete_setup(token, DEMO_USER, &password, &meta, now).await {
                Ok(_) | Err(AuthError::SetupClosed) => {}
                Err(e) => return Err(e).context("cannot create the demo owner"),
            }
        }
        None => {
            ctx.auth.reset_owner_password(&password, now).await.context("cannot set the demo owner's password")?;
        }
    }
    Ok(password)
}

/// Adds each simulated server, or points an existing one of the same name at its new port.
async fn connect_servers(ctx: &AppContext, sim: &SimHandle) -> anyhow::Result<()> {
    let existing = ctx.store.list_servers().await.context("cannot list servers")?;
    for (i, s) in sim.servers().iter().enumerate() {
        let now = clock::now();
        let token = SecretString::new(s.token());
        if let Some(known) = existing.iter().find(|e| e.name.eq_ignore_ascii_case(s.name())) {
            let patch = ServerPatch {
                name: None,
                url: Some(s.base_url().to_owned()),
                token: Some(token),
                color: None,
                enabled: Some(true),
            };
            servers::update(ctx, known.id, patch, "demo", now).await.context("cannot update a demo server")?;
        } else {
            let input = ServerInput {
                kind: s.kind().as_str().to_owned(),
                name: s.name().to_owned(),
                url: s.base_url().to_owned(),
                token,
                color: Some(COLORS[i % COLORS.len()].to_owned()),
                enabled: Some(true),
            };
            servers::create(ctx, input, "demo", now).await.context("cannot add a demo server")?;
        }
    }
    Ok(())
}
