//! Name resolution under the notification address policy: `Lookup` (system DNS, or a table in
//! tests), `resolve_allowed` (every address checked, refused ones dropped), and `PolicyResolver`,
//! the same thing as a reqwest resolver, so the policy holds at connect time and DNS rebinding
//! between the save-time check and the send cannot reach a refused address.

use super::ssrf::{Refusal, check_addr, check_host_name};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses.
#[derive(Clone)]
pub struct Lookup(Arc<dyn Fn(String) -> LookupFuture + Send + Sync>);

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lookup")
    }
}

impl Lookup {
    /// The operating system's resolver, through tokio.
    #[must_use]
    pub fn system() -> Self {
        Self(Arc::new(|host: String| -> LookupFuture {
            Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.map(|a| a.ip()).collect()) })
        }))
    }

    /// A fixed table (tests): names not in it do not resolve.
    #[cfg(test)]
    #[must_use]
    pub fn table(entries: &[(&str, &[IpAddr])]) -> Self {
        let table: std::collections::HashMap<String, Vec<IpAddr>> =
            entries.iter().map(|(name, addrs)| ((*name).to_owned(), addrs.to_vec())).collect();
        Self(Arc::new(move |host: String| -> LookupFuture {
            let found = table.get(&host).cloned();
            Box::pin(async move { found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host")) })
        }))
    }

    /// Any function of the name (tests: answers that change between calls, as in DNS rebinding).
    #[cfg(test)]
    #[must_use]
    pub fn from_fn(f: impl Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync + 'static) -> Self {
        Self(Arc::new(move |host: String| -> LookupFuture {
            let answer = f(&host);
            Box::pin(async move { answer })
        }))
    }

    async fn lookup(&self, host: &str) -> io::Result<Vec<IpAddr>> {
        (self.0)(host.to_owned()).await
    }
}

/// Why a name gave no usable address.
#[derive(Debug)]
pub enum ResolveError {
    /// The name, or every address it has, is refused by the policy.
    Refused(Refusal),
    /// DNS gave no answer (no such name, resolver down).
    Lookup(io::Error),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(r) => r.fmt(f),
            Self::Lookup(e) => write!(f, "could not resolve the host name: {e}"),
        }
    }
}

impl std::error::Error for ResolveError {}

/// What a name resolves to, the addresses the policy refuses left out. IP literals are checked
/// without a lookup.
pub async fn resolve_allowed(lookup: &Lookup, host: &str, allow_private: bool) -> Result<Vec<IpAddr>, ResolveError> {
    check_host_name(host, allow_private).map_err(ResolveError::Refused)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let found = lookup.lookup(host).await.map_err(ResolveError::Lookup)?;
    keep_allowed(host, found, allow_private)
}

/// Like [`resolve_allowed`], but refuses the name if any of its addresses is refused: the stricter
/// check used when the owner saves a destination.
pub async fn resolve_all_allowed(
    lookup: &Lookup,
    host: &str,
    allow_private: bool,
) -> Result<Vec<IpAddr>, ResolveError> {
    check_host_name(host, allow_private).map_err(ResolveError::Refused)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let found = lookup.lookup(host).await.map_err(ResolveError::Lookup)?;
    for ip in &found {
        check_addr(*ip, allow_private).map_err(|mut r| {
            r.target = format!("{host} ({ip})");
            ResolveError::Refused(r)
        })?;
    }
    keep_allowed(host, found, allow_private)
}

fn keep_allowed(host: &str, found: Vec<IpAddr>, allow_private: bool) -> Result<Vec<IpAddr>, ResolveError> {
    let mut refusal = None;
    let mut allowed = Vec::with_capacity(found.len());
    for ip in found {
        match check_addr(ip, allow_private) {
            Ok(()) => allowed.push(ip),
            Err(mut r) => {
                r.target = format!("{host} ({ip})");
                refusal.get_or_insert(r);
            }
        }
    }
    match (allowed.is_empty(), refusal) {
        (false, _) => Ok(allowed),
        (true, Some(r)) => Err(ResolveError::Refused(r)),
        (true, None) => {
            Err(ResolveError::Lookup(io::Error::new(io::ErrorKind::NotFound, format!("no address found for {host}"))))
        }
    }
}

/// reqwest's resolver for one policy (public only, or private allowed).
#[derive(Clone)]
pub(crate) struct PolicyResolver {
    pub lookup: Lookup,
    pub allow_private: bool,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let allowed = resolve_allowed(&this.lookup, &host, this.allow_private).await?;
            Ok(Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests;
