//! Links of the History page that keep its filters: the query string of the non-empty values, each
//! percent-encoded.

/// `base?name=value&…` with the non-empty `params`, in order.
pub(crate) fn history_href(base: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if query.is_empty() { base.to_owned() } else { format!("{base}?{}", query.join("&")) }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(value: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::history_href;

    #[test]
    fn links_keep_filters_encoded_and_drop_empty_ones() {
        assert_eq!(history_href("/history", &[("q", ""), ("after", "")]), "/history");
        assert_eq!(
            history_href("/history", &[("q", "the bear"), ("users", "2:a&b"), ("after", "17.4.Lock, Stock")]),
            "/history?q=the%20bear&users=2%3Aa%26b&after=17.4.Lock%2C%20Stock"
        );
    }
}
