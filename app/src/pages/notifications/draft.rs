//! The destination form as pure data: the texts and choices being edited, started empty for a kind
//! or from a saved destination (plain settings filled in, secrets left blank so they are kept), and
//! the JSON the server reads (the `/api/v1/notifications/destinations` body). Holds secrets while
//! editing, so it has no `Debug`.

use crate::api::notifications::{Catalogue, DestinationView, KindView};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The events a new destination starts with.
pub const DEFAULT_EVENTS: [&str; 3] = ["incident_opened", "server_down", "server_up"];

#[derive(Clone, PartialEq, Default)]
pub struct Draft {
    /// `None` for a new destination.
    pub id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub enabled: bool,
    pub events: BTreeSet<String>,
    pub min_severity: String,
    pub allow_private: bool,
    pub rate: String,
    pub title_template: String,
    pub body_template: String,
    /// The kind's fields by name; a blank secret keeps the stored one.
    pub config: BTreeMap<String, String>,
    /// Optional secrets to remove.
    pub clear: BTreeSet<String>,
}

impl Draft {
    /// An empty destination of `kind` with the defaults.
    #[must_use]
    pub fn new(kind: &KindView, catalogue: &Catalogue) -> Self {
        let config = kind
            .fields
            .iter()
            .filter_map(|f| match (f.input.as_str(), f.options.first()) {
                ("choice", Some(first)) => Some((f.name.clone(), first.value.clone())),
                _ => None,
            })
            .collect();
        Self {
            id: None,
            kind: kind.kind.clone(),
            name: String::new(),
            enabled: true,
            events: DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            min_severity: "low".to_owned(),
            allow_private: false,
            rate: catalogue.default_rate.to_string(),
            title_template: String::new(),
            body_template: String::new(),
            config,
            clear: BTreeSet::new(),
        }
    }

    /// A saved destination to edit: its settings, its plain fields; secrets blank (kept unless replaced).
    #[must_use]
    pub fn edit(saved: &DestinationView, kind: &KindView) -> Self {
        let shown: BTreeMap<&str, &str> = saved.config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let config = kind
            .fields
            .iter()
            .filter(|f| !f.secret)
            .filter_map(|f| shown.get(f.name.as_str()).map(|v| (f.name.clone(), (*v).to_owned())))
            .collect();
        Self {
            id: Some(saved.id),
            kind: saved.kind.clone(),
            name: saved.name.clone(),
            enabled: saved.enabled,
            events: saved.events.iter().cloned().collect(),
            min_severity: saved.min_severity.clone(),
            allow_private: saved.allow_private,
            rate: saved.rate_per_minute.to_string(),
            title_template: saved.title_template.clone().unwrap_or_default(),
            body_template: saved.body_template.clone().unwrap_or_default(),
            config,
            clear: BTreeSet::new(),
        }
    }

    /// The JSON body the server reads, or the (field, message) the browser can already tell is wrong.
    pub fn to_json(&self) -> Result<String, (String, String)> {
        let rate: u32 =
            self.rate.trim().parse().map_err(|_| {
                ("rate_per_minute".to_owned(), "must be a whole number of messages per minute".to_owned())
            })?;
        let config: Map<String, Value> =
            self.config.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let text = |s: &str| if s.trim().is_empty() { Value::Null } else { Value::String(s.to_owned()) };
        let body = json!({
            "kind": self.kind,
            "name": self.name,
            "enabled": self.enabled,
            "events": self.events.iter().collect::<Vec<_>>(),
            "min_severity": self.min_severity,
            "allow_private": self.allow_private,
            "rate_per_minute": rate,
            "title_template": text(&self.title_template),
            "body_template": text(&self.body_template),
            "config": config,
            "clear": self.clear.iter().collect::<Vec<_>>(),
        });
        Ok(body.to_string())
    }

    /// The event the preview shows: the first chosen one, else an incident.
    #[must_use]
    pub fn preview_event(&self) -> String {
        self.events.iter().next().cloned().unwrap_or_else(|| "incident_opened".to_owned())
    }
}
