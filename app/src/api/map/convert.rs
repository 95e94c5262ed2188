//! Server-side mapping for the map functions: query strings into a `PlaceFilter`, place records
//! into views (highlighted when an active incident's session was there), the empty-state sentence,
//! and the tile settings. Pure apart from `map_view`, which only gathers the store's answers.

use super::{Choice, MapView, Period, PlaceView, TileSettingsView};
use crate::components::world_map::TileSpec;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sightline_backend::AppContext;
use sightline_backend::map_settings::{MapSettingsError, TileSettings};
use sightline_backend::store::StoreError;
use sightline_backend::store::insight::{
    AccountChoice, IncidentFilter, IncidentStatus, PlaceFilter, PlaceRecord, PlaceTotals,
};
use sightline_domain::rules::{UserRef, Violation};
use sightline_domain::{Principal, Role, ServerId};

/// At most this many places are drawn and listed.
const MAX_PLACES: u32 = 500;
/// Active incidents read to highlight places.
const MAX_INCIDENTS: u32 = 500;
/// Half the grouping step (places are rounded to 0.01°), with room for rounding differences.
const SAME_PLACE_DEG: f64 = 0.0051;

/// The filter from the page's query values; unknown values are refused with their field.
pub(crate) fn place_filter(
    period: &str,
    server: &str,
    user: &str,
    now: DateTime<Utc>,
) -> Result<PlaceFilter, AppError> {
    let invalid =
        |field: &str, message: &str| AppError::Invalid { field: field.to_owned(), message: message.to_owned() };
    let period = Period::parse(period).ok_or_else(|| invalid("period", "unknown period"))?;
    let server = match server.trim() {
        "" => None,
        s => Some(ServerId(s.parse().map_err(|_| invalid("server", "unknown server"))?)),
    };
    let user = match user.trim() {
        "" => None,
        u => Some(parse_user(u).ok_or_else(|| invalid("user", "unknown account"))?),
    };
    Ok(PlaceFilter { since: period.hours().map(|h| now - Duration::hours(h)), server, user })
}

/// An account as a filter value: `server:user`.
pub(crate) fn user_value(user: &UserRef) -> String {
    format!("{}:{}", user.server_id.0, user.user_id)
}

pub(crate) fn parse_user(value: &str) -> Option<UserRef> {
    let (server, user_id) = value.split_once(':')?;
    let server = server.parse().ok()?;
    (!user_id.is_empty()).then(|| UserRef { server_id: ServerId(server), user_id: user_id.to_owned() })
}

/// Where the sessions of these incidents were (only those on `server`, when given).
pub(crate) fn incident_points<'a>(
    violations: impl Iterator<Item = &'a Violation>,
    server: Option<ServerId>,
) -> Vec<(f64, f64)> {
    violations
        .filter(|v| server.is_none_or(|s| v.server_id == s))
        .flat_map(|v| v.evidence.sessions.iter())
        .filter_map(|s| s.location.as_ref())
        .map(|l| (l.point.lat, l.point.lon))
        .collect()
}

fn near(place: &PlaceRecord, (lat, lon): (f64, f64)) -> bool {
    (place.lat - lat).abs() <= SAME_PLACE_DEG && (place.lon - lon).abs() <= SAME_PLACE_DEG
}

/// "London, United Kingdom"; the region or country when there is no city; else the coordinates.
pub(crate) fn place_label(p: &PlaceRecord) -> String {
    let country = p.country_name.as_deref().or(p.country_code.as_deref());
    match (p.city.as_deref().or(p.region.as_deref()), country) {
        (Some(place), Some(country)) => format!("{place}, {country}"),
        (Some(place), None) => place.to_owned(),
        (None, Some(country)) => country.to_owned(),
        (None, None) => format!("{:.2}, {:.2}", p.lat, p.lon),
    }
}

