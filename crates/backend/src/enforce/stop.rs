//! Stopping one live stream through its server's adapter: `stop_stream` is the owner's stop (from the
//! dashboard or `POST /api/v1/sessions/{server}/{play}/stop`, audited as `stream_stop`); `stop_live`
//! and `message_live` are the steps the rule executor shares with it.

use super::outcome::{EnforceError, StopOutcome};
use super::plan::describe_stream;
use crate::AppContext;
use crate::media::control::{MessageResult, Refusal, StopResult};
use crate::media::server::{AdapterOptions, MediaServer, connect_with};
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::live::NowPlaying;
use sightline_domain::rules::message_problem;
use std::sync::Arc;

/// Stops the live stream `play` of server `server`, showing `message` to its viewer where the client
/// can, and writes the audit entry `stream_stop` as `actor`. A refusal is an outcome, not an error.
pub async fn stop_stream(
    ctx: &AppContext,
    server: ServerId,
    play: &str,
    message: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StopOutcome, EnforceError> {
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    if let Some(problem) = message.and_then(message_problem) {
        return Err(EnforceError::Invalid(problem));
    }
    let stream = ctx.ingest.board.stream(server, play).ok_or(EnforceError::NotLive)?;
    let result = stop_live(ctx, &stream, message).await;
    let detail = match &result {
        Ok(outcome) => outcome.detail.clone(),
        Err(e) => format!("Could not stop {}: {e}", describe_stream(&stream)),
    };
    ctx.auth.audit(actor, "stream_stop", &format!("server {server} play {play}: {detail}"), None, now).await;
    match &result {
        Ok(outcome) => tracing::info!(server = server.0, play, actor, "{}", outcome.detail),
        Err(e) => tracing::warn!(server = server.0, play, actor, error = %e, "a stop failed"),
    }
    result
}

/// Asks the stream's server to stop it.
pub(super) async fn stop_live(
    ctx: &AppContext,
    stream: &NowPlaying,
    message: Option<&str>,
) -> Result<StopOutcome, EnforceError> {
    let described = describe_stream(stream);
    let Some(control) = &stream.session.control else {
        return Ok(StopOutcome::of(StopResult::Refused(Refusal::NoSessionId), &described, message.is_some()));
    };
    let adapter = adapter(ctx, stream.server.id).await?;
    let result = adapter.stop_stream(control, message).await?;
    Ok(StopOutcome::of(result, &described, message.is_some()))
}

/// Shows `text` to the stream's viewer.
pub(super) async fn message_live(
    ctx: &AppContext,
    stream: &NowPlaying,
    text: &str,
) -> Result<MessageResult, EnforceError> {
    let Some(control) = &stream.session.control else {
        return Ok(MessageResult::Refused(Refusal::NoSessionId));
    };
    Ok(adapter(ctx, stream.server.id).await?.send_message(control, text).await?)
}

/// The adapter of a stored server, with its stored token.
async fn adapter(ctx: &AppContext, server: ServerId) -> Result<Arc<dyn MediaServer>, EnforceError> {
    let record = ctx.store.server(server).await?.ok_or(EnforceError::NotLive)?;
    let token = ctx.store.server_token(server, &ctx.secrets).await?.ok_or(EnforceError::NotLive)?;
    let options = AdapterOptions { plex_tv_url: ctx.config.plex_tv_url.clone() };
    Ok(connect_with(record.kind, &record.url, &token, &options)?)
}
