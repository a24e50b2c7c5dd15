//! Import then export yields the same objects: every example flow, exported, imported back from
//! one file and from one file per object, and exported again.

use std::path::Path;

use knflow_k8s::export::{self, Options};
use knflow_model::{flowfile, layout};

fn flows() -> Vec<(String, knflow_model::Flow)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.display().to_string(),
                knflow_model::load_str(&std::fs::read_to_string(&p).unwrap(), "x").flow,
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn import_of_an_export_exports_the_same_objects() {
    for (name, flow) in flows() {
        let first = export::manifests(&flow, &Options::default());
        // As one multi-document file.
        let text = export::to_yaml(&flow, &first);
        let one = flowfile::merge("again", vec![knflow_model::load_str(&text, "all.yaml")]);
        assert!(one.diagnostics.is_empty(), "{name}: {:?}", one.diagnostics);
        let mut imported = one.flow;
        layout::auto_layout(&mut imported);
        assert_eq!(
            export::manifests(&imported, &Options::default()),
            first,
            "{name}"
        );
        // As one file per object (the way --split writes them).
        let parts = first
            .iter()
            .enumerate()
            .map(|(i, m)| {
                knflow_model::load_str(
                    &export::to_yaml(&flow, std::slice::from_ref(m)),
                    &export::split_name(i, m),
                )
            })
            .collect();
        let merged = flowfile::merge("again", parts);
        assert_eq!(
            export::manifests(&merged.flow, &Options::default()),
            first,
            "{name} (split)"
        );
        // The imported flow saves as a valid flow file with every resource placed.
        let saved = flowfile::save_string(&imported);
        let reloaded = knflow_model::load_str(&saved, "again.yaml");
        assert!(!reloaded.has_errors());
        // (The layout also places the URIs and missing objects references name.)
        let flow = &reloaded.flow;
        assert!(flow
            .resources()
            .all(|r| flow.layout.contains_key(&r.id.to_string())));
    }
}

#[test]
fn a_duplicate_across_files_is_reported_and_the_first_kept() {
    let a =
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b, namespace: x}\n";
    let b = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b, namespace: x}\nspec: {delivery: {retry: 1}}\n";
    let merged = flowfile::merge(
        "m",
        vec![
            knflow_model::load_str(a, "a.yaml"),
            knflow_model::load_str(b, "b.yaml"),
        ],
    );
    assert_eq!(merged.flow.len(), 1);
    assert!(merged
        .flow
        .resources()
        .next()
        .unwrap()
        .manifest
        .get("spec")
        .is_none());
    let d = &merged.diagnostics[0];
    assert_eq!(
        (d.code, d.file.as_deref(), d.line),
        ("duplicate-resource", Some("b.yaml"), Some(1))
    );
}
