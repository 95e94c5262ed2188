//! `StatsStore`: the read side of the statistics rollups (`stats_hourly`, `stats_titles`,
//! `stats_slots`, kept by triggers on `plays`). Totals come back per UTC hour and per 15-minute
//! slot so the caller can fold them into any owner's local days; nothing here scans `plays`.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::stats::{CountRow, HourTotal, SlotTotal, TitleRow, UserRow};

/// Which rolled-up plays to read: those that started in `[from, to)` (hours and slots whose start
/// lies in it), of one server or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsFilter {
    /// `None`: from the first play.
    pub from: Option<DateTime<Utc>>,
    pub to: DateTime<Utc>,
    pub server: Option<ServerId>,
}

/// The rollups of a period; lists are ordered by plays, then watch time, then label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsRollup {
    /// Hours with plays, oldest first.
    pub hours: Vec<HourTotal>,
    /// Slots with streams (summed over the servers), oldest first.
    pub slots: Vec<SlotTotal>,
    pub platforms: Vec<CountRow>,
    pub products: Vec<CountRow>,
    pub decisions: Vec<CountRow>,
    pub media_types: Vec<CountRow>,
    /// Every account with plays.
    pub users: Vec<UserRow>,
    /// At most `top` of each.
    pub movies: Vec<TitleRow>,
    pub shows: Vec<TitleRow>,
}

/// The statistics rollups.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Everything the Statistics page needs for `filter`, read in one snapshot; `top` bounds the
    /// movie and show lists.
    async fn stats_rollup(&self, filter: &StatsFilter, top: u32) -> Result<StatsRollup, StoreError>;
}
