//! Server-side mapping for the Users functions: the backend's people, pages and errors into the
//! views the pages render (times as "3 h ago", places and networks as one line, places as map
//! markers), and the settings form's texts into the backend's input. Pure.

use super::{AccountView, AddressView, DeviceView, IncidentView, RecentView, UserList, UserRow, UserView};
use crate::api::map::convert::{ago, user_value};
use crate::components::world_map::MapMarker;
use crate::error::AppError;
use crate::model::human_duration;
use chrono::{DateTime, Utc};
use sightline_backend::account_settings::{AccountSettingsError, SettingsInput};
use sightline_backend::people::fold::AddressSummary;
use sightline_backend::people::{PeopleError, PeopleList, PersonPage};
use sightline_backend::store::people::PersonPlace;

fn watched(ms: u64) -> String {
    human_duration(i64::try_from(ms / 1000).unwrap_or(i64::MAX))
}

fn seen(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "never".to_owned(), |t| ago(now, t))
}

/// "London, United Kingdom", "Sweden", or "—".
fn place_line(city: Option<&str>, country_name: Option<&str>, country_code: Option<&str>) -> String {
    let parts: Vec<&str> =
        [city, country_name.or(country_code)].into_iter().flatten().filter(|s| !s.is_empty()).collect();
    if parts.is_empty() { "—".to_owned() } else { parts.join(", ") }
}

fn network_line(a: &AddressSummary) -> String {
    match (a.asn, a.asn_org.as_deref()) {
        (Some(n), Some(org)) => format!("AS{n} {org}"),
        (Some(n), None) => format!("AS{n}"),
        (None, Some(org)) => org.to_owned(),
        (None, None) => "—".to_owned(),
    }
}

pub(crate) fn user_list(list: PeopleList, now: DateTime<Utc>) -> UserList {
    let items = list
        .items
        .into_iter()
        .map(|p| {
            let aliases = p
                .accounts
                .iter()
                .filter(|a| a.name != p.name || p.servers.len() < p.accounts.len())
                .map(|a| format!("{} on {}", a.name, a.server_name))
                .collect();
            UserRow {
                id: p.id,
                trust: p.trust,
                servers: p.servers,
                aliases,
                plays: p.plays,
                watched: watched(p.played_ms),
                last_seen: seen(now, p.last_seen_at),
                name: p.name,
            }
        })
        .collect();
    UserList { items, matching: list.matching, total: list.total, page: list.page, pages: list.pages }
}

fn marker(p: &PersonPlace, now: DateTime<Utc>) -> MapMarker {
    let plays = format!("{} {}", p.plays, if p.plays == 1 { "play" } else { "plays" });
    let addresses = format!("{} {}", p.n_addresses, if p.n_addresses == 1 { "address" } else { "addresses" });
    MapMarker {
        lat: p.lat,
        lon: p.lon,
        count: p.plays,
        highlighted: false,
        title: place_line(p.city.as_deref(), p.country_name.as_deref(), p.country_code.as_deref()),
        lines: vec![plays, addresses, format!("Last: {}", ago(now, p.last_seen_at))],
    }
}

