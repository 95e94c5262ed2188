//! One account's detection settings on the user page: household networks (one per line; streams
//! from them count as home) and a stream limit that overrides the rule's, each refused value
//! explained next to its input.

use crate::api::users::{AccountView, SaveAccountSettings};
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;

const FIELDS: &[&str] = &["household_networks", "max_streams"];

#[component]
pub fn SettingsForm(account: AccountView, suffix: String) -> impl IntoView {
    let save = ServerAction::<SaveAccountSettings>::new();
    let error = Memo::new(move |_| save.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(()))));
    let field_error = move |field: &'static str, id: String| {
        move || {
            error
                .with(|e| e.as_ref().and_then(|e| e.field_message(field)).map(str::to_owned))
                .map(|m| view! { <span class="field-error" id=id.clone() role="alert">{m}</span> })
        }
    };
    let invalid = move |field: &'static str| {
        move || error.with(|e| e.as_ref().is_some_and(|e| e.field_message(field).is_some())).then_some("true")
    };
    let (nets_id, nets_err) = (format!("household-networks{suffix}"), format!("household-networks-error{suffix}"));
    let networks = account.household_networks.clone();
    let (form_id, hint_id) = (format!("settings-form{suffix}"), format!("household-networks-hint{suffix}"));
    let (max_id, max_err) = (format!("max-streams{suffix}"), format!("max-streams-error{suffix}"));
    view! {
        <details class="user-settings">
            <summary>"Detection settings"</summary>
            <ActionForm action=save attr:class="stack" attr:id=form_id>
                {move || error.with(|e| e.as_ref().and_then(|e: &AppError| e.form_message(FIELDS)))
                    .map(|m| view! { <p class="alert error" role="alert">{m}</p> })}
                {move || saved().then(|| view! { <p class="alert ok" role="status">"Saved."</p> })}
                <input type="hidden" name="server" value=account.server.to_string()/>
                <input type="hidden" name="user" value=account.user_id.clone()/>
                <div class="field">
                    <label for=nets_id.clone()>"Household networks"</label>
                    <textarea name="household_networks" id=nets_id rows="3" spellcheck="false"
                        placeholder="203.0.113.0/24" aria-invalid=invalid("household_networks")
                        aria-describedby=format!("{nets_err} {hint_id}")>{networks}</textarea>
                    <span class="field-hint" id=hint_id.clone()>
                        "One address or network per line (at most 32, none wider than /8 or an IPv6 /32). Streams from them count as home and are not judged by rules that trust household networks."
                    </span>
                    {field_error("household_networks", nets_err.clone())}
                </div>
                <div class="field">
                    <label for=max_id.clone()>"Stream limit"</label>
                    <input type="number" name="max_streams" id=max_id min="1" max="50" inputmode="numeric"
                        value=account.max_streams.clone() placeholder="the rule's"
                        aria-invalid=invalid("max_streams") aria-describedby=max_err.clone()/>
                    {field_error("max_streams", max_err.clone())}
                </div>
                <div>
                    <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                </div>
            </ActionForm>
        </details>
    }
}
