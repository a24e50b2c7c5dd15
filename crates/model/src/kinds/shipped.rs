//! The kinds' JSON schemas as data, for the browser build: schemars derives them natively, and
//! its code and the derived impls cost the designer's wasm more than the schemas themselves.
//! `data/kind-schemas.json` holds each kind's schema as schemars derives it, one line per kind
//! (`<group>/<version>/<Kind>`), and the definitions they share once each (`$defs/<Name>`: a
//! `Destination` in 20 kinds is written once, which halves the file), minus the Kubernetes
//! definitions `embedded` ships anyway and minus the descriptions, which `data/kind-docs.json`
//! keeps (see [`super::docs`]; a kind's own type is named by the schema's `title`); the test
//! `kind_schema_data` regenerates both and checks that every schema rebuilt from them is the
//! derived one.

use std::sync::OnceLock;

use serde_json::{Map, Value};

const DATA: &str = include_str!("../../data/kind-schemas.json");

/// Prefix of the shared definitions' keys in the data.
pub const DEFS: &str = "$defs/";

/// The schema of the kind `key` (`<group>/<version>/<Kind>`, see `KindInfo::schema_key`), with
/// the definitions it refers to put back; without descriptions.
pub fn schema(key: &str) -> Value {
    // The shared definitions, and the kinds' schemas by key.
    static ALL: OnceLock<(Map<String, Value>, Map<String, Value>)> = OnceLock::new();
    let (shared, kinds) = ALL.get_or_init(|| {
        let all: Map<String, Value> =
            serde_json::from_str(DATA).expect("data/kind-schemas.json is JSON");
        let (defs, kinds): (Map<_, _>, Map<_, _>) =
            all.into_iter().partition(|(k, _)| k.starts_with(DEFS));
        let defs = defs
            .into_iter()
            .map(|(k, v)| (k[DEFS.len()..].to_string(), v))
            .collect();
        (defs, kinds)
    });
    let mut schema = kinds
        .get(key)
        .unwrap_or_else(|| panic!("data/kind-schemas.json has no schema for {key}"))
        .clone();
    let mut defs = Map::new();
    super::embedded::add_referenced_from(shared, &schema, &mut defs);
    // The kind's own definitions refer to Kubernetes ones too.
    for from in std::iter::once(schema.clone()).chain(defs.values().cloned().collect::<Vec<_>>()) {
        super::embedded::add_referenced(&from, &mut defs);
    }
    if let Some(o) = schema.as_object_mut().filter(|_| !defs.is_empty()) {
        o.insert("$defs".into(), Value::Object(defs));
    }
    schema
}
