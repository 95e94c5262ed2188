//! Server-side conversions for the notifications functions: the backend's catalogue, records and
//! errors into the page's view models and `AppError`s (a refused field keeps its name).

use super::{
    Catalogue, Choice, DestinationView, FieldView, KindView, LastView, OutboxRowView, OutboxView, PreviewView,
};
use crate::error::AppError;
use sightline_backend::AppContext;
use sightline_backend::notify::admin::fields::{self, Input};
use sightline_backend::notify::admin::{self, AdminError, DestinationInput};
use sightline_backend::notify::{DestinationKind, EventKind, Var};
use sightline_backend::store::notify::{
    DestinationRecord, Destinations, OutboxRow, OutboxState, UnreadableDestination,
};
use std::collections::HashMap;

fn choice(value: &str, label: &str) -> Choice {
    Choice { value: value.to_owned(), label: label.to_owned() }
}

fn field_view(f: &fields::FieldSpec) -> FieldView {
    let (input, options) = match f.input {
        Input::Url => ("url", Vec::new()),
        Input::Text => ("text", Vec::new()),
        Input::Number => ("number", Vec::new()),
        Input::EmailList => ("email_list", Vec::new()),
        Input::Choice(list) => ("choice", list.iter().map(|(v, l)| choice(v, l)).collect()),
    };
    FieldView {
        name: f.name.to_owned(),
        label: f.label.to_owned(),
        input: input.to_owned(),
        options,
        secret: f.secret,
        required: f.required,
        placeholder: f.placeholder.to_owned(),
        help: f.help.to_owned(),
    }
}

/// The form's kinds, fields, events, severities and variables.
pub(super) fn catalogue() -> Catalogue {
    Catalogue {
        kinds: DestinationKind::ALL
            .into_iter()
            .map(|k| KindView {
                kind: k.as_str().to_owned(),
                label: k.label().to_owned(),
                creatable: k != DestinationKind::WebPush,
                fields: fields::fields(k).iter().map(field_view).collect(),
            })
            .collect(),
        events: EventKind::ALL
            .into_iter()
            .filter(|e| *e != EventKind::Test)
            .map(|e| choice(e.as_str(), e.label()))
            .collect(),
        severities: ["low", "medium", "high", "critical"].into_iter().map(|s| choice(s, s)).collect(),
        variables: Var::ALL.into_iter().map(|v| choice(v.name(), fields::variable_help(v))).collect(),
        default_rate: admin::DEFAULT_RATE_PER_MINUTE,
        max_rate: admin::MAX_RATE_PER_MINUTE,
    }
}

/// A stored destination as the page shows it: nothing secret.
pub(super) fn view(r: &DestinationRecord) -> DestinationView {
    let d = &r.destination;
    DestinationView {
        id: d.id,
        kind: d.config.kind().as_str().to_owned(),
        kind_label: d.config.kind().label().to_owned(),
        name: d.name.clone(),
        enabled: d.enabled,
        events: d.events.iter().map(|e| e.as_str().to_owned()).collect(),
        min_severity: d.min_severity.as_str().to_owned(),
        allow_private: d.allow_private,
        rate_per_minute: d.rate_per_minute,
        title_template: d.title_template.clone(),
        body_template: d.body_template.clone(),
        config: fields::redacted(&d.config).into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        last: r.last.as_ref().map(|l| LastView { at: crate::ssr::fmt_time(l.at), ok: l.ok, text: l.text.clone() }),
        problem: None,
    }
}

fn unreadable(u: &UnreadableDestination) -> DestinationView {
    let kind = DestinationKind::parse(&u.kind);
    DestinationView {
        id: u.id,
        kind: u.kind.clone(),
        kind_label: kind.map_or_else(|| u.kind.clone(), |k| k.label().to_owned()),
        name: u.name.clone(),
        enabled: false,
        events: Vec::new(),
        min_severity: "low".to_owned(),
        allow_private: false,
        rate_per_minute: 0,
        title_template: None,
        body_template: None,
        config: Vec::new(),
        last: None,
        problem: Some(format!("{}; delete it and add it again", u.reason)),
    }
}

/// Every destination, readable or not, by id.
pub(super) fn views(all: &Destinations) -> Vec<DestinationView> {
    let mut list: Vec<DestinationView> =
        all.readable.iter().map(view).chain(all.unreadable.iter().map(unreadable)).collect();
    list.sort_by_key(|v| v.id);
    list
}

