//! Text hygiene for notification values: bidi and control characters out, per-target escaping
//! (`Style`), and truncation to a target's limit on unit boundaries with "…" (`Composed::fit`), so
//! an escape sequence is never cut in half. Pure; knows no target's limits itself.

/// Appended where text was cut.
pub const ELLIPSIS: char = '…';

/// The longest a single variable's value may be, in characters, before it is cut. Keeps one huge
/// value (a 10 KB user name) from crowding everything else out of a message.
pub const VALUE_MAX_CHARS: usize = 1000;

/// How a target counts the length of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Unicode scalar values (Discord, Pushover, most services).
    Chars,
    /// UTF-16 code units (Telegram).
    Utf16,
    /// UTF-8 bytes (ntfy's message body).
    Bytes,
}

impl Measure {
    #[must_use]
    pub fn of(self, s: &str) -> usize {
        match self {
            Self::Chars => s.chars().count(),
            Self::Utf16 => s.encode_utf16().count(),
            Self::Bytes => s.len(),
        }
    }
}

/// How values (and the owner's literal template text) are written for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As is: plain-text targets and JSON (serde escapes).
    Plain,
    /// Discord markdown: values get backslash escapes and every `@` a zero-width space after it, so
    /// `@everyone`, `@here` and `<@id>` never become mentions. The owner's literal text stays
    /// markdown.
    Markdown,
    /// Telegram's HTML parse mode: `&`, `<`, `>` and `"` become entities, in values and literals.
    Html,
}

/// Characters Discord's markdown gives a meaning to. A backslash before any ASCII punctuation is
/// shown as the character itself, so escaping a few extra is harmless.
const MARKDOWN_SPECIAL: &str = "\\*_~`|<>#-[]():";

impl Style {
    fn push_value(self, c: char, out: &mut String) {
        match self {
            Self::Plain => out.push(c),
            Self::Markdown if c == '@' => out.push_str("@\u{200B}"),
            Self::Markdown if MARKDOWN_SPECIAL.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            Self::Markdown => out.push(c),
            Self::Html => push_html(c, out),
        }
    }

    fn push_literal(self, c: char, out: &mut String) {
        match self {
            Self::Plain | Self::Markdown => out.push(c),
            Self::Html => push_html(c, out),
        }
    }
}

fn push_html(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        c => out.push(c),
    }
}

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and the
/// invisible direction marks (LRM, RLM, ALM). An attacker-chosen name with U+202E can make the rest
/// of a line read backwards.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A value as it may appear in a message: bidi controls removed, other control characters
/// (newlines included: values are one line) replaced by a space, cut to [`VALUE_MAX_CHARS`].
#[must_use]
pub fn sanitize_value(value: &str) -> String {
    let clean: String =
        value.chars().filter(|c| !is_bidi_control(*c)).map(|c| if c.is_control() { ' ' } else { c }).collect();
    truncate(&clean, VALUE_MAX_CHARS, Measure::Chars)
}

/// Cuts `s` to at most `max` (as `measure` counts), on a character boundary, ending with "…".
#[must_use]
pub fn truncate(s: &str, max: usize, measure: Measure) -> String {
    let mut composed = Composed::default();
    composed.push_literal(s, Style::Plain);
    composed.fit(max, measure)
}

/// Text built from units (one escaped character each, or a separator), which can be cut only
/// between units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Composed {
    text: String,
    /// Byte offset after each unit.
    ends: Vec<usize>,
}

impl Composed {
    /// Appends the owner's literal text, escaped as `style` escapes literals.
    pub fn push_literal(&mut self, s: &str, style: Style) {
        for c in s.chars() {
            style.push_literal(c, &mut self.text);
            self.ends.push(self.text.len());
        }
    }

    /// Appends a value, escaped as `style` escapes values. The value should already be sanitized.
    pub fn push_value(&mut self, s: &str, style: Style) {
        for c in s.chars() {
            style.push_value(c, &mut self.text);
            self.ends.push(self.text.len());
        }
    }

    /// Appends text the renderer itself writes (separators, markup), as one unit.
    pub fn push_raw(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The text, or its longest prefix of whole units that fits `max` together with "…".
    /// Surrounding whitespace is trimmed first (Discord counts after trimming, others do not mind).
    #[must_use]
    pub fn fit(&self, max: usize, measure: Measure) -> String {
        let whole = self.text.trim();
        if measure.of(whole) <= max {
            return whole.to_owned();
        }
        let budget = max.saturating_sub(measure.of(ELLIPSIS.encode_utf8(&mut [0; 4])));
        let lead = self.text.len() - self.text.trim_start().len();
        let mut used = 0;
        let mut cut = lead;
        let mut start = 0;
        for &end in &self.ends {
            if end > lead {
                let unit = &self.text[start.max(lead)..end];
                used += measure.of(unit);
                if used > budget {
                    break;
                }
                cut = end;
            }
            start = end;
        }
        let mut out = self.text[lead..cut].trim_end().to_owned();
        if max > 0 {
            out.push(ELLIPSIS);
        }
        out
    }
}

#[cfg(test)]
mod tests;
