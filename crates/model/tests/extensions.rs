//! The extension projects' kinds as typed, checked kinds (issue 20): their CRD fields checked
//! structurally, their webhook rules, the broker classes and their configuration kinds, their
//! ports and wires, and a palette entry of each that is valid as it is added.

mod common;

use common::{check, codes, load};
use knflow_model::kinds::extensions::broker::{with_class, CLASS_ANNOTATION};
use knflow_model::kinds::{by_kind_name, Category, KINDS};
use knflow_model::refs::Role;
use knflow_model::{wiring, Flow, ResourceId, Severity};

const DISPLAY: &str = r#"
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

fn errors(text: &str) -> Vec<String> {
    let diags: Vec<_> = check(text)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    codes(&diags)
}

#[test]
fn the_crd_fields_of_an_extension_kind_are_checked() {
    // KafkaSink needs a topic and bootstrap servers, knows only its content modes, and a
    // misspelt field is named.
    let text = r#"
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata:
  name: my-kafka-sink
spec:
  bootstrapServer: my-cluster-kafka-bootstrap.kafka:9092
  contentMode: avro
"#;
    let all = codes(&check(text));
    for want in [
        "missing-field@.spec.topic",
        "missing-field@.spec.bootstrapServers",
        "unknown-field@.spec.bootstrapServer",
    ] {
        assert!(all.contains(&want.to_string()), "{want} not in {all:?}");
    }
    assert!(
        all.iter().any(|c| c.ends_with("@.spec.contentMode")),
        "{all:?}"
    );
}

#[test]
fn kafka_webhook_rules_apply() {
    let text = format!(
        r#"
apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata:
  name: kafka-source
spec:
  bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
  topics: [knative-demo-topic]
  ordering: fifo
  initialOffset: newest
  consumers: 0
  sink:
    ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: event-display}}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ordered
  annotations:
    kafka.eventing.knative.dev/delivery.order: in-order
spec:
  broker: default
  subscriber:
    ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: event-display}}
{DISPLAY}"#
    );
    let e = errors(&text);
    for want in [
        "invalid-value@.spec.ordering",
        "invalid-value@.spec.initialOffset",
        "invalid-value@.spec.consumers",
        "invalid-value@.metadata.annotations.kafka.eventing.knative.dev/delivery.order",
    ] {
        assert!(e.contains(&want.to_string()), "{want} not in {e:?}");
    }
    // The values Knative accepts pass (the annotation in any case).
    let fixed = text
        .replace("fifo", "unordered")
        .replace("newest", "latest")
        .replace("consumers: 0", "consumers: 2")
        .replace("in-order", "Ordered");
    let e = errors(&fixed);
    assert!(e.iter().all(|c| !c.starts_with("invalid-value")), "{e:?}");
}

const BROKERS: &str = r#"
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
spec: {}
---
apiVersion: eventing.knative.dev/v1alpha1
kind: RabbitmqBrokerConfig
metadata:
  name: rabbit-config
spec:
  rabbitmqClusterReference:
    name: rabbitmq
  queueType: quorum
"#;

#[test]
fn choosing_a_broker_class_points_its_config_at_the_kind_the_class_reads() {
    let flow = load(BROKERS).flow;
    let broker = flow
        .get(&ResourceId::parse("Broker/default").unwrap())
        .unwrap();
    let kafka = with_class(&flow, broker, Some("Kafka"));
    assert_eq!(kafka["metadata"]["annotations"][CLASS_ANNOTATION], "Kafka");
    assert_eq!(
        kafka["spec"]["config"],
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "name": "kafka-broker-config", "namespace": "knative-eventing"})
    );
    // RabbitMQ reads a RabbitmqBrokerConfig: the flow's own.
    let rabbit = with_class(&flow, broker, Some("RabbitMQBroker"));
    assert_eq!(
        rabbit["spec"]["config"],
        serde_json::json!({"apiVersion": "eventing.knative.dev/v1alpha1",
            "kind": "RabbitmqBrokerConfig", "name": "rabbit-config"})
    );
    // A config of the right kind is kept; the cluster default removes the annotation.
    let mut edited: Flow = flow.clone();
    edited
        .replace(&broker.id, kafka.clone())
        .expect("a Kafka broker is a valid edit");
    let again = edited.get(&broker.id).unwrap();
    let namespaced = with_class(&edited, again, Some("KafkaNamespaced"));
    assert_eq!(namespaced["spec"]["config"], kafka["spec"]["config"]);
    let plain = with_class(&edited, again, None);
    assert!(plain["metadata"].get("annotations").is_none(), "{plain}");
}

