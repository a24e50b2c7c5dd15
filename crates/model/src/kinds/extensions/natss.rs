//! NATS (knative-extensions/eventing-natss): NatsJetStreamChannel.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::duck::DeliverySpec;
use crate::kinds::embedded::{Affinity, ResourceRequirements};
use crate::kinds::messaging::SubscriberSpec;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelConsumerConfigTemplate {
    /// AckWait denotes the duration for which delivered messages should wait for an acknowledgement before attempting redelivery.
    #[serde(rename = "ackWait", skip_serializing_if = "Option::is_none")]
    pub ack_wait: Option<String>,
    /// DeliverPolicy defines the DeliverPolicy for the consumer.
    #[serde(rename = "deliverPolicy", skip_serializing_if = "Option::is_none")]
    pub deliver_policy: Option<String>,
    /// FilterSubject configures the source to only include messages matching this subject.
    #[serde(rename = "filterSubject", skip_serializing_if = "Option::is_none")]
    pub filter_subject: Option<String>,
    /// MaxAckPending is the maximum number of messages without an acknowledgement that can be outstanding, once this limit is reached message delivery will be suspended.
    #[serde(rename = "maxAckPending", skip_serializing_if = "Option::is_none")]
    pub max_ack_pending: Option<i32>,
    /// MaxDeliver denotes the maximum number of times a message will be redelivered before being dropped (or delivered to the dead-letter queue if configured).
    #[serde(rename = "maxDeliver", skip_serializing_if = "Option::is_none")]
    pub max_deliver: Option<i32>,
    /// OptStartSeq denotes the message sequence number which this consumer should start from.
    #[serde(rename = "optStartSeq", skip_serializing_if = "Option::is_none")]
    pub opt_start_seq: Option<i64>,
    /// OptStartTime configures the consumer to deliver messages from the stream starting at the first message after this timestamp.
    #[serde(rename = "optStartTime", skip_serializing_if = "Option::is_none")]
    pub opt_start_time: Option<String>,
    /// RateLimitBPS will throttle delivery to the client in bits-per-second.
    #[serde(rename = "rateLimitBPS", skip_serializing_if = "Option::is_none")]
    pub rate_limit_bps: Option<i64>,
    /// ReplayPolicy defines the ReplayPolicy for the consumer.
    #[serde(rename = "replayPolicy", skip_serializing_if = "Option::is_none")]
    pub replay_policy: Option<String>,
    /// SampleFrequency sets the percentage of acknowledgements that should be sampled for observability.
    #[serde(rename = "sampleFrequency", skip_serializing_if = "Option::is_none")]
    pub sample_frequency: Option<String>,
    /// Push or Pull based subscriptions
    #[serde(rename = "consumerType", skip_serializing_if = "Option::is_none")]
    pub consumer_type: Option<String>,
    /// Pull consumer.
    #[serde(rename = "fetchMaxWait", skip_serializing_if = "Option::is_none")]
    pub fetch_max_wait: Option<String>,
    /// Pull consumer.
    #[serde(rename = "fetchBatchSize", skip_serializing_if = "Option::is_none")]
    pub fetch_batch_size: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelDeploymentSpecTemplate {
    pub affinity: Affinity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(rename = "nodeSelector", skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

/// Another stream this one mirrors (`mirror`) or takes messages from (`sources`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct StreamSource {
    /// FilterSubject configures the source to only include messages matching this subject.
    #[serde(rename = "filterSubject", skip_serializing_if = "Option::is_none")]
    pub filter_subject: Option<String>,
    /// Name is the stream name which this source is referencing
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// OptStartSeq denotes the message sequence number which this source should start from.
    #[serde(rename = "optStartSeq", skip_serializing_if = "Option::is_none")]
    pub opt_start_seq: Option<i64>,
    /// OptStartTime configures the source to deliver messages from the stream starting at the first message after this timestamp.
    #[serde(rename = "optStartTime", skip_serializing_if = "Option::is_none")]
    pub opt_start_time: Option<String>,
}

/// Placement allows configuring which JetStream server the stream should be placed on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelStreamConfigPlacement {
    /// Cluster denotes the cluster name which this stream should be placed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Tags will restrict this stream to only be stored on servers matching these tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Config defines the StreamConfig for the stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelStreamConfig {
    /// AdditionalSubjects allows adding additional subjects which this stream will subscribe to.
    #[serde(rename = "additionalSubjects", skip_serializing_if = "Option::is_none")]
    pub additional_subjects: Option<Vec<String>>,
    /// Discard defines the DiscardPolicy for this stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discard: Option<String>,
    /// DuplicateWindow defines the duration of which messages should be tracked for detecting duplicates.
    #[serde(rename = "duplicateWindow", skip_serializing_if = "Option::is_none")]
    pub duplicate_window: Option<String>,
    /// MaxAge defines the maximum age of a message which is allowed in the stream.
    #[serde(rename = "maxAge", skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// MaxBytes defines how many bytes this stream can store spanning all messages in the stream.
    #[serde(rename = "maxBytes", skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<i64>,
    /// MaxConsumers defines how many consumers this stream can be bound to it.
    #[serde(rename = "maxConsumers", skip_serializing_if = "Option::is_none")]
    pub max_consumers: Option<i32>,
    /// MaxMsgSize defines the maximum size in bytes of an individual message.
    #[serde(rename = "maxMsgSize", skip_serializing_if = "Option::is_none")]
    pub max_msg_size: Option<i32>,
    /// MaxMsgs defines how many messages this stream can store.
    #[serde(rename = "maxMsgs", skip_serializing_if = "Option::is_none")]
    pub max_msgs: Option<i64>,
    /// Mirror configures the stream to mirror another stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<StreamSource>,
    /// NoAck disables acknowledgement of messages when true.
    #[serde(rename = "noAck", skip_serializing_if = "Option::is_none")]
    pub no_ack: Option<bool>,
    /// Placement allows configuring which JetStream server the stream should be placed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<NatsJetStreamChannelStreamConfigPlacement>,
    /// Replicas defines how many replicas of each message should be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Retention defines the RetentionPolicy for this stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Sources allows aggregating messages from other streams into a new stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<StreamSource>>,
    /// Storage defines the Storage mechanism for this stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelStream {
    /// Config defines the StreamConfig for the stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<NatsJetStreamChannelStreamConfig>,
    /// OverrideName allows defining a custom stream name, by default a generated name based on the namespace and name of the NatsJetStreamChannel is used.
    #[serde(rename = "overrideName", skip_serializing_if = "Option::is_none")]
    pub override_name: Option<String>,
}

/// Spec defines the desired state of the Channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct NatsJetStreamChannelSpec {
    #[serde(
        rename = "consumerConfigTemplate",
        skip_serializing_if = "Option::is_none"
    )]
    pub consumer_config_template: Option<NatsJetStreamChannelConsumerConfigTemplate>,
    /// DeliverySpec contains the default delivery spec for each subscription to this Channelable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    #[serde(
        rename = "deploymentSpecTemplate",
        skip_serializing_if = "Option::is_none"
    )]
    pub deployment_spec_template: Option<NatsJetStreamChannelDeploymentSpecTemplate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<NatsJetStreamChannelStream>,
    /// This is the list of subscriptions for this subscribable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Vec<SubscriberSpec>>,
}
