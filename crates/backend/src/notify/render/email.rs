//! The email a notice becomes: a subject and a plain-text body (no HTML part, so nothing upstream
//! can be markup). Sending over SMTP is `notify::smtp`.

use crate::notify::event::Notice;
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style};

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;

/// Subject and body for `notice`; the body ends with a line saying where it came from.
#[must_use]
pub fn message(notice: &Notice, title: &Template, body: &Template) -> (String, String) {
    let subject = title.render(notice, Style::Plain).fit(SUBJECT_MAX, Measure::Chars).replace(['\r', '\n'], " ");
    let mut text = body.render(notice, Style::Plain).fit(BODY_MAX, Measure::Chars);
    text.push_str("\n\n-- \nSent by Sightline\n");
    (subject, text)
}
