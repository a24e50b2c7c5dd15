//! Test helpers shared by the integration tests of this crate.

use std::path::{Path, PathBuf};

use knflow_k8s::crds::CrdSet;

/// The reference Knative CRDs, or None (with a note) when the folder is absent.
pub fn reference() -> Option<PathBuf> {
    let dir = std::env::var_os("KNFLOW_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference"))
        .join("knative-crds");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping the CRD cases", dir.display());
        None
    }
}

/// The `.yaml` files of `dir`, and of its subfolders too when `recursive`, in a stable order.
fn yaml_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive {
                yaml_files(&p, true, out);
            }
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

/// Every CRD of the reference folder `dir` (`knative-crds`), and of the Knative extension
/// projects beside it (`knative-extension-crds`, all its subfolders) when that folder is there.
pub fn crds(dir: &Path) -> CrdSet {
    let mut files = Vec::new();
    yaml_files(dir, false, &mut files);
    let extensions = dir.with_file_name("knative-extension-crds");
    if extensions.is_dir() {
        yaml_files(&extensions, true, &mut files);
    } else {
        eprintln!(
            "note: {} is absent; only core Knative CRDs are loaded",
            extensions.display()
        );
    }
    let mut docs = Vec::new();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        docs.extend(
            knflow_model::yaml::parse_documents(&text)
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()))
                .into_iter()
                .map(|d| d.value),
        );
    }
    CrdSet::from_documents(&docs).unwrap()
}