#[test]
fn a_broker_whose_config_is_not_what_its_class_reads_is_warned() {
    let text = BROKERS.replace(
        "  name: default\nspec: {}",
        "  name: default\n  annotations:\n    eventing.knative.dev/broker.class: RabbitMQBroker\nspec:\n  config:\n    apiVersion: v1\n    kind: ConfigMap\n    name: config-br-default-channel",
    );
    let all = codes(&check(&text));
    assert!(
        all.contains(&"broker-config-kind@.spec.config.kind".to_string()),
        "{all:?}"
    );
    // Pointing it at the RabbitmqBrokerConfig wires it (a config port accepts that kind).
    assert!(wiring::accepts(
        Role::Config,
        "eventing.knative.dev",
        "RabbitmqBrokerConfig"
    ));
}

#[test]
fn extension_kinds_have_the_ports_of_what_they_are() {
    let ports = |kind: &str| -> Vec<Role> {
        wiring::ports(by_kind_name(kind).unwrap())
            .iter()
            .map(|p| p.role)
            .collect()
    };
    assert_eq!(ports("KafkaSource"), [Role::Sink, Role::DeadLetterSink]);
    assert_eq!(ports("GitHubSource"), [Role::Sink]);
    assert_eq!(ports("VSphereSource"), [Role::Sink]);
    assert_eq!(ports("KafkaChannel"), [Role::DeadLetterSink]);
    assert!(ports("KafkaSink").is_empty());
    assert!(wiring::accepts(
        Role::Channel,
        "messaging.knative.dev",
        "KafkaChannel"
    ));
    assert!(wiring::accepts(
        Role::Sink,
        "eventing.knative.dev",
        "KafkaSink"
    ));
}

#[test]
fn an_object_reference_sink_is_a_wire_that_follows_a_rename() {
    // AwsSqsSource v1alpha1 writes its sink as a bare object reference.
    let text = format!(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: AwsSqsSource
metadata:
  name: awssqs-sample-source
spec:
  awsCredsSecret:
    name: aws-credentials
    key: credentials
  queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/my-queue
  sink:
    apiVersion: serving.knative.dev/v1
    kind: Service
    name: event-display
{DISPLAY}"#
    );
    assert!(errors(&text).is_empty(), "{:?}", errors(&text));
    let mut flow = load(&text).flow;
    let src = ResourceId::parse("AwsSqsSource/awssqs-sample-source").unwrap();
    let targets: Vec<String> = flow
        .outgoing(&src)
        .into_iter()
        .filter_map(|(_, n)| n.resource().map(|r| r.id.to_string()))
        .collect();
    assert_eq!(targets, ["Service/event-display"]);
    flow.rename(
        &ResourceId::parse("Service/event-display").unwrap(),
        "display",
    )
    .unwrap();
    let sink = &flow.get(&src).unwrap().manifest["spec"]["sink"];
    assert_eq!(sink["name"], "display", "{sink}");
    assert!(sink.get("ref").is_none(), "{sink}");
}

const WIRED: &[&str] = &[
    ".spec.subject",
    ".spec.broker",
    ".spec.subscriber",
    ".spec.channel",
    ".spec.sink",
    ".spec.reference",
    ".spec.steps",
    ".spec.branches",
];

