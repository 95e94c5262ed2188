//! Turning what ingestion knows (a live `NowPlaying`, a stored play) into the `RuleSession`s the
//! pure engine judges. No I/O: the caller fetches the rows.

use crate::store::PlayFacts;
use sightline_domain::ServerId;
use sightline_domain::geo::LatLon;
use sightline_domain::live::NowPlaying;
use sightline_domain::media::{PlaybackState, StreamDecision};
use sightline_domain::rules::{AddressClass, Location, RuleSession};

/// A stream in progress as the rules see it.
#[must_use]
pub fn from_now_playing(now: &NowPlaying) -> RuleSession {
    let s = &now.session;
    let geo = now.geo.as_ref();
    let direct = s.decision.video.unwrap_or(s.decision.overall) != StreamDecision::Transcode;
    RuleSession {
        server_id: now.server.id,
        user_id: s.user.id.clone(),
        session_key: s.session_key.clone(),
        play_id: Some(now.play.clone()),
        started_at: now.started_at,
        last_seen_at: now.updated_at,
        state: s.state,
        paused_since: None,
        ip: s.client_ip,
        address_class: geo.map_or_else(|| AddressClass::of(s.client_ip, s.is_relayed), |g| g.class),
        device_id: s.player.device_id.clone(),
        player: s.player.name.clone(),
        product: s.player.product.clone(),
        platform: s.player.platform.clone(),
        decision: s.decision.video.unwrap_or(s.decision.overall),
        // Only a direct stream is known to deliver the source's resolution.
        source_resolution: if direct { s.quality.resolution } else { None },
        resolution: s.quality.resolution,
        country: geo.and_then(|g| g.country_code.clone()),
        location: geo.and_then(|g| g.location.clone()),
    }
}

/// A stored play (ended or not) as the rules see it.
#[must_use]
pub fn from_facts(server: ServerId, user_id: &str, p: &PlayFacts) -> RuleSession {
    let ip = p.ip.as_deref().and_then(|ip| ip.parse().ok());
    let class = p
        .address_class
        .as_deref()
        .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_owned())).ok())
        .unwrap_or_else(|| AddressClass::of(ip, false));
    let location = match (p.latitude, p.longitude) {
        (Some(lat), Some(lon)) => Some(Location {
            point: LatLon { lat, lon },
            accuracy_km: p.accuracy_km.unwrap_or(0.0),
            city: p.city.clone(),
            region: p.region.clone(),
            country: p.country_code.clone(),
            asn: p.asn,
            asn_org: p.asn_org.clone(),
        }),
        _ => None,
    };
    RuleSession {
        server_id: server,
        user_id: user_id.to_owned(),
        session_key: p.session_key.clone(),
        play_id: Some(format!("{:016x}", p.play_key)),
        started_at: p.started_at,
        last_seen_at: p.last_seen_at,
        state: if p.ended { PlaybackState::Stopped } else { PlaybackState::Playing },
        paused_since: None,
        ip,
        address_class: class,
        device_id: p.device_id.clone(),
        player: p.player.clone(),
        product: p.product.clone(),
        platform: p.platform.clone(),
        decision: StreamDecision::DirectPlay,
        source_resolution: None,
        resolution: None,
        country: p.country_code.clone(),
        location,
    }
}
