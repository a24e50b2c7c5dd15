//! `kn-flow import`: Knative YAML files and folders → one flow with an automatic layout.

use std::path::{Path, PathBuf};

use knflow_model::{flowfile, layout, Severity};

use crate::{exit, files};

pub fn run(inputs: &[PathBuf], output: &Path, name: Option<String>, with_defaults: bool) -> u8 {
    let files_in = match files::walk(inputs) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("kn-flow: no YAML files found");
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let mut parts = Vec::new();
    let mut bad_files = 0;
    for f in &files_in {
        match files::load(f) {
            Ok(l) if l.has_errors() => {
                // One broken file must not stop the others: report it and import the rest.
                for d in &l.diagnostics {
                    eprintln!("{d}");
                }
                eprintln!("kn-flow: {}: skipped", f.display());
                bad_files += 1;
            }
            Ok(l) => parts.push(l),
            Err(e) => {
                eprintln!("kn-flow: {e}");
                bad_files += 1;
            }
        }
    }
    let flow_name = name.unwrap_or_else(|| {
        let stem = output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem.is_empty() || stem == "-" {
            "imported".into()
        } else {
            stem
        }
    });
    let mut merged = flowfile::merge(&flow_name, parts);
    if with_defaults {
        let ids: Vec<_> = merged
            .flow
            .resources()
            .map(|r| {
                (
                    r.id.clone(),
                    r.manifest.clone(),
                    merged.flow.namespace_of(r).unwrap_or("default").to_string(),
                )
            })
            .collect();
        for (id, mut manifest, ns) in ids {
            knflow_k8s::defaults::apply(&mut manifest, &ns);
            if let Err(e) = merged.flow.replace(&id, manifest) {
                eprintln!("kn-flow: {id}: {e}");
            }
        }
    }
    for d in &merged.diagnostics {
        eprintln!("{d}");
    }
    layout::auto_layout(&mut merged.flow);
    let text = flowfile::save_string(&merged.flow);
    let written = if output.as_os_str() == "-" {
        print!("{text}");
        Ok(())
    } else {
        files::write_atomic(output, &text)
    };
    if let Err(e) = written {
        eprintln!("kn-flow: {}: cannot write: {e}", output.display());
        return exit::USAGE;
    }
    if output.as_os_str() != "-" {
        eprintln!(
            "imported {} resources from {} file(s) into {}",
            merged.flow.len(),
            files_in.len() - bad_files,
            output.display()
        );
    }
    if bad_files > 0
        || merged
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
