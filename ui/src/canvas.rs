//! The SVG canvas: nodes with typed ports, wires, pan and zoom, selection, drag to move, drag to
//! wire, drop from the palette, a minimap, and the simulation's hops.

use knflow_editor::{can_wire, Edit, NODE_W};
use knflow_model::{Point, ResourceId, Role};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, PointerEvent, WheelEvent};

use crate::state::{App, Drag, EdgeView};

/// Screen point (client coordinates) → canvas units.
fn to_canvas(app: &App, svg: &web_sys::Element, cx: f64, cy: f64) -> (f64, f64) {
    let r = svg.get_bounding_client_rect();
    let v = app.view.get_untracked();
    ((cx - r.left() - v.tx) / v.k, (cy - r.top() - v.ty) / v.k)
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

/// Size of the canvas on screen.
pub fn canvas_size() -> (f64, f64) {
    svg_el()
        .map(|s| {
            let r = s.get_bounding_client_rect();
            (r.width(), r.height())
        })
        .unwrap_or((1000.0, 600.0))
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

fn id_of(label: &str) -> ResourceId {
    ResourceId::parse(label).expect("node labels are resource ids")
}

fn edge_path(app: &App, e: &EdgeView) -> Option<String> {
    let (fx, fy) = app.position(&e.from)?;
    let (tx, ty) = app.position(&e.to)?;
    let port = app.nodes.with(|n| {
        n.get(&e.from).and_then(|v| {
            v.ports
                .iter()
                .position(|r| *r == e.role)
                .map(|i| v.port_y(i))
        })
    })?;
    let th = app.nodes.with(|n| n.get(&e.to).map(|v| v.height()))?;
    let fh = app.nodes.with(|n| n.get(&e.from).map(|v| v.height()))?;
    // Events flow from a broker into its triggers and from a channel into its subscriptions,
    // against the reference: draw those wires the way events go.
    let ((x1, y1), (x2, y2)) = if matches!(e.role, Role::Broker | Role::Channel) {
        ((tx + NODE_W, ty + th / 2.0), (fx, fy + fh / 2.0))
    } else {
        ((fx + NODE_W, fy + port), (tx, ty + th / 2.0))
    };
    let c = ((x2 - x1).abs() / 2.0).max(40.0);
    Some(format!(
        "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
        x1 + c,
        x2 - c
    ))
}

#[component]
fn NodeBox(app: App, label: String) -> impl IntoView {
    let l = label.clone();
    let view = Memo::new(move |_| app.nodes.with(|n| n.get(&l).cloned()));
    let l = label.clone();
    let selected = Memo::new(move |_| {
        app.editor
            .with(|e| e.selection().iter().any(|i| i.to_string() == l))
    });
    let l = label.clone();
    let wire_state = Memo::new(move |_| {
        app.wiring.with(|w| {
            w.as_ref().map(|(from, role)| {
                app.editor
                    .with_untracked(|e| can_wire(e.flow(), &id_of(from), *role, &id_of(&l)))
            })
        })
    });
    let l = label.clone();
    // Memos, so a drag touches the DOM of the moving nodes only.
    let transform = Memo::new(move |_| {
        let (x, y) = app.position(&l).unwrap_or((0.0, 0.0));
        format!("translate({x:.1},{y:.1})")
    });
    let l = label.clone();
    let counters = move || {
        app.sim.with(|s| {
            let s = s.as_ref()?;
            // Counters up to the timeline position, so scrubbing replays them.
            let mut delivered = 0;
            let mut filtered = 0;
            let mut dead = 0;
            for h in s.hops.iter().take(s.step) {
                let to = h["to"].as_str().unwrap_or_default();
                let via = h["via"].as_str().unwrap_or_default();
                match h["outcome"].as_str().unwrap_or_default() {
                    "delivered" if to == l => delivered += 1,
                    "filtered" if via == l => filtered += 1,
                    "dead_lettered" | "dead-lettered" if to == l => dead += 1,
                    _ => {}
                }
            }
            let mut parts = Vec::new();
            if delivered > 0 {
                parts.push(format!("delivered {delivered}"));
            }
            if filtered > 0 {
                parts.push(format!("filtered {filtered}"));
            }
            if dead > 0 {
                parts.push(format!("dead-lettered {dead}"));
            }
            (!parts.is_empty()).then(|| parts.join(" · "))
        })
    };
    let l = label.clone();
    let on_down = move |ev: PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        capture(&ev);
        let id = id_of(&l);
        let additive = ev.shift_key() || ev.ctrl_key() || ev.meta_key();
        let already = app.editor.with_untracked(|e| e.selection().contains(&id));
        if !already || additive {
            app.editor.update(|e| e.select(&id, additive));
        }
        let ids = app
            .editor
            .with_untracked(|e| e.selection().iter().map(|i| i.to_string()).collect());
        app.offset.set((0.0, 0.0));
        app.drag.set(Some(Drag::Move {
            ids,
            start: (ev.client_x() as f64, ev.client_y() as f64),
        }));
    };
    let aria = format!(
        "{} {}",
        label.split('/').next().unwrap_or_default(),
        label.rsplit('/').next().unwrap_or_default()
    );
    view! {
        <g
            class="node"
            class:selected=move || selected.get()
            class:wire-ok=move || wire_state.get() == Some(true)
            class:wire-no=move || wire_state.get() == Some(false)
            role="group"
            aria-label=aria
            data-node=label.clone()
            transform=move || transform.get()
            on:pointerdown=on_down
        >
            {move || {
                let Some(v) = view.get() else { return ().into_any() };
                let h = v.height();
                if !app.detailed.get() {
                    // Zoomed far out, text would be a pixel high: draw the box and the name.
                    let name = (!app.tiny.get()).then(|| view! {
                        <text class="name far" x="12" y="40">{v.name.clone()}</text>
                    });
                    return view! {
                        <rect class=format!("box cat-{}", v.category.to_lowercase()) width=NODE_W height=h rx="8"></rect>
                        {name}
                    }.into_any();
                }
                let ports = v.ports.clone();
                let from = v.label.clone();
                view! {
                    <rect class=format!("box cat-{}", v.category.to_lowercase()) width=NODE_W height=h rx="8"></rect>
                    <text class="icon" x="12" y="26" aria-hidden="true">{v.icon}</text>
                    <text class="kind" x="36" y="18">{v.kind.clone()}</text>
                    <text class="name" x="36" y="34">{v.name.clone()}</text>
                    <text class="facts" x="12" y="54">{v.facts.clone()}</text>
                    {(v.errors > 0).then(|| view! {
                        <g class="badge error" aria-label=format!("{} errors", v.errors)>
                            <circle cx={NODE_W - 12.0} cy="-4" r="9"></circle>
                            <text x={NODE_W - 12.0} y="0">{v.errors}</text>
                        </g>
                    })}
                    {(v.errors == 0 && v.warnings > 0).then(|| view! {
                        <g class="badge warning" aria-label=format!("{} warnings", v.warnings)>
                            <circle cx={NODE_W - 12.0} cy="-4" r="9"></circle>
                            <text x={NODE_W - 12.0} y="0">{v.warnings}</text>
                        </g>
                    })}
                    <circle class="in-port" cx="0" cy={h / 2.0} r="5" aria-hidden="true"></circle>
                    {ports.into_iter().enumerate().map(|(i, role)| {
                        let y = v.port_y(i);
                        let from = from.clone();
                        let on_port = move |ev: PointerEvent| {
                            if ev.button() != 0 { return; }
                            ev.stop_propagation();
                            capture(&ev);
                            let Some(svg) = svg_el() else { return };
                            let (x, yy) = app.position(&from).unwrap_or((0.0, 0.0));
                            let at = to_canvas(&app, &svg, ev.client_x() as f64, ev.client_y() as f64);
                            app.drag.set(Some(Drag::Wire { from: from.clone(), role, start: (x + NODE_W, yy + y), at }));
                        };
                        view! {
                            <g class="port" role="button" aria-label=role.port_name() on:pointerdown=on_port>
                                <circle cx=NODE_W cy=y r="6"></circle>
                                <text class="port-name" x={NODE_W + 10.0} y={y + 3.5}>{role.port_name()}</text>
                            </g>
                        }
                    }).collect_view()}
                }.into_any()
            }}
            {move || counters().map(|c| view! {
                <text class="counter" x="12" y="-8" aria-label=c.clone()>{c.clone()}</text>
            })}
        </g>
    }
}

#[component]
fn Wire(app: App, edge: EdgeView) -> impl IntoView {
    let e = edge.clone();
    let d = Memo::new(move |_| edge_path(&app, &e).unwrap_or_default());
    let e2 = edge.clone();
    let lit = move || {
        app.sim.with(|s| {
            let Some(s) = s else { return false };
            s.step > 0
                && s.hops.get(s.step - 1).is_some_and(|h| {
                    let from = h["from"].as_str().unwrap_or_default();
                    let via = h["via"].as_str();
                    let to = h["to"].as_str().unwrap_or_default();
                    (e2.to == from && via == Some(e2.from.as_str()))
                        || (e2.from == via.unwrap_or(from) && e2.to == to)
                        || (e2.from == from && e2.to == to)
                })
        })
    };
    view! {
        <path class=format!("edge role-{}", edge.role.port_name()) class:lit=lit d=move || d.get()></path>
    }
}

/// The moving dot of the hop at the timeline position, from sender to receiver.
fn hop_animation(app: App) -> impl IntoView {
    move || {
        app.sim.with(|s| {
            let s = s.as_ref()?;
            let h = s.hops.get(s.step.checked_sub(1)?)?;
            let from = h["from"].as_str()?;
            let to = h["to"].as_str()?;
            let center = |l: &str| {
                app.position(l).map(|(x, y)| {
                    let hh = app
                        .nodes
                        .with(|n| n.get(l).map(|v| v.height()))
                        .unwrap_or(64.0);
                    (x + NODE_W / 2.0, y + hh / 2.0)
                })
            };
            let mut pts: Vec<(f64, f64)> = Vec::new();
            pts.extend(center(from));
            if let Some(via) = h["via"].as_str() {
                pts.extend(center(via));
            }
            pts.extend(center(to));
            if pts.len() < 2 {
                return None;
            }
            let path: String = pts
                .iter()
                .enumerate()
                .map(|(i, (x, y))| format!("{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" }))
                .collect();
            let outcome = h["outcome"].as_str().unwrap_or_default().to_string();
            Some(view! {
                <g class=format!("hop hop-{outcome}")>
                    <path class="hop-path" d=path.clone()></path>
                    <circle r="7">
                        <animateMotion dur="0.6s" fill="freeze" path=path></animateMotion>
                    </circle>
                </g>
            })
        })
    }
}

