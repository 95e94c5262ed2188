//! One server in the list: who it is, its health, and its actions: test the connection, edit
//! (name, address, colour, replace the token), enable/disable, and remove after a confirmation
//! that says the server's history goes with it.

use super::health::ServerHealthView;
use super::{field_error, form_error, invalid};
use crate::api::servers::{ServersDelete, ServersSetEnabled, ServersTest, ServersUpdate};
use crate::components::action_state::{latest_error, refetch_on_success};
use crate::live::use_live;
use crate::model::servers::{ServerView, TestOutcome, kind_label};
use leptos::form::ActionForm;
use leptos::prelude::*;
use sightline_domain::ServerId;

const EDIT_FIELDS: &[&str] = &["name", "url", "token", "color"];

#[component]
pub fn ServerRow(server: ServerView, changed: RwSignal<u64>) -> impl IntoView {
    let id = server.id.0;
    let enabled = server.enabled;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);

    let test = ServerAction::<ServersTest>::new();
    let toggle = ServerAction::<ServersSetEnabled>::new();
    let remove = ServerAction::<ServersDelete>::new();
    let toggle_error = latest_error(toggle.value());
    let remove_error = latest_error(remove.value());
    refetch_on_success(toggle.value(), changed);
    refetch_on_success(remove.value(), changed);
    forget_live_health_on_removal(remove, server.id);
    let testing = test.pending();

    let view_for_health = server.clone();
    let for_edit = server.clone();
    let ServerView { kind, name, url, color, .. } = server;
    let name_for_confirm = name.clone();

    view! {
        <li class="server-row" class:disabled=!enabled data-server-id=id.to_string()>
            <div class="server-who">
                <span class="swatch" style:background-color=color aria-hidden="true"></span>
                <div class="server-names">
                    <strong class="server-name">{name}</strong>
                    <span class="tag server-kind">{kind_label(kind)}</span>
                    <span class=if enabled { "tag server-enabled" } else { "tag server-enabled off" }>
                        {if enabled { "enabled" } else { "disabled" }}
                    </span>
                    <code class="server-url">{url}</code>
                </div>
            </div>
            <ServerHealthView server=view_for_health/>
            <div class="server-actions">
                <ActionForm action=test attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="server-test" disabled=move || testing.get()>
                        {move || if testing.get() { "Testing…" } else { "Test connection" }}
                    </button>
                </ActionForm>
                <button type="button" class="server-edit" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                <ActionForm action=toggle attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                    <button type="submit" class="server-toggle">{if enabled { "Disable" } else { "Enable" }}</button>
                </ActionForm>
                <button type="button" class="server-remove danger-text" aria-expanded=move || confirming.get().to_string()
                    on:click=move |_| confirming.set(true)>"Remove"</button>
            </div>
            <div class="server-test-result-wrap">{move || test_result(test.value().get())}</div>
            {form_error(toggle_error, &[])}
            {form_error(remove_error, &[])}
            <Show when=move || confirming.get()>
                {confirm_remove(id, name_for_confirm.clone(), enabled, remove, toggle, confirming)}
            </Show>
            <Show when=move || editing.get()>
                <EditServer server=for_edit.clone() editing changed/>
            </Show>
        </li>
    }
}

/// SQLite may give a later server the id of a removed one; its live report must not linger.
fn forget_live_health_on_removal(remove: ServerAction<ServersDelete>, id: ServerId) {
    let value = remove.value();
    let Some(live) = use_live() else { return };
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(())))) {
            live.health.update(|m| {
                m.remove(&id);
            });
        }
    });
}

fn test_result(value: Option<Result<TestOutcome, crate::error::AppError>>) -> Option<impl IntoView> {
    let (class, sentence, code) = match value? {
        Ok(outcome) => {
            let code = match &outcome {
                TestOutcome::Failed { code, .. } => Some(code.clone()),
                TestOutcome::Connected { .. } => None,
            };
            (if outcome.is_ok() { "server-test-result ok" } else { "server-test-result bad" }, outcome.sentence(), code)
        }
        Err(e) => ("server-test-result bad", crate::model::servers::capitalize(&e.to_string()), None),
    };
    let data_code = code.clone();
    Some(view! {
        <p class=class role="status" data-code=data_code>
            {sentence}
            {code.map(|c| view! { " " <code>{c}</code> })}
        </p>
    })
}

fn confirm_remove(
    id: i64,
    name: String,
    enabled: bool,
    remove: ServerAction<ServersDelete>,
    toggle: ServerAction<ServersSetEnabled>,
    confirming: RwSignal<bool>,
) -> impl IntoView {
    let removing = remove.pending();
    view! {
        <div class="server-confirm" role="group" aria-label="Confirm removal">
            <p>
                <strong>{format!("Remove {name}?")}</strong>
                " Its recorded history (plays and statistics from this server) is removed with it and cannot be recovered."
                {enabled.then_some(" To stop watching it but keep the history, disable it instead.")}
            </p>
            <div class="server-actions">
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="danger server-remove-confirm" disabled=move || removing.get()>
                        "Remove server and history"
                    </button>
                </ActionForm>
                {enabled.then(|| view! {
                    <ActionForm action=toggle attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="enabled" value="false"/>
                        <button type="submit" class="server-disable-instead">"Disable instead"</button>
                    </ActionForm>
                })}
                <button type="button" class="ghost server-remove-cancel" on:click=move |_| confirming.set(false)>
                    "Cancel"
                </button>
            </div>
        </div>
    }
}

/// Name, address, colour and (optionally) a new token. An empty token keeps the current one.
#[component]
fn EditServer(server: ServerView, editing: RwSignal<bool>, changed: RwSignal<u64>) -> impl IntoView {
    let update = ServerAction::<ServersUpdate>::new();
    let error = latest_error(update.value());
    refetch_on_success(update.value(), changed);
    let saving = update.pending();
    let id = server.id.0;
    let field_id = move |f: &str| format!("server-{id}-{f}");
    let err_id = move |f: &str| format!("server-{id}-{f}-error");

    view! {
        <ActionForm action=update attr:class="stack server-edit-form" attr:autocomplete="off">
            {form_error(error, EDIT_FIELDS)}
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="field">
                <label>"Name"
                    <input name="name" id=field_id("name") value=server.name required maxlength="64" autocomplete="off"
                        aria-invalid=invalid(error, "name") aria-describedby=err_id("name")/>
                </label>
                {field_error(error, "name", err_id("name"))}
            </div>
            <div class="field">
                <label>"Address"
                    <input name="url" id=field_id("url") type="url" value=server.url required inputmode="url"
                        autocomplete="off" spellcheck="false" aria-invalid=invalid(error, "url") aria-describedby=err_id("url")/>
                </label>
                {field_error(error, "url", err_id("url"))}
            </div>
            <div class="field">
                <label>"New token or API key"
                    <input name="token" id=field_id("token") type="password" autocomplete="off" spellcheck="false"
                        placeholder="Leave empty to keep the current one"
                        aria-invalid=invalid(error, "token") aria-describedby=err_id("token")/>
                </label>
                {field_error(error, "token", err_id("token"))}
            </div>
            <div class="field">
                <label class="color-label">"Colour"
                    <input name="color" id=field_id("color") type="color" value=server.color
                        aria-invalid=invalid(error, "color") aria-describedby=err_id("color")/>
                </label>
                {field_error(error, "color", err_id("color"))}
            </div>
            <div class="server-actions">
                <button type="submit" class="primary server-save" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
                <button type="button" class="ghost server-edit-cancel" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}
