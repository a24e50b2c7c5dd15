//! `data/kind-schemas.json` is what schemars derives for every kind's spec, without the
//! Kubernetes definitions shipped in `data/k8s-schemas.json` (the browser build reads schemas
//! from it instead of deriving them; see `kinds::shipped`). This regenerates it and fails when it
//! has drifted from the types (`KNFLOW_BLESS=1` rewrites it), and checks that the schema rebuilt
//! from the data is the derived one for every kind.

mod common;

use knflow_model::kinds::{shipped, KINDS};
use serde_json::Value;

fn generated() -> String {
    let lines: Vec<String> = KINDS
        .iter()
        .map(|k| {
            let mut schema = k.derived_schema();
            if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
                defs.retain(|name, _| !name.starts_with("io.k8s."));
                if defs.is_empty() {
                    schema.as_object_mut().unwrap().remove("$defs");
                }
            }
            format!("{}:{schema}", Value::from(k.schema_key()))
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

#[test]
fn the_shipped_kind_schemas_are_the_derived_ones() {
    common::check_data_file("kind-schemas.json", &generated(), "kind_schema_data");
    for k in KINDS {
        assert_eq!(
            shipped::schema(&k.schema_key()),
            k.derived_schema(),
            "{}",
            k.schema_key()
        );
    }
}
