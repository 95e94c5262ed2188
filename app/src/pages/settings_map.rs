//! `/settings/map`: the optional tile server behind every map. By default maps draw the bundled
//! world outline and contact nobody; the owner may set a tile URL (and its credit) instead, and
//! is told what that reveals to the tile server.

use crate::api::map::{SaveTileSettings, TileSettingsView, get_tile_settings};
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["url", "attribution"];

#[component]
pub fn MapSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveTileSettings>::new();
    let current = Resource::new(move || save.version().get(), |_| get_tile_settings());
    let error = Memo::new(move |_| save.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));

    view! {
        <Title text="Map settings · Sightline"/>
        <div id="map-settings-page">
            <h1>"Map"</h1>
            <crate::components::settings_tabs::SettingsTabs/>
            <section class="card">
                <h2>"Tile server"</h2>
                <p>
                    "Maps draw a built-in outline of the world's countries (Natural Earth, public domain) and load "
                    "nothing from anywhere else. For streets and terrain, enter the address of a tile server below."
                </p>
                <p class="alert info" id="tile-privacy">
                    "Privacy: with a tile server set, every browser that opens a map asks that server for map images. "
                    "It learns the viewer's IP address and which part of the world the map shows, which can reveal "
                    "where your users stream from. Use a server you trust or run yourself, and follow its usage policy."
                </p>
                {move || saved().then(|| view! { <p class="alert ok" role="status" id="tile-saved">"Saved."</p> })}
                {move || error.get().and_then(|e| e.form_message(FIELDS)).map(|m| view! { <p class="alert error" role="alert">{m}</p> })}
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || current.get().map(|r| match r {
                        Ok(settings) => tile_form(settings, save, error).into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn tile_form(
    settings: TileSettingsView,
    save: ServerAction<SaveTileSettings>,
    error: Memo<Option<AppError>>,
) -> impl IntoView {
    let status = settings
        .origin
        .as_ref()
        .map_or_else(|| "Now: the built-in world outline (offline).".to_owned(), |o| format!("Now: tiles from {o}."));
    let readonly = !settings.can_edit;
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| e.as_ref().and_then(|e| e.field_message(field)).map(str::to_owned)).map(|m| {
                view! { <span class="field-error" id=format!("tile-{field}-error") role="alert">{m}</span> }
            })
        }
    };
    let has_url = !settings.url.is_empty();
    view! {
        <p id="tile-status"><strong>{status}</strong></p>
        {readonly.then(|| view! { <p class="muted">"Only the owner can change the tile server."</p> })}
        <ActionForm action=save attr:class="stack" attr:id="tile-form">
            <div class="field">
                <label>"Tile URL"
                    <input name="url" id="tile-url" type="url" value=settings.url inputmode="url" spellcheck="false"
                        autocomplete="off" maxlength="500" disabled=readonly
                        placeholder="https://tile.openstreetmap.org/{z}/{x}/{y}.png"/>
                </label>
                <span class="field-hint">"Must contain {z}, {x} and {y}; {s} may start the host name. Leave empty for the offline outline."</span>
                {field_error("url")}
            </div>
            <div class="field">
                <label>"Credit shown on the map"
                    <input name="attribution" id="tile-attribution" value=settings.attribution maxlength="200"
                        autocomplete="off" disabled=readonly placeholder="© OpenStreetMap contributors"/>
                </label>
                {field_error("attribution")}
            </div>
            <div class="server-actions">
                <button type="submit" class="primary" id="tile-save" disabled=readonly>"Save"</button>
            </div>
        </ActionForm>
        {(has_url && !readonly).then(|| view! {
            <ActionForm action=save attr:class="inline" attr:id="tile-clear-form">
                <input type="hidden" name="url" value=""/>
                <input type="hidden" name="attribution" value=""/>
                <button type="submit" class="ghost" id="tile-clear">"Use the offline outline again"</button>
            </ActionForm>
        })}
    }
}
