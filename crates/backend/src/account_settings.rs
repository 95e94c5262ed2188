//! Per-account detection settings the owner makes: household networks (IPv4/IPv6 CIDR, at most 32)
//! and a concurrent-stream limit that overrides the rule's (1 to 50). Validated here, stored by the
//! store, loaded by `detect::judge` into the engine's `UserSettings`. Shared by the API and pages.

use crate::AppContext;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sightline_domain::ServerId;
use sightline_domain::rules::UserSettings;
use std::net::IpAddr;
use thiserror::Error;

/// Most household networks per account.
pub const MAX_HOUSEHOLD_NETWORKS: usize = 32;
/// The highest per-account stream limit.
pub const MAX_STREAMS: u32 = 50;
/// The widest household network: an IPv4 /8 or an IPv6 /32 (an ISP's allocation); anything wider
/// would make most of the Internet "home".
pub const MIN_PREFIX_V4: u8 = 8;
pub const MIN_PREFIX_V6: u8 = 32;

/// What a person submits: networks as text ("203.0.113.0/24", "2001:db8:1::/48", or one address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    pub household_networks: Vec<String>,
    pub max_streams: Option<u32>,
}

#[derive(Debug, Error)]
pub enum AccountSettingsError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no such account")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> AccountSettingsError {
    AccountSettingsError::Invalid { field, message: message.into() }
}

/// Whether Sightline knows the account (listed by its server or seen streaming).
pub async fn account_exists(ctx: &AppContext, server: ServerId, user: &str) -> Result<bool, StoreError> {
    Ok(ctx.store.accounts(server).await?.iter().any(|a| a.external_id == user))
}

fn network(raw: &str) -> Result<IpNet, AccountSettingsError> {
    let parsed = raw.parse::<IpNet>().or_else(|_| raw.parse::<IpAddr>().map(IpNet::from));
    let net = parsed.map_err(|_| {
        invalid("household_networks", format!("{raw:?} is not an address or network like 203.0.113.0/24"))
    })?;
    let min = if net.addr().is_ipv4() { MIN_PREFIX_V4 } else { MIN_PREFIX_V6 };
    if net.prefix_len() < min {
        return Err(invalid("household_networks", format!("{raw} is wider than /{min}")));
    }
    Ok(net.trunc())
}

/// Checks and normalises what a person submitted: blank lines are skipped, host bits cleared,
/// duplicates dropped.
pub fn parse(input: &SettingsInput) -> Result<UserSettings, AccountSettingsError> {
    let mut networks: Vec<IpNet> = Vec::new();
    for raw in input.household_networks.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let net = network(raw)?;
        if !networks.contains(&net) {
            networks.push(net);
        }
    }
    if networks.len() > MAX_HOUSEHOLD_NETWORKS {
        return Err(invalid("household_networks", format!("must have at most {MAX_HOUSEHOLD_NETWORKS} networks")));
    }
    if let Some(n) = input.max_streams
        && !(1..=MAX_STREAMS).contains(&n)
    {
        return Err(invalid("max_streams", format!("must be 1 to {MAX_STREAMS}, or empty for the rule's limit")));
    }
    Ok(UserSettings { household_networks: networks, max_streams: input.max_streams })
}

/// The account's settings; defaults when never set.
pub async fn get(ctx: &AppContext, server: ServerId, user: &str) -> Result<UserSettings, StoreError> {
    Ok(ctx.store.account_settings(server, user).await?.unwrap_or_default())
}

/// Validates and stores an account's settings (audited); returns them as stored.
pub async fn set(
    ctx: &AppContext,
    actor: &str,
    server: ServerId,
    user: &str,
    input: &SettingsInput,
    now: DateTime<Utc>,
) -> Result<UserSettings, AccountSettingsError> {
    let settings = parse(input)?;
    if !account_exists(ctx, server, user).await? {
        return Err(AccountSettingsError::NotFound);
    }
    ctx.store.set_account_settings(server, user, &settings, now).await?;
    let limit = settings.max_streams.map_or_else(|| "the rule's".to_owned(), |n| n.to_string());
    let detail =
        format!("{server}/{user}: {} household networks, stream limit {limit}", settings.household_networks.len());
    ctx.auth.audit(actor, "account_settings_changed", &detail, None, now).await;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(nets: &[&str], max: Option<u32>) -> SettingsInput {
        SettingsInput { household_networks: nets.iter().map(|s| (*s).to_owned()).collect(), max_streams: max }
    }

    fn field(r: Result<UserSettings, AccountSettingsError>) -> &'static str {
        match r {
            Err(AccountSettingsError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn networks_are_normalised_and_deduplicated_and_single_addresses_accepted() {
        let s = parse(&input(&["203.0.113.7/24", " 203.0.113.0/24 ", "", "2001:db8:1::5/48", "198.51.100.9"], Some(4)))
            .expect("valid");
        let nets: Vec<String> = s.household_networks.iter().map(ToString::to_string).collect();
        assert_eq!(nets, ["203.0.113.0/24", "2001:db8:1::/48", "198.51.100.9/32"]);
        assert_eq!(s.max_streams, Some(4));
    }

    #[test]
    fn bad_networks_wide_networks_too_many_networks_and_bad_limits_are_refused_by_field() {
        assert_eq!(field(parse(&input(&["home"], None))), "household_networks");
        assert_eq!(field(parse(&input(&["10.0.0.0/33"], None))), "household_networks");
        assert_eq!(field(parse(&input(&["0.0.0.0/0"], None))), "household_networks");
        assert_eq!(field(parse(&input(&["2001::/16"], None))), "household_networks");
        let many: Vec<String> = (0..33).map(|i| format!("10.0.{i}.0/24")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(field(parse(&input(&many, None))), "household_networks");
        assert!(parse(&input(&many[..32], None)).is_ok(), "32 is allowed");
        assert_eq!(field(parse(&input(&[], Some(0)))), "max_streams");
        assert_eq!(field(parse(&input(&[], Some(51)))), "max_streams");
        assert_eq!(parse(&input(&[], None)).expect("valid"), UserSettings::default());
    }

    #[tokio::test]
    async fn settings_are_stored_for_known_accounts_only_and_audited() {
        let (_dir, ctx, server) = crate::test_ctx::context().await;
        let now = crate::test_ctx::t0();
        assert_eq!(get(&ctx, server, "alice").await.expect("reads"), UserSettings::default());
        let stored =
            set(&ctx, "user:owner", server, "alice", &input(&["203.0.113.0/24"], Some(2)), now).await.expect("stores");
        assert_eq!(get(&ctx, server, "alice").await.expect("reads"), stored);
        let err = set(&ctx, "user:owner", server, "nobody", &input(&[], Some(2)), now).await;
        assert!(matches!(err, Err(AccountSettingsError::NotFound)), "{err:?}");
        let audit = ctx.store.recent_audit(5).await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "account_settings_changed" && e.detail.contains("alice")));
    }
}
