//! Plain-language previews of rules for the rules page: "flag when one account streams from two places
//! more than 100 km apart at the same time", plus the scope, exceptions and actions.

use super::evidence::fmt_int;
use super::model::{Rule, Scope};
use super::params::{GeoMode, RuleKind, VelocityCount};

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// What a rule kind flags, as one clause starting with "flag".
#[must_use]
pub fn describe_kind(kind: &RuleKind) -> String {
    match kind {
        RuleKind::ImpossibleTravel(p) => {
            let device = if p.skip_same_device { "; one device changing place is not counted" } else { "" };
            format!(
                "flag when one account moves between places more than {} km apart faster than {} km/h{device}",
                fmt_int(p.min_distance_km),
                fmt_int(p.max_speed_kmh)
            )
        }
        RuleKind::SimultaneousLocations(p) => format!(
            "flag when one account streams from two places more than {} km apart at the same time",
            fmt_int(p.min_distance_km)
        ),
        RuleKind::DeviceVelocity(p) => {
            let what = match p.count {
                VelocityCount::Ips => "addresses",
                VelocityCount::Devices => "devices",
            };
            format!("flag when one account uses more than {} {what} within {} h", p.max_distinct, p.window_hours)
        }
        RuleKind::ConcurrentStreams(p) => {
            let mut s = format!("flag when one account plays more than {} streams at once", p.max_streams);
            if p.group_by_network {
                s.push_str("; streams from one network count once");
            }
            s.push_str(if p.count_paused { "; paused streams count" } else { "; paused streams don't count" });
            s
        }
        RuleKind::GeoRestriction(p) => {
            let mut list: Vec<String> = p.countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
            list.sort();
            match (p.mode, list.is_empty()) {
                (GeoMode::Block, true) => "flag streams from blocked countries (none listed yet)".to_owned(),
                (GeoMode::Block, false) => format!("flag streams from {}", list.join(", ")),
                (GeoMode::Allow, _) => format!("flag streams from outside {}", list.join(", ")),
            }
        }
        RuleKind::AccountInactivity(p) => {
            format!("flag accounts that have not streamed for {} days", p.max_inactive_days)
        }
        RuleKind::NewDevice(_) => "flag when an account streams from a device it never used before".to_owned(),
        RuleKind::NewCountry(_) => {
            "flag when an account streams from a country it never streamed from before".to_owned()
        }
        RuleKind::PausedTooLong(p) => {
            format!("flag streams paused for {} minutes or longer", p.max_paused_minutes)
        }
        RuleKind::TranscodeResolution(p) => {
            format!("flag transcodes of sources above {}", p.max_source_resolution)
        }
        RuleKind::ConcurrentTranscodes(p) if p.max_transcodes == 0 => "flag any video transcode".to_owned(),
        RuleKind::ConcurrentTranscodes(p) => {
            format!("flag when one account runs more than {} video transcodes at once", p.max_transcodes)
        }
    }
}

/// The whole rule in one sentence: what it flags, where, whom it leaves alone, and what it then does.
#[must_use]
pub fn describe(rule: &Rule) -> String {
    let mut s = describe_kind(&rule.kind);
    match &rule.scope {
        Scope::All => {}
        Scope::Server { server_id } => s.push_str(&format!(", on server {server_id}")),
        Scope::User { server_id, user_id } => s.push_str(&format!(", for account {user_id} on server {server_id}")),
    }
    let e = &rule.exceptions;
    let mut except = Vec::new();
    if !e.users.is_empty() {
        except.push(plural(e.users.len(), "account", "accounts"));
    }
    if !e.networks.is_empty() {
        except.push(plural(e.networks.len(), "trusted network", "trusted networks"));
    }
    if e.household_networks {
        except.push("household networks".to_owned());
    }
    if !except.is_empty() {
        s.push_str(", except ");
        s.push_str(&except.join(", "));
    }
    if let Some(actions) = rule.actions.describe() {
        s.push_str("; ");
        s.push_str(&actions);
    }
    if !rule.enabled {
        s.push_str(" (disabled)");
    }
    s
}
