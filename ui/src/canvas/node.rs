//! A node: its box, icon, kind, name and key fact, its ports (named inside the node, wires
//! attached at their circles), its problem badge and simulation counters.

use crate::erase;
use knflow_editor::{can_wire, shorten};
use knflow_model::diagram::{Port, Side, What, INPUT_Y};
use knflow_model::num::{self, Fixed, Shortest};
use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

use super::{capture, id_of, menu_at, svg_el, to_canvas, to_screen};
use crate::state::{App, Drag, MenuOn, NodeView, WirePort};

/// Characters of a key fact that fit the node at 11 px.
const FACT_CHARS: usize = 27;
/// Characters of a name that fit the node at 16 px bold; up to a quarter more are squeezed.
const NAME_CHARS: usize = 17;
/// The width a name may take.
const NAME_WIDTH: f64 = 164.0;

/// The name as drawn: squeezed to the node's width when a little too long, shortened beyond.
fn name_text(name: &str) -> (String, Option<f64>) {
    let text = shorten(name, NAME_CHARS * 5 / 4);
    let squeeze = (text.chars().count() > NAME_CHARS).then_some(NAME_WIDTH);
    (text, squeeze)
}

/// The node elements by label.
fn node_el(doc: &web_sys::Document, label: &str) -> Option<web_sys::Element> {
    let selector = format!(
        "[data-node=\"{}\"]",
        label.replace('\\', "\\\\").replace('"', "\\\"")
    );
    doc.query_selector(&selector).ok().flatten()
}

/// Marks the selected nodes (`.selected`) and, while a wire is drawn, those it may end on
/// (`.wire-ok`) and those it may not (`.wire-no`): one effect for the canvas, touching only
/// the nodes whose mark changes, instead of a reactive class on each of a thousand nodes.
pub fn mark_nodes(app: App) {
    Effect::new(move |before: Option<Vec<String>>| {
        let now: Vec<String> = app
            .editor
            .with(|e| e.selection().iter().map(|i| i.to_string()).collect());
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return now;
        };
        let before = before.unwrap_or_default();
        for l in before.iter().filter(|l| !now.contains(l)) {
            if let Some(el) = node_el(&doc, l) {
                let _ = el.class_list().remove_1("selected");
            }
        }
        // All of them, not only the new ones: a node may have been drawn anew (undo).
        app.nodes.track();
        for l in &now {
            if let Some(el) = node_el(&doc, l) {
                let _ = el.class_list().add_1("selected");
            }
        }
        now
    });
    Effect::new(move |before: Option<bool>| {
        let wiring = app.wiring.get();
        // Nothing to mark or unmark: no wire being drawn, and none before.
        if wiring.is_none() && before != Some(true) {
            return false;
        }
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return wiring.is_some();
        };
        let labels: Vec<String> = app.nodes.with_untracked(|n| n.keys().cloned().collect());
        for label in labels {
            let Some(el) = node_el(&doc, &label) else {
                continue;
            };
            let ok = wiring.as_ref().map(|(from, port)| {
                let (Some(from), Some(to)) = (id_of(from), id_of(&label)) else {
                    return false;
                };
                app.editor.with_untracked(|e| {
                    if port.reversed {
                        can_wire(e.flow(), &to, port.role, &from)
                    } else {
                        can_wire(e.flow(), &from, port.role, &to)
                    }
                })
            });
            let _ = el
                .class_list()
                .toggle_with_force("wire-ok", ok == Some(true));
            let _ = el
                .class_list()
                .toggle_with_force("wire-no", ok == Some(false));
        }
        wiring.is_some()
    });
}

/// Starts drawing a wire from a port of `label` at canvas point `start`.
fn start_wire(app: App, label: &str, port: WirePort, start: (f64, f64), ev: &PointerEvent) {
    ev.stop_propagation();
    capture(ev);
    let Some(svg) = svg_el() else { return };
    let at = to_canvas(&app, &svg, ev.client_x() as f64, ev.client_y() as f64);
    app.drag.set(Some(Drag::Wire {
        from: label.to_string(),
        port,
        start,
        at,
    }));
}

fn port_view(p: Port) -> impl IntoView {
    let (x, y) = (p.x, p.y);
    let name = p.name.clone();
    // A lone dead-letter port says what it is beside it; a list's (steps, branches) carry
    // their index above them, under one caption.
    let (text, text_x, text_y, anchor) = match (p.side, p.index) {
        (Side::Right, _) => (p.label.clone(), x - 12.0, y + 3.5, "end"),
        (Side::Bottom, None) => (p.label.clone(), x - 10.0, y - 6.0, "end"),
        (Side::Bottom, Some(_)) => (p.label.clone(), x, y - 8.0, "middle"),
    };
    let group = p.group.clone().map(|g| {
        view! { <text class="port-group" x="12" y=num::text(y + 3.5)>{g}</text> }
    });
    view! {
        {group}
        <g class="port" class:adds=p.adds class:derived=p.derived role="button" aria-label=name.clone() data-port=name>
            <text class="port-name" x=num::text(text_x) y=num::text(text_y) text-anchor=anchor>{text}</text>
            <circle cx=num::text(x) cy=num::text(y) r="5"></circle>
        </g>
    }
}

