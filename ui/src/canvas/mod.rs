//! The SVG canvas. Its picture follows one grammar (ARCHITECTURE.md, "The canvas's visual
//! grammar"), computed natively in `knflow_model::diagram`: nodes with ports, wires from the
//! port of the field they stand for to the input of what they name, routed around nodes.
//!
//! - [`node`]: a node, its ports and counters; [`wire`]: a wire, selectable and deletable;
//! - [`gestures`]: pan, zoom, move, wire, box selection, drops from the palette;
//! - [`menu`]: the context menu; [`minimap`]; [`hops`]: the simulation's moving event.

mod gestures;
pub(crate) mod hops;
mod menu;
mod minimap;
mod node;
mod wire;

use crate::erase;
use crate::handle;
use knflow_editor::Edit;
use knflow_model::diagram::NODE_W;
use knflow_model::num::{self, Fixed};
use knflow_model::{Point, ResourceId};
use leptos::prelude::*;
use web_sys::PointerEvent;

use crate::state::{App, Drag, Menu, MenuOn};

pub use wire::delete as delete_wire;

/// Minimap size on screen.
pub const MINIMAP: (f64, f64) = (180.0, 120.0);

/// The height of the zoom buttons' band at the canvas's bottom (buttons and their margin),
/// which Fit keeps clear of nodes.
pub const CONTROLS_BAND: f64 = 40.0;

/// Screen point (client coordinates) → canvas units.
fn to_canvas(app: &App, svg: &web_sys::Element, cx: f64, cy: f64) -> (f64, f64) {
    let r = svg.get_bounding_client_rect();
    let v = app.view.get_untracked();
    ((cx - r.left() - v.tx) / v.k, (cy - r.top() - v.ty) / v.k)
}

/// Canvas units → client coordinates.
fn to_screen(app: &App, p: (f64, f64)) -> (f64, f64) {
    let r = svg_el().map(|s| s.get_bounding_client_rect());
    let (left, top) = r.map_or((0.0, 0.0), |r| (r.left(), r.top()));
    let v = app.view.get_untracked();
    (left + p.0 * v.k + v.tx, top + p.1 * v.k + v.ty)
}

/// Keeps the pointer's events on the canvas until release, wherever it goes.
fn capture(ev: &PointerEvent) {
    if let Some(svg) = svg_el() {
        let _ = svg.set_pointer_capture(ev.pointer_id());
    }
}

fn svg_el() -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector("svg.canvas")
        .ok()
        .flatten()
}

/// Size of the canvas on screen, as last measured.
pub fn canvas_size() -> (f64, f64) {
    APP.with(|a| a.get().map(|app| app.canvas_px.get_untracked()))
        .filter(|(w, h)| *w > 0.0 && *h > 0.0)
        .or_else(|| {
            svg_el().map(|s| {
                let r = s.get_bounding_client_rect();
                (r.width(), r.height())
            })
        })
        .unwrap_or((1000.0, 600.0))
}

thread_local! {
    /// The app the canvas belongs to, for [`canvas_size`].
    static APP: std::cell::OnceCell<App> = const { std::cell::OnceCell::new() };
}

/// Keeps `app.canvas_px` up to date with a resize observer on the canvas.
fn observe_size(app: App, svg: &web_sys::Element) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: web_sys::ResizeObserverEntry = entry.unchecked_into();
            let r = entry.content_rect();
            app.canvas_px.set((r.width(), r.height()));
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(svg);
    }
    // Observes for the page's lifetime.
    on_resize.forget();
}

/// Whether the minimap (bottom right, 10 px in) would cover a node on a canvas of `size`.
fn minimap_covers(app: &App, (w, h): (f64, f64)) -> bool {
    let (mx0, my0) = (w - 10.0 - MINIMAP.0, h - 10.0 - MINIMAP.1);
    let v = app.view.get_untracked();
    app.nodes.with_untracked(|ns| {
        ns.values().any(|n| {
            let (x0, y0) = (n.x * v.k + v.tx, n.y * v.k + v.ty);
            let (x1, y1) = (x0 + n.width() * v.k, y0 + n.height() * v.k);
            x1 > mx0 && x0 < w - 10.0 && y1 > my0 && y0 < h - 10.0
        })
    })
}

