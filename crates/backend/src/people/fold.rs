//! Pure folding for a person's page: per-account rollup rows into one row per device and per
//! address (counts summed, first and last sightings widened, names and places from the newest),
//! and a history chain into the short line the page lists.

use crate::store::history::HistoryChain;
use crate::store::people::{AddressRecord, DeviceRecord, PersonAccount};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sightline_domain::rules::UserRef;
use std::collections::HashMap;

/// A player the person used, over all their accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSummary {
    /// The server's device id, or `~` and the player's name.
    pub key: String,
    /// The player's name, else the device or the app; never empty.
    pub name: String,
    pub device: Option<String>,
    pub product: Option<String>,
    pub platform: Option<String>,
    pub plays: u64,
    pub played_ms: u64,
    pub first_play_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The servers it played from, sorted.
    pub servers: Vec<String>,
}

/// A client address the person streamed from, over all their accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressSummary {
    pub ip: String,
    pub plays: u64,
    pub first_play_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<i64>,
    pub asn_org: Option<String>,
    /// The servers it streamed from, sorted.
    pub servers: Vec<String>,
}

/// One resume chain of the person's recent history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentPlay {
    /// The chain's head play id.
    pub head: i64,
    /// "Show — S1 E2 · Episode" for episodes, else the title.
    pub title: String,
    pub media_type: String,
    pub started_at: DateTime<Utc>,
    pub played_ms: u64,
    pub watched: bool,
    pub account: UserRef,
    pub server_name: String,
    /// The newest play's player and place.
    pub player: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
}

fn server_names(ids: &[i64], accounts: &[PersonAccount]) -> Vec<String> {
    let mut names: Vec<String> =
        accounts.iter().filter(|a| ids.contains(&a.id)).map(|a| a.server_name.clone()).collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup();
    names
}

/// One row per device key, newest sighting first (then most plays, then key).
#[must_use]
pub fn devices(rows: &[DeviceRecord], accounts: &[PersonAccount]) -> Vec<DeviceSummary> {
    let mut by_key: HashMap<&str, (DeviceSummary, Vec<i64>)> = HashMap::new();
    for r in rows {
        let entry = by_key.entry(r.device_key.as_str()).or_insert_with(|| {
            let summary = DeviceSummary {
                key: r.device_key.clone(),
                name: String::new(),
                device: None,
                product: None,
                platform: None,
                plays: 0,
                played_ms: 0,
                first_play_at: r.first_play_at,
                last_seen_at: r.last_seen_at,
                servers: Vec::new(),
            };
            (summary, Vec::new())
        });
        let (d, ids) = entry;
        if d.name.is_empty() || r.last_seen_at >= d.last_seen_at {
            d.name = r
                .player_name
                .clone()
                .or_else(|| r.device.clone())
                .or_else(|| r.product.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "Unknown player".to_owned());
            d.device.clone_from(&r.device);
            d.product.clone_from(&r.product);
            d.platform.clone_from(&r.platform);
        }
        d.plays += r.plays;
        d.played_ms += r.played_ms;
        d.first_play_at = d.first_play_at.min(r.first_play_at);
        d.last_seen_at = d.last_seen_at.max(r.last_seen_at);
        ids.push(r.account_id);
    }
    let mut out: Vec<DeviceSummary> = by_key
        .into_values()
        .map(|(mut d, ids)| {
            d.servers = server_names(&ids, accounts);
            d
        })
        .collect();
    out.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then(b.plays.cmp(&a.plays)).then(a.key.cmp(&b.key)));
    out
}

/// One row per address, newest sighting first (then most plays, then address). The place is the
/// one of the newest looked-up play over the accounts.
#[must_use]
pub fn addresses(rows: &[AddressRecord], accounts: &[PersonAccount]) -> Vec<AddressSummary> {
    /// The address so far, when its place was seen, and the accounts that used it.
    type Seen = (AddressSummary, Option<DateTime<Utc>>, Vec<i64>);
    let mut by_ip: HashMap<&str, Seen> = HashMap::new();
    for r in rows {
        let entry = by_ip.entry(r.ip.as_str()).or_insert_with(|| {
            let summary = AddressSummary {
                ip: r.ip.clone(),
                plays: 0,
                first_play_at: r.first_play_at,
                last_seen_at: r.last_seen_at,
                city: None,
                region: None,
                country_code: None,
                country_name: None,
                latitude: None,
                longitude: None,
                asn: None,
                asn_org: None,
                servers: Vec::new(),
            };
            (summary, None, Vec::new())
        });
        let (a, located_at, ids) = entry;
        if r.located_at.is_some() && r.located_at >= *located_at {
            *located_at = r.located_at;
            let p = &r.place;
            a.city.clone_from(&p.city);
            a.region.clone_from(&p.region);
            a.country_code.clone_from(&p.country_code);
            a.country_name.clone_from(&p.country_name);
            a.latitude = p.latitude;
            a.longitude = p.longitude;
            a.asn = p.asn;
            a.asn_org.clone_from(&p.asn_org);
        }
        a.plays += r.plays;
        a.first_play_at = a.first_play_at.min(r.first_play_at);
        a.last_seen_at = a.last_seen_at.max(r.last_seen_at);
        ids.push(r.account_id);
    }
    let mut out: Vec<AddressSummary> = by_ip
        .into_values()
        .map(|(mut a, _, ids)| {
            a.servers = server_names(&ids, accounts);
            a
        })
        .collect();
    out.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then(b.plays.cmp(&a.plays)).then(a.ip.cmp(&b.ip)));
    out
}

/// The line a person's page shows for one chain.
#[must_use]
pub fn recent(chain: &HistoryChain) -> RecentPlay {
    let title = match (&chain.grandparent_title, chain.media_type.as_str()) {
        (Some(show), "episode") => match (chain.season_number, chain.episode_number) {
            (Some(s), Some(e)) => format!("{show} — S{s} E{e} · {}", chain.title),
            _ => format!("{show} — {}", chain.title),
        },
        (Some(artist), "track") => format!("{artist} — {}", chain.title),
        _ => chain.title.clone(),
    };
    let newest = chain.sessions.iter().max_by_key(|s| s.last_seen_at);
    RecentPlay {
        head: chain.head,
        title,
        media_type: chain.media_type.clone(),
        started_at: chain.started_at,
        played_ms: chain.played_ms(),
        watched: chain.watched(),
        account: chain.account.clone(),
        server_name: chain.server_name.clone(),
        player: newest.and_then(|s| s.player_name.clone().or_else(|| s.device.clone())),
        city: newest.and_then(|s| s.city.clone()),
        country_code: newest.and_then(|s| s.country_code.clone()),
    }
}

#[cfg(test)]
#[path = "fold_tests.rs"]
mod tests;
