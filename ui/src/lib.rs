//! The knflow designer, a Leptos CSR app. The model, validation, simulator and export run here
//! in the browser (they are pure crates built for wasm32); files go through the host
//! (`kn-flow serve`'s API, or the desktop app's commands). Editing state lives in `knflow-editor`, so it is tested natively.

mod canvas;
mod cluster;
mod desktop;
mod dialogs;
mod dock;
mod erase;
mod events;
mod filters;
mod form;
mod handle;
mod host;
mod inspector;
mod live;
mod palette;
mod state;

use knflow_editor::{Edit, Editor};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

use state::App;

/// Local-storage keys.
const AUTOSAVE: &str = "knflow.autosave";
const THEME: &str = "knflow.theme";

#[wasm_bindgen(start)]
pub fn start() {
    // A panic's message and place reach the console, for bug reports.
    console_error_panic_hook::set_once();
    record_timing("wasm_started_at_ms", now());
    leptos::mount::mount_to_body(Root);
}

pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Timings of the last open, for the browser benchmark (`window.knflowTimings`).
pub(crate) fn record_timing(name: &str, ms: f64) {
    let Some(w) = web_sys::window() else { return };
    let key = wasm_bindgen::JsValue::from_str("knflowTimings");
    let obj = js_sys::Reflect::get(&w, &key)
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| js_sys::Object::new().into());
    let _ = js_sys::Reflect::set(&obj, &name.into(), &ms.into());
    let _ = js_sys::Reflect::set(&w, &key, &obj);
}

/// Offers a text as a file download.
pub(crate) fn download(name: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/yaml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Runs `then` unless there is unsaved work the user wants to keep (they are asked).
fn unless_keeping_unsaved(app: App, then: impl FnOnce() + Send + 'static) {
    dialogs::unless_keeping_unsaved(app, then, None);
}

/// The autosaved state: which file, and its text.
fn autosaved() -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(&host::stored(AUTOSAVE)?).ok()?;
    Some((
        v["path"].as_str().unwrap_or_default().to_string(),
        v["text"].as_str()?.to_string(),
    ))
}

/// Forgets the autosaved work (the user chose to lose it).
pub(crate) fn forget_unsaved() {
    host::unstore(AUTOSAVE);
}

/// Keeps unsaved work in local storage (or forgets it once saved).
fn autosave_now(app: App) {
    if app.editor.with_untracked(Editor::is_dirty) {
        let text = app.editor.with_untracked(Editor::save_text);
        let v = serde_json::json!({ "path": app.path.get_untracked().unwrap_or_default(), "text": text });
        host::store(AUTOSAVE, &v.to_string());
    } else {
        host::unstore(AUTOSAVE);
    }
}

/// Opens the first flow; autosaved work on the same file that differs from it is offered for
/// recovery.
fn open_first(
    app: App,
    path: Option<String>,
    text: &str,
    saved: Option<(String, String)>,
    recovery: RwSignal<Option<(String, String)>>,
) {
    record_timing("flow_fetched_at_ms", now());
    open_text(app, text, path.clone());
    if let Some((p, t)) = saved {
        if p == path.unwrap_or_default() && t != text {
            recovery.set(Some((p, t)));
        }
    }
}

/// Opens flow text as the current flow (replacing it; the caller asked about unsaved work).
fn open_text(app: App, text: &str, path: Option<String>) -> bool {
    let t0 = now();
    match Editor::open(text, path.as_deref().unwrap_or("untitled.yaml")) {
        Ok(e) => {
            let t1 = now();
            app.editor.set(e);
            app.path.set(path);
            app.disk_changed.set(false);
            app.open_failed.set(None);
            app.sim.set(None);
            app.wire.set(None);
            canvas::fit(&app);
            // Once the page shows the new flow's description, fit below it.
            request_animation_frame(move || canvas::fit(&app));
            record_timing("load_ms", t1 - t0);
            record_timing("render_ms", now() - t1);
            true
        }
        Err(diags) => {
            let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
            app.say_error(msgs.join("\n"));
            // Said where it cannot be missed; a file that cannot be opened is not a recent one.
            let what = path.clone().unwrap_or_else(|| "the flow".into());
            app.open_failed
                .set(Some(format!("Cannot open {what}: {}", msgs.join("; "))));
            if let Some(p) = path {
                host::forget_recent(&p);
            }
            false
        }
    }
}