#[component]
fn Minimap(app: App) -> impl IntoView {
    const W: f64 = 180.0;
    const H: f64 = 120.0;
    let bounds = Memo::new(move |_| {
        app.nodes.with(|n| {
            let mut b = (0.0f64, 0.0f64, 800.0f64, 500.0f64);
            for v in n.values() {
                b = (
                    b.0.min(v.x),
                    b.1.min(v.y),
                    b.2.max(v.x + NODE_W),
                    b.3.max(v.y + v.height()),
                );
            }
            b
        })
    });
    let scale = move || {
        let (x0, y0, x1, y1) = bounds.get();
        (W / (x1 - x0 + 100.0)).min(H / (y1 - y0 + 100.0))
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
        let (w, h) = canvas_size();
        app.view.update(|v| {
            v.tx = w / 2.0 - cx * v.k;
            v.ty = h / 2.0 - cy * v.k;
        });
    };
    view! {
        <svg class="minimap" width=W height=H role="img" aria-label="Minimap" on:click=on_click>
            <g transform=move || {
                let (x0, y0, _, _) = bounds.get();
                let s = scale();
                format!("scale({s}) translate({},{})", 50.0 - x0, 50.0 - y0)
            }>
                // One path for all nodes: a minimap of a big flow stays one element.
                <path class="mini" d=move || app.nodes.with(|n| n.values().map(|v| {
                    format!("M{:.0},{:.0}h{NODE_W}v{:.0}h-{NODE_W}z", v.x, v.y, v.height())
                }).collect::<String>())></path>
                <rect class="viewport" x=move || { let v = app.view.get(); -v.tx / v.k } y=move || { let v = app.view.get(); -v.ty / v.k }
                    width=move || canvas_size().0 / app.view.get().k height=move || canvas_size().1 / app.view.get().k></rect>
            </g>
        </svg>
    }
}