/// Pans, as little as it takes, so that the one selected node (if one is) is whole on a
/// canvas of `size`.
pub fn keep_selected_in_view(app: &App, (w, h): (f64, f64)) {
    if let Some(label) = only_selected(app) {
        app.keep_in_view(&label, w, h, 16.0);
    }
}

/// The label of the one selected node, if exactly one is selected.
fn only_selected(app: &App) -> Option<String> {
    app.editor
        .with_untracked(|e| e.selection().only().map(ToString::to_string))
}

/// Fits the flow into the canvas, below the flow's description and off the minimap.
pub fn fit(app: &App) {
    let (w, h) = canvas_size();
    let top = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".flow-description").ok().flatten())
        .map_or(0.0, |d| {
            let r = d.get_bounding_client_rect();
            // From the canvas's top to the description's bottom.
            let canvas_top = svg_el().map_or(r.top(), |s| s.get_bounding_client_rect().top());
            r.bottom() - canvas_top
        });
    app.fit(w, h, top, MINIMAP);
}

/// The node under a screen point, if any (the wire being drawn ignores the pointer).
fn node_at(cx: f64, cy: f64) -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let el = doc.element_from_point(cx as f32, cy as f32)?;
    el.closest("[data-node]")
        .ok()
        .flatten()?
        .get_attribute("data-node")
}

fn id_of(label: &str) -> Option<ResourceId> {
    ResourceId::parse(label)
}