fn open_path(app: App, path: String) {
    leptos::task::spawn_local(async move {
        match host::read(&path).await {
            Ok(text) => {
                if open_text(app, &text, Some(path.clone())) {
                    app.say(format!("opened {path}"));
                    set_hash(&path);
                }
            }
            Err(e) => app.say_error(format!("{path}: {e}")),
        }
    });
}

/// The flow file the address names (`#path`), if any.
fn address_path() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let path = hash.trim_start_matches('#');
    let path = js_sys::decode_uri_component(path)
        .ok()
        .and_then(|p| p.as_string())
        .unwrap_or_else(|| path.to_string());
    (!path.is_empty()).then_some(path)
}

/// Puts `path` back in the address (without opening it) as a new history entry, so that the
/// entry the user went to (Back, Forward, typed) stays where it was: going there again asks
/// again.
fn restore_address(path: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = if path.is_empty() {
            " ".to_string()
        } else {
            format!("#{path}")
        };
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url.trim()));
    }
}

/// Imports Knative YAML as a new, unsaved flow in place of the open one, one undoable edit
/// (after asking about unsaved work); the converter's errors stay in the dialog. The import
/// is no longer the open file's flow: Save asks where to keep it instead of replacing that file.
pub(crate) fn import(app: App, text: String, error: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        let flow = match host::import(&text).await {
            Ok(flow) => flow,
            Err(e) => return error.set(Some(e)),
        };
        error.set(None);
        unless_keeping_unsaved(app, move || {
            let mut result = Ok(());
            app.editor
                .update(|e| result = e.apply(Edit::ReplaceFlow(flow)));
            match result {
                Ok(()) => {
                    app.open.set(None);
                    app.sim.set(None);
                    let was = app.path.get_untracked();
                    if was.is_some() {
                        app.path.set(None);
                        host::forget_file();
                    }
                    canvas::fit(&app);
                    let n = app.editor.with_untracked(|e| e.flow().len());
                    let kept = was.map_or(String::new(), |p| format!("; {p} is unchanged"));
                    app.say(format!(
                        "imported {n} resources as a new flow{kept} (Undo brings the flow before back)"
                    ));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
}

fn set_hash(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(path);
    }
}

fn save(app: App) {
    match app.path.get_untracked() {
        // The file changed on disk and the user kept their version: saving replaces the
        // other program's, so it asks.
        Some(path) if app.disk_changed.get_untracked() => dialogs::ask(
            app,
            format!(
                "{} changed on disk after you opened it. Save anyway and replace that version \
                 with yours?",
                file_name(&path)
            ),
            "Save anyway",
            move || write(app, path.clone()),
            None,
        ),
        Some(path) => write(app, path),
        None => save_as(app),
    }
}

/// Saves under a new name: the desktop's native dialog, or a path in the served folder.
fn save_as(app: App) {
    let name = app.editor.with_untracked(|e| e.flow().name.clone());
    let suggested = app
        .path
        .get_untracked()
        .unwrap_or_else(|| format!("{name}.yaml"));
    if host::desktop() {
        let text = app.editor.with_untracked(Editor::save_text);
        let rev = app.editor.with_untracked(Editor::revision);
        leptos::task::spawn_local(async move {
            match host::save_native(&text, file_name(&suggested)).await {
                Ok(Some(path)) => saved(app, rev, path),
                Ok(None) => {}
                Err(e) => app.say_error(format!("not saved: {e}")),
            }
        });
    } else {
        leptos::task::spawn_local(async move {
            match host::list().await {
                Ok(list) => app.save_as.set(Some(list)),
                Err(e) => app.say_error(e),
            }
        });
    }
}

fn write(app: App, path: String) {
    write_then(app, path, move |r| {
        if let Err(e) = r {
            app.say_error(format!("not saved: {e}"));
        }
    });
}

/// Writes the flow to `path` in the served folder; `done` hears how it went.
pub(crate) fn write_then(app: App, path: String, done: impl FnOnce(Result<(), String>) + 'static) {
    // An untitled flow takes the file's name.
    if app.editor.with_untracked(|e| e.flow().name == "untitled") {
        let stem = file_name(&path)
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml")
            .to_string();
        if knflow_model::validate::names::dns1123_label(&stem).is_ok() {
            app.edit(Edit::SetFlowName(stem));
        }
    }
    let text = app.editor.with_untracked(Editor::save_text);
    let rev = app.editor.with_untracked(Editor::revision);
    leptos::task::spawn_local(async move {
        match host::save(&path, &text).await {
            Ok(()) => {
                saved(app, rev, path);
                done(Ok(()));
            }
            Err(e) => done(Err(e)),
        }
    });
}

/// The text of revision `rev` is now in `path`.
fn saved(app: App, rev: u64, path: String) {
    app.editor.update(|e| {
        if e.revision() == rev {
            e.mark_saved();
        }
    });
    app.path.set(Some(path.clone()));
    app.disk_changed.set(false);
    set_hash(&path);
    app.say(format!("saved {path}"));
}

/// The last component of a path (the window title shows it).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn new_flow(app: App) {
    unless_keeping_unsaved(app, move || {
        start_new(app);
        set_hash("");
    });
}

/// An empty, untitled flow in place of the open one.
fn start_new(app: App) {
    app.editor.set(Editor::default());
    app.path.set(None);
    app.sim.set(None);
    host::forget_file();
}

fn duplicate_selection(app: App) {
    let ids: Vec<_> = app
        .editor
        .with_untracked(|e| e.selection().iter().cloned().collect());
    if app.edit(Edit::Duplicate { ids }) {
        canvas::keep_selected_in_view(&app, canvas::canvas_size());
    }
}

fn copy_selection(app: App) {
    let yaml = app.editor.with_untracked(Editor::copy);
    host::store("knflow.clipboard", &yaml);
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&yaml);
    }
}

