//! Managing the media servers Sightline watches: validation of what people submit, storage with
//! the token encrypted, the audit trail, and the connection test. Shared by the REST API and
//! (later) the settings page, so both apply the same rules.

use crate::AppContext;
use crate::media::server::{MediaError, ServerIdentity, connect};
use crate::media::url_policy::check_media_url;
use crate::secret::SecretString;
use crate::store::{NewServer, ServerChanges, ServerRecord, StoreError};
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;
use sightline_domain::validate;
use thiserror::Error;

/// The colour a new server gets when none is given.
pub const DEFAULT_COLOR: &str = "#38bdf8";

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("a server with that name already exists")]
    NameTaken,
    #[error("no such server")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => ServerError::NameTaken,
            other => ServerError::Store(other),
        }
    }
}

/// What a person submits to add a server.
#[derive(Debug, Clone)]
pub struct ServerInput {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub token: SecretString,
    pub color: Option<String>,
    pub enabled: Option<bool>,
}

/// What a person submits to change a server; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ServerPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    pub token: Option<SecretString>,
    pub color: Option<String>,
    pub enabled: Option<bool>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServerError {
    ServerError::Invalid { field, message: message.into() }
}

fn check_name(raw: &str) -> Result<String, ServerError> {
    validate::name(raw).map_err(|_| invalid("name", "must be 1 to 64 characters"))
}

fn check_url(raw: &str) -> Result<String, ServerError> {
    check_media_url(raw).map(|u| u.to_string()).map_err(|e| invalid("url", e.to_string()))
}

fn check_token(token: &SecretString) -> Result<(), ServerError> {
    let t = token.expose();
    if t.trim().is_empty() || t.len() > 4096 || t.chars().any(char::is_control) {
        return Err(invalid("token", "must be 1 to 4096 printable characters"));
    }
    Ok(())
}

/// `#rrggbb`, lower-cased.
fn check_color(raw: &str) -> Result<String, ServerError> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok { Ok(c.to_ascii_lowercase()) } else { Err(invalid("color", "must look like #1e90ff")) }
}

/// Validates and stores a new server.
pub async fn create(
    ctx: &AppContext,
    input: ServerInput,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ServerRecord, ServerError> {
    let kind = ServerKind::parse(&input.kind).ok_or_else(|| invalid("kind", "must be plex, jellyfin or emby"))?;
    let server = NewServer {
        kind,
        name: check_name(&input.name)?,
        url: check_url(&input.url)?,
        color: check_color(input.color.as_deref().unwrap_or(DEFAULT_COLOR))?,
        enabled: input.enabled.unwrap_or(true),
    };
    check_token(&input.token)?;
    let record = ctx.store.create_server(&server, &input.token, &ctx.secrets, now).await?;
    let detail = format!("{} {} ({})", record.kind.as_str(), record.name, record.url);
    ctx.auth.audit(actor, "server_added", &detail, None, now).await;
    ctx.ingest.servers_changed();
    Ok(record)
}

/// Validates and applies changes to a server.
pub async fn update(
    ctx: &AppContext,
    id: ServerId,
    patch: ServerPatch,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ServerRecord, ServerError> {
    let changes = ServerChanges {
        name: patch.name.as_deref().map(check_name).transpose()?,
        url: patch.url.as_deref().map(check_url).transpose()?,
        color: patch.color.as_deref().map(check_color).transpose()?,
        enabled: patch.enabled,
    };
    if let Some(token) = &patch.token {
        check_token(token)?;
    }
    let record = ctx
        .store
        .update_server(id, &changes, patch.token.as_ref(), &ctx.secrets, now)
        .await?
        .ok_or(ServerError::NotFound)?;
    let detail = format!("{}{}", record.name, if patch.token.is_some() { " (new token)" } else { "" });
    ctx.auth.audit(actor, "server_changed", &detail, None, now).await;
    ctx.ingest.servers_changed();
    Ok(record)
}

/// Removes a server.
pub async fn delete(ctx: &AppContext, id: ServerId, actor: &str, now: DateTime<Utc>) -> Result<(), ServerError> {
    let existing = ctx.store.server(id).await?.ok_or(ServerError::NotFound)?;
    if !ctx.store.delete_server(id).await? {
        return Err(ServerError::NotFound);
    }
    ctx.auth.audit(actor, "server_removed", &existing.name, None, now).await;
    ctx.ingest.servers_changed();
    Ok(())
}

/// Connects to a stored server with its stored token and asks who it is.
/// The outer error is ours (no such server, token unreadable); the inner one is the server's.
pub async fn test_connection(
    ctx: &AppContext,
    id: ServerId,
) -> Result<Result<ServerIdentity, MediaError>, ServerError> {
    let server = ctx.store.server(id).await?.ok_or(ServerError::NotFound)?;
    let token = ctx.store.server_token(id, &ctx.secrets).await?.ok_or(ServerError::NotFound)?;
    let adapter = match connect(server.kind, &server.url, &token) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    Ok(adapter.check_connection().await)
}
