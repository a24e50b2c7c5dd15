//! The application menu. Its items act in the designer, so each one is sent to the web view as
//! a `menu` event carrying the item's id; the designer runs the same action as its toolbar and
//! keys. Quit closes the window, so unsaved work is confirmed like any close.

use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
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
// The designer handles its editing keys itself (in a text field they edit the text), so these
// items carry no accelerator, which would take the keys from the web view; the label says them.
const EDIT: &[(&str, &str, &str)] = &[
    ("undo", "Undo (Ctrl+Z)", ""),
    ("redo", "Redo (Ctrl+Shift+Z)", ""),
    ("", "", ""),
    ("copy", "Copy Nodes (Ctrl+C)", ""),
    ("paste", "Paste Nodes (Ctrl+V)", ""),
    ("duplicate", "Duplicate (Ctrl+D)", ""),
    ("select_all", "Select All (Ctrl+A)", ""),
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

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let mut menu = MenuBuilder::new(app);
    for (title, items) in [
        ("File", FILE),
        ("Edit", EDIT),
        ("View", VIEW),
        ("Help", HELP),
    ] {
        let mut sub = SubmenuBuilder::new(app, title);
        for (id, label, keys) in items {
            if id.is_empty() {
                sub = sub.separator();
                continue;
            }
            let mut item = MenuItemBuilder::with_id(*id, *label);
            if !keys.is_empty() {
                item = item.accelerator(*keys);
            }
            sub = sub.item(&item.build(app)?);
        }
        menu = menu.item(&sub.build()?);
    }
    menu.build()
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