pub(crate) fn place_view(p: &PlaceRecord, hot: &[(f64, f64)], now: DateTime<Utc>) -> PlaceView {
    PlaceView {
        lat: p.lat,
        lon: p.lon,
        place: place_label(p),
        plays: p.plays,
        n_users: p.n_users,
        users: p.users.clone(),
        highlighted: hot.iter().any(|point| near(p, *point)),
        last_play: ago(now, p.last_started_at),
    }
}

/// "5 min ago", "3 h ago", "12 days ago".
pub(crate) fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..172_800 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// Why the map has no markers, or `None` when it has some.
pub(crate) fn empty_message(totals: PlaceTotals, n_places: usize, filtered: bool, geoip_dir: &str) -> Option<String> {
    if n_places > 0 {
        return None;
    }
    Some(if !totals.any_located {
        format!(
            "No located plays yet — add a GeoIP database (GeoLite2-City.mmdb in {geoip_dir}) and new plays will \
             appear here."
        )
    } else if totals.plays == 0 {
        if filtered { "No plays match these filters in this period." } else { "No plays in this period." }.to_owned()
    } else {
        format!(
            "None of the {} plays in this period could be located (local network, relayed or unknown addresses).",
            totals.plays
        )
    })
}

fn account_choice(a: AccountChoice, several_servers: bool) -> Choice {
    let label = if several_servers { format!("{} ({})", a.name, a.server_name) } else { a.name };
    Choice { value: user_value(&a.user), label }
}

pub(crate) fn tile_spec(settings: TileSettings) -> Option<TileSpec> {
    settings.url.map(|url| TileSpec { url, attribution: settings.attribution })
}

pub(crate) fn tile_settings_view(settings: TileSettings, can_edit: bool) -> TileSettingsView {
    TileSettingsView {
        origin: settings.img_origin(),
        url: settings.url.unwrap_or_default(),
        attribution: settings.attribution.unwrap_or_default(),
        can_edit,
    }
}

pub(crate) fn is_owner(principal: &Principal) -> bool {
    matches!(principal, Principal::User { role: Role::Owner, .. })
}

