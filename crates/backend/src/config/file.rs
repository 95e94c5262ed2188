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
}
