//! The minimap (bottom right): every node, the visible part, a click to go there. It folds
//! into a button when Fit needs its corner for the flow.

use crate::handle;
use knflow_model::num::{self, Fixed, Shortest};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{canvas_size, MINIMAP};
use crate::state::App;

#[component]
pub fn Minimap(app: App) -> impl IntoView {
    let (w, h) = MINIMAP;
    // The nodes and the visible part together: when the whole flow is in view, the visible
    // part is the larger, and drawn whole it shows where the flow sits in it.
    let bounds = Memo::new(move |_| {
        let v = app.view.get();
        let (cw, ch) = app.canvas_px.get();
        let seen = (
            -v.tx / v.k,
            -v.ty / v.k,
            (cw - v.tx) / v.k,
            (ch - v.ty) / v.k,
        );
        app.bounds().map_or(seen, |(x0, y0, x1, y1)| {
            (
                x0.min(seen.0),
                y0.min(seen.1),
                x1.max(seen.2),
                y1.max(seen.3),
            )
        })
    });
    let scale = move || {
        let (x0, y0, x1, y1) = bounds.get();
        (w / (x1 - x0 + 100.0)).min(h / (y1 - y0 + 100.0))
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(t) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let r = t.get_bounding_client_rect();
        let s = scale();
        let (x0, y0, _, _) = bounds.get_untracked();
        let cx = (ev.client_x() as f64 - r.left()) / s + x0 - 50.0;
        let cy = (ev.client_y() as f64 - r.top()) / s + y0 - 50.0;
        let (cw, ch) = canvas_size();
        app.view.update(|v| {
            v.tx = cw / 2.0 - cx * v.k;
            v.ty = ch / 2.0 - cy * v.k;
        });
    };
    view! {
        <Show
            when=move || app.minimap.get()
            fallback=move || view! {
                <button class="minimap-toggle" aria-label="Show minimap" title="Show minimap" on:click=handle::mouse(move |_| app.minimap.set(true))>"▦"</button>
            }
        >
            <div class="minimap-box">
                <svg class="minimap" width=num::text(w) height=num::text(h) role="img" aria-label="Minimap" on:click=handle::mouse(on_click)>
                    <g transform=move || {
                        let (x0, y0, _, _) = bounds.get();
                        let s = scale();
                        format!("scale({}) translate({},{})", Shortest(s), Shortest(50.0 - x0), Shortest(50.0 - y0))
                    }>
                        // One path for all nodes: a minimap of a big flow stays one element.
                        <path class="mini" d=move || app.nodes.with(|n| n.values().map(|v| {
                            format!("M{},{}h{}v{}h-{}z", Fixed(v.x, 0), Fixed(v.y, 0), Fixed(v.width(), 0), Fixed(v.height(), 0), Fixed(v.width(), 0))
                        }).collect::<String>())></path>
                        <rect class="viewport" x=move || { let v = app.view.get(); num::text(-v.tx / v.k) } y=move || { let v = app.view.get(); num::text(-v.ty / v.k) }
                            width=move || num::text(app.canvas_px.get().0 / app.view.get().k) height=move || num::text(app.canvas_px.get().1 / app.view.get().k)></rect>
                    </g>
                </svg>
                <button class="minimap-hide" aria-label="Hide minimap" title="Hide minimap" on:click=handle::mouse(move |_| app.minimap.set(false))>"×"</button>
            </div>
        </Show>
    }
}
