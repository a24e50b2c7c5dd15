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

/// Every `.yaml` below `dir`, sorted.
fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
    out.sort();
}

fn spec_of(s: &Value) -> Option<&Value> {
    s.pointer("/openAPIV3Schema/properties/spec")
}

/// A CRD's versions with the schema of their `spec`: `apiextensions.k8s.io/v1` lists
/// `spec.versions[].schema`, the older `v1beta1` has one `spec.validation` for `spec.version`.
fn versions(crd: &Value) -> Vec<(String, Option<&Value>)> {
    match crd.pointer("/spec/versions").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .map(|v| {
                let schema = v
                    .get("schema")
                    .or_else(|| crd.pointer("/spec/validation"))
                    .and_then(spec_of);
                (v["name"].as_str().unwrap().to_string(), schema)
            })
            .collect(),
        None => crd
            .pointer("/spec/version")
            .and_then(Value::as_str)
            .map(|v| {
                let schema = crd.pointer("/spec/validation").and_then(spec_of);
                vec![(v.to_string(), schema)]
            })
            .unwrap_or_default(),
    }
}

#[test]
fn typed_model_covers_every_crd_spec_field() {
    let Some(reference) = common::reference_dir() else {
        return;
    };
    let mut covered = Vec::new();
    let mut missing = Vec::new();
    let mut files = Vec::new();
    yaml_files(&reference.join("knative-crds"), &mut files);
    yaml_files(&reference.join("knative-extension-crds"), &mut files);
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
            for (v, spec) in versions(crd) {
                let Some(info) = lookup(&format!("{group}/{v}"), kind) else {
                    continue;
                };
                // An open spec (CephSource, VSphereSource): the model follows the Go types.
                let Some(spec) = spec.filter(|s| s.get("properties").is_some()) else {
                    covered.push(format!("{kind} {group}/{v} (open schema)"));
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
