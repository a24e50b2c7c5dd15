//! Reading flows from disk and writing them back atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use knflow_model::{flowfile, Loaded};

use crate::exit;

/// Expands folders into the YAML files they hold (sorted), keeping files as given.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads and loads a flow; I/O errors name the file.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Ok(flowfile::load_str(&text, &path.display().to_string()))
}

/// Reads a flow that must load without errors (commands that run it or write from it); the
/// error lists every problem with its position.
pub fn load_clean(path: &Path) -> Result<knflow_model::Flow, String> {
    let loaded = load(path)?;
    if loaded.has_errors() {
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}\n{}: fix the errors above first",
            msgs.join("\n"),
            path.display()
        ));
    }
    Ok(loaded.flow)
}

/// YAML and JSON files under `paths`: folders recursively, sorted; files named explicitly are
/// taken whatever their extension.
pub fn walk(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.iter().rev().cloned().collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = fs::read_dir(&p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            stack.extend(entries.into_iter().rev());
        } else if paths.contains(&p)
            || p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
    Ok(out)
}

/// Writes `contents` to `path` so that readers see the old or the new file, never half of one:
/// write a temporary file beside it, flush it to disk, then rename over the original.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kn-flow-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Upgrades the flow's objects written for retired API versions and says what changed, one
/// line per object and one per field (on stderr when stdout carries the flow); an upgraded
/// object the flow refuses is an error.
pub fn report_upgrades(origin: &str, flow: &mut knflow_model::Flow, to_stderr: bool) -> u8 {
    let mut code = exit::OK;
    let say = |line: String| {
        if to_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    for (id, done) in knflow_model::upgrade::upgrade_flow(flow) {
        match done {
            Ok(u) => {
                say(format!("{origin}: {id}: {} → {}", u.from, u.to));
                for c in &u.changes {
                    say(format!("  {c}"));
                }
            }
            Err(e) => {
                eprintln!("kn-flow: {origin}: {id}: not upgraded: {e}");
                code = exit::PROBLEMS;
            }
        }
    }
    code
}

pub fn fmt(paths: &[PathBuf], check: bool, relayout: bool, upgrade: bool) -> u8 {
    let files = match expand(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let mut code = exit::OK;
    for path in files {
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("kn-flow: {}: cannot read: {e}", path.display());
                code = exit::USAGE;
                continue;
            }
        };
        let loaded = flowfile::load_str(&text, &path.display().to_string());
        if loaded.has_errors() {
            for d in &loaded.diagnostics {
                eprintln!("{d}");
            }
            eprintln!(
                "kn-flow: {}: not formatted, fix the errors above first",
                path.display()
            );
            code = code.max(exit::PROBLEMS);
            continue;
        }
        let mut flow = loaded.flow;
        if upgrade {
            code = code.max(report_upgrades(
                &path.display().to_string(),
                &mut flow,
                false,
            ));
        }
        if relayout {
            knflow_model::layout::auto_layout(&mut flow);
        }
        let canonical = flowfile::save_string(&flow);
        if canonical == text {
            continue;
        }
        if check {
            println!("{}: not in canonical form", path.display());
            code = code.max(exit::PROBLEMS);
        } else if let Err(e) = write_atomic(&path, &canonical) {
            eprintln!("kn-flow: {}: cannot write: {e}", path.display());
            code = exit::USAGE;
        } else {
            println!("formatted {}", path.display());
        }
    }
    code
}
