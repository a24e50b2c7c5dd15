//! Graph editing keeps manifests and graph consistent: renames rewrite references, removals
//! report orphans, connections write the fields Knative reads and refuse what it would not accept.

mod common;

use knflow_model::flow::Node;
use knflow_model::{ConnectTo, EditError, Flow, ResourceId, Role};
use serde_json::json;

fn orders() -> Flow {
    let text = std::fs::read_to_string(common::repo_dir().join("flows/orders.yaml")).unwrap();
    let loaded = knflow_model::load_str(&text, "orders.yaml");
    assert!(loaded.diagnostics.is_empty());
    loaded.flow
}

fn id(s: &str) -> ResourceId {
    ResourceId::parse(s).unwrap()
}

#[test]
fn rename_updates_every_reference_and_the_layout() {
    let mut flow = orders();
    let new = flow.rename(&id("Broker/orders"), "shop-events").unwrap();
    assert_eq!(new, id("Broker/shop-events"));
    for t in [
        "Trigger/big-paid-orders",
        "Trigger/audit-all-orders",
        "Trigger/notify-fulfilled",
    ] {
        let r = flow.get(&id(t)).unwrap();
        assert_eq!(r.manifest["spec"]["broker"], "shop-events", "{t}");
        assert!(flow
            .outgoing(&id(t))
            .iter()
            .any(|(e, n)| e.role == Role::Broker && n.label() == "Broker/shop-events"));
    }
    assert!(
        flow.layout.contains_key("Broker/shop-events")
            && !flow.layout.contains_key("Broker/orders")
    );
    // Scenarios name resources too.
    assert_eq!(flow.scenarios[0]["send"]["to"], "Broker/shop-events");
    // A Service rename rewrites `ref.name` in destinations, including dead-letter sinks.
    flow.rename(&id("Service/dead-letters"), "dlq").unwrap();
    let broker = flow.get(&id("Broker/shop-events")).unwrap();
    assert_eq!(
        broker.manifest["spec"]["delivery"]["deadLetterSink"]["ref"]["name"],
        "dlq"
    );
    assert!(
        flow.external_nodes().next().is_none(),
        "no reference was left dangling"
    );
    // Saved and reloaded, the renamed flow is the same flow.
    let saved = knflow_model::save_string(&flow);
    let again = knflow_model::load_str(&saved, "orders.yaml");
    assert_eq!(knflow_model::save_string(&again.flow), saved);
    assert!(knflow_model::check(&again, Default::default())
        .iter()
        .all(|d| d.severity != knflow_model::Severity::Error));
}

#[test]
fn rename_refuses_collisions_and_bad_names() {
    let mut flow = orders();
    assert_eq!(
        flow.rename(&id("Service/audit"), "notify"),
        Err(EditError::Exists(id("Service/notify")))
    );
    assert!(matches!(
        flow.rename(&id("Service/audit"), "a/b"),
        Err(EditError::Invalid(_))
    ));
    assert_eq!(
        flow.rename(&id("Service/nope"), "x"),
        Err(EditError::NotFound(id("Service/nope")))
    );
}

#[test]
fn removing_a_broker_reports_its_orphaned_triggers() {
    let mut flow = orders();
    let orphans = flow.remove(&id("Broker/orders")).unwrap();
    let mut from: Vec<String> = orphans
        .iter()
        .map(|o| format!("{} {}", o.from, o.path))
        .collect();
    from.sort();
    assert_eq!(
        from,
        vec![
            "Trigger/audit-all-orders .spec.broker",
            "Trigger/big-paid-orders .spec.broker",
            "Trigger/notify-fulfilled .spec.broker"
        ]
    );
    assert!(flow.get(&id("Broker/orders")).is_none());
    // The triggers still say `broker: orders`: nothing the user wrote was dropped, and lint says why.
    let missing: Vec<_> = flow.external_nodes().map(|(_, n)| n.label()).collect();
    assert_eq!(missing, vec!["Broker/orders"]);
    let lint = knflow_model::lint::lint(&flow);
    assert_eq!(
        lint.iter()
            .filter(|d| d.code == "trigger-broker-missing")
            .count(),
        3
    );
    // Adding it back reconnects the triggers.
    flow.add(json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "metadata": {"name": "orders"}})).unwrap();
    assert!(flow.external_nodes().next().is_none());
    assert_eq!(flow.incoming(&id("Broker/orders")).len(), 3);
}

