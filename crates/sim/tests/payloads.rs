//! Payload checks (issue 21): a flow's `schemas:` keyed by URI; an event whose `dataschema`
//! names one has its data checked where it enters the data plane, and a mismatch is a note on
//! that hop with the JSON Pointer of the first problem. Sources name the schema of what they
//! emit with `knflow.dev/dataschema`.

use knflow_sim::{Options, Simulation};

const FLOW: &str = r#"apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: payloads
  namespace: shop
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: orders
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: all
  spec:
    broker: orders
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: audit}
- apiVersion: sources.knative.dev/v1
  kind: PingSource
  metadata:
    name: tick
    annotations:
      knflow.dev/dataschema: https://example.com/schemas/order.json
  spec:
    schedule: "* * * * *"
    contentType: application/json
    data: '{"order": "A-1", "amount": -5, "note": "kept"}'
    sink:
      ref: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: orders}
- apiVersion: serving.knative.dev/v1
  kind: Service
  metadata:
    name: audit
  spec:
    template:
      spec:
        containers:
        - image: example.com/audit
schemas:
  https://example.com/schemas/order.json:
    type: object
    required: [order, amount]
    properties:
      order: {type: string}
      amount: {type: number, minimum: 0}
      lines:
        type: array
        items: {type: object, properties: {sku: {type: string}}}
"#;

fn flow() -> knflow_model::Flow {
    let l = knflow_model::load_str(FLOW, "payloads.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

/// The note on the first hop of `event` sent to the broker.
fn note_of(f: &knflow_model::Flow, event: serde_json::Value) -> Option<String> {
    let e = knflow_dataplane::events::from_json(event).unwrap();
    let mut sim = Simulation::new(
        f,
        Options {
            keep_trace: true,
            ..Default::default()
        },
    )
    .unwrap();
    sim.send(f, "Broker/orders", Some(e)).unwrap();
    sim.run();
    let hops = sim.trace();
    assert!(!hops.is_empty());
    // Only the hop where it entered carries it.
    assert!(hops[1..].iter().all(|h| h
        .hop
        .note
        .as_deref()
        .is_none_or(|n| !n.contains("does not match"))));
    hops[0].hop.note.clone()
}

#[test]
fn data_that_breaks_its_schema_is_noted_with_a_json_pointer() {
    let f = flow();
    let base = |data: serde_json::Value| {
        serde_json::json!({"specversion": "1.0", "id": "1", "type": "order.paid", "source": "/shop",
            "dataschema": "https://example.com/schemas/order.json", "datacontenttype": "application/json", "data": data})
    };
    assert_eq!(
        note_of(&f, base(serde_json::json!({"order": "A-1"}))).as_deref(),
        Some("data does not match https://example.com/schemas/order.json: /amount: missing required field `amount`")
    );
    assert_eq!(
        note_of(&f, base(serde_json::json!({"order": "A-1", "amount": 3, "lines": [{"sku": 7}]}))).as_deref(),
        Some("data does not match https://example.com/schemas/order.json: /lines/0/sku: expected string, found integer")
    );
    // Valid data, with a field the schema does not list (JSON Schema allows it): no note.
    assert_eq!(
        note_of(
            &f,
            base(serde_json::json!({"order": "A-1", "amount": 3, "gift": true}))
        ),
        None
    );
    // A schema the flow does not carry is not checked; nor is an event that names none.
    let mut other = base(serde_json::json!({}));
    other["dataschema"] = serde_json::json!("https://example.com/other.json");
    assert_eq!(note_of(&f, other), None);
    let mut plain = base(serde_json::json!({}));
    plain.as_object_mut().unwrap().remove("dataschema");
    assert_eq!(note_of(&f, plain), None);
}

#[test]
fn a_source_names_the_schema_of_what_it_emits() {
    let f = flow();
    let sample = knflow_sim::sources::sample_event(&f, "PingSource/tick").unwrap();
    assert_eq!(
        cloudevents::AttributesReader::dataschema(&sample)
            .map(|u| u.to_string())
            .as_deref(),
        Some("https://example.com/schemas/order.json")
    );
    let mut sim = Simulation::new(
        &f,
        Options {
            keep_trace: true,
            until_ms: Some(61_000),
            ..Default::default()
        },
    )
    .unwrap();
    sim.send(&f, "PingSource/tick", None).unwrap();
    sim.run();
    let first = &sim.trace()[0].hop;
    assert_eq!(
        first.note.as_deref(),
        Some("data does not match https://example.com/schemas/order.json: /amount: -5 must be at least 0")
    );
}
