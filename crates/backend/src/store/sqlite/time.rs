//! Conversion between `DateTime<Utc>` and the INTEGER milliseconds stored in SQLite.

use super::StoreError;
use chrono::{DateTime, Utc};

pub(super) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn from_ms(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}
