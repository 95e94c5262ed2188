//! `MediaServer`, the one runtime trait every media-server adapter implements, its error type
//! `MediaError` (what a "test connection" shows), and `connect`, which checks an address and
//! builds the right adapter. No HTTP or parsing here; the adapters compose `MediaHttp` and parsers.

use super::ParseError;
use super::control::{MessageResult, StopResult};
use super::feed::Feed;
use super::http::{BuildError, BytesReply, HttpError, HttpReply};
use super::jellyfin_like::client::JellyfinLike;
use super::plex::client::Plex;
use super::url_policy::{UrlPolicyError, check_media_url};
use crate::secret::SecretString;
use async_trait::async_trait;
use sightline_domain::media::{MediaSession, ServerKind, SessionControl};
use std::sync::Arc;
use thiserror::Error;

/// A media server Sightline watches, whatever its product. Picked at runtime by [`connect`],
/// because owners add servers of mixed kinds while Sightline runs.
#[async_trait]
pub trait MediaServer: Send + Sync {
    /// Which product this adapter speaks to.
    fn kind(&self) -> ServerKind;

    /// Proves the address, the token and that the token belongs to an administrator, and
    /// returns what the server says about itself.
    async fn check_connection(&self) -> Result<ServerIdentity, MediaError>;

    /// The complete list of current playbacks.
    async fn sessions(&self) -> Result<Vec<MediaSession>, MediaError>;

    /// Opens the server's push channel (Plex server-sent events, Jellyfin/Emby WebSocket).
    async fn open_feed(&self) -> Result<Box<dyn Feed>, MediaError>;

    /// The accounts that may stream from this server.
    async fn accounts(&self) -> Result<Vec<AccountInfo>, MediaError>;

    /// An image from the server, by a path a session reported (`MediaItem::poster`).
    async fn image(&self, path: &str) -> Result<BytesReply, MediaError>;

    /// Stops a playback, showing `message` to its viewer first where the client can (Plex shows it
    /// as the reason). Sends nothing when the client cannot be stopped (`StopResult::Refused`).
    async fn stop_stream(&self, target: &SessionControl, message: Option<&str>) -> Result<StopResult, MediaError>;

    /// Shows `text` to a playback's viewer without stopping it (Jellyfin and Emby only).
    async fn send_message(&self, target: &SessionControl, text: &str) -> Result<MessageResult, MediaError>;
}

/// A media-server account as a server lists it (`/Users`, `/accounts`, plex.tv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub external_id: String,
    pub name: String,
    pub thumb: Option<String>,
    pub is_admin: bool,
    pub is_disabled: bool,
}

/// Options for building adapters; the defaults are right outside tests.
#[derive(Debug, Clone)]
pub struct AdapterOptions {
    /// Where plex.tv lives (shared-user lists). Tests point it at a simulator.
    pub plex_tv_url: String,
}

impl Default for AdapterOptions {
    fn default() -> Self {
        Self { plex_tv_url: "https://plex.tv/".to_owned() }
    }
}

/// What a server says about itself; any part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerIdentity {
    pub name: Option<String>,
    pub version: Option<String>,
    /// Plex `machineIdentifier`, Jellyfin/Emby `Id`.
    pub machine_id: Option<String>,
}

/// Why talking to a media server failed, worded for the owner who configured it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MediaError {
    /// Connection refused, DNS failure, timeout, or a connection broken mid-answer.
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Tls(String),
    #[error("the media server refused the token; check that it is correct and has not been revoked")]
    BadToken,
    #[error("the token works but does not belong to an administrator of the media server")]
    NotAdministrator,
    /// Typically an HTML login page from a reverse proxy in front of the server.
    #[error("the answer is {0}, not what a media server sends; is the address really the media server's?")]
    UnexpectedContentType(String),
    #[error("the media server's answer could not be read: {0}")]
    Payload(#[from] ParseError),
    #[error(transparent)]
    Refused(#[from] UrlPolicyError),
    #[error(
        "the media server answered with a redirect (http {0}); redirects are not followed, so check the address (http or https, base path)"
    )]
    Redirect(u16),
    #[error("the media server answered http {0}")]
    Http(u16),
    #[error("the answer is larger than the size limit and was abandoned")]
    TooLarge,
}

impl MediaError {
    /// A stable snake_case code for APIs and the UI.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Unreachable(_) => "unreachable",
            MediaError::Tls(_) => "tls",
            MediaError::BadToken => "bad_token",
            MediaError::NotAdministrator => "not_administrator",
            MediaError::UnexpectedContentType(_) => "unexpected_content_type",
            MediaError::Payload(_) => "unreadable_payload",
            MediaError::Refused(_) => "address_refused",
            MediaError::Redirect(_) => "redirect",
            MediaError::Http(_) => "http_error",
            MediaError::TooLarge => "too_large",
        }
    }
}

impl From<HttpError> for MediaError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Unreachable(m) => Self::Unreachable(m),
            HttpError::Tls(m) => Self::Tls(m),
            HttpError::Refused(p) => Self::Refused(p),
            HttpError::Redirect(code) => Self::Redirect(code),
            HttpError::TooLarge => Self::TooLarge,
            // Plex (shared users on /status/sessions) and Jellyfin/Emby (non-admins on
            // /System/Info) answer 403 to a valid token that lacks the rights.
            HttpError::Unauthorized(403) => Self::NotAdministrator,
            HttpError::Unauthorized(_) => Self::BadToken,
            HttpError::Status(code) => Self::Http(code),
            HttpError::NotUtf8 => Self::UnexpectedContentType("not utf-8 text".to_owned()),
        }
    }
}

impl From<BuildError> for MediaError {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Refused(p) => Self::Refused(p),
            // A token that cannot travel in a header cannot be the server's token.
            BuildError::HeaderValue => Self::BadToken,
            BuildError::HeaderName(_) | BuildError::Client(_) => Self::Unreachable(e.to_string()),
        }
    }
}

/// Checks `base_url` with [`check_media_url`] and builds the adapter for `kind`.
pub fn connect(kind: ServerKind, base_url: &str, token: &SecretString) -> Result<Arc<dyn MediaServer>, MediaError> {
    connect_with(kind, base_url, token, &AdapterOptions::default())
}

/// [`connect`] with options.
pub fn connect_with(
    kind: ServerKind,
    base_url: &str,
    token: &SecretString,
    options: &AdapterOptions,
) -> Result<Arc<dyn MediaServer>, MediaError> {
    let base = check_media_url(base_url)?;
    Ok(match kind {
        ServerKind::Plex => Arc::new(Plex::new(base, token)?.with_plex_tv(&options.plex_tv_url, token)),
        ServerKind::Jellyfin => Arc::new(JellyfinLike::jellyfin(base, token)?),
        ServerKind::Emby => Arc::new(JellyfinLike::emby(base, token)?),
    })
}

/// The media type of a reply, lowercase and without parameters (`text/xml;charset=utf-8` → `text/xml`).
pub(crate) fn mime(reply: &HttpReply) -> Option<String> {
    let raw = reply.content_type.as_deref()?;
    let essence = raw.split(';').next().unwrap_or(raw).trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// Describes a content type for [`MediaError::UnexpectedContentType`].
pub(crate) fn unexpected(mime: Option<&str>) -> MediaError {
    MediaError::UnexpectedContentType(match mime {
        Some("text/html" | "application/xhtml+xml") => "an html page".to_owned(),
        Some(other) => other.to_owned(),
        None => "untyped and neither json nor xml".to_owned(),
    })
}

#[cfg(test)]
#[path = "server_tests.rs"]
pub(crate) mod tests;
