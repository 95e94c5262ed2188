//! History on SQLite: chain keys found by walking one `(…, chain_started_at, chain_head)` index in
//! page order (rows of one chain are adjacent, so they are folded in Rust), then the chains' plays
//! read by `chain_head`; title words go through the `plays_fts` index. Queries are built with
//! only the filters given, every value bound.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::StoreError;
use crate::store::history::{
    HistoryChain, HistoryCursor, HistoryFilter, HistoryPage, HistorySession, HistorySort, HistoryStore, PlayIncident,
};
use async_trait::async_trait;
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;
use sqlx::{QueryBuilder, Sqlite};

/// At most this many title words are searched.
const MAX_WORDS: usize = 8;
/// Bulk deletes go in statements of this many ids.
const DELETE_CHUNK: usize = 500;

/// The FTS5 query for free text: each word quoted (quotes doubled) and matched as a prefix.
/// `None` when there is no word.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn push_eq(qb: &mut QueryBuilder<Sqlite>, column: &str, value: Option<&String>) {
    if let Some(v) = value {
        qb.push(format!(" AND p.{column} = ")).push_bind(v.clone());
    }
}

/// How the title words narrow the plays.
#[derive(Debug, Clone)]
enum Text {
    None,
    /// Few matches: the FTS index drives, each match is looked up and sorted.
    Drive(String),
    /// Many matches: the page-order index is walked and each row tested against the match set,
    /// so a page stops after a few hundred rows instead of sorting every match.
    Probe(String),
}

/// Matches below this count are looked up one by one; above it the page-order walk wins.
const DRIVE_MAX: i64 = if cfg!(test) { 2 } else { 4_000 };

/// The parts of a filter that are resolved before the page query.
struct Resolved {
    /// `media_accounts.id`s of the chosen accounts (`None`: no account filter).
    accounts: Option<Vec<i64>>,
    text: Text,
}

