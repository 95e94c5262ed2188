//! Login rate limiting: token buckets per client network and per account name.
//!
//! Failed attempts spend a token from both buckets; a success refills the account's bucket.
//! IPv6 clients are bucketed per /64 so one host cannot rotate addresses to dodge the limit.
//! Time is a parameter, so the limiter is tested without sleeping.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Capacity and refill of one kind of bucket.
#[derive(Debug, Clone, Copy)]
pub struct BucketPolicy {
    pub burst: f64,
    pub refill_per_sec: f64,
}

/// The defaults: 10 failures per network then 1 per minute; 5 per account then 1 per 30 s.
pub const PER_IP: BucketPolicy = BucketPolicy { burst: 10.0, refill_per_sec: 1.0 / 60.0 };
pub const PER_ACCOUNT: BucketPolicy = BucketPolicy { burst: 5.0, refill_per_sec: 1.0 / 30.0 };

/// Past this many tracked keys, full buckets are pruned so memory stays bounded.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

impl Bucket {
    fn level(&self, policy: BucketPolicy, now: DateTime<Utc>) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "milliseconds fit f64 precisely for centuries")]
        let elapsed = (now - self.at).num_milliseconds().max(0) as f64 / 1000.0;
        (self.tokens + elapsed * policy.refill_per_sec).min(policy.burst)
    }
}

/// A named bucket set (per IP or per account).
struct Buckets<K> {
    policy: BucketPolicy,
    map: Mutex<HashMap<K, Bucket>>,
}

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    fn new(policy: BucketPolicy) -> Self {
        Self { policy, map: Mutex::new(HashMap::new()) }
    }

    /// Seconds until one token is available; 0 when one is available now.
    fn wait_secs(&self, key: &K, now: DateTime<Utc>) -> u64 {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let level = map.get(key).map_or(self.policy.burst, |b| b.level(self.policy, now));
        if level >= 1.0 {
            0
        } else {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "small positive value")]
            let secs = ((1.0 - level) / self.policy.refill_per_sec).ceil() as u64;
            secs.max(1)
        }
    }

    fn spend(&self, key: &K, now: DateTime<Utc>) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_TRACKED {
            let policy = self.policy;
            map.retain(|_, b| b.level(policy, now) < policy.burst);
        }
        let level = map.get(key).map_or(self.policy.burst, |b| b.level(self.policy, now));
        map.insert(key.clone(), Bucket { tokens: (level - 1.0).max(0.0), at: now });
    }

    fn reset(&self, key: &K) {
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(key);
    }
}

/// The key under which a client address is limited: the address for IPv4, its /64 for IPv6.
#[must_use]
pub fn network_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Login attempt limiter for the whole process.
pub struct LoginLimiter {
    per_ip: Buckets<IpAddr>,
    per_account: Buckets<String>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(PER_IP, PER_ACCOUNT)
    }
}

impl LoginLimiter {
    #[must_use]
    pub fn new(per_ip: BucketPolicy, per_account: BucketPolicy) -> Self {
        Self { per_ip: Buckets::new(per_ip), per_account: Buckets::new(per_account) }
    }

    /// `None` when an attempt may proceed, else the seconds to wait (for `Retry-After`).
    #[must_use]
    pub fn check(&self, ip: IpAddr, account: &str, now: DateTime<Utc>) -> Option<u64> {
        let wait =
            self.per_ip.wait_secs(&network_key(ip), now).max(self.per_account.wait_secs(&account.to_lowercase(), now));
        (wait > 0).then_some(wait)
    }

    /// Records a failed attempt against both the network and the account.
    pub fn record_failure(&self, ip: IpAddr, account: &str, now: DateTime<Utc>) {
        self.per_ip.spend(&network_key(ip), now);
        self.per_account.spend(&account.to_lowercase(), now);
    }

    /// Records a success: the account's failures are forgiven (the network's are not).
    pub fn record_success(&self, account: &str) {
        self.per_account.reset(&account.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid time") + Duration::seconds(secs)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn ten_failures_from_one_address_block_the_eleventh_attempt_for_a_minute() {
        let l = LoginLimiter::new(PER_IP, BucketPolicy { burst: 1000.0, refill_per_sec: 1.0 });
        for n in 0..10 {
            assert_eq!(l.check(ip("203.0.113.9"), &format!("user{n}"), t(0)), None, "attempt {n}");
            l.record_failure(ip("203.0.113.9"), &format!("user{n}"), t(0));
        }
        assert_eq!(l.check(ip("203.0.113.9"), "someone", t(0)), Some(60));
        assert_eq!(l.check(ip("203.0.113.9"), "someone", t(30)), Some(30));
        assert_eq!(l.check(ip("203.0.113.9"), "someone", t(60)), None);
        assert_eq!(l.check(ip("198.51.100.1"), "someone", t(0)), None, "other addresses are unaffected");
    }

    #[test]
    fn an_account_is_protected_from_guessing_across_many_addresses() {
        let l = LoginLimiter::default();
        for n in 0..5u8 {
            let from = IpAddr::from([203, 0, 113, n]);
            assert_eq!(l.check(from, "Owner", t(0)), None);
            l.record_failure(from, "Owner", t(0));
        }
        assert_eq!(l.check(ip("192.0.2.1"), "owner", t(0)), Some(30), "account names are case-insensitive");
        assert_eq!(l.check(ip("192.0.2.1"), "owner", t(30)), None);
    }

    #[test]
    fn a_success_forgives_the_account_but_not_the_network() {
        let l = LoginLimiter::new(BucketPolicy { burst: 3.0, refill_per_sec: 0.001 }, PER_ACCOUNT);
        for _ in 0..3 {
            l.record_failure(ip("203.0.113.9"), "owner", t(0));
        }
        l.record_success("owner");
        assert!(l.check(ip("203.0.113.9"), "owner", t(0)).is_some());
        assert_eq!(l.check(ip("192.0.2.1"), "owner", t(0)), None);
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(network_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(network_key(ip("2001:db8:1:2:bbbb::9")), ip("2001:db8:1:2::"));
        assert_eq!(network_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn a_clock_that_goes_backwards_never_grants_extra_attempts() {
        let l = LoginLimiter::new(BucketPolicy { burst: 1.0, refill_per_sec: 1.0 }, PER_ACCOUNT);
        l.record_failure(ip("203.0.113.9"), "a", t(100));
        assert!(l.check(ip("203.0.113.9"), "b", t(50)).is_some());
    }
}
