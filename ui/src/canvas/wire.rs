//! A wire: drawn by what it carries (delivery solid, reply dashed, dead letter dotted and red,
//! a reference that carries no events thin and grey), selectable with a click or Tab, deleted
//! with Delete (which removes the reference it stands for).

use knflow_editor::Edit;
use leptos::prelude::*;
use web_sys::{KeyboardEvent, MouseEvent, PointerEvent};

use super::{id_of, menu_at, to_screen};
use crate::state::{App, MenuOn, WireView};

/// Removes the reference a wire stands for (one undo step).
pub fn delete(app: &App, w: &WireView) -> bool {
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

/// Was the hop at the timeline position along this wire?
fn lit(app: &App, w: &WireView) -> bool {
    app.sim.with(|s| {
        let Some(s) = s else { return false };
        s.step > 0
            && s.hops.get(s.step - 1).is_some_and(|h| {
                let from = h["from"].as_str().unwrap_or_default();
                let via = h["via"].as_str();
                let to = h["to"].as_str().unwrap_or_default();
                (w.from == from && via == Some(w.to.as_str()))
                    || (w.owner == via.unwrap_or(from) && w.to == to)
                    || (w.from == from && w.to == to)
            })
    })
}

/// The path a pointer can hit: the wire, plus a short corner stroke at its start so that a
/// straight level or upright wire still has a height and a width (a box without one counts as
/// hidden).
fn hit_path(d: &str) -> String {
    let start = d
        .strip_prefix('M')
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.split_once(','))
        .and_then(|(x, y)| Some((x.parse::<f64>().ok()?, y.parse::<f64>().ok()?)));
    match start {
        Some((x, y)) => format!("{d} M{:.1},{:.1} h12 v12", x - 6.0, y - 6.0),
        None => d.to_string(),
    }
}

#[component]
pub fn Wire(app: App, wire: WireView) -> impl IntoView {
    let w = wire.clone();
    let d = Memo::new(move |_| app.wire_path(&w).unwrap_or_default());
    let key = wire.key.clone();
    let selected = Memo::new(move |_| app.wire.with(|s| s.as_deref() == Some(key.as_str())));
    let w = wire.clone();
    let select = move |ev: PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        app.menu.set(None);
        app.editor.update(|e| e.clear_selection());
        app.wire.set(Some(w.key.clone()));
    };
    let w = wire.clone();
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Delete" | "Backspace" => {
            ev.prevent_default();
            ev.stop_propagation();
            delete(&app, &w);
        }
        "ContextMenu" | "F10" if ev.key() != "F10" || ev.shift_key() => {
            ev.prevent_default();
            ev.stop_propagation();
            app.wire.set(Some(w.key.clone()));
            let mid = app
                .position(&w.to)
                .map(|(x, y)| to_screen(&app, (x - 20.0, y + 20.0)))
                .unwrap_or((100.0, 100.0));
            menu_at(&app, MenuOn::Wire(w.key.clone()), mid.0, mid.1);
        }
        _ => {}
    };
    let key = wire.key.clone();
    let on_focus = move |_| app.wire.set(Some(key.clone()));
    let key = wire.key.clone();
    let on_context = move |ev: MouseEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        app.wire.set(Some(key.clone()));
        menu_at(
            &app,
            MenuOn::Wire(key.clone()),
            ev.client_x() as f64,
            ev.client_y() as f64,
        );
    };
    let w = wire.clone();
    let kind = wire.kind.name();
    let marker = move || {
        format!(
            "url(#arrow-{})",
            if selected.get() { "selected" } else { kind }
        )
    };
    view! {
        <g
            class=format!("wire kind-{kind}")
            class:selected=move || selected.get()
            class:lit=move || lit(&app, &w)
            role="button"
            tabindex="0"
            aria-label=wire.name.clone()
            aria-pressed=move || selected.get().to_string()
            data-wire=wire.key.clone()
            data-from=wire.from.clone()
            data-to=wire.to.clone()
            data-port=wire.from_port.clone()
            data-kind=kind
            on:pointerdown=select
            on:keydown=on_key
            on:focus=on_focus
            on:contextmenu=on_context
        >
            <path class="wire-hit" d=move || hit_path(&d.get())></path>
            <path class="wire-line" d=move || d.get() marker-end=marker></path>
        </g>
    }
}
