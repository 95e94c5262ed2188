//! The outbox panel: how many notifications are queued, being sent, delivered (kept a week) and dead,
//! and the rows of one state: dead letters with their error and Retry / Delete, queued ones with
//! their next attempt, delivered ones.

use crate::api::notifications::{NotificationsDiscard, NotificationsRetry, OutboxRowView, notifications_outbox};
use crate::components::action_state::{latest_error, refetch_on_success};
use leptos::form::ActionForm;
use leptos::prelude::*;

const STATES: [(&str, &str); 3] = [("dead", "Dead letters"), ("queued", "Queued"), ("delivered", "Delivered")];

#[component]
pub fn OutboxPanel(changed: RwSignal<u64>) -> impl IntoView {
    let state = RwSignal::new("dead".to_owned());
    let refreshed = RwSignal::new(0_u64);
    let retry = ServerAction::<NotificationsRetry>::new();
    let discard = ServerAction::<NotificationsDiscard>::new();
    refetch_on_success(retry.value(), refreshed);
    refetch_on_success(discard.value(), refreshed);
    let retry_error = latest_error(retry.value());
    let discard_error = latest_error(discard.value());
    let outbox =
        Resource::new(move || (state.get(), changed.get(), refreshed.get()), |(s, _, _)| notifications_outbox(s));

    view! {
        <section class="card" id="notify-outbox">
            <div class="section-head">
                <h2>"Outbox"</h2>
                <button type="button" class="ghost notify-refresh" on:click=move |_| refreshed.update(|n| *n += 1)>"Refresh"</button>
            </div>
            <p class="field-hint">
                "Each notification is retried with growing pauses (5 s up to an hour) and given up after 8 tries, \
                 or at once when the receiver refuses it for good."
            </p>
            {super::action_error(retry_error)}
            {super::action_error(discard_error)}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || outbox.get().map(|r| match r {
                    Ok(o) => view! {
                        <dl class="counters notify-counts">
                            <div><dt>"Queued"</dt><dd data-count="queued">{o.queued}</dd></div>
                            <div><dt>"Sending"</dt><dd data-count="sending">{o.sending}</dd></div>
                            <div><dt>"Delivered"</dt><dd data-count="delivered">{o.delivered}</dd></div>
                            <div><dt>"Dead"</dt><dd data-count="dead">{o.dead}</dd></div>
                        </dl>
                        <div class="notify-states" role="group" aria-label="Show">
                            {STATES.into_iter().map(|(value, label)| view! {
                                <button type="button" class="ghost" aria-pressed=move || (state.get() == value).to_string()
                                    on:click=move |_| state.set(value.to_owned())>{label}</button>
                            }).collect_view()}
                        </div>
                        {if o.rows.is_empty() {
                            view! { <p class="muted notify-outbox-empty">{empty_text(&state.get_untracked())}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="server-list notify-outbox-list">
                                    {o.rows.into_iter().map(|row| outbox_row(row, retry, discard)).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn empty_text(state: &str) -> &'static str {
    match state {
        "dead" => "No dead letters: everything that could be delivered was.",
        "queued" => "Nothing is waiting.",
        _ => "Nothing delivered in the last week.",
    }
}

fn outbox_row(
    row: OutboxRowView,
    retry: ServerAction<NotificationsRetry>,
    discard: ServerAction<NotificationsDiscard>,
) -> impl IntoView {
    let id = row.id.to_string();
    let (retry_id, discard_id) = (id.clone(), id.clone());
    let retryable = matches!(row.state.as_str(), "dead" | "queued");
    let deletable = row.state != "sending";
    let when = match row.state.as_str() {
        "queued" => format!("next try {}", row.next_attempt),
        _ => row.updated.clone(),
    };
    view! {
        <li class="server-row notify-outbox-row" data-state=row.state.clone() data-row-id=id>
            <div class="server-names">
                <strong>{row.event}</strong>
                <span class="tag">{row.destination}</span>
                <span class="muted small">{format!("{} · {} attempt(s) · {when}", row.state, row.attempts)}</span>
            </div>
            <p class="small notify-summary">{row.summary}</p>
            {row.last_error.map(|e| view! { <p class="server-reason small notify-error">{e}</p> })}
            <div class="server-actions">
                {retryable.then(|| view! {
                    <ActionForm action=retry attr:class="inline">
                        <input type="hidden" name="id" value=retry_id.clone()/>
                        <button type="submit" class="notify-retry">"Retry"</button>
                    </ActionForm>
                })}
                {deletable.then(|| view! {
                    <ActionForm action=discard attr:class="inline">
                        <input type="hidden" name="id" value=discard_id.clone()/>
                        <button type="submit" class="danger-text notify-discard">"Delete"</button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}