/// `FROM … WHERE …` for the filter (always ends inside the WHERE, so callers append `AND …`).
fn push_from_where(qb: &mut QueryBuilder<Sqlite>, f: &HistoryFilter, r: &Resolved) {
    match &r.text {
        Text::Drive(q) => {
            qb.push(" FROM plays_fts f CROSS JOIN plays p ON p.id = f.rowid WHERE plays_fts MATCH ")
                .push_bind(q.clone());
        }
        Text::Probe(q) => {
            // `+p.id` keeps the planner from driving by rowid: it walks the page-order index.
            qb.push(" FROM plays p WHERE +p.id IN (SELECT rowid FROM plays_fts WHERE plays_fts MATCH ")
                .push_bind(q.clone())
                .push(")");
        }
        Text::None => {
            qb.push(" FROM plays p WHERE p.chain_head IS NOT NULL");
        }
    }
    if let Some(ids) = &r.accounts {
        if ids.is_empty() {
            qb.push(" AND 0");
        } else {
            qb.push(" AND p.account_id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
        }
    }
    if !f.servers.is_empty() {
        qb.push(" AND p.server_id IN (");
        let mut list = qb.separated(", ");
        for s in &f.servers {
            list.push_bind(s.0);
        }
        qb.push(")");
    }
    if !f.media_types.is_empty() {
        qb.push(" AND p.media_type IN (");
        let mut list = qb.separated(", ");
        for t in &f.media_types {
            list.push_bind(t.clone());
        }
        qb.push(")");
    }
    if let Some(from) = f.from {
        qb.push(" AND p.chain_started_at >= ").push_bind(to_ms(from));
    }
    if let Some(to) = f.to {
        qb.push(" AND p.chain_started_at < ").push_bind(to_ms(to));
    }
    push_eq(qb, "platform", f.platform.as_ref());
    push_eq(qb, "product", f.product.as_ref());
    push_eq(qb, "device", f.device.as_ref());
    push_eq(qb, "client_ip", f.ip.as_ref());
    push_eq(qb, "country_code", f.country.as_ref());
    push_eq(qb, "city", f.city.as_ref());
    push_eq(qb, "decision", f.decision.as_ref());
    if let Some(w) = f.watched {
        qb.push(" AND p.watched = ").push_bind(w);
    }
}

/// The keyset condition and order for `sort`, after `after`.
fn push_page_order(qb: &mut QueryBuilder<Sqlite>, sort: HistorySort, after: Option<&HistoryCursor>) {
    match sort {
        HistorySort::Newest => {
            if let Some(c) = after {
                qb.push(" AND (p.chain_started_at, p.chain_head) < (").push_bind(c.started_ms);
                qb.push(", ").push_bind(c.head).push(")");
            }
            qb.push(" ORDER BY p.chain_started_at DESC, p.chain_head DESC");
        }
        HistorySort::Oldest => {
            if let Some(c) = after {
                qb.push(" AND (p.chain_started_at, p.chain_head) > (").push_bind(c.started_ms);
                qb.push(", ").push_bind(c.head).push(")");
            }
            qb.push(" ORDER BY p.chain_started_at, p.chain_head");
        }
        HistorySort::Title => {
            if let Some(c) = after {
                let title = c.title.clone().unwrap_or_default();
                qb.push(" AND (p.title COLLATE NOCASE > ").push_bind(title.clone());
                qb.push(" OR (p.title = ")
                    .push_bind(title)
                    .push(" COLLATE NOCASE AND (p.chain_started_at, p.chain_head) < (");
                qb.push_bind(c.started_ms).push(", ").push_bind(c.head).push(")))");
            }
            qb.push(" ORDER BY p.title COLLATE NOCASE, p.chain_started_at DESC, p.chain_head DESC");
        }
    }
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    chain_started_at: i64,
    chain_head: i64,
    title: String,
}

#[derive(sqlx::FromRow)]
struct PlayRow {
    id: i64,
    play_server_id: i64,
    play_key: i64,
    chain_head: i64,
    chain_started_at: i64,
    server_id: i64,
    external_id: String,
    account_name: String,
    server_name: String,
    media_type: String,
    item_key: String,
    title: String,
    grandparent_title: Option<String>,
    parent_title: Option<String>,
    season_number: Option<i64>,
    episode_number: Option<i64>,
    year: Option<i64>,
    duration_ms: Option<i64>,
    session_key: String,
    started_at: i64,
    last_seen_at: i64,
    ended_at: Option<i64>,
    stop_reason: Option<String>,
    state: String,
    played_ms: i64,
    paused_ms: i64,
    position_ms: Option<i64>,
    watched: bool,
    short: bool,
    player_name: Option<String>,
    device: Option<String>,
    device_id: Option<String>,
    product: Option<String>,
    platform: Option<String>,
    client_ip: Option<String>,
    is_local: Option<bool>,
    is_relayed: bool,
    resolution: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    bitrate_kbps: Option<i64>,
    bandwidth_kbps: Option<i64>,
    video_codec: Option<String>,
    audio_codec: Option<String>,
    hdr: bool,
    decision: String,
    video_decision: Option<String>,
    audio_decision: Option<String>,
    hw_transcode: bool,
    city: Option<String>,
    region: Option<String>,
    country_code: Option<String>,
    country_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    asn: Option<i64>,
    asn_org: Option<String>,
    anonymous: bool,
}

const PLAY_COLUMNS: &str = "SELECT p.id, p.server_id AS play_server_id, p.play_key, p.chain_head, p.chain_started_at, a.server_id, a.external_id, \
     a.name AS account_name, s.name AS server_name, p.media_type, p.item_key, p.title, p.grandparent_title, \
     p.parent_title, p.season_number, p.episode_number, p.year, p.duration_ms, p.session_key, p.started_at, \
     p.last_seen_at, p.ended_at, p.stop_reason, p.state, p.played_ms, p.paused_ms, p.position_ms, p.watched, \
     p.short, p.player_name, p.device, p.device_id, p.product, p.platform, p.client_ip, p.is_local, p.is_relayed, \
     p.resolution, p.width, p.height, p.bitrate_kbps, p.bandwidth_kbps, p.video_codec, p.audio_codec, p.hdr, \
     p.decision, p.video_decision, p.audio_decision, p.hw_transcode, p.city, p.region, p.country_code, \
     p.country_name, p.latitude, p.longitude, p.asn, p.asn_org, p.anonymous \
     FROM plays p JOIN media_accounts a ON a.id = p.account_id JOIN media_servers s ON s.id = p.server_id";

fn unsigned(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn session(r: &PlayRow) -> Result<HistorySession, StoreError> {
    Ok(HistorySession {
        id: r.id,
        session_key: r.session_key.clone(),
        started_at: from_ms(r.started_at)?,
        last_seen_at: from_ms(r.last_seen_at)?,
        ended_at: r.ended_at.map(from_ms).transpose()?,
        stop_reason: r.stop_reason.clone(),
        state: r.state.clone(),
        played_ms: unsigned(r.played_ms),
        paused_ms: unsigned(r.paused_ms),
        position_ms: r.position_ms.map(unsigned),
        watched: r.watched,
        short: r.short,
        player_name: r.player_name.clone(),
        device: r.device.clone(),
        device_id: r.device_id.clone(),
        product: r.product.clone(),
        platform: r.platform.clone(),
        client_ip: r.client_ip.clone(),
        is_local: r.is_local,
        is_relayed: r.is_relayed,
        resolution: r.resolution.clone(),
        width: r.width,
        height: r.height,
        bitrate_kbps: r.bitrate_kbps,
        bandwidth_kbps: r.bandwidth_kbps,
        video_codec: r.video_codec.clone(),
        audio_codec: r.audio_codec.clone(),
        hdr: r.hdr,
        decision: r.decision.clone(),
        video_decision: r.video_decision.clone(),
        audio_decision: r.audio_decision.clone(),
        hw_transcode: r.hw_transcode,
        city: r.city.clone(),
        region: r.region.clone(),
        country_code: r.country_code.clone(),
        country_name: r.country_name.clone(),
        latitude: r.latitude,
        longitude: r.longitude,
        asn: r.asn,
        asn_org: r.asn_org.clone(),
        anonymous: r.anonymous,
        incidents: Vec::new(),
    })
}

/// The tracker's play id of a row, as incidents' evidence spells it.
fn play_id(play_key: i64) -> String {
    format!("{play_key:016x}")
}

/// Folds plays ordered by (chain_head, started_at) into chains; the item comes from the first play.
fn chains(rows: &[PlayRow]) -> Result<Vec<HistoryChain>, StoreError> {
    let mut out: Vec<HistoryChain> = Vec::new();
    for r in rows {
        let s = session(r)?;
        match out.last_mut() {
            Some(chain) if chain.head == r.chain_head => chain.sessions.push(s),
            _ => out.push(HistoryChain {
                head: r.chain_head,
                started_at: from_ms(r.chain_started_at)?,
                account: UserRef { server_id: ServerId(r.server_id), user_id: r.external_id.clone() },
                account_name: r.account_name.clone(),
                server_name: r.server_name.clone(),
                media_type: r.media_type.clone(),
                item_key: r.item_key.clone(),
                title: r.title.clone(),
                grandparent_title: r.grandparent_title.clone(),
                parent_title: r.parent_title.clone(),
                season_number: r.season_number,
                episode_number: r.episode_number,
                year: r.year,
                duration_ms: r.duration_ms.map(unsigned),
                sessions: vec![s],
            }),
        }
    }
    Ok(out)
}

impl SqliteStore {
    async fn resolve(&self, f: &HistoryFilter) -> Result<Resolved, StoreError> {
        let accounts = if f.accounts.is_empty() {
            None
        } else {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM media_accounts WHERE ");
            for (i, u) in f.accounts.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push("(server_id = ").push_bind(u.server_id.0).push(" AND external_id = ");
                qb.push_bind(u.user_id.clone()).push(")");
            }
            let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(&self.reader).await?;
            Some(rows.into_iter().map(|(id,)| id).collect())
        };
        let text = match f.text.as_deref().and_then(fts_query) {
            None => Text::None,
            Some(q) => {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM plays_fts WHERE plays_fts MATCH ?1 LIMIT ?2)")
                        .bind(&q)
                        .bind(DRIVE_MAX)
                        .fetch_one(&self.reader)
                        .await?;
                if n < DRIVE_MAX { Text::Drive(q) } else { Text::Probe(q) }
            }
        };
        Ok(Resolved { accounts, text })
    }

    /// The distinct chain keys of the next page, in page order; at most `want`.
    async fn chain_keys(
        &self,
        filter: &HistoryFilter,
        sort: HistorySort,
        after: Option<&HistoryCursor>,
        want: usize,
    ) -> Result<Vec<KeyRow>, StoreError> {
        let resolved = self.resolve(filter).await?;
        let mut keys: Vec<KeyRow> = Vec::with_capacity(want);
        let mut cursor = after.cloned();
        // Rows of one chain are adjacent in page order; read batches until enough distinct chains.
        let batch = i64::try_from(want.saturating_mul(3).max(16)).unwrap_or(i64::MAX);
        loop {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT p.chain_started_at, p.chain_head, p.title");
            push_from_where(&mut qb, filter, &resolved);
            push_page_order(&mut qb, sort, cursor.as_ref());
            qb.push(" LIMIT ").push_bind(batch);
            let rows: Vec<KeyRow> = qb.build_query_as().fetch_all(&self.reader).await?;
            let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) == batch;
            for r in rows {
                if keys.last().is_some_and(|k| k.chain_head == r.chain_head) {
                    continue;
                }
                if keys.len() == want {
                    return Ok(keys);
                }
                keys.push(r);
            }
            match keys.last() {
                Some(last) if full => {
                    cursor = Some(HistoryCursor {
                        started_ms: last.chain_started_at,
                        head: last.chain_head,
                        title: Some(last.title.clone()),
                    });
                }
                _ => return Ok(keys),
            }
        }
    }

    async fn chain_rows(&self, heads: &[i64]) -> Result<Vec<PlayRow>, StoreError> {
        if heads.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(PLAY_COLUMNS);
        qb.push(" WHERE p.chain_head IN (");
        let mut list = qb.separated(", ");
        for h in heads {
            list.push_bind(*h);
        }
        qb.push(") ORDER BY p.chain_head, p.started_at, p.id");
        Ok(qb.build_query_as().fetch_all(&self.reader).await?)
    }

    /// The chains of these rows, each play with the incidents that name it (one query for all).
    async fn chains_with_incidents(&self, rows: &[PlayRow]) -> Result<Vec<HistoryChain>, StoreError> {
        let mut out = chains(rows)?;
        if rows.is_empty() {
            return Ok(out);
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT l.server_id, l.play_id, i.id, i.rule_kind, i.severity, i.status, i.summary \
             FROM incident_plays l JOIN incidents i ON i.id = l.incident_id WHERE l.play_id IN (",
        );
        let mut list = qb.separated(", ");
        for r in rows {
            list.push_bind(play_id(r.play_key));
        }
        qb.push(") ORDER BY i.id DESC");
        let found: Vec<(i64, String, i64, String, String, String, String)> =
            qb.build_query_as().fetch_all(&self.reader).await?;
        if found.is_empty() {
            return Ok(out);
        }
        let keys: std::collections::HashMap<i64, (i64, String)> =
            rows.iter().map(|r| (r.id, (r.play_server_id, play_id(r.play_key)))).collect();
        for session in out.iter_mut().flat_map(|c| c.sessions.iter_mut()) {
            let Some((server, play)) = keys.get(&session.id) else { continue };
            session.incidents = found
                .iter()
                .filter(|f| f.0 == *server && f.1 == *play)
                .map(|f| PlayIncident {
                    id: f.2,
                    rule_kind: f.3.clone(),
                    severity: f.4.clone(),
                    status: f.5.clone(),
                    summary: f.6.clone(),
                })
                .collect();
        }
        Ok(out)
    }
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn history_page(
        &self,
        filter: &HistoryFilter,
        sort: HistorySort,
        after: Option<&HistoryCursor>,
        limit: u32,
    ) -> Result<HistoryPage, StoreError> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX).max(1);
        let mut keys = self.chain_keys(filter, sort, after, limit.saturating_add(1)).await?;
        let next = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().map(|k| HistoryCursor {
                started_ms: k.chain_started_at,
                head: k.chain_head,
                title: (sort == HistorySort::Title).then(|| k.title.clone()),
            })
        } else {
            None
        };
        let heads: Vec<i64> = keys.iter().map(|k| k.chain_head).collect();
        let mut found = self.chains_with_incidents(&self.chain_rows(&heads).await?).await?;
        // Back into page order.
        let mut items = Vec::with_capacity(found.len());
        for head in heads {
            if let Some(i) = found.iter().position(|c| c.head == head) {
                items.push(found.swap_remove(i));
            }
        }
        Ok(HistoryPage { items, next })
    }

    async fn history_count(&self, filter: &HistoryFilter) -> Result<u64, StoreError> {
        let mut resolved = self.resolve(filter).await?;
        // A count reads every match anyway: let the text index drive.
        if let Text::Probe(q) = resolved.text {
            resolved.text = Text::Drive(q);
        }
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(DISTINCT p.chain_head)");
        push_from_where(&mut qb, filter, &resolved);
        let (n,): (i64,) = qb.build_query_as().fetch_one(&self.reader).await?;
        Ok(unsigned(n))
    }

    async fn history_chain(&self, play_id: i64) -> Result<Option<HistoryChain>, StoreError> {
        let head: Option<(Option<i64>,)> = sqlx::query_as("SELECT chain_head FROM plays WHERE id = ?")
            .bind(play_id)
            .fetch_optional(&self.reader)
            .await?;
        let Some((Some(head),)) = head else { return Ok(None) };
        Ok(self.chains_with_incidents(&self.chain_rows(&[head]).await?).await?.into_iter().next())
    }

    async fn delete_plays(&self, ids: &[i64]) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let mut deleted = 0;
        for chunk in ids.chunks(DELETE_CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM plays WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            deleted += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
