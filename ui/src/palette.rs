//! The palette: every kind knflow models, searchable, grouped, each entry draggable onto the
//! canvas (or added at the view's centre, selected, with a click or Enter).
//!
//! Dragging works two ways: HTML drag and drop (mouse in a browser), and plain pointer events
//! for where no drag session starts (touch screens, WebDriver in the desktop app's WebKitGTK):
//! a press on an entry, a move, and a release over the canvas add the node there.

use crate::handle;
use knflow_editor::{category_name, icon_of, Edit};
use knflow_model::kinds::KINDS;
use leptos::prelude::*;
use web_sys::DragEvent;

use crate::canvas::{drop_kind, view_center};
use crate::state::App;

/// Knative's own kinds by category, then each extension project's kinds as a group of its own.
const GROUPS: &[&str] = &["Sources", "Routing", "Flows", "Sinks", "Registry"];

/// Palette kinds: one entry per kind name (the Kubernetes and the Knative Service share one),
/// as (group, kind, summary).
fn kinds() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for k in KINDS {
        if seen.contains(&k.kind) {
            continue;
        }
        seen.push(k.kind);
        out.push((
            k.project.unwrap_or(category_name(k.category)),
            k.kind,
            k.summary,
        ));
    }
    out
}

/// A kind's name cut before each capital (`Rabbitmq`, `Broker`, `Config`): where a long name may
/// break in the palette's narrow column.
fn words(kind: &'static str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in kind.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            out.push(&kind[start..i]);
            start = i;
        }
    }
    out.push(&kind[start..]);
    out
}

/// The groups in palette order: [`GROUPS`], then the projects as `KINDS` lists them.
fn groups(all: &[(&'static str, &'static str, &'static str)]) -> Vec<&'static str> {
    let mut out = GROUPS.to_vec();
    for (g, _, _) in all {
        if !out.contains(g) {
            out.push(g);
        }
    }
    out
}

/// Whether a palette entry answers a search: by kind, summary or group ("kafka", "rabbit").
fn matches(q: &str, group: &str, kind: &str, summary: &str) -> bool {
    q.is_empty()
        || [group, kind, summary]
            .iter()
            .any(|s| s.to_lowercase().contains(q))
}

/// A press on a palette entry not yet released: its kind, where it started, whether it moved.
type Pressed = Option<(&'static str, f64, f64, bool)>;

#[component]
pub fn Palette(app: App) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let all = kinds();
    let pressed = StoredValue::new(None as Pressed);
    let drag_started = StoredValue::new(false);
    let moves = window_event_listener(leptos::ev::pointermove, move |ev| {
        pressed.update_value(|p| {
            if let Some((_, x, y, moved)) = p {
                let (dx, dy) = (ev.client_x() as f64 - *x, ev.client_y() as f64 - *y);
                *moved |= dx * dx + dy * dy > 25.0;
            }
        });
    });
    let ups = window_event_listener(leptos::ev::pointerup, move |ev| {
        // A drag session that ended in a drop has added the node and cleared `palette_drag`;
        // one that started but never dropped (WebKitGTK under WebDriver) left it set.
        let dropped = app.palette_drag.get_untracked().is_none();
        if let Some((kind, _, _, true)) = pressed.get_value() {
            if !(drag_started.get_value() && dropped) {
                drop_kind(
                    &app,
                    kind.to_string(),
                    ev.client_x() as f64,
                    ev.client_y() as f64,
                );
            }
        }
        pressed.set_value(None);
        app.palette_drag.set(None);
    });
    // A browser drag session took the pointer: its drop does the work.
    let cancels = window_event_listener(leptos::ev::pointercancel, move |_| {
        pressed.set_value(None);
    });
    // The palette lives as long as the page.
    std::mem::forget((moves, ups, cancels));
    view! {
        <aside class="palette" aria-label="Palette">
            <input
                class="search"
                type="search"
                placeholder="Search kinds…"
                aria-label="Search kinds"
                prop:value=query
                on:input=handle::event(move |ev| query.set(event_target_value(&ev)))
            />
            {
                let all = all.clone();
                move || {
                    let q = query.get().to_lowercase();
                    let none = !all.iter().any(|(g, k, s)| matches(&q, g, k, s));
                    none.then(|| view! { <p class="no-match" role="status">{format!("No kinds match “{}”", query.get())}</p> })
                }
            }
            {groups(&all).into_iter().map(|group| {
                let entries: Vec<_> = all.iter().filter(|(g, _, _)| *g == group).cloned().collect();
                let entries2 = entries.clone();
                let visible = move || {
                    let q = query.get().to_lowercase();
                    entries2.iter().any(|(g, k, s)| matches(&q, g, k, s))
                };
                view! {
                    <section class="group" class:hidden=move || !visible()>
                        <h3>{group}</h3>
                        {entries.into_iter().map(|(group, kind, summary)| {
                            let hidden = move || !matches(&query.get().to_lowercase(), group, kind, summary);
                            let add = move || {
                                app.edit(Edit::Add { kind: kind.to_string(), at: view_center(&app) });
                            };
                            view! {
                                <div
                                    class="entry"
                                    class:hidden=hidden
                                    role="button"
                                    tabindex="0"
                                    draggable="true"
                                    aria-label=kind
                                    title=summary
                                    on:pointerdown=handle::pointer(move |ev: web_sys::PointerEvent| {
                                        if ev.button() == 0 {
                                            drag_started.set_value(false);
                                            pressed.set_value(Some((kind, ev.client_x() as f64, ev.client_y() as f64, false)));
                                        }
                                    })
                                    on:dragstart=handle::drag(move |ev: DragEvent| {
                                        drag_started.set_value(true);
                                        if let Some(dt) = ev.data_transfer() {
                                            let _ = dt.set_data("text/plain", kind);
                                            dt.set_effect_allowed("copy");
                                        }
                                        app.palette_drag.set(Some(kind.to_string()));
                                    })
                                    on:click=handle::mouse(move |_| add())
                                    on:keydown=handle::key(move |ev: web_sys::KeyboardEvent| {
                                        if ev.key() == "Enter" || ev.key() == " " {
                                            ev.prevent_default();
                                            add();
                                        }
                                    })
                                >
                                    <span class="icon" aria-hidden="true">{icon_of(kind)}</span>
                                    <span class="label">{words(kind).into_iter().map(|w| view! { <wbr/>{w} }).collect_view()}</span>
                                </div>
                            }
                        }).collect_view()}
                    </section>
                }
            }).collect_view()}
        </aside>
    }
}
