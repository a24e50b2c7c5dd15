//! Exports validated against the real Knative CRDs in `../shared/reference/knative-crds` (read at
//! test time, never copied into the repository).

mod common;

use std::path::Path;

use common::{crds, reference};
use knflow_k8s::export::{self, Options};
use serde_json::{json, Value};

fn flow(name: &str) -> knflow_model::Flow {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../flows")
        .join(name);
    knflow_model::load_str(&std::fs::read_to_string(p).unwrap(), name).flow
}

#[test]
fn every_example_flow_exports_manifests_the_real_crds_accept() {
    let Some(dir) = reference() else { return };
    let set = crds(&dir);
    assert!(set.len() >= 17, "{} CRD versions", set.len());
    let (mut checked, mut failures) = (0, Vec::new());
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows")).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let f = flow(&name);
        for m in export::manifests(&f, &Options::default()) {
            if let Some(errors) = set.validate(&m) {
                checked += 1;
                for e in errors {
                    failures.push(format!(
                        "{name}: {} {}: {} {}",
                        m["kind"], m["metadata"]["name"], e.path, e.message
                    ));
                }
            }
        }
    }
    println!("{checked} exported Knative objects validated against the CRDs");
    assert!(checked >= 40, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn broken_manifests_are_rejected_with_the_field_path() {
    let Some(dir) = reference() else { return };
    let set = crds(&dir);
    let trigger = |spec: Value| json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger", "metadata": {"name": "t"}, "spec": spec});
    let paths = |m: &Value| {
        set.validate(m)
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .collect::<Vec<_>>()
    };
    assert!(paths(&trigger(
        json!({"broker": "b", "subscriber": {"uri": "http://x"}})
    ))
    .is_empty());
    assert_eq!(
        paths(&trigger(json!({"broker": 5}))),
        vec![".spec.broker"],
        "wrong type"
    );
    assert_eq!(
        paths(&trigger(
            json!({"broker": "b", "delivery": {"retry": "three"}})
        )),
        vec![".spec.delivery.retry"]
    );
    assert_eq!(
        paths(&trigger(
            json!({"broker": "b", "subscriber": {"ref": {"kind": "Service", "name": "s", "colour": "red"}}})
        )),
        vec![".spec.subscriber.ref"],
        "unknown field"
    );
    // Preserved objects keep unknown fields (Trigger spec is x-kubernetes-preserve-unknown-fields).
    assert!(paths(&trigger(json!({"broker": "b", "extra": 1}))).is_empty());
    let api = json!({"apiVersion": "sources.knative.dev/v1", "kind": "ApiServerSource", "metadata": {"name": "a"}, "spec": {"resources": [{"kind": "Event"}], "mode": "Reference"}});
    assert!(paths(&api).is_empty());
    let no_resources = json!({"apiVersion": "sources.knative.dev/v1", "kind": "ApiServerSource", "metadata": {"name": "a"}, "spec": {"mode": "Reference"}});
    assert_eq!(
        paths(&no_resources),
        vec![".spec"],
        "missing required `resources`"
    );
    let ksvc = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"template": {"spec": {"containers": [{"image": "x", "ports": [{"containerPort": "http"}]}]}}}});
    assert_eq!(
        paths(&ksvc),
        vec![".spec.template.spec.containers[0].ports[0].containerPort"]
    );
    assert!(
        set.validate(&json!({"apiVersion": "v1", "kind": "ConfigMap"}))
            .is_none(),
        "not covered"
    );
}

#[test]
fn export_order_namespace_and_cleanliness() {
    let mut f = flow("cluster-events.yaml");
    let first = f.resources().next().unwrap().id.clone();
    f.set_field(&first, ".status", Some(json!({"ready": true})))
        .unwrap();
    f.set_field(&first, ".metadata.uid", Some(json!("1234")))
        .unwrap();
    let ms = export::manifests(&f, &Options::default());
    let kinds: Vec<&str> = ms.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    let pos = |k: &str| kinds.iter().position(|x| *x == k).unwrap();
    assert!(
        pos("ServiceAccount") < pos("Broker")
            && pos("Broker") < pos("Service")
            && pos("Service") < pos("Trigger")
    );
    assert!(
        pos("Trigger") < pos("ApiServerSource") && pos("ContainerSource") < pos("EventType"),
        "{kinds:?}"
    );
    assert!(ms.iter().all(|m| m["metadata"]["namespace"] == "ops"));
    assert!(ms
        .iter()
        .all(|m| m.get("status").is_none() && m["metadata"].get("uid").is_none()));
    let text = export::to_yaml(&f, &ms);
    assert!(text.starts_with("# Kubernetes manifests of flow `cluster-events`"));
    assert!(
        !text.contains("layout") && !text.contains("simulation") && !text.contains("scenarios")
    );
    // Deterministic, and it reads back as plain Knative YAML with the same objects.
    assert_eq!(
        text,
        export::to_yaml(&f, &export::manifests(&f, &Options::default()))
    );
    let back = knflow_model::load_str(&text, "export.yaml");
    assert!(!back.has_errors());
    assert_eq!(back.flow.len(), f.len());
    let other = export::manifests(
        &f,
        &Options {
            namespace: Some("staging".into()),
        },
    );
    assert!(other
        .iter()
        .all(|m| m["metadata"]["namespace"] == "staging"));
    let list = export::to_list(&ms);
    assert_eq!(
        (
            list["kind"].as_str(),
            list["items"].as_array().unwrap().len()
        ),
        (Some("List"), ms.len())
    );
    assert_eq!(
        export::split_name(0, &ms[0]),
        "01-serviceaccount-events-sa.yaml"
    );
}