pub(crate) fn paste(app: App) {
    // A copy can land beyond the canvas's edge (its original was near it): the view follows.
    if let Some(yaml) = host::stored("knflow.clipboard") {
        if app.edit(Edit::Paste { yaml }) {
            canvas::keep_selected_in_view(&app, canvas::canvas_size());
        }
    }
}

fn zoom(app: App, factor: f64) {
    let (w, h) = canvas::canvas_size();
    canvas::zoom_at(&app, w / 2.0, h / 2.0, factor);
}

fn fit(app: App) {
    canvas::fit(&app);
}

/// Lays the flow out anew and fits it into the view.
pub(crate) fn auto_layout(app: App) {
    let t0 = now();
    if app.edit(Edit::AutoLayout) {
        canvas::fit(&app);
    }
    // The layout and the views it changes (the browser benchmark reads it).
    record_timing("auto_layout_ms", now() - t0);
}

fn undo(app: App) {
    app.editor.update(|e| {
        e.undo();
    });
}

fn redo(app: App) {
    app.editor.update(|e| {
        e.redo();
    });
}

/// Which editing actions can do something now. The toolbar's buttons and the desktop app's
/// menu items are enabled from this one answer (reactive: read it in a memo).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Actions {
    pub undo: bool,
    pub redo: bool,
    /// Unsaved work, or a flow that is in no file yet.
    pub save: bool,
    /// A selected node or wire.
    pub delete: bool,
    /// Selected nodes (copy, duplicate).
    pub copy: bool,
    pub select_all: bool,
}

pub(crate) fn actions(app: App) -> Actions {
    let (undo, redo, dirty, nodes, any) = app.editor.with(|e| {
        (
            e.can_undo(),
            e.can_redo(),
            e.is_dirty(),
            !e.selection().is_empty(),
            !e.flow().is_empty(),
        )
    });
    Actions {
        undo,
        redo,
        save: dirty || app.path.with(Option::is_none),
        delete: nodes || app.wire.with(Option::is_some),
        copy: nodes,
        select_all: any,
    }
}

/// Deletes the selected wire's reference, else the selected nodes.
fn delete_selection(app: App) {
    let wire = app.wire.get_untracked().and_then(|key| {
        app.wires
            .with_untracked(|ws| ws.iter().find(|w| w.key == key).cloned())
    });
    if let Some(w) = wire {
        canvas::delete_wire(&app, &w);
        return;
    }
    let ids: Vec<_> = app
        .editor
        .with_untracked(|e| e.selection().iter().cloned().collect());
    if !ids.is_empty() {
        app.edit(Edit::Delete { ids });
    }
}

