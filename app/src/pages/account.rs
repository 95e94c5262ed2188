//! `/account`: change the password (which signs out every other device), see the API keys, and
//! turn browser push on or off for this device (`components::push_optin`).

use super::{alert, query_param};
use crate::api::account::list_api_keys;
use crate::api::system::get_me;
use crate::components::push_optin::PushOptIn;
use crate::components::table::{TableSpec, table_view};
use leptos::prelude::*;
use leptos_meta::Title;
use sightline_domain::validate::{InputError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

fn message(code: &str, retry: Option<u64>) -> String {
    match code {
        "wrong_current" => "The current password is wrong.".to_owned(),
        "rate_limited" => format!("Too many attempts. Try again in {} seconds.", retry.unwrap_or(60)),
        other => {
            InputError::from_code(other).map_or_else(|| "The password was not changed.".to_owned(), |e| e.to_string())
        }
    }
}

const KEYS_TABLE: TableSpec = TableSpec {
    id: "api-keys-table",
    headers: &["Name", "Key", "Scope", "Created", "Last used"],
    empty: "No API keys yet.",
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let error = query_param("error");
    let retry = query_param("retry");
    let changed = query_param("changed");
    let me = Resource::new(|| (), |()| get_me());
    let keys = Resource::new(|| (), |()| list_api_keys());

    view! {
        <Title text="Account · Sightline"/>
        <h1>"Account"</h1>
        <div class="grid">
            <section class="card">
                <h2>"Change password"</h2>
                <Suspense fallback=|| ()>
                    {move || me.get().and_then(Result::ok).map(|m| view! {
                        <p class="muted">"Signed in as " <strong>{m.username.unwrap_or(m.label)}</strong> {m.role.map(|r| format!(" ({r})"))}</p>
                    })}
                </Suspense>
                {move || alert("error", error().map(|c| message(&c, retry().and_then(|r| r.parse().ok()))))}
                {move || alert("ok", changed().map(|_| "Password changed. Every other device was signed out.".to_owned()))}
                <form method="post" action="/auth/password" class="stack">
                    <label>"Current password"
                        <input name="current_password" id="current-password" type="password" autocomplete="current-password" required/>
                    </label>
                    <label>{format!("New password ({MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters)")}
                        <input name="new_password" id="new-password" type="password" autocomplete="new-password" required
                            minlength=MIN_PASSWORD_CHARS.to_string() maxlength=MAX_PASSWORD_CHARS.to_string()/>
                    </label>
                    <label>"Repeat new password"
                        <input name="new_password_confirm" id="new-password-confirm" type="password" autocomplete="new-password" required/>
                    </label>
                    <button type="submit" class="primary">"Change password"</button>
                </form>
            </section>
            <section class="card">
                <h2>"API keys"</h2>
                <p class="muted">
                    "Keys are created on the server with " <code>"sightline api-key create --name NAME [--read-only]"</code>
                    " and sent as " <code>"Authorization: Bearer …"</code> ". The key is shown once; only its hash is stored."
                </p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || keys.get().map(|r| table_view(&KEYS_TABLE, r, |k| view! {
                        <td>{k.name}</td>
                        <td><code>{format!("{}…", k.prefix)}</code></td>
                        <td>{if k.read_only { "read-only" } else { "read-write" }}</td>
                        <td class="nowrap">{k.created_at}</td>
                        <td class="nowrap">{k.last_used_at.unwrap_or_else(|| "never".to_owned())}</td>
                    }.into_any()))}
                </Suspense>
            </section>
            <PushOptIn/>
        </div>
    }
}
