//! `JellyfinLike`, the `MediaServer` adapter for Jellyfin and Emby: the auth header each expects
//! and the two endpoints Sightline reads. HTTP itself is `MediaHttp`'s; `/Sessions` is read by
//! `parser.rs`.

use super::socket::SessionSocket;
use super::{parse_sessions, parse_users};
use crate::media::feed::Feed;
use crate::media::http::{BytesReply, HttpReply, MediaHttp};
use crate::media::server::{AccountInfo, MediaError, MediaServer, ServerIdentity, mime, unexpected};
use crate::media::{ParseError, check_size, json_error};
use crate::secret::SecretString;
use async_trait::async_trait;
use serde_json::Value;
use sightline_domain::media::{MediaSession, ServerKind};
use url::Url;

/// A Jellyfin or Emby server reached with an administrator's API key or access token.
#[derive(Debug, Clone)]
pub struct JellyfinLike {
    kind: ServerKind,
    http: MediaHttp,
}

impl JellyfinLike {
    /// The token travels in `Authorization: MediaBrowser Token="…", …`, Jellyfin's documented scheme.
    pub fn jellyfin(base: Url, token: &SecretString) -> Result<Self, MediaError> {
        // A quote or backslash would end the quoted value early; no real token has one.
        if token.expose().contains(['"', '\\']) {
            return Err(MediaError::BadToken);
        }
        let value = SecretString::new(format!(
            r#"MediaBrowser Token="{}", Client="Sightline", Device="Sightline", DeviceId="sightline", Version="{}""#,
            token.expose(),
            env!("CARGO_PKG_VERSION"),
        ));
        Ok(Self { kind: ServerKind::Jellyfin, http: MediaHttp::new(base, "Authorization", &value)? })
    }

    /// The token travels in `X-Emby-Token`, the header Emby documents for API keys.
    pub fn emby(base: Url, token: &SecretString) -> Result<Self, MediaError> {
        Ok(Self { kind: ServerKind::Emby, http: MediaHttp::new(base, "X-Emby-Token", token)? })
    }

    /// A JSON body, or `UnexpectedContentType` (an HTML login page, say).
    async fn get_json(&self, path: &str) -> Result<HttpReply, MediaError> {
        let reply = self.http.get(path, &[]).await?;
        let mime = mime(&reply);
        match mime.as_deref() {
            Some(m) if m.ends_with("json") => Ok(reply),
            None if reply.body.trim_start().starts_with(['{', '[']) => Ok(reply),
            other => Err(unexpected(other)),
        }
    }
}

#[async_trait]
impl MediaServer for JellyfinLike {
    fn kind(&self) -> ServerKind {
        self.kind
    }

    /// `/System/Info` needs an administrator: 401 is a bad token, 403 a user who is not one.
    async fn check_connection(&self) -> Result<ServerIdentity, MediaError> {
        let reply = self.get_json("/System/Info").await?;
        check_size(&reply.body)?;
        let info: Value = serde_json::from_str(&reply.body).map_err(|e| json_error(&e))?;
        if !info.is_object() {
            return Err(ParseError::UnexpectedShape("/System/Info is not an object".to_owned()).into());
        }
        let text = |key: &str| info.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(ServerIdentity { name: text("ServerName"), version: text("Version"), machine_id: text("Id") })
    }

    async fn sessions(&self) -> Result<Vec<MediaSession>, MediaError> {
        let reply = self.get_json("/Sessions").await?;
        Ok(parse_sessions(&reply.body, self.kind)?)
    }

    async fn open_feed(&self) -> Result<Box<dyn Feed>, MediaError> {
        Ok(Box::new(SessionSocket::open(&self.http, self.kind).await?))
    }

    async fn accounts(&self) -> Result<Vec<AccountInfo>, MediaError> {
        let reply = self.get_json("/Users").await?;
        Ok(parse_users(&reply.body)?)
    }

    async fn image(&self, path: &str) -> Result<BytesReply, MediaError> {
        Ok(self.http.send_bytes(reqwest::Method::GET, path, &[], None, crate::media::MAX_IMAGE_BYTES).await?)
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
