//! Which addresses notifications may be sent to. Pure checks on a target URL and on every address
//! DNS returns for it. Stricter than the media-server policy: by default only global unicast
//! addresses are allowed; a destination with `allow_private` may also reach loopback, RFC 1918,
//! CGNAT and IPv6 unique-local addresses (a LAN ntfy), but never link-local, cloud metadata,
//! unspecified, multicast, broadcast or reserved ones. Embedded IPv4 (mapped `::ffff:a.b.c.d`,
//! compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) is judged as IPv4.

use crate::media::url_policy;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use thiserror::Error;
use url::{Host, Url};

/// What kind of non-public address a target turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrKind {
    Loopback,
    /// RFC 1918 (and the deprecated IPv6 site-local, and local-use NAT64).
    Private,
    /// 100.64.0.0/10, carrier-grade NAT (Tailscale lives here).
    SharedCgnat,
    /// fc00::/7.
    UniqueLocal,
    /// 169.254.0.0/16 and fe80::/10, where cloud metadata services answer.
    LinkLocal,
    /// A cloud provider's instance metadata service (by name or address).
    Metadata,
    /// 0.0.0.0/8 and `::`.
    Unspecified,
    Multicast,
    Broadcast,
    /// Documentation ranges (TEST-NET, 2001:db8::/32).
    Documentation,
    /// Other special-purpose or unallocated ranges.
    Reserved,
}

impl AddrKind {
    /// Whether a destination with `allow_private` may send here.
    #[must_use]
    pub fn allowed_when_private(self) -> bool {
        matches!(self, Self::Loopback | Self::Private | Self::SharedCgnat | Self::UniqueLocal)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address (this machine)",
            Self::Private => "a private network address",
            Self::SharedCgnat => "a carrier-grade NAT address (100.64.0.0/10)",
            Self::UniqueLocal => "an IPv6 unique-local address (fc00::/7)",
            Self::LinkLocal => "a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer",
            Self::Metadata => "a cloud metadata service",
            Self::Unspecified => "not a host address (0.0.0.0/8, ::)",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "the broadcast address",
            Self::Documentation => "a documentation-only address",
            Self::Reserved => "a reserved, non-public address",
        }
    }
}