/// Answers a refused value with 422, a missing thing with 404 and a refusal with 403 instead of 500,
/// so neither the browser nor the logs report a server failure; returns the error unchanged.
pub(crate) fn answered(error: AppError) -> AppError {
    let status = match &error {
        AppError::Invalid { .. } => Some(http::StatusCode::UNPROCESSABLE_ENTITY),
        AppError::NotFound => Some(http::StatusCode::NOT_FOUND),
        AppError::Forbidden => Some(http::StatusCode::FORBIDDEN),
        _ => None,
    };
    if let (Some(status), Some(response)) = (status, leptos::prelude::use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
    error
}

pub(crate) fn settings_error(e: MapSettingsError) -> AppError {
    match e {
        MapSettingsError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        MapSettingsError::Store(inner) => crate::ssr::internal(&inner),
    }
}

/// Reads what the page needs for `filter` and assembles it.
pub(crate) async fn map_view(
    ctx: &AppContext,
    filter: &PlaceFilter,
    now: DateTime<Utc>,
) -> Result<MapView, StoreError> {
    let places = ctx.store.play_places(filter, MAX_PLACES).await?;
    let totals = ctx.store.place_totals(filter).await?;
    let active = IncidentFilter {
        statuses: vec![IncidentStatus::Open, IncidentStatus::Acknowledged],
        user: filter.user.clone(),
        ..IncidentFilter::default()
    };
    let incidents = ctx.store.incident_page(&active, None, MAX_INCIDENTS).await?;
    let hot = incident_points(incidents.items.iter().map(|l| &l.record.violation), filter.server);
    let servers = ctx.store.list_servers().await?;
    let several = servers.len() > 1;
    let tiles = sightline_backend::map_settings::load(ctx.store.as_ref()).await?;
    let filtered = filter.server.is_some() || filter.user.is_some();
    Ok(MapView {
        empty: empty_message(totals, places.len(), filtered, &ctx.geo.dir().display().to_string()),
        places: places.iter().map(|p| place_view(p, &hot, now)).collect(),
        n_plays: totals.plays,
        n_located: totals.located,
        servers: servers.into_iter().map(|s| Choice { value: s.id.0.to_string(), label: s.name }).collect(),
        users: ctx.store.streaming_accounts().await?.into_iter().map(|a| account_choice(a, several)).collect(),
        tiles: tile_spec(tiles),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use sightline_domain::geo::LatLon;
    use sightline_domain::rules::{
        AddressClass, Evidence, Measure, PlaceEvidence, RuleId, RuleType, SessionEvidence, Severity, Unit,
    };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid")
    }

    fn record(city: Option<&str>, lat: f64, lon: f64) -> PlaceRecord {
        PlaceRecord {
            lat,
            lon,
            city: city.map(str::to_owned),
            region: None,
            country_code: Some("GB".into()),
            country_name: Some("United Kingdom".into()),
            plays: 3,
            n_users: 2,
            users: vec!["alice".into(), "bob".into()],
            last_started_at: now() - Duration::minutes(90),
        }
    }

    fn violation(server: i64, points: &[(f64, f64)]) -> Violation {
        let at = now();
        let sessions = points
            .iter()
            .map(|&(lat, lon)| SessionEvidence {
                server_id: ServerId(server),
                session_key: "s".into(),
                play_id: None,
                started_at: at,
                last_seen_at: at,
                ip: None,
                address_class: AddressClass::Public,
                location: Some(PlaceEvidence {
                    point: LatLon::new(lat, lon),
                    accuracy_km: 5.0,
                    city: None,
                    region: None,
                    country: None,
                }),
                country: None,
                asn: None,
                asn_org: None,
                device_id: None,
                player: None,
                product: None,
                platform: None,
            })
            .collect();
        Violation {
            rule_id: RuleId("r".into()),
            rule_name: "R".into(),
            kind: RuleType::ImpossibleTravel,
            severity: Severity::High,
            server_id: ServerId(server),
            user_id: "alice".into(),
            session_key: None,
            summary: "s".into(),
            evidence: Evidence {
                measured: Measure::amount(1.0, Unit::Kmh),
                threshold: Measure::amount(1.0, Unit::Kmh),
                facts: vec![],
                sessions,
            },
            condition_key: "k".into(),
        }
    }

    #[test]
    fn query_values_become_a_filter_and_unknown_ones_are_refused_by_field() {
        let f = place_filter("7d", "3", "3:abc-def", now()).expect("valid");
        assert_eq!(f.since, Some(now() - Duration::days(7)));
        assert_eq!(f.server, Some(ServerId(3)));
        assert_eq!(f.user, Some(UserRef { server_id: ServerId(3), user_id: "abc-def".into() }));
        let all = place_filter("all", "", "", now()).expect("valid");
        assert_eq!(all, PlaceFilter::default());
        assert_eq!(place_filter("", "", "", now()).expect("default").since, Some(now() - Duration::days(30)));
        assert_eq!(place_filter("2w", "", "", now()).expect_err("bad").field_message("period"), Some("unknown period"));
        assert!(place_filter("24h", "x", "", now()).expect_err("bad").field_message("server").is_some());
        assert!(place_filter("24h", "", "nobody", now()).expect_err("bad").field_message("user").is_some());
        let user = UserRef { server_id: ServerId(9), user_id: "a:b".into() };
        assert_eq!(parse_user(&user_value(&user)), Some(user), "user ids may contain colons");
    }

    #[test]
    fn places_of_active_incidents_are_highlighted_and_others_are_not() {
        let london = record(Some("London"), 51.51, -0.09);
        let paris = record(Some("Paris"), 48.86, 2.35);
        let incidents = [violation(1, &[(51.5142, -0.0931), (40.0, 3.0)]), violation(2, &[(48.8566, 2.3522)])];
        let hot = incident_points(incidents.iter(), None);
        assert!(place_view(&london, &hot, now()).highlighted);
        assert!(place_view(&paris, &hot, now()).highlighted);
        let only_server_1 = incident_points(incidents.iter(), Some(ServerId(1)));
        assert!(place_view(&london, &only_server_1, now()).highlighted);
        assert!(!place_view(&paris, &only_server_1, now()).highlighted);
        assert!(!place_view(&record(Some("Reading"), 51.45, -0.97), &hot, now()).highlighted);
    }

    #[test]
    fn places_read_as_city_and_country_with_their_popup_lines() {
        let v = place_view(&record(Some("London"), 51.51, -0.09), &[], now());
        assert_eq!(v.place, "London, United Kingdom");
        assert_eq!(v.last_play, "1 h ago");
        let marker = v.marker();
        assert_eq!(marker.title, "London, United Kingdom");
        assert_eq!(marker.lines, ["3 plays", "2 accounts: alice, bob", "Last: 1 h ago"]);
        let mut nameless = record(None, 51.51, -0.09);
        assert_eq!(place_label(&nameless), "United Kingdom");
        nameless.country_name = None;
        nameless.country_code = None;
        assert_eq!(place_label(&nameless), "51.51, -0.09");
        let many = PlaceView { n_users: 14, users: vec!["a".into(); 12], ..v };
        assert!(many.users_line().ends_with("and 2 more"), "{}", many.users_line());
    }

    #[test]
    fn the_empty_state_says_whether_geoip_is_missing_or_the_period_is_empty() {
        let none = PlaceTotals { plays: 4, located: 0, any_located: false };
        assert!(empty_message(none, 0, false, "/data/geoip").expect("empty").contains("add a GeoIP database"));
        let quiet = PlaceTotals { plays: 0, located: 0, any_located: true };
        assert_eq!(empty_message(quiet, 0, false, "d").as_deref(), Some("No plays in this period."));
        assert!(empty_message(quiet, 0, true, "d").expect("empty").contains("filters"));
        let local = PlaceTotals { plays: 2, located: 0, any_located: true };
        assert!(empty_message(local, 0, false, "d").expect("empty").contains("None of the 2 plays"));
        assert_eq!(empty_message(PlaceTotals { plays: 2, located: 2, any_located: true }, 1, false, "d"), None);
    }

    #[test]
    fn only_the_owner_may_change_the_tile_server_and_refusals_keep_their_field() {
        use sightline_domain::{ApiKeyId, UserId};
        assert!(is_owner(&Principal::User { user_id: UserId(1), username: "o".into(), role: Role::Owner }));
        assert!(!is_owner(&Principal::User { user_id: UserId(2), username: "a".into(), role: Role::Admin }));
        assert!(!is_owner(&Principal::ApiKey { key_id: ApiKeyId(1), name: "k".into(), read_only: false }));
        let e = settings_error(MapSettingsError::Invalid { field: "url", message: "must contain {z}".into() });
        assert_eq!(e.field_message("url"), Some("must contain {z}"));
        let view = tile_settings_view(
            TileSettings { url: Some("https://t.example.org/{z}/{x}/{y}.png".into()), attribution: None },
            true,
        );
        assert_eq!(view.origin.as_deref(), Some("https://t.example.org"));
        assert_eq!(tile_settings_view(TileSettings::default(), false).url, "");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(now(), now()), "just now");
        assert_eq!(ago(now(), now() - Duration::minutes(5)), "5 min ago");
        assert_eq!(ago(now(), now() - Duration::hours(30)), "30 h ago");
        assert_eq!(ago(now(), now() - Duration::days(12)), "12 days ago");
        assert_eq!(ago(now(), now() + Duration::minutes(5)), "just now");
    }
}
