//! The browser half of `WorldMap`: leptos-leaflet's `MapContainer`, a base layer (the world outline,
//! fetched once per page load from `/vendor/` and kept, or the owner's tiles), and the markers,
//! popups and lines, redrawn whenever their signals change. Popups are DOM nodes filled with
//! `textContent`, so names from media servers can never become markup.

use super::{MapLine, MapMarker, TileSpec, WORLD_LAYER_URL, escape_html, marker_radius};
use leptos::prelude::*;
use leptos_leaflet::leaflet::{
    CircleMarker, CircleOptions, LatLng, LatLngBounds, Layer, LayerGroup, Map, PathOptions, Polyline, PolylineOptions,
    TileLayer, TileLayerOptions,
};
use leptos_leaflet::prelude::{MapContainer, Position};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The pane of the world outline: under the markers (Leaflet's overlay pane is at z-index 400).
const WORLD_PANE: &str = "worldPane";
/// The view before anything is placed: the whole inhabited world.
const HOME: (f64, f64) = (25.0, 10.0);

thread_local! {
    /// The parsed world outline, fetched once and shared by every map of the page's lifetime.
    static WORLD: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

pub(super) fn map_view(
    markers: Signal<Vec<MapMarker>>,
    lines: Signal<Vec<MapLine>>,
    tiles: Signal<Option<TileSpec>>,
    label: &'static str,
) -> AnyView {
    let (map, set_map) = signal_local(None::<Map>);
    let overlay = StoredValue::new_local(None::<LayerGroup>);
    let base = StoredValue::new_local(None::<Layer>);
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = Arc::clone(&alive);
        move || alive.store(false, Ordering::Relaxed)
    });

    Effect::new(move |_| {
        if let Some(m) = map.get() {
            set_base(&m, tiles.get(), base, Arc::clone(&alive));
        }
    });
    Effect::new(move |_| {
        if let Some(m) = map.get() {
            markers.with(|markers| lines.with(|lines| draw(&m, overlay, markers, lines)));
        }
    });

    view! {
        <MapContainer class="world-map" center=Position::new(HOME.0, HOME.1) zoom=1.0 min_zoom=1.0
            scroll_wheel_zoom=false map=set_map attr:role="region" attr:aria-label=label/>
    }
    .into_any()
}

/// Replaces the base layer: the owner's tiles when set, else the world outline.
fn set_base(
    map: &Map,
    tiles: Option<TileSpec>,
    base: StoredValue<Option<Layer>, LocalStorage>,
    alive: Arc<AtomicBool>,
) {
    if let Some(old) = base.get_value() {
        old.remove();
        base.set_value(None);
    }
    if let Some(tiles) = tiles {
        let options = TileLayerOptions::new();
        options.set_max_zoom(18.0);
        if let Some(text) = &tiles.attribution {
            options.set_attribution(escape_html(text));
        }
        let layer: Layer = TileLayer::new_options(&tiles.url, &options).unchecked_into();
        layer.add_to(map);
        base.set_value(Some(layer));
        return;
    }
    let map = map.clone();
    leptos::task::spawn_local(async move {
        let Some(data) = world().await else { return };
        // The page may have moved on while the outline loaded.
        if !alive.load(Ordering::Relaxed) {
            return;
        }
        if !has_pane(&map, WORLD_PANE) {
            map.create_pane_by_name(WORLD_PANE);
        }
        let options = PathOptions::new();
        options.set_class_name("world-country".to_owned());
        options.set_interactive(false);
        options.set_weight(0.6);
        options.set_fill_opacity(1.0);
        options.set_pane(WORLD_PANE.to_owned());
        options.set_attribution("Natural Earth".to_owned());
        let Some(layer) = geo_json(&data, &options) else { return };
        layer.add_to(&map);
        base.set_value(Some(layer));
    });
}

