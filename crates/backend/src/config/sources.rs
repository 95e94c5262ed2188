//! Layering of configuration sources: defaults, then the TOML file, then the environment.

use super::file::FileConfig;
use super::{Config, ConfigError, INGEST_NUMBERS, LogFormat};
use crate::secret::SecretString;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use url::Url;

const PREFIX: &str = "SIGHTLINE_";

/// Environment keys Sightline understands (without the prefix).
const KNOWN_KEYS: &[&str] = &[
    "DATA_DIR",
    "LISTEN",
    "BASE_URL",
    "TRUSTED_PROXIES",
    "LOG",
    "LOG_FORMAT",
    "SITE_ROOT",
    "SESSION_IDLE_MINUTES",
    "SESSION_ABSOLUTE_HOURS",
    "SETUP_TOKEN",
    "SECRET_KEY",
    "POLL_ACTIVE_SECS",
    "POLL_IDLE_SECS",
    "RECONCILE_SECS",
    "DOWN_TIMEOUT_MINUTES",
    "WATCHED_PERCENT",
    "RESUME_WINDOW_HOURS",
    "SHORT_PLAY_SECS",
    "PLEX_TV_URL",
    "MAXMIND_ACCOUNT_ID",
    "MAXMIND_LICENSE_KEY",
    "MAXMIND_EDITIONS",
    "MAXMIND_URL",
    "TIME_ZONE",
];

/// Loads the configuration from `env` (pass `std::env::vars()` in production).
/// Returns the config and human-readable warnings (unknown variables, for instance).
pub fn load(env: impl IntoIterator<Item = (String, String)>) -> Result<(Config, Vec<String>), ConfigError> {
    let env: HashMap<String, String> = env.into_iter().filter(|(k, _)| k.starts_with(PREFIX)).collect();
    let mut warnings = unknown_keys(&env);
    let mut cfg = Config::default();

    if let Some(dir) = env_value(&env, "DATA_DIR")? {
        cfg.data_dir = PathBuf::from(dir.0);
    }
    let file_path = cfg.data_dir.join("sightline.toml");
    if let Some(file) = read_file(&file_path)? {
        apply_file(&mut cfg, file, &file_path.display().to_string())?;
    }
    apply_env(&mut cfg, &env, &mut warnings)?;
    Ok((cfg, warnings))
}

/// A value and a description of where it came from, for error messages.
struct Sourced(String, String);

/// Reads `SIGHTLINE_<KEY>` or, failing that, the file named by `SIGHTLINE_<KEY>_FILE`.
fn env_value(env: &HashMap<String, String>, key: &str) -> Result<Option<Sourced>, ConfigError> {
    let name = format!("{PREFIX}{key}");
    if let Some(v) = env.get(&name) {
        return Ok(Some(Sourced(v.clone(), name)));
    }
    let file_name = format!("{name}_FILE");
    if let Some(path) = env.get(&file_name) {
        let value = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: format!("{path} (from {file_name})"), reason: e.to_string() })?;
        return Ok(Some(Sourced(value.trim_end_matches(['\n', '\r']).to_owned(), file_name)));
    }
    Ok(None)
}

fn unknown_keys(env: &HashMap<String, String>) -> Vec<String> {
    let mut unknown: Vec<String> = env
        .keys()
        .filter_map(|k| {
            let rest = k.strip_prefix(PREFIX)?;
            let base = rest.strip_suffix("_FILE").unwrap_or(rest);
            (!KNOWN_KEYS.contains(&base)).then(|| format!("unknown environment variable {k} is ignored"))
        })
        .collect();
    unknown.sort();
    unknown
}

fn read_file(path: &Path) -> Result<Option<FileConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ConfigError::Read { path: path.display().to_string(), reason: e.to_string() }),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| ConfigError::Toml { path: path.display().to_string(), reason: e.message().to_owned() })
}

