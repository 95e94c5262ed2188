//! The statistics rollups on SQLite, read inside one read transaction: `stats_hours` summed per
//! local date and local hour of day (one range scan per stretch of constant offset, two when the
//! offset is not a whole number of hours), and `stats_totals` summed over the signed pieces of a
//! period, with the partial UTC days at its edges read from `plays` through `stats_play_facts`.

use super::SqliteStore;
use crate::store::StoreError;
use crate::store::stats::{Piece, Span, StatsRequest, StatsRollup, StatsStore, Stretch};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sightline_domain::ServerId;
use sightline_domain::stats::{CountRow, DayStats, HourCount, TitleRow, UserRow};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const HOUR_MS: i64 = 3_600_000;
const QUARTER_MS: i64 = 900_000;
const PLAYS: [&str; 4] = ["plays0", "plays1", "plays2", "plays3"];
const MS: [&str; 4] = ["ms0", "ms1", "ms2", "ms3"];
const BITS: [&str; 4] = ["bits0", "bits1", "bits2", "bits3"];
const STREAMS: [&str; 4] = ["streams0", "streams1", "streams2", "streams3"];

/// The `stats_totals.dim` of each list.
const LABEL_DIMS: &str = "1, 2, 3, 4";
const MOVIE: i64 = 5;
const SHOW: i64 = 6;
const ACCOUNT: i64 = 7;

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The rollup rows of one server, or server 0 (all servers).
fn rollup_server(server: Option<ServerId>) -> i64 {
    server.map_or(0, |s| s.0)
}

/// Quarters `first..end` of the UTC hours `hours`, which lie in one local hour; `hour * 60 +
/// local_minutes` is a local time (minutes since the epoch) within that local hour. One arm of the
/// `UNION ALL` that sums `stats_hours` per local date and hour.
struct Arm {
    first: usize,
    end: usize,
    local_minutes: i64,
    hours: (i64, i64),
}

impl Arm {
    fn sum(&self, columns: &[&str; 4]) -> String {
        columns[self.first..self.end].join(" + ")
    }

    /// The largest of the arm's stream counts in a row.
    fn peak(&self) -> String {
        let cols = &STREAMS[self.first..self.end];
        if cols.len() == 1 { cols[0].to_owned() } else { format!("MAX({})", cols.join(", ")) }
    }
}

/// With a whole-hour offset a UTC hour is one local hour; otherwise its first quarters end one
/// local hour and the others begin the next. Each such part becomes one arm over the hours where
/// all its quarters start within the stretch, and one arm for each hour at the stretch's edges where
/// only some do (a change of offset by half an hour, as on Lord Howe Island, cuts an hour).
fn arms(stretch: &Stretch) -> Vec<Arm> {
    let offset = i64::from(stretch.offset_minutes);
    let past_hour = offset.rem_euclid(60);
    let split = usize::try_from((60 - past_hour) / 15 % 4).unwrap_or(0);
    let parts = if split == 0 { vec![(0, 4)] } else { vec![(0, split), (split, 4)] };
    let start = |hour: i64, quarter: usize| hour * HOUR_MS + i64::try_from(quarter).unwrap_or(0) * QUARTER_MS;
    let inside = |hour: i64, quarter: usize| (stretch.from_ms..stretch.to_ms).contains(&start(hour, quarter));
    let ceil_hour = |ms: i64| ms.div_euclid(HOUR_MS) + i64::from(ms.rem_euclid(HOUR_MS) != 0);
    let mut out = Vec::new();
    for (first, end) in parts {
        let local_minutes = offset + i64::try_from(first).unwrap_or(0) * 15;
        // Hours with at least one of the part's quarters starting in the stretch.
        let mut lo = ceil_hour(stretch.from_ms - start(0, end - 1));
        let mut hi = ceil_hour(stretch.to_ms - start(0, first));
        let partial = |hour: i64, out: &mut Vec<Arm>| {
            let quarters: Vec<usize> = (first..end).filter(|q| inside(hour, *q)).collect();
            if let (Some(a), Some(b)) = (quarters.first(), quarters.last()) {
                out.push(Arm { first: *a, end: b + 1, local_minutes, hours: (hour, hour + 1) });
            }
        };
        if lo < hi && !(first..end).all(|q| inside(lo, q)) {
            partial(lo, &mut out);
            lo += 1;
        }
        if lo < hi && !(first..end).all(|q| inside(hi - 1, q)) {
            partial(hi - 1, &mut out);
            hi -= 1;
        }
        if lo < hi {
            out.push(Arm { first, end, local_minutes, hours: (lo, hi) });
        }
    }
    out
}

