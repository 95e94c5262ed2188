//! Reconnect backoff: capped exponential delay with jitter, shared by the browser's live
//! socket and the server's upstream connections. Randomness is a parameter.

/// First retry delay.
pub const BASE_MS: u64 = 1_000;
/// Longest delay between attempts.
pub const CAP_MS: u64 = 30_000;

/// Delay before attempt `attempt` (0 = connect now). `random` in `[0, 1)` spreads clients
/// over the upper half of the window, so a server restart is not met by a thundering herd.
#[must_use]
pub fn reconnect_delay_ms(attempt: u32, random: f64) -> u64 {
    if attempt == 0 {
        return 0;
    }
    let window = BASE_MS.saturating_mul(1u64 << (attempt - 1).min(16)).min(CAP_MS);
    let r = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.5 };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "window ≤ 30 000"
    )]
    let jitter = ((window / 2) as f64 * r) as u64;
    window / 2 + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_and_stop_at_the_cap() {
        assert_eq!(reconnect_delay_ms(0, 0.3), 0);
        assert_eq!(reconnect_delay_ms(1, 0.0), 500);
        assert_eq!(reconnect_delay_ms(1, 1.0), 1_000);
        assert_eq!(reconnect_delay_ms(3, 1.0), 4_000);
        assert_eq!(reconnect_delay_ms(10, 1.0), CAP_MS);
        assert_eq!(reconnect_delay_ms(u32::MAX, 0.0), CAP_MS / 2);
    }

    #[test]
    fn bad_randomness_cannot_produce_a_bad_delay() {
        assert_eq!(reconnect_delay_ms(2, f64::NAN), 1_500);
        assert_eq!(reconnect_delay_ms(2, -4.0), 1_000);
        assert_eq!(reconnect_delay_ms(2, 7.0), 2_000);
    }
}
