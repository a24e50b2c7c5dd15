//! `data/kind-schemas.json` is what schemars derives for every kind's spec (the definitions
//! they share written once), without the
//! Kubernetes definitions shipped in `data/k8s-schemas.json` and without descriptions, which
//! `data/kind-docs.json` keeps (the browser build reads schemas from the first instead of
//! deriving them, and the designer fetches the second; see `kinds::shipped`, `kinds::docs`).
//! This regenerates both and fails when they have drifted from the types (`KNFLOW_BLESS=1`
//! rewrites them), and checks that the schema rebuilt from the data is the derived one for every
//! kind.

mod common;

use knflow_model::kinds::{docs, embedded, shipped, KINDS};
use serde_json::{Map, Value};

/// The kind's own type is named by its schema's `title`.
fn title(schema: &Value) -> String {
    schema["title"]
        .as_str()
        .expect("a derived schema has a title")
        .to_string()
}

/// The schemas, and the descriptions by definition and JSON pointer.
fn generated() -> (String, String) {
    let mut schemas = Map::new();
    let mut texts: Map<String, Value> = Map::new();
    let mut keep = |name: String, found: Map<String, Value>| {
        if found.is_empty() {
            return;
        }
        let found = Value::Object(found);
        if let Some(had) = texts.insert(name.clone(), found.clone()) {
            assert_eq!(
                had, found,
                "two types named {name} describe their fields differently"
            );
        }
    };
    for k in KINDS {
        let mut schema = k.derived_schema();
        let mut defs = match schema.as_object_mut().and_then(|o| o.remove("$defs")) {
            Some(Value::Object(defs)) => defs,
            _ => Map::new(),
        };
        defs.retain(|name, _| !name.starts_with("io.k8s."));
        keep(title(&schema), common::strip_docs(&mut schema));
        for (name, mut def) in defs {
            keep(name.clone(), common::strip_docs(&mut def));
            let key = format!("{}{name}", shipped::DEFS);
            if let Some(had) = schemas.insert(key, def.clone()) {
                assert_eq!(had, def, "two types named {name} have different schemas");
            }
        }
        schemas.insert(k.schema_key(), schema);
    }
    (common::lines(&schemas), common::lines(&texts))
}

#[test]
fn the_shipped_kind_schemas_are_the_derived_ones() {
    let (schemas, texts) = generated();
    assert!(
        !schemas.contains(r#""description":""#),
        "the schemas keep a description"
    );
    common::check_data_file("kind-schemas.json", &schemas, "kind_schema_data");
    common::check_data_file("kind-docs.json", &texts, "kind_schema_data");
    let texts: Map<String, Value> = serde_json::from_str(&texts).unwrap();
    for k in KINDS {
        let mut schema = shipped::schema(&k.schema_key());
        if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
            docs::apply(defs, &texts);
            docs::apply(defs, embedded::docs());
        }
        let mut root = Map::new();
        root.insert(title(&schema), schema);
        docs::apply(&mut root, &texts);
        let schema = root.into_iter().next().unwrap().1;
        assert_eq!(schema, k.derived_schema(), "{}", k.schema_key());
    }
}
