//! `Span`, a scenario duration: `"42m"`, `"1h30m"`, `"90s"`, `"1500ms"`, or a number of seconds.
//! Negative, NaN and infinite values are refused with a message naming the problem.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A non-negative length of time read from a scenario.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub Duration);

impl Span {
    #[must_use]
    pub fn secs(s: u64) -> Self {
        Self(Duration::from_secs(s))
    }

    #[must_use]
    pub fn as_millis(self) -> u64 {
        u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX)
    }

    /// Parses the text form; `None` names nothing, the caller says which field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty duration".into());
        }
        if let Ok(seconds) = text.parse::<f64>() {
            return Self::from_seconds(seconds);
        }
        let mut total = 0u64;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!("{text:?} is not a duration like \"42m\", \"1h30m\", \"90s\" or \"1500ms\""));
            }
            let number: u64 = rest[..digits].parse().map_err(|_| format!("{text:?} has a number that is too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let factor = match &rest[..unit_len] {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                other => return Err(format!("{text:?} has an unknown unit {other:?} (use h, m, s or ms)")),
            };
            rest = &rest[unit_len..];
            total = number
                .checked_mul(factor)
                .and_then(|ms| total.checked_add(ms))
                .ok_or_else(|| format!("{text:?} is too long"))?;
        }
        Ok(Self(Duration::from_millis(total)))
    }

    fn from_seconds(seconds: f64) -> Result<Self, String> {
        if !seconds.is_finite() {
            return Err("a duration must be a finite number".into());
        }
        if seconds < 0.0 {
            return Err(format!("a duration cannot be negative ({seconds})"));
        }
        Duration::try_from_secs_f64(seconds).map(Self).map_err(|e| e.to_string())
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.as_millis())
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpanVisitor;
        impl Visitor<'_> for SpanVisitor {
            type Value = Span;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"42m\", \"1h30m\", \"90s\" or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Span, E> {
                Span::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Span, E> {
                u64::try_from(v).map(Span::secs).map_err(|_| E::custom(format!("a duration cannot be negative ({v})")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Span, E> {
                Ok(Span::secs(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Span, E> {
                Span::from_seconds(v).map_err(E::custom)
            }
        }
        d.deserialize_any(SpanVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_and_numbers_parse() {
        assert_eq!(Span::parse("42m"), Ok(Span::secs(42 * 60)));
        assert_eq!(Span::parse("1h30m"), Ok(Span::secs(5400)));
        assert_eq!(Span::parse("1500ms"), Ok(Span(Duration::from_millis(1500))));
        assert_eq!(Span::parse("90"), Ok(Span::secs(90)));
        assert!(Span::parse("-5").is_err());
        assert!(Span::parse("NaN").is_err());
        assert!(Span::parse("5x").is_err());
        assert!(Span::parse("m").is_err());
    }
}
