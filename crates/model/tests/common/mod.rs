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

/// A map with one entry per line, so a regenerated data file shows as a readable diff.
pub fn lines(map: &serde_json::Map<String, serde_json::Value>) -> String {
    let lines: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), v))
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

/// Takes the descriptions out of a schema: by JSON pointer (`""` for the schema itself,
/// `/properties/image` for a field), as `kinds::docs` reads them.
pub fn strip_docs(schema: &mut serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    fn walk(v: &mut Value, pointer: &str, out: &mut serde_json::Map<String, Value>) {
        let Value::Object(o) = v else { return };
        if let Some(d) = o.remove("description") {
            out.insert(pointer.to_string(), d);
        }
        for (k, child) in o.iter_mut() {
            let here = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
            match (k.as_str(), child) {
                ("properties" | "$defs" | "patternProperties", Value::Object(props)) => {
                    for (name, schema) in props.iter_mut() {
                        let name = name.replace('~', "~0").replace('/', "~1");
                        walk(schema, &format!("{here}/{name}"), out);
                    }
                }
                (_, Value::Array(items)) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        walk(item, &format!("{here}/{i}"), out);
                    }
                }
                (_, child) => walk(child, &here, out),
            }
        }
    }
    let mut out = serde_json::Map::new();
    walk(schema, "", &mut out);
    out
}