/// The details of a node at a readable zoom.
fn detailed(v: NodeView) -> impl IntoView {
    let h = v.height();
    let w = v.width();
    let (name, squeeze) = name_text(&v.name);
    let fact = shorten(&v.facts, FACT_CHARS);
    let fact_full = v.facts.clone();
    let listed = v
        .shape
        .ports
        .iter()
        .any(|p| p.side == Side::Bottom && p.index.is_some());
    let dead_caption = listed.then(|| {
        let first = v
            .shape
            .ports
            .iter()
            .filter(|p| p.side == Side::Bottom)
            .map(|p| p.x)
            .fold(f64::INFINITY, f64::min);
        view! { <text class="port-caption" x=num::text(first - 14.0) y=num::text(h - 8.0) text-anchor="end">"dead letters"</text> }
    });
    let input = v.shape.input.map(|name| {
        view! {
            <g class="port input" role="button" aria-label=name data-port=name>
                <title>{format!("{name}: events come in here")}</title>
                <circle cx="0" cy=num::text(INPUT_Y) r="5"></circle>
            </g>
        }
    });
    let ports = v.shape.ports.clone();
    view! {
        <rect class=format!("box cat-{}", v.category.to_lowercase()) width=num::text(w) height=num::text(h) rx="8"></rect>
        <text class="icon" x="12" y="21" aria-hidden="true">{v.icon}</text>
        <text class="kind" x="34" y="19">{v.kind.clone()}</text>
        <text class="name" x="12" y="38" textLength=squeeze.map(num::text) lengthAdjust=squeeze.map(|_| "spacingAndGlyphs")>
            {name}<title>{v.name.clone()}</title>
        </text>
        <text class="facts" x="12" y="53">{fact}<title>{fact_full}</title></text>
        {(v.errors > 0).then(|| view! {
            <g class="badge error" aria-label=format!("{} errors", v.errors)>
                <circle cx=num::text(w - 12.0) cy="-4" r="9"></circle>
                <text x=num::text(w - 12.0) y="0">{v.errors}</text>
            </g>
        })}
        {(v.errors == 0 && v.warnings > 0).then(|| view! {
            <g class="badge warning" aria-label=format!("{} warnings", v.warnings)>
                <circle cx=num::text(w - 12.0) cy="-4" r="9"></circle>
                <text x=num::text(w - 12.0) y="0">{v.warnings}</text>
            </g>
        })}
        {input}
        {dead_caption}
        {ports.into_iter().map(port_view).collect_view()}
    }
}

/// The node (its label) and port an event happened on.
fn target_of(ev_target: Option<web_sys::EventTarget>) -> Option<(String, Option<String>)> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = ev_target?.dyn_into().ok()?;
    let node = el
        .closest("[data-node]")
        .ok()??
        .get_attribute("data-node")?;
    let port = el
        .closest(".port[data-port]")
        .ok()
        .flatten()
        .and_then(|p| p.get_attribute("data-port"));
    Some((node, port))
}

/// What drawing from a port of `v` connects: its role, list index and direction.
fn wire_port(v: &NodeView, port: &str) -> Option<(WirePort, (f64, f64))> {
    if let Some(p) = v.shape.port(port) {
        let wp = WirePort {
            role: p.role,
            index: if p.adds { None } else { p.index },
            reversed: p.derived,
        };
        return Some((wp, (p.x, p.y)));
    }
    // A Trigger's `broker` and a Subscription's `channel` are references it holds: drawn
    // from its input, they wire it to a Broker or a channel.
    let role = match (v.shape.input, port) {
        (Some("broker"), "broker") => knflow_model::Role::Broker,
        (Some("channel"), "channel") => knflow_model::Role::Channel,
        _ => return None,
    };
    let wp = WirePort {
        role,
        index: None,
        reversed: false,
    };
    Some((wp, (0.0, INPUT_Y)))
}

