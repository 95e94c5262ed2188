//! A small badge showing whether the live channel is connected.

use crate::live::{LiveStatus, use_live};
use leptos::prelude::*;

#[component]
pub fn LiveIndicator() -> impl IntoView {
    let status = move || use_live().map_or(LiveStatus::Offline, |l| l.status.get());
    let label = move || match status() {
        LiveStatus::Offline => "Offline".to_owned(),
        LiveStatus::Connecting => "Connecting…".to_owned(),
        LiveStatus::Connected => "Live".to_owned(),
        LiveStatus::Reconnecting { in_secs } => format!("Reconnecting in {in_secs} s"),
    };
    let class = move || match status() {
        LiveStatus::Connected => "badge live ok",
        LiveStatus::Offline => "badge live",
        _ => "badge live warn",
    };
    view! { <span id="live-status" class=class role="status">{label}</span> }
}
