//! A wire: drawn by what it carries (delivery solid, reply dashed, dead letter dotted and red,
//! a reference that carries no events thin and grey), selectable with a click or Tab, deleted
//! with Delete (which removes the reference it stands for).

use knflow_editor::Edit;
use knflow_model::num::{parse_f64, Fixed};
use leptos::prelude::*;
use web_sys::{KeyboardEvent, MouseEvent, PointerEvent};

use super::{id_of, menu_at, to_screen};
use crate::state::{App, MenuOn, WireView};

/// Removes the reference a wire stands for (one undo step).
pub fn delete(app: &App, w: &WireView) -> bool {
    if w.kind == knflow_model::diagram::WireKind::Topic {
        app.say(format!(
            "{} is no reference: it follows from the sink's topic and the source's topics and servers; change those to remove it",
            w.name
        ));
        return false;
    }
    let Some(owner) = id_of(&w.owner) else {
        return false;
    };
    let done = app.edit(Edit::Disconnect {
        from: owner,
        role: w.role,
        index: w.index,
    });
    if done {
        app.wire.set(None);
        app.say(format!("removed {}", w.name));
    }
    done
}

/// The path a pointer can hit: the wire, plus a short corner stroke at its start so that a
/// straight level or upright wire still has a height and a width (a box without one counts as
/// hidden).
fn hit_path(d: &str) -> String {
    let start = d
        .strip_prefix('M')
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.split_once(','))
        .and_then(|(x, y)| Some((parse_f64(x)?, parse_f64(y)?)));
    match start {
        Some((x, y)) => format!("{d} M{},{} h12 v12", Fixed(x - 6.0, 1), Fixed(y - 6.0, 1)),
        None => d.to_string(),
    }
}

/// The wire an event happened on (its `data-wire` key), from the wires' container.
fn wire_of(app: &App, target: Option<web_sys::EventTarget>) -> Option<WireView> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = target?.dyn_into().ok()?;
    let key = el.closest("g.wire").ok()??.get_attribute("data-wire")?;
    app.wires
        .with_untracked(|ws| ws.iter().find(|w| w.key == key).cloned())
}

/// The wires' events, handled once for all of them on their container (a flow of a thousand
/// wires would otherwise set up four thousand listeners).
pub fn pointer_down(app: App, ev: PointerEvent) {
    if ev.button() != 0 {
        return;
    }
    if let Some(w) = wire_of(&app, ev.target()) {
        ev.stop_propagation();
        app.menu.set(None);
        select(&app, w.key);
    }
}

/// A wire selected (by click, focus or its menu) is the only selection: nodes selected before
/// are not, so that Delete and the inspector act on one thing.
fn select(app: &App, key: String) {
    if app.editor.with_untracked(|e| !e.selection().is_empty()) {
        app.editor.update(|e| e.clear_selection());
    }
    app.wire.set(Some(key));
}

pub fn key_down(app: App, ev: KeyboardEvent) {
    let Some(w) = wire_of(&app, ev.target()) else {
        return;
    };
    match ev.key().as_str() {
        "Delete" | "Backspace" => {
            ev.prevent_default();
            ev.stop_propagation();
            delete(&app, &w);
        }
        k if k == "ContextMenu" || (k == "F10" && ev.shift_key()) => {
            ev.prevent_default();
            ev.stop_propagation();
            select(&app, w.key.clone());
            let at = app
                .position(&w.to)
                .map(|(x, y)| to_screen(&app, (x - 20.0, y + 20.0)))
                .unwrap_or((100.0, 100.0));
            menu_at(&app, MenuOn::Wire(w.key), at.0, at.1);
        }
        _ => {}
    }
}

pub fn focus_in(app: App, ev: web_sys::FocusEvent) {
    if let Some(w) = wire_of(&app, ev.target()) {
        select(&app, w.key);
    }
}

pub fn context_menu(app: App, ev: MouseEvent) {
    if let Some(w) = wire_of(&app, ev.target()) {
        ev.prevent_default();
        ev.stop_propagation();
        select(&app, w.key.clone());
        menu_at(
            &app,
            MenuOn::Wire(w.key),
            ev.client_x() as f64,
            ev.client_y() as f64,
        );
    }
}

