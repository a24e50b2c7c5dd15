//! knflow's desktop app: the designer (`ui/`, the same build `kn-flow serve` serves) in a Tauri v2
//! window, with native file dialogs, recent files, a file watcher, the cluster panel and live
//! mode as commands. The designer reaches them through its host abstraction (`ui/src/host.rs`).
//!
//! The logic lives in `files`, `watch` and `cluster` (and in `knflow-k8s` / `knflow-live`);
//! `commands` and this module only wire it to Tauri.

pub mod chooser;
pub mod cluster;
pub mod commands;
pub mod files;
mod menu;
pub mod watch;

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use clap::Parser;
use serde_json::json;
use tauri::{Emitter, Manager, WindowEvent};

use commands::Desktop;

/// The one window's label (tauri.conf.json).
pub const MAIN: &str = "main";

/// knflow's desktop designer for Knative Eventing flows.
#[derive(Parser, Debug)]
#[command(name = "knflow-desktop", version, about)]
struct Args {
    /// A flow file (or Knative YAML) to open; default: the most recent one, else an example.
    flow: Option<PathBuf>,
}

/// Knative YAML → a flow file with a layout (the designer's Import).
pub fn import_yaml(yaml: &str) -> Result<String, String> {
    knflow_model::flowfile::import_string("imported", yaml, "import.yaml")
}

pub fn run() {
    let args = Args::parse();
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(move |app| {
            let handle = app.handle().clone();
            let config = app.path().app_config_dir()?;
            let desktop = Desktop::new(&config, args.flow.clone(), move |path, text| {
                let payload = json!({"path": path.display().to_string(), "text": text});
                let _ = handle.emit_to(MAIN, "flow-changed", payload);
            });
            app.manage(desktop);
            let (menu, items) = menu::build(app.handle())?;
            app.set_menu(menu)?;
            app.manage(items);
            Ok(())
        })
        .on_menu_event(|app, ev| menu::on_event(app, ev.id().as_ref()))
        .on_window_event(|window, ev| {
            if let WindowEvent::CloseRequested { api, .. } = ev {
                let dirty = window.state::<Desktop>().dirty.load(Ordering::SeqCst);
                if dirty {
                    // The designer asks (its own question, centred on the window) and closes
                    // the window itself if the user chooses to lose the work.
                    api.prevent_close();
                    let _ = window.emit_to(MAIN, "close-requested", ());
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::initial_flow,
            commands::open_flow,
            commands::save_flow,
            commands::recent_files,
            commands::set_title,
            commands::close_window,
            commands::set_menu_state,
            commands::menu_state,
            commands::forget_file,
            commands::forget_recent,
            commands::import_yaml,
            commands::cluster_contexts,
            commands::cluster_connect,
            commands::cluster_diff,
            commands::cluster_apply,
            commands::cluster_wait,
            commands::cluster_import,
            commands::live_start,
            commands::live_stop,
            commands::live_status,
        ])
        .run(tauri::generate_context!())
        .expect("knflow-desktop: cannot start the app");
}
