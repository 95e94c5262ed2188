//! `JellyfinLike`, the `MediaServer` adapter for Jellyfin and Emby: the auth header each expects,
//! the endpoints Sightline reads, and the message and stop commands sent to a remote-controllable
//! client. HTTP itself is `MediaHttp`'s; `/Sessions` is read by `parser.rs`.

use super::socket::SessionSocket;
use super::{parse_sessions, parse_users};
use crate::media::control::{MESSAGE_HEADER, MESSAGE_TIMEOUT_MS, MessageResult, Refusal, StopResult, path_id};
use crate::media::feed::Feed;
use crate::media::http::{BytesReply, HttpError, HttpReply, MediaHttp};
use crate::media::server::{AccountInfo, MediaError, MediaServer, ServerIdentity, mime, unexpected};
use crate::media::{ParseError, check_size, json_error};
use crate::secret::SecretString;
use async_trait::async_trait;
use serde_json::{Value, json};
use sightline_domain::media::{MediaSession, ServerKind, SessionControl};
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

    /// The message first (when there is one and the client shows messages), then
    /// `POST /Sessions/{Id}/Playing/Stop`. A client without remote control is sent nothing: both
    /// servers would answer 204 and the stream would play on.
    async fn stop_stream(&self, target: &SessionControl, message: Option<&str>) -> Result<StopResult, MediaError> {
        let Some(id) = path_id(target) else {
            return Ok(StopResult::Refused(Refusal::NoSessionId));
        };
        if !target.remote_control {
            return Ok(StopResult::Refused(Refusal::NoRemoteControl));
        }
        let mut message_shown = false;
        if let Some(text) = message.filter(|_| target.messages) {
            match self.message(id, text).await {
                Ok(()) => message_shown = true,
                Err(HttpError::Status(404)) => return Ok(StopResult::AlreadyEnded),
                // The stop matters more than its explanation.
                Err(e) => tracing::warn!(error = %e, "the message before a stop was not delivered"),
            }
        }
        // Emby's schema requires a `PlaystateRequest` body; Jellyfin takes the command from the path only.
        let body = (self.kind == ServerKind::Emby).then(|| json!({ "Command": "Stop" }));
        match self.http.post(&format!("/Sessions/{id}/Playing/Stop"), &[], body.as_ref()).await {
            Ok(_) => Ok(StopResult::Stopped { message_shown }),
            Err(HttpError::Status(404)) => Ok(StopResult::AlreadyEnded),
            Err(e) => Err(e.into()),
        }
    }

    async fn send_message(&self, target: &SessionControl, text: &str) -> Result<MessageResult, MediaError> {
        let Some(id) = path_id(target) else {
            return Ok(MessageResult::Refused(Refusal::NoSessionId));
        };
        if !target.messages {
            return Ok(MessageResult::Refused(Refusal::NoMessages));
        }
        match self.message(id, text).await {
            Ok(()) => Ok(MessageResult::Shown),
            Err(HttpError::Status(404)) => Ok(MessageResult::AlreadyEnded),
            Err(e) => Err(e.into()),
        }
    }
}

impl JellyfinLike {
    /// `POST /Sessions/{id}/Message`: Jellyfin takes a JSON `MessageCommand`, Emby query parameters.
    async fn message(&self, id: &str, text: &str) -> Result<(), HttpError> {
        let path = format!("/Sessions/{id}/Message");
        let timeout = MESSAGE_TIMEOUT_MS.to_string();
        match self.kind {
            ServerKind::Emby => {
                let query = [("Text", text), ("Header", MESSAGE_HEADER), ("TimeoutMs", timeout.as_str())];
                self.http.post(&path, &query, None).await?;
            }
            _ => {
                let body = json!({ "Header": MESSAGE_HEADER, "Text": text, "TimeoutMs": MESSAGE_TIMEOUT_MS });
                self.http.post(&path, &[], Some(&body)).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
