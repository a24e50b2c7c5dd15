//! The typed model knows every `spec` field of the real Knative CRD schemas in
//! `../shared/reference/knative-crds` (read at test time, never copied into the repository).

mod common;

use knflow_model::kinds::{lookup, KINDS};
use knflow_model::schema::knows_path;
use serde_json::Value;

/// Paths of every property below `schema`, `[]` standing for list items and map values.
fn paths(schema: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            prefix.push(k.clone());
            out.push(prefix.clone());
            paths(v, prefix, out);
            prefix.pop();
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub @ Value::Object(_)) = schema.get(key) {
            prefix.push("[]".into());
            paths(sub, prefix, out);
            prefix.pop();
        }
    }
}

#[test]
fn typed_model_covers_every_crd_spec_field() {
    let Some(reference) = common::reference_dir() else {
        return;
    };
    let dir = reference.join("knative-crds");
    let mut covered = Vec::new();
    let mut missing = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in knflow_model::yaml::parse_documents(&text).unwrap() {
            let crd = &doc.value;
            let (Some(group), Some(kind)) = (
                crd.pointer("/spec/group").and_then(Value::as_str),
                crd.pointer("/spec/names/kind").and_then(Value::as_str),
            ) else {
                continue;
            };
            for version in crd
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let v = version["name"].as_str().unwrap();
                let Some(info) = lookup(&format!("{group}/{v}"), kind) else {
                    continue;
                };
                let Some(spec) = version.pointer("/schema/openAPIV3Schema/properties/spec") else {
                    continue;
                };
                let mut all = Vec::new();
                paths(spec, &mut Vec::new(), &mut all);
                for p in &all {
                    let segs: Vec<&str> = p.iter().map(String::as_str).collect();
                    if !knows_path(info.spec_schema(), &segs) {
                        missing.push(format!("{kind} {group}/{v}: spec.{}", p.join(".")));
                    }
                }
                covered.push(format!("{kind} {group}/{v} ({} fields)", all.len()));
            }
        }
    }
    // The check can fail: a field neither the CRD nor the model has is unknown.
    let trigger = lookup("eventing.knative.dev/v1", "Trigger")
        .unwrap()
        .spec_schema();
    assert!(!knows_path(trigger, &["bogus"]) && !knows_path(trigger, &["delivery", "bogus"]));
    assert!(knows_path(trigger, &["filters", "[]", "cesql"]));
    println!("CRD versions checked:\n  {}", covered.join("\n  "));
    assert!(
        missing.is_empty(),
        "fields of the CRDs the typed model does not know:\n{}",
        missing.join("\n")
    );
    // Every modelled Knative kind was checked against a CRD (the core Service has none).
    for k in KINDS.iter().filter(|k| !k.group.is_empty()) {
        for v in k.versions {
            assert!(
                covered
                    .iter()
                    .any(|c| c.starts_with(&format!("{} {}/{v} ", k.kind, k.group))),
                "no CRD checked for {} {}/{v}",
                k.kind,
                k.group
            );
        }
    }
}