fn apply_file(cfg: &mut Config, f: FileConfig, src: &str) -> Result<(), ConfigError> {
    for &(name, min, max) in INGEST_NUMBERS {
        if let (Some(v), Some(slot)) = (f.ingest_number(name), cfg.ingest_number(name)) {
            *slot = check_range(v, name, src, min, max)?;
        }
    }
    if let Some(v) = f.listen {
        cfg.listen = parse_listen(&v, "listen", src)?;
    }
    if let Some(v) = f.base_url {
        cfg.base_url = parse_base_url(&v, "base_url", src)?;
    }
    if let Some(v) = f.trusted_proxies {
        cfg.trusted_proxies = v.iter().map(|s| parse_cidr(s, "trusted_proxies", src)).collect::<Result<_, _>>()?;
    }
    if let Some(v) = f.log {
        cfg.log = v;
    }
    if let Some(v) = f.log_format {
        cfg.log_format = parse_log_format(&v, "log_format", src)?;
    }
    if let Some(v) = f.site_root {
        cfg.site_root = PathBuf::from(v);
    }
    if let Some(v) = f.session_idle_minutes {
        cfg.session_idle_minutes = check_positive(v, "session_idle_minutes", src)?;
    }
    if let Some(v) = f.session_absolute_hours {
        cfg.session_absolute_hours = check_positive(v, "session_absolute_hours", src)?;
    }
    if let Some(v) = f.time_zone {
        cfg.time_zone = parse_time_zone(&v, "time_zone", src)?;
    }
    Ok(())
}

fn apply_env(cfg: &mut Config, env: &HashMap<String, String>, warnings: &mut Vec<String>) -> Result<(), ConfigError> {
    if let Some(Sourced(v, src)) = env_value(env, "LISTEN")? {
        cfg.listen = parse_listen(&v, "listen", &src)?;
    }
    if let Some(Sourced(v, src)) = env_value(env, "BASE_URL")? {
        cfg.base_url = parse_base_url(&v, "base_url", &src)?;
    }
    if let Some(Sourced(v, src)) = env_value(env, "TRUSTED_PROXIES")? {
        cfg.trusted_proxies = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_cidr(s, "trusted_proxies", &src))
            .collect::<Result<_, _>>()?;
    }
    if let Some(Sourced(v, _)) = env_value(env, "LOG")? {
        cfg.log = v;
    }
    if let Some(Sourced(v, src)) = env_value(env, "LOG_FORMAT")? {
        cfg.log_format = parse_log_format(&v, "log_format", &src)?;
    }
    if let Some(Sourced(v, _)) = env_value(env, "SITE_ROOT")? {
        cfg.site_root = PathBuf::from(v);
    }
    if let Some(Sourced(v, src)) = env_value(env, "SESSION_IDLE_MINUTES")? {
        cfg.session_idle_minutes =
            check_positive(parse_u32(&v, "session_idle_minutes", &src)?, "session_idle_minutes", &src)?;
    }
    if let Some(Sourced(v, src)) = env_value(env, "SESSION_ABSOLUTE_HOURS")? {
        cfg.session_absolute_hours =
            check_positive(parse_u32(&v, "session_absolute_hours", &src)?, "session_absolute_hours", &src)?;
    }
    if let Some(Sourced(v, src)) = env_value(env, "SETUP_TOKEN")? {
        if v.len() < 16 {
            return Err(invalid("setup_token", &src, "must be at least 16 characters"));
        }
        cfg.setup_token = Some(SecretString::new(v));
    }
    if let Some(Sourced(v, src)) = env_value(env, "SECRET_KEY")? {
        crate::crypto::parse_key(&v).map_err(|e| invalid("secret_key", &src, e.to_string()))?;
        cfg.secret_key = Some(SecretString::new(v.trim()));
    }
    for &(name, min, max) in INGEST_NUMBERS {
        if let Some(Sourced(v, src)) = env_value(env, &name.to_ascii_uppercase())? {
            let parsed = check_range(parse_u32(&v, name, &src)?, name, &src, min, max)?;
            if let Some(slot) = cfg.ingest_number(name) {
                *slot = parsed;
            }
        }
    }
    if let Some(Sourced(v, src)) = env_value(env, "PLEX_TV_URL")? {
        let url = Url::parse(v.trim()).map_err(|e| invalid("plex_tv_url", &src, e.to_string()))?;
        cfg.plex_tv_url = url.to_string();
    }
    if let Some(Sourced(v, src)) = env_value(env, "MAXMIND_ACCOUNT_ID")? {
        let v = v.trim();
        if !v.is_empty() && !v.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("maxmind_account_id", &src, "must be the number MaxMind shows as your account id"));
        }
        cfg.maxmind_account_id = (!v.is_empty()).then(|| v.to_owned());
    }
    if let Some(Sourced(v, _)) = env_value(env, "MAXMIND_LICENSE_KEY")? {
        cfg.maxmind_license_key = (!v.trim().is_empty()).then(|| SecretString::new(v.trim()));
    }
    if let Some(Sourced(v, src)) = env_value(env, "MAXMIND_EDITIONS")? {
        let editions: Vec<String> = v.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect();
        if editions.iter().any(|e| !e.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
            return Err(invalid("maxmind_editions", &src, "edition ids look like GeoLite2-City,GeoLite2-ASN"));
        }
        cfg.maxmind_editions = editions;
    }
    if let Some(Sourced(v, src)) = env_value(env, "TIME_ZONE")? {
        cfg.time_zone = parse_time_zone(&v, "time_zone", &src)?;
    }
    if let Some(Sourced(v, src)) = env_value(env, "MAXMIND_URL")? {
        let url = Url::parse(v.trim()).map_err(|e| invalid("maxmind_url", &src, e.to_string()))?;
        cfg.maxmind_url = url.to_string();
    }
    if cfg.maxmind_account_id.is_some() != cfg.maxmind_license_key.is_some() {
        warnings.push(
            "GeoIP downloads need both SIGHTLINE_MAXMIND_ACCOUNT_ID and SIGHTLINE_MAXMIND_LICENSE_KEY".to_owned(),
        );
    }
    if cfg.trusted_proxies.iter().any(|n| n.prefix_len() == 0) {
        warnings.push("trusted_proxies contains a /0 network: every client can forge its address".to_owned());
    }
    Ok(())
}

