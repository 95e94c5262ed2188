//! `/users/:id`: one person. Their name (which the owner can change), trust and totals; each account
//! per server with its trust panel (the Alerts account panel), its detection settings and a Split
//! button; a map of their places; devices; addresses with network and place; recent plays (linking
//! to History filtered to them); incidents (linking to `/alerts/:id`); and merging other people in.

use super::super::alerts::account::AccountTrustPanel;
use super::super::history::href::history_href;
use super::merge::MergeDialog;
use super::settings::SettingsForm;
use crate::api::trust::trust_level;
use crate::api::users::{
    AccountView, AddressView, DeviceView, IncidentView, MergeUsers, RecentView, RenameUser, SplitUserAccount, UserView,
    get_user,
};
use crate::components::table::{TableSpec, table_view};
use crate::components::world_map::{MapMarker, WorldMap};
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const DEVICES_TABLE: TableSpec = TableSpec {
    id: "user-devices",
    headers: &["Player", "App and device", "Plays", "Watched", "First play", "Last seen", "Servers"],
    empty: "No plays yet, so no devices.",
};

const ADDRESSES_TABLE: TableSpec = TableSpec {
    id: "user-addresses",
    headers: &["Address", "Place", "Network", "Plays", "Last seen"],
    empty: "No plays yet, so no addresses.",
};

