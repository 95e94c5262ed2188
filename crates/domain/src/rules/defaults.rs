//! The rules installed on first run. Each default is chosen to raise fewer false alarms than Tracearr's:
//! accuracy radii are subtracted, same address / /24 / /64 / ASN + city is one place, and private, CGNAT
//! and relay addresses are never located (see the parameter docs in `params.rs` for each number).

use super::actions::RuleActions;
use super::model::{Exceptions, Rule, RuleId, Scope, Severity};
use super::params::{
    ConcurrentParams, ConcurrentTranscodesParams, GeoRestrictionParams, InactivityParams, NewCountryParams,
    NewDeviceParams, PausedParams, RuleKind, SimultaneousParams, TranscodeResolutionParams, TravelParams,
    VelocityParams,
};

fn rule(id: &str, name: &str, kind: RuleKind, severity: Severity, enabled: bool, household: bool) -> Rule {
    Rule {
        id: RuleId(id.to_owned()),
        name: name.to_owned(),
        kind,
        severity,
        scope: Scope::All,
        enabled,
        exceptions: Exceptions { household_networks: household, ..Exceptions::default() },
        actions: RuleActions::default(),
    }
}

/// The default rule set, in display order.
///
/// - **Impossible travel** (high, on): faster than 900 km/h, an airliner's cruise, between places at least
///   100 km apart beyond both accuracy radii, measured from the previous session's last sighting; one
///   device switching a VPN on is not travel. Tracearr used 500 km/h start-to-start on raw coordinates,
///   which flagged a viewer whose address GeoIP merely moved.
/// - **Simultaneous locations** (high, on): two active sessions more than 100 km apart beyond both accuracy
///   radii; same address, /24, /64 or ASN + city never count, nor two sessions of one device.
/// - **Device velocity** (medium, on): more than 8 public addresses in 24 h, IPv6 counted per /64 because
///   privacy addresses rotate; LAN, CGNAT and relay addresses do not count. Tracearr's 5 raw addresses
///   fired for phones moving between Wi-Fi and a mobile carrier.
/// - **Concurrent streams** (medium, on): more than 3 streams at once, streams from one address or household
///   network counted once and paused streams not counted (a paused TV is the commonest false alarm).
/// - **Geo restriction** (high, off): a block-list that starts empty; the owner picks the countries.
/// - **Account inactivity** (low, off): no stream for 60 days; a housekeeping signal, not sharing.
/// - **New device** (low, on) and **new country** (medium, on): informational; the first device and country
///   of an account never fire.
/// - **Paused too long** (low, off): 120 minutes; useful only to free streams on servers with a limit.
/// - **No 4K transcodes** (medium, off) and **concurrent transcodes** (medium, off, more than 2): server-capacity
///   policies, off until the owner wants them.
///
/// Household networks are exceptions for the distance and address rules (the account's home is never
/// "elsewhere"), but not for concurrent streams, where a household counts as one stream instead.
#[must_use]
pub fn default_rules() -> Vec<Rule> {
    vec![
        rule(
            "default-impossible-travel",
            "Impossible travel",
            RuleKind::ImpossibleTravel(TravelParams::default()),
            Severity::High,
            true,
            true,
        ),
        rule(
            "default-simultaneous-locations",
            "Simultaneous locations",
            RuleKind::SimultaneousLocations(SimultaneousParams::default()),
            Severity::High,
            true,
            true,
        ),
        rule(
            "default-device-velocity",
            "Many addresses in a day",
            RuleKind::DeviceVelocity(VelocityParams::default()),
            Severity::Medium,
            true,
            true,
        ),
        rule(
            "default-concurrent-streams",
            "Too many streams at once",
            RuleKind::ConcurrentStreams(ConcurrentParams::default()),
            Severity::Medium,
            true,
            false,
        ),
        rule(
            "default-geo-restriction",
            "Blocked countries",
            RuleKind::GeoRestriction(GeoRestrictionParams::default()),
            Severity::High,
            false,
            true,
        ),
        rule(
            "default-account-inactivity",
            "Inactive account",
            RuleKind::AccountInactivity(InactivityParams::default()),
            Severity::Low,
            false,
            false,
        ),
        rule("default-new-device", "New device", RuleKind::NewDevice(NewDeviceParams {}), Severity::Low, true, false),
        rule(
            "default-new-country",
            "New country",
            RuleKind::NewCountry(NewCountryParams {}),
            Severity::Medium,
            true,
            true,
        ),
        rule(
            "default-paused-too-long",
            "Paused too long",
            RuleKind::PausedTooLong(PausedParams::default()),
            Severity::Low,
            false,
            false,
        ),
        rule(
            "default-4k-transcode",
            "No 4K transcodes",
            RuleKind::TranscodeResolution(TranscodeResolutionParams::default()),
            Severity::Medium,
            false,
            false,
        ),
        rule(
            "default-concurrent-transcodes",
            "Too many transcodes",
            RuleKind::ConcurrentTranscodes(ConcurrentTranscodesParams::default()),
            Severity::Medium,
            false,
            false,
        ),
    ]
}
