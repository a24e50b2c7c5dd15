//! The context menu (right-click, the context-menu key, Shift+F10): on a node Delete,
//! Duplicate, Disconnect all, Send event here; on a wire Delete; on the background Paste and
//! Auto layout. Arrow keys move between items, Enter runs one, Escape closes.

use crate::handle;
use knflow_editor::Edit;
use knflow_model::num::Fixed;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

use super::id_of;
use crate::state::{App, DockTab, MenuOn};

type Action = Box<dyn Fn(&App)>;

fn items(app: &App, on: &MenuOn) -> Vec<(&'static str, Action)> {
    match on.clone() {
        MenuOn::Node(label) => {
            let mut items: Vec<(&'static str, Action)> = Vec::new();
            if let Some(id) = id_of(&label).filter(|_| {
                app.nodes
                    .with_untracked(|n| n.get(&label).and_then(|v| v.id()).is_some())
            }) {
                let (a, b, c) = (id.clone(), id.clone(), id.clone());
                items.push((
                    "Delete",
                    Box::new(move |app: &App| {
                        let ids: Vec<_> = app.editor.with_untracked(|e| {
                            let sel: Vec<_> = e.selection().iter().cloned().collect();
                            if sel.contains(&a) {
                                sel
                            } else {
                                vec![a.clone()]
                            }
                        });
                        app.edit(Edit::Delete { ids });
                    }),
                ));
                items.push((
                    "Duplicate",
                    Box::new(move |app: &App| {
                        let ids = vec![b.clone()];
                        if app.edit(Edit::Duplicate { ids }) {
                            super::keep_selected_in_view(app, super::canvas_size());
                        }
                    }),
                ));
                items.push((
                    "Disconnect all",
                    Box::new(move |app: &App| {
                        app.edit(Edit::DisconnectAll { id: c.clone() });
                    }),
                ));
                let target = label.clone();
                items.push((
                    "Send event here",
                    Box::new(move |app: &App| {
                        app.sim_target.set(Some(target.clone()));
                        app.dock_collapsed.set(false);
                        app.dock.set(DockTab::Simulate);
                    }),
                ));
            }
            items
        }
        MenuOn::Wire(key) => vec![(
            "Delete",
            Box::new(move |app: &App| {
                let w = app
                    .wires
                    .with_untracked(|ws| ws.iter().find(|w| w.key == key).cloned());
                if let Some(w) = w {
                    super::wire::delete(app, &w);
                }
            }),
        )],
        MenuOn::Background(_) => vec![
            ("Paste", Box::new(|app: &App| crate::paste(*app))),
            (
                "Auto layout",
                Box::new(|app: &App| crate::auto_layout(*app)),
            ),
        ],
    }
}

fn focus_item(menu: &web_sys::Element, delta: i32) {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return;
    };
    let n = list.length() as i32;
    if n == 0 {
        return;
    }
    let doc = web_sys::window().and_then(|w| w.document());
    let active = doc.and_then(|d| d.active_element());
    let current = (0..n).find(|i| {
        list.item(*i as u32)
            .zip(active.clone())
            .is_some_and(|(a, b)| a == *b)
    });
    let next = match current {
        Some(i) => (i + delta).rem_euclid(n),
        None if delta >= 0 => 0,
        None => n - 1,
    };
    if let Some(el) = list
        .item(next as u32)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Moves a just-opened menu that crosses the canvas's right or bottom edge to the other side
/// of the point it opened at (or to the edge, where that side has no room either).
fn keep_inside(menu: &web_sys::HtmlDivElement) {
    let Some(wrap) = menu.parent_element().map(|p| p.get_bounding_client_rect()) else {
        return;
    };
    let r = menu.get_bounding_client_rect();
    let (mut left, mut top) = (r.left() - wrap.left(), r.top() - wrap.top());
    if r.right() > wrap.right() - 4.0 {
        left = (left - r.width()).max(4.0);
    }
    if r.bottom() > wrap.bottom() - 4.0 {
        top = (top - r.height()).max(4.0);
    }
    let style = web_sys::HtmlElement::style(menu);
    let _ = style.set_property("left", &format!("{}px", Fixed(left, 0)));
    let _ = style.set_property("top", &format!("{}px", Fixed(top, 0)));
}

#[component]
pub fn ContextMenu(app: App) -> impl IntoView {
    let menu_ref = NodeRef::<leptos::html::Div>::new();
    // Focus the first item when a menu opens, and keep the menu inside the canvas: opened
    // near its right or bottom edge it opens to the pointer's left or above it, as a
    // desktop's menus do (the canvas clips what crosses its edges).
    Effect::new(move |_| {
        if app.menu.with(Option::is_some) {
            leptos::task::spawn_local(async move {
                if let Some(el) = menu_ref.get_untracked() {
                    keep_inside(&el);
                    focus_item(&el, 1);
                }
            });
        }
    });
    let on_key = move |ev: KeyboardEvent| {
        let Some(el) = menu_ref.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "ArrowDown" => focus_item(&el, 1),
            "ArrowUp" => focus_item(&el, -1),
            "Escape" => app.menu.set(None),
            "Tab" => app.menu.set(None),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    move || {
        let menu = app.menu.get()?;
        let wrap = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".canvas-wrap").ok().flatten())
            .map(|w| w.get_bounding_client_rect());
        let (left, top) = wrap.map_or((0.0, 0.0), |r| (menu.x - r.left(), menu.y - r.top()));
        let entries = items(&app, &menu.on);
        if entries.is_empty() {
            return None;
        }
        let label = match &menu.on {
            MenuOn::Node(l) => format!("Actions on {l}"),
            MenuOn::Wire(_) => "Actions on the wire".to_string(),
            MenuOn::Background(_) => "Canvas actions".to_string(),
        };
        Some(view! {
            <div class="context-menu" role="menu" aria-label=label node_ref=menu_ref
                style=format!("left:{}px;top:{}px", Fixed(left, 0), Fixed(top, 0)) on:keydown=handle::key(on_key)
                on:pointerdown=handle::pointer(|ev: web_sys::PointerEvent| ev.stop_propagation())>
                {entries.into_iter().map(|(name, action)| view! {
                    <button role="menuitem" tabindex="-1" on:click=handle::mouse(move |_| {
                        app.menu.set(None);
                        action(&app);
                    })>{name}</button>
                }).collect_view()}
            </div>
        })
    }
}
