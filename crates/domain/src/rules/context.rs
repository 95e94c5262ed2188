//! What the engine judges: a session as rules see it, with its already-resolved location, and the
//! evaluation context (the account's other active sessions, recent history, known devices and countries,
//! per-account settings). The backend fills these; the engine looks nothing up.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

use crate::geo::LatLon;
use crate::ids::ServerId;
use crate::media::{PlaybackState, StreamDecision, VideoResolution};

/// What kind of address a session comes from. Only `Public` addresses are ever located or compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressClass {
    /// A public address, geolocatable.
    Public,
    /// A LAN, loopback, link-local or unique-local address.
    Private,
    /// Carrier-grade NAT space 100.64.0.0/10 (also Tailscale): shared by many, located nowhere.
    Cgnat,
    /// A relay (Plex Relay): the address is the relay's, not the viewer's.
    Relay,
    /// No address, or one the backend could not classify.
    #[default]
    Unknown,
}

impl AddressClass {
    /// Classifies an address: relayed sessions are `Relay`, then private, CGNAT or public by the address.
    #[must_use]
    pub fn of(ip: Option<IpAddr>, relayed: bool) -> Self {
        match ip {
            _ if relayed => Self::Relay,
            None => Self::Unknown,
            Some(ip) if super::net::is_cgnat(ip) => Self::Cgnat,
            Some(ip) if super::net::is_private(ip) => Self::Private,
            Some(_) => Self::Public,
        }
    }
}

/// Where an address was placed by GeoIP, resolved by the backend before evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub point: LatLon,
    /// The GeoIP accuracy radius in kilometres (MaxMind `accuracy_radius`); 0 when unknown.
    pub accuracy_km: f64,
    pub city: Option<String>,
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The autonomous system number of the network.
    pub asn: Option<u32>,
    /// The autonomous system's organisation ("Orange S.A.").
    pub asn_org: Option<String>,
}

impl Location {
    /// A readable place name: the city, else the region, else the country.
    #[must_use]
    pub fn place(&self) -> Option<&str> {
        self.city.as_deref().or(self.region.as_deref()).or(self.country.as_deref()).filter(|s| !s.trim().is_empty())
    }
}

/// A playback as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSession {
    pub server_id: ServerId,
    /// The media server's user id of the account.
    pub user_id: String,
    /// The server's session key.
    pub session_key: String,
    /// Sightline's play id, when the tracker assigned one.
    pub play_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub state: PlaybackState,
    /// When the current pause began; `None` unless paused.
    pub paused_since: Option<DateTime<Utc>>,
    pub ip: Option<IpAddr>,
    pub address_class: AddressClass,
    /// The stable device identifier (Plex `machineIdentifier`, Jellyfin/Emby `DeviceId`).
    pub device_id: Option<String>,
    /// The name the user gave the player.
    pub player: Option<String>,
    /// The client application.
    pub product: Option<String>,
    pub platform: Option<String>,
    /// The video stream's decision (the overall one when there is no video).
    pub decision: StreamDecision,
    /// The source's resolution.
    pub source_resolution: Option<VideoResolution>,
    /// What the player receives.
    pub resolution: Option<VideoResolution>,
    /// ISO 3166-1 alpha-2 of the address, when known (also without coordinates).
    pub country: Option<String>,
    /// The GeoIP location; `None` when the address was not or could not be located.
    pub location: Option<Location>,
}

impl RuleSession {
    /// The country code in upper case: the session's own, else its location's.
    #[must_use]
    pub fn country_code(&self) -> Option<String> {
        self.country
            .as_deref()
            .or_else(|| self.location.as_ref().and_then(|l| l.country.as_deref()))
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
    }

    /// The device id, else the player's name: what identifies a device for the rules.
    #[must_use]
    pub fn device_key(&self) -> Option<&str> {
        self.device_id.as_deref().or(self.player.as_deref()).map(str::trim).filter(|s| !s.is_empty())
    }

    /// Whether the session is being played or paused (not stopped).
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.state != PlaybackState::Stopped
    }
}

/// Per-account settings the owner made.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserSettings {
    /// The account's home networks (IPv4 or IPv6 CIDR).
    #[serde(default)]
    pub household_networks: Vec<IpNet>,
    /// This account's concurrent-stream limit, overriding the rule's.
    #[serde(default)]
    pub max_streams: Option<u32>,
}

/// Everything a session-triggered evaluation needs about one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalContext {
    /// The new or updated session being judged.
    pub session: RuleSession,
    /// The account's other active sessions (the judged one may be included; it is skipped).
    #[serde(default)]
    pub active: Vec<RuleSession>,
    /// The account's recent sessions, active or stopped, as far back as the longest rule window.
    #[serde(default)]
    pub recent: Vec<RuleSession>,
    /// Device keys ([`RuleSession::device_key`]) the account used before this session.
    #[serde(default)]
    pub known_devices: Vec<String>,
    /// Country codes the account streamed from before this session.
    #[serde(default)]
    pub known_countries: Vec<String>,
    #[serde(default)]
    pub settings: UserSettings,
}

/// What a scheduled evaluation (account inactivity) needs about one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountActivity {
    pub server_id: ServerId,
    pub user_id: String,
    /// When the account last streamed; `None` if never.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// When Sightline first saw the account; used when it never streamed.
    pub first_seen_at: Option<DateTime<Utc>>,
}
