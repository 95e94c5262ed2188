//! Renders an `Element` tree as Plex XML, escaping every attribute value. Pure.

use super::element::{Element, Value};
use std::fmt::Write;

/// The whole document, with the XML declaration Plex sends.
#[must_use]
pub fn document(root: &Element) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_element(&mut out, root, 0);
    out
}

fn write_element(out: &mut String, element: &Element, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(element.name);
    for (key, value) in &element.attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        match value {
            Value::Str(s) => escape_into(out, s),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(f) => {
                let _ = write!(out, "{f}");
            }
            Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        }
        out.push('"');
    }
    if element.children.is_empty() {
        out.push_str(" />\n");
        return;
    }
    out.push_str(">\n");
    for child in &element.children {
        write_element(out, child, depth + 1);
    }
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str("</");
    out.push_str(element.name);
    out.push_str(">\n");
}

/// Escapes text for an attribute value: the five predefined entities, and control characters
/// (which XML 1.0 cannot carry) as spaces.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// `escape_into` as a new string.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_escaped() {
        assert_eq!(escape(r#"Tom & "Jerry" <3 'x'"#), "Tom &amp; &quot;Jerry&quot; &lt;3 &apos;x&apos;");
        assert_eq!(escape("a\u{1}b\nc"), "a b&#10;c");
        let doc = document(&Element::new("MediaContainer").s("title", "<&>").i("size", 0).b("x", true));
        assert!(doc.ends_with("<MediaContainer title=\"&lt;&amp;&gt;\" size=\"0\" x=\"1\" />\n"), "{doc}");
    }
}
