//! Redis (knative-extensions/eventing-redis): RedisStreamSource, RedisStreamSink, which share
//! their connection settings (`DialOptions`).
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SecretValueFromSource;
use crate::kinds::duck::{CloudEventOverrides, Destination};

/// Password to use for connecting to Redis
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct DialOptionsPassword {
    /// API version of the referent.
    #[serde(rename = "apiVersion", skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].
    #[serde(rename = "fieldPath", skip_serializing_if = "Option::is_none")]
    pub field_path: Option<String>,
    /// Kind of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Specific resourceVersion to which this reference is made, if any.
    #[serde(rename = "resourceVersion", skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// UID of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// Options are the connection options
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct DialOptions {
    /// CACert is the Kubernetes secret containing the server CA cert.
    #[serde(rename = "caCert", skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<SecretValueFromSource>,
    /// Cert is the Kubernetes secret containing the client certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<SecretValueFromSource>,
    /// Key is the Kubernetes secret containing the client key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<SecretValueFromSource>,
    /// Password to use for connecting to Redis
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<DialOptionsPassword>,
    /// SkipVerify indicates whether to skip TLS verification or not
    #[serde(rename = "skipVerify", skip_serializing_if = "Option::is_none")]
    pub skip_verify: Option<bool>,
    /// UseTLS indicates whether to use TLS or not
    #[serde(rename = "useTLS", skip_serializing_if = "Option::is_none")]
    pub use_tls: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RedisStreamSourceSpec {
    /// Address is the Redis TCP address
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// CloudEventOverrides defines overrides to control the output format and modifications of the event sent to the sink.
    #[serde(rename = "ceOverrides", skip_serializing_if = "Option::is_none")]
    pub ce_overrides: Option<CloudEventOverrides>,
    /// Options are the connection options
    #[serde(rename = "dialOptions", skip_serializing_if = "Option::is_none")]
    pub dial_options: Option<DialOptions>,
    /// Group is the name of the consumer group associated to this source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Consumers is a pointer to the number of desired consumers running in the consumer group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumers: Option<i32>,
    /// Sink is a reference to an object that will resolve to a uri to use as the sink.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Destination>,
    /// Stream is the name of the stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RedisStreamSinkSpec {
    /// Address is the Redis TCP address
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Options are the connection options
    #[serde(rename = "dialOptions", skip_serializing_if = "Option::is_none")]
    pub dial_options: Option<DialOptions>,
    /// Stream is the name of the stream to send events to
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}
