//! View models that server functions return to pages. Plain serde data, built on the server
//! from backend records; times are preformatted UTC strings so SSR and hydration agree.

use serde::{Deserialize, Serialize};

pub mod rule_form;
pub mod rules;
pub mod servers;

/// Who the browser is signed in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeView {
    pub label: String,
    pub username: Option<String>,
    pub role: Option<String>,
}

/// Process facts for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub version: String,
    pub uptime_secs: i64,
    pub database_ok: bool,
    pub live_clients: usize,
    /// The GeoIP databases in use, best first per kind.
    pub geoip: Vec<GeoDbView>,
    /// Files in the GeoIP folder that could not be used, with the reason.
    pub geoip_problems: Vec<String>,
    /// Where GeoIP databases are read from.
    pub geoip_dir: String,
    /// Whether a MaxMind account keeps them current.
    pub geoip_downloads: bool,
}

/// One GeoIP database as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoDbView {
    pub file: String,
    /// `GeoLite2-City`, `DBIP-City-Lite`, …
    pub database_type: String,
    /// `YYYY-MM-DD`, when the file says.
    pub built: Option<String>,
    pub age_days: Option<i64>,
}

/// One audit-log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub ip: Option<String>,
}

/// One API key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub read_only: bool,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// "3 d 4 h", "5 min", "12 s": a short human duration.
#[must_use]
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
        _ => format!("{} d {} h", secs / 86_400, (secs % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn durations_read_naturally_at_every_scale() {
        assert_eq!(human_duration(-5), "0 s");
        assert_eq!(human_duration(59), "59 s");
        assert_eq!(human_duration(61), "1 min");
        assert_eq!(human_duration(3_725), "1 h 2 min");
        assert_eq!(human_duration(90_000), "1 d 1 h");
    }
}
