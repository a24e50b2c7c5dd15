//! Every modelled kind: a manifest using all fields of its CRD loads, is fully understood by the
//! typed model, saves and reloads unchanged. Data-driven over `tests/fixtures/all-fields/`.

mod common;

use std::fs;

use knflow_model::{flowfile, Severity};

#[test]
fn every_kind_with_every_field_round_trips() {
    let dir = common::repo_dir().join("crates/model/tests/fixtures/all-fields");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let loaded = knflow_model::load_str(&text, &name);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            loaded.diagnostics
        );
        let diags = knflow_model::validate::validate(&loaded.flow, Default::default());
        let bad: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error || d.code == "unknown-field")
            .map(|d| d.to_string())
            .collect();
        assert!(bad.is_empty(), "{name}:\n{}", bad.join("\n"));
        for r in loaded.flow.resources() {
            kinds_seen.insert(format!("{} {}", r.api_version(), r.id.kind));
            assert!(r.spec.is_some(), "{name}: {} has no typed spec", r.id);
            let info = r.info.unwrap();
            // The typed model alone reproduces the spec: it holds every field. (k8s-openapi types
            // a container's name as required and writes `""` where Knative allows none.)
            let mut typed = info
                .typed_round_trip(r.manifest.get("spec").unwrap())
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", r.id));
            drop_empty_container_names(&mut typed);
            assert_eq!(&typed, r.manifest.get("spec").unwrap(), "{name}: {}", r.id);
        }
        let saved = flowfile::save_string(&loaded.flow);
        let reloaded = knflow_model::load_str(&saved, &name);
        assert!(reloaded.diagnostics.is_empty());
        let a: Vec<_> = loaded
            .flow
            .resources()
            .map(|r| r.manifest.clone())
            .collect();
        let b: Vec<_> = reloaded
            .flow
            .resources()
            .map(|r| r.manifest.clone())
            .collect();
        assert_eq!(a, b, "{name}: reload changed the manifests");
        assert_eq!(
            flowfile::save_string(&reloaded.flow),
            saved,
            "{name}: save is not stable"
        );
    }
    // Every kind of the model has a fixture.
    for k in knflow_model::kinds::KINDS {
        assert!(
            kinds_seen
                .iter()
                .any(|s| s.ends_with(&format!(" {}", k.kind))
                    && k.versions.iter().any(|v| s.contains(&format!("{v} ")))),
            "no all-fields fixture for {} {:?}",
            k.kind,
            k.versions
        );
    }
}

fn drop_empty_container_names(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::Array(cs)) = m.get_mut("containers") {
                for c in cs.iter_mut().filter_map(|c| c.as_object_mut()) {
                    if c.get("name").and_then(|n| n.as_str()) == Some("") {
                        c.shift_remove("name");
                    }
                }
            }
            m.values_mut().for_each(drop_empty_container_names);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(drop_empty_container_names),
        _ => {}
    }
}