/// The draft's JSON as the backend's input; a malformed draft is a form error.
pub(super) fn parse_draft(json: &str) -> Result<DestinationInput, AppError> {
    serde_json::from_str(json)
        .map_err(|_| AppError::Invalid { field: "form".to_owned(), message: "the form could not be read".to_owned() })
}

/// [`app_error`], answered with a matching HTTP status (422 for a refused value, 404 for a
/// missing one) instead of 500, so the browser and the logs do not report a server failure.
pub(super) fn failed(e: AdminError) -> AppError {
    crate::api::map::convert::answered(app_error(e))
}

/// The first refused field becomes the field error; storage failures are logged and opaque.
pub(super) fn app_error(e: AdminError) -> AppError {
    match e {
        AdminError::Invalid(list) => match list.into_iter().next() {
            Some(f) => AppError::Invalid { field: f.field, message: f.message },
            None => AppError::Internal,
        },
        AdminError::NotFound | AdminError::NoSuchRow => AppError::NotFound,
        AdminError::Store(inner) => crate::ssr::internal(&inner),
    }
}

/// A sample of `event` as `kind` would show it with the draft's templates.
pub(super) fn preview(kind: &str, event: &str, title: &str, body: &str) -> Result<PreviewView, AppError> {
    let kind = DestinationKind::parse(kind)
        .ok_or_else(|| AppError::Invalid { field: "kind".to_owned(), message: "choose a kind".to_owned() })?;
    let event = EventKind::parse(event).unwrap_or(EventKind::IncidentOpened);
    let blank = |s: &str| Some(s.to_owned()).filter(|t| !t.trim().is_empty());
    let (title, body) =
        admin::preview(kind, event, blank(title).as_deref(), blank(body).as_deref(), sightline_backend::clock::now());
    Ok(PreviewView { title, body })
}

fn row_view(r: &OutboxRow, names: &HashMap<i64, String>) -> OutboxRowView {
    let summary = match r.notice.get(Var::Summary) {
        "" => r.notice.get(Var::Reason).to_owned(),
        s => s.to_owned(),
    };
    OutboxRowView {
        id: r.id,
        destination: names.get(&r.destination_id).cloned().unwrap_or_else(|| format!("#{}", r.destination_id)),
        event: r.event.label().to_owned(),
        summary,
        state: r.state.as_str().to_owned(),
        attempts: r.attempts,
        next_attempt: crate::ssr::fmt_time(r.next_attempt_at),
        last_error: r.last_error.clone(),
        updated: crate::ssr::fmt_time(r.updated_at),
    }
}

/// The counts and the rows in `state` (all for an unknown or empty state), with destination names.
pub(super) async fn outbox(ctx: &AppContext, state: &str) -> Result<OutboxView, AppError> {
    let state = OutboxState::parse(state);
    let (rows, counts) = admin::outbox(ctx, state, 100).await.map_err(|e| crate::ssr::internal(&e))?;
    let all = admin::list(ctx).await.map_err(|e| crate::ssr::internal(&e))?;
    let names: HashMap<i64, String> = all
        .readable
        .iter()
        .map(|r| (r.destination.id, r.destination.name.clone()))
        .chain(all.unreadable.iter().map(|u| (u.id, u.name.clone())))
        .collect();
    Ok(OutboxView {
        queued: counts.queued,
        sending: counts.sending,
        delivered: counts.delivered,
        dead: counts.dead,
        rows: rows.iter().map(|r| row_view(r, &names)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_offers_every_kind_but_creates_browser_push_elsewhere() {
        let c = catalogue();
        assert_eq!(c.kinds.len(), DestinationKind::ALL.len());
        assert!(c.kinds.iter().all(|k| k.creatable == (k.kind != "web_push") && !k.fields.is_empty()));
        assert!(!c.events.iter().any(|e| e.value == "test"), "the test event is the button's");
        let discord = c.kind("discord").expect("discord");
        assert_eq!((discord.fields[0].name.as_str(), discord.fields[0].secret), ("webhook_url", true));
        assert_eq!(c.variables.len(), Var::ALL.len());
        let email = c.kind("email").expect("email");
        assert!(email.fields.iter().any(|f| f.input == "choice" && f.options.len() == 3));
    }

    #[test]
    fn refused_fields_keep_their_name() {
        let e = app_error(AdminError::Invalid(vec![admin::FieldError {
            field: "webhook_url".into(),
            message: "is required".into(),
        }]));
        assert_eq!(e.field_message("webhook_url"), Some("is required"));
        assert_eq!(app_error(AdminError::NotFound), AppError::NotFound);
        assert!(matches!(parse_draft("{"), Err(AppError::Invalid { .. })));
    }
}
