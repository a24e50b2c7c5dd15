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
    host::listen("close-requested", move |_| on_close_requested(app));
    follow_in_menu(app);
}

/// The app's File and Edit items are enabled as the toolbar is. While a text field has the
/// focus the editing items step aside (disabled), so that their keys edit the text: a disabled
/// item's accelerator leaves the key to the web view.
fn follow_in_menu(app: App) {
    let typing = RwSignal::new(false);
    // Read from the document: a focused field that is removed with its dialog loses the focus
    // without any focus event.
    let check = move || {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let now = crate::is_text_field(active.map(Into::into));
        if typing.get_untracked() != now {
            typing.set(now);
        }
    };
    let focus = window_event_listener(leptos::ev::focusin, move |_| check());
    let blur = window_event_listener(leptos::ev::focusout, move |_| {
        request_animation_frame(check)
    });
    // For the window's lifetime.
    std::mem::forget((focus, blur));
    Effect::new(move |_| {
        // Dialogs coming and going move the focus.
        app.open.track();
        app.settings.track();
        app.save_as.track();
        app.confirm.track();
        request_animation_frame(check);
    });
    let state = Memo::new(move |_| {
        let can = crate::actions(app);
        let edit = !typing.get();
        serde_json::json!({
            "save": can.save,
            "undo": edit && can.undo,
            "redo": edit && can.redo,
            "delete": edit && can.delete,
            "copy": edit && can.copy,
            "duplicate": edit && can.copy,
            "paste": edit,
            "select_all": edit && can.select_all,
        })
    });
    Effect::new(move |_| host::set_menu_state(state.get()));
}

/// The native Open dialog, then the chosen flow (the caller asked about unsaved work).
pub fn open_native(app: App) {
    leptos::task::spawn_local(async move {
        match host::open_native(app.path.get_untracked()).await {
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
        "open" => crate::dialogs::show_open(app),
        "save" => crate::save(app),
        "save_as" => crate::save_as(app),
        "undo" => crate::undo(app),
        "redo" => crate::redo(app),
        "copy" => crate::copy_selection(app),
        "paste" => crate::paste(app),
        "duplicate" => crate::duplicate_selection(app),
        "select_all" => app.editor.update(|e| e.select_all()),
        "delete" => crate::delete_selection(app),
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
    let question = format!("{path} changed on disk. Reload it and discard your unsaved changes?");
    let reload = {
        let path = path.clone();
        move || {
            if open_text(app, &text, Some(path.clone())) {
                app.say(format!("reloaded {path}: it changed on disk"));
            }
        }
    };
    if !app.editor.with_untracked(Editor::is_dirty) {
        return reload();
    }
    let keep: crate::dialogs::Answer = std::sync::Arc::new(move || {
        app.disk_changed.set(true);
        app.say(format!(
            "{path} changed on disk; your version is kept (Save asks before replacing the file)"
        ))
    });
    crate::dialogs::ask(app, question, "Reload", reload, Some(keep));
}

/// The window is closing with unsaved work: the app asks here, in the designer's own question
/// (centred on the window, Escape cancels), and closes only on "Close without saving".
fn on_close_requested(app: App) {
    crate::dialogs::ask(
        app,
        "The flow has unsaved changes. Close without saving them?",
        "Close without saving",
        || {
            // Chosen: they are not offered for recovery next time either.
            crate::forget_unsaved();
            host::close_window();
        },
        None,
    );
}
