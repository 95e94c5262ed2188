//! `/alerts/:id`: one incident: what happened and to whom, its rule and status (with the status
//! buttons), its timeline, the evidence (measured value against the threshold, further facts), every
//! session involved, what the rule's actions did (messages, stops; scheduled, done, skipped, failed),
//! the account's trust and snooze panel (`account.rs`), and a map of their places with the journey
//! drawn for travel incidents.

use super::account::AccountCard;
use super::row::{Badges, StatusActions};
use crate::api::enforce::{ActionRow, incident_actions};
use crate::api::incidents::{IncidentDetail, SessionRow, SetIncidentStatus, get_incident};
use crate::components::table::{TableSpec, table_view};
use crate::components::world_map::{MapLine, MapMarker, TileSpec, WorldMap};
use crate::error::AppError;
use crate::live::use_live;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const ACTIONS_TABLE: TableSpec = TableSpec {
    id: "incident-actions",
    headers: &["Action", "Status", "What happened", "When"],
    empty: "The rule of this incident has no message or stop, or none was due yet.",
};

const SESSIONS_TABLE: TableSpec = TableSpec {
    id: "incident-sessions",
    headers: &["Address", "Place", "Network", "Device", "Player", "Product", "Started", "Last seen"],
    empty: "No sessions were recorded with this incident.",
};

#[component]
pub fn AlertDetailPage() -> impl IntoView {
    let live = use_live();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<i64>().ok());
    let change = ServerAction::<SetIncidentStatus>::new();
    let detail = Resource::new(
        move || (id(), live.map(|l| (l.resync.get(), l.incidents.get())), change.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_incident(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Rule actions finish later (a delayed stop); each one bumps the live incident counter.
    let actions = Resource::new(
        move || (id(), live.map(|l| (l.resync.get(), l.incidents.get()))),
        |(id, _)| async move {
            match id {
                Some(id) => incident_actions(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Set only in the browser, so the server-rendered map and the hydrated one agree.
    let markers = RwSignal::new(Vec::<MapMarker>::new());
    let lines = RwSignal::new(Vec::<MapLine>::new());
    let tiles = RwSignal::new(None::<TileSpec>);
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail.get() {
            markers.set(d.markers);
            lines.set(d.lines);
            tiles.set(d.tiles);
        }
    });
    let change_error = move || change.value().get().and_then(Result::err);

    view! {
        <Title text="Incident · Sightline"/>
        <div id="incident-page">
            <p class="small"><a href="/alerts">"← All alerts"</a></p>
            {move || change_error().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => incident_view(d, change).into_any(),
                    Err(AppError::NotFound) => view! {
                        <h1>"Incident not found"</h1>
                        <p>"It may have been removed with its server. " <a href="/alerts">"See all alerts"</a></p>
                    }.into_any(),
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <section class="card" id="incident-actions-card">
                <h2>"Actions"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || actions.get().map(|r| table_view(&ACTIONS_TABLE, r, action_cells))}
                </Transition>
            </section>
            <section class="card">
                <h2>"Places"</h2>
                <WorldMap markers lines tiles label="Places of this incident's sessions" id="incident-map"/>
                {move || (detail.get().and_then(Result::ok).is_some_and(|d| d.markers.is_empty()))
                    .then(|| view! { <p class="muted small">"None of these sessions could be placed on the map."</p> })}
            </section>
        </div>
    }
}

fn incident_view(d: IncidentDetail, change: ServerAction<SetIncidentStatus>) -> impl IntoView {
    let IncidentDetail { row, rule_id, user_id, measured, threshold, facts, sessions, .. } = d;
    let times = if row.occurrences == 1 { "once".to_owned() } else { format!("{} times", row.occurrences) };
    // The rule's kind, when its name does not already say it.
    let kind = (row.kind != row.rule_name)
        .then(|| view! { " " <span class="tag" title=rule_id.clone()>{row.kind.clone()}</span> });
    view! {
        <h1 class="incident-title">{row.summary.clone()}</h1>
        <section class="card">
            <div class="incident-head">
                <Badges severity=row.severity.clone() status=row.status.clone()/>
                <span class="muted small">{format!("Incident #{}", row.id)}</span>
            </div>
            <dl class="facts incident-facts">
                <dt>"Rule"</dt><dd title=rule_id>{row.rule_name.clone()} {kind}</dd>
                <dt>"Account"</dt><dd>{row.account.clone()} " " <code class="muted">{user_id}</code></dd>
                <dt>"Server"</dt><dd>{row.server.clone()}</dd>
                <dt>"Opened"</dt><dd>{row.opened.clone()}</dd>
                <dt>"Last updated"</dt><dd>{format!("{} ({})", row.updated, row.updated_ago)}</dd>
                <dt>"Occurrences"</dt><dd id="incident-occurrences">{times}</dd>
            </dl>
            <StatusActions id=row.id status=row.status.clone() change/>
        </section>
        <section class="card">
            <h2>"Evidence"</h2>
            <dl class="facts" id="incident-evidence">
                <dt>"Measured"</dt><dd><strong>{measured}</strong></dd>
                <dt>"Threshold"</dt><dd>{threshold}</dd>
                {facts.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
        </section>
        <section class="card">
            <h2>"Sessions"</h2>
            {table_view(&SESSIONS_TABLE, Ok(sessions), session_cells)}
        </section>
        <AccountCard incident=row.id/>
    }
}

fn action_cells(a: ActionRow) -> AnyView {
    let status = a.status.clone();
    view! {
        <td>{a.action}{a.dry_run.then(|| view! { " " <span class="tag">"dry run"</span> })}</td>
        <td><span class=format!("tag action-{status}")>{a.status}</span></td>
        <td class="action-detail">{a.detail}</td>
        <td class="nowrap" title=format!("recorded {}", a.created)>{a.at}</td>
    }
    .into_any()
}

fn session_cells(s: SessionRow) -> AnyView {
    view! {
        <td class="nowrap"><code>{s.ip}</code></td>
        <td>{s.place}</td>
        <td>{s.network}</td>
        <td><code class="small">{s.device}</code></td>
        <td>{s.player}</td>
        <td>{s.product}</td>
        <td class="nowrap">{s.started}</td>
        <td class="nowrap">{s.last_seen}</td>
    }
    .into_any()
}
