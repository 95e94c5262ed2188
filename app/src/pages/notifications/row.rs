//! One destination in the list: name, kind, events, minimum severity, redacted config and the last
//! delivery outcome, with its actions: send a test (showing the receiver's real answer), edit,
//! enable/disable, and delete after a confirmation. A destination whose stored settings cannot be
//! read can only be deleted.

use super::action_error;
use super::draft::Draft;
use super::editor::DestinationEditor;
use crate::api::notifications::{
    Catalogue, DestinationView, NotificationsDelete, NotificationsSetEnabled, NotificationsTest, TestResult,
};
use crate::components::action_state::{latest_error, refetch_on_success};
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn DestinationRow(destination: DestinationView, catalogue: Catalogue, changed: RwSignal<u64>) -> impl IntoView {
    let id = destination.id;
    let enabled = destination.enabled;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let test = ServerAction::<NotificationsTest>::new();
    let toggle = ServerAction::<NotificationsSetEnabled>::new();
    let remove = ServerAction::<NotificationsDelete>::new();
    let toggle_error = latest_error(toggle.value());
    let remove_error = latest_error(remove.value());
    refetch_on_success(toggle.value(), changed);
    refetch_on_success(remove.value(), changed);
    let testing = test.pending();
    let removing = remove.pending();

    let kind = catalogue.kind(&destination.kind).cloned();
    let draft = kind.as_ref().map(|k| Draft::edit(&destination, k));
    let events: Vec<String> = destination.events.iter().map(|e| catalogue.event_label(e).to_owned()).collect();
    let DestinationView {
        name, kind_label, min_severity, config, last, problem, rate_per_minute, allow_private, ..
    } = destination;
    let label_of = move |field: &str| {
        kind.as_ref()
            .and_then(|k| k.fields.iter().find(|f| f.name == field))
            .map_or_else(|| field.to_owned(), |f| f.label.clone())
    };
    let config: Vec<(String, String)> = config.into_iter().map(|(f, v)| (label_of(&f), v)).collect();
    let readable = problem.is_none();
    let name_for_confirm = name.clone();
    let on_done = move || editing.set(false);

    let facts = view! {
            <div class="notify-facts">
                {problem.map(|p| view! { <p class="server-reason notify-problem">{p}</p> })}
                {readable.then(|| view! {
                    <dl class="facts server-facts small">
                        <dt>"Events"</dt><dd class="notify-events">{events.join(", ")}</dd>
                        <dt>"Severity"</dt><dd>{format!("{min_severity} and up")}</dd>
                        <dt>"Rate"</dt><dd>{format!("{rate_per_minute} per minute")}</dd>
                        {allow_private.then(|| view! { <dt>"Targets"</dt><dd>"private addresses allowed"</dd> })}
                        {config.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd><code>{value}</code></dd> }).collect_view()}
                    </dl>
                })}
                {last.map(|l| view! {
                    <p class=if l.ok { "notify-last ok small" } else { "notify-last bad small" } data-ok=l.ok.to_string()>
                        {format!("Last: {} ({})", l.text, l.at)}
                    </p>
                })}
            </div>
    }
    .into_any();
    let actions = view! {
            <div class="server-actions">
                {readable.then(|| view! {
                    <ActionForm action=test attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class="notify-test" disabled=move || testing.get()>
                            {move || if testing.get() { "Sending…" } else { "Send test" }}
                        </button>
                    </ActionForm>
                    <button type="button" class="notify-edit" aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                    <ActionForm action=toggle attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                        <button type="submit" class="notify-toggle">{if enabled { "Disable" } else { "Enable" }}</button>
                    </ActionForm>
                })}
                <button type="button" class="notify-remove danger-text" aria-expanded=move || confirming.get().to_string()
                    on:click=move |_| confirming.set(true)>"Delete"</button>
            </div>
    }
    .into_any();
    let confirm = view! {
            <Show when=move || confirming.get()>
                <div class="server-confirm" role="group" aria-label="Confirm deletion">
                    <p>
                        <strong>{format!("Delete {name_for_confirm}?")}</strong>
                        " Notifications waiting for it are deleted too."
                    </p>
                    <div class="server-actions">
                        <ActionForm action=remove attr:class="inline">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <button type="submit" class="danger notify-remove-confirm" disabled=move || removing.get()>"Delete"</button>
                        </ActionForm>
                        <button type="button" class="ghost" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
    }
    .into_any();
    view! {
        <li class="server-row notify-row" class:disabled=!enabled data-destination-id=id.to_string()>
            <div class="server-who">
                <div class="server-names">
                    <strong class="server-name notify-name">{name}</strong>
                    <span class="tag notify-kind">{kind_label}</span>
                    {readable.then(|| view! {
                        <span class=if enabled { "tag" } else { "tag off" }>{if enabled { "enabled" } else { "disabled" }}</span>
                    })}
                </div>
            </div>
            {facts}
            {actions}
            <div class="server-test-result-wrap">{move || test_result(test.value().get())}</div>
            {action_error(toggle_error)}
            {action_error(remove_error)}
            {confirm}
            {draft.map(|draft| view! {
                <Show when=move || editing.get()>
                    {view! { <DestinationEditor catalogue=catalogue.clone() draft=draft.clone() on_done changed/> }.into_any()}
                </Show>
            })}
        </li>
    }
}

fn test_result(value: Option<Result<TestResult, AppError>>) -> Option<impl IntoView> {
    let (class, text) = match value? {
        Ok(r) if r.ok => ("server-test-result ok notify-test-result", format!("Test sent: {}", r.outcome)),
        Ok(r) => ("server-test-result bad notify-test-result", format!("Test not delivered: {}", r.outcome)),
        Err(e) => ("server-test-result bad notify-test-result", crate::model::servers::capitalize(&e.to_string())),
    };
    Some(view! { <p class=class role="status">{text}</p> })
}
