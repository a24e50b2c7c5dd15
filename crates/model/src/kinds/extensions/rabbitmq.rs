//! RabbitMQ (knative-extensions/eventing-rabbitmq): RabbitmqSource, RabbitmqBrokerConfig.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::LocalObjectReference;
use crate::kinds::duck::{DeliverySpec, Destination};

/// rabbitmqResourcesConfig stores all the configuration parameters related to RabbitMQ resources created by the Source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RabbitmqSourceRabbitmqResourcesConfig {
    /// VHost is the name of the VHost that will be used to set up our sources
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhost: Option<String>,
    /// Sets the Channel's Prefetch count and number of Workers to consume simultaneously from it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// Name of the exchange; Required when predeclared is false.
    #[serde(rename = "exchangeName", skip_serializing_if = "Option::is_none")]
    pub exchange_name: Option<String>,
    /// Predeclared defines if channels and queues are already predeclared and shouldn't be recreated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predeclared: Option<bool>,
    /// Name of the queue to bind to; required value.
    #[serde(rename = "queueName", skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
}

/// RabbitmqClusterReference stores a reference to RabbitmqCluster.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RabbitmqSourceRabbitmqClusterReference {
    /// Secret contains the http management uri for the RabbitMQ cluster.
    #[serde(rename = "connectionSecret", skip_serializing_if = "Option::is_none")]
    pub connection_secret: Option<LocalObjectReference>,
    /// The name of the RabbitMQ cluster to reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of the RabbitMQ cluster to reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RabbitmqSourceSpec {
    /// rabbitmqResourcesConfig stores all the configuration parameters related to RabbitMQ resources created by the Source.
    #[serde(
        rename = "rabbitmqResourcesConfig",
        skip_serializing_if = "Option::is_none"
    )]
    pub rabbitmq_resources_config: Option<RabbitmqSourceRabbitmqResourcesConfig>,
    /// RabbitmqClusterReference stores a reference to RabbitmqCluster.
    #[serde(rename = "rabbitmqClusterReference")]
    pub rabbitmq_cluster_reference: RabbitmqSourceRabbitmqClusterReference,
    /// Delivery stores the backoff strategy and retry configuration for the RabbitMQ Source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    /// ServiceAccountName is the name of the ServiceAccount that will be used to run the Receive Adapter Deployment.
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// AdapterContainerName is the name of the container in the Receive Adapter Deployment.
    #[serde(
        rename = "adapterContainerName",
        skip_serializing_if = "Option::is_none"
    )]
    pub adapter_container_name: Option<String>,
    /// Sink is a reference to an object that will resolve to a domain name to use as the sink.
    pub sink: Destination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum RabbitmqBrokerConfigQueueType {
    #[default]
    #[serde(rename = "quorum")]
    Quorum,
    #[serde(rename = "classic")]
    Classic,
}

/// RabbitmqClusterReference stores a reference to RabbitmqCluster.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RabbitmqBrokerConfigRabbitmqClusterReference {
    /// Secret contains the http management uri for the RabbitMQ cluster.
    #[serde(rename = "connectionSecret", skip_serializing_if = "Option::is_none")]
    pub connection_secret: Option<LocalObjectReference>,
    /// The name of the RabbitMQ cluster to reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of the RabbitMQ cluster to reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RabbitmqBrokerConfigSpec {
    /// VHost is the name of the VHost that will be used to set up our broker's resources, and the trigger's resources that connects to it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhost: Option<String>,
    #[serde(rename = "queueType", skip_serializing_if = "Option::is_none")]
    pub queue_type: Option<RabbitmqBrokerConfigQueueType>,
    /// RabbitmqClusterReference stores a reference to RabbitmqCluster.
    #[serde(
        rename = "rabbitmqClusterReference",
        skip_serializing_if = "Option::is_none"
    )]
    pub rabbitmq_cluster_reference: Option<RabbitmqBrokerConfigRabbitmqClusterReference>,
}
