//! What the designer's forms are built from: the behaviours box, the types and attribute names
//! it offers, and the per-entry explanation of a trigger for a selected hop.

use knflow_dataplane::FilterResult;
use knflow_sim::{behavior, sources};
use serde_json::json;

fn flow(yaml: &str) -> knflow_model::Flow {
    let l = knflow_model::load_str(yaml, "test.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

const FLOW: &str = r#"
apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata: { name: helpers }
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata: { name: default }
- apiVersion: sources.knative.dev/v1
  kind: ApiServerSource
  metadata: { name: watch }
  spec:
    mode: Resource
    serviceAccountName: watcher
    resources: [ { apiVersion: v1, kind: Pod } ]
    sink: { ref: { apiVersion: eventing.knative.dev/v1, kind: Broker, name: default } }
    ceOverrides: { extensions: { team: payments } }
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata: { name: paid }
  spec:
    broker: default
    filters:
    - exact: { type: order.paid }
    - any: [ { prefix: { region: eu- } }, { cesql: "amount > 100" } ]
    subscriber: { ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: fulfil } }
- apiVersion: serving.knative.dev/v1
  kind: Service
  metadata: { name: fulfil }
  spec: { template: { spec: { containers: [ { image: example.com/fulfil } ] } } }
simulation:
  Service/fulfil: { behavior: "reply:order.fulfilled" }
scenarios:
- name: one
  send: { to: Broker/default, event: { type: order.paid, source: /shop, tenant: acme, data: {} } }
  expect: []
"#;

#[test]
fn saved_behaviours_are_text_and_left_out_ones_acknowledge() {
    let f = flow(FLOW);
    assert_eq!(
        behavior::saved_text(&f),
        "Service/fulfil=reply:order.fulfilled"
    );
    // What the box says runs; a saved behaviour left out acknowledges instead of lingering.
    let run = behavior::for_run(&f, "\n Service/audit = fail:503x2 \n").unwrap();
    assert_eq!(run["Service/audit"], json!("fail:503x2"));
    assert_eq!(run["Service/fulfil"], json!("ack"));
    let err = behavior::parse_text("Service/a=ack\nService/b=explode").unwrap_err();
    assert!(err.starts_with("line 2: Service/b:"), "{err}");
    let err = behavior::parse_text("fulfil=ack").unwrap_err();
    assert!(err.contains("not KIND/NAME"), "{err}");
    assert!(behavior::parse_text("no equals sign").is_err());
}

#[test]
fn a_source_offers_its_own_types_before_the_triggers() {
    let f = flow(FLOW);
    assert_eq!(
        sources::offered_types(&f, "ApiServerSource/watch"),
        [
            "dev.knative.apiserver.resource.add",
            "dev.knative.apiserver.resource.update",
            "dev.knative.apiserver.resource.delete",
            "order.paid"
        ]
    );
    assert_eq!(sources::offered_types(&f, "Broker/default"), ["order.paid"]);
}

#[test]
fn attribute_names_are_the_context_then_what_the_flow_uses() {
    let names = sources::attribute_names(&flow(FLOW));
    assert_eq!(&names[..2], ["type", "source"]);
    for n in ["dataschema", "team", "region", "tenant"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    // Each once: `type` is both a context attribute and a filter key.
    assert_eq!(names.iter().filter(|n| *n == "type").count(), 1);
}

#[test]
fn a_trigger_explains_each_filter_entry() {
    let f = flow(FLOW);
    let event = json!({"specversion": "1.0", "id": "1", "source": "/shop", "type": "order.paid",
        "region": "us-east", "amount": 250});
    let why = sources::explain_trigger(&f, "Trigger/paid", &event).unwrap();
    assert!(why.result.passes());
    let paths: Vec<&str> = why.steps.iter().map(|s| s.path.as_str()).collect();
    assert!(
        paths.iter().any(|p| p.starts_with("filters[0]")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.starts_with("filters[1]")),
        "{paths:?}"
    );
    let cheap = json!({"specversion": "1.0", "id": "2", "source": "/shop", "type": "order.paid",
        "region": "us-east", "amount": 5});
    let why = sources::explain_trigger(&f, "Trigger/paid", &cheap).unwrap();
    assert_eq!(why.result, FilterResult::Fail);
    assert!(why
        .steps
        .iter()
        .any(|s| s.result == FilterResult::Fail && s.path.contains("cesql")));
    assert!(sources::explain_trigger(&f, "Broker/default", &event).is_none());
}
