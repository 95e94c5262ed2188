//! Folding a person's rollup rows: devices and addresses shared by two accounts become one row each
//! with summed counts, widened sightings, the newest names and places and both servers.

use super::*;
use crate::store::people::AddressPlace;
use chrono::{Duration, TimeZone};
use sightline_domain::ServerId;

fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).single().expect("valid") + Duration::hours(hours)
}

fn account(id: i64, server: &str) -> PersonAccount {
    PersonAccount {
        id,
        server_id: ServerId(id),
        server_name: server.to_owned(),
        user_id: format!("u{id}"),
        name: "alice".to_owned(),
        is_admin: false,
        is_disabled: false,
        first_seen_at: t(0),
        plays: 0,
        played_ms: 0,
        first_play_at: None,
        last_seen_at: None,
    }
}

fn device(account_id: i64, key: &str, name: Option<&str>, plays: u64, first: i64, last: i64) -> DeviceRecord {
    DeviceRecord {
        account_id,
        device_key: key.to_owned(),
        player_name: name.map(str::to_owned),
        device: Some("Roku Ultra".to_owned()),
        product: Some("Plex for Roku".to_owned()),
        platform: Some("Roku".to_owned()),
        plays,
        played_ms: plays * 1_000,
        first_play_at: t(first),
        last_seen_at: t(last),
    }
}

fn address(account_id: i64, ip: &str, plays: u64, last: i64, place: Option<(&str, f64, f64)>) -> AddressRecord {
    AddressRecord {
        account_id,
        ip: ip.to_owned(),
        plays,
        first_play_at: t(0),
        last_seen_at: t(last),
        located_at: place.map(|_| t(last)),
        place: place.map_or_else(AddressPlace::default, |(city, lat, lon)| AddressPlace {
            city: Some(city.to_owned()),
            region: None,
            country_code: Some("GB".to_owned()),
            country_name: Some("United Kingdom".to_owned()),
            latitude: Some(lat),
            longitude: Some(lon),
            asn: Some(5089),
            asn_org: Some("Virgin Media".to_owned()),
        }),
    }
}

#[test]
fn a_device_on_two_accounts_is_one_row_with_both_servers_and_the_newest_name() {
    let accounts = [account(1, "Den"), account(2, "Attic")];
    let rows = [
        device(1, "dev-tv", Some("Living room"), 3, 2, 10),
        device(2, "dev-tv", Some("Lounge"), 2, 1, 20),
        device(1, "~Phone", None, 1, 5, 5),
    ];
    let folded = devices(&rows, &accounts);
    assert_eq!(folded.len(), 2);
    let tv = &folded[0];
    assert_eq!((tv.key.as_str(), tv.name.as_str(), tv.plays, tv.played_ms), ("dev-tv", "Lounge", 5, 5_000));
    assert_eq!((tv.first_play_at, tv.last_seen_at), (t(1), t(20)));
    assert_eq!(tv.servers, ["Attic", "Den"]);
    assert_eq!(folded[1].name, "Roku Ultra", "without a player name, the device names it");
}

#[test]
fn addresses_sum_over_accounts_and_keep_the_newest_place() {
    let accounts = [account(1, "Den"), account(2, "Attic")];
    let rows = [
        address(1, "81.2.69.142", 4, 10, Some(("London", 51.5142, -0.0931))),
        address(2, "81.2.69.142", 1, 12, None),
        address(1, "81.2.69.160", 2, 30, Some(("London", 51.5138, -0.0929))),
        address(2, "10.0.0.5", 7, 5, None),
        address(2, "2.125.160.216", 1, 8, Some(("Boxford", 51.75, -1.25))),
    ];
    let folded = addresses(&rows, &accounts);
    let ips: Vec<&str> = folded.iter().map(|a| a.ip.as_str()).collect();
    assert_eq!(ips, ["81.2.69.160", "81.2.69.142", "2.125.160.216", "10.0.0.5"], "newest first");
    let home = &folded[1];
    assert_eq!((home.plays, home.last_seen_at, home.city.as_deref()), (5, t(12), Some("London")));
    assert_eq!((home.asn, home.servers.len()), (Some(5089), 2));
    assert_eq!(folded[3].city, None, "a private address has no place");
}

#[test]
fn nothing_folds_into_nothing() {
    assert!(devices(&[], &[]).is_empty());
    assert!(addresses(&[], &[]).is_empty());
}
