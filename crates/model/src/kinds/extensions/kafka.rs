//! Kafka (knative-extensions/eventing-kafka-broker): KafkaSource, KafkaSink, KafkaChannel.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::LocalObjectReference;
use super::SecretValueFromSource;
use crate::kinds::duck::{CloudEventOverrides, DeliverySpec, Destination};
use crate::kinds::messaging::SubscriberSpec;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSourceNetSasl {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// RoleARN is the Kubernetes secret containing the ARN of the IAM role to assume.
    #[serde(rename = "roleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<SecretValueFromSource>,
    /// Token Provider is the Kubernetes secret containing the OAUTHBEARER token provider function.
    #[serde(rename = "tokenProvider", skip_serializing_if = "Option::is_none")]
    pub token_provider: Option<SecretValueFromSource>,
    /// Password is the Kubernetes secret containing the SASL password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretValueFromSource>,
    /// Type of saslType, defaults to plain (vs SCRAM-SHA-512 or SCRAM-SHA-256 or OAUTHBEARER)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<SecretValueFromSource>,
    /// User is the Kubernetes secret containing the SASL username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<SecretValueFromSource>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSourceNetTls {
    /// CACert is the Kubernetes secret containing the server CA cert.
    #[serde(rename = "caCert", skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<SecretValueFromSource>,
    /// Cert is the Kubernetes secret containing the client certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<SecretValueFromSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Key is the Kubernetes secret containing the client key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<SecretValueFromSource>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSourceNet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sasl: Option<KafkaSourceNetSasl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<KafkaSourceNetTls>,
}

/// KafkaSourceSpec defines the desired state of the KafkaSource.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSourceSpec {
    /// Bootstrap servers are the Kafka servers the consumer will connect to.
    #[serde(rename = "bootstrapServers")]
    pub bootstrap_servers: Vec<String>,
    /// CloudEventOverrides defines overrides to control the output format and modifications of the event sent to the sink.
    #[serde(rename = "ceOverrides", skip_serializing_if = "Option::is_none")]
    pub ce_overrides: Option<CloudEventOverrides>,
    /// ConsumerGroupID is the consumer group ID.
    #[serde(rename = "consumerGroup", skip_serializing_if = "Option::is_none")]
    pub consumer_group: Option<String>,
    /// Number of desired consumers running in the consumer group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumers: Option<i32>,
    /// Delivery contains the delivery spec for this source
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    /// InitialOffset is the Initial Offset for the consumer group.
    #[serde(rename = "initialOffset", skip_serializing_if = "Option::is_none")]
    pub initial_offset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<KafkaSourceNet>,
    /// Ordering is the type of the consumer verticle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordering: Option<String>,
    /// Sink is a reference to an object that will resolve to a uri to use as the sink.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Destination>,
    /// Topic topics to consume messages from
    pub topics: Vec<String>,
}

/// CloudEvent content mode of Kafka messages sent to the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum KafkaSinkContentMode {
    #[default]
    #[serde(rename = "binary")]
    Binary,
    #[serde(rename = "structured")]
    Structured,
}

/// Auth secret
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSinkAuthSecret {
    /// Secret reference.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<LocalObjectReference>,
}

/// Auth configurations
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSinkAuth {
    /// Auth secret
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<KafkaSinkAuthSecret>,
}

/// Spec defines the desired state of the Kafka Sink.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaSinkSpec {
    /// Topic name to send events.
    pub topic: String,
    /// Number of topic partitions.
    #[serde(rename = "numPartitions", skip_serializing_if = "Option::is_none")]
    pub num_partitions: Option<i32>,
    /// Topic replication factor.
    #[serde(rename = "replicationFactor", skip_serializing_if = "Option::is_none")]
    pub replication_factor: Option<i32>,
    /// A list of host/port pairs to use for establishing the initial connection to the Kafka cluster.
    #[serde(rename = "bootstrapServers")]
    pub bootstrap_servers: Vec<String>,
    /// CloudEvent content mode of Kafka messages sent to the topic.
    #[serde(rename = "contentMode", skip_serializing_if = "Option::is_none")]
    pub content_mode: Option<KafkaSinkContentMode>,
    /// Auth configurations
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<KafkaSinkAuth>,
}

/// Spec defines the desired state of the Channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KafkaChannelSpec {
    /// NumPartitions is the number of partitions of a Kafka topic.
    #[serde(rename = "numPartitions", skip_serializing_if = "Option::is_none")]
    pub num_partitions: Option<i32>,
    /// ReplicationFactor is the replication factor of a Kafka topic.
    #[serde(rename = "replicationFactor", skip_serializing_if = "Option::is_none")]
    pub replication_factor: Option<i64>,
    /// RetentionDuration is the retention time for events in a Kafka Topic represented as an ISO-8601 Duration.
    #[serde(rename = "retentionDuration", skip_serializing_if = "Option::is_none")]
    pub retention_duration: Option<String>,
    /// DeliverySpec contains the default delivery spec for each subscription to this Channelable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    /// This is the list of subscriptions for this subscribable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Vec<SubscriberSpec>>,
}
