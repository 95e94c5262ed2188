//! Tests for value hygiene, escaping and truncation.

use super::*;

fn value(s: &str, style: Style) -> String {
    let mut c = Composed::default();
    c.push_value(s, style);
    c.as_str().to_owned()
}

#[test]
fn bidi_controls_are_removed_and_control_characters_become_spaces() {
    let evil = "ali\u{202E}ce\u{2066}x\u{2069}\u{200F}\nline2\tz\u{0007}";
    assert_eq!(sanitize_value(evil), "alicex line2 z", "and the value is trimmed");
    for c in
        ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
    {
        assert_eq!(sanitize_value(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
    }
}

#[test]
fn long_values_are_cut_to_the_value_limit() {
    let long = "é".repeat(5000);
    let cut = sanitize_value(&long);
    assert_eq!(cut.chars().count(), VALUE_MAX_CHARS);
    assert!(cut.ends_with(ELLIPSIS));
}

#[test]
fn truncate_keeps_short_text_and_cuts_long_text_on_char_boundaries() {
    assert_eq!(truncate("short", 10, Measure::Chars), "short");
    assert_eq!(truncate("abcdefghij", 5, Measure::Chars), "abcd…");
    // Multi-byte characters: never cut inside one, whatever the measure.
    let s = "ñandú ñandú ñandú";
    let bytes = truncate(s, 8, Measure::Bytes);
    assert!(bytes.len() <= 8, "{bytes:?}");
    assert!(bytes.ends_with('…'));
    assert_eq!(truncate("", 3, Measure::Chars), "");
}

#[test]
fn utf16_counts_astral_characters_twice() {
    assert_eq!(Measure::Utf16.of("😀a"), 3);
    assert_eq!(Measure::Chars.of("😀a"), 2);
    let cut = truncate(&"😀".repeat(10), 5, Measure::Utf16);
    assert!(Measure::Utf16.of(&cut) <= 5, "{cut}");
    assert_eq!(cut, "😀😀…");
}

#[test]
fn markdown_values_cannot_mention_or_format() {
    let out = value("@everyone @here <@123> <@&9> **bold** `code` [x](http://e)", Style::Markdown);
    assert!(!out.contains("@everyone"), "{out}");
    assert!(!out.contains("@here"));
    assert!(!out.contains("<@1") && !out.contains("<@&"));
    assert!(out.contains("@\u{200B}everyone"));
    assert!(out.contains("\\*\\*bold\\*\\*"));
    assert!(out.contains("\\`code\\`"));
    assert!(out.contains("\\[x\\]\\(http\\://e\\)"));
}

#[test]
fn markdown_literals_stay_markdown() {
    let mut c = Composed::default();
    c.push_literal("**Alert** @owner", Style::Markdown);
    assert_eq!(c.as_str(), "**Alert** @owner");
}

#[test]
fn html_escapes_values_and_literals() {
    assert_eq!(
        value("<script>alert(\"x\")</script> & co", Style::Html),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    );
    let mut c = Composed::default();
    c.push_literal("a < b", Style::Html);
    assert_eq!(c.as_str(), "a &lt; b");
}

#[test]
fn fitting_never_splits_an_escape_sequence() {
    let mut c = Composed::default();
    c.push_value("&&&&&&&&", Style::Html);
    for max in 1..40 {
        let fitted = c.fit(max, Measure::Chars);
        assert!(fitted.chars().count() <= max, "{max}: {fitted}");
        let body = fitted.trim_end_matches('…');
        assert_eq!(body.replace("&amp;", ""), "", "{max}: {fitted}");
    }
    let mut d = Composed::default();
    d.push_value("____", Style::Markdown);
    let fitted = d.fit(6, Measure::Chars);
    assert_eq!(fitted, "\\_\\_…");
}

#[test]
fn fitting_trims_surrounding_whitespace() {
    let mut c = Composed::default();
    c.push_literal("  hello  ", Style::Plain);
    assert_eq!(c.fit(100, Measure::Chars), "hello");
    assert_eq!(c.fit(4, Measure::Chars), "hel…");
    assert!(c.fit(4, Measure::Chars).chars().count() <= 4);
}
