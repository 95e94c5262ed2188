//! The play history as people ask for it: query parameters parsed and checked field by field into
//! a store filter, pages, CSV export (streamed page by page, every cell escaped and guarded against spreadsheet
//! formulas) and audited bulk deletes. Shared by the REST API and the History page.

mod csv;
mod query;

use crate::AppContext;
use crate::store::StoreError;
use crate::store::history::{HistoryCursor, HistoryFilter, HistoryPage, HistorySort};
use chrono::{DateTime, Utc};
use std::fmt;

pub use csv::{CSV_HEADER, csv_cell, csv_lines};
pub use query::{HistoryParams, HistoryQuery, cursor_text, parse_cursor};

/// The largest page.
pub const MAX_LIMIT: u32 = 500;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 25;
/// At most this many plays are deleted in one request.
pub const MAX_DELETE: usize = 5_000;

#[derive(Debug)]
pub enum HistoryError {
    /// A parameter that does not parse or is out of range: its name and why.
    Invalid {
        field: &'static str,
        message: String,
    },
    Store(StoreError),
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { field, message } => write!(f, "{field}: {message}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HistoryError {}

impl From<StoreError> for HistoryError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// A page of history and, when asked for, how many chains match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryResult {
    pub page: HistoryPage,
    pub total: Option<u64>,
}

/// One page of the history for a parsed query.
pub async fn page(ctx: &AppContext, q: &HistoryQuery) -> Result<HistoryResult, HistoryError> {
    let page = ctx.store.history_page(&q.filter, q.sort, q.after.as_ref(), q.limit).await?;
    let total = if q.count { Some(ctx.store.history_count(&q.filter).await?) } else { None };
    Ok(HistoryResult { page, total })
}

/// The CSV of every chain matching the filter (one line per play) as a stream of chunks: the
/// header, then one chunk per page of [`MAX_LIMIT`] chains, read only as the client takes them, so
/// memory stays at one page whatever the history's size. A store error ends the stream with it.
pub fn export_csv(
    ctx: AppContext,
    filter: HistoryFilter,
    sort: HistorySort,
) -> impl futures::Stream<Item = Result<String, HistoryError>> + Send + 'static {
    export_csv_in_pages(ctx, filter, sort, MAX_LIMIT)
}

/// [`export_csv`] with `page` chains per chunk (tests use small pages to cross page boundaries).
pub fn export_csv_in_pages(
    ctx: AppContext,
    filter: HistoryFilter,
    sort: HistorySort,
    page: u32,
) -> impl futures::Stream<Item = Result<String, HistoryError>> + Send + 'static {
    enum Next {
        Header,
        Page(Option<HistoryCursor>),
        Done,
    }
    // Fused: compression layers poll once more after the end, and a fused stream keeps answering `None`.
    futures::StreamExt::fuse(futures::stream::unfold(Next::Header, move |next| {
        let (ctx, filter) = (ctx.clone(), filter.clone());
        async move {
            match next {
                Next::Header => Some((Ok(format!("{CSV_HEADER}\r\n")), Next::Page(None))),
                Next::Page(after) => match ctx.store.history_page(&filter, sort, after.as_ref(), page).await {
                    Ok(page) => {
                        let text: String = page.items.iter().map(csv_lines).collect();
                        let then = page.next.map_or(Next::Done, |c| Next::Page(Some(c)));
                        Some((Ok(text), then))
                    }
                    Err(e) => Some((Err(HistoryError::Store(e)), Next::Done)),
                },
                Next::Done => None,
            }
        }
    }))
}

/// Deletes plays by id in one transaction and audits it. Returns how many were deleted.
pub async fn delete(ctx: &AppContext, ids: &[i64], actor: &str, now: DateTime<Utc>) -> Result<u64, HistoryError> {
    if ids.is_empty() {
        return Err(HistoryError::Invalid { field: "ids", message: "choose at least one play".to_owned() });
    }
    if ids.len() > MAX_DELETE {
        return Err(HistoryError::Invalid { field: "ids", message: format!("at most {MAX_DELETE} plays at once") });
    }
    let deleted = ctx.store.delete_plays(ids).await?;
    let detail = format!("{deleted} of {} plays", ids.len());
    ctx.auth.audit(actor, "history_deleted", &detail, None, now).await;
    Ok(deleted)
}
