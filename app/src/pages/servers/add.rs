//! The "Add a server" form: kind, name, address, token (never echoed back) and colour, with
//! each refused value explained next to its input and a hint on where to find the token.

use super::{field_error, form_error, invalid};
use crate::api::servers::ServersCreate;
use crate::components::action_state::{latest_error, refetch_on_success};
use crate::model::servers::{DEFAULT_COLOR, KINDS, kind_label, token_hint};
use leptos::form::ActionForm;
use leptos::html::Form;
use leptos::prelude::*;
use sightline_domain::media::ServerKind;

const FIELDS: &[&str] = &["kind", "name", "url", "token", "color"];

#[component]
pub fn AddServerForm(changed: RwSignal<u64>) -> impl IntoView {
    let create = ServerAction::<ServersCreate>::new();
    let value = create.value();
    let error = latest_error(value);
    refetch_on_success(value, changed);
    let kind = RwSignal::new(None::<ServerKind>);
    let form = NodeRef::<Form>::new();
    // A saved server empties the form, so the token does not linger in the page.
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
            kind.set(None);
        }
    });
    let added = move || {
        value.with(|v| match v {
            Some(Ok(s)) => Some(format!(
                "Added {} ({}). Sightline starts watching it now; use Test connection to check it.",
                s.name,
                kind_label(s.kind)
            )),
            _ => None,
        })
    };
    let pending = create.pending();

    view! {
        <ActionForm action=create node_ref=form attr:id="server-form" attr:class="stack server-form" attr:autocomplete="off">
            {form_error(error, FIELDS)}
            {move || added().map(|m| view! { <p class="alert ok" id="server-form-ok" role="status">{m}</p> })}
            <div class="server-form-grid">
                <div class="field">
                    <label>"Kind"
                        <select name="kind" id="server-kind" required aria-invalid=invalid(error, "kind")
                            aria-describedby="server-kind-error"
                            on:change=move |ev| kind.set(ServerKind::parse(&event_target_value(&ev)))>
                            <option value="" disabled selected>"Choose…"</option>
                            {KINDS.iter().map(|(v, label)| view! { <option value=*v>{*label}</option> }).collect_view()}
                        </select>
                    </label>
                    {field_error(error, "kind", "server-kind-error".to_owned())}
                </div>
                <div class="field">
                    <label>"Name"
                        <input name="name" id="server-name" required maxlength="64" autocomplete="off"
                            placeholder="Living room" aria-invalid=invalid(error, "name") aria-describedby="server-name-error"/>
                    </label>
                    {field_error(error, "name", "server-name-error".to_owned())}
                </div>
            </div>
            <div class="field">
                <label>"Address"
                    <input name="url" id="server-url" type="url" required inputmode="url" autocomplete="off"
                        spellcheck="false" placeholder="http://192.168.1.10:32400"
                        aria-invalid=invalid(error, "url") aria-describedby="server-url-error server-url-hint"/>
                </label>
                <span class="field-hint" id="server-url-hint">
                    "The address Sightline (not your browser) uses to reach the server, with http:// or https://."
                </span>
                {field_error(error, "url", "server-url-error".to_owned())}
            </div>
            <div class="field">
                <label>"Token or API key"
                    <input name="token" id="server-token" type="password" required autocomplete="off"
                        spellcheck="false" aria-invalid=invalid(error, "token")
                        aria-describedby="server-token-error server-token-hint"/>
                </label>
                <span class="field-hint" id="server-token-hint">{move || token_hint(kind.get())}</span>
                {field_error(error, "token", "server-token-error".to_owned())}
            </div>
            <div class="field">
                <label class="color-label">"Colour"
                    <input name="color" id="server-color" type="color" value=DEFAULT_COLOR
                        aria-invalid=invalid(error, "color") aria-describedby="server-color-error"/>
                </label>
                {field_error(error, "color", "server-color-error".to_owned())}
            </div>
            <div>
                <button type="submit" class="primary" id="server-submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Adding…" } else { "Add server" }}
                </button>
            </div>
        </ActionForm>
    }
}
