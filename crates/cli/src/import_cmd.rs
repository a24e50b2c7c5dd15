//! `kn-flow import`: Knative YAML files and folders → one flow with an automatic layout.

use std::path::{Path, PathBuf};

use knflow_model::{flowfile, layout, Severity};

use crate::{exit, files};

/// Where to import from: files and folders, or a live cluster.
pub enum From<'a> {
    Files(&'a [PathBuf]),
    /// A kubeconfig target, and whether to read all namespaces.
    Cluster(knflow_k8s::cluster::Target, bool),
}

pub fn run(
    from: From<'_>,
    output: &Path,
    name: Option<String>,
    with_defaults: bool,
    upgrade: bool,
) -> u8 {
    let (parts, sources, bad_files) = match from {
        From::Files(inputs) => match read_files(inputs) {
            Ok(r) => r,
            Err(code) => return code,
        },
        From::Cluster(target, all) => match crate::cluster_cmd::read(&target, all) {
            Ok((objects, from)) => {
                let text = flowfile::manifests_string(objects.iter());
                (vec![flowfile::load_str(&text, &from)], from, 0)
            }
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        },
    };
    finish(
        parts,
        &sources,
        bad_files,
        output,
        name,
        with_defaults,
        upgrade,
    )
}

/// Loads every file; broken ones are reported and skipped. Returns the loaded parts, a
/// description of where they came from, and how many files were skipped.
fn read_files(inputs: &[PathBuf]) -> Result<(Vec<flowfile::Loaded>, String, usize), u8> {
    let files_in = match files::walk(inputs) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("kn-flow: no YAML files found");
            return Err(exit::USAGE);
        }
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return Err(exit::USAGE);
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
    let sources = format!("{} file(s)", files_in.len() - bad_files);
    Ok((parts, sources, bad_files))
}

fn finish(
    parts: Vec<flowfile::Loaded>,
    sources: &str,
    bad_files: usize,
    output: &Path,
    name: Option<String>,
    with_defaults: bool,
    upgrade: bool,
) -> u8 {
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
    // Before the defaults: those of the served version are the ones to fill in.
    let upgraded = if upgrade {
        crate::files::report_upgrades(sources, &mut merged.flow, true)
    } else {
        exit::OK
    };
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
            "imported {} resources from {sources} into {}",
            merged.flow.len(),
            output.display()
        );
    }
    if bad_files > 0
        || upgraded != exit::OK
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