#[component]
pub fn Canvas(app: App) -> impl IntoView {
    let node_labels = Memo::new(move |_| app.nodes.with(|n| n.keys().cloned().collect::<Vec<_>>()));

    let on_bg_down = move |ev: PointerEvent| {
        if ev.button() != 0 && ev.button() != 1 {
            return;
        }
        let Some(svg) = svg_el() else { return };
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
    };
    let on_move = move |ev: PointerEvent| {
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
                from, role, start, ..
            } => {
                if let Some(svg) = svg_el() {
                    let at = to_canvas(&app, &svg, cx, cy);
                    app.drag.set(Some(Drag::Wire {
                        from,
                        role,
                        start,
                        at,
                    }));
                }
            }
            Drag::Pan { start, origin } => {
                app.view.set(crate::state::ViewBox {
                    tx: origin.tx + cx - start.0,
                    ty: origin.ty + cy - start.1,
                    k: origin.k,
                });
            }
            Drag::Select { a, .. } => {
                if let Some(svg) = svg_el() {
                    let b = to_canvas(&app, &svg, cx, cy);
                    app.drag.set(Some(Drag::Select { a, b }));
                }
            }
        }
    };
    let on_up = move |ev: PointerEvent| {
        let Some(d) = app.drag.get_untracked() else {
            return;
        };
        let (dx, dy) = app.offset.get_untracked();
        if let Drag::Move { ids, .. } = &d {
            if dx.abs() + dy.abs() > 0.5 {
                app.edit(Edit::Move {
                    ids: ids.iter().map(|l| id_of(l)).collect(),
                    dx: dx.round(),
                    dy: dy.round(),
                });
            }
        }
        app.offset.set((0.0, 0.0));
        app.drag.set(None);
        match d {
            Drag::Move { .. } => {}
            Drag::Wire { from, role, .. } => {
                let Some(target) = node_at(ev.client_x() as f64, ev.client_y() as f64) else {
                    app.say("drop a wire on a node to connect it");
                    return;
                };
                if target == from {
                    return;
                }
                if app.edit(Edit::Connect {
                    from: id_of(&from),
                    role,
                    to: id_of(&target),
                }) {
                    app.say(format!("{from} {} → {target}", role.port_name()));
                }
            }
            Drag::Pan { start, .. } => {
                let moved =
                    (ev.client_x() as f64 - start.0).abs() + (ev.client_y() as f64 - start.1).abs();
                if moved < 3.0 {
                    app.editor.update(|e| e.clear_selection());
                }
            }
            Drag::Select { a, b } => {
                let additive = ev.ctrl_key() || ev.meta_key();
                app.editor.update(|e| {
                    e.select_box(Point { x: a.0, y: a.1 }, Point { x: b.0, y: b.1 }, additive)
                });
            }
        }
    };
    let on_wheel = move |ev: WheelEvent| {
        ev.prevent_default();
        let Some(svg) = svg_el() else { return };
        let r = svg.get_bounding_client_rect();
        let (sx, sy) = (
            ev.client_x() as f64 - r.left(),
            ev.client_y() as f64 - r.top(),
        );
        let factor = (-ev.delta_y() * 0.0015).exp();
        zoom_at(&app, sx, sy, factor);
    };
    let on_dragover = move |ev: DragEvent| ev.prevent_default();
    let on_drop = move |ev: DragEvent| {
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
    };

    view! {
        <div class="canvas-wrap">
            <svg
                class="canvas"
                role="application"
                aria-label="Canvas"
                tabindex="0"
                on:pointerdown=on_bg_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:wheel=on_wheel
                on:dragover=on_dragover
                on:drop=on_drop
            >
                <defs>
                    <pattern id="grid" width="24" height="24" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="grid-dot"></circle>
                    </pattern>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrow"></path>
                    </marker>
                </defs>
                <rect class="grid" width="100%" height="100%" fill="url(#grid)"></rect>
                <g transform=move || { let v = app.view.get(); format!("translate({:.1},{:.1}) scale({:.3})", v.tx, v.ty, v.k) }>
                    <For each=move || app.edges.get() key=|e| (e.key.clone(), e.to.clone()) let:edge>
                        <Wire app=app edge=edge/>
                    </For>
                    <For each=move || node_labels.get() key=|l| l.clone() let:label>
                        <NodeBox app=app label=label/>
                    </For>
                    {move || app.drag.with(|d| match d {
                        Some(Drag::Wire { start, at, .. }) => Some(view! {
                            <path class="wire-draft" d=format!("M{:.1},{:.1} L{:.1},{:.1}", start.0, start.1, at.0, at.1)></path>
                        }.into_any()),
                        Some(Drag::Select { a, b }) => Some(view! {
                            <rect class="select-box" x=a.0.min(b.0) y=a.1.min(b.1) width=(a.0 - b.0).abs() height=(a.1 - b.1).abs()></rect>
                        }.into_any()),
                        _ => None,
                    })}
                    {hop_animation(app)}
                </g>
            </svg>
            <Minimap app=app/>
            <div class="zoom-controls">
                <button aria-label="Zoom in" title="Zoom in (+)" on:click=move |_| { let (w, h) = canvas_size(); zoom_at(&app, w / 2.0, h / 2.0, 1.2) }>"+"</button>
                <button aria-label="Zoom out" title="Zoom out (-)" on:click=move |_| { let (w, h) = canvas_size(); zoom_at(&app, w / 2.0, h / 2.0, 1.0 / 1.2) }>"−"</button>
                <button aria-label="Fit to view" title="Fit to view (F)" on:click=move |_| { let (w, h) = canvas_size(); app.fit(w, h) }>"⤢"</button>
            </div>
        </div>
    }
}

/// Zooms by `factor` keeping the screen point (sx, sy) fixed.
pub fn zoom_at(app: &App, sx: f64, sy: f64, factor: f64) {
    app.view.update(|v| {
        let k = (v.k * factor).clamp(0.1, 3.0);
        let f = k / v.k;
        v.tx = sx - (sx - v.tx) * f;
        v.ty = sy - (sy - v.ty) * f;
        v.k = k;
    });
}

/// The canvas point in the middle of the screen, where keyboard-added nodes go.
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

pub fn view_center(app: &App) -> Point {
    let (w, h) = canvas_size();
    let v = app.view.get_untracked();
    Point {
        x: ((w / 2.0 - v.tx) / v.k - NODE_W / 2.0).round(),
        y: ((h / 2.0 - v.ty) / v.k - 32.0).round(),
    }
}
