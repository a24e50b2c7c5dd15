//! The native file choosers (Browse…, Save as), made with GTK directly so that they belong to
//! the app's window: transient for it, centred on it, modal, and closed by Escape. (The dialog
//! plugin's GTK backend makes parentless dialogs, which open at the screen's corner.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gtk::prelude::*;
use tauri::WebviewWindow;

/// What a chooser is for.
pub enum Purpose {
    /// Open, starting beside this file (the open one), if any.
    Open(Option<String>),
    /// Save, with a suggested file name or path.
    Save(Option<String>),
}

/// The folder a chooser starts in and the name it suggests: beside the file given (the open
/// one), else the home folder; never the process's working folder, which a desktop user does
/// not choose.
pub fn start(file: Option<&str>) -> (Option<PathBuf>, Option<String>) {
    let path = file.map(Path::new);
    let dir = path
        .and_then(Path::parent)
        .filter(|d| d.is_absolute() && d.is_dir())
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from));
    let name = path
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    (dir, name)
}

/// Shows the chooser over `window`; the chosen path, or None when the user cancelled.
pub async fn choose(window: &WebviewWindow, purpose: Purpose) -> Result<Option<PathBuf>, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let w = window.clone();
    // GTK lives on the main thread.
    window
        .run_on_main_thread(move || {
            let parent = match w.gtk_window() {
                Ok(p) => p,
                Err(e) => {
                    if let Some(tx) = tx.lock().unwrap().take() {
                        let _ = tx.send(Err(e.to_string()));
                    }
                    return;
                }
            };
            let dialog = dialog(&parent, &purpose);
            dialog.connect_response(move |d, response| {
                let path = (response == gtk::ResponseType::Accept)
                    .then(|| d.filename())
                    .flatten();
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(Ok(path));
                }
                d.close();
            });
            dialog.show();
        })
        .map_err(|e| e.to_string())?;
    rx.await
        .map_err(|_| "the file chooser went away".to_string())?
}

fn dialog(parent: &gtk::ApplicationWindow, purpose: &Purpose) -> gtk::FileChooserDialog {
    let (title, action, accept, near) = match purpose {
        Purpose::Open(near) => ("Open flow", gtk::FileChooserAction::Open, "_Open", near),
        Purpose::Save(near) => ("Save flow as", gtk::FileChooserAction::Save, "_Save", near),
    };
    let dialog = gtk::FileChooserDialog::with_buttons(
        Some(title),
        Some(parent),
        action,
        &[
            ("_Cancel", gtk::ResponseType::Cancel),
            (accept, gtk::ResponseType::Accept),
        ],
    );
    dialog.set_modal(true);
    dialog.set_position(gtk::WindowPosition::CenterOnParent);
    dialog.set_default_response(gtk::ResponseType::Accept);
    let (dir, name) = start(near.as_deref());
    if let Some(dir) = dir {
        dialog.set_current_folder(dir);
    }
    let filter = gtk::FileFilter::new();
    match purpose {
        Purpose::Open(_) => {
            filter.set_name(Some("Flows and Knative YAML"));
            for p in ["*.yaml", "*.yml", "*.json"] {
                filter.add_pattern(p);
            }
        }
        Purpose::Save(_) => {
            filter.set_name(Some("Flow"));
            for p in ["*.yaml", "*.yml"] {
                filter.add_pattern(p);
            }
            dialog.set_do_overwrite_confirmation(true);
            if let Some(name) = name {
                dialog.set_current_name(&name);
            }
        }
    }
    dialog.add_filter(filter);
    dialog
}
