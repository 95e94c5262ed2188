//! The JSON a push message carries to the service worker: title and body rendered from the
//! destination's templates (or the defaults) as plain text, a link on Sightline's own origin (a
//! path, never an absolute URL) and a tag; shortened until the whole fits one encrypted record.

use super::ece::MAX_PLAINTEXT;
use crate::notify::{Destination, DestinationKind, Notice, Var, render_preview};
use serde::{Deserialize, Serialize};

/// What `public/sw.js` reads in its `push` handler. Plain text: a notification renders no HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    /// A path on Sightline's origin to open on click (`/alerts/42`, or `/`).
    pub url: String,
    /// Notifications with the same tag replace each other on the device.
    pub tag: String,
}

const MAX_TAG_CHARS: usize = 64;

impl PushPayload {
    /// The message `dest` gets for `notice`. The link is not repeated in the body: a click opens it.
    #[must_use]
    pub fn new(dest: &Destination, notice: &Notice) -> Self {
        let url = local_path(notice);
        let mut text_notice = notice.clone();
        text_notice.vars.remove(&Var::Url);
        let (title, body) = render_preview(
            DestinationKind::WebPush,
            dest.title_template.as_deref(),
            dest.body_template.as_deref(),
            &text_notice,
        );
        Self { title, body, url, tag: notice.dedupe_key.chars().take(MAX_TAG_CHARS).collect() }
    }

    /// The serialized payload, at most [`MAX_PLAINTEXT`] bytes: the body or the title, whichever
    /// is longer, is halved until it fits (JSON escapes can make text up to six times longer).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut p = self.clone();
        loop {
            let bytes = serde_json::to_vec(&p).expect("four strings always serialize");
            if bytes.len() <= MAX_PLAINTEXT {
                return bytes;
            }
            // Halve whichever takes more room once escaped.
            if json_len(&p.body) >= json_len(&p.title) {
                p.body = cut(&p.body, p.body.chars().count() / 2);
            } else {
                p.title = cut(&p.title, p.title.chars().count() / 2);
            }
        }
    }
}

/// The notice's link as a path on our origin: `{{url}}`'s path (`/alerts/42`; the senders may
/// have made it absolute under the base URL), else the incident's page when there is an incident,
/// else the dashboard. The service worker resolves it against its own origin, so it can never
/// lead elsewhere; `//host` and backslashes are refused all the same.
fn local_path(notice: &Notice) -> String {
    let raw = notice.get(Var::Url).trim();
    let path = if raw.starts_with('/') {
        Some(raw.to_owned())
    } else {
        url::Url::parse(raw).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| {
            let mut p = u.path().to_owned();
            if let Some(q) = u.query() {
                p.push('?');
                p.push_str(q);
            }
            p
        })
    };
    let is_local =
        |p: &str| !p.starts_with("//") && p.len() <= 512 && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if let Some(p) = path.filter(|p| is_local(p)) {
        return p;
    }
    let incident = notice.get(Var::IncidentId);
    if !incident.is_empty() && incident.len() <= 20 && incident.bytes().all(|b| b.is_ascii_digit()) {
        return format!("/alerts/{incident}");
    }
    "/".to_owned()
}

fn json_len(s: &str) -> usize {
    serde_json::to_string(s).map_or(s.len(), |j| j.len())
}

/// At most `max` characters of `s`, with an ellipsis when something was cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{DestinationConfig, EventKind};
    use crate::secret::SecretString;
    use chrono::TimeZone as _;
    use sightline_domain::rules::Severity;

    fn dest() -> Destination {
        Destination {
            id: 1,
            name: "Phone".to_owned(),
            enabled: true,
            events: vec![EventKind::IncidentOpened],
            min_severity: Severity::Medium,
            allow_private: false,
            rate_per_minute: 30,
            title_template: None,
            body_template: None,
            config: DestinationConfig::WebPush {
                endpoint: SecretString::new("https://push.example.com/x"),
                p256dh: String::new(),
                auth: SecretString::new(""),
            },
        }
    }

    fn notice() -> Notice {
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("valid date");
        Notice::new(EventKind::IncidentOpened, at, "incident:42:opened")
            .with(Var::Rule, "Impossible travel")
            .with(Var::User, "alice")
            .with(Var::Summary, "alice streamed from Paris and Sydney 20 minutes apart")
            .with(Var::IncidentId, "42")
            .with(Var::Url, "/alerts/42")
    }

    #[test]
    fn an_incident_links_to_its_page_on_our_origin() {
        let p = PushPayload::new(&dest(), &notice());
        assert_eq!(p.title, "Incident: Impossible travel (alice)");
        assert!(p.body.starts_with("alice streamed from Paris and Sydney 20 minutes apart"), "{}", p.body);
        assert!(!p.body.contains("/alerts/42"), "the link is the click, not body text: {}", p.body);
        assert_eq!(p.url, "/alerts/42");
        assert_eq!(p.tag, "incident:42:opened");
    }

    #[test]
    fn the_owners_templates_are_used() {
        let mut d = dest();
        d.title_template = Some("{{severity}}: {{rule}}".to_owned());
        d.body_template = Some("{{user}}".to_owned());
        let mut n = notice();
        n = n.with(Var::Severity, "high");
        let p = PushPayload::new(&d, &n);
        assert_eq!((p.title.as_str(), p.body.as_str()), ("high: Impossible travel", "alice"));
    }

    #[test]
    fn links_are_paths_on_our_origin() {
        let with = |url: &str| PushPayload::new(&dest(), &notice().with(Var::Url, url)).url;
        assert_eq!(
            with("https://sightline.example/settings/servers"),
            "/settings/servers",
            "made absolute by the senders"
        );
        assert_eq!(with("https://evil.example/x?y=1"), "/x?y=1", "only the path is kept, opened on our origin");
        for evil in ["//evil.example/x", "/\\evil.example", "javascript:alert(1)", "https://h//evil.example"] {
            assert_eq!(with(evil), "/alerts/42", "{evil}");
        }
        let mut n = notice().with(Var::Url, "//evil.example");
        n.vars.insert(Var::IncidentId, "1 OR 1".to_owned());
        assert_eq!(PushPayload::new(&dest(), &n).url, "/");
    }

    #[test]
    fn huge_or_escape_heavy_text_still_fits_one_record() {
        let mut p = PushPayload::new(&dest(), &notice());
        p.body = "\u{1}".repeat(5000);
        p.title = "\"".repeat(5000);
        let bytes = p.to_bytes();
        assert!(bytes.len() <= MAX_PLAINTEXT, "{} bytes", bytes.len());
        let back: PushPayload = serde_json::from_slice(&bytes).expect("valid JSON");
        assert!(back.body.ends_with('…'));
        assert_eq!(back.url, "/alerts/42");
    }
}