/// Undo and redo of typing in a text field on the desktop: WebKitGTK keeps a field's edit
/// history but binds no key to it (browsers bind Ctrl+Z themselves), and the app's Edit menu
/// leaves these keys to the field while it has the focus.
fn text_undo(ev: &web_sys::KeyboardEvent) {
    if !host::desktop() || !(ev.ctrl_key() || ev.meta_key()) {
        return;
    }
    let command = match ev.key().as_str() {
        "z" | "Z" if ev.shift_key() => "redo",
        "z" => "undo",
        "y" => "redo",
        _ => return,
    };
    let document = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok());
    if let Some(d) = document {
        ev.prevent_default();
        let _ = d.exec_command(command);
    }
}

fn in_text_field(ev: &web_sys::KeyboardEvent) -> bool {
    is_text_field(ev.target())
}

/// Whether keys typed at `target` edit text (an input, a text area, a select).
pub(crate) fn is_text_field(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("Ctrl+O", "Open a flow, or import Knative YAML"),
    ("Ctrl+S", "Save"),
    ("Ctrl+Shift+S", "Save as"),
    ("Delete / Backspace", "Delete the selection"),
    ("Ctrl+D", "Duplicate the selection"),
    ("Ctrl+C / Ctrl+V", "Copy / paste nodes"),
    ("Ctrl+A", "Select all"),
    ("Shift+click, Shift+drag", "Add to selection, box-select"),
    ("Drag the background", "Pan"),
    ("Wheel, + / -", "Zoom"),
    ("F", "Fit to view"),
    ("L", "Auto layout"),
    ("Arrows", "Move the selection (Shift: 10×)"),
    ("Escape", "Clear the selection, close dialogs"),
    ("?", "This help"),
];

/// The desktop app's menu accelerators that have no key of the page's own.
const DESKTOP_SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+N", "New flow"),
    ("Ctrl+Q", "Quit"),
    ("Ctrl+0 / Ctrl+L", "Fit to view / Auto layout"),
    ("Ctrl+= / Ctrl+-", "Zoom in / out"),
    ("F1", "This help"),
    ("F10", "The menu bar"),
];

fn on_key(app: App, ev: web_sys::KeyboardEvent) {
    if in_text_field(&ev) {
        text_undo(&ev);
        return;
    }
    let ctrl = ev.ctrl_key() || ev.meta_key();
    let key = ev.key();
    let mut handled = true;
    match (ctrl, key.as_str()) {
        (true, "z") | (true, "Z") if ev.shift_key() => redo(app),
        (true, "z") => undo(app),
        (true, "y") => redo(app),
        (true, "s") | (true, "S") if ev.shift_key() => save_as(app),
        (true, "s") => save(app),
        (true, "o") => dialogs::show_open(app),
        (true, "a") => app.editor.update(|e| e.select_all()),
        (true, "d") => duplicate_selection(app),
        // Without selected nodes Ctrl+C copies the page's selected text, as everywhere.
        (true, "c") if app.editor.with_untracked(|e| !e.selection().is_empty()) => {
            copy_selection(app)
        }
        (true, "v") => paste(app),
        (false, "Delete") | (false, "Backspace") => delete_selection(app),
        // Escape closes the topmost dialog wherever the focus is (a question first).
        (false, "Escape") if app.confirm.with_untracked(Option::is_some) => dialogs::cancel(app),
        (false, "Escape") if app.save_as.with_untracked(Option::is_some) => app.save_as.set(None),
        (false, "Escape") if app.settings.get_untracked() => app.settings.set(false),
        (false, "Escape") if app.open.with_untracked(Option::is_some) => app.open.set(None),
        (false, "Escape") => {
            app.help.set(false);
            app.menu.set(None);
            app.wire.set(None);
            app.editor.update(|e| e.clear_selection());
        }
        (false, "?") => app.help.update(|h| *h = !*h),
        (false, "f") | (false, "F") => fit(app),
        (false, "l") | (false, "L") => auto_layout(app),
        (false, "+") | (false, "=") => zoom(app, 1.2),
        (false, "-") => zoom(app, 1.0 / 1.2),
        (false, k @ ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown")) => {
            let step = if ev.shift_key() { 100.0 } else { 10.0 };
            let (dx, dy) = match k {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                _ => (0.0, step),
            };
            let ids: Vec<_> = app
                .editor
                .with_untracked(|e| e.selection().iter().cloned().collect());
            if ids.is_empty() {
                handled = false;
            } else {
                app.edit(Edit::Move { ids, dx, dy });
            }
        }
        _ => handled = false,
    }
    if handled {
        ev.prevent_default();
    }
}

