//! The rule kinds and their typed parameters: one variant per kind, so the JSON in the store, the form in
//! the UI and the engine's `match` share one type. Defaults here are the values of [`super::default_rules`].

use serde::{Deserialize, Serialize};

use crate::media::VideoResolution;

/// What a rule looks for. Stored as JSON with a `type` tag, e.g. `{"type":"concurrent_streams","max_streams":3,…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleKind {
    ImpossibleTravel(TravelParams),
    SimultaneousLocations(SimultaneousParams),
    DeviceVelocity(VelocityParams),
    ConcurrentStreams(ConcurrentParams),
    GeoRestriction(GeoRestrictionParams),
    AccountInactivity(InactivityParams),
    NewDevice(NewDeviceParams),
    NewCountry(NewCountryParams),
    PausedTooLong(PausedParams),
    TranscodeResolution(TranscodeResolutionParams),
    ConcurrentTranscodes(ConcurrentTranscodesParams),
}

/// The kind of a rule without its parameters, as violations and the UI name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    ImpossibleTravel,
    SimultaneousLocations,
    DeviceVelocity,
    ConcurrentStreams,
    GeoRestriction,
    AccountInactivity,
    NewDevice,
    NewCountry,
    PausedTooLong,
    TranscodeResolution,
    ConcurrentTranscodes,
}

impl RuleType {
    /// The stable snake_case name, equal to the `type` tag of [`RuleKind`].
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImpossibleTravel => "impossible_travel",
            Self::SimultaneousLocations => "simultaneous_locations",
            Self::DeviceVelocity => "device_velocity",
            Self::ConcurrentStreams => "concurrent_streams",
            Self::GeoRestriction => "geo_restriction",
            Self::AccountInactivity => "account_inactivity",
            Self::NewDevice => "new_device",
            Self::NewCountry => "new_country",
            Self::PausedTooLong => "paused_too_long",
            Self::TranscodeResolution => "transcode_resolution",
            Self::ConcurrentTranscodes => "concurrent_transcodes",
        }
    }
}

impl RuleKind {
    #[must_use]
    pub fn rule_type(&self) -> RuleType {
        match self {
            Self::ImpossibleTravel(_) => RuleType::ImpossibleTravel,
            Self::SimultaneousLocations(_) => RuleType::SimultaneousLocations,
            Self::DeviceVelocity(_) => RuleType::DeviceVelocity,
            Self::ConcurrentStreams(_) => RuleType::ConcurrentStreams,
            Self::GeoRestriction(_) => RuleType::GeoRestriction,
            Self::AccountInactivity(_) => RuleType::AccountInactivity,
            Self::NewDevice(_) => RuleType::NewDevice,
            Self::NewCountry(_) => RuleType::NewCountry,
            Self::PausedTooLong(_) => RuleType::PausedTooLong,
            Self::TranscodeResolution(_) => RuleType::TranscodeResolution,
            Self::ConcurrentTranscodes(_) => RuleType::ConcurrentTranscodes,
        }
    }
}

/// Impossible travel: the speed implied between the previous located session and this one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TravelParams {
    /// Flag above this speed. Default 900 km/h: an airliner's cruising speed, so no real journey, which
    /// also includes getting to and from airports, is faster.
    pub max_speed_kmh: f64,
    /// Ignore jumps shorter than this, after subtracting both accuracy radii. Default 100 km: GeoIP often
    /// places an address in a neighbouring city, and ISPs route whole regions through one city.
    pub min_distance_km: f64,
    /// Compare only with sessions of other devices. Default true: one device that "jumps" is almost always
    /// a VPN being switched on or off; a second person shows up as a second device.
    pub skip_same_device: bool,
}

impl Default for TravelParams {
    fn default() -> Self {
        Self { max_speed_kmh: 900.0, min_distance_km: 100.0, skip_same_device: true }
    }
}