/// `L.geoJSON(data, options)` (the `leaflet` crate does not export its binding).
fn geo_json(data: &JsValue, options: &JsValue) -> Option<Layer> {
    let leaflet = js_sys::Reflect::get(&js_sys::global(), &"L".into()).ok()?;
    let make = js_sys::Reflect::get(&leaflet, &"geoJSON".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    make.call2(&leaflet, data, options).ok().map(JsCast::unchecked_into)
}

/// Whether `map.getPane(name)` exists (the binding only takes elements).
fn has_pane(map: &Map, name: &str) -> bool {
    js_sys::Reflect::get(map, &"getPane".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(map, &name.into()).ok())
        .is_some_and(|pane| !pane.is_undefined())
}

/// The world outline as parsed JSON, fetched on first use.
async fn world() -> Option<JsValue> {
    if let Some(data) = WORLD.with(|w| w.borrow().clone()) {
        return Some(data);
    }
    let window = web_sys::window()?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(WORLD_LAYER_URL)).await.ok()?.dyn_into().ok()?;
    if !response.ok() {
        leptos::logging::warn!("the world outline did not load: HTTP {}", response.status());
        return None;
    }
    let data = JsFuture::from(response.json().ok()?).await.ok()?;
    WORLD.with(|w| *w.borrow_mut() = Some(data.clone()));
    Some(data)
}

fn draw(map: &Map, overlay: StoredValue<Option<LayerGroup>, LocalStorage>, markers: &[MapMarker], lines: &[MapLine]) {
    let group = overlay.get_value().unwrap_or_else(|| {
        let group = LayerGroup::new();
        group.add_to(map);
        overlay.set_value(Some(group.clone()));
        group
    });
    group.clear_layers();
    for line in lines {
        let points = js_sys::Array::of2(&lat_lng(line.from), &lat_lng(line.to));
        let options = PolylineOptions::new();
        options.set_class_name("map-line".to_owned());
        options.set_interactive(false);
        options.set_weight(2.0);
        options.set_dash_array("6 6".to_owned());
        group.add_layer(Polyline::new_with_options(&points, &options).unchecked_ref());
    }
    let max = markers.iter().map(|m| m.count).max().unwrap_or(0);
    let mut ordered: Vec<&MapMarker> = markers.iter().collect();
    // Large circles first, so the small ones drawn over them stay clickable.
    ordered.sort_by_key(|m| std::cmp::Reverse(m.count));
    for marker in ordered {
        let options = CircleOptions::new();
        options.set_radius(marker_radius(marker.count, max));
        options.set_class_name(if marker.highlighted { "map-marker hot" } else { "map-marker" }.to_owned());
        options.set_weight(1.5);
        options.set_fill_opacity(0.55);
        let circle = CircleMarker::new_with_options(&LatLng::new(marker.lat, marker.lon), &options);
        if let Some(content) = popup(marker) {
            circle.bind_popup_with_options(&content, &JsValue::UNDEFINED);
        }
        group.add_layer(circle.unchecked_ref());
    }
    fit(map, markers);
}

fn lat_lng((lat, lon): (f64, f64)) -> JsValue {
    LatLng::new(lat, lon).into()
}

/// Shows every marker (without zooming in closer than a region), or the whole world.
fn fit(map: &Map, markers: &[MapMarker]) {
    if markers.is_empty() {
        map.set_view(&LatLng::new(HOME.0, HOME.1), 1.0);
        return;
    }
    let points = js_sys::Array::new();
    for m in markers {
        points.push(&LatLng::new(m.lat, m.lon));
    }
    let options = js_sys::Object::new();
    let padding = js_sys::Array::of2(&JsValue::from(32), &JsValue::from(32));
    let _ = js_sys::Reflect::set(&options, &"padding".into(), &padding);
    let _ = js_sys::Reflect::set(&options, &"maxZoom".into(), &JsValue::from(5));
    // No zoom animation: the markers are drawn for the new view at once.
    let _ = js_sys::Reflect::set(&options, &"animate".into(), &JsValue::FALSE);
    map.fit_bounds_with_options(&LatLngBounds::new_from_list(&points), &options);
}

/// The popup as DOM nodes: a heading and lines, all set as text.
fn popup(marker: &MapMarker) -> Option<JsValue> {
    let document = web_sys::window()?.document()?;
    let root = document.create_element("div").ok()?;
    root.set_class_name("map-popup");
    let title = document.create_element("strong").ok()?;
    title.set_text_content(Some(&marker.title));
    root.append_child(&title).ok()?;
    for line in &marker.lines {
        let div = document.create_element("div").ok()?;
        div.set_text_content(Some(line));
        root.append_child(&div).ok()?;
    }
    Some(root.into())
}