#[component]
fn Toolbar(app: App) -> impl IntoView {
    let can = Memo::new(move |_| actions(app));
    // A memo, so the title (and the desktop's window title command) changes only when the
    // file or its unsaved state does, not on every edit.
    let file = Memo::new(move |_| {
        let name = app.path.get().unwrap_or_else(|| "untitled".into());
        (name, app.editor.with(Editor::is_dirty))
    });
    let title = move || {
        let (name, dirty) = file.get();
        format!("{}{name}", if dirty { "● " } else { "" })
    };
    Effect::new(move |_| {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(&format!("{} — knflow", title()));
        }
        let (name, dirty) = file.get();
        host::set_title(file_name(&name), dirty);
    });
    view! {
        <header class="toolbar">
            <span class="brand">"knflow"</span>
            <button on:click=handle::mouse(move |_| new_flow(app))>"New flow"</button>
            <button on:click=handle::mouse(move |_| dialogs::show_open(app)) title="Ctrl+O">"Open"</button>
            <button on:click=handle::mouse(move |_| save(app)) disabled=move || !can.get().save title="Ctrl+S">"Save"</button>
            <button on:click=handle::mouse(move |_| save_as(app)) title="Ctrl+Shift+S">"Save as"</button>
            <span class="sep"></span>
            <button on:click=handle::mouse(move |_| undo(app)) disabled=move || !can.get().undo title="Ctrl+Z">"Undo"</button>
            <button on:click=handle::mouse(move |_| redo(app)) disabled=move || !can.get().redo title="Ctrl+Shift+Z">"Redo"</button>
            <button on:click=handle::mouse(move |_| auto_layout(app)) title="L">"Auto layout"</button>
            <button on:click=handle::mouse(move |_| app.settings.set(true))>"Flow settings"</button>
            <button on:click=handle::mouse(move |_| delete_selection(app)) disabled=move || !can.get().delete title="Delete">"Delete"</button>
            <span class="sep"></span>
            <span class="file" aria-label="File">{title}</span>
            <span class="grow"></span>
            <button aria-label="Toggle theme" on:click=handle::mouse(move |_| app.dark.update(|d| *d = !*d))>{move || if app.dark.get() { "☀ Light" } else { "☾ Dark" }}</button>
            <button aria-label="Keyboard shortcuts" on:click=handle::mouse(move |_| app.help.update(|h| *h = !*h))>"?"</button>
        </header>
    }
}

