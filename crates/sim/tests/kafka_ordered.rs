//! Ordered delivery on the Kafka broker (eventing-kafka-broker: a trigger annotated
//! `kafka.eventing.knative.dev/delivery.order: ordered` delivers one event per partition at a
//! time; the partition key is the `partitionkey` extension): a failing subscriber holds back
//! the events behind it on the timeline; `unordered` (the default) does not.

use knflow_dataplane::HopOutcome;
use knflow_sim::{Options, Simulation};

fn flow(order: &str) -> knflow_model::Flow {
    let yaml = format!(
        r#"
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  annotations:
    eventing.knative.dev/broker.class: Kafka
spec:
  config:
    apiVersion: v1
    kind: ConfigMap
    name: kafka-broker-config
    namespace: knative-eventing
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: payments
  annotations:
    kafka.eventing.knative.dev/delivery.order: {order}
spec:
  broker: default
  subscriber:
    uri: http://payments.example.com/
  delivery:
    retry: 2
    backoffPolicy: linear
    backoffDelay: PT1S
"#
    );
    let l = knflow_model::load_str(&yaml, "kafka.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

fn event(id: &str, key: Option<&str>) -> cloudevents::Event {
    let mut v =
        serde_json::json!({"specversion": "1.0", "id": id, "type": "payment", "source": "/pay"});
    if let Some(k) = key {
        v["partitionkey"] = serde_json::json!(k);
    }
    serde_json::from_value(v).unwrap()
}

/// (time, event id, outcome) of every delivery attempt to the subscriber.
fn run(order: &str, keys: [Option<&str>; 2]) -> Vec<(u64, String, HopOutcome)> {
    let f = flow(order);
    let mut sim = Simulation::new(
        &f,
        Options {
            keep_trace: true,
            behaviors: [(
                "http://payments.example.com/".to_string(),
                "fail:503x2".to_string(),
            )]
            .into_iter()
            .collect(),
            ..Options::default()
        },
    )
    .unwrap();
    sim.send(&f, "Broker/default", Some(event("1", keys[0])))
        .unwrap();
    sim.send(&f, "Broker/default", Some(event("2", keys[1])))
        .unwrap();
    sim.run();
    sim.trace()
        .iter()
        .filter(|h| h.hop.attempt.is_some())
        .map(|h| {
            use cloudevents::AttributesReader;
            (h.time_ms, h.hop.event.id().to_string(), h.hop.outcome)
        })
        .collect()
}

fn first_attempt(hops: &[(u64, String, HopOutcome)], id: &str) -> u64 {
    hops.iter().find(|h| h.1 == id).unwrap().0
}

fn delivered(hops: &[(u64, String, HopOutcome)], id: &str) -> u64 {
    hops.iter()
        .find(|h| h.1 == id && h.2 == HopOutcome::Delivered)
        .unwrap()
        .0
}

#[test]
fn ordered_holds_the_next_event_of_a_partition_until_the_previous_is_delivered() {
    let unordered = run("unordered", [None, None]);
    assert_eq!(first_attempt(&unordered, "2"), 0, "{unordered:?}");
    let done = delivered(&unordered, "1");
    assert!(done > 0, "the subscriber fails twice first: {unordered:?}");

    let ordered = run("ordered", [None, None]);
    // The second event's first attempt waits for the first's delivery, then takes as long.
    assert_eq!(delivered(&ordered, "1"), done, "{ordered:?}");
    assert_eq!(first_attempt(&ordered, "2"), done, "{ordered:?}");
    assert_eq!(delivered(&ordered, "2"), 2 * done, "{ordered:?}");
    // Case-insensitive, as the controller compares it.
    assert_eq!(run("Ordered", [None, None]), ordered);
}

#[test]
fn partitions_are_independent_and_other_brokers_are_never_ordered() {
    // Different partition keys: in parallel even when ordered.
    let hops = run("ordered", [Some("a"), Some("b")]);
    assert_eq!(first_attempt(&hops, "2"), 0, "{hops:?}");
    // The same key: one at a time.
    let hops = run("ordered", [Some("a"), Some("a")]);
    assert!(first_attempt(&hops, "2") > 0, "{hops:?}");
    // The annotation on a trigger of an MT channel broker does nothing.
    let yaml = flow("ordered");
    let text = knflow_model::save_string(&yaml)
        .replace("broker.class: Kafka", "broker.class: MTChannelBasedBroker");
    let f = knflow_model::load_str(&text, "mt.yaml").flow;
    let mut sim = Simulation::new(
        &f,
        Options {
            keep_trace: true,
            ..Options::default()
        },
    )
    .unwrap();
    sim.send(&f, "Broker/default", Some(event("1", None)))
        .unwrap();
    sim.send(&f, "Broker/default", Some(event("2", None)))
        .unwrap();
    sim.run();
    let twos: Vec<u64> = sim
        .trace()
        .iter()
        .filter(|h| {
            use cloudevents::AttributesReader;
            h.hop.attempt.is_some() && h.hop.event.id() == "2"
        })
        .map(|h| h.time_ms)
        .collect();
    assert_eq!(twos.first(), Some(&0));
}
