//! Duck typing (issue 20): an object of a kind knflow does not model whose spec has a `sink`
//! is a source, as Knative treats it — its sink is a wire, and an event sent to it goes to its
//! sink with its ceOverrides. The modelled extension sources (KafkaSource, written as Knative's
//! Kafka docs write it) behave the same way.

use knflow_sim::{Options, Simulation};

const FLOW: &str = r#"
apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: kafka-source
spec:
  consumerGroup: knative-group
  bootstrapServers:
  - my-cluster-kafka-bootstrap.kafka:9092
  topics:
  - knative-demo-topic
  ceOverrides:
    extensions:
      team: payments
  sink:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: event-display
spec:
  template:
    spec:
      containers:
      - image: gcr.io/knative-releases/knative.dev/eventing/cmd/event_display
---
apiVersion: kogito.knative.dev/v1alpha1
kind: KogitoSource
metadata:
  name: kogito-order-processing
spec:
  subject:
    apiVersion: apps/v1
    kind: Deployment
    selector:
      matchLabels:
        app: order-processing
  sink:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
"#;

fn event_of(v: serde_json::Value) -> cloudevents::Event {
    serde_json::from_value(v).unwrap()
}

/// A traced simulation of `event` sent to `to`, with sink behaviours, run to its end.
fn sent(
    f: &knflow_model::Flow,
    behaviors: &[(&str, &str)],
    to: &str,
    event: cloudevents::Event,
) -> Simulation {
    let opts = Options {
        keep_trace: true,
        behaviors: behaviors
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Options::default()
    };
    let mut sim = Simulation::new(f, opts).unwrap();
    sim.send(f, to, Some(event)).unwrap();
    sim.run();
    sim
}

