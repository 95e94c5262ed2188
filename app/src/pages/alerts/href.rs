//! Links within the Alerts list that keep its filters: the query string built from the current
//! values, empty ones left out, every value percent-encoded.

/// `/alerts?severity=high&after=…` with the non-empty `params`, in order.
pub(super) fn alerts_href(params: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if query.is_empty() { "/alerts".to_owned() } else { format!("/alerts?{}", query.join("&")) }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::alerts_href;

    #[test]
    fn links_keep_filters_encoded_and_drop_empty_ones() {
        assert_eq!(alerts_href(&[("severity", ""), ("after", "")]), "/alerts");
        assert_eq!(
            alerts_href(&[("severity", "high"), ("user", "2:a b&c=d/é"), ("rule", ""), ("after", "1700.4")]),
            "/alerts?severity=high&user=2%3Aa%20b%26c%3Dd%2F%C3%A9&after=1700.4"
        );
    }
}