/// Totals per local date (the bits of a date cut by a change of offset add up before they become
/// bytes) and per local hour of day, from one scan of each arm's hours: the arms (`UNION ALL`) are
/// gathered once into a narrow table of local minutes and values, then grouped twice.
async fn series(
    conn: &mut SqliteConnection,
    server: i64,
    stretches: &[Stretch],
) -> Result<(Vec<DayStats>, Vec<HourCount>), StoreError> {
    let mut qb = QueryBuilder::new("WITH x AS MATERIALIZED (");
    let mut n_arms = 0;
    for arm in stretches.iter().flat_map(arms) {
        if n_arms > 0 {
            qb.push(" UNION ALL ");
        }
        n_arms += 1;
        qb.push("SELECT hour * 60 + ").push_bind(arm.local_minutes).push(" AS local, ");
        qb.push(format!(
            "{} AS plays, {} AS ms, {} AS bits, {} AS peak",
            arm.sum(&PLAYS),
            arm.sum(&MS),
            arm.sum(&BITS),
            arm.peak()
        ));
        qb.push(" FROM stats_hours WHERE server_id = ").push_bind(server);
        qb.push(" AND hour >= ").push_bind(arm.hours.0).push(" AND hour < ").push_bind(arm.hours.1);
    }
    if n_arms == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    qb.push(
        ") SELECT 0, local / 1440, SUM(plays), SUM(ms), SUM(bits), MAX(peak) FROM x GROUP BY 2 \
         UNION ALL SELECT 1, local / 60 % 24, SUM(plays), SUM(ms), 0, 0 FROM x GROUP BY 2",
    );
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let (mut days, mut hours) = (Vec::new(), Vec::new());
    for (kind, key, plays, ms, bits, peak) in rows {
        if kind == 0 && (plays != 0 || peak != 0) {
            days.push(DayStats {
                date: NaiveDate::default() + Duration::days(key),
                plays: count(plays),
                watch_ms: count(ms),
                bytes: count(bits) / 8,
                peak_streams: count(peak),
            });
        } else if kind == 1 && plays != 0 {
            hours.push(HourCount {
                hour: u32::try_from(key.rem_euclid(24)).unwrap_or(0),
                plays: count(plays),
                watch_ms: count(ms),
            });
        }
    }
    days.sort_by_key(|d| d.date);
    Ok((days, hours))
}

/// Which rows a list sums: label dimensions (keys in `stats_keys`), one title dimension, accounts.
#[derive(Clone, Copy)]
enum List {
    Labels,
    Titles(i64),
    Accounts,
}

/// `SELECT key_id, plays, ms, bits` over every signed piece (a `UNION ALL`).
fn pieces_union(qb: &mut QueryBuilder<Sqlite>, list: List, server: Option<ServerId>, pieces: &[Piece]) {
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        let sign = piece.sign;
        let (grain, from, to) = match piece.span {
            Span::Days { from, to } => (0, from, to),
            Span::Months { from, to } => (1, from, to),
            Span::AllTime => (2, 0, 1),
            Span::Plays { from_ms, to_ms } => {
                plays_arm(qb, list, server, sign, from_ms, to_ms);
                continue;
            }
        };
        qb.push("SELECT key_id, plays * ").push_bind(sign).push(" AS plays, played_ms * ").push_bind(sign);
        qb.push(" AS ms, bits * ").push_bind(sign).push(" AS bits FROM stats_totals WHERE server_id = ");
        qb.push_bind(rollup_server(server));
        match list {
            List::Labels => qb.push(format!(" AND dim IN ({LABEL_DIMS})")),
            List::Titles(dim) => qb.push(" AND dim = ").push_bind(dim),
            List::Accounts => qb.push(" AND dim = ").push_bind(ACCOUNT),
        };
        qb.push(" AND grain = ").push_bind(grain);
        qb.push(" AND bucket >= ").push_bind(from).push(" AND bucket < ").push_bind(to);
    }
}

/// The plays that started in `[from_ms, to_ms)`, keyed as the rollups are (`stats_play_facts`
/// derives the keys the triggers use).
fn plays_arm(qb: &mut QueryBuilder<Sqlite>, list: List, server: Option<ServerId>, sign: i64, from_ms: i64, to_ms: i64) {
    let key = match list {
        List::Labels | List::Titles(_) => "k.id",
        List::Accounts => "f.account_id",
    };
    qb.push("SELECT ").push(key).push(" AS key_id, ").push_bind(sign).push(" AS plays, f.played_ms * ");
    qb.push_bind(sign).push(" AS ms, f.bits * ").push_bind(sign).push(" AS bits");
    match list {
        // One pass over the plays (CROSS JOIN keeps them the outer loop), each joined to its four
        // labels' keys.
        List::Labels => qb.push(
            " FROM stats_play_facts AS f \
             CROSS JOIN (SELECT 1 AS dim UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS d \
             JOIN stats_keys AS k ON k.dim = d.dim AND k.year = 0 AND k.label = CASE d.dim \
             WHEN 1 THEN f.platform WHEN 2 THEN f.product WHEN 3 THEN f.decision ELSE f.media_type END WHERE 1",
        ),
        List::Titles(dim) => qb
            .push(
                " FROM stats_play_facts AS f JOIN stats_keys AS k ON k.dim = f.title_dim \
                 AND k.label = f.title_label AND k.year = f.title_year WHERE f.title_dim = ",
            )
            .push_bind(dim),
        List::Accounts => qb.push(" FROM stats_play_facts AS f WHERE 1"),
    };
    qb.push(" AND f.started_at >= ").push_bind(from_ms).push(" AND f.started_at < ").push_bind(to_ms);
    if let Some(s) = server {
        // Unary + keeps SQLite on the started_at index rather than on every play of the server.
        qb.push(" AND +f.server_id = ").push_bind(s.0);
    }
}

