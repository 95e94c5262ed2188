//! `StatsStore`: the read side of the statistics rollups (`stats_hours`, `stats_totals`, kept by
//! triggers on `plays`). The caller says how its period is made up (stretches of constant UTC
//! offset for the charts over time, signed pieces for the totals, see `stats::plan`); the store
//! returns totals per local date and local hour of day and the period's lists. Only the partial UTC
//! days at a period's edges are read from `plays`.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::stats::{CountRow, DayStats, HourCount, TitleRow, UserRow};

/// `[from_ms, to_ms)` (UTC milliseconds) during which the owner's zone is `offset_minutes` east of
/// UTC (a multiple of 15). Local dates and hours in it are UTC time plus that offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub from_ms: i64,
    pub to_ms: i64,
    pub offset_minutes: i32,
}

/// Which plays a [`Piece`] covers, by when they started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// `[from_ms, to_ms)`, read from the plays themselves.
    Plays { from_ms: i64, to_ms: i64 },
    /// UTC days `[from, to)`, counted from the epoch.
    Days { from: i64, to: i64 },
    /// UTC months `[from, to)`, counted from January 1970.
    Months { from: i64, to: i64 },
    /// Every play.
    AllTime,
}

/// A span whose totals are added (`sign` 1) or taken out (-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub span: Span,
    pub sign: i64,
}

/// What to read for one statistics page.
#[derive(Debug, Clone, Copy)]
pub struct StatsRequest<'a> {
    /// `None`: all servers.
    pub server: Option<ServerId>,
    /// The period for the charts over time, in stretches of constant offset.
    pub stretches: &'a [Stretch],
    /// The same period for the totals.
    pub pieces: &'a [Piece],
    /// How many movies and shows to list.
    pub top: u32,
}

/// A period's figures; lists are ordered by plays, then watch time, then label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsRollup {
    /// Totals per local date, oldest first; dates without plays or streams may be missing.
    pub days: Vec<DayStats>,
    /// Plays and watch time per local hour of day; an hour may come once per stretch.
    pub hours: Vec<HourCount>,
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
    /// When the first counted play started (to a quarter of an hour), of one server or all.
    async fn stats_first_play(&self, server: Option<ServerId>) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Everything the Statistics page needs for `request`, read in one snapshot.
    async fn stats_rollup(&self, request: &StatsRequest<'_>) -> Result<StatsRollup, StoreError>;
}
