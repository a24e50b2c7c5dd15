//! Helpers shared by the model's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use knflow_model::{Diagnostic, Loaded};

/// `../shared/reference` beside the repository (CI always has it). `None` when absent, in which
/// case data-driven tests over it say so and skip their cases.
pub fn reference_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KNFLOW_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping the cases that read reference data",
            dir.display()
        );
        None
    }
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn load(text: &str) -> Loaded {
    knflow_model::load_str(text, "test.yaml")
}

/// Load + validate + lint.
pub fn check(text: &str) -> Vec<Diagnostic> {
    knflow_model::check(&load(text), Default::default())
}

pub fn codes(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{}@{}", d.code, d.path))
        .collect()
}
