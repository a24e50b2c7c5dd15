//! `kn-flow validate`.

use std::path::{Path, PathBuf};

use knflow_model::validate::{self, Options};
use knflow_model::{Diagnostic, Severity};
use serde_json::json;

use crate::{exit, files, Output};

pub fn run(
    paths: &[PathBuf],
    output: Output,
    deny_warnings: bool,
    strict: bool,
    previous: Option<&Path>,
) -> u8 {
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
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &files {
        let loaded = match files::load(path) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        };
        all.extend(knflow_model::check(&loaded, opts));
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
