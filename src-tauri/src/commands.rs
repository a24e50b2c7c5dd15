//! The commands the designer invokes (`window.__TAURI__.core.invoke`). Each is a thin edge over
//! `files`, `cluster` and `knflow_live`, which hold the logic (and the tests).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use knflow_k8s::cluster::Target;
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, State, WebviewWindow};

use crate::chooser::Purpose;
use crate::files::{self, Recent};
use crate::watch::FileWatch;

/// The flow the designer shows when nothing else is asked for.
pub const EXAMPLE_FLOW: &str = include_str!("../../flows/hello-ping.yaml");

/// The app's state, shared by every command.
pub struct Desktop {
    pub recent: Mutex<Recent>,
    /// Whether the designer has unsaved work (closing then asks first).
    pub dirty: AtomicBool,
    pub watch: Mutex<FileWatch>,
    pub live: tokio::sync::Mutex<Option<Live>>,
    /// The flow named on the command line, opened first.
    pub start: Option<PathBuf>,
}

/// The flow running live, and the task forwarding its hops to the web view.
pub struct Live {
    session: knflow_live::Session,
    forward: tokio::task::JoinHandle<()>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

/// A flow file opened: its absolute path (none for the built-in example) and text.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Opened {
    pub path: Option<String>,
    pub text: String,
}

impl Desktop {
    /// The state of an app whose settings live in `config_dir`; `on_change(path, text)` hears
    /// of the open file changing on disk; `start` is the flow named on the command line.
    pub fn new(
        config_dir: &Path,
        start: Option<PathBuf>,
        on_change: impl Fn(PathBuf, String) + Send + 'static,
    ) -> Desktop {
        Desktop {
            recent: Mutex::new(Recent::load(config_dir.join("recent.json"))),
            dirty: AtomicBool::new(false),
            watch: Mutex::new(FileWatch::new(on_change)),
            live: Default::default(),
            start,
        }
    }

    /// Reads a flow, remembers it as recent and watches it for changes on disk.
    pub fn open(&self, path: &Path) -> Result<Opened, String> {
        let path = files::absolute(path);
        let text = files::read_flow(&path)?;
        self.recent.lock().unwrap().push(&path);
        self.watch.lock().unwrap().watch(&path, &text);
        Ok(Opened {
            path: Some(path.display().to_string()),
            text,
        })
    }

    /// Saves atomically, remembers it as recent, and tells the watcher this text is ours.
    pub fn save(&self, path: &Path, text: &str) -> Result<String, String> {
        let path = files::absolute(path);
        // The watcher learns the text before it hits the disk, or it could report the save.
        self.watch.lock().unwrap().watch(&path, text);
        files::write_flow(&path, text)?;
        self.recent.lock().unwrap().push(&path);
        Ok(path.display().to_string())
    }

    /// What the designer opens at start: the command line's flow, else the most recent file
    /// that still exists, else the built-in example.
    pub fn initial(&self) -> Result<Opened, String> {
        if let Some(p) = &self.start {
            return self.open(p);
        }
        let recent = self.recent.lock().unwrap().existing();
        if let Some(opened) = recent.first().and_then(|p| self.open(p).ok()) {
            return Ok(opened);
        }
        Ok(Opened {
            path: None,
            text: EXAMPLE_FLOW.to_string(),
        })
    }

    pub fn recent(&self) -> Vec<String> {
        self.recent
            .lock()
            .unwrap()
            .existing()
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }
}

/// `● name — knflow` while there are unsaved changes.
pub fn window_title(name: &str, dirty: bool) -> String {
    format!("{}{name} — knflow", if dirty { "● " } else { "" })
}

