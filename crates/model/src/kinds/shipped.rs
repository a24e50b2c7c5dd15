//! The kinds' JSON schemas as data, for the browser build: schemars derives them natively, and
//! its code and the derived impls cost the designer's wasm more than the schemas themselves.
//! `data/kind-schemas.json` holds each kind's schema as schemars derives it, minus the
//! Kubernetes definitions `embedded` ships anyway and minus the descriptions, which
//! `data/kind-docs.json` keeps (see [`super::docs`]; a kind's own type is named by the schema's
//! `title`); the test `kind_schema_data` regenerates both and checks that every schema rebuilt
//! from them is the derived one.

use std::sync::OnceLock;

use serde_json::{Map, Value};

const DATA: &str = include_str!("../../data/kind-schemas.json");

/// The schema of the kind `key` (`<group>/<version>/<Kind>`, see `KindInfo::schema_key`), with
/// the Kubernetes definitions it refers to put back; without descriptions.
pub fn schema(key: &str) -> Value {
    static ALL: OnceLock<Map<String, Value>> = OnceLock::new();
    let all =
        ALL.get_or_init(|| serde_json::from_str(DATA).expect("data/kind-schemas.json is JSON"));
    let mut schema = all
        .get(key)
        .unwrap_or_else(|| panic!("data/kind-schemas.json has no schema for {key}"))
        .clone();
    let mut defs = match schema.get_mut("$defs").map(Value::take) {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    // The kind's own definitions refer to Kubernetes ones too.
    for from in std::iter::once(schema.clone()).chain(defs.values().cloned().collect::<Vec<_>>()) {
        super::embedded::add_referenced(&from, &mut defs);
    }
    match schema.as_object_mut() {
        Some(o) if !defs.is_empty() => {
            o.insert("$defs".into(), Value::Object(defs));
        }
        Some(o) => {
            o.remove("$defs");
        }
        None => {}
    }
    schema
}