/// The nodes' events, handled once for all of them on their container: a press on a port
/// starts a wire, on a node selects and moves it.
pub fn pointer_down(app: App, ev: PointerEvent) {
    if ev.button() != 0 {
        return;
    }
    let Some((label, port)) = target_of(ev.target()) else {
        return;
    };
    let Some(v) = app.nodes.with_untracked(|n| n.get(&label).cloned()) else {
        return;
    };
    if let Some((wp, (px, py))) = port.as_deref().and_then(|p| wire_port(&v, p)) {
        let (nx, ny) = app.position(&label).unwrap_or((0.0, 0.0));
        start_wire(app, &label, wp, (nx + px, ny + py), &ev);
        return;
    }
    ev.stop_propagation();
    capture(&ev);
    app.menu.set(None);
    app.wire.set(None);
    let ids = match v.id() {
        Some(id) => {
            let additive = ev.shift_key() || ev.ctrl_key() || ev.meta_key();
            let already = app.editor.with_untracked(|e| e.selection().contains(&id));
            if !already || additive {
                app.editor.update(|e| e.select(&id, additive));
            }
            app.editor
                .with_untracked(|e| e.selection().iter().map(|i| i.to_string()).collect())
        }
        // A URI or a missing object moves alone.
        None => vec![label.clone()],
    };
    app.offset.set((0.0, 0.0));
    app.drag.set(Some(Drag::Move {
        ids,
        start: (ev.client_x() as f64, ev.client_y() as f64),
    }));
}

pub fn context_menu(app: App, ev: web_sys::MouseEvent) {
    let Some((label, _)) = target_of(ev.target()) else {
        return;
    };
    ev.prevent_default();
    ev.stop_propagation();
    if let Some(id) = id_of(&label) {
        if !app.editor.with_untracked(|e| e.selection().contains(&id)) {
            app.editor.update(|e| e.select(&id, false));
        }
    }
    menu_at(
        &app,
        MenuOn::Node(label),
        ev.client_x() as f64,
        ev.client_y() as f64,
    );
}

pub fn key_down(app: App, ev: KeyboardEvent) {
    let Some((label, _)) = target_of(ev.target()) else {
        return;
    };
    let key = ev.key();
    if key == "ContextMenu" || (key == "F10" && ev.shift_key()) {
        ev.prevent_default();
        ev.stop_propagation();
        let (x, y) = app.position(&label).unwrap_or((0.0, 0.0));
        let (sx, sy) = to_screen(&app, (x + 24.0, y + 24.0));
        menu_at(&app, MenuOn::Node(label), sx, sy);
    } else if key == "Enter" {
        if let Some(id) = id_of(&label) {
            app.editor.update(|e| e.select(&id, false));
        }
    }
}

/// A node's box and name for a zoomed-out view (its name left out when even that is too small).
fn far_markup(v: &NodeView, tiny: bool) -> String {
    let rect = format!(
        r#"<rect class="box cat-{}" width="{}" height="{}" rx="8"></rect>"#,
        v.category.to_lowercase(),
        Shortest(v.width()),
        Shortest(v.height())
    );
    if tiny {
        rect
    } else {
        format!(
            r#"{rect}<text class="name far" x="12" y="40">{}</text>"#,
            super::wire::attr(&v.name)
        )
    }
}

/// A node. Keyed by its label and what it stands for, so what never changes for one
/// component (a resource deleted while referenced comes back as a missing object).
#[component]
pub fn NodeBox(app: App, label: String, what: What) -> impl IntoView {
    let l = label.clone();
    let view = Memo::new(move |_| app.nodes.with(|n| n.get(&l).cloned()));
    let l = label.clone();
    // Memos, so a drag touches the DOM of the moving nodes only.
    let transform = Memo::new(move |_| {
        let (x, y) = app.position(&l).unwrap_or((0.0, 0.0));
        format!("translate({},{})", Fixed(x, 1), Fixed(y, 1))
    });
    let aria = view.with_untracked(|v| {
        v.as_ref()
            .map(|v| match what {
                What::Missing => format!("{} {} (missing)", v.kind, v.name),
                _ => format!("{} {}", v.kind, v.name),
            })
            .unwrap_or_default()
    });
    let class = if what == What::Resource {
        "node"
    } else {
        "node external"
    };
    let l = label.clone();
    view! {
        <g
            class=class
            role="group"
            tabindex="0"
            aria-label=aria
            data-node=label.clone()
            transform=move || transform.get()
        >
            {erase::view(move || {
                let Some(v) = view.get() else { return ().into_any() };
                if !app.detailed.get() {
                    // Zoomed far out, text would be a pixel high: the box and the name, as one
                    // string (a thousand of them open with a big flow; elements built one
                    // attribute at a time took a fifth of that).
                    return view! { <g inner_html=far_markup(&v, app.tiny.get())></g> }.into_any();
                }
                detailed(v).into_any()
            })}
            {move || view.with(|v| v.as_ref().map(|v| v.width())).map(|w| super::hops::badges(app, l.clone(), w))}
        </g>
    }
}