fn check_range(v: u32, key: &str, src: &str, min: u32, max: u32) -> Result<u32, ConfigError> {
    if (min..=max).contains(&v) { Ok(v) } else { Err(invalid(key, src, format!("must be between {min} and {max}"))) }
}

fn invalid(key: &str, src: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_owned(), source_name: src.to_owned(), reason: reason.into() }
}

fn parse_listen(v: &str, key: &str, src: &str) -> Result<SocketAddr, ConfigError> {
    v.trim().parse().map_err(|_| invalid(key, src, format!("'{v}' is not an address like 0.0.0.0:3000")))
}

fn parse_base_url(v: &str, key: &str, src: &str) -> Result<Option<Url>, ConfigError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let url = Url::parse(v).map_err(|e| invalid(key, src, format!("'{v}' is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(key, src, format!("'{v}' must be an http or https URL with a host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(key, src, "must not contain a user name or password"));
    }
    Ok(Some(url))
}

fn parse_cidr(v: &str, key: &str, src: &str) -> Result<IpNet, ConfigError> {
    let v = v.trim();
    v.parse::<IpNet>()
        .or_else(|_| v.parse::<IpAddr>().map(IpNet::from))
        .map(|n| n.trunc())
        .map_err(|_| invalid(key, src, format!("'{v}' is not an IP address or CIDR")))
}

fn parse_log_format(v: &str, key: &str, src: &str) -> Result<LogFormat, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(invalid(key, src, format!("'{v}' must be 'text' or 'json'"))),
    }
}

fn parse_time_zone(v: &str, key: &str, src: &str) -> Result<chrono_tz::Tz, ConfigError> {
    crate::time_zone::parse(v).map_err(|reason| invalid(key, src, reason))
}

fn parse_u32(v: &str, key: &str, src: &str) -> Result<u32, ConfigError> {
    v.trim().parse().map_err(|_| invalid(key, src, format!("'{v}' is not a whole number")))
}

fn check_positive(v: u32, key: &str, src: &str) -> Result<u32, ConfigError> {
    if v == 0 { Err(invalid(key, src, "must be greater than 0")) } else { Ok(v) }
}
