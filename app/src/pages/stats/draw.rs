//! Drawing the Statistics charts in the browser (hydrate only): echarts instances created by
//! charming in each panel's container, and resized to their containers when the window changes.

use super::charts::Panel;
use charming::WasmRenderer;
use charming::wasm_renderer::{ChartResize, Echarts};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The chart echarts created in an element, if any.
    #[wasm_bindgen(js_namespace = echarts, js_name = getInstanceByDom)]
    fn instance_by_dom(element: &web_sys::Element) -> Option<Echarts>;
}

/// The element of a panel, when it is in the page.
fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// Draws every chart into its container, sized by the container.
pub fn draw(panels: &[Panel]) {
    for p in panels {
        if let Some(old) = element(p.id).and_then(|e| instance_by_dom(&e)) {
            WasmRenderer::update(&old, &p.chart);
            continue;
        }
        if let Err(e) = WasmRenderer::new_opt(None, None).render(p.id, &p.chart) {
            leptos::logging::warn!("chart {} not drawn: {e:?}", p.id);
        }
    }
}

/// Fits every drawn chart to its container again (after the window was resized or rotated).
pub fn fit(ids: &[&str]) {
    for id in ids {
        let Some(el) = element(id) else { continue };
        if let Some(chart) = instance_by_dom(&el) {
            let width = u32::try_from(el.client_width()).unwrap_or(0);
            let height = u32::try_from(el.client_height()).unwrap_or(0);
            WasmRenderer::resize_chart(&chart, ChartResize::new(width, height, false, None));
        }
    }
}
