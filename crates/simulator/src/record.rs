//! The request log of one fake server: control calls (terminate, stop, message) as they
//! arrived, and a counter per endpoint for the benchmark.

use std::collections::BTreeMap;

/// A control request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub body: String,
}

impl RecordedRequest {
    /// The first value of a query parameter, percent-decoded.
    #[must_use]
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| decode(v))
    }
}

/// Control calls in order and request counts per `METHOD /route`.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    pub calls: Vec<RecordedRequest>,
    pub counts: BTreeMap<String, u64>,
}

/// Minimal `application/x-www-form-urlencoded` decoding (`+` and `%XX`).
#[must_use]
pub fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        let r = RecordedRequest {
            method: "GET".into(),
            path: "/status/sessions/terminate".into(),
            query: "sessionId=abc&reason=Too+many%20streams%21&x=%".into(),
            body: String::new(),
        };
        assert_eq!(r.query_param("reason").as_deref(), Some("Too many streams!"));
        assert_eq!(r.query_param("sessionId").as_deref(), Some("abc"));
        assert_eq!(r.query_param("x").as_deref(), Some("%"));
        assert_eq!(r.query_param("y"), None);
    }
}
