//! The application menu. Its items act in the designer, so each one is sent to the web view as
//! a `menu` event carrying the item's id; the designer runs the same action as its toolbar and
//! keys. Quit closes the window, so unsaved work is confirmed like any close.
//!
//! Accelerators are real ones, shown in the menu's accelerator column. The designer keeps the
//! items' enabled state in step with the editor (`set_menu_state`): a disabled item's
//! accelerator does not fire, so while a text field has the focus the editing items are
//! disabled and Ctrl+Z, Ctrl+C, Delete… edit the text instead.

use std::collections::BTreeMap;

use tauri::menu::{Menu, MenuBuilder, MenuItem, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// (id, label, accelerator) per menu, in order; an empty id is a separator.
const FILE: &[(&str, &str, &str)] = &[
    ("new", "New Flow", "CmdOrCtrl+N"),
    ("open", "Open…", "CmdOrCtrl+O"),
    ("save", "Save", "CmdOrCtrl+S"),
    ("save_as", "Save As…", "CmdOrCtrl+Shift+S"),
    ("", "", ""),
    ("quit", "Quit", "CmdOrCtrl+Q"),
];
const EDIT: &[(&str, &str, &str)] = &[
    ("undo", "Undo", "CmdOrCtrl+Z"),
    ("redo", "Redo", "CmdOrCtrl+Shift+Z"),
    ("", "", ""),
    ("copy", "Copy", "CmdOrCtrl+C"),
    ("paste", "Paste", "CmdOrCtrl+V"),
    ("duplicate", "Duplicate", "CmdOrCtrl+D"),
    ("delete", "Delete", "Delete"),
    ("", "", ""),
    ("select_all", "Select All", "CmdOrCtrl+A"),
];
const VIEW: &[(&str, &str, &str)] = &[
    ("zoom_in", "Zoom In", "CmdOrCtrl+="),
    ("zoom_out", "Zoom Out", "CmdOrCtrl+-"),
    ("fit", "Fit to View", "CmdOrCtrl+0"),
    ("auto_layout", "Auto Layout", "CmdOrCtrl+L"),
    ("", "", ""),
    ("theme", "Toggle Dark Theme", ""),
];
const HELP: &[(&str, &str, &str)] = &[("shortcuts", "Keyboard Shortcuts", "F1")];

/// The items whose enabled state the designer sets (the others always act).
pub const FOLLOWING: &[&str] = &[
    "save",
    "undo",
    "redo",
    "copy",
    "paste",
    "duplicate",
    "delete",
    "select_all",
];

/// The menu's items by id, kept to enable and disable them.
pub struct Items<R: Runtime>(pub BTreeMap<String, MenuItem<R>>);

impl<R: Runtime> Items<R> {
    /// Enables and disables the named items (unknown names are ignored).
    pub fn set(&self, state: &BTreeMap<String, bool>) {
        for (id, enabled) in state {
            if let Some(item) = self.0.get(id).filter(|_| FOLLOWING.contains(&id.as_str())) {
                let _ = item.set_enabled(*enabled);
            }
        }
    }

    /// Every item's label and whether it is enabled, as the menu shows them now:
    /// `{"undo": {"label": "Undo", "enabled": false}, ...}`.
    pub fn state(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|(id, item)| {
                let label = item.text().unwrap_or_default();
                let enabled = item.is_enabled().unwrap_or(false);
                (
                    id.clone(),
                    serde_json::json!({"label": label, "enabled": enabled}),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<(Menu<R>, Items<R>)> {
    let mut menu = MenuBuilder::new(app);
    let mut items = BTreeMap::new();
    for (title, entries) in [
        ("File", FILE),
        ("Edit", EDIT),
        ("View", VIEW),
        ("Help", HELP),
    ] {
        let mut sub = SubmenuBuilder::new(app, title);
        for (id, label, keys) in entries {
            if id.is_empty() {
                sub = sub.separator();
                continue;
            }
            let mut item = MenuItemBuilder::with_id(*id, *label);
            if !keys.is_empty() {
                item = item.accelerator(*keys);
            }
            let item = item.build(app)?;
            sub = sub.item(&item);
            items.insert(id.to_string(), item);
        }
        menu = menu.item(&sub.build()?);
    }
    Ok((menu.build()?, Items(items)))
}

pub fn on_event<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if id == "quit" {
        if let Some(w) = app.get_webview_window(crate::MAIN) {
            let _ = w.close();
        }
        return;
    }
    let _ = app.emit_to(crate::MAIN, "menu", id);
}