#[component]
fn Root() -> impl IntoView {
    let app = App::new(Editor::default());
    let recovery = RwSignal::new(None::<(String, String)>);

    // Theme: remembered, applied to the document.
    app.dark.set(host::stored(THEME).as_deref() == Some("dark"));
    Effect::new(move |_| {
        let dark = app.dark.get();
        host::store(THEME, if dark { "dark" } else { "light" });
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = el.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
    });

    // First flow: on the desktop the app's (command line, recent, example); in a browser the
    // one in the address (#path); else a recovered or empty one.
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .filter(|h| !h.is_empty());
    let saved = autosaved();
    if host::desktop() {
        desktop::start(app, recovery, saved);
    } else {
        match (&hash, &saved) {
            (Some(path), _) => {
                let path = path.clone();
                leptos::task::spawn_local(async move {
                    record_timing("flow_asked_at_ms", now());
                    match host::read(&path).await {
                        Ok(text) => open_first(app, Some(path), &text, saved, recovery),
                        Err(e) => app.say_error(format!("{path}: {e}")),
                    }
                });
            }
            (None, Some((p, t))) if !t.is_empty() => recovery.set(Some((p.clone(), t.clone()))),
            _ => {}
        }
    }

    // Autosave after a pause in editing (serialising a big flow on every drag would stutter);
    // the recovery offer reads it after a crash or reload.
    Effect::new(move |prev: Option<u64>| {
        let rev = app.editor.with(Editor::revision);
        if prev.is_some_and(|p| p != rev) {
            set_timeout(
                move || {
                    if app.editor.with_untracked(Editor::revision) != rev {
                        return; // a later edit schedules its own save
                    }
                    autosave_now(app);
                },
                std::time::Duration::from_millis(400),
            );
        }
        rev
    });

    let keys = window_event_listener(leptos::ev::keydown, move |ev| on_key(app, ev));
    let unload = window_event_listener(
        leptos::ev::beforeunload,
        move |ev: web_sys::BeforeUnloadEvent| {
            if app.editor.with_untracked(Editor::is_dirty) {
                // Whatever the user answers, the work is in local storage first.
                autosave_now(app);
                ev.prevent_default();
                ev.set_return_value("unsaved changes");
            }
        },
    );
    // A click anywhere else closes the context menu (the menu keeps its own clicks).
    let clicks = window_event_listener(leptos::ev::pointerdown, move |_| {
        if app.menu.with_untracked(Option::is_some) {
            app.menu.set(None);
        }
    });
    // The address names the open flow: a changed address (typed, Back, Forward) opens the
    // flow it names, after asking about unsaved work; Cancel puts the address back.
    let address = window_event_listener(leptos::ev::hashchange, move |_| {
        let want = address_path();
        let have = app.path.get_untracked();
        if want == have {
            return;
        }
        let back: dialogs::Answer =
            std::sync::Arc::new(move || restore_address(have.as_deref().unwrap_or_default()));
        // An address without a file (Back to a new flow's entry) is a new, untitled flow.
        match want {
            Some(want) => {
                dialogs::unless_keeping_unsaved(app, move || open_path(app, want), Some(back))
            }
            None => dialogs::unless_keeping_unsaved(app, move || start_new(app), Some(back)),
        }
    });
    // They listen for the page's lifetime.
    std::mem::forget((keys, unload, clicks, address));

    view! {
        <div class="app">
            <Toolbar app=app/>
            {erase::view(move || recovery.get().map(|(p, t)| view! {
                <div class="banner" role="alert">
                    <span>{format!("Unsaved changes to {} were kept from a previous session.", if p.is_empty() { "an untitled flow".to_string() } else { p.clone() })}</span>
                    <button on:click=handle::mouse(move |_| {
                        let path = (!p.is_empty()).then(|| p.clone());
                        if open_text(app, &t, path) {
                            // Recovered work is unsaved work.
                            app.editor.update(Editor::mark_unsaved);
                        }
                        recovery.set(None);
                    })>"Recover"</button>
                    <button on:click=handle::mouse(move |_| { forget_unsaved(); recovery.set(None); })>"Discard"</button>
                </div>
            }))}
            {erase::view(move || app.open_failed.get().map(|text| view! {
                <div class="banner error" role="alert">
                    <span>{text}</span>
                    <button on:click=handle::mouse(move |_| app.open_failed.set(None))>"Dismiss"</button>
                </div>
            }))}
            <main class="workspace">
                <palette::Palette app=app/>
                <canvas::Canvas app=app/>
                <inspector::Inspector app=app/>
            </main>
            <dock::Dock app=app/>
            <footer class="status" role="status" aria-live="polite">
                {erase::view(move || app.status.get().map(|(err, text)| view! { <span class:error=err>{text}</span> }))}
                <span class="grow"></span>
                <span>{move || {
                    let (e, w) = app.diagnostics.with(|d| (
                        d.iter().filter(|x| x.severity == knflow_model::Severity::Error).count(),
                        d.iter().filter(|x| x.severity == knflow_model::Severity::Warning).count()));
                    {
                        let n = app.editor.with(|ed| ed.flow().len());
                        let plural = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
                        format!("{} · {} · {}", plural(n, "resource", "resources"), plural(e, "error", "errors"), plural(w, "warning", "warnings"))
                    }
                }}</span>
            </footer>
            <dialogs::OpenDialog app=app/>
            {erase::view(move || app.tip.get().map(|(x, y, text, _)| view! {
                <div class="tip" role="alert" style=format!("left: {}px; top: {}px", knflow_model::num::Fixed(x + 14.0, 0), knflow_model::num::Fixed(y + 14.0, 0))>{text}</div>
            }))}
            <dialogs::SaveAsDialog app=app/>
            <dialogs::FlowSettingsDialog app=app/>
            // Last: a question is above the dialog that asked it.
            <dialogs::ConfirmDialog app=app/>
            <Show when=move || app.help.get()>
                <div class="overlay" role="dialog" aria-label="Keyboard shortcuts" on:click=handle::mouse(move |_| app.help.set(false))>
                    <div class="dialog">
                        <h2>"Keyboard shortcuts"</h2>
                        <table>{SHORTCUTS.iter().chain(if host::desktop() { DESKTOP_SHORTCUTS } else { &[] })
                            .map(|(k, what)| view! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }).collect_view()}</table>
                        <div class="actions"><button type="button" class="primary">"Close"</button></div>
                    </div>
                </div>
            </Show>
        </div>
    }
}