#[component]
pub fn Canvas(app: App) -> impl IntoView {
    APP.with(|a| {
        let _ = a.set(app);
    });
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    svg_ref.on_load(move |svg| observe_size(app, &svg));
    hops::playback(app);
    // A canvas made smaller (the inspector opening, the window resized) can take the selected
    // node out of view: the view follows it, as little as it takes. It can also bring the
    // minimap's corner over nodes: the minimap folds into its button then, as Fit would fold it.
    Effect::new(move |prev: Option<(f64, f64)>| {
        let px = app.canvas_px.get();
        if prev.is_some_and(|p| p != px) {
            untrack(|| {
                keep_selected_in_view(&app, px);
                if app.minimap.get() && minimap_covers(&app, px) {
                    app.minimap.set(false);
                }
            });
        }
        px
    });
    // Nodes selected (by click, Enter on a focused node, box, select all) end a wire's
    // selection: Delete then acts on what the inspector shows, not on a wire tabbed past.
    Effect::new(move |_| {
        if app.editor.with(|e| !e.selection().is_empty()) && app.wire.get_untracked().is_some() {
            app.wire.set(None);
        }
    });
    let node_keys = Memo::new(move |_| {
        app.nodes.with(|n| {
            n.iter()
                .map(|(l, v)| (l.clone(), v.what))
                .collect::<Vec<_>>()
        })
    });
    node::mark_nodes(app);
    let description = move || {
        app.editor.with(|e| {
            e.flow()
                .metadata_extra
                .get("annotations")
                .and_then(|a| a.get("knflow.dev/description"))
                .and_then(|d| d.as_str())
                .map(str::to_string)
        })
    };
    view! {
        <div class="canvas-wrap">
            <svg
                node_ref=svg_ref
                class="canvas"
                role="application"
                aria-label="Canvas"
                tabindex="0"
                data-crossings=move || app.drawn.with(|d| d.crossings.map(|c| c.to_string()))
                on:pointerdown=handle::pointer(move |ev| gestures::background_down(app, ev))
                on:pointermove=handle::pointer(move |ev| gestures::pointer_move(app, ev))
                on:pointerup=handle::pointer(move |ev| gestures::pointer_up(app, ev))
                on:wheel=handle::wheel(move |ev| gestures::wheel(app, ev))
                on:dragover=handle::drag(|ev: web_sys::DragEvent| ev.prevent_default())
                on:drop=handle::drag(move |ev| gestures::drop(app, ev))
                on:contextmenu=handle::mouse(move |ev| gestures::context(app, ev))
            >
                <defs>
                    <pattern id="grid" width="24" height="24" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="grid-dot"></circle>
                    </pattern>
                    {["delivery", "reply", "dead-letter", "reference", "selected"].map(|k| view! {
                        <marker id=format!("arrow-{k}") viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z" class=format!("arrow arrow-{k}")></path>
                        </marker>
                    })}
                </defs>
                <rect class="grid" width="100%" height="100%" fill="url(#grid)"></rect>
                <g class="view" transform=move || { let v = app.view.get(); format!("translate({},{}) scale({})", Fixed(v.tx, 1), Fixed(v.ty, 1), Fixed(v.k, 3)) }>
                    <g class="wires"
                        on:pointerdown=handle::pointer(move |ev| wire::pointer_down(app, ev))
                        on:keydown=handle::key(move |ev| wire::key_down(app, ev))
                        on:focusin=handle::focus(move |ev| wire::focus_in(app, ev))
                        on:contextmenu=handle::mouse(move |ev| wire::context_menu(app, ev))>
                        // Every wire where the nodes are saved, as one piece of markup: a
                        // thousand wires cost one parse, not a thousand built elements.
                        <g class="still" inner_html=move || wire::markup(app)></g>
                        // The wires of nodes being dragged, following them.
                        <For each=move || wire::moving(app) key=|w| w.key.clone() let:w>
                            <wire::Wire app=app wire=w/>
                        </For>
                    </g>
                    <g class="nodes"
                        on:pointerdown=handle::pointer(move |ev| node::pointer_down(app, ev))
                        on:contextmenu=handle::mouse(move |ev| node::context_menu(app, ev))
                        on:keydown=handle::key(move |ev| node::key_down(app, ev))>
                        <For each=move || node_keys.get() key=|k| k.clone() let:key>
                            <node::NodeBox app=app label=key.0 what=key.1/>
                        </For>
                    </g>
                    {erase::view(move || app.drag.with(|d| match d {
                        Some(Drag::Wire { start, at, .. }) => Some(view! {
                            <path class="wire-draft" d=format!("M{},{} L{},{}", Fixed(start.0, 1), Fixed(start.1, 1), Fixed(at.0, 1), Fixed(at.1, 1))></path>
                        }.into_any()),
                        Some(Drag::Select { a, b }) => Some(view! {
                            <rect class="select-box" x=num::text(a.0.min(b.0)) y=num::text(a.1.min(b.1)) width=num::text((a.0 - b.0).abs()) height=num::text((a.1 - b.1).abs())></rect>
                        }.into_any()),
                        _ => None,
                    }))}
                    // The paths an event type hovered in the Events tab can take.
                    {erase::view(move || app.traced.get().map(|keys| app.drawn.with(|d| keys.iter()
                        .filter_map(|k| d.paths.get(k))
                        .map(|p| view! { <path class="traced" d=p.clone()></path> })
                        .collect_view())))}
                    {hops::hop_animation(app)}
                </g>
            </svg>
            {wire::wire_marks(app)}
            {erase::view(move || description().map(|d| view! { <p class="flow-description" aria-label="Flow description">{d}</p> }))}
            // An empty canvas says how to begin.
            {erase::view(move || app.nodes.with(|n| n.is_empty()).then(|| view! {
                <div class="canvas-empty" role="note" aria-label="How to start">
                    <p>"Click a kind in the palette to add it here, or drag it to a place."</p>
                    <p>"Drag from a port on the right of a node to another node to wire them."</p>
                    <p>"Open (Ctrl+O) opens a flow, or imports Knative YAML you paste."</p>
                </div>
            }))}
            <minimap::Minimap app=app/>
            <menu::ContextMenu app=app/>
            <div class="zoom-controls">
                <button aria-label="Zoom in" title="Zoom in (+)" on:click=handle::mouse(move |_| { let (w, h) = canvas_size(); zoom_at(&app, w / 2.0, h / 2.0, 1.2) })>"+"</button>
                <button aria-label="Zoom out" title="Zoom out (-)" on:click=handle::mouse(move |_| { let (w, h) = canvas_size(); zoom_at(&app, w / 2.0, h / 2.0, 1.0 / 1.2) })>"−"</button>
                <button aria-label="Fit to view" title="Fit to view (F)" on:click=handle::mouse(move |_| fit(&app))>"⤢"</button>
            </div>
        </div>
    }
}

