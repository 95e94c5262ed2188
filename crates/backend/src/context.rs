//! `AppContext`: the one bundle of services handed to axum handlers and Leptos server
//! functions. Built once by the server's composition root.

use crate::auth::AuthService;
use crate::config::Config;
use crate::crypto::SecretBox;
use crate::geo::Geo;
use crate::hub::Hub;
use crate::ingest::Ingest;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppContext {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub auth: Arc<AuthService>,
    pub hub: Hub,
    /// The live board (active streams, server health) and the ingestion supervisor's doorbell.
    pub ingest: Ingest,
    /// GeoIP databases from `DATA_DIR/geoip/` (possibly none).
    pub geo: Geo,
    /// Encrypts and decrypts stored secrets (media-server tokens, webhook URLs).
    pub secrets: Arc<SecretBox>,
    /// The notification outbox's doorbell and delivery path (`notify::Senders` in production).
    pub notify: crate::notify::Notifier,
    /// Rule actions in flight (delayed stops, messages), cancelled and awaited at shutdown.
    pub enforce: crate::enforce::Enforcer,
    pub started_at: DateTime<Utc>,
}
