//! `/map`: where streams came from. Filters (period, server, account) live in the query string; a
//! `WorldMap` shows located plays grouped by place, places of open incidents highlighted; the top
//! places are listed below (readable on a phone and by screen readers); an empty map says why.

pub(super) mod filters;
mod places;

use super::query_param;
use crate::api::map::{MapView, Period, PlaceView, get_map};
use crate::components::world_map::{MapMarker, TileSpec, WorldMap};
use crate::live::use_live;
use filters::{FilterSelect, period_choices};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use places::TopPlaces;

#[component]
pub fn MapPage() -> impl IntoView {
    let live = use_live();
    let (period, server, user) = (query_param("period"), query_param("server"), query_param("user"));
    let data = Resource::new(
        move || {
            let bumps = live.map(|l| (l.resync.get(), l.activity.get(), l.incidents.get()));
            (period().unwrap_or_default(), server().unwrap_or_default(), user().unwrap_or_default(), bumps)
        },
        |(period, server, user, _)| get_map(period, server, user),
    );
    // Set only in the browser, so the server-rendered map and the hydrated one agree.
    let markers = RwSignal::new(Vec::<MapMarker>::new());
    let tiles = RwSignal::new(None::<TileSpec>);
    Effect::new(move |_| {
        if let Some(Ok(view)) = data.get() {
            markers.set(view.places.iter().map(PlaceView::marker).collect());
            tiles.set(view.tiles);
        }
    });

    view! {
        <Title text="Map · Sightline"/>
        <div id="map-page">
            <div class="section-head">
                <h1>"Map"</h1>
                <a href="/settings/map" class="small" id="map-settings-link">"Map tiles"</a>
            </div>
            <section class="card">
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(view) => filters_and_summary(&view, period().unwrap_or_default(), server(), user()).into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
                <WorldMap markers tiles label="Where plays came from" id="plays-map"/>
            </section>
            <section class="card">
                <h2>"Top places"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || data.get().and_then(Result::ok).map(|view| view! { <TopPlaces places=view.places/> })}
                </Transition>
            </section>
        </div>
    }
}

fn filters_and_summary(view: &MapView, period: String, server: Option<String>, user: Option<String>) -> impl IntoView {
    let period = Period::parse(&period).unwrap_or(Period::DEFAULT).param().to_owned();
    let summary = format!(
        "{} of {} plays in this period have a place · {} {}",
        view.n_located,
        view.n_plays,
        view.places.len(),
        if view.places.len() == 1 { "place" } else { "places" },
    );
    let several_servers = view.servers.len() > 1;
    let (servers, users, empty) = (view.servers.clone(), view.users.clone(), view.empty.clone());
    view! {
        <Form method="GET" action="/map" attr:class="filters" attr:id="map-filters">
            <FilterSelect name="period" label="Period" any=None choices=period_choices() current=Some(period)/>
            {several_servers.then(|| view! {
                <FilterSelect name="server" label="Server" any=Some("All servers") choices=servers.clone() current=server.clone()/>
            })}
            <FilterSelect name="user" label="Account" any=Some("All accounts") choices=users current=user/>
            <button type="submit">"Show"</button>
        </Form>
        {match empty {
            Some(message) => view! { <p class="map-empty" id="map-empty">{message}</p> }.into_any(),
            None => view! { <p class="muted small" id="map-summary">{summary}</p> }.into_any(),
        }}
    }
}
