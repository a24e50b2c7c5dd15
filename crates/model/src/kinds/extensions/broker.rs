//! Broker classes: Knative's channel-based broker and the extension projects' brokers, each
//! reading its `spec.config` as its own kind (eventing-kafka-broker `broker_class.go`,
//! eventing-rabbitmq `broker` webhook).

use serde_json::{json, Value};

use crate::flow::Flow;
use crate::resource::Resource;

/// The class annotation every Broker may carry.
pub const CLASS_ANNOTATION: &str = "eventing.knative.dev/broker.class";

/// One broker class and the configuration it reads.
pub struct BrokerClass {
    pub class: &'static str,
    /// What the designer says about it.
    pub summary: &'static str,
    pub config_api_version: &'static str,
    pub config_kind: &'static str,
    /// The configuration a new broker of the class usually points at: (namespace, name);
    /// `None` for the namespace means the broker's own.
    pub default_config: (Option<&'static str>, &'static str),
}

pub const BROKER_CLASSES: &[BrokerClass] = &[
    BrokerClass {
        class: "MTChannelBasedBroker",
        summary: "Knative's broker over channels (InMemoryChannel, KafkaChannel, …)",
        config_api_version: "v1",
        config_kind: "ConfigMap",
        default_config: (Some("knative-eventing"), "config-br-default-channel"),
    },
    BrokerClass {
        class: "Kafka",
        summary: "Apache Kafka broker: one topic per broker, shared data plane",
        config_api_version: "v1",
        config_kind: "ConfigMap",
        default_config: (Some("knative-eventing"), "kafka-broker-config"),
    },
    BrokerClass {
        class: "KafkaNamespaced",
        summary: "Apache Kafka broker with a data plane in the broker's namespace",
        config_api_version: "v1",
        config_kind: "ConfigMap",
        default_config: (None, "kafka-broker-config"),
    },
    BrokerClass {
        class: "RabbitMQBroker",
        summary: "RabbitMQ broker: an exchange and a queue per trigger",
        config_api_version: "eventing.knative.dev/v1alpha1",
        config_kind: "RabbitmqBrokerConfig",
        default_config: (None, "default-config"),
    },
];

/// A broker's class as written (`None`: the cluster's default, usually MTChannelBasedBroker).
pub fn class_of(r: &Resource) -> Option<&str> {
    r.annotation(CLASS_ANNOTATION)
}

pub fn class(name: &str) -> Option<&'static BrokerClass> {
    BROKER_CLASSES.iter().find(|c| c.class == name)
}

/// `broker`'s manifest with class `class` (`None`: the annotation removed) and a `spec.config`
/// of the kind that class reads: kept if it already is one, else the class's usual
/// configuration (for RabbitMQ, the flow's first RabbitmqBrokerConfig).
pub fn with_class(flow: &Flow, broker: &Resource, class_name: Option<&str>) -> Value {
    let mut m = broker.manifest.clone();
    match class_name {
        Some(c) => m["metadata"]["annotations"][CLASS_ANNOTATION] = json!(c),
        None => {
            if let Some(a) = m["metadata"]
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
            {
                a.remove(CLASS_ANNOTATION);
                if a.is_empty() {
                    m["metadata"]
                        .as_object_mut()
                        .map(|o| o.remove("annotations"));
                }
            }
        }
    }
    let Some(c) = class_name.and_then(class) else {
        return m;
    };
    let current = m.pointer("/spec/config/kind").and_then(Value::as_str);
    if current == Some(c.config_kind) {
        return m;
    }
    let name = if c.config_kind == "RabbitmqBrokerConfig" {
        flow.resources()
            .find(|r| r.id.kind == "RabbitmqBrokerConfig")
            .map_or(c.default_config.1, |r| r.name())
    } else {
        c.default_config.1
    };
    let mut config = json!({
        "apiVersion": c.config_api_version,
        "kind": c.config_kind,
        "name": name,
    });
    if let Some(ns) = c.default_config.0 {
        config["namespace"] = json!(ns);
    }
    if !m["spec"].is_object() {
        m["spec"] = json!({});
    }
    m["spec"]["config"] = config;
    m
}
