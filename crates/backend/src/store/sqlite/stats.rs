//! The statistics rollups on SQLite: sums over `stats_hourly`, `stats_titles` and `stats_slots`
//! (range scans on their leading bucket column), all read inside one read transaction.

use super::SqliteStore;
use super::time::to_ms;
use crate::store::StoreError;
use crate::store::stats::{StatsFilter, StatsRollup, StatsStore};
use async_trait::async_trait;
use sightline_domain::stats::{CountRow, HOUR_MS, HourTotal, SLOT_MS, SlotTotal, TitleRow, UserRow};
use sqlx::SqliteConnection;

/// `?1..?2` bucket range, `?3` server or NULL.
macro_rules! bucket_where {
    ($col:literal) => {
        concat!($col, " >= ?1 AND ", $col, " < ?2 AND (?3 IS NULL OR server_id = ?3)")
    };
}

macro_rules! dimension {
    ($col:literal) => {
        concat!(
            "SELECT ",
            $col,
            ", SUM(plays), SUM(played_ms) FROM stats_hourly WHERE ",
            bucket_where!("hour"),
            " GROUP BY ",
            $col,
            " HAVING SUM(plays) > 0 ORDER BY 2 DESC, 3 DESC, 1"
        )
    };
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The first bucket whose start is at or after `ms`.
fn first_bucket(ms: i64, size: i64) -> i64 {
    ms.div_euclid(size) + i64::from(ms.rem_euclid(size) != 0)
}

type Range = (i64, i64, Option<i64>);

fn range(filter: &StatsFilter, size: i64) -> Range {
    let from = filter.from.map_or(i64::MIN, |f| first_bucket(to_ms(f), size));
    (from, first_bucket(to_ms(filter.to), size), filter.server.map(|s| s.0))
}

async fn counts(conn: &mut SqliteConnection, sql: &'static str, r: Range) -> Result<Vec<CountRow>, StoreError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(sql).bind(r.0).bind(r.1).bind(r.2).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(label, plays, ms)| CountRow { label, plays: count(plays), watch_ms: count(ms) })
        .collect())
}

async fn titles(conn: &mut SqliteConnection, kind: &str, r: Range, top: u32) -> Result<Vec<TitleRow>, StoreError> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(concat!(
        "SELECT title, year, SUM(plays), SUM(played_ms) FROM stats_titles WHERE kind = ?4 AND ",
        bucket_where!("hour"),
        " GROUP BY title, year HAVING SUM(plays) > 0 ORDER BY 3 DESC, 4 DESC, title, year LIMIT ?5"
    ))
    .bind(r.0)
    .bind(r.1)
    .bind(r.2)
    .bind(kind)
    .bind(i64::from(top))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(title, year, plays, ms)| TitleRow {
            title,
            year: i32::try_from(year).ok().filter(|y| *y != 0),
            plays: count(plays),
            watch_ms: count(ms),
        })
        .collect())
}

#[async_trait]
impl StatsStore for SqliteStore {
    async fn stats_rollup(&self, filter: &StatsFilter, top: u32) -> Result<StatsRollup, StoreError> {
        let hours = range(filter, HOUR_MS);
        let slots = range(filter, SLOT_MS);
        let mut tx = self.reader.begin().await?;
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(concat!(
            "SELECT hour, SUM(plays), SUM(played_ms), SUM(bits) FROM stats_hourly WHERE ",
            bucket_where!("hour"),
            " GROUP BY hour HAVING SUM(plays) > 0 ORDER BY hour"
        ))
        .bind(hours.0)
        .bind(hours.1)
        .bind(hours.2)
        .fetch_all(&mut *tx)
        .await?;
        let hour_totals = rows
            .into_iter()
            .map(|(hour, plays, ms, bits)| HourTotal {
                hour,
                plays: count(plays),
                watch_ms: count(ms),
                bytes: count(bits) / 8,
            })
            .collect();
        let rows: Vec<(i64, i64)> = sqlx::query_as(concat!(
            "SELECT slot, SUM(streams) FROM stats_slots WHERE ",
            bucket_where!("slot"),
            " GROUP BY slot HAVING SUM(streams) > 0 ORDER BY slot"
        ))
        .bind(slots.0)
        .bind(slots.1)
        .bind(slots.2)
        .fetch_all(&mut *tx)
        .await?;
        let slot_totals = rows.into_iter().map(|(slot, streams)| SlotTotal { slot, streams: count(streams) }).collect();
        let users: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(concat!(
            "SELECT s.name, a.external_id, a.name, SUM(h.plays), SUM(h.played_ms), SUM(h.bits) FROM stats_hourly h \
             JOIN media_accounts a ON a.id = h.account_id JOIN media_servers s ON s.id = h.server_id WHERE ",
            "h.hour >= ?1 AND h.hour < ?2 AND (?3 IS NULL OR h.server_id = ?3)",
            " GROUP BY h.account_id HAVING SUM(h.plays) > 0 ORDER BY 4 DESC, 5 DESC, a.name, h.account_id"
        ))
        .bind(hours.0)
        .bind(hours.1)
        .bind(hours.2)
        .fetch_all(&mut *tx)
        .await?;
        let users = users
            .into_iter()
            .map(|(server_name, user_id, name, plays, ms, bits)| UserRow {
                server_name,
                user_id,
                name,
                plays: count(plays),
                watch_ms: count(ms),
                bytes: count(bits) / 8,
            })
            .collect();
        let rollup = StatsRollup {
            hours: hour_totals,
            slots: slot_totals,
            platforms: counts(&mut tx, dimension!("platform"), hours).await?,
            products: counts(&mut tx, dimension!("product"), hours).await?,
            decisions: counts(&mut tx, dimension!("decision"), hours).await?,
            media_types: counts(&mut tx, dimension!("media_type"), hours).await?,
            users,
            movies: titles(&mut tx, "movie", hours, top).await?,
            shows: titles(&mut tx, "show", hours, top).await?,
        };
        tx.commit().await?;
        Ok(rollup)
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
