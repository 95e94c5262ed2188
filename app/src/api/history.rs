//! Server functions of the History page: resume chains filtered and paged (the same parameters
//! as `GET /api/v1/history`), with every play's stream, device and place, and the audited bulk
//! delete. Mapping in `history/convert.rs`.

#[cfg(feature = "ssr")]
pub(crate) mod convert;

use crate::api::map::Choice;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Chains per page.
pub const PAGE_SIZE: u32 = 25;

/// The filters as the page's form and URL carry them; empty means "any". `from`/`to` are dates
/// (`YYYY-MM-DD`, UTC, both included); the other names are those of `GET /api/v1/history`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryForm {
    pub users: String,
    pub media_type: String,
    pub from: String,
    pub to: String,
    pub platform: String,
    pub product: String,
    pub device: String,
    pub ip: String,
    pub country: String,
    pub city: String,
    pub decision: String,
    pub watched: String,
    pub q: String,
    pub sort: String,
}

impl HistoryForm {
    /// (name, value) of every filter, in form order.
    #[must_use]
    pub fn pairs(&self) -> [(&'static str, &str); 14] {
        [
            ("users", &self.users),
            ("media_type", &self.media_type),
            ("from", &self.from),
            ("to", &self.to),
            ("platform", &self.platform),
            ("product", &self.product),
            ("device", &self.device),
            ("ip", &self.ip),
            ("country", &self.country),
            ("city", &self.city),
            ("decision", &self.decision),
            ("watched", &self.watched),
            ("q", &self.q),
            ("sort", &self.sort),
        ]
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs().iter().all(|(_, v)| v.is_empty())
    }
}

/// One play of a chain: when, how long, the stream as stored, the device and the place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    pub started: String,
    pub ended: String,
    /// "42 min".
    pub played: String,
    pub watched: bool,
    /// "1080p · h264 / aac · 10.0 Mbps".
    pub stream: String,
    /// "Transcode (video transcode, audio direct play)".
    pub decision: String,
    /// "4.2 Mbps" delivered, when known.
    pub bandwidth: String,
    /// "Living Room · Roku Ultra · Plex for Roku · Roku".
    pub device: String,
    pub ip: String,
    /// "Linköping, Östergötland, Sweden".
    pub place: String,
    /// "AS29518 Bredband2".
    pub network: String,
    /// Incidents that name this play.
    pub incidents: Vec<PlayIncidentView>,
}

/// An incident that involves a play: a link to `/alerts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayIncidentView {
    pub id: i64,
    /// "Simultaneous locations · high · open".
    pub label: String,
    pub summary: String,
}

/// A resume chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    pub head: i64,
    pub started: String,
    pub account: String,
    pub server: String,
    /// "The Bear — S1E3 · System".
    pub title: String,
    pub media_type: String,
    pub played: String,
    pub watched: bool,
    pub sessions: Vec<SessionView>,
}

/// One page of history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryList {
    pub items: Vec<ChainView>,
    /// The `after` value of the next (older) page.
    pub next: Option<String>,
    /// Accounts that have streamed, for the filter.
    pub accounts: Vec<Choice>,
}

/// A page of chains matching `filters`, after the cursor `after` (empty for the first page).
#[server(endpoint = "history_list")]
pub async fn list_history(filters: HistoryForm, after: String) -> Result<HistoryList, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let answered = crate::api::map::convert::answered;
    let query = convert::query(&filters, &after).map_err(answered)?;
    let result = sightline_backend::history::page(&ctx, &query).await.map_err(|e| answered(convert::error(&e)))?;
    let accounts = ctx.store.streaming_accounts().await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(convert::list(result.page, &accounts))
}

/// Deletes every play of the chosen chains (their head ids) once `confirm` is ticked; returns how
/// many plays were deleted.
#[server(endpoint = "history_delete")]
pub async fn delete_history(chains: Option<Vec<i64>>, confirm: Option<String>) -> Result<u64, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    let answered = crate::api::map::convert::answered;
    if confirm.is_none() {
        return Err(answered(AppError::Invalid {
            field: "confirm".to_owned(),
            message: "tick the box to confirm the delete".to_owned(),
        }));
    }
    let mut ids = Vec::new();
    for head in chains.unwrap_or_default().into_iter().take(sightline_backend::history::MAX_DELETE) {
        if let Some(chain) = ctx.store.history_chain(head).await.map_err(|e| crate::ssr::internal(&e))? {
            ids.extend(chain.sessions.iter().map(|s| s.id));
        }
    }
    sightline_backend::history::delete(&ctx, &ids, &principal.label(), sightline_backend::clock::now())
        .await
        .map_err(|e| answered(convert::error(&e)))
}
