//! The outbox worker's pure decisions: what an attempt's outcome means for its row (delivered, again
//! later with exponential backoff and jitter or the receiver's own `Retry-After`, or dead), and each
//! destination's token bucket (`rate_per_minute`). Time and randomness come in as parameters.

use crate::notify::DeliveryOutcome;
use crate::store::notify::AttemptEnd;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// When to try again and when to give up.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the 1st, 2nd, … failed attempt; the last one repeats.
    pub delays: Vec<Duration>,
    /// Attempts before a row is dead-lettered.
    pub max_attempts: u32,
    /// Up to this fraction is added to each wait at random, so retries do not come in lockstep.
    pub jitter: f64,
    /// The longest wait, also for a receiver's `Retry-After`.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    /// 5 s, 30 s, 2 min, 10 min, then hourly; dead after 8 attempts (about 3 h 13 min of trying).
    fn default() -> Self {
        Self {
            delays: vec![
                Duration::from_secs(5),
                Duration::from_secs(30),
                Duration::from_secs(120),
                Duration::from_secs(600),
                Duration::from_secs(3600),
            ],
            max_attempts: 8,
            jitter: 0.2,
            max_wait: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`-th (1-based) failure, before jitter.
    #[must_use]
    pub fn delay(&self, attempt: u32) -> Duration {
        let i = usize::try_from(attempt.saturating_sub(1)).unwrap_or(usize::MAX);
        self.delays.get(i).or(self.delays.last()).copied().unwrap_or(Duration::ZERO).min(self.max_wait)
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// How the `attempt`-th (1-based) attempt's `outcome` ends its row, at `now`. `jitter_unit` is a
/// random number in `[0, 1)`.
#[must_use]
pub fn after_attempt(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: &DeliveryOutcome,
    now: DateTime<Utc>,
    jitter_unit: f64,
) -> AttemptEnd {
    match outcome {
        DeliveryOutcome::Delivered { .. } => AttemptEnd::Delivered { outcome: outcome.describe() },
        DeliveryOutcome::Failed { reason } => AttemptEnd::Dead { error: reason.clone() },
        DeliveryOutcome::Retry { reason, .. } if attempt >= policy.max_attempts => {
            AttemptEnd::Dead { error: format!("{reason}; gave up after {attempt} attempts") }
        }
        DeliveryOutcome::Retry { after, reason } => {
            let base = after.map_or_else(|| policy.delay(attempt), |a| a.min(policy.max_wait));
            let extra = base.mul_f64((policy.jitter * jitter_unit.clamp(0.0, 1.0)).max(0.0));
            let wait = base + extra;
            AttemptEnd::Retry {
                at: now + delta(wait),
                error: format!("{reason} (attempt {attempt} of {})", policy.max_attempts),
            }
        }
    }
}

/// One destination's allowance: up to a tenth of a minute's deliveries at once, then evenly spaced at
/// `rate_per_minute`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// The burst a rate allows: a tenth of a minute's worth, at least one.
#[must_use]
pub fn burst(rate_per_minute: u32) -> f64 {
    f64::from(rate_per_minute.max(1).div_ceil(10))
}

impl Bucket {
    /// A full bucket.
    #[must_use]
    pub fn full(rate_per_minute: u32, now: DateTime<Utc>) -> Self {
        Self { tokens: burst(rate_per_minute), at: now }
    }

    /// Takes one delivery's token, or says when the next one will be there.
    pub fn take(&mut self, rate_per_minute: u32, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        let per_second = f64::from(rate_per_minute.max(1)) / 60.0;
        let elapsed = (now - self.at).num_milliseconds().max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * per_second).min(burst(rate_per_minute));
        self.at = now.max(self.at);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait_ms = ((1.0 - self.tokens) / per_second * 1000.0).ceil() as i64;
        Err(self.at + TimeDelta::milliseconds(wait_ms.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
    }

    fn retry(after: Option<Duration>) -> DeliveryOutcome {
        DeliveryOutcome::Retry { after, reason: "HTTP 500".into() }
    }

    #[test]
    fn failures_back_off_exponentially_then_hourly_and_die_after_the_last_attempt() {
        let p = RetryPolicy::default();
        let waits: Vec<i64> = (1..p.max_attempts)
            .map(|n| match after_attempt(&p, n, &retry(None), t0(), 0.0) {
                AttemptEnd::Retry { at, .. } => (at - t0()).num_seconds(),
                other => panic!("attempt {n}: {other:?}"),
            })
            .collect();
        assert_eq!(waits, [5, 30, 120, 600, 3600, 3600, 3600]);
        let last = after_attempt(&p, p.max_attempts, &retry(None), t0(), 0.0);
        assert_eq!(last, AttemptEnd::Dead { error: "HTTP 500; gave up after 8 attempts".into() });
    }

    #[test]
    fn jitter_only_ever_adds_up_to_its_fraction() {
        let p = RetryPolicy::default();
        let at = |unit| match after_attempt(&p, 2, &retry(None), t0(), unit) {
            AttemptEnd::Retry { at, .. } => (at - t0()).num_milliseconds(),
            other => panic!("{other:?}"),
        };
        assert_eq!(at(0.0), 30_000);
        assert_eq!(at(0.5), 33_000);
        assert!(at(0.999_999) <= 36_000);
        assert_eq!(at(7.0), 36_000, "out-of-range randomness is clamped");
    }

    #[test]
    fn a_receivers_retry_after_replaces_the_backoff_and_is_capped() {
        let p = RetryPolicy::default();
        let after = after_attempt(&p, 1, &retry(Some(Duration::from_millis(1500))), t0(), 0.0);
        assert_eq!(
            after,
            AttemptEnd::Retry { at: t0() + TimeDelta::milliseconds(1500), error: "HTTP 500 (attempt 1 of 8)".into() }
        );
        let huge = after_attempt(&p, 1, &retry(Some(Duration::from_secs(86_400))), t0(), 0.0);
        assert!(matches!(huge, AttemptEnd::Retry { at, .. } if at == t0() + TimeDelta::hours(1)), "{huge:?}");
    }

    #[test]
    fn refusals_die_at_once_and_deliveries_keep_their_sentence() {
        let p = RetryPolicy::default();
        let failed = DeliveryOutcome::Failed { reason: "HTTP 404: the webhook no longer exists".into() };
        assert_eq!(
            after_attempt(&p, 1, &failed, t0(), 0.5),
            AttemptEnd::Dead { error: "HTTP 404: the webhook no longer exists".into() }
        );
        let ok = after_attempt(&p, 3, &DeliveryOutcome::Delivered { status: 204 }, t0(), 0.5);
        assert_eq!(ok, AttemptEnd::Delivered { outcome: "delivered (204)".into() });
    }

    #[test]
    fn buckets_allow_a_tenth_of_a_minute_at_once_then_space_the_rest() {
        let mut b = Bucket::full(60, t0());
        for _ in 0..6 {
            assert_eq!(b.take(60, t0()), Ok(()));
        }
        assert_eq!(b.take(60, t0()), Err(t0() + TimeDelta::seconds(1)));
        assert_eq!(b.take(60, t0() + TimeDelta::seconds(1)), Ok(()));
        let mut slow = Bucket::full(2, t0());
        assert_eq!(slow.take(2, t0()), Ok(()));
        assert_eq!(slow.take(2, t0()), Err(t0() + TimeDelta::seconds(30)));
        assert_eq!(slow.take(2, t0() + TimeDelta::seconds(29)), Err(t0() + TimeDelta::seconds(30)));
        assert_eq!(slow.take(2, t0() + TimeDelta::seconds(30)), Ok(()));
    }

    #[test]
    fn an_idle_bucket_refills_only_to_its_burst() {
        let mut b = Bucket::full(20, t0());
        let later = t0() + TimeDelta::hours(5);
        assert_eq!(b.take(20, later), Ok(()));
        assert_eq!(b.take(20, later), Ok(()));
        assert!(b.take(20, later).is_err(), "burst of 20/min is 2");
        // A clock that steps back does not mint tokens.
        assert!(b.take(20, t0()).is_err());
    }
}
