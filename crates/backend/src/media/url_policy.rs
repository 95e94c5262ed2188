//! Which media-server addresses Sightline will talk to. Pure checks on the configured URL and on
//! every address DNS returns for it; no I/O. LAN, loopback, CGNAT and ULA are allowed because
//! media servers live there; link-local, "this network" and cloud-metadata targets are not.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use thiserror::Error;
use url::{Host, Url};

/// Host names that reach a cloud provider's instance metadata service, compared lowercase and
/// without a trailing dot.
const METADATA_NAMES: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];

/// Metadata services outside the link-local range: Alibaba Cloud (inside CGNAT) and the AWS IPv6
/// endpoint (inside ULA). Both ranges are otherwise allowed, so these two are named.
const METADATA_ADDRS: &[IpAddr] =
    &[IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)), IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254))];

/// Why an address or a request path was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlPolicyError {
    #[error("the server address is empty")]
    Empty,
    #[error("the server address is not a valid url: {0}")]
    Malformed(String),
    #[error("only http:// and https:// server addresses are allowed, not {0}://")]
    UnsupportedScheme(String),
    #[error("the server address has no host name")]
    MissingHost,
    #[error("the server address must not contain a user name or password; the token is configured separately")]
    Credentials,
    #[error("the server address must not contain a query (the part after `?`)")]
    Query,
    #[error("the server address must not contain a fragment (the part after `#`)")]
    Fragment,
    #[error("{0} is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services live")]
    LinkLocal(IpAddr),
    #[error("{0} is not a host address (0.0.0.0/8 and :: mean \"this machine, any interface\")")]
    Unspecified(IpAddr),
    #[error("{0} is a cloud metadata service, not a media server")]
    Metadata(String),
    #[error("the request path {0:?} would leave the configured server")]
    OriginChanged(String),
    #[error("the request path {0:?} would leave the server's base path")]
    OutsideBasePath(String),
    #[error("the request path {0:?} must not contain `?` or `#`; query parameters are passed separately")]
    PathNotPlain(String),
}

/// Checks an owner-supplied media-server address and returns it as a base URL whose path ends
/// with `/`, so request paths join below it (`http://nas:8096/jellyfin` → `…/jellyfin/`).
/// Numeric host forms (`http://2130706433`, `http://0x7f.1`) are judged after the url crate
/// normalises them to dotted IPv4.
pub fn check_media_url(raw: &str) -> Result<Url, UrlPolicyError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(UrlPolicyError::Empty);
    }
    let mut url = Url::parse(raw).map_err(|e| UrlPolicyError::Malformed(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlPolicyError::UnsupportedScheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlPolicyError::Credentials);
    }
    if url.query().is_some() {
        return Err(UrlPolicyError::Query);
    }
    if url.fragment().is_some() {
        return Err(UrlPolicyError::Fragment);
    }
    match url.host() {
        None => return Err(UrlPolicyError::MissingHost),
        Some(Host::Domain(name)) => check_host_name(name)?,
        Some(Host::Ipv4(ip)) => check_resolved_addr(IpAddr::V4(ip))?,
        Some(Host::Ipv6(ip)) => check_resolved_addr(IpAddr::V6(ip))?,
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Applies the address rule to one IP, whether written in the URL or returned by DNS.
/// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`)
/// addresses are judged by the IPv4 address they carry.
pub fn check_resolved_addr(ip: IpAddr) -> Result<(), UrlPolicyError> {
    if METADATA_ADDRS.contains(&ip) {
        return Err(UrlPolicyError::Metadata(ip.to_string()));
    }
    let refused = match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) if v6.is_unspecified() => Some(Reason::Unspecified),
        IpAddr::V6(v6) if v6.is_unicast_link_local() => Some(Reason::LinkLocal),
        IpAddr::V6(v6) => embedded_v4(v6).and_then(|v4| {
            if METADATA_ADDRS.contains(&IpAddr::V4(v4)) { Some(Reason::Metadata) } else { v4_reason(v4) }
        }),
    };
    match refused {
        None => Ok(()),
        Some(Reason::LinkLocal) => Err(UrlPolicyError::LinkLocal(ip)),
        Some(Reason::Unspecified) => Err(UrlPolicyError::Unspecified(ip)),
        Some(Reason::Metadata) => Err(UrlPolicyError::Metadata(ip.to_string())),
    }
}

/// Refuses the well-known metadata host names. Any other name is judged by what it resolves to.
pub(crate) fn check_host_name(name: &str) -> Result<(), UrlPolicyError> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if METADATA_NAMES.contains(&name.as_str()) {
        return Err(UrlPolicyError::Metadata(name));
    }
    Ok(())
}

enum Reason {
    LinkLocal,
    Unspecified,
    Metadata,
}

fn v4_reason(ip: Ipv4Addr) -> Option<Reason> {
    if ip.is_link_local() {
        Some(Reason::LinkLocal)
    } else if ip.octets()[0] == 0 {
        Some(Reason::Unspecified)
    } else {
        None
    }
}

/// The IPv4 address inside a mapped, compatible or NAT64 IPv6 address. `::1` is loopback, not the
/// compatible form of 0.0.0.1, and `::` was handled by the caller.
pub(crate) fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let [.., a, b, c, d] = ip.octets();
    let tail = Ipv4Addr::new(a, b, c, d);
    let compatible = s[..6] == [0; 6] && !ip.is_loopback();
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (compatible || nat64).then_some(tail)
}

#[cfg(test)]
mod tests;
