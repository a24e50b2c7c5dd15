//! Round trips over a corpus of Knative manifests written the way people write them (after the
//! Knative documentation's published examples, several per kind; `tests/corpus/`): each file
//! imports without errors, validates, exports back to the same objects, and every Knative object
//! is accepted by the real CRD schemas.

mod common;

use std::path::{Path, PathBuf};

use knflow_k8s::export::{self, Options};
use knflow_model::{flowfile, layout, Severity};
use serde_json::Value;

fn corpus() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 6, "the corpus went missing");
    files
}

fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by_key(|m| {
        format!(
            "{}/{}/{}",
            m["kind"], m["metadata"]["namespace"], m["metadata"]["name"]
        )
    });
    v
}

#[test]
fn import_then_export_gives_the_same_objects() {
    let mut kinds = std::collections::BTreeSet::new();
    for (path, text) in corpus() {
        let name = path.display().to_string();
        let written: Vec<Value> = knflow_model::yaml::parse_documents(&text)
            .unwrap()
            .into_iter()
            .map(|d| d.value)
            .collect();
        let merged = flowfile::merge("corpus", vec![knflow_model::load_str(&text, &name)]);
        let errors: Vec<_> = merged
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let mut flow = merged.flow;
        layout::auto_layout(&mut flow);
        let problems: Vec<_> = knflow_model::validate::validate(&flow, Default::default())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        for r in flow.resources() {
            kinds.insert(r.id.kind.clone());
        }
        let exported = export::manifests(&flow, &Options::default());
        assert_eq!(sorted(exported.clone()), sorted(written), "{name}");
        // And through a flow file: save, load, export.
        let reloaded = knflow_model::load_str(&flowfile::save_string(&flow), "again.yaml");
        assert!(!reloaded.has_errors(), "{name}");
        assert_eq!(
            sorted(export::manifests(&reloaded.flow, &Options::default())),
            sorted(exported),
            "{name} (saved as a flow)"
        );
    }
    for k in [
        "Broker",
        "Trigger",
        "Channel",
        "InMemoryChannel",
        "Subscription",
        "Sequence",
        "Parallel",
        "PingSource",
        "ApiServerSource",
        "ContainerSource",
        "SinkBinding",
        "JobSink",
        "EventType",
        "Service",
        "ConfigMap",
        "Deployment",
        "KafkaSource",
    ] {
        assert!(kinds.contains(k), "the corpus has no {k}");
    }
}

#[test]
fn every_knative_object_of_the_corpus_passes_the_real_crds() {
    let Some(dir) = common::reference() else {
        return;
    };
    let set = common::crds(&dir);
    let mut checked = 0;
    for (path, text) in corpus() {
        for d in knflow_model::yaml::parse_documents(&text).unwrap() {
            if let Some(errors) = set.validate(&d.value) {
                assert!(
                    errors.is_empty(),
                    "{}: {}/{}: {errors:?}",
                    path.display(),
                    d.value["kind"],
                    d.value["metadata"]["name"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 24, "only {checked} objects had a CRD");
}