pub(crate) fn user_view(p: PersonPage, now: DateTime<Utc>) -> UserView {
    let users: Vec<String> = p
        .accounts
        .iter()
        .map(|a| user_value(&sightline_domain::rules::UserRef { server_id: a.server_id, user_id: a.user_id.clone() }))
        .collect();
    let accounts = p
        .accounts
        .into_iter()
        .map(|a| AccountView {
            server: a.server_id.0,
            tags: [(a.is_admin, "admin"), (a.is_disabled, "disabled")]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, tag)| tag.to_owned())
                .collect(),
            plays: a.plays,
            watched: watched(a.played_ms),
            first_play: a.first_play_at.map(crate::ssr::fmt_time),
            last_seen: a.last_seen_at.map(|t| ago(now, t)),
            household_networks: a
                .settings
                .household_networks
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            max_streams: a.settings.max_streams.map(|n| n.to_string()).unwrap_or_default(),
            server_name: a.server_name,
            user_id: a.user_id,
            name: a.name,
        })
        .collect();
    let devices = p
        .devices
        .iter()
        .map(|d| DeviceView {
            name: d.name.clone(),
            detail: [d.product.as_deref(), d.platform.as_deref(), d.device.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty() && *s != d.name)
                .collect::<Vec<_>>()
                .join(" · "),
            plays: d.plays,
            watched: watched(d.played_ms),
            first_play: crate::ssr::fmt_time(d.first_play_at),
            last_seen: ago(now, d.last_seen_at),
            servers: d.servers.join(", "),
        })
        .collect();
    let addresses = p
        .addresses
        .iter()
        .map(|a| AddressView {
            ip: a.ip.clone(),
            place: place_line(a.city.as_deref(), a.country_name.as_deref(), a.country_code.as_deref()),
            network: network_line(a),
            plays: a.plays,
            last_seen: ago(now, a.last_seen_at),
        })
        .collect();
    let recent = p
        .recent
        .iter()
        .map(|r| RecentView {
            title: r.title.clone(),
            when: crate::ssr::fmt_time(r.started_at),
            watched: watched(r.played_ms),
            finished: r.watched,
            server_name: r.server_name.clone(),
            player: r.player.clone().unwrap_or_default(),
            place: place_line(r.city.as_deref(), None, r.country_code.as_deref()),
        })
        .collect();
    let incidents = p
        .incidents
        .iter()
        .map(|i| IncidentView {
            id: i.id,
            rule_name: i.rule_name.clone(),
            severity: i.severity.clone(),
            status: i.status.clone(),
            summary: i.summary.clone(),
            updated: ago(now, i.updated_at),
        })
        .collect();
    UserView {
        id: p.id,
        custom_name: p.custom_name.unwrap_or_default(),
        trust: p.trust,
        plays: p.plays,
        watched: watched(p.played_ms),
        last_seen: seen(now, p.last_seen_at),
        accounts,
        devices,
        addresses,
        n_addresses: p.n_addresses,
        markers: p.places.iter().map(|pl| marker(pl, now)).collect(),
        recent,
        history_users: users.join(","),
        incidents,
        name: p.name,
    }
}

/// The settings form's texts as the backend's input: networks split on lines and commas; the limit
/// a whole number or empty.
pub(crate) fn settings_input(networks: &str, max_streams: &str) -> Result<SettingsInput, AppError> {
    let max_streams = match max_streams.trim() {
        "" => None,
        n => Some(n.parse::<u32>().map_err(|_| AppError::Invalid {
            field: "max_streams".to_owned(),
            message: "must be a whole number, or empty for the rule's limit".to_owned(),
        })?),
    };
    let household_networks =
        networks.split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    Ok(SettingsInput { household_networks, max_streams })
}

pub(crate) fn people_error(e: PeopleError) -> AppError {
    match e {
        PeopleError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        PeopleError::NotFound => AppError::NotFound,
        PeopleError::Store(e) => crate::ssr::internal(&e),
    }
}

pub(crate) fn settings_error(e: AccountSettingsError) -> AppError {
    match e {
        AccountSettingsError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        AccountSettingsError::NotFound => AppError::NotFound,
        AccountSettingsError::Store(e) => crate::ssr::internal(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_texts_become_input_and_a_bad_limit_names_its_field() {
        let input = settings_input("203.0.113.0/24\n\n 2001:db8::/48, 198.51.100.9 ", " 3 ").expect("valid");
        assert_eq!(input.household_networks, ["203.0.113.0/24", "2001:db8::/48", "198.51.100.9"]);
        assert_eq!(input.max_streams, Some(3));
        assert_eq!(settings_input("", "").expect("valid"), SettingsInput::default());
        let err = settings_input("", "two").expect_err("refused");
        assert!(err.field_message("max_streams").is_some(), "{err:?}");
    }

    #[test]
    fn places_and_networks_read_as_one_line() {
        assert_eq!(place_line(Some("London"), Some("United Kingdom"), Some("GB")), "London, United Kingdom");
        assert_eq!(place_line(None, None, Some("SE")), "SE");
        assert_eq!(place_line(None, None, None), "—");
    }
}