/// Simultaneous locations: active sessions of one account far apart at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimultaneousParams {
    /// Flag when two active sessions are further apart than this, after subtracting both accuracy radii.
    /// Default 100 km, for the same reasons as [`TravelParams::min_distance_km`].
    pub min_distance_km: f64,
}

impl Default for SimultaneousParams {
    fn default() -> Self {
        Self { min_distance_km: 100.0 }
    }
}

/// What device velocity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VelocityCount {
    /// Distinct public addresses; IPv6 counted per /64, because privacy addresses rotate inside one.
    Ips,
    /// Distinct device ids (the player's name when a server sends no id).
    Devices,
}

/// Device velocity: too many distinct addresses or devices within a time window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VelocityParams {
    /// Flag when the count exceeds this. Default 8: a phone moving between home, work and a mobile
    /// carrier (whose public address changes often) legitimately shows four or five a day.
    pub max_distinct: u32,
    /// The window ending at the evaluation time, in hours (1 to 720). Default 24.
    pub window_hours: u32,
    pub count: VelocityCount,
}

impl Default for VelocityParams {
    fn default() -> Self {
        Self { max_distinct: 8, window_hours: 24, count: VelocityCount::Ips }
    }
}

/// Concurrent streams: more active streams for one account than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConcurrentParams {
    /// The limit for every account without its own ([`super::UserSettings::max_streams`]). Default 3.
    pub max_streams: u32,
    /// Count the streams from one address (IPv6: one /64) or one household network as one stream.
    /// Default true: a family watching on three TVs at home is one household, not three sharers.
    pub group_by_network: bool,
    /// Count paused streams. Default false: a paused player left on a TV costs nothing and is the most
    /// common false alarm.
    pub count_paused: bool,
}

impl Default for ConcurrentParams {
    fn default() -> Self {
        Self { max_streams: 3, group_by_network: true, count_paused: false }
    }
}

/// Whether a geo restriction lists the allowed or the blocked countries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoMode {
    Allow,
    Block,
}

/// Geo restriction: streams from outside an allow-list or inside a block-list of countries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoRestrictionParams {
    pub mode: GeoMode,
    /// ISO 3166-1 alpha-2 codes, any case ("FR", "de"). An allow-list must not be empty.
    pub countries: Vec<String>,
}

impl Default for GeoRestrictionParams {
    fn default() -> Self {
        Self { mode: GeoMode::Block, countries: Vec::new() }
    }
}

/// Account inactivity: an account that has not streamed for a while (evaluated on a schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InactivityParams {
    /// Flag after this many whole days without a stream (1 to 3650). Default 60.
    pub max_inactive_days: u32,
}

impl Default for InactivityParams {
    fn default() -> Self {
        Self { max_inactive_days: 60 }
    }
}

/// New device: an account streams from a device it never used before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewDeviceParams {}

/// New country: an account streams from a country it never streamed from before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewCountryParams {}

/// Paused too long: a stream that has stayed paused for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedParams {
    /// Flag after this many minutes paused (1 to 10080). Default 120.
    pub max_paused_minutes: u32,
}

impl Default for PausedParams {
    fn default() -> Self {
        Self { max_paused_minutes: 120 }
    }
}

/// Transcode resolution: transcoding a source above a resolution (e.g. "no 4K transcodes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscodeResolutionParams {
    /// The highest source resolution that may be transcoded. Default 1080p, i.e. no 4K transcodes.
    pub max_source_resolution: VideoResolution,
}

impl Default for TranscodeResolutionParams {
    fn default() -> Self {
        Self { max_source_resolution: VideoResolution::Hd1080 }
    }
}

/// Concurrent transcodes: more simultaneous video transcodes for one account than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrentTranscodesParams {
    /// Flag above this many (0 to 100; 0 forbids transcoding). Default 2.
    pub max_transcodes: u32,
}

impl Default for ConcurrentTranscodesParams {
    fn default() -> Self {
        Self { max_transcodes: 2 }
    }
}
