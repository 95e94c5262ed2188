//! History query parameters, as text from a URL or a form, checked one by one into a filter,
//! an order, a cursor and a page size. Errors name the parameter.

use super::{DEFAULT_LIMIT, HistoryError, MAX_LIMIT};
use crate::store::history::{HistoryCursor, HistoryFilter, HistorySort};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;

/// The longest free-text or exact-match value.
const MAX_TEXT: usize = 200;
/// At most this many values in a list parameter.
const MAX_LIST: usize = 100;
/// The overall decisions a play can have.
const DECISIONS: [&str; 3] = ["direct_play", "direct_stream", "transcode"];
/// The media types plays are stored with.
const MEDIA_TYPES: [&str; 5] = ["movie", "episode", "track", "live_tv", "other"];

/// The parameters as given; every one optional. Lists are comma-separated: `users` holds
/// `<server id>:<user id>` pairs, `servers` server ids, `media_type` media types.
/// `from`/`to` are UTC milliseconds or RFC 3339 (`to` is exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryParams {
    pub users: Option<String>,
    pub servers: Option<String>,
    pub media_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub platform: Option<String>,
    pub product: Option<String>,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub decision: Option<String>,
    pub watched: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub after: Option<String>,
    pub limit: Option<String>,
    pub count: Option<String>,
}

/// A checked query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub filter: HistoryFilter,
    pub sort: HistorySort,
    pub after: Option<HistoryCursor>,
    pub limit: u32,
    pub count: bool,
}

fn invalid(field: &'static str, message: impl Into<String>) -> HistoryError {
    HistoryError::Invalid { field, message: message.into() }
}

/// A trimmed, non-empty value of at most [`MAX_TEXT`] characters.
fn text(field: &'static str, value: Option<&String>) -> Result<Option<String>, HistoryError> {
    let Some(v) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        return Err(invalid(field, format!("at most {MAX_TEXT} characters, no control characters")));
    }
    Ok(Some(v.to_owned()))
}

fn list(field: &'static str, value: Option<&String>) -> Result<Vec<String>, HistoryError> {
    let items: Vec<String> = value
        .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if items.len() > MAX_LIST {
        return Err(invalid(field, format!("at most {MAX_LIST} values")));
    }
    Ok(items)
}

fn user(raw: &str) -> Result<UserRef, HistoryError> {
    let (server, user_id) = raw.split_once(':').ok_or_else(|| invalid("users", "expected <server id>:<user id>"))?;
    let server: i64 = server.parse().map_err(|_| invalid("users", "expected <server id>:<user id>"))?;
    if user_id.is_empty() || user_id.len() > MAX_TEXT {
        return Err(invalid("users", "expected <server id>:<user id>"));
    }
    Ok(UserRef { server_id: ServerId(server), user_id: user_id.to_owned() })
}

fn moment(field: &'static str, value: Option<&String>) -> Result<Option<DateTime<Utc>>, HistoryError> {
    let Some(v) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(None) };
    if let Ok(ms) = v.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms).map(Some).ok_or_else(|| invalid(field, "out of range"));
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| invalid(field, "expected UTC milliseconds or an RFC 3339 time"))
}

fn flag(field: &'static str, value: Option<&String>) -> Result<Option<bool>, HistoryError> {
    match value.map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some("1" | "true" | "yes") => Ok(Some(true)),
        Some("0" | "false" | "no") => Ok(Some(false)),
        Some(_) => Err(invalid(field, "expected true or false")),
    }
}

/// The text form of a cursor: `<started ms>.<head id>` and, for the title order, `.<title>`.
#[must_use]
pub fn cursor_text(c: &HistoryCursor) -> String {
    match &c.title {
        Some(t) => format!("{}.{}.{t}", c.started_ms, c.head),
        None => format!("{}.{}", c.started_ms, c.head),
    }
}

/// Reads [`cursor_text`] back.
pub fn parse_cursor(raw: &str) -> Result<HistoryCursor, HistoryError> {
    let bad = || invalid("after", "not a cursor from a previous page");
    let mut parts = raw.splitn(3, '.');
    let started_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let head = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let title = parts.next().map(str::to_owned);
    Ok(HistoryCursor { started_ms, head, title })
}

