//! What the designer does only inside the desktop app: its first flow comes from the app
//! (command line, recent file, or the example), the application menu's items run designer
//! actions, and a flow changed on disk is reloaded (asking first when there is unsaved work).

use knflow_editor::Editor;
use leptos::prelude::*;
use serde_json::Value;

use crate::state::App;
use crate::{host, open_first, open_text};

pub fn start(
    app: App,
    recovery: RwSignal<Option<(String, String)>>,
    saved: Option<(String, String)>,
) {
    leptos::task::spawn_local(async move {
        match host::initial().await {
            Ok((path, text)) => open_first(app, path, &text, saved, recovery),
            Err(e) => app.say_error(e),
        }
    });
    host::listen("menu", move |id| {
        if let Some(id) = id.as_str() {
            on_menu(app, id);
        }
    });
    host::listen("flow-changed", move |v| on_changed_on_disk(app, &v));
}

/// The native Open dialog, then the chosen flow (the caller asked about unsaved work).
pub fn open_native(app: App) {
    leptos::task::spawn_local(async move {
        match host::open_native().await {
            Ok(Some((path, text))) => {
                if open_text(app, &text, Some(path.clone())) {
                    app.say(format!("opened {path}"));
                }
            }
            Ok(None) => {}
            Err(e) => app.say_error(e),
        }
    });
}

fn on_menu(app: App, id: &str) {
    match id {
        "new" => crate::new_flow(app),
        "open" => crate::unless_keeping_unsaved(app, move || open_native(app)),
        "save" => crate::save(app),
        "save_as" => crate::save_as(app),
        "undo" => crate::undo(app),
        "redo" => crate::redo(app),
        "copy" => crate::copy_selection(app),
        "paste" => crate::paste(app),
        "duplicate" => crate::duplicate_selection(app),
        "select_all" => app.editor.update(|e| e.select_all()),
        "zoom_in" => crate::zoom(app, 1.2),
        "zoom_out" => crate::zoom(app, 1.0 / 1.2),
        "fit" => crate::fit(app),
        "auto_layout" => crate::auto_layout(app),
        "theme" => app.dark.update(|d| *d = !*d),
        "shortcuts" => app.help.update(|h| *h = !*h),
        _ => {}
    }
}

fn on_changed_on_disk(app: App, v: &Value) {
    let (Some(path), Some(text)) = (v["path"].as_str(), v["text"].as_str()) else {
        return;
    };
    if app.path.get_untracked().as_deref() != Some(path) {
        return;
    }
    let (path, text) = (path.to_string(), text.to_string());
    leptos::task::spawn_local(async move {
        if app.editor.with_untracked(Editor::is_dirty)
            && !host::ask(
                &format!("{path} changed on disk. Reload it and discard your unsaved changes?"),
                "Reload",
            )
            .await
        {
            app.say(format!(
                "{path} changed on disk; your version is kept (saving overwrites the file)"
            ));
            return;
        }
        if open_text(app, &text, Some(path.clone())) {
            app.say(format!("reloaded {path}: it changed on disk"));
        }
    });
}
