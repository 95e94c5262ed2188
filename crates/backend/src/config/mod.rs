//! `Config`: loaded once at start from defaults, then `DATA_DIR/sightline.toml`, then
//! `SIGHTLINE_*` environment variables (env wins). `SIGHTLINE_<KEY>_FILE` reads a value
//! from a file (Docker secrets). Nothing else in Sightline reads the environment.

mod file;
mod sources;
#[cfg(test)]
mod tests;

use crate::secret::SecretString;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use thiserror::Error;
use url::Url;

pub use sources::load;

/// The example configuration written to a new data dir, every line commented out.
pub const EXAMPLE_TOML: &str = include_str!("sightline.example.toml");

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting Sightline reads at start. Built by [`load`], immutable afterwards.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database, setup token and key files live. `SIGHTLINE_DATA_DIR`, default `./data`.
    pub data_dir: PathBuf,
    /// Address the HTTP server binds. `SIGHTLINE_LISTEN`, default `0.0.0.0:3000`.
    pub listen: SocketAddr,
    /// The public URL people use, e.g. `https://sightline.example.com`. Decides cookie `Secure`
    /// and the origin that mutations must come from. When unset, the request's `Host` is used.
    pub base_url: Option<Url>,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Empty by default.
    pub trusted_proxies: Vec<IpNet>,
    /// A tracing filter such as `info` or `sightline=debug,info`.
    pub log: String,
    pub log_format: LogFormat,
    /// Where the built site (`pkg/`, icons, service worker) is served from.
    pub site_root: PathBuf,
    /// Minutes of inactivity after which a browser session ends.
    pub session_idle_minutes: u32,
    /// Hours after sign-in after which a browser session ends regardless of activity.
    pub session_absolute_hours: u32,
    /// A fixed first-run setup token for automated installs; random when unset.
    pub setup_token: Option<SecretString>,
    /// The key that encrypts stored secrets (64 hex digits or base64 of 32 bytes). When unset,
    /// `DATA_DIR/keys/secret.key` is used, created on first start.
    pub secret_key: Option<SecretString>,
    /// How often a server is polled while it has streams (when no push channel is open).
    pub poll_active_secs: u32,
    /// How often a server is polled while idle (when no push channel is open).
    pub poll_idle_secs: u32,
    /// With a push channel open, how often the full session list is fetched to reconcile.
    pub reconcile_secs: u32,
    /// Streams of an unreachable server close after this long, at their last sighting.
    pub down_timeout_minutes: u32,
    /// A play counts as watched from this percentage of its duration.
    pub watched_percent: u32,
    /// A new play of an unfinished item within this many hours continues the earlier play.
    pub resume_window_hours: u32,
    /// Plays shorter than this are flagged as short.
    pub short_play_secs: u32,
    /// Where plex.tv is (shared-user lists). Only tests change it.
    pub plex_tv_url: String,
    /// MaxMind account id and license key: with both, GeoLite2 databases are downloaded and
    /// refreshed weekly into `DATA_DIR/geoip/`.
    pub maxmind_account_id: Option<String>,
    pub maxmind_license_key: Option<SecretString>,
    /// Which MaxMind editions to download.
    pub maxmind_editions: Vec<String>,
    /// Where MaxMind serves downloads. Only tests change it.
    pub maxmind_url: String,
    /// The owner's time zone (IANA name) until one is chosen in Settings → General. Default UTC.
    pub time_zone: chrono_tz::Tz,
}

/// The ingestion settings that are whole numbers: (name, minimum, maximum).
pub const INGEST_NUMBERS: &[(&str, u32, u32)] = &[
    ("poll_active_secs", 1, 3_600),
    ("poll_idle_secs", 1, 3_600),
    ("reconcile_secs", 5, 3_600),
    ("down_timeout_minutes", 1, 7 * 24 * 60),
    ("watched_percent", 1, 100),
    ("resume_window_hours", 0, 7 * 24),
    ("short_play_secs", 0, 3_600),
];

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            listen: SocketAddr::from(([0, 0, 0, 0], 3000)),
            base_url: None,
            trusted_proxies: Vec::new(),
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            site_root: PathBuf::from("target/site"),
            session_idle_minutes: 24 * 60,
            session_absolute_hours: 30 * 24,
            setup_token: None,
            secret_key: None,
            poll_active_secs: 10,
            poll_idle_secs: 30,
            reconcile_secs: 30,
            down_timeout_minutes: 30,
            watched_percent: 85,
            resume_window_hours: 6,
            short_play_secs: 120,
            plex_tv_url: "https://plex.tv/".to_owned(),
            maxmind_account_id: None,
            maxmind_license_key: None,
            maxmind_editions: vec!["GeoLite2-City".to_owned(), "GeoLite2-ASN".to_owned()],
            maxmind_url: "https://download.maxmind.com/".to_owned(),
            time_zone: chrono_tz::Tz::UTC,
        }
    }
}

