//! From the page's form to a backend history query, and from stored chains to the views the page
//! shows (pure, tested here).

use super::{ChainView, HistoryForm, HistoryList, PlayIncidentView, SessionView};
use crate::api::map::Choice;
use crate::api::map::convert::user_value;
use crate::error::AppError;
use chrono::{Duration, NaiveDate};
use sightline_backend::history::{HistoryError, HistoryParams, HistoryQuery};
use sightline_backend::store::history::{HistoryChain, HistoryPage, HistorySession, PlayIncident};
use sightline_backend::store::insight::AccountChoice;
use sightline_domain::rules::RuleType;

fn some(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// A `YYYY-MM-DD` date as the RFC 3339 start of that UTC day, `days` later.
fn day(field: &str, v: &str, days: i64) -> Result<Option<String>, AppError> {
    let Some(v) = some(v) else { return Ok(None) };
    let date = NaiveDate::parse_from_str(&v, "%Y-%m-%d")
        .map_err(|_| AppError::Invalid { field: field.to_owned(), message: "expected a date".to_owned() })?;
    let start = date.and_hms_opt(0, 0, 0).map(|t| t.and_utc() + Duration::days(days));
    Ok(start.map(|t| t.to_rfc3339()))
}

pub(crate) fn error(e: &HistoryError) -> AppError {
    match e {
        HistoryError::Invalid { field, message } => {
            AppError::Invalid { field: (*field).to_owned(), message: format!("{field}: {message}") }
        }
        HistoryError::Store(e) => crate::ssr::internal(e),
    }
}

/// The backend query of the form (the `to` date included), one page of [`super::PAGE_SIZE`].
pub(crate) fn query(f: &HistoryForm, after: &str) -> Result<HistoryQuery, AppError> {
    let params = HistoryParams {
        users: some(&f.users),
        media_type: some(&f.media_type),
        from: day("from", &f.from, 0)?,
        to: day("to", &f.to, 1)?,
        platform: some(&f.platform),
        product: some(&f.product),
        device: some(&f.device),
        ip: some(&f.ip),
        country: some(&f.country),
        city: some(&f.city),
        decision: some(&f.decision),
        watched: some(&f.watched),
        q: some(&f.q),
        sort: some(&f.sort),
        after: some(after),
        limit: Some(super::PAGE_SIZE.to_string()),
        ..HistoryParams::default()
    };
    params.parse().map_err(|e| error(&e))
}

fn minutes(ms: u64) -> String {
    let m = ms / 60_000;
    if m >= 60 { format!("{} h {:02} min", m / 60, m % 60) } else { format!("{m} min") }
}

fn mbps(kbps: i64) -> String {
    format!("{:.1} Mbps", f64::from(i32::try_from(kbps).unwrap_or(i32::MAX)) / 1000.0)
}

fn words(tag: &str) -> String {
    tag.replace('_', " ")
}

fn join(parts: &[Option<&str>], sep: &str) -> String {
    parts.iter().flatten().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(sep)
}

fn session(s: &HistorySession) -> SessionView {
    let resolution = s.resolution.as_deref().map(|r| if r.ends_with('k') { r.to_uppercase() } else { format!("{r}p") });
    let codecs = match (s.video_codec.as_deref(), s.audio_codec.as_deref()) {
        (Some(v), Some(a)) if !v.is_empty() => Some(format!("{v} / {a}")),
        (_, Some(a)) => Some(a.to_owned()),
        (Some(v), None) => Some(v.to_owned()),
        (None, None) => None,
    };
    let bitrate = s.bitrate_kbps.map(mbps);
    let stream = join(&[resolution.as_deref(), codecs.as_deref(), bitrate.as_deref(), s.hdr.then_some("HDR")], " · ");
    let parts: Vec<String> = [("video", &s.video_decision), ("audio", &s.audio_decision)]
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k} {}", words(v))))
        .collect();
    let mut decision = words(&s.decision);
    if let Some(first) = decision.get(..1) {
        decision = format!("{}{}", first.to_uppercase(), &decision[1..]);
    }
    if !parts.is_empty() {
        decision = format!("{decision} ({})", parts.join(", "));
    }
    if s.hw_transcode {
        decision.push_str(" · hardware");
    }
    SessionView {
        id: s.id,
        started: crate::ssr::fmt_time(s.started_at),
        ended: s.ended_at.map(crate::ssr::fmt_time).unwrap_or_else(|| "playing".to_owned()),
        played: minutes(s.played_ms),
        watched: s.watched,
        stream,
        decision,
        bandwidth: s.bandwidth_kbps.map(mbps).unwrap_or_default(),
        device: join(
            &[s.player_name.as_deref(), s.device.as_deref(), s.product.as_deref(), s.platform.as_deref()],
            " · ",
        ),
        ip: s.client_ip.clone().unwrap_or_default(),
        place: join(&[s.city.as_deref(), s.region.as_deref(), s.country_name.as_deref()], ", "),
        network: match (s.asn, s.asn_org.as_deref()) {
            (Some(n), Some(org)) => format!("AS{n} {org}"),
            (Some(n), None) => format!("AS{n}"),
            _ => String::new(),
        },
        incidents: s.incidents.iter().map(play_incident).collect(),
    }
}