fn flow() -> knflow_model::Flow {
    let l = knflow_model::load_str(FLOW, "kafka.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

#[test]
fn a_kind_with_a_sink_is_a_source_whose_sink_is_a_wire() {
    let f = flow();
    for (label, modelled) in [
        ("KogitoSource/kogito-order-processing", false),
        ("KafkaSource/kafka-source", true),
    ] {
        let r = f
            .get(&knflow_model::ResourceId::parse(label).unwrap())
            .unwrap();
        assert_eq!(r.info.is_some(), modelled, "{label}");
        assert!(r.is_source() && r.is_duck_source() != modelled, "{label}");
        let refs = knflow_model::refs::references(r);
        assert_eq!(refs.len(), 1, "{label}");
        assert_eq!(refs[0].path, ".spec.sink");
        // Drawn with a sink port, and nothing warns that the display is unreachable.
        let shape = knflow_model::diagram::shape::resource_shape(r);
        assert!(shape.port("sink").is_some(), "{label}");
    }
    let lint = knflow_model::lint::lint(&f);
    assert!(
        lint.iter().all(|d| d.code != "unreachable-sink"),
        "{lint:?}"
    );
    // A modelled kind is not duck-typed, and neither is an unknown kind without a sink.
    let svc = f
        .get(&knflow_model::ResourceId::parse("Service/event-display").unwrap())
        .unwrap();
    assert!(!svc.is_duck_source());
}

#[test]
fn an_event_sent_to_it_reaches_its_sink_with_its_overrides() {
    let f = flow();
    let event = event_of(serde_json::json!({
        "specversion": "1.0", "id": "1", "type": "dev.knative.kafka.event",
        "source": "/apis/v1/namespaces/default/kafkasources/kafka-source#knative-demo-topic",
        "data": {"msg": "hi"}
    }));
    let sim = sent(&f, &[], "KafkaSource/kafka-source", event);
    let hops = sim.trace();
    assert_eq!(hops.len(), 1, "{hops:?}");
    assert_eq!(&*hops[0].hop.to, "Service/event-display");
    let team = hops[0].hop.event.extension("team").map(|v| v.to_string());
    assert_eq!(team.as_deref(), Some("payments"));
    // Without an event, a KogitoSource's events are its service's to say; a KafkaSource sends
    // a record that is not a CloudEvent as its own `dev.knative.kafka.event`.
    let mut sim = Simulation::new(&f, Options::default()).unwrap();
    let err = sim
        .send(&f, "KogitoSource/kogito-order-processing", None)
        .unwrap_err();
    assert!(err.contains("send it an event"), "{err}");
    let own = knflow_sim::sources::sample_event(&f, "KafkaSource/kafka-source").unwrap();
    assert_eq!(
        cloudevents::AttributesReader::ty(&own),
        "dev.knative.kafka.event"
    );
}

/// A KafkaSink as Knative's Kafka docs write it, as a trigger's subscriber and dead-letter sink.
const SINKS: &str = r#"
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: to-kafka
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: eventing.knative.dev/v1alpha1
      kind: KafkaSink
      name: my-kafka-sink
  delivery:
    deadLetterSink:
      ref:
        apiVersion: eventing.knative.dev/v1alpha1
        kind: KafkaSink
        name: dlq
---
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata:
  name: my-kafka-sink
spec:
  topic: mytopic
  bootstrapServers:
  - my-cluster-kafka-bootstrap.kafka:9092
---
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata:
  name: dlq
spec:
  topic: dlq
  bootstrapServers:
  - my-cluster-kafka-bootstrap.kafka:9092
"#;

#[test]
fn an_addressable_extension_kind_is_a_sink_subscriber_dead_letter_sink_and_target() {
    let l = knflow_model::load_str(SINKS, "sinks.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    let f = l.flow;
    let mut ds = knflow_model::validate::validate(&f, Default::default());
    ds.extend(knflow_model::lint::lint(&f));
    assert!(
        ds.iter()
            .all(|d| d.severity != knflow_model::Severity::Error),
        "{ds:?}"
    );
    let sink = f
        .get(&knflow_model::ResourceId::parse("KafkaSink/my-kafka-sink").unwrap())
        .unwrap();
    assert!(knflow_model::diagram::shape::resource_shape(sink)
        .input
        .is_some());
    // A target of its own, at the address Knative gives a KafkaSink.
    let event = event_of(serde_json::json!({
        "specversion": "1.0", "id": "1", "type": "order.paid", "source": "/shop"
    }));
    let sim = sent(&f, &[], "KafkaSink/my-kafka-sink", event.clone());
    assert_eq!(&*sim.trace()[0].hop.to, "KafkaSink/my-kafka-sink");
    let routes = knflow_dataplane::Routes::compile(&f);
    let ep = routes.entry("KafkaSink/my-kafka-sink").unwrap();
    assert_eq!(
        &*routes.url(ep),
        "http://kafka-sink-ingress.knative-eventing.svc.cluster.local/default/my-kafka-sink"
    );
    // Through the broker: delivered to it; failing, dead-lettered to the other one.
    let sim = sent(
        &f,
        &[("KafkaSink/my-kafka-sink", "fail:500")],
        "Broker/default",
        event,
    );
    let last = sim.trace().last().unwrap();
    assert_eq!(&*last.hop.to, "KafkaSink/dlq");
    assert_eq!(last.hop.outcome, knflow_dataplane::HopOutcome::DeadLettered);
}

/// A KafkaChannel and a Subscription as Knative's Kafka channel docs write them.
const CHANNEL: &str = r#"
apiVersion: messaging.knative.dev/v1beta1
kind: KafkaChannel
metadata:
  name: my-kafka-channel
spec:
  numPartitions: 3
  replicationFactor: 1
  delivery:
    retry: 2
    backoffPolicy: linear
    backoffDelay: PT1S
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata:
  name: display
spec:
  channel:
    apiVersion: messaging.knative.dev/v1beta1
    kind: KafkaChannel
    name: my-kafka-channel
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: event-display
spec:
  template:
    spec:
      containers:
      - image: gcr.io/knative-releases/knative.dev/eventing/cmd/event_display
"#;

#[test]
fn a_kafka_channel_delivers_to_its_subscriptions_with_its_delivery_spec() {
    let l = knflow_model::load_str(CHANNEL, "channel.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    let f = l.flow;
    let ds = knflow_model::validate::validate(&f, Default::default());
    assert!(
        ds.iter()
            .all(|d| d.severity != knflow_model::Severity::Error),
        "{ds:?}"
    );
    let ch = f
        .get(&knflow_model::ResourceId::parse("KafkaChannel/my-kafka-channel").unwrap())
        .unwrap();
    let shape = knflow_model::diagram::shape::resource_shape(ch);
    assert!(shape.input.is_some() && shape.port("subscriptions").is_some());
    let event = event_of(serde_json::json!({
        "specversion": "1.0", "id": "1", "type": "order.paid", "source": "/shop"
    }));
    let run = |behavior: Option<&str>| {
        let behaviors: Vec<(&str, &str)> = behavior
            .map(|b| ("Service/event-display", b))
            .into_iter()
            .collect();
        sent(
            &f,
            &behaviors,
            "KafkaChannel/my-kafka-channel",
            event.clone(),
        )
    };
    let ok = run(None);
    let last = ok.trace().last().unwrap();
    assert_eq!(&*last.hop.to, "Service/event-display");
    assert_eq!(last.hop.via.as_deref(), Some("Subscription/display"));
    // Failing: the channel's delivery spec retries twice, then gives up (no dead-letter sink).
    let failing = run(Some("fail:500"));
    let attempts = failing
        .trace()
        .iter()
        .filter(|h| &*h.hop.to == "Service/event-display")
        .count();
    assert_eq!(attempts, 3, "{:?}", failing.trace());
}

/// A KafkaSink writing topic `orders` and a KafkaSource reading it from the same cluster.
fn topic_flow(source_servers: &str) -> knflow_model::Flow {
    let yaml = format!(
        r#"
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: to-kafka
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: eventing.knative.dev/v1alpha1
      kind: KafkaSink
      name: orders-sink
---
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata:
  name: orders-sink
spec:
  topic: orders
  bootstrapServers:
  - my-cluster-kafka-bootstrap.kafka:9092
---
apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: orders-source
spec:
  consumerGroup: g
  bootstrapServers:
  - {source_servers}
  topics:
  - orders
  ceOverrides:
    extensions:
      via: kafka
  sink:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: display
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: display
spec:
  template:
    spec:
      containers:
      - image: example.com/display
"#
    );
    let l = knflow_model::load_str(&yaml, "topic.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

#[test]
fn what_a_kafka_sink_stores_a_kafka_source_on_its_topic_forwards() {
    let event = event_of(serde_json::json!({
        "specversion": "1.0", "id": "1", "type": "order.paid", "source": "/shop"
    }));
    let run = |f: &knflow_model::Flow| {
        let sim = sent(f, &[], "Broker/default", event.clone());
        sim.trace()
            .iter()
            .map(|h| {
                (
                    h.hop.from.to_string(),
                    h.hop.to.to_string(),
                    h.hop.event.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let hops = run(&topic_flow("my-cluster-kafka-bootstrap.kafka:9092"));
    let last = hops.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        ("KafkaSource/orders-source", "Service/display"),
        "{hops:?}"
    );
    // The CloudEvent as it was stored (same id and type), with the source's overrides.
    use cloudevents::AttributesReader;
    assert_eq!(last.2.id(), "1");
    assert_eq!(last.2.ty(), "order.paid");
    assert_eq!(
        last.2.extension("via").map(|v| v.to_string()).as_deref(),
        Some("kafka")
    );
    // Another cluster's topic of the same name is not this one.
    let hops = run(&topic_flow("other-cluster:9092"));
    assert!(hops.iter().all(|h| h.1 != "Service/display"), "{hops:?}");
}
