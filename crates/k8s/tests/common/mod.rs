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

/// Every CRD of the reference folder.
pub fn crds(dir: &Path) -> CrdSet {
    let mut docs = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            docs.extend(
                knflow_model::yaml::parse_documents(&text)
                    .unwrap()
                    .into_iter()
                    .map(|d| d.value),
            );
        }
    }
    CrdSet::from_documents(&docs).unwrap()
}