fn target(context: Option<String>, namespace: Option<String>) -> Target {
    Target {
        context: context.filter(|c| !c.is_empty()),
        namespace: namespace.filter(|n| !n.is_empty()),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub fn initial_flow(state: State<'_, Desktop>) -> Result<Opened, String> {
    state.initial()
}

/// Opens `path`, or asks for a file with the native chooser, in the folder of `near` (the open
/// file) if given (None: the user cancelled).
#[tauri::command(rename_all = "snake_case")]
pub async fn open_flow(
    window: WebviewWindow,
    state: State<'_, Desktop>,
    path: Option<String>,
    near: Option<String>,
) -> Result<Option<Opened>, String> {
    let path = match path {
        Some(p) => PathBuf::from(p),
        None => match crate::chooser::choose(&window, Purpose::Open(near)).await? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    state.open(&path).map(Some)
}

/// Saves to `path`, or asks where with the native chooser (Save As; None: cancelled).
#[tauri::command(rename_all = "snake_case")]
pub async fn save_flow(
    window: WebviewWindow,
    state: State<'_, Desktop>,
    path: Option<String>,
    text: String,
    suggested: Option<String>,
) -> Result<Option<String>, String> {
    let path = match path {
        Some(p) => PathBuf::from(p),
        None => match crate::chooser::choose(&window, Purpose::Save(suggested)).await? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    state.save(&path, &text).map(Some)
}

#[tauri::command(rename_all = "snake_case")]
pub fn recent_files(state: State<'_, Desktop>) -> Vec<String> {
    state.recent()
}

/// The designer reports its file name and unsaved state: the window title shows both, and
/// closing the window asks first while there is unsaved work.
#[tauri::command(rename_all = "snake_case")]
pub fn set_title(window: WebviewWindow, state: State<'_, Desktop>, name: String, dirty: bool) {
    state.dirty.store(dirty, Ordering::SeqCst);
    let _ = window.set_title(&window_title(&name, dirty));
}

/// The user chose to close the window and lose unsaved work (the designer asked).
#[tauri::command(rename_all = "snake_case")]
pub fn close_window(window: WebviewWindow) {
    let _ = window.destroy();
}

/// The designer says which menu items can act now (`{"undo": false, ...}`).
#[tauri::command(rename_all = "snake_case")]
pub fn set_menu_state(app: AppHandle, state: BTreeMap<String, bool>) {
    if let Some(items) = app.try_state::<crate::menu::Items<tauri::Wry>>() {
        items.set(&state);
    }
}

/// Every menu item's label and enabled state as the menu shows them (for tests and tools
/// that drive the app over WebDriver, which cannot see native menus).
#[tauri::command(rename_all = "snake_case")]
pub fn menu_state(app: AppHandle) -> Value {
    app.try_state::<crate::menu::Items<tauri::Wry>>()
        .map_or(Value::Null, |i| i.state())
}

/// The designer has no file any more (New flow): stop watching the old one.
#[tauri::command(rename_all = "snake_case")]
pub fn forget_file(state: State<'_, Desktop>) {
    state.watch.lock().unwrap().clear();
}

/// The designer could not open `path`: it is no recent file.
#[tauri::command(rename_all = "snake_case")]
pub fn forget_recent(state: State<'_, Desktop>, path: String) {
    state
        .recent
        .lock()
        .unwrap()
        .forget(&files::absolute(Path::new(&path)));
}

/// Knative YAML → a flow file with a layout.
#[tauri::command(rename_all = "snake_case")]
pub fn import_yaml(yaml: String) -> Result<String, String> {
    crate::import_yaml(&yaml)
}

#[tauri::command(rename_all = "snake_case")]
pub fn cluster_contexts() -> Result<Value, String> {
    crate::cluster::contexts()
}

/// Connects with the chosen context: the server, its namespace and namespaces, or why not.
#[tauri::command(rename_all = "snake_case")]
pub async fn cluster_connect(
    context: Option<String>,
    namespace: Option<String>,
) -> Result<Value, String> {
    crate::cluster::connect(&target(context, namespace)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cluster_diff(
    flow: String,
    context: Option<String>,
    namespace: Option<String>,
) -> Result<Value, String> {
    crate::cluster::diff(&flow, &target(context, namespace)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cluster_apply(
    flow: String,
    context: Option<String>,
    namespace: Option<String>,
    dry_run: bool,
    force_conflicts: bool,
) -> Result<Value, String> {
    crate::cluster::apply(&flow, &target(context, namespace), dry_run, force_conflicts).await
}

/// Watches readiness; each polling round is a `cluster-progress` event.
#[tauri::command(rename_all = "snake_case")]
pub async fn cluster_wait(
    app: AppHandle,
    flow: String,
    context: Option<String>,
    namespace: Option<String>,
    timeout_secs: u64,
) -> Result<Value, String> {
    crate::cluster::wait(
        &flow,
        &target(context, namespace),
        Duration::from_secs(timeout_secs.clamp(1, 3600)),
        Duration::from_millis(500),
        |p| {
            let _ = app.emit_to(crate::MAIN, "cluster-progress", p);
        },
    )
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cluster_import(
    context: Option<String>,
    namespace: Option<String>,
    all_namespaces: bool,
) -> Result<String, String> {
    crate::cluster::import(&target(context, namespace), all_namespaces).await
}

/// Runs the flow live (restarting it if one runs); its hops become `live-hop` events.
#[tauri::command(rename_all = "snake_case")]
pub async fn live_start(
    app: AppHandle,
    state: State<'_, Desktop>,
    flow: String,
) -> Result<Value, String> {
    let mut live = state.live.lock().await;
    if let Some(mut old) = live.take() {
        old.session.stop().await;
    }
    let session = knflow_live::Session::start(&flow)
        .await
        .map_err(|e| e.to_string())?;
    let mut hops = session.tap();
    let forward = tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match hops.recv().await {
                Ok(line) => {
                    let _ = app.emit_to(crate::MAIN, "live-hop", line);
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
    *live = Some(Live { session, forward });
    Ok(knflow_live::status(live.as_ref().map(|l| &l.session)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn live_stop(state: State<'_, Desktop>) -> Result<Value, String> {
    if let Some(mut live) = state.live.lock().await.take() {
        live.session.stop().await;
    }
    Ok(knflow_live::status(None))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn live_status(state: State<'_, Desktop>) -> Result<Value, String> {
    Ok(knflow_live::status(
        state.live.lock().await.as_ref().map(|l| &l.session),
    ))
}
