//! `eventing.knative.dev`: Broker, Trigger, EventType.

use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::duck::{AttributeMap, DeliverySpec, Destination, KReference};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BrokerSpec {
    /// Implementation-specific configuration, e.g. the ConfigMap naming the channel template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<KReference>,
    /// Delivery for every trigger of this broker that has none of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TriggerSpec {
    /// Name of the broker (same namespace) the trigger subscribes to. Required and immutable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    /// Reference to a broker in another namespace (feature `cross-namespace-event-links`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_ref: Option<KReference>,
    /// Legacy exact-match attribute filter; ignored when `filters` is non-empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<TriggerFilter>,
    /// CloudEvents Subscriptions API filters (AND of the entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<SubscriptionsApiFilter>>,
    /// Where passing events are delivered. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<Destination>,
    /// Delivery for this trigger; replaces the broker's delivery as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct TriggerFilter {
    /// Attribute → value; `""` means "present with any non-empty value".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributeMap>,
}

/// One entry of `filters`: exactly one dialect may be set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct SubscriptionsApiFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<SubscriptionsApiFilter>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<SubscriptionsApiFilter>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<SubscriptionsApiFilter>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<AttributeMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<AttributeMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<AttributeMap>,
    /// A CloudEvents SQL expression that must evaluate to true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cesql: Option<String>,
}

impl SubscriptionsApiFilter {
    /// The dialects this entry sets, in a fixed order.
    pub fn dialects(&self) -> Vec<&'static str> {
        let mut d = Vec::new();
        if self.exact.is_some() {
            d.push("exact");
        }
        if self.prefix.is_some() {
            d.push("prefix");
        }
        if self.suffix.is_some() {
            d.push("suffix");
        }
        if self.all.is_some() {
            d.push("all");
        }
        if self.any.is_some() {
            d.push("any");
        }
        if self.not.is_some() {
            d.push("not");
        }
        if self.cesql.is_some() {
            d.push("cesql");
        }
        d
    }
}

/// EventType `v1beta3`: what a broker or channel may carry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct EventTypeSpec {
    /// The addressable (Broker, Channel, …) the event type is available from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<KReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// CloudEvent attributes and extensions of this event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<EventAttributeDefinition>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct EventAttributeDefinition {
    /// Attribute name; must match `^[a-z0-9]+$`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Expected value; may contain `{placeholders}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// EventType `v1beta1`/`v1beta2`, still served by the CRD.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventTypeSpecV1Beta2 {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<KReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
