//! Round trips over a corpus of Knative manifests written the way people write them (after the
//! Knative documentation's published examples, several per kind; `tests/corpus/`): each file
//! imports without errors, validates, exports back to the same objects, and every Knative object
//! is accepted by the real CRD schemas — core Knative's and, for the files of the extension
//! projects' kinds (Kafka, RabbitMQ, NATS, GitHub/GitLab, Redis, …), theirs. The extension files
//! are kept in `kn-flow fmt`'s canonical form, below their leading comment.

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

/// The files of the extension corpus and the kinds of Knative's extension projects (and Knative's
/// own Integration kinds) they hold, each checked against its CRD in
/// `../shared/reference/knative-extension-crds` (`knative-crds` for the Integration kinds).
const EXTENSIONS: &[(&str, &[&str])] = &[
    ("kafka.yaml", &["KafkaSource", "KafkaSink", "KafkaChannel"]),
    ("rabbitmq.yaml", &["RabbitmqSource", "RabbitmqBrokerConfig"]),
    ("nats.yaml", &["NatsJetStreamChannel"]),
    (
        "git.yaml",
        &["GitHubSource", "GitLabSource", "GitLabBinding"],
    ),
    ("redis.yaml", &["RedisStreamSource", "RedisStreamSink"]),
    (
        "misc-sources.yaml",
        &[
            "AwsSqsSource",
            "CephSource",
            "CouchDbSource",
            "VSphereSource",
        ],
    ),
    (
        "integration.yaml",
        &["IntegrationSource", "IntegrationSink"],
    ),
];

#[test]
fn every_knative_object_of_the_corpus_passes_the_real_crds() {
    let Some(dir) = common::reference() else {
        return;
    };
    let set = common::crds(&dir);
    let mut checked = 0;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
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
                *kinds
                    .entry(d.value["kind"].as_str().unwrap_or_default().to_string())
                    .or_default() += 1;
            }
        }
    }
    println!("{checked} corpus objects validated against the CRDs: {kinds:?}");
    // The extension CRDs load (v1 and apiextensions.k8s.io/v1beta1 alike) and cover every
    // extension kind of the corpus.
    for (file, file_kinds) in EXTENSIONS {
        for k in *file_kinds {
            assert!(
                kinds.contains_key(*k),
                "no {k} of {file} was checked against a CRD (are the extension CRDs loaded?)"
            );
        }
    }
    assert!(checked >= 68, "only {checked} objects had a CRD");
}

/// The corpus text after its leading comment, which `fmt` (like every YAML writer working from
/// values) does not keep.
fn without_leading_comment(text: &str) -> &str {
    let mut rest = text;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

#[test]
fn extension_corpus_round_trips_byte_for_byte_through_fmt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for (file, _) in EXTENSIONS {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.starts_with("# "), "{file}: say what the file covers");
        let loaded = knflow_model::load_str(&text, file);
        assert!(!loaded.has_errors(), "{file}: {:?}", loaded.diagnostics);
        assert_eq!(
            loaded.flow.format,
            knflow_model::Format::Manifests,
            "{file}"
        );
        // What `kn-flow fmt` writes for a file of plain manifests.
        let saved = flowfile::save_string(&loaded.flow);
        assert_eq!(
            saved,
            without_leading_comment(&text),
            "{file} is not in canonical form (run `kn-flow fmt` on it and put the comment back)"
        );
        // Load → save → load keeps every manifest, in order.
        let again = knflow_model::load_str(&saved, file);
        assert!(!again.has_errors(), "{file}");
        let manifests = |f: &knflow_model::Flow| {
            f.resources()
                .map(|r| r.manifest.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(manifests(&again.flow), manifests(&loaded.flow), "{file}");
        let written: Vec<Value> = knflow_model::yaml::parse_documents(&text)
            .unwrap()
            .into_iter()
            .map(|d| d.value)
            .collect();
        assert_eq!(manifests(&again.flow), written, "{file}");
    }
}

/// Every reference of the extension corpus is drawn as a wire to an object of the same file
/// (none is a "missing" box), every source's sink leaves its `sink` port, and a Broker's
/// `spec.config` is a wire to the configuration its class reads.
#[test]
fn extension_corpus_draws_its_wires() {
    use knflow_model::diagram::{Diagram, What};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut sinks = 0;
    for (file, _) in EXTENSIONS {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let flow = knflow_model::load_str(&text, file).flow;
        let d = Diagram::of(&flow);
        let missing: Vec<_> = d
            .nodes
            .iter()
            .filter(|n| n.what == What::Missing)
            .map(|n| &n.label)
            .collect();
        assert!(missing.is_empty(), "{file}: drawn as missing: {missing:?}");
        for w in &d.wires {
            assert!(d.from_port(w).is_some(), "{file}: {} has no port", w.name);
        }
        for r in flow.resources().filter(|r| r.is_source()) {
            let Some(sink) = r.source_spec().and_then(|s| s.sink.clone()) else {
                continue;
            };
            let from_sink_port = d
                .wires
                .iter()
                .any(|w| d.nodes[w.from].label == r.id.to_string() && w.from_port == "sink");
            assert!(
                from_sink_port,
                "{file}: {}'s sink {sink:?} is not drawn",
                r.id
            );
            sinks += 1;
        }
        for r in flow.resources().filter(|r| r.id.kind == "Broker") {
            if r.manifest.pointer("/spec/config").is_some() {
                let config = d
                    .wires
                    .iter()
                    .any(|w| d.nodes[w.owner].label == r.id.to_string() && w.field == "config");
                assert!(config, "{file}: {}'s config is not drawn", r.id);
            }
        }
    }
    assert!(
        sinks >= 15,
        "only {sinks} extension sources' sinks were drawn"
    );
}
