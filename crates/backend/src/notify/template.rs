//! Logic-less notification templates: literal text and `{{variable}}` from the fixed `Var` set,
//! nothing else. Parsing refuses unknown names (so the owner learns at save time); rendering
//! inserts each value as data through a target's `Style`, so a value containing `{{…}}` is never
//! read as a template. No conditionals, loops, filters or code, by design (Tautulli's `eval`
//! templates were CVE-2026-28505). One convenience: a line whose variables are all empty is left
//! out, so defaults read well for events that lack some values.

use super::event::{Notice, Var};
use super::text::{Composed, Style, sanitize_value};
use thiserror::Error;

/// The longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 4000;

/// Why a template was refused. Messages name the offending variable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("unknown variable {{{{{0}}}}}; the variables are {list}", list = var_list())]
    Unknown(String),
    #[error("“{{{{” at character {0} is not closed with “}}}}”")]
    Unclosed(usize),
    #[error("empty variable “{{{{}}}}” at character {0}")]
    Empty(usize),
    #[error("the template is longer than {MAX_TEMPLATE_CHARS} characters")]
    TooLong,
}

fn var_list() -> String {
    Var::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
}

/// Checks a template the owner wants to save.
pub fn validate_template(src: &str) -> Result<(), String> {
    Template::parse(src).map(|_| ()).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(Var),
}

/// A parsed template: lines of literal text and variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    lines: Vec<Vec<Part>>,
}

impl Template {
    /// Parses `src`; `{{ name }}` may have spaces inside the braces.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        Self::parse_with(src, false)
    }

    /// Parses `src` for a preview: what [`Template::parse`] would refuse is shown as literal text.
    #[must_use]
    pub fn parse_lenient(src: &str) -> Self {
        Self::parse_with(src, true).unwrap_or_else(|_| Self { lines: vec![vec![Part::Text(src.to_owned())]] })
    }

    fn parse_with(src: &str, lenient: bool) -> Result<Self, TemplateError> {
        if src.chars().count() > MAX_TEMPLATE_CHARS && !lenient {
            return Err(TemplateError::TooLong);
        }
        let mut template = Self { lines: vec![Vec::new()] };
        let mut rest = src;
        while let Some(open) = rest.find("{{") {
            template.push_text(&rest[..open]);
            let after = &rest[open + 2..];
            let position = src.len() - rest.len() + open;
            let at = src[..position].chars().count() + 1;
            let Some(close) = after.find("}}") else {
                if lenient {
                    template.push_text(&rest[open..]);
                    return Ok(template);
                }
                return Err(TemplateError::Unclosed(at));
            };
            let name = after[..close].trim();
            match Var::parse(name) {
                Some(var) => template.push(Part::Var(var)),
                None if lenient => template.push_text(&rest[open..open + 2 + close + 2]),
                None if name.is_empty() => return Err(TemplateError::Empty(at)),
                None => return Err(TemplateError::Unknown(name.chars().take(40).collect())),
            }
            rest = &after[close + 2..];
        }
        template.push_text(rest);
        Ok(template)
    }

    fn push(&mut self, part: Part) {
        self.lines.last_mut().expect("a template always has a current line").push(part);
    }

    fn push_text(&mut self, text: &str) {
        let mut pieces = text.split('\n');
        if let Some(first) = pieces.next().filter(|s| !s.is_empty()) {
            self.push(Part::Text(first.to_owned()));
        }
        for piece in pieces {
            self.lines.push(Vec::new());
            if !piece.is_empty() {
                self.push(Part::Text(piece.to_owned()));
            }
        }
    }

    /// Renders for one target. Values are sanitized (bidi and control characters), cut to
    /// [`super::text::VALUE_MAX_CHARS`] and escaped by `style`; lines whose variables are all empty
    /// are skipped.
    #[must_use]
    pub fn render(&self, notice: &Notice, style: Style) -> Composed {
        let mut out = Composed::default();
        let mut first = true;
        for line in &self.lines {
            let mut vars = line.iter().filter_map(|p| if let Part::Var(v) = p { Some(*v) } else { None }).peekable();
            if vars.peek().is_some() && vars.all(|v| notice.get(v).trim().is_empty()) {
                continue;
            }
            if !first {
                out.push_raw("\n");
            }
            first = false;
            for part in line {
                match part {
                    Part::Text(text) => out.push_literal(text, style),
                    Part::Var(var) => out.push_value(&sanitize_value(notice.get(*var)), style),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
