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
}

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
