//! Pointer gestures on the canvas background: pan (drag), box selection (Shift+drag), zoom
//! (wheel), the end of a move or of a wire being drawn, drops from the palette, and the
//! background's context menu.

use knflow_editor::Edit;
use knflow_model::Point;
use leptos::prelude::*;
use web_sys::{DragEvent, MouseEvent, PointerEvent, WheelEvent};

use super::{capture, drop_kind, id_of, menu_at, node_at, svg_el, to_canvas, zoom_at};
use crate::state::{App, Drag, MenuOn, ViewBox};

pub fn wheel(app: App, ev: WheelEvent) {
    ev.prevent_default();
    let Some(svg) = svg_el() else { return };
    let r = svg.get_bounding_client_rect();
    let (sx, sy) = (
        ev.client_x() as f64 - r.left(),
        ev.client_y() as f64 - r.top(),
    );
    zoom_at(&app, sx, sy, (-ev.delta_y() * 0.0015).exp());
}

/// A palette entry dropped on the canvas.
pub fn drop(app: App, ev: DragEvent) {
    ev.prevent_default();
    let kind = ev
        .data_transfer()
        .and_then(|d| d.get_data("text/plain").ok())
        .filter(|k| !k.is_empty())
        .or_else(|| app.palette_drag.get_untracked());
    app.palette_drag.set(None);
    if let Some(kind) = kind {
        drop_kind(&app, kind, ev.client_x() as f64, ev.client_y() as f64);
    }
}

/// The background's context menu.
pub fn context(app: App, ev: MouseEvent) {
    ev.prevent_default();
    let Some(svg) = svg_el() else { return };
    let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
    let at = to_canvas(&app, &svg, cx, cy);
    menu_at(&app, MenuOn::Background(at), cx, cy);
}

pub fn background_down(app: App, ev: PointerEvent) {
    if ev.button() != 0 && ev.button() != 1 {
        return;
    }
    let Some(svg) = svg_el() else { return };
    app.menu.set(None);
    capture(&ev);
    if ev.shift_key() {
        let p = to_canvas(&app, &svg, ev.client_x() as f64, ev.client_y() as f64);
        app.drag.set(Some(Drag::Select { a: p, b: p }));
    } else {
        app.drag.set(Some(Drag::Pan {
            start: (ev.client_x() as f64, ev.client_y() as f64),
            origin: app.view.get_untracked(),
        }));
    }
}

pub fn pointer_move(app: App, ev: PointerEvent) {
    let Some(d) = app.drag.get_untracked() else {
        return;
    };
    let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
    match d {
        Drag::Move { start, .. } => {
            let k = app.view.get_untracked().k;
            app.offset.set(((cx - start.0) / k, (cy - start.1) / k));
        }
        Drag::Wire {
            from, port, start, ..
        } => {
            if let Some(svg) = svg_el() {
                let at = to_canvas(&app, &svg, cx, cy);
                app.drag.set(Some(Drag::Wire {
                    from,
                    port,
                    start,
                    at,
                }));
            }
        }
        Drag::Pan { start, origin } => app.view.set(ViewBox {
            tx: origin.tx + cx - start.0,
            ty: origin.ty + cy - start.1,
            k: origin.k,
        }),
        Drag::Select { a, .. } => {
            if let Some(svg) = svg_el() {
                let b = to_canvas(&app, &svg, cx, cy);
                app.drag.set(Some(Drag::Select { a, b }));
            }
        }
    }
}

pub fn pointer_up(app: App, ev: PointerEvent) {
    let Some(d) = app.drag.get_untracked() else {
        return;
    };
    let (dx, dy) = app.offset.get_untracked();
    if let Drag::Move { ids, .. } = &d {
        if dx.abs() + dy.abs() > 0.5 {
            app.edit(Edit::MoveNodes {
                labels: ids.clone(),
                dx: dx.round(),
                dy: dy.round(),
            });
        }
    }
    app.offset.set((0.0, 0.0));
    app.drag.set(None);
    match d {
        Drag::Move { .. } => {}
        Drag::Wire { from, port, .. } => {
            let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
            let Some(target) = node_at(cx, cy) else {
                app.tip_at(cx, cy, "Drop the wire on a node to connect it.");
                return;
            };
            if target == from {
                return;
            }
            let (Some(a), Some(b)) = (id_of(&from), id_of(&target)) else {
                app.tip_at(cx, cy, format!("{target} is not a resource of this flow."));
                return;
            };
            let (owner, to) = if port.reversed { (b, a) } else { (a, b) };
            let what = format!("{owner} {} → {to}", port.role.port_name());
            let mut result = Ok(());
            app.editor.update(|e| {
                result = e.apply(Edit::Connect {
                    from: owner,
                    role: port.role,
                    index: port.index,
                    to,
                })
            });
            // Why a wire was refused is said where it was dropped.
            match result {
                Ok(()) => app.say(what),
                Err(e) => app.tip_at(cx, cy, e),
            }
        }
        Drag::Pan { start, .. } => {
            let moved =
                (ev.client_x() as f64 - start.0).abs() + (ev.client_y() as f64 - start.1).abs();
            if moved < 3.0 {
                app.editor.update(|e| e.clear_selection());
                app.wire.set(None);
            }
        }
        Drag::Select { a, b } => {
            let additive = ev.ctrl_key() || ev.meta_key();
            app.editor.update(|e| {
                e.select_box(Point { x: a.0, y: a.1 }, Point { x: b.0, y: b.1 }, additive)
            });
        }
    }
}