#[test]
fn connect_writes_the_field_knative_reads() {
    let mut flow = Flow::new("f", Some("default".into()));
    let ping = flow.add_new("PingSource", "ping").unwrap();
    let broker = flow.add_new("Broker", "default").unwrap();
    let trigger = flow.add_new("Trigger", "trigger").unwrap();
    let svc = flow.add_new("Service", "display").unwrap();
    let seq = flow.add_new("Sequence", "seq").unwrap();
    flow.connect(
        &ping,
        Role::Sink,
        None,
        &ConnectTo::Resource(broker.clone()),
    )
    .unwrap();
    flow.connect(
        &trigger,
        Role::Broker,
        None,
        &ConnectTo::Resource(broker.clone()),
    )
    .unwrap();
    flow.connect(
        &trigger,
        Role::Subscriber,
        None,
        &ConnectTo::Resource(svc.clone()),
    )
    .unwrap();
    flow.connect(
        &trigger,
        Role::DeadLetterSink,
        None,
        &ConnectTo::Uri("http://dlq.default.svc.cluster.local".into()),
    )
    .unwrap();
    flow.connect(&seq, Role::Step, Some(0), &ConnectTo::Resource(svc.clone()))
        .unwrap();
    flow.connect(
        &seq,
        Role::Step,
        Some(1),
        &ConnectTo::Uri("http://step2.default.svc.cluster.local".into()),
    )
    .unwrap();
    let t = &flow.get(&trigger).unwrap().manifest;
    assert_eq!(t["spec"]["broker"], "default");
    assert_eq!(
        t["spec"]["subscriber"],
        json!({"ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "display"}})
    );
    assert_eq!(
        t["spec"]["delivery"]["deadLetterSink"],
        json!({"uri": "http://dlq.default.svc.cluster.local"})
    );
    assert_eq!(
        flow.get(&ping).unwrap().manifest["spec"]["sink"]["ref"]["kind"],
        "Broker"
    );
    assert_eq!(
        flow.get(&seq).unwrap().manifest["spec"]["steps"][1],
        json!({"uri": "http://step2.default.svc.cluster.local"})
    );
    // The flow built by wiring alone is valid.
    let errors: Vec<_> = knflow_model::validate::validate(&flow, Default::default())
        .into_iter()
        .chain(knflow_model::lint::lint(&flow))
        .filter(|d| d.severity == knflow_model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Free names are derived from the base.
    assert_eq!(
        flow.add_new("Broker", "default").unwrap(),
        id("Broker/default-2")
    );
    // Disconnecting removes the field and the edge.
    flow.disconnect(&trigger, Role::Subscriber, None).unwrap();
    assert!(flow.get(&trigger).unwrap().manifest["spec"]
        .get("subscriber")
        .is_none());
    assert!(!flow
        .outgoing(&trigger)
        .iter()
        .any(|(e, _)| e.role == Role::Subscriber));
}

#[test]
fn connect_refuses_what_knative_would_reject() {
    let mut flow = Flow::new("f", None);
    let trigger = flow.add_new("Trigger", "t").unwrap();
    let svc = flow.add_new("Service", "s").unwrap();
    let ping = flow.add_new("PingSource", "p").unwrap();
    let err = flow
        .connect(
            &trigger,
            Role::Broker,
            None,
            &ConnectTo::Resource(svc.clone()),
        )
        .unwrap_err();
    assert!(matches!(err, EditError::NotAllowed(_)), "{err}");
    assert!(flow
        .connect(
            &trigger,
            Role::Broker,
            None,
            &ConnectTo::Uri("http://x.y".into())
        )
        .is_err());
    assert!(
        flow.connect(
            &svc,
            Role::Sink,
            None,
            &ConnectTo::Resource(trigger.clone())
        )
        .is_err(),
        "a Service has no ports"
    );
    assert!(
        flow.connect(&ping, Role::Sink, None, &ConnectTo::Resource(ping.clone()))
            .is_err(),
        "a source is not addressable"
    );
    assert!(
        flow.get(&trigger).unwrap().manifest.get("spec").is_none(),
        "refused edits change nothing"
    );
}

#[test]
fn set_field_edits_manifests_and_keeps_unknown_fields() {
    let mut flow = orders();
    let t = id("Trigger/big-paid-orders");
    flow.set_field(&t, ".spec.delivery.retry", Some(json!(7)))
        .unwrap();
    flow.set_field(&t, ".spec.x-custom", Some(json!({"kept": true})))
        .unwrap();
    let r = flow.get(&t).unwrap();
    assert_eq!(r.manifest["spec"]["delivery"]["retry"], 7);
    assert!(
        matches!(&r.spec, Some(knflow_model::kinds::Spec::Trigger(s)) if s.delivery.as_ref().unwrap().retry == Some(7))
    );
    let saved = knflow_model::save_string(&flow);
    assert!(saved.contains("x-custom:\n      kept: true"), "{saved}");
    // Renaming through set_field goes through rename.
    let renamed = flow
        .set_field(
            &id("Service/fulfil"),
            ".metadata.name",
            Some(json!("fulfilment")),
        )
        .unwrap();
    assert_eq!(
        flow.get(&t).unwrap().manifest["spec"]["subscriber"]["ref"]["name"],
        "fulfilment"
    );
    assert_eq!(renamed, id("Service/fulfilment"));
    assert!(flow.set_field(&t, ".kind", Some(json!("Broker"))).is_err());
}

#[test]
fn sinkbinding_subjects_by_selector_become_edges() {
    let text =
        std::fs::read_to_string(common::repo_dir().join("flows/cluster-events.yaml")).unwrap();
    let flow = knflow_model::load_str(&text, "x").flow;
    let out = flow.outgoing(&id("SinkBinding/bind-legacy-emitter"));
    assert!(out.iter().any(|(e, n)| e.role == Role::Subject
        && matches!(n, Node::Resource(r) if r.id == id("Deployment/legacy-emitter"))));
}