/// The actions that change who the person is; made once, so their outcome outlives a refetch.
#[derive(Clone, Copy)]
struct Actions {
    rename: ServerAction<RenameUser>,
    split: ServerAction<SplitUserAccount>,
    merge: ServerAction<MergeUsers>,
}

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<i64>().ok());
    let actions = Actions {
        rename: ServerAction::<RenameUser>::new(),
        split: ServerAction::<SplitUserAccount>::new(),
        merge: ServerAction::<MergeUsers>::new(),
    };
    let user = Resource::new(
        move || (id(), actions.rename.version().get(), actions.split.version().get(), actions.merge.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => get_user(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Set only in the browser, so the server-rendered map and the hydrated one agree.
    let markers = RwSignal::new(Vec::<MapMarker>::new());
    Effect::new(move |_| {
        if let Some(Ok(u)) = user.get() {
            markers.set(u.markers);
        }
    });
    let split_note = move || {
        actions.split.value().get().map(|r| match r {
            Ok(new_id) => view! {
                <p class="alert ok" role="status" id="user-split-ok">
                    "The account is a user of its own again: " <a href=format!("/users/{new_id}")>"open it"</a>
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <Title text="User · Sightline"/>
        <div id="user-page">
            <p class="small"><a href="/users">"← All users"</a></p>
            {split_note}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || user.get().map(|r| match r {
                    Ok(u) => user_view(u, actions).into_any(),
                    Err(AppError::NotFound) => view! {
                        <h1>"User not found"</h1>
                        <p>"They may have been merged into another user. " <a href="/users">"See all users"</a></p>
                    }.into_any(),
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <section class="card">
                <h2>"Places"</h2>
                <WorldMap markers label="Where this user streamed from" id="user-map"/>
                {move || user.get().and_then(Result::ok).is_some_and(|u| u.markers.is_empty())
                    .then(|| view! { <p class="muted small">"None of this user's addresses could be placed on the map."</p> })}
            </section>
        </div>
    }
}

fn user_view(u: UserView, actions: Actions) -> impl IntoView {
    let (class, word) = trust_level(u.trust);
    let n_servers = {
        let mut s: Vec<&str> = u.accounts.iter().map(|a| a.server_name.as_str()).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let summary = format!(
        "{} {} on {} {} · {} plays · watched {} · last seen {}",
        u.accounts.len(),
        if u.accounts.len() == 1 { "account" } else { "accounts" },
        n_servers,
        if n_servers == 1 { "server" } else { "servers" },
        u.plays,
        u.watched,
        u.last_seen
    );
    let several = u.accounts.len() > 1;
    let history = history_href("/history", &[("users", &u.history_users)]);
    let (id, name) = (u.id, u.name.clone());
    let addresses_note = (u.n_addresses > u.addresses.len() as u64)
        .then(|| format!("The {} most recent of {} addresses.", u.addresses.len(), u.n_addresses));
    view! {
        <div class="section-head">
            <h1 id="user-name">{u.name.clone()}</h1>
            <span class=format!("tag {class}") id="user-trust">{format!("trust {} · {word}", u.trust)}</span>
        </div>
        <p class="muted" id="user-summary">{summary}</p>
        <section class="card user-manage">
            {rename_form(id, u.custom_name.clone(), actions.rename)}
            <MergeDialog id name merge=actions.merge/>
        </section>
        <section class="card" id="user-accounts">
            <h2>"Accounts"</h2>
            {u.accounts.into_iter().enumerate().map(|(i, a)| account_view(id, i, a, several, actions.split)).collect_view()}
        </section>
        <section class="card">
            <h2>"Devices"</h2>
            {table_view(&DEVICES_TABLE, Ok(u.devices), device_cells)}
        </section>
        <section class="card">
            <h2>"Addresses"</h2>
            {addresses_note.map(|n| view! { <p class="muted small">{n}</p> })}
            {table_view(&ADDRESSES_TABLE, Ok(u.addresses), address_cells)}
        </section>
        <section class="card" id="user-recent">
            <div class="section-head">
                <h2>"Recent plays"</h2>
                <a href=history class="small" id="user-history-link">"All history"</a>
            </div>
            {recent_view(u.recent)}
        </section>
        <section class="card" id="user-incidents">
            <h2>"Incidents"</h2>
            {incidents_view(u.incidents)}
        </section>
    }
}

fn rename_form(id: i64, custom: String, rename: ServerAction<RenameUser>) -> impl IntoView {
    let error = move || rename.value().get().and_then(Result::err);
    view! {
        <ActionForm action=rename attr:class="inline-form" attr:id="user-rename">
            <input type="hidden" name="id" value=id.to_string()/>
            <label>"Name"
                <input type="text" name="name" maxlength="100" value=custom
                    placeholder="Named after the first account" aria-describedby="user-rename-error"/>
            </label>
            <button type="submit">"Rename"</button>
        </ActionForm>
        {move || error().map(|e| view! { <p class="field-error" id="user-rename-error" role="alert">{e.to_string()}</p> })}
    }
}

fn account_view(
    person: i64,
    index: usize,
    a: AccountView,
    several: bool,
    split: ServerAction<SplitUserAccount>,
) -> impl IntoView {
    let facts = format!(
        "{} plays · watched {} · last seen {}{}",
        a.plays,
        a.watched,
        a.last_seen.clone().unwrap_or_else(|| "never".to_owned()),
        a.first_play.as_ref().map(|f| format!(" · first play {f}")).unwrap_or_default()
    );
    let suffix = format!("-{index}");
    let (user_id, shown_id) = (a.user_id.clone(), a.user_id.clone());
    view! {
        <article class="user-account" id=format!("user-account-{index}")>
            <div class="section-head">
                <h3>{a.name.clone()} " " <span class="muted">{format!("on {}", a.server_name)}</span></h3>
                {a.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                {several.then(|| view! {
                    <ActionForm action=split attr:class="inline">
                        <input type="hidden" name="id" value=person.to_string()/>
                        <input type="hidden" name="server" value=a.server.to_string()/>
                        <input type="hidden" name="user" value=user_id/>
                        <button type="submit" class="split-button" title="Make this account a user of its own">"Split"</button>
                    </ActionForm>
                })}
            </div>
            <p class="muted small">{facts} " · " <code>{shown_id}</code></p>
            <AccountTrustPanel server=a.server user=a.user_id.clone() suffix=suffix.clone()/>
            <SettingsForm account=a suffix/>
        </article>
    }
}

fn device_cells(d: DeviceView) -> AnyView {
    view! {
        <td>{d.name}</td>
        <td>{d.detail}</td>
        <td>{d.plays}</td>
        <td class="nowrap">{d.watched}</td>
        <td class="nowrap">{d.first_play}</td>
        <td class="nowrap">{d.last_seen}</td>
        <td>{d.servers}</td>
    }
    .into_any()
}

fn address_cells(a: AddressView) -> AnyView {
    view! {
        <td class="nowrap"><code>{a.ip}</code></td>
        <td>{a.place}</td>
        <td>{a.network}</td>
        <td>{a.plays}</td>
        <td class="nowrap">{a.last_seen}</td>
    }
    .into_any()
}

fn recent_view(recent: Vec<RecentView>) -> AnyView {
    if recent.is_empty() {
        return view! { <p class="muted">"No plays yet."</p> }.into_any();
    }
    view! {
        <ul class="history-list" id="user-recent-list">
            {recent.into_iter().map(|r| {
                let meta: Vec<String> = [r.when, r.watched, r.server_name, r.player, r.place]
                    .into_iter()
                    .filter(|s| !s.is_empty() && s != "—")
                    .collect();
                view! {
                    <li class="history-chain">
                        <div>
                            <span class="history-title">{r.title}</span>
                            {r.finished.then(|| view! { " " <span class="tag">"watched"</span> })}
                            <p class="muted small">{meta.join(" · ")}</p>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn incidents_view(incidents: Vec<IncidentView>) -> AnyView {
    if incidents.is_empty() {
        return view! { <p class="muted">"No incidents."</p> }.into_any();
    }
    view! {
        <ul class="incident-list" id="user-incident-list">
            {incidents.into_iter().map(|i| {
                let severity = i.severity.clone();
                view! {
                    <li class=format!("incident sev-{severity}") data-status=i.status.clone()>
                        <div class="incident-head">
                            <span class=format!("badge sev-{}", i.severity)>{i.severity.clone()}</span>
                            <span class=format!("badge st-{}", i.status)>{i.status.clone()}</span>
                            <span class="muted small">{format!("{} · {}", i.rule_name, i.updated)}</span>
                        </div>
                        <a class="incident-summary" href=format!("/alerts/{}", i.id)>{i.summary}</a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