#[test]
fn every_palette_kind_is_valid_as_added_and_extension_kinds_have_a_project() {
    for info in KINDS {
        let mut flow = Flow::new("palette", None);
        let id = flow.add_new(info.kind, "new").unwrap();
        let r = flow.get(&id).unwrap();
        let problems: Vec<_> =
            knflow_model::validate::validate_resource(&flow, r, Default::default())
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                // What a wire sets is for the user to draw (a SinkBinding's subject, …).
                .filter(|d| !WIRED.contains(&d.path.as_str()))
                .map(|d| d.to_string())
                .collect();
        // Every other field the kind requires is filled in.
        assert!(problems.is_empty(), "{}: {problems:?}", info.kind);
        let group = info.group;
        let extension = !(group.is_empty()
            || matches!(
                group,
                "eventing.knative.dev"
                    | "messaging.knative.dev"
                    | "flows.knative.dev"
                    | "sources.knative.dev"
                    | "sinks.knative.dev"
                    | "serving.knative.dev"
            ))
            || info.kind.starts_with("Kafka")
            || info.kind.starts_with("Rabbitmq");
        if extension {
            assert!(info.project.is_some(), "{} has no project", info.kind);
        }
    }
    assert_eq!(by_kind_name("KafkaSource").unwrap().project, Some("Kafka"));
    assert_eq!(by_kind_name("PingSource").unwrap().project, None);
    assert_eq!(
        by_kind_name("RabbitmqBrokerConfig").unwrap().category,
        Category::Config
    );
}

#[test]
fn a_kafka_topic_is_drawn_from_the_sink_that_writes_it_to_the_sources_that_read_it() {
    let text = format!(
        r#"
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata:
  name: orders-sink
spec:
  topic: orders
  bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
---
apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata:
  name: orders-reader
spec:
  topics: [orders]
  bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092, other:9092]
  sink:
    ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: event-display}}
---
apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata:
  name: other-cluster
spec:
  topics: [orders]
  bootstrapServers: [elsewhere:9092]
  sink:
    ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: event-display}}
{DISPLAY}"#
    );
    let flow = load(&text).flow;
    let d = knflow_model::diagram::Diagram::of(&flow);
    let topics: Vec<_> = d
        .wires
        .iter()
        .filter(|w| w.kind == knflow_model::diagram::WireKind::Topic)
        .collect();
    // Only the source on the same cluster reads what the sink writes.
    assert_eq!(topics.len(), 1, "{topics:?}");
    let w = topics[0];
    assert_eq!(d.nodes[w.from].label, "KafkaSink/orders-sink");
    assert_eq!(d.nodes[w.to].label, "KafkaSource/orders-reader");
    assert_eq!(
        w.name,
        "KafkaSink orders-sink topic → KafkaSource orders-reader"
    );
    // It leaves the sink's `topic` port and enters the source's input on its left.
    let port = d.from_port(w).expect("a topic port");
    assert_eq!(port.x, knflow_model::diagram::NODE_W);
    assert_eq!(d.nodes[w.to].shape.input, Some("topic"));
    // Nothing holds it: the graph has no edge between the two.
    let sink = ResourceId::parse("KafkaSink/orders-sink").unwrap();
    assert!(flow.outgoing(&sink).is_empty());
}

#[test]
fn a_broker_class_config_that_comes_with_the_install_is_not_dangling() {
    let broker = |ns: &str| {
        format!(
            "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n  annotations:\n    eventing.knative.dev/broker.class: Kafka\nspec:\n  config:\n    apiVersion: v1\n    kind: ConfigMap\n    name: kafka-broker-config\n    namespace: {ns}\n"
        )
    };
    let dangling = |text: &str| {
        knflow_model::lint::lint(&load(text).flow)
            .iter()
            .any(|d| d.code == "dangling-reference")
    };
    assert!(!dangling(&broker("knative-eventing")));
    // One in the user's own namespace is theirs to provide.
    assert!(dangling(&broker("shop")));
}