impl Config {
    /// Whether the public URL is https, which makes cookies `Secure` and `__Host-` prefixed.
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.base_url.as_ref().is_some_and(|u| u.scheme() == "https")
    }

    /// The origin (`scheme://host[:port]`) mutations must come from, when the base URL is set.
    #[must_use]
    pub fn expected_origin(&self) -> Option<String> {
        self.base_url.as_ref().map(|u| u.origin().ascii_serialization())
    }

    /// The ingestion number named in [`INGEST_NUMBERS`].
    pub(crate) fn ingest_number(&mut self, name: &str) -> Option<&mut u32> {
        Some(match name {
            "poll_active_secs" => &mut self.poll_active_secs,
            "poll_idle_secs" => &mut self.poll_idle_secs,
            "reconcile_secs" => &mut self.reconcile_secs,
            "down_timeout_minutes" => &mut self.down_timeout_minutes,
            "watched_percent" => &mut self.watched_percent,
            "resume_window_hours" => &mut self.resume_window_hours,
            "short_play_secs" => &mut self.short_play_secs,
            _ => return None,
        })
    }

    /// The session tracker's settings.
    #[must_use]
    pub fn tracker(&self) -> sightline_domain::tracker::TrackerConfig {
        sightline_domain::tracker::TrackerConfig {
            down_timeout: chrono::TimeDelta::minutes(i64::from(self.down_timeout_minutes)),
            watched_fraction: f64::from(self.watched_percent) / 100.0,
            short_play_secs: u64::from(self.short_play_secs),
            resume_window: chrono::TimeDelta::hours(i64::from(self.resume_window_hours)),
        }
    }

    /// The path of the SQLite database file.
    #[must_use]
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("sightline.db")
    }

    /// Every setting as `(name, value)` for the start-up log; secrets are shown as `***`.
    #[must_use]
    pub fn redacted_summary(&self) -> BTreeMap<&'static str, String> {
        let mut m = BTreeMap::new();
        m.insert("data_dir", self.data_dir.display().to_string());
        m.insert("listen", self.listen.to_string());
        m.insert("base_url", self.base_url.as_ref().map_or_else(|| "(unset)".to_owned(), ToString::to_string));
        m.insert("trusted_proxies", self.trusted_proxies.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
        m.insert("log", self.log.clone());
        m.insert("log_format", format!("{:?}", self.log_format).to_lowercase());
        m.insert("site_root", self.site_root.display().to_string());
        m.insert("session_idle_minutes", self.session_idle_minutes.to_string());
        m.insert("session_absolute_hours", self.session_absolute_hours.to_string());
        m.insert("setup_token", if self.setup_token.is_some() { "***" } else { "(unset)" }.to_owned());
        let mut numbers = self.clone();
        for (name, _, _) in INGEST_NUMBERS {
            if let Some(v) = numbers.ingest_number(name) {
                m.insert(*name, v.to_string());
            }
        }
        m.insert("maxmind_account_id", self.maxmind_account_id.clone().unwrap_or_else(|| "(unset)".to_owned()));
        m.insert("maxmind_license_key", if self.maxmind_license_key.is_some() { "***" } else { "(unset)" }.to_owned());
        m.insert("maxmind_editions", self.maxmind_editions.join(","));
        m.insert("time_zone", self.time_zone.name().to_owned());
        m.insert("secret_key", if self.secret_key.is_some() { "***" } else { "(key file)" }.to_owned());
        m
    }
}

/// Why the configuration could not be loaded. Each names the setting and where it came from.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{key} ({source_name}): {reason}")]
    Invalid { key: String, source_name: String, reason: String },
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not valid TOML: {reason}")]
    Toml { path: String, reason: String },
}
