//! Play rows: written by the ingestion pipeline (start, running totals, stop), read back to
//! restore trackers after a restart and for today's counters. The full session is kept as JSON
//! only while the play runs; the columns are what history and statistics read.

use super::accounts::account_for_stream;
use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{PlayCounts, PlayWrite, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::MediaSession;
use sightline_domain::tracker::{ActivePlay, PlayId, PlaySummary, RecentStop, StopReason};
use sqlx::SqliteConnection;

type ActiveRow = (i64, i64, i64, i64, i64, Option<i64>, String);

/// The snake_case name serde gives a unit enum variant (`MediaType::LiveTv` → `live_tv`).
fn tag<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn key(play: PlayId) -> Result<i64, StoreError> {
    i64::try_from(play.0).map_err(|_| StoreError::Corrupt(format!("play id {play} does not fit 63 bits")))
}

fn unkey(raw: i64) -> Result<PlayId, StoreError> {
    u64::try_from(raw).map(PlayId).map_err(|_| StoreError::Corrupt(format!("negative play key {raw}")))
}

fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn unms(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The columns every write sets from the session as last seen.
struct Row<'a> {
    started_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    played_ms: u64,
    paused_ms: u64,
    resumes: Option<PlayId>,
    session: &'a MediaSession,
    session_json: Option<String>,
}

async fn upsert(
    conn: &mut SqliteConnection,
    server: ServerId,
    play: PlayId,
    row: &Row<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let s = row.session;
    let account = account_for_stream(conn, server, &s.user, now).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO plays (server_id, play_key, account_id, resumes_key, session_key, item_key, media_type, title, \
         grandparent_title, parent_title, season_number, episode_number, year, duration_ms, started_at, last_seen_at, \
         played_ms, paused_ms, position_ms, state, player_name, device, device_id, product, platform, client_ip, \
         is_local, is_relayed, resolution, width, height, bitrate_kbps, video_codec, audio_codec, hdr, video_decision, \
         audio_decision, decision, hw_transcode, bandwidth_kbps, session_json) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
         ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (server_id, play_key) DO UPDATE SET last_seen_at = excluded.last_seen_at, \
         played_ms = excluded.played_ms, paused_ms = excluded.paused_ms, position_ms = excluded.position_ms, \
         state = excluded.state, client_ip = excluded.client_ip, is_local = excluded.is_local, \
         is_relayed = excluded.is_relayed, resolution = excluded.resolution, width = excluded.width, \
         height = excluded.height, bitrate_kbps = excluded.bitrate_kbps, video_codec = excluded.video_codec, \
         audio_codec = excluded.audio_codec, hdr = excluded.hdr, video_decision = excluded.video_decision, \
         audio_decision = excluded.audio_decision, decision = excluded.decision, \
         hw_transcode = excluded.hw_transcode, bandwidth_kbps = excluded.bandwidth_kbps, \
         session_json = excluded.session_json \
         RETURNING id",
    )
    .bind(server.0)
    .bind(key(play)?)
    .bind(account)
    .bind(row.resumes.map(key).transpose()?)
    .bind(&s.session_key)
    .bind(&s.media.item_key)
    .bind(tag(&s.media.media_type))
    .bind(&s.media.title)
    .bind(&s.media.grandparent_title)
    .bind(&s.media.parent_title)
    .bind(s.media.season_number)
    .bind(s.media.episode_number)
    .bind(s.media.year)
    .bind(s.media.duration_ms.map(ms))
    .bind(to_ms(row.started_at))
    .bind(to_ms(row.last_seen_at))
    .bind(ms(row.played_ms))
    .bind(ms(row.paused_ms))
    .bind(s.position_ms.map(ms))
    .bind(tag(&s.state))
    .bind(&s.player.name)
    .bind(&s.player.device)
    .bind(&s.player.device_id)
    .bind(&s.player.product)
    .bind(&s.player.platform)
    .bind(s.client_ip.map(|ip| ip.to_string()))
    .bind(s.is_local)
    .bind(s.is_relayed)
    .bind(s.quality.resolution.map(|r| r.label()))
    .bind(s.quality.width)
    .bind(s.quality.height)
    .bind(s.quality.bitrate_kbps)
    .bind(&s.quality.video_codec)
    .bind(&s.quality.audio_codec)
    .bind(s.quality.hdr)
    .bind(s.decision.video.map(|d| tag(&d)))
    .bind(s.decision.audio.map(|d| tag(&d)))
    .bind(tag(&s.decision.overall))
    .bind(s.decision.hw_transcode)
    .bind(s.bandwidth_kbps)
    .bind(&row.session_json)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

async fn stop(
    conn: &mut SqliteConnection,
    server: ServerId,
    summary: &PlaySummary,
    reason: StopReason,
    session: &MediaSession,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = Row {
        started_at: summary.started_at,
        last_seen_at: summary.last_seen_at,
        played_ms: summary.played_ms,
        paused_ms: summary.paused_ms,
        resumes: summary.resumes,
        session,
        session_json: None,
    };
    let id = upsert(conn, server, summary.play, &row, now).await?;
    sqlx::query(
        "UPDATE plays SET ended_at = ?, stop_reason = ?, watched = ?, short = ?, position_ms = ?, \
         session_json = NULL WHERE id = ?",
    )
    .bind(to_ms(summary.ended_at))
    .bind(tag(&reason))
    .bind(summary.watched)
    .bind(summary.short)
    .bind(summary.position_ms.map(ms))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records where a play's client is; the play row exists (its start is written first).
async fn locate(
    conn: &mut SqliteConnection,
    server: ServerId,
    play: PlayId,
    geo: &SessionGeo,
) -> Result<(), StoreError> {
    let loc = geo.location.as_ref();
    sqlx::query(
        "UPDATE plays SET address_class = ?, city = ?, region = ?, country_code = ?, country_name = ?, latitude = ?, \
         longitude = ?, accuracy_km = ?, asn = ?, asn_org = ?, anonymous = ? WHERE server_id = ? AND play_key = ?",
    )
    .bind(tag(&geo.class))
    .bind(loc.and_then(|l| l.city.as_deref()))
    .bind(loc.and_then(|l| l.region.as_deref()))
    .bind(geo.country_code.as_deref())
    .bind(geo.country_name.as_deref())
    .bind(loc.map(|l| l.point.lat))
    .bind(loc.map(|l| l.point.lon))
    .bind(loc.map(|l| l.accuracy_km))
    .bind(loc.and_then(|l| l.asn))
    .bind(loc.and_then(|l| l.asn_org.as_deref()))
    .bind(geo.anonymous)
    .bind(server.0)
    .bind(key(play)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl SqliteStore {
    pub(super) async fn active_play_rows(&self, server: ServerId) -> Result<Vec<ActivePlay>, StoreError> {
        let rows: Vec<ActiveRow> = sqlx::query_as(
            "SELECT play_key, started_at, last_seen_at, played_ms, paused_ms, resumes_key, session_json FROM plays \
             WHERE server_id = ? AND ended_at IS NULL AND session_json IS NOT NULL ORDER BY started_at, id",
        )
        .bind(server.0)
        .fetch_all(&self.reader)
        .await?;
        let mut plays = Vec::with_capacity(rows.len());
        for (play, started_at, last_seen_at, played_ms, paused_ms, resumes, json) in rows {
            let session: MediaSession = match serde_json::from_str(&json) {
                Ok(s) => s,
                Err(e) => {
                    // A row this build cannot read back ends at its last sighting on the next answer.
                    tracing::warn!(server = server.0, play, error = %e, "an active play's stored session is unreadable");
                    continue;
                }
            };
            plays.push(ActivePlay {
                id: unkey(play)?,
                started_at: from_ms(started_at)?,
                last_seen_at: from_ms(last_seen_at)?,
                played_ms: unms(played_ms),
                paused_ms: unms(paused_ms),
                resumes: resumes.map(unkey).transpose()?,
                session,
            });
        }
        Ok(plays)
    }

    pub(super) async fn recent_stop_rows(
        &self,
        server: ServerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<RecentStop>, StoreError> {
        let rows: Vec<(i64, String, String, i64, bool)> = sqlx::query_as(
            "SELECT p.play_key, a.external_id, p.item_key, p.ended_at, p.watched FROM plays p \
             JOIN media_accounts a ON a.id = p.account_id \
             WHERE p.server_id = ? AND p.ended_at IS NOT NULL AND p.ended_at >= ? ORDER BY p.ended_at, p.id",
        )
        .bind(server.0)
        .bind(to_ms(since))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|(play, user_id, item_key, ended_at, watched)| {
                Ok(RecentStop { play: unkey(play)?, user_id, item_key, ended_at: from_ms(ended_at)?, watched })
            })
            .collect()
    }

    pub(super) async fn write_play_rows(
        &self,
        server: ServerId,
        writes: &[PlayWrite],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        for write in writes {
            match write {
                PlayWrite::Active(play) => {
                    let json = serde_json::to_string(&play.session).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let row = Row {
                        started_at: play.started_at,
                        last_seen_at: play.last_seen_at,
                        played_ms: play.played_ms,
                        paused_ms: play.paused_ms,
                        resumes: play.resumes,
                        session: &play.session,
                        session_json: Some(json),
                    };
                    upsert(&mut tx, server, play.id, &row, now).await?;
                }
                PlayWrite::Stopped { summary, reason, session } => {
                    stop(&mut tx, server, summary, *reason, session, now).await?;
                }
                PlayWrite::Located { play, geo } => locate(&mut tx, server, *play, geo).await?,
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn count_plays(&self, since: DateTime<Utc>) -> Result<PlayCounts, StoreError> {
        let (plays, ended_played_ms, accounts): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ended_at IS NOT NULL THEN played_ms END), 0), \
             COUNT(DISTINCT account_id) FROM plays WHERE started_at >= ?",
        )
        .bind(to_ms(since))
        .fetch_one(&self.reader)
        .await?;
        Ok(PlayCounts { plays: unms(plays), ended_played_ms: unms(ended_played_ms), accounts: unms(accounts) })
    }
}
