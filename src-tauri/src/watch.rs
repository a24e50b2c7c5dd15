//! Watches the open flow file and reports when its content changes on disk (another editor,
//! `git checkout`, `kn-flow fmt`). The app's own saves are not reported: the watcher knows the
//! text it last read or wrote and only reports different text.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::{RecursiveMode, Watcher};

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
        let seen = state.clone();
        let watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(ev) = ev else { return };
            if ev.kind.is_access() {
                return;
            }
            let mut w = seen.lock().unwrap();
            let Some(path) = w.path.clone() else { return };
            if !ev.paths.iter().any(|p| p == &path) {
                return;
            }
            // A file being rewritten in place can be read half-written; the event of the last
            // write brings the whole text, and equal text is never reported twice.
            let Ok(text) = std::fs::read_to_string(&path) else {
                return;
            };
            if text != w.known {
                w.known = text.clone();
                drop(w);
                on_change(path, text);
            }
        })
        .ok();
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
