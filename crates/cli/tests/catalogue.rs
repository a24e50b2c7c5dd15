//! The event catalogue a flow generates (issue 21): `kn-flow export --event-types` adds
//! EventTypes the real CRD accepts, and `kn-flow asyncapi` writes a document the official
//! AsyncAPI 3.0 JSON Schema (npm `@asyncapi/specs`, installed by the test setup into
//! tests/e2e/node_modules) accepts, for every example flow.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kn_flow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(args)
        .output()
        .expect("kn-flow runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("flows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    assert!(v.len() >= 7);
    v
}

#[test]
fn event_types_are_exported_for_what_the_analysis_finds_and_pass_the_real_crd() {
    let flow = repo().join("flows/cluster-events.yaml");
    let o = kn_flow(&[
        "export",
        "--event-types",
        "-o",
        "json",
        flow.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let types: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "EventType")
        .map(|m| {
            let ty = m["spec"]["attributes"]
                .as_array()
                .and_then(|a| a.iter().find(|a| a["name"] == "type"))
                .map(|a| a["value"].as_str().unwrap().to_string())
                .or_else(|| m["spec"]["type"].as_str().map(str::to_string))
                .unwrap();
            (m["metadata"]["name"].as_str().unwrap().to_string(), ty)
        })
        .collect();
    // The flow's own EventType, then one per type the ApiServerSource adds (the anything a
    // ContainerSource sends has no type to name).
    assert_eq!(
        types,
        [
            (
                "k8s-event-added".into(),
                "dev.knative.apiserver.ref.add".into()
            ),
            (
                "ops-dev.knative.apiserver.ref.delete".into(),
                "dev.knative.apiserver.ref.delete".into()
            ),
            (
                "ops-dev.knative.apiserver.ref.update".into(),
                "dev.knative.apiserver.ref.update".into()
            ),
        ]
    );
    let generated = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metadata"]["name"] == "ops-dev.knative.apiserver.ref.update")
        .unwrap();
    assert_eq!(
        generated["spec"]["reference"],
        serde_json::json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "name": "ops"})
    );
    assert_eq!(
        generated["spec"]["description"],
        "From ApiServerSource/k8s-events"
    );
    // Each passes the real EventType CRD (read where the reference is).
    let crds = repo().join("../shared/reference/knative-crds");
    if !crds.is_dir() {
        eprintln!(
            "no ../shared/reference/knative-crds: the EventTypes are not checked against the CRD"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.yaml");
    let o = kn_flow(&[
        "export",
        "--event-types",
        "-o",
        out.to_str().unwrap(),
        flow.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let o = kn_flow(&[
        "validate",
        "--crds",
        crds.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn asyncapi_documents_pass_the_official_schema() {
    let schema =
        repo().join("tests/e2e/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json");
    let Ok(text) = std::fs::read_to_string(&schema) else {
        eprintln!("no {}: run `npm ci --prefix tests/e2e` (cargo xtask test does); the documents are not checked", schema.display());
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for flow in examples() {
        let out = dir.path().join("doc.json");
        let o = kn_flow(&[
            "asyncapi",
            flow.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{}: {}",
            flow.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", flow.display());
        // The validator can fail: a document without its required version does.
        let mut broken = doc.clone();
        broken.as_object_mut().unwrap().remove("asyncapi");
        assert!(!validator.is_valid(&broken));
    }
}

/// orders.yaml's document, its parts that carry meaning: the broker's channel at its Knative
/// address with the three types that arrive there, each trigger receiving what its filter
/// passes, and the messages' CloudEvents headers.
#[test]
fn the_orders_document_says_who_receives_what() {
    let flow = repo().join("flows/orders.yaml");
    let o = kn_flow(&["asyncapi", flow.to_str().unwrap()]);
    assert!(o.status.success());
    let doc = knflow_yaml(&String::from_utf8_lossy(&o.stdout));
    let channel = &doc["channels"]["Broker-orders"];
    assert_eq!(
        channel["address"],
        "http://broker-ingress.knative-eventing.svc.cluster.local/shop/orders"
    );
    let names: Vec<&String> = channel["messages"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["order.created", "order.fulfilled", "order.paid"]);
    let received = |op: &str| -> Vec<String> {
        doc["operations"][op]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                m["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        received("receive-Trigger_notify-fulfilled"),
        ["order.fulfilled"]
    );
    assert_eq!(
        received("receive-Trigger_audit-all-orders"),
        ["order.created", "order.fulfilled", "order.paid"]
    );
    let notify = &doc["operations"]["receive-Trigger_notify-fulfilled"];
    assert_eq!(notify["action"], "receive");
    assert_eq!(
        notify["description"],
        "Delivers to Service/notify the events its filter passes: order.fulfilled (may); \"may\": the filter reads more than the type and source."
    );
    assert_eq!(
        notify["x-knative-filter"]["filters"][0]["exact"]["type"],
        "order.fulfilled"
    );
    let headers = &doc["components"]["messages"]["order.paid"]["headers"];
    assert_eq!(headers["properties"]["ce-type"]["const"], "order.paid");
    assert_eq!(
        headers["required"],
        serde_json::json!(["ce-specversion", "ce-id", "ce-source", "ce-type"])
    );
}

fn knflow_yaml(text: &str) -> serde_json::Value {
    knflow_model::yaml::parse_documents(text)
        .unwrap()
        .remove(0)
        .value
}

/// A source that names the schema of what it emits (`knflow.dev/dataschema`, found in the
/// flow's `schemas:`) gives its messages their payload schema.
#[test]
fn messages_carry_the_payload_schema_a_source_names() {
    let flow = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata: {name: payloads, namespace: shop}
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata: {name: orders}
- apiVersion: sources.knative.dev/v1
  kind: PingSource
  metadata:
    name: tick
    annotations:
      knflow.dev/dataschema: https://example.com/tick.json
  spec:
    schedule: '* * * * *'
    data: '{\"n\": 1}'
    sink:
      ref: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: orders}
schemas:
  https://example.com/tick.json:
    type: object
    required: [n]
    properties:
      n: {type: integer, minimum: 0}
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payloads.yaml");
    std::fs::write(&path, flow).unwrap();
    let out = dir.path().join("doc.json");
    let o = kn_flow(&[
        "asyncapi",
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let m = &doc["components"]["messages"]["dev.knative.sources.ping"];
    assert_eq!(m["payload"]["required"], serde_json::json!(["n"]));
    assert_eq!(
        m["headers"]["properties"]["ce-dataschema"]["const"],
        "https://example.com/tick.json"
    );
    assert_eq!(
        doc["operations"]["send-PingSource_tick"]["messages"][0]["$ref"],
        "#/channels/Broker-orders/messages/dev.knative.sources.ping"
    );
    let schema =
        repo().join("tests/e2e/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json");
    if let Ok(text) = std::fs::read_to_string(&schema) {
        let v = jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