/// Zooms by `factor` keeping the screen point (sx, sy) fixed.
pub fn zoom_at(app: &App, sx: f64, sy: f64, factor: f64) {
    app.view.update(|v| {
        let k = num::clamp(v.k * factor, 0.1, 3.0);
        let f = k / v.k;
        v.tx = sx - (sx - v.tx) * f;
        v.ty = sy - (sy - v.ty) * f;
        v.k = k;
    });
}

/// Adds a `kind` node centred where a palette entry was dropped (client coordinates); false
/// when the point is not on the canvas.
pub fn drop_kind(app: &App, kind: String, cx: f64, cy: f64) -> bool {
    let Some(svg) = svg_el() else { return false };
    let r = svg.get_bounding_client_rect();
    if cx < r.left() || cx > r.right() || cy < r.top() || cy > r.bottom() {
        return false;
    }
    let (x, y) = to_canvas(app, &svg, cx, cy);
    app.edit(Edit::Add {
        kind,
        at: Point {
            x: (x - NODE_W / 2.0).round(),
            y: (y - 32.0).round(),
        },
    });
    true
}

/// Where keyboard- and click-added nodes go: the middle of the screen, or the free place
/// nearest to it, so that nodes added one after another do not pile up.
pub fn view_center(app: &App) -> Point {
    let (w, h) = canvas_size();
    let v = app.view.get_untracked();
    let centre = (
        ((w / 2.0 - v.tx) / v.k - NODE_W / 2.0).round(),
        ((h / 2.0 - v.ty) / v.k - 32.0).round(),
    );
    // A new node's box is about this tall; a gap keeps wires and port labels clear.
    const NEW_H: f64 = 88.0;
    const GAP: f64 = 24.0;
    let boxes: Vec<(f64, f64, f64, f64)> = app.nodes.with_untracked(|ns| {
        ns.values()
            .map(|n| (n.x, n.y, n.x + n.width(), n.y + n.height()))
            .collect()
    });
    let free = |(x, y): (f64, f64)| {
        boxes.iter().all(|b| {
            x + NODE_W + GAP <= b.0 || x >= b.2 + GAP || y + NEW_H + GAP <= b.1 || y >= b.3 + GAP
        })
    };
    // Places on a grid around the centre, nearest first: below and beside before far away.
    let (dx, dy) = (NODE_W + GAP, NEW_H + GAP);
    let mut places: Vec<(f64, f64)> = (-4..=4)
        .flat_map(|i| (-4..=4).map(move |j| (f64::from(i), f64::from(j))))
        .collect();
    let dist = |(i, j): &(f64, f64)| (i * dx).hypot(j * dy);
    knflow_model::order::sort_by(&mut places, |a, b| {
        let below_then_right = b.1.total_cmp(&a.1).then(b.0.total_cmp(&a.0));
        dist(a).total_cmp(&dist(b)).then(below_then_right)
    });
    let (x, y) = places
        .into_iter()
        .map(|(i, j)| (centre.0 + i * dx, centre.1 + j * dy))
        .find(|p| free(*p))
        .unwrap_or(centre);
    Point { x, y }
}

/// Opens the context menu for `on` at a client point.
fn menu_at(app: &App, on: MenuOn, x: f64, y: f64) {
    app.menu.set(Some(Menu { on, x, y }));
}