impl HistoryParams {
    /// Checks every parameter; the first bad one is the error.
    pub fn parse(&self) -> Result<HistoryQuery, HistoryError> {
        let accounts = list("users", self.users.as_ref())?.iter().map(|u| user(u)).collect::<Result<_, _>>()?;
        let servers = list("servers", self.servers.as_ref())?
            .iter()
            .map(|s| s.parse::<i64>().map(ServerId).map_err(|_| invalid("servers", "expected server ids")))
            .collect::<Result<_, _>>()?;
        let media_types = list("media_type", self.media_type.as_ref())?;
        if let Some(bad) = media_types.iter().find(|t| !MEDIA_TYPES.contains(&t.as_str())) {
            return Err(invalid("media_type", format!("unknown media type {bad:?}")));
        }
        let (from, to) = (moment("from", self.from.as_ref())?, moment("to", self.to.as_ref())?);
        if let (Some(f), Some(t)) = (from, to)
            && t <= f
        {
            return Err(invalid("to", "must be after from"));
        }
        let decision = text("decision", self.decision.as_ref())?;
        if decision.as_deref().is_some_and(|d| !DECISIONS.contains(&d)) {
            return Err(invalid("decision", "expected direct_play, direct_stream or transcode"));
        }
        let ip = text("ip", self.ip.as_ref())?;
        if let Some(raw) = &ip {
            let parsed: std::net::IpAddr = raw.parse().map_err(|_| invalid("ip", "not an IP address"))?;
            if parsed.to_string() != *raw {
                return Err(invalid("ip", format!("write it as {parsed}")));
            }
        }
        let country = text("country", self.country.as_ref())?.map(|c| c.to_ascii_uppercase());
        if country.as_deref().is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Err(invalid("country", "expected a two-letter country code"));
        }
        let sort = match text("sort", self.sort.as_ref())? {
            None => HistorySort::Newest,
            Some(s) => HistorySort::parse(&s).ok_or_else(|| invalid("sort", "expected newest, oldest or title"))?,
        };
        let after = self.after.as_deref().filter(|a| !a.is_empty()).map(parse_cursor).transpose()?;
        let limit = match self.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| invalid("limit", format!("expected 1 to {MAX_LIMIT}")))?,
        };
        Ok(HistoryQuery {
            filter: HistoryFilter {
                accounts,
                servers,
                media_types,
                from,
                to,
                platform: text("platform", self.platform.as_ref())?,
                product: text("product", self.product.as_ref())?,
                device: text("device", self.device.as_ref())?,
                ip,
                country,
                city: text("city", self.city.as_ref())?,
                decision,
                watched: flag("watched", self.watched.as_ref())?,
                text: text("q", self.q.as_ref())?,
            },
            sort,
            after,
            limit,
            count: flag("count", self.count.as_ref())?.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(p: &HistoryParams) -> &'static str {
        match p.parse() {
            Err(HistoryError::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn nothing_given_is_the_first_page_of_everything() {
        let q = HistoryParams::default().parse().expect("parses");
        assert_eq!(q.filter, HistoryFilter::default());
        assert_eq!((q.sort, q.after, q.limit, q.count), (HistorySort::Newest, None, DEFAULT_LIMIT, false));
    }

    #[test]
    fn every_parameter_is_read() {
        let p = HistoryParams {
            users: Some("1:alice, 2:0f3a:guid".to_owned()),
            servers: Some("1,2".to_owned()),
            media_type: Some("movie,episode".to_owned()),
            from: Some("1764072000000".to_owned()),
            to: Some("2026-11-26T00:00:00Z".to_owned()),
            platform: Some(" Roku ".to_owned()),
            product: Some("Plex Web".to_owned()),
            device: Some("iPhone".to_owned()),
            ip: Some("2001:480::1".to_owned()),
            country: Some("gb".to_owned()),
            city: Some("London".to_owned()),
            decision: Some("transcode".to_owned()),
            watched: Some("true".to_owned()),
            q: Some("the bear".to_owned()),
            sort: Some("title".to_owned()),
            after: Some("1764072000000.42.Lock. Stock".to_owned()),
            limit: Some("500".to_owned()),
            count: Some("1".to_owned()),
        };
        let q = p.parse().expect("parses");
        assert_eq!(q.filter.accounts[1], UserRef { server_id: ServerId(2), user_id: "0f3a:guid".to_owned() });
        assert_eq!(q.filter.servers, [ServerId(1), ServerId(2)]);
        assert_eq!(q.filter.media_types, ["movie", "episode"]);
        assert_eq!(q.filter.from.map(|t| t.timestamp_millis()), Some(1_764_072_000_000));
        assert_eq!(q.filter.to.map(|t| t.timestamp_millis()), Some(1_795_651_200_000));
        assert_eq!(q.filter.platform.as_deref(), Some("Roku"));
        assert_eq!(q.filter.country.as_deref(), Some("GB"));
        assert_eq!(q.filter.watched, Some(true));
        assert_eq!(q.filter.text.as_deref(), Some("the bear"));
        assert_eq!(q.sort, HistorySort::Title);
        let after = q.after.expect("cursor");
        assert_eq!(
            (after.started_ms, after.head, after.title.as_deref()),
            (1_764_072_000_000, 42, Some("Lock. Stock"))
        );
        assert_eq!(cursor_text(&after), "1764072000000.42.Lock. Stock");
        assert_eq!((q.limit, q.count), (500, true));
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let with = |f: fn(&mut HistoryParams)| {
            let mut p = HistoryParams::default();
            f(&mut p);
            p
        };
        assert_eq!(field(&with(|p| p.users = Some("alice".to_owned()))), "users");
        assert_eq!(field(&with(|p| p.servers = Some("x".to_owned()))), "servers");
        assert_eq!(field(&with(|p| p.media_type = Some("film".to_owned()))), "media_type");
        assert_eq!(field(&with(|p| p.from = Some("yesterday".to_owned()))), "from");
        assert_eq!(
            field(&with(|p| {
                p.from = Some("2000".to_owned());
                p.to = Some("1000".to_owned());
            })),
            "to"
        );
        assert_eq!(field(&with(|p| p.ip = Some("1.2.3".to_owned()))), "ip");
        assert_eq!(field(&with(|p| p.ip = Some("2001:0480::1".to_owned()))), "ip");
        assert_eq!(field(&with(|p| p.country = Some("GBR".to_owned()))), "country");
        assert_eq!(field(&with(|p| p.decision = Some("copy".to_owned()))), "decision");
        assert_eq!(field(&with(|p| p.watched = Some("maybe".to_owned()))), "watched");
        assert_eq!(field(&with(|p| p.q = Some("x".repeat(201)))), "q");
        assert_eq!(field(&with(|p| p.sort = Some("longest".to_owned()))), "sort");
        assert_eq!(field(&with(|p| p.after = Some("12".to_owned()))), "after");
        assert_eq!(field(&with(|p| p.limit = Some("0".to_owned()))), "limit");
        assert_eq!(field(&with(|p| p.limit = Some("501".to_owned()))), "limit");
    }
}
