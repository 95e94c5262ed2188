//! One server's health as the row shows it: status badge (with `since`), the reason and code
//! when not up, the feed, the last good answer and the active streams. Live reports from the
//! socket replace the page's copy when newer.

use crate::live::use_live;
use crate::model::servers::{ServerView, capitalize, current_health, fmt_utc, shown_status, status_class, status_code};
use leptos::prelude::*;
use sightline_domain::live::ServerStatus;

#[component]
pub fn ServerHealthView(server: ServerView) -> impl IntoView {
    let live = use_live();
    let ServerView { id, enabled, health: fetched, streams: fetched_streams, .. } = server;
    let health = Memo::new(move |_| {
        let reported = live.and_then(|l| l.health.with(|m| m.get(&id).cloned()));
        current_health(enabled, fetched.as_ref(), reported.as_ref())
    });

    move || {
        let h = health.get();
        let status = shown_status(enabled, h.as_ref());
        let since = h.as_ref().map(|h| format!("since {}", fmt_utc(h.since)));
        let problem = h.as_ref().filter(|h| h.status != ServerStatus::Up && h.status != ServerStatus::Disabled);
        let reason = problem.and_then(|h| h.reason.as_deref().map(capitalize));
        let code = problem.and_then(|h| h.code.clone());
        let feed = h.as_ref().and_then(|h| h.feed).map_or("—", |f| f.label());
        let last_ok = h.as_ref().and_then(|h| h.last_ok_at).map_or_else(|| "never".to_owned(), fmt_utc);
        let streams = h.as_ref().map_or(fetched_streams, |h| h.active_streams);
        let not_contacted = h.is_none() && enabled;
        view! {
            <div class="server-health">
                <p class="server-status-line">
                    <span class=format!("badge status {} server-status", status_class(status))
                        data-status=status_code(status)>{status.label()}</span>
                    {since.map(|s| view! { " " <span class="muted small">{s}</span> })}
                </p>
                {not_contacted.then(|| view! { <p class="muted small">"Not contacted yet."</p> })}
                {(reason.is_some() || code.is_some()).then(|| view! {
                    <p class="server-reason">
                        {reason}
                        {code.map(|c| view! { " " <code class="server-code">{c}</code> })}
                    </p>
                })}
                <dl class="facts server-facts small">
                    <dt>"Feed"</dt><dd>{feed}</dd>
                    <dt>"Last OK"</dt><dd>{last_ok}</dd>
                    <dt>"Streams"</dt><dd>{streams}</dd>
                </dl>
            </div>
        }
    }
}