/// Text for an XML attribute value or element text.
pub(super) fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One wire's element (what [`Wire`] renders, as markup).
fn wire_markup(w: &WireView, d: &str) -> String {
    format!(
        "<g class=\"wire kind-{kind}\" role=\"button\" tabindex=\"0\" aria-label=\"{name}\" aria-pressed=\"false\" data-wire=\"{key}\" data-from=\"{from}\" data-to=\"{to}\" data-port=\"{port}\"><path class=\"wire-hit\" d=\"{hit}\"></path><path class=\"wire-line\" d=\"{d}\"></path></g>",
        kind = w.kind.name(),
        name = attr(&w.name),
        key = attr(&w.key),
        from = attr(&w.from),
        to = attr(&w.to),
        port = attr(&w.from_port),
        hit = hit_path(d),
    )
}

/// Every wire with the nodes where they are saved, as markup.
pub fn markup(app: App) -> String {
    app.drawn.with(|drawn| {
        app.wires.with(|ws| {
            let mut out = String::with_capacity(ws.len() * 400);
            for w in ws {
                if let Some(d) = drawn.paths.get(&w.key) {
                    out.push_str(&wire_markup(w, d));
                }
            }
            out
        })
    })
}

/// The wires of the nodes a drag is moving.
pub fn moving(app: App) -> Vec<WireView> {
    app.moving.with(|m| {
        if m.is_empty() {
            return Vec::new();
        }
        app.wires.with_untracked(|ws| {
            ws.iter()
                .filter(|w| m.contains(&w.from) || m.contains(&w.to))
                .cloned()
                .collect()
        })
    })
}

/// The selected wire and the wires the current hop lit, as one style sheet (and the selected
/// wire's `aria-pressed`); the still copies of wires being dragged are hidden. One effect for
/// the canvas instead of reactive classes on each of a thousand wires.
pub fn wire_marks(app: App) -> impl IntoView {
    Effect::new(move |before: Option<Option<String>>| {
        // Also when the wires are drawn anew.
        app.drawn.track();
        let now = app.wire.get();
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(doc) = doc {
            for (key, pressed) in [(before.flatten(), "false"), (now.clone(), "true")] {
                let Some(key) = key else { continue };
                let selector = format!("g.wire[data-wire=\"{}\"]", css_string(&key));
                if let Ok(Some(el)) = doc.query_selector(&selector) {
                    let _ = el.set_attribute("aria-pressed", pressed);
                }
            }
        }
        now
    });
    let css = move || {
        let mut css = String::new();
        if let Some(key) = app.wire.get() {
            css.push_str(&format!(
                "g.wire[data-wire=\"{}\"] .wire-line {{ stroke: var(--accent); stroke-width: 3; marker-end: url(#arrow-selected); }}\n",
                css_string(&key)
            ));
        }
        let keys: Vec<String> = super::hops::current_route(&app)
            .map(|r| {
                r.legs
                    .into_iter()
                    .filter_map(|l| match l {
                        super::hops::Leg::Wire { key, .. } => Some(key),
                        super::hops::Leg::Straight { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for key in keys {
            css.push_str(&format!(
                "g.wire[data-wire=\"{}\"] .wire-line {{ stroke: var(--lit); stroke-width: 3.5; }}\n",
                css_string(&key)
            ));
        }
        for w in moving(app) {
            css.push_str(&format!(
                "g.still g.wire[data-wire=\"{}\"] {{ display: none; }}\n",
                css_string(&w.key)
            ));
        }
        css
    };
    view! { <style>{css}</style> }
}

/// Text for a quoted CSS string.
fn css_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[component]
pub fn Wire(app: App, wire: WireView) -> impl IntoView {
    let w = wire.clone();
    let d = Memo::new(move |_| app.wire_path(&w).unwrap_or_default());
    let kind = wire.kind.name();
    view! {
        <g
            class=format!("wire kind-{kind}")
            role="button"
            tabindex="0"
            aria-label=wire.name.clone()
            aria-pressed="false"
            data-wire=wire.key.clone()
            data-from=wire.from.clone()
            data-to=wire.to.clone()
            data-port=wire.from_port.clone()
        >
            <path class="wire-hit" d=move || hit_path(&d.get())></path>
            <path class="wire-line" d=move || d.get()></path>
        </g>
    }
}
