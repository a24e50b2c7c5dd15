//! `kn-flow validate`.

use std::path::{Path, PathBuf};

use knflow_model::validate::{self, Options};
use knflow_model::{Diagnostic, Severity};
use serde_json::json;

use crate::{exit, files, Output};

/// Reads every CRD in a file or a folder (recursively).
fn read_crds(path: &Path) -> Result<knflow_k8s::crds::CrdSet, String> {
    let from_cluster = path.as_os_str() == "cluster" && !path.exists();
    let mut docs = if from_cluster {
        crate::cluster_cmd::crds()?
    } else {
        Vec::new()
    };
    let paths = if from_cluster {
        Vec::new()
    } else {
        files::walk(&[path.to_path_buf()])?
    };
    for p in paths {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
        let parsed = knflow_model::yaml::parse_documents(&text)
            .map_err(|e| format!("{}:{e}", p.display()))?;
        for d in parsed {
            // `kubectl get crd -o yaml` gives a List.
            match d.value.get("items").and_then(|i| i.as_array()) {
                Some(items) => docs.extend(items.iter().cloned()),
                None => docs.push(d.value),
            }
        }
    }
    let set = knflow_k8s::crds::CrdSet::from_documents(&docs)?;
    if set.is_empty() {
        return Err(format!(
            "{}: no CustomResourceDefinition found",
            path.display()
        ));
    }
    Ok(set)
}

/// Applies every clear fix to the flow in `path` (rounds until none is left or nothing more
/// applies) and writes it atomically; returns what was done.
fn apply_fixes(path: &Path, opts: Options) -> Result<Vec<String>, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    // What loading could not take is fixed first (a duplicate kept under a new name), if that
    // is all that stands in the way; otherwise the report says why the file is unreadable.
    let loaded = knflow_model::load_str(&text, &name);
    let errors: Vec<_> = loaded
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == knflow_model::Severity::Error)
        .collect();
    if errors.iter().any(|d| d.fix.is_none()) {
        return Ok(Vec::new());
    }
    let mut editor = knflow_editor::Editor::new(loaded.flow);
    let mut done = Vec::new();
    for d in errors {
        let fix = d.fix.expect("checked above");
        let what = format!("{name}: {}: {}", d.resource.unwrap_or_default(), fix.title);
        editor.apply_fix(&fix).map_err(|e| format!("{what}: {e}"))?;
        done.push(what);
    }
    for _ in 0..3 {
        let mut ds = validate::validate(editor.flow(), opts);
        ds.extend(knflow_model::lint::lint(editor.flow()));
        ds.extend(knflow_sim::event_type_lints(editor.flow()));
        knflow_model::fixes::attach(editor.flow(), &mut ds);
        let before = done.len();
        for d in ds {
            let Some(fix) = d.fix else { continue };
            let what = format!("{name}: {}: {}", d.resource.unwrap_or_default(), fix.title);
            match editor.apply_fix(&fix) {
                Ok(()) => done.push(what),
                Err(e) => eprintln!("kn-flow: {what}: not applied: {e}"),
            }
        }
        if done.len() == before {
            break;
        }
    }
    if !done.is_empty() {
        files::write_atomic(path, &editor.save_text())
            .map_err(|e| format!("{name}: cannot write: {e}"))?;
    }
    Ok(done)
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    paths: &[PathBuf],
    output: Output,
    fix: bool,
    deny_warnings: bool,
    strict: bool,
    previous: Option<&Path>,
    crds: Option<&Path>,
) -> u8 {
    let crds = match crds.map(read_crds).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let files = match files::expand(paths) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!(
                "kn-flow: no YAML files found in {}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let previous = match previous.map(files::load).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let opts = Options { strict };
    if fix {
        for path in &files {
            match apply_fixes(path, opts) {
                Ok(done) => done.iter().for_each(|d| eprintln!("fixed {d}")),
                Err(e) => {
                    eprintln!("kn-flow: {e}");
                    return exit::USAGE;
                }
            }
        }
    }
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &files {
        let loaded = match files::load(path) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        };
        let mut checked = knflow_model::check(&loaded, opts);
        checked.extend(knflow_sim::event_type_lints(&loaded.flow));
        knflow_model::fixes::attach(&loaded.flow, &mut checked);
        all.extend(checked);
        if let Some(set) = &crds {
            for r in loaded.flow.resources() {
                // Validate what will be applied: the exported form of the resource.
                let m = knflow_k8s::export::manifest(&loaded.flow, r, &Default::default());
                let mut d: Vec<Diagnostic> = set
                    .validate(&m)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| {
                        Diagnostic::error("crd-schema", e.message)
                            .at(e.path)
                            .on(&r.id)
                    })
                    .collect();
                validate::position(r, &mut d);
                all.extend(d);
            }
        }
        if let Some(prev) = &previous {
            for r in loaded.flow.resources() {
                if let Some(old) = prev.flow.get(&r.id) {
                    let mut d = validate::check_update(old, r);
                    validate::position(r, &mut d);
                    all.extend(d);
                }
            }
        }
    }
    let count = |s: Severity| all.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    match output {
        Output::Json => {
            let report = json!({
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "diagnostics": all,
                "summary": { "errors": errors, "warnings": warnings, "infos": infos },
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("serializable")
            );
        }
        Output::Text => {
            for d in &all {
                println!("{d}");
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "{}, {} in {}",
                plural(errors, "error"),
                plural(warnings, "warning"),
                plural(files.len(), "file")
            );
        }
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
