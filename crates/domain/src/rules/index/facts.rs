//! The compact records an [`super::AccountIndex`] keeps, so an evaluation reads a few cache lines of digest
//! instead of the sessions: short names stored inline, the earliest or latest time of a key without one
//! entry, and per session the facts the distance and stream rules compare.

use chrono::{DateTime, Utc};
use std::net::IpAddr;

use crate::geo::LatLon;
use crate::media::{PlaybackState, StreamDecision};
use crate::rules::context::RuleSession;
use crate::rules::net;
use crate::rules::view::located;

/// A name (session key, device key, country, city) as bytes, inline up to 22 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    Inline(u8, [u8; 22]),
    Heap(Box<[u8]>),
}

impl Name {
    pub fn new(s: &str) -> Self {
        let b = s.as_bytes();
        match u8::try_from(b.len()) {
            Ok(n) if b.len() <= 22 => {
                let mut bytes = [0; 22];
                bytes[..b.len()].copy_from_slice(b);
                Self::Inline(n, bytes)
            }
            _ => Self::Heap(b.into()),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Inline(n, bytes) => &bytes[..usize::from(*n)],
            Self::Heap(b) => b,
        }
    }

    pub fn is(&self, s: &str) -> bool {
        self.bytes() == s.as_bytes()
    }

    pub fn is_ignoring_case(&self, s: &str) -> bool {
        self.bytes().eq_ignore_ascii_case(s.as_bytes())
    }
}

/// The earliest (or latest) time among the entries of one key, and the next one, so the extreme without
/// any one entry (the judged session's) is known too.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Top2 {
    best: DateTime<Utc>,
    next: DateTime<Utc>,
    /// The entry of `best` and its key's hash.
    best_hash: u64,
    best_entry: u32,
    /// How many of `best` and `next` are set.
    filled: u8,
}

impl Top2 {
    fn push(
        &mut self,
        at: DateTime<Utc>,
        (entry, hash): (u32, u64),
        better: impl Fn(DateTime<Utc>, DateTime<Utc>) -> bool,
    ) {
        if self.filled == 0 || better(at, self.best) {
            self.next = self.best;
            self.best = at;
            self.best_entry = entry;
            self.best_hash = hash;
            self.filled = (self.filled + 1).min(2);
        } else if self.filled == 1 || better(at, self.next) {
            self.next = at;
            self.filled = 2;
        }
    }

    pub fn push_min(&mut self, at: DateTime<Utc>, entry: (u32, u64)) {
        self.push(at, entry, |a, b| a < b);
    }

    pub fn push_max(&mut self, at: DateTime<Utc>, entry: (u32, u64)) {
        self.push(at, entry, |a, b| a > b);
    }

    /// The extreme time among the entries other than the one `is_skip` (given its key's hash and index).
    pub fn without(&self, is_skip: impl Fn(u64, u32) -> bool) -> Option<DateTime<Utc>> {
        match self.filled {
            0 => None,
            _ if !is_skip(self.best_hash, self.best_entry) => Some(self.best),
            1 => None,
            _ => Some(self.next),
        }
    }
}

/// What the distance and stream rules ask of one session, copied out of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Facts {
    /// The hash of the session's key ([`crate::rules::view::hash`]).
    pub hash: u64,
    pub entry: u32,
    /// Index into the device tallies, or [`super::NO_DEVICE`].
    pub device: u32,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<IpAddr>,
    /// The point and accuracy radius when the session may be used for distances ([`located`]).
    pub located: Option<(LatLon, f64)>,
    /// The location's ASN and city (trimmed), when the session has a location.
    pub place: Option<(Option<u32>, Option<Name>)>,
    pub state: PlaybackState,
    pub decision: StreamDecision,
}

impl Facts {
    pub fn of(s: &RuleSession, (entry, hash): (u32, u64), device: u32) -> Self {
        Self {
            hash,
            entry,
            device,
            started_at: s.started_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            located: located(s).map(|l| (l.point, l.accuracy_km)),
            place: s.location.as_ref().map(|l| (l.asn, l.city.as_deref().map(|c| Name::new(c.trim())))),
            state: s.state,
            decision: s.decision,
        }
    }

    /// [`crate::rules::view::same_place`] of this session and `b`.
    pub fn same_place(&self, b: &RuleSession) -> bool {
        if let (Some(x), Some(y)) = (self.ip, b.ip)
            && net::same_prefix(x, y)
        {
            return true;
        }
        match (&self.place, b.location.as_ref()) {
            (Some((asn, city)), Some(lb)) => match (asn, lb.asn, city, lb.city.as_deref()) {
                (Some(x), Some(y), Some(ca), Some(cb)) => *x == y && ca.is_ignoring_case(cb.trim()),
                _ => false,
            },
            _ => false,
        }
    }
}
