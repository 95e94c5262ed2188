//! `WorldMap`: places drawn over the bundled world outline (or the owner's tile server): circle
//! markers sized by count, highlighted ones coloured, popups built from text nodes, optional lines
//! between places. The server renders an empty box; Leaflet runs only in the browser, after mount
//! (leptos-leaflet cannot be rendered on the server), in `world_map/client.rs`.

#[cfg(feature = "hydrate")]
mod client;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The bundled Natural Earth 110 m countries (public domain), served from `public/vendor/`.
pub const WORLD_LAYER_URL: &str = "/vendor/world-110m.geojson";

/// One place on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapMarker {
    pub lat: f64,
    pub lon: f64,
    /// What the circle's size shows (plays, sessions).
    pub count: u64,
    /// Drawn in the alert colour (a place involved in an open incident).
    pub highlighted: bool,
    /// The popup's heading, as text.
    pub title: String,
    /// The popup's further lines, as text.
    pub lines: Vec<String>,
}

/// A line between two places (`(lat, lon)`), e.g. the two ends of an impossible journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapLine {
    pub from: (f64, f64),
    pub to: (f64, f64),
}

/// The owner's tile server, drawn instead of the world outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileSpec {
    /// A validated template with `{z}`, `{x}` and `{y}`.
    pub url: String,
    /// Plain text; escaped before Leaflet sees it (its attribution control takes HTML).
    pub attribution: Option<String>,
}

/// The smallest and largest circle radius, in pixels.
const MIN_RADIUS: f64 = 5.0;
const MAX_RADIUS: f64 = 22.0;

/// A circle's radius for `count` when the largest count on the map is `max`: the area grows with
/// the count, so a place with four times the plays looks four times as big, within 5 to 22 px.
#[must_use]
#[allow(clippy::cast_precision_loss)] // Counts far beyond 2^52 do not occur; the ratio is what matters.
pub fn marker_radius(count: u64, max: u64) -> f64 {
    if max == 0 || count == 0 {
        return MIN_RADIUS;
    }
    let ratio = (count.min(max) as f64 / max as f64).sqrt();
    MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * ratio
}

/// Text made safe for an HTML context (Leaflet's attribution control).
#[must_use]
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A map of `markers` (and `lines`), over `tiles` when set, else over the offline world outline.
#[component]
pub fn WorldMap(
    #[prop(into)] markers: Signal<Vec<MapMarker>>,
    #[prop(into, optional)] lines: Signal<Vec<MapLine>>,
    #[prop(into, optional)] tiles: Signal<Option<TileSpec>>,
    /// Names the map for screen readers ("Where plays came from").
    label: &'static str,
    #[prop(optional)] id: &'static str,
) -> impl IntoView {
    // Leaflet needs the browser: the map is created after hydration, never on the server.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let placeholder = move || view! { <div class="world-map" role="img" aria-label=label></div> };
    view! {
        <div class="world-map-wrap" id=(!id.is_empty()).then_some(id) data-markers=move || markers.with(Vec::len)>
            <Show when=move || mounted.get() fallback=placeholder>
                {browser_map(markers, lines, tiles, label)}
            </Show>
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn browser_map(
    markers: Signal<Vec<MapMarker>>,
    lines: Signal<Vec<MapLine>>,
    tiles: Signal<Option<TileSpec>>,
    label: &'static str,
) -> AnyView {
    client::map_view(markers, lines, tiles, label)
}

#[cfg(not(feature = "hydrate"))]
fn browser_map(
    _markers: Signal<Vec<MapMarker>>,
    _lines: Signal<Vec<MapLine>>,
    _tiles: Signal<Option<TileSpec>>,
    label: &'static str,
) -> AnyView {
    view! { <div class="world-map" role="img" aria-label=label></div> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_area_follows_the_count_within_bounds() {
        assert!((marker_radius(0, 10) - MIN_RADIUS).abs() < 1e-9);
        assert!((marker_radius(3, 0) - MIN_RADIUS).abs() < 1e-9);
        assert!((marker_radius(10, 10) - MAX_RADIUS).abs() < 1e-9);
        assert!((marker_radius(50, 10) - MAX_RADIUS).abs() < 1e-9, "a count above the max is clamped");
        let quarter = marker_radius(25, 100) - MIN_RADIUS;
        let full = marker_radius(100, 100) - MIN_RADIUS;
        assert!((full / quarter - 2.0).abs() < 1e-9, "four times the count, twice the radius growth");
        assert!(marker_radius(2, 100) < marker_radius(3, 100));
    }

    #[test]
    fn attribution_text_cannot_become_markup() {
        assert_eq!(
            escape_html(r#"<img src=x onerror="alert('1')"> & co"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co"
        );
        assert_eq!(escape_html("© OpenStreetMap contributors"), "© OpenStreetMap contributors");
    }
}
