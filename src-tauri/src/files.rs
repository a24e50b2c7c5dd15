//! Flow files on disk: reading, saving atomically, and the recent-files list kept between runs.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How many recent files the app remembers.
pub const RECENT_MAX: usize = 10;

/// Flow files are text; anything bigger than this is not one a designer should load whole.
const MAX_FLOW_BYTES: u64 = 64 * 1024 * 1024;

/// The text of a flow file, or an error that names the file.
pub fn read_flow(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{}: not a file", path.display()));
    }
    if meta.len() > MAX_FLOW_BYTES {
        return Err(format!(
            "{}: {} bytes is too big for a flow file",
            path.display(),
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Saves so that a crash leaves the old file or the new one, never half of one: a temporary
/// file in the same folder, flushed, then renamed over the original (its permissions kept).
pub fn write_flow(path: &Path, text: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: cannot save: {e}", path.display());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A new file gets the permissions any program's new file gets (0666 less the umask, which
    // the kernel takes off), not the temporary file's private 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".knflow-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The recent-files list, most recent first, stored as JSON in the app's config folder.
#[derive(Debug)]
pub struct Recent {
    file: PathBuf,
    paths: Vec<PathBuf>,
}

impl Recent {
    /// Loads the list from `file`; a missing or unreadable list starts empty.
    pub fn load(file: PathBuf) -> Recent {
        let paths = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| serde_json::from_str::<Vec<PathBuf>>(&t).ok())
            .unwrap_or_default();
        Recent { file, paths }
    }

    /// Puts `path` first (once), keeps at most [`RECENT_MAX`], and stores the list.
    pub fn push(&mut self, path: &Path) {
        self.paths.retain(|p| p != path);
        self.paths.insert(0, path.to_path_buf());
        self.paths.truncate(RECENT_MAX);
        self.store();
    }

    /// Drops `path` (it could not be opened), and stores the list.
    pub fn forget(&mut self, path: &Path) {
        self.paths.retain(|p| p != path);
        self.store();
    }

    /// The files that still exist, most recent first.
    pub fn existing(&self) -> Vec<PathBuf> {
        self.paths.iter().filter(|p| p.is_file()).cloned().collect()
    }

    fn store(&self) {
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string_pretty(&self.paths) {
            // The list is a convenience: failing to keep it must not fail an open or a save.
            let _ = write_flow(&self.file, &text);
        }
    }
}

/// A path as the app shows and remembers it: absolute, so a recent file opens from anywhere.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