/// An address (or host name) the policy refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The address or name as found.
    pub target: String,
    pub kind: AddrKind,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.target, self.kind.describe())?;
        if self.kind.allowed_when_private() {
            f.write_str("; turn on \"allow private addresses\" to send to a service on your own network")?;
        } else {
            f.write_str(" and is never allowed")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Why a target URL was refused before any connection.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlRefusal {
    #[error("only http:// and https:// addresses are allowed, not {0}://")]
    Scheme(String),
    #[error("plain http:// is only allowed with \"allow private addresses\"; use https://")]
    NeedsHttps,
    #[error("the address must not contain a user name or password")]
    Credentials,
    #[error("the address has no host name")]
    MissingHost,
    #[error(transparent)]
    Address(#[from] Refusal),
}

/// Checks a target URL before sending or saving: scheme, credentials, and the host when it is an
/// IP literal (the `url` crate has already turned `http://2130706433` and `http://0x7f.1` into
/// `127.0.0.1`). Names are judged by what they resolve to, in `resolve`.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), UrlRefusal> {
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(UrlRefusal::NeedsHttps),
        other => return Err(UrlRefusal::Scheme(other.to_owned())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    match url.host() {
        None => Err(UrlRefusal::MissingHost),
        Some(Host::Domain(name)) => Ok(check_host_name(name, allow_private)?),
        Some(Host::Ipv4(ip)) => Ok(check_addr(IpAddr::V4(ip), allow_private)?),
        Some(Host::Ipv6(ip)) => Ok(check_addr(IpAddr::V6(ip), allow_private)?),
    }
}

/// Checks a host name before resolving it: metadata names are always refused, `localhost` and
/// `*.localhost` unless private addresses are allowed. An IP literal given as a name is judged as
/// an address.
pub fn check_host_name(name: &str, allow_private: bool) -> Result<(), Refusal> {
    let trimmed = name.trim_end_matches('.').to_ascii_lowercase();
    let bare = trimmed.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return check_addr(ip, allow_private);
    }
    let refuse = |kind| Err(Refusal { target: trimmed.clone(), kind });
    if url_policy::check_host_name(&trimmed).is_err() {
        return refuse(AddrKind::Metadata);
    }
    if !allow_private && (trimmed == "localhost" || trimmed.ends_with(".localhost")) {
        return refuse(AddrKind::Loopback);
    }
    Ok(())
}

/// Checks one address, written in a URL or returned by DNS.
pub fn check_addr(ip: IpAddr, allow_private: bool) -> Result<(), Refusal> {
    let kind = classify(ip);
    match kind {
        None => Ok(()),
        Some(kind) if allow_private && kind.allowed_when_private() => Ok(()),
        Some(kind) => Err(Refusal { target: ip.to_string(), kind }),
    }
}

/// `None` for a global unicast address; otherwise what it is. The media policy's metadata and
/// link-local judgement is consulted first, so both policies agree on what is never allowed.
#[must_use]
pub fn classify(ip: IpAddr) -> Option<AddrKind> {
    if let Err(e) = url_policy::check_resolved_addr(ip) {
        return Some(match e {
            url_policy::UrlPolicyError::LinkLocal(_) => AddrKind::LinkLocal,
            url_policy::UrlPolicyError::Unspecified(_) => AddrKind::Unspecified,
            _ => AddrKind::Metadata,
        });
    }
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddrKind> {
    let [a, b, c, _] = ip.octets();
    let kind = match (a, b, c) {
        (0, ..) => AddrKind::Unspecified,
        (127, ..) => AddrKind::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => AddrKind::Private,
        (100, 64..=127, _) => AddrKind::SharedCgnat,
        (169, 254, _) => AddrKind::LinkLocal,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddrKind::Documentation,
        // IETF protocol assignments, the old 6to4 relay anycast, benchmarking.
        (192, 0, 0) | (192, 88, 99) | (198, 18..=19, _) => AddrKind::Reserved,
        (224..=239, ..) => AddrKind::Multicast,
        _ if ip.is_broadcast() => AddrKind::Broadcast,
        (240..=255, ..) => AddrKind::Reserved,
        _ => return None,
    };
    Some(kind)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddrKind> {
    if ip.is_unspecified() {
        return Some(AddrKind::Unspecified);
    }
    if ip.is_loopback() {
        return Some(AddrKind::Loopback);
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let kind = match s[0] {
        0xfe80..=0xfebf => AddrKind::LinkLocal,
        // Deprecated site-local, used like RFC 1918.
        0xfec0..=0xfeff => AddrKind::Private,
        0xfc00..=0xfdff => AddrKind::UniqueLocal,
        0xff00..=0xffff => AddrKind::Multicast,
        0x2001 if s[1] == 0x0db8 => AddrKind::Documentation,
        0x3fff if s[1] <= 0x0fff => AddrKind::Documentation,
        // Local-use NAT64 (64:ff9b:1::/48) translates to private IPv4 space.
        0x0064 if s[1] == 0xff9b && s[2] == 1 => AddrKind::Private,
        // Teredo carries an obfuscated client address; nothing legitimate is sent there.
        0x2001 if s[1] == 0 => AddrKind::Reserved,
        0x2000..=0x3fff => return None,
        _ => AddrKind::Reserved,
    };
    Some(kind)
}

/// The IPv4 address inside a mapped, compatible, NAT64 or 6to4 IPv6 address: the media policy's
/// three forms, and 6to4 (`2002:AABB:CCDD::`), which only this policy judges. `::` and `::1` are
/// judged by the caller first.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = url_policy::embedded_v4(ip) {
        return Some(v4);
    }
    if ip.segments()[0] == 0x2002 {
        let [_, _, a, b, c, d, ..] = ip.octets();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

#[cfg(test)]
mod tests;
