//! `/settings/general`: the owner's time zone, which statistics cut days, weekdays and hours of the
//! day in (with its daylight-saving changes). A searchable list of IANA names, the local time in
//! the current zone, and the browser's own zone offered as a one-click choice.

use crate::api::settings::{GeneralSettingsView, SaveTimeZone, get_general_settings};
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["time_zone"];

/// The browser's IANA zone (hydrate only; `None` on the server or when the browser does not say).
#[cfg(feature = "hydrate")]
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|z| !z.is_empty())
}

#[cfg(not(feature = "hydrate"))]
fn browser_time_zone() -> Option<String> {
    None
}

#[component]
pub fn GeneralSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveTimeZone>::new();
    let current = Resource::new(move || save.version().get(), |_| get_general_settings());
    let error = Memo::new(move |_| save.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    let browser = RwSignal::new(None::<String>);
    Effect::new(move |_| browser.set(browser_time_zone()));

    view! {
        <Title text="General settings · Sightline"/>
        <div id="general-settings-page">
            <h1>"General"</h1>
            <crate::components::settings_tabs::SettingsTabs/>
            <section class="card">
                <h2>"Time zone"</h2>
                <p>
                    "Statistics count days, weekdays and hours of the day in this zone, following its "
                    "daylight-saving changes (a day when the clocks change has 23 or 25 hours)."
                </p>
                {move || saved().then(|| view! { <p class="alert ok" role="status" id="tz-saved">"Saved."</p> })}
                {move || error.get().and_then(|e| e.form_message(FIELDS)).map(|m| view! { <p class="alert error" role="alert">{m}</p> })}
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || current.get().map(|r| match r {
                        Ok(settings) => zone_form(settings, save, error, browser).into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn zone_form(
    settings: GeneralSettingsView,
    save: ServerAction<SaveTimeZone>,
    error: Memo<Option<AppError>>,
    browser: RwSignal<Option<String>>,
) -> impl IntoView {
    let readonly = !settings.can_edit;
    let current = settings.time_zone.clone();
    let field_error = move || {
        error.with(|e| e.as_ref().and_then(|e| e.field_message("time_zone")).map(str::to_owned)).map(|m| {
            view! { <span class="field-error" id="tz-error" role="alert">{m}</span> }
        })
    };
    let suggestion = move || {
        browser.get().filter(|b| !readonly && *b != current).map(|zone| {
            view! {
                <ActionForm action=save attr:class="inline" attr:id="tz-browser-form">
                    <input type="hidden" name="time_zone" value=zone.clone()/>
                    <button type="submit" class="ghost" id="tz-use-browser">{format!("Use this browser's zone: {zone}")}</button>
                </ActionForm>
            }
        })
    };
    view! {
        <p id="tz-status">
            <strong>{format!("Now: {}", settings.time_zone)}</strong>
            " · local time "
            <span id="tz-local-time">{settings.local_time}</span>
        </p>
        {(!settings.chosen).then(|| view! {
            <p class="muted small">"From the server's configuration (SIGHTLINE_TIME_ZONE, or UTC) until one is chosen here."</p>
        })}
        {readonly.then(|| view! { <p class="muted">"Only the owner can change the time zone."</p> })}
        <ActionForm action=save attr:class="stack" attr:id="tz-form">
            <div class="field">
                <label>"Time zone"
                    <input name="time_zone" id="tz-input" list="tz-names" value=settings.time_zone.clone()
                        autocomplete="off" spellcheck="false" maxlength="64" disabled=readonly
                        placeholder="Europe/Stockholm"/>
                </label>
                <datalist id="tz-names">
                    {settings.zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                </datalist>
                <span class="field-hint">"Type part of a city or region to search, such as Stockholm or New_York."</span>
                {field_error}
            </div>
            <div class="server-actions">
                <button type="submit" class="primary" id="tz-save" disabled=readonly>"Save"</button>
            </div>
        </ActionForm>
        {suggestion}
    }
}
