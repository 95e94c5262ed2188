//! `/settings/servers`: the media servers Sightline watches. Lists them with their live health
//! (merged from the live channel), adds new ones, and per server tests, edits, enables/disables
//! and removes. The pieces live in `servers/`.

mod add;
mod health;
mod row;

use crate::api::servers::servers_list;
use crate::error::AppError;
use crate::live::use_live;
use add::AddServerForm;
use leptos::prelude::*;
use leptos_meta::Title;
use row::ServerRow;

#[component]
pub fn ServersPage() -> impl IntoView {
    let live = use_live();
    // Bumped after every successful change, so the list is read again.
    let changed = RwSignal::new(0_u64);
    let servers = Resource::new(move || (live.map_or(0, |l| l.resync.get()), changed.get()), |_| servers_list());

    view! {
        <Title text="Servers · Sightline"/>
        <div id="servers-page">
            <h1>"Servers"</h1>
            <crate::components::settings_tabs::SettingsTabs/>
            <section class="card">
                <h2>"Media servers"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || servers.get().map(|r| match r {
                        Ok(list) if list.is_empty() => empty_state().into_any(),
                        Ok(list) => view! {
                            <ul class="server-list">
                                {list.into_iter().map(|server| view! { <ServerRow server changed/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </section>
            <section class="card">
                <h2>"Add a server"</h2>
                <AddServerForm changed/>
            </section>
        </div>
    }
}

fn empty_state() -> impl IntoView {
    view! {
        <div id="servers-empty" class="servers-empty">
            <p><strong>"No media servers yet."</strong></p>
            <p>
                "Add your Plex, Jellyfin or Emby server with the " <a href="#server-form">"form below"</a>
                ". Sightline starts watching it as soon as it is saved."
            </p>
            <p class="muted">
                "Just looking around? Run " <code>"sightline demo"</code>
                " on the server to try Sightline against simulated servers."
            </p>
        </div>
    }
}

/// The message shown under one input when the latest submission was refused because of it.
fn field_error(error: Memo<Option<AppError>>, field: &'static str, id: String) -> impl IntoView {
    move || {
        error
            .with(|e| e.as_ref().and_then(|e| e.field_message(field)).map(crate::model::servers::capitalize))
            .map(|message| view! { <span class="field-error" id=id.clone() role="alert">{message}</span> })
    }
}

/// `Some("true")` while the input `field` carries an error, for `aria-invalid`.
fn invalid(error: Memo<Option<AppError>>, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
    move || error.with(|e| e.as_ref().is_some_and(|e| e.field_message(field).is_some())).then_some("true")
}

/// A form-level error (one not shown next to any of `fields`).
fn form_error(error: Memo<Option<AppError>>, fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error
            .with(|e| e.as_ref().and_then(|e| e.form_message(fields)))
            .map(|m| view! { <p class="alert error" role="alert">{crate::model::servers::capitalize(&m)}</p> })
    }
}

#[cfg(all(test, feature = "ssr"))]
#[path = "servers/tests.rs"]
mod tests;
