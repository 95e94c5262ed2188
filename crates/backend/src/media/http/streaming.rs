//! Long-lived requests on a `MediaHttp`: a server-sent-event stream read chunk by chunk, and a
//! WebSocket opened as an HTTP/1.1 upgrade. Both go through the same locked-down client (URL
//! policy, DNS check, no redirects, token in a header); only the total timeout is lifted.

use super::{HttpError, MediaHttp};
use base64::Engine as _;
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONNECTION, HeaderValue, UPGRADE};
use std::time::Duration;

/// Long enough to never fire: liveness of a stream is judged by its own heartbeats instead.
const STREAM_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// The body of an open stream, read chunk by chunk.
pub struct ByteChunks {
    response: reqwest::Response,
    http: MediaHttp,
}

impl ByteChunks {
    /// The next chunk; `Ok(None)` when the server ended the stream.
    pub async fn next(&mut self) -> Result<Option<Bytes>, HttpError> {
        self.response.chunk().await.map_err(|e| self.http.transport_error(&e))
    }
}

/// An upgraded connection that speaks the WebSocket protocol.
pub type WebSocketIo = reqwest::Upgraded;

impl MediaHttp {
    /// The answer's status and headers must arrive within the usual total timeout.
    async fn headers_within_timeout(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, HttpError> {
        let origin = self.base.origin().ascii_serialization();
        tokio::time::timeout(self.total_timeout, self.checked(request)).await.unwrap_or_else(|_| {
            Err(HttpError::Unreachable(format!("{origin} did not answer within {:?}", self.total_timeout)))
        })
    }

    /// Opens a GET whose body never ends (server-sent events).
    pub async fn open_stream(
        &self,
        path: &str,
        query: &[(&str, &str)],
        accept: &'static str,
    ) -> Result<ByteChunks, HttpError> {
        let request = self.request(Method::GET, path, query)?.header("accept", accept).timeout(STREAM_TIMEOUT);
        let response = self.headers_within_timeout(request).await?;
        Ok(ByteChunks { response, http: self.clone() })
    }

    /// Opens a WebSocket at `path` (an HTTP/1.1 upgrade on the server's own origin), ready for
    /// `tokio_tungstenite::WebSocketStream::from_raw_socket` in the client role.
    pub async fn open_websocket(&self, path: &str) -> Result<WebSocketIo, HttpError> {
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
        let request = self
            .request(Method::GET, path, &[])?
            .header(CONNECTION, HeaderValue::from_static("upgrade"))
            .header(UPGRADE, HeaderValue::from_static("websocket"))
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", key)
            .timeout(STREAM_TIMEOUT);
        let response = self.headers_within_timeout(request).await?;
        if response.status() != reqwest::StatusCode::SWITCHING_PROTOCOLS {
            return Err(HttpError::Status(response.status().as_u16()));
        }
        response.upgrade().await.map_err(|e| self.transport_error(&e))
    }
}
