//! The `sightline.toml` file: every key optional, unknown keys rejected with their name.

use serde::Deserialize;

/// What `sightline.toml` may contain. Secrets are deliberately not accepted here:
/// they belong in the environment or in `_FILE` secrets, not in a readable config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub listen: Option<String>,
    pub base_url: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub site_root: Option<String>,
    pub session_idle_minutes: Option<u32>,
    pub session_absolute_hours: Option<u32>,
    pub poll_active_secs: Option<u32>,
    pub poll_idle_secs: Option<u32>,
    pub reconcile_secs: Option<u32>,
    pub down_timeout_minutes: Option<u32>,
    pub watched_percent: Option<u32>,
    pub resume_window_hours: Option<u32>,
    pub short_play_secs: Option<u32>,
    pub time_zone: Option<String>,
}

impl FileConfig {
    /// The ingestion number of this name, if the file sets it.
    pub(super) fn ingest_number(&self, name: &str) -> Option<u32> {
        match name {
            "poll_active_secs" => self.poll_active_secs,
            "poll_idle_secs" => self.poll_idle_secs,
            "reconcile_secs" => self.reconcile_secs,
            "down_timeout_minutes" => self.down_timeout_minutes,
            "watched_percent" => self.watched_percent,
            "resume_window_hours" => self.resume_window_hours,
            "short_play_secs" => self.short_play_secs,
            _ => None,
        }
    }
}
