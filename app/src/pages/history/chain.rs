//! One resume chain of the History list: a box to choose it for deletion, and a disclosure whose
//! summary says what was played, by whom and for how long, and which opens into its plays, each
//! a detail panel (stream as stored vs. delivered, device, address, place and network).

use crate::api::history::{ChainView, PlayIncidentView, SessionView};
use leptos::prelude::*;

fn incident_links(incidents: Vec<PlayIncidentView>) -> AnyView {
    (!incidents.is_empty())
        .then(|| {
            view! {
                <ul class="history-incidents">
                    {incidents.into_iter().map(|i| view! {
                        <li>
                            <a href=format!("/alerts/{}", i.id)>{format!("Incident #{}", i.id)}</a>
                            <span class="small muted">{format!(" {} · {}", i.label, i.summary)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            }
        })
        .into_any()
}

fn session_panel(s: SessionView) -> AnyView {
    let incidents = s.incidents;
    let rows: Vec<(&'static str, String)> = vec![
        ("Played", format!("{} ({} → {})", s.played, s.started, s.ended)),
        ("Stream", s.stream),
        ("Delivered", if s.bandwidth.is_empty() { s.decision } else { format!("{} · {}", s.decision, s.bandwidth) }),
        ("Device", s.device),
        ("Address", s.ip),
        ("Place", s.place),
        ("Network", s.network),
    ];
    view! {
        <div class="history-session card" data-play-id=s.id.to_string()>
            {s.watched.then(|| view! { <span class="badge">"watched"</span> })}
            <dl class="facts">
                {rows.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            {incident_links(incidents)}
        </div>
    }
    .into_any()
}

#[component]
pub(super) fn ChainItem(chain: ChainView, index: usize) -> impl IntoView {
    let ChainView { head, started, account, server, title, media_type, played, watched, sessions } = chain;
    let count = sessions.len();
    let plays = if count == 1 { String::new() } else { format!(" · {count} plays") };
    let check_id = format!("history-pick-{head}");
    view! {
        <li class="history-chain" data-chain=head.to_string()>
            <input type="checkbox" name=format!("chains[{index}]") value=head.to_string() id=check_id.clone()
                aria-label=format!("Choose {title}")/>
            <details>
                <summary>
                    <span class="history-title">{title.clone()}</span>
                    {watched.then(|| view! { <span class="badge">"watched"</span> })}
                    <span class="history-meta small muted">
                        {format!("{account} on {server} · {media_type} · {started} · {played}{plays}")}
                    </span>
                </summary>
                {sessions.into_iter().map(session_panel).collect_view()}
            </details>
        </li>
    }
}