/// `(SELECT key_id, plays, ms, bits …) AS g`: the pieces summed per key, keys with plays only.
fn push_grouped(qb: &mut QueryBuilder<Sqlite>, list: List, server: Option<ServerId>, pieces: &[Piece]) {
    qb.push("(SELECT key_id, SUM(plays) AS plays, SUM(ms) AS ms, SUM(bits) AS bits FROM (");
    pieces_union(qb, list, server, pieces);
    qb.push(") GROUP BY key_id HAVING SUM(plays) > 0) AS g");
}

fn count_rows(rows: Vec<(String, i64, i64)>) -> Vec<CountRow> {
    rows.into_iter().map(|(label, plays, ms)| CountRow { label, plays: count(plays), watch_ms: count(ms) }).collect()
}

/// Platforms, products, decisions and media types, each ordered by plays, watch time, label.
async fn labels(
    conn: &mut SqliteConnection,
    server: Option<ServerId>,
    pieces: &[Piece],
) -> Result<[Vec<CountRow>; 4], StoreError> {
    let mut qb = QueryBuilder::new("SELECT k.dim, k.label, g.plays, g.ms FROM ");
    push_grouped(&mut qb, List::Labels, server, pieces);
    qb.push(" JOIN stats_keys AS k ON k.id = g.key_id ORDER BY g.plays DESC, g.ms DESC, k.label");
    let rows: Vec<(i64, String, i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let mut out: [Vec<(String, i64, i64)>; 4] = Default::default();
    for (dim, label, plays, ms) in rows {
        if let Some(list) = usize::try_from(dim - 1).ok().and_then(|i| out.get_mut(i)) {
            list.push((label, plays, ms));
        }
    }
    Ok(out.map(count_rows))
}

/// The `top` movies or shows.
async fn titles(
    conn: &mut SqliteConnection,
    dim: i64,
    server: Option<ServerId>,
    pieces: &[Piece],
    top: u32,
) -> Result<Vec<TitleRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT k.label, k.year, g.plays, g.ms FROM ");
    push_grouped(&mut qb, List::Titles(dim), server, pieces);
    qb.push(" JOIN stats_keys AS k ON k.id = g.key_id ORDER BY g.plays DESC, g.ms DESC, k.label, k.year LIMIT ");
    qb.push_bind(i64::from(top));
    let rows: Vec<(String, i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
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

/// Every account with plays, with its server's name.
async fn users(
    conn: &mut SqliteConnection,
    server: Option<ServerId>,
    pieces: &[Piece],
) -> Result<Vec<UserRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT s.name, a.external_id, a.name, g.plays, g.ms, g.bits FROM ");
    push_grouped(&mut qb, List::Accounts, server, pieces);
    qb.push(
        " JOIN media_accounts AS a ON a.id = g.key_id JOIN media_servers AS s ON s.id = a.server_id \
         ORDER BY g.plays DESC, g.ms DESC, a.name, a.id",
    );
    let rows: Vec<(String, String, String, i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(server_name, user_id, name, plays, ms, bits)| UserRow {
            server_name,
            user_id,
            name,
            plays: count(plays),
            watch_ms: count(ms),
            bytes: count(bits) / 8,
        })
        .collect())
}

#[async_trait]
impl StatsStore for SqliteStore {
    async fn stats_first_play(&self, server: Option<ServerId>) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT hour, plays0, plays1, plays2 FROM stats_hours \
             WHERE server_id = ?1 AND plays0 + plays1 + plays2 + plays3 > 0 ORDER BY hour LIMIT 1",
        )
        .bind(rollup_server(server))
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.and_then(|(hour, q0, q1, q2)| {
            let quarter = [q0, q1, q2].iter().position(|q| *q > 0).unwrap_or(3);
            DateTime::from_timestamp_millis(hour * HOUR_MS + i64::try_from(quarter).unwrap_or(0) * QUARTER_MS)
        }))
    }

    async fn stats_rollup(&self, request: &StatsRequest<'_>) -> Result<StatsRollup, StoreError> {
        let server = rollup_server(request.server);
        let mut tx = self.reader.begin().await?;
        let (days, hours) = series(&mut tx, server, request.stretches).await?;
        let rollup = if request.pieces.is_empty() {
            StatsRollup { days, hours, ..StatsRollup::default() }
        } else {
            let [platforms, products, decisions, media_types] = labels(&mut tx, request.server, request.pieces).await?;
            StatsRollup {
                days,
                hours,
                platforms,
                products,
                decisions,
                media_types,
                users: users(&mut tx, request.server, request.pieces).await?,
                movies: titles(&mut tx, MOVIE, request.server, request.pieces, request.top).await?,
                shows: titles(&mut tx, SHOW, request.server, request.pieces, request.top).await?,
            }
        };
        tx.commit().await?;
        Ok(rollup)
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "stats_read_tests.rs"]
mod read_tests;
