//! Watches the open flow file and reports when its content changes on disk (another editor,
//! `git checkout`, `kn-flow fmt`). The app's own saves are not reported: the watcher knows the
//! text it last read or wrote and only reports different text.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::{RecursiveMode, Watcher};

/// How long the file must be left alone before it is read.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

#[derive(Default)]
struct Watched {
    path: Option<PathBuf>,
    known: String,
}

/// The watcher of the one open file.
pub struct FileWatch {
    watcher: Option<notify::RecommendedWatcher>,
    dir: Option<PathBuf>,
    state: Arc<Mutex<Watched>>,
}

impl FileWatch {
    /// `on_change(path, text)` runs on the watcher's thread when the watched file's content
    /// becomes different from what the app knows.
    pub fn new(on_change: impl Fn(PathBuf, String) + Send + 'static) -> FileWatch {
        let state = Arc::new(Mutex::new(Watched::default()));
        let (touched, quiet) = std::sync::mpsc::channel::<()>();
        let seen = state.clone();
        let watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(ev) = ev else { return };
            if ev.kind.is_access() {
                return;
            }
            let ours = seen.lock().unwrap().path.clone();
            if ours.is_some_and(|p| ev.paths.contains(&p)) {
                let _ = touched.send(());
            }
        })
        .ok();
        let seen = state.clone();
        // A program writing in place truncates, then writes: the file is read only once it
        // has been quiet for a moment, so a half-written file is never reported.
        std::thread::spawn(move || {
            while quiet.recv().is_ok() {
                while quiet.recv_timeout(SETTLE).is_ok() {}
                let mut w = seen.lock().unwrap();
                let Some(path) = w.path.clone() else { continue };
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                if text != w.known {
                    w.known = text.clone();
                    drop(w);
                    on_change(path, text);
                }
            }
        });
        FileWatch {
            watcher,
            dir: None,
            state,
        }
    }

    /// Watches `path` (absolute), whose content the app now has as `known`. The folder is
    /// watched, not the file, so replacing the file by a rename (atomic saves) is seen too.
    pub fn watch(&mut self, path: &Path, known: &str) {
        let dir = path.parent().map(Path::to_path_buf);
        if let Some(w) = self.watcher.as_mut() {
            if self.dir != dir {
                if let Some(old) = self.dir.take() {
                    let _ = w.unwatch(&old);
                }
                if let Some(d) = &dir {
                    if w.watch(d, RecursiveMode::NonRecursive).is_ok() {
                        self.dir = Some(d.clone());
                    }
                }
            }
        }
        let mut s = self.state.lock().unwrap();
        s.path = Some(path.to_path_buf());
        s.known = known.to_string();
    }

    /// Stops reporting (the flow is now untitled).
    pub fn clear(&mut self) {
        if let (Some(w), Some(d)) = (self.watcher.as_mut(), self.dir.take()) {
            let _ = w.unwatch(&d);
        }
        *self.state.lock().unwrap() = Watched::default();
    }
}
