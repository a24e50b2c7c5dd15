//! Duck types shared by many kinds: references, destinations, delivery and CloudEvent overrides
//! (knative.dev/pkg `apis/duck/v1`, eventing `apis/duck/v1`).

use indexmap::IndexMap;
use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A reference to another object (knative.dev/pkg `KReference`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct KReference {
    /// API version of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the referent; defaults to the namespace of the object holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// API group of the referent (feature `kreference-group`), used instead of `apiVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Name of one of the referent's `status.addresses` to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Where events go: a `ref` to an addressable, a `uri`, or a `ref` plus a relative `uri`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct Destination {
    /// Ref points to an Addressable.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<KReference>,
    /// An absolute URL, or a URL relative to the ref's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// CA certificates (PEM) the sender trusts when sending to this destination.
    #[serde(rename = "CACerts", skip_serializing_if = "Option::is_none")]
    pub ca_certs: Option<String>,
    /// OIDC audience of the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum BackoffPolicy {
    Linear,
    Exponential,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryFormat {
    Json,
    Binary,
}

/// Retries, backoff, timeout and dead-lettering (eventing `apis/duck/v1` `DeliverySpec`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliverySpec {
    /// Where events that fail every attempt are sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_sink: Option<Destination>,
    /// Retries after the first attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<i32>,
    /// `linear` or `exponential`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_policy: Option<BackoffPolicy>,
    /// ISO-8601 duration the backoff is computed from, e.g. `PT0.2S`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_delay: Option<String>,
    /// ISO-8601 per-attempt timeout (feature `delivery-timeout`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// ISO-8601 upper bound for honouring `Retry-After` (feature `delivery-retryafter`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_max: Option<String>,
    /// Event format for delivery: `json` (structured) or `binary`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<DeliveryFormat>,
}

/// Extensions a source adds to or overrides on every event it sends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct CloudEventOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<IndexMap<String, String>>,
}

/// The part every source shares (`duck/v1` `SourceSpec`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SourceSpec {
    /// Where the source sends its events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ce_overrides: Option<CloudEventOverrides>,
}

/// A template for the channels a Channel, Sequence or Parallel creates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelTemplateSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Spec of the backing channel (kind specific).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<serde_json::Value>,
}

/// Attribute values in filters. Kubernetes stores strings; Knative stringifies other scalars
/// before comparing, so numbers and booleans are accepted and kept as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    String(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl AttributeValue {
    /// The value as Knative compares it (Go's `%v`).
    pub fn as_text(&self) -> String {
        match self {
            AttributeValue::String(s) => s.clone(),
            AttributeValue::Number(n) => n.to_string(),
            AttributeValue::Bool(b) => b.to_string(),
        }
    }
}

impl AttributeValue {
    fn read(v: serde_json::Value) -> Result<Self, String> {
        match v {
            serde_json::Value::String(s) => Ok(AttributeValue::String(s)),
            serde_json::Value::Number(n) => Ok(AttributeValue::Number(n)),
            serde_json::Value::Bool(b) => Ok(AttributeValue::Bool(b)),
            other => Err(format!(
                "expected a string, number or boolean, found {}",
                crate::schema::type_name(&other)
            )),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        AttributeValue::read(serde_json::Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl crate::read::FromValue for AttributeValue {
    fn from_value(v: &serde_json::Value) -> Result<Self, serde_json::Error> {
        AttributeValue::read(v.clone()).map_err(serde::de::Error::custom)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl JsonSchema for AttributeValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AttributeValue".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// Attribute name → value, in the order written.
pub type AttributeMap = IndexMap<String, AttributeValue>;
