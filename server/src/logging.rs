//! Structured logging with `tracing`: text for people, JSON for log collectors.

use sightline_backend::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. A second call (tests) is a no-op.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|e| {
        eprintln!("warning: SIGHTLINE_LOG '{}' is not a valid filter ({e}); using 'info'", config.log);
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(true);
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
