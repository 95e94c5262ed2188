//! `/settings/notifications`: where Sightline's notifications go. Lists the destinations with their
//! kind, events and last delivery outcome; adds and edits them (fields per kind, events, minimum
//! severity, private targets, rate, templates with a live preview); sends a test, switches and
//! removes them; and shows the outbox (counts, dead letters with Retry and Delete). Pieces in
//! `notifications/`.

mod draft;
mod editor;
mod outbox;
mod row;

use crate::api::notifications::{Catalogue, notifications_catalogue, notifications_list};
use crate::error::AppError;
use editor::DestinationEditor;
use leptos::prelude::*;
use leptos_meta::Title;
use outbox::OutboxPanel;
use row::DestinationRow;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    // Bumped after every successful change, so the lists are read again.
    let changed = RwSignal::new(0_u64);
    let catalogue = Resource::new(|| (), |()| notifications_catalogue());
    let destinations = Resource::new(move || changed.get(), |_| notifications_list());

    view! {
        <Title text="Notifications · Sightline"/>
        <div id="notifications-page">
            <h1>"Notifications"</h1>
            <crate::components::settings_tabs::SettingsTabs/>
            <section class="card">
                <h2>"Destinations"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || match (catalogue.get(), destinations.get()) {
                        (Some(Ok(_)), Some(Ok(list))) if list.is_empty() => Some(empty_state().into_any()),
                        (Some(Ok(c)), Some(Ok(list))) => Some(view! {
                            <ul class="server-list notify-list">
                                {list.into_iter().map(|destination| {
                                    let catalogue = c.clone();
                                    view! { <DestinationRow destination catalogue changed/> }
                                }).collect_view()}
                            </ul>
                        }.into_any()),
                        (Some(Err(e)), _) | (_, Some(Err(e))) => {
                            Some(view! { <p class="alert error">{e.to_string()}</p> }.into_any())
                        }
                        _ => None,
                    }}
                </Transition>
            </section>
            <section class="card">
                <h2>"Add a destination"</h2>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || catalogue.get().map(|r| match r {
                        Ok(c) => view! { <AddDestination catalogue=c changed/> }.into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            </section>
            <OutboxPanel changed/>
        </div>
    }
}

fn empty_state() -> impl IntoView {
    view! {
        <div id="notifications-empty" class="servers-empty">
            <p><strong>"No destinations yet."</strong></p>
            <p>
                "Add Discord, a webhook, ntfy, Gotify, Pushover, Telegram or email " <a href="#notify-add">"below"</a>
                ", choose the events it should hear about, and send a test."
            </p>
        </div>
    }
}

/// Choose a kind, then fill in its form.
#[component]
fn AddDestination(catalogue: Catalogue, changed: RwSignal<u64>) -> impl IntoView {
    let kind = RwSignal::new(String::new());
    // Bumped after a save, so the form starts again empty.
    let round = RwSignal::new(0_u64);
    let kinds: Vec<(String, String)> =
        catalogue.kinds.iter().filter(|k| k.creatable).map(|k| (k.kind.clone(), k.label.clone())).collect();
    let done = move || {
        kind.set(String::new());
        round.update(|n| *n += 1);
    };
    view! {
        <div id="notify-add" class="stack">
            <label>"Kind"
                <select id="notify-kind" name="kind" prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="">"Choose…"</option>
                    {kinds.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
            {move || {
                round.track();
                let chosen = kind.get();
                catalogue.kind(&chosen).map(|k| {
                    let draft = draft::Draft::new(k, &catalogue);
                    view! { <DestinationEditor catalogue=catalogue.clone() draft on_done=done changed/> }
                })
            }}
        </div>
    }
}

/// An action's error as a sentence above the form, or nothing.
fn action_error(error: Memo<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="alert error" role="alert">{crate::model::servers::capitalize(&e.to_string())}</p> }
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
#[path = "notifications/tests.rs"]
mod tests;
