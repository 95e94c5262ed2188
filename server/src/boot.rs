//! Start-up steps shared by `serve` and the CLI commands: load the config, check the data
//! dir, open the store, and build the services. Each failure says what and where.

use anyhow::{Context as _, bail};
use chrono::Duration;
use sightline_backend::auth::setup::SetupGate;
use sightline_backend::auth::{AuthService, SessionPolicy};
use sightline_backend::config::{self, Config};
use sightline_backend::crypto::{self, SecretBox};
use sightline_backend::geo::Geo;
use sightline_backend::hub::Hub;
use sightline_backend::ingest::Ingest;
use sightline_backend::notify::webpush::{DisableExpired, WebPushSender};
use sightline_backend::notify::{Notifier, SendOptions, Senders};
use sightline_backend::secret::SecretString;
use sightline_backend::store::Store;
use sightline_backend::store::sqlite::SqliteStore;
use sightline_backend::{AppContext, clock};
use std::path::Path;
use std::sync::Arc;

/// Loads the configuration, printing warnings about unknown variables to stderr
/// (logging is not set up yet at this point).
pub fn load_config(env: Vec<(String, String)>) -> anyhow::Result<Config> {
    let (config, warnings) = config::load(env).context("invalid configuration")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
}

/// Creates the data dir if needed and proves it is writable.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("data directory {} cannot be created", dir.display()))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").with_context(|| format!("data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    if !dir.join("sightline.toml").exists() {
        // An annotated example helps people find every setting; failure to write it is harmless.
        let _ = std::fs::write(dir.join("sightline.toml"), config::EXAMPLE_TOML);
    }
    Ok(())
}

/// Opens the database, running migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    ensure_data_dir(&config.data_dir)?;
    let store = SqliteStore::open(&config.database_path()).await.context("cannot open the database")?;
    Ok(Arc::new(store))
}

fn session_policy(config: &Config) -> SessionPolicy {
    SessionPolicy {
        idle: Duration::minutes(i64::from(config.session_idle_minutes)),
        absolute: Duration::hours(i64::from(config.session_absolute_hours)),
    }
}

/// Auth services for a command-line tool: never opens or consumes the setup gate.
pub async fn offline_auth(config: &Config) -> anyhow::Result<AuthService> {
    let store = open_store(config).await?;
    Ok(AuthService::new(store, session_policy(config), SetupGate::detached()))
}

/// Everything the web server needs, plus the setup token to announce if setup is pending.
pub async fn build_context(config: Config) -> anyhow::Result<(AppContext, Option<String>)> {
    let store = open_store(&config).await?;
    let secrets = open_secrets(&config, store.as_ref()).await?;
    let has_owner = store.owner().await.context("cannot read the owner account")?.is_some();
    let (gate, token) = if has_owner {
        (SetupGate::closed(&config.data_dir), None)
    } else {
        let (gate, token) = SetupGate::open(&config.data_dir, config.setup_token.as_ref())
            .with_context(|| format!("cannot write the setup token into {}", config.data_dir.display()))?;
        (gate, Some(token))
    };
    if config.base_url.is_none() {
        tracing::info!("SIGHTLINE_BASE_URL is not set: cookies are not marked Secure; set it when serving over https");
    }
    let auth = Arc::new(AuthService::new(Arc::clone(&store), session_policy(&config), gate));
    let geo = Geo::open(&config.data_dir);
    let secrets = Arc::new(secrets);
    // Browser push; its VAPID key pair is created as DATA_DIR/keys/vapid.key on first start.
    let expired = DisableExpired::new(Arc::clone(&store), Arc::clone(&secrets), Arc::clone(&auth));
    let web_push =
        WebPushSender::from_config(&config).context("cannot set up browser push")?.on_expired(Arc::new(expired));
    let senders = Senders::new(SendOptions {
        base_url: config.base_url.as_ref().map(ToString::to_string),
        ..SendOptions::default()
    })
    .context("cannot set up the notification senders")?
    .with_web_push(Arc::new(web_push));
    let ctx = AppContext {
        config: Arc::new(config),
        store,
        auth,
        hub: Hub::default(),
        ingest: Ingest::new(),
        geo,
        secrets,
        notify: Notifier::new(Arc::new(senders)),
        enforce: sightline_backend::enforce::Enforcer::new(),
        started_at: clock::now(),
    };
    Ok((ctx, token))
}

/// Loads the encryption key and proves it matches the one this database was encrypted with.
/// A wrong key stops the start before anything is read or written with it.
pub async fn open_secrets(config: &Config, store: &dyn Store) -> anyhow::Result<SecretBox> {
    let configured = config.secret_key.as_ref().map(SecretString::expose);
    let key = crypto::load_or_create_key(&config.data_dir, configured).context("cannot load the secret key")?;
    let secrets = SecretBox::new(&key);
    crypto::verify_key(&secrets, store, clock::now()).await?;
    Ok(secrets)
}

/// Fails early with a clear message when the built site is missing.
pub fn check_site_root(config: &Config) -> anyhow::Result<()> {
    let wasm = config.site_root.join("pkg").join("sightline.wasm");
    if !wasm.exists() {
        bail!(
            "the web assets are missing ({} not found); build them with `cargo leptos build --release` \
             or set SIGHTLINE_SITE_ROOT",
            wasm.display()
        );
    }
    Ok(())
}
