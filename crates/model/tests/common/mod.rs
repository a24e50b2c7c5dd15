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

/// Checks that `data/<file>` holds `want`, what a test generated from its source (a crate, the
/// model's types); with `KNFLOW_BLESS` set, writes it first.
pub fn check_data_file(file: &str, want: &str, test: &str) {
    let path = format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("KNFLOW_BLESS").is_some() {
        std::fs::write(&path, want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{path} is not what it is generated from; regenerate it with \
         KNFLOW_BLESS=1 cargo test -p knflow-model --test {test}"
    );
}