fn play_incident(i: &PlayIncident) -> PlayIncidentView {
    let kind = serde_json::from_value::<RuleType>(serde_json::Value::String(i.rule_kind.clone()))
        .map_or_else(|_| words(&i.rule_kind), |k| crate::model::rule_form::kind_label(k).to_owned());
    PlayIncidentView {
        id: i.id, label: format!("{kind} · {} · {}", i.severity, i.status), summary: i.summary.clone()
    }
}

fn title(c: &HistoryChain) -> String {
    match (&c.grandparent_title, c.season_number, c.episode_number) {
        (Some(show), Some(s), Some(e)) => format!("{show} — S{s}E{e} · {}", c.title),
        (Some(parent), _, _) => format!("{parent} — {}", c.title),
        _ => match c.year {
            Some(y) => format!("{} ({y})", c.title),
            None => c.title.clone(),
        },
    }
}

pub(crate) fn chain(c: &HistoryChain) -> ChainView {
    ChainView {
        head: c.head,
        started: crate::ssr::fmt_time(c.started_at),
        account: c.account_name.clone(),
        server: c.server_name.clone(),
        title: title(c),
        media_type: words(&c.media_type),
        played: minutes(c.played_ms()),
        watched: c.watched(),
        sessions: c.sessions.iter().map(session).collect(),
    }
}

pub(crate) fn list(page: HistoryPage, accounts: &[AccountChoice]) -> HistoryList {
    HistoryList {
        items: page.items.iter().map(chain).collect(),
        next: page.next.as_ref().map(sightline_backend::history::cursor_text),
        accounts: accounts
            .iter()
            .map(|a| Choice { value: user_value(&a.user), label: format!("{} ({})", a.name, a.server_name) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_whole_utc_days() {
        let f = HistoryForm { from: "2026-11-01".into(), to: "2026-11-30".into(), ..HistoryForm::default() };
        let q = query(&f, "").expect("parses");
        assert_eq!(q.filter.from.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-01T00:00:00+00:00"));
        assert_eq!(q.filter.to.map(|t| t.to_rfc3339()).as_deref(), Some("2026-12-01T00:00:00+00:00"));
        assert_eq!(q.limit, super::super::PAGE_SIZE);
        let bad = HistoryForm { from: "yesterday".into(), ..HistoryForm::default() };
        assert!(matches!(query(&bad, ""), Err(AppError::Invalid { field, .. }) if field == "from"));
        let bad = HistoryForm { country: "Sweden".into(), ..HistoryForm::default() };
        assert!(matches!(query(&bad, ""), Err(AppError::Invalid { field, .. }) if field == "country"));
    }

    #[test]
    fn durations_read_as_minutes_and_hours() {
        assert_eq!(minutes(59_999), "0 min");
        assert_eq!(minutes(42 * 60_000), "42 min");
        assert_eq!(minutes(125 * 60_000), "2 h 05 min");
        assert_eq!(mbps(10_000), "10.0 Mbps");
    }
}
