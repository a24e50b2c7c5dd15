//! `messaging.knative.dev`: Channel, InMemoryChannel, Subscription.

use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::duck::{ChannelTemplateSpec, DeliverySpec, Destination, KReference};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelSpec {
    /// The backing channel to create (defaults to InMemoryChannel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_template: Option<ChannelTemplateSpec>,
    /// Default delivery for subscriptions of this channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    /// Filled in by the Subscription controller; not written by users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Vec<SubscriberSpec>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InMemoryChannelSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Vec<SubscriberSpec>>,
}

/// A resolved subscriber as the Subscription controller writes it into a channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubscriberSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber_uri: Option<String>,
    #[serde(rename = "subscriberCACerts", skip_serializing_if = "Option::is_none")]
    pub subscriber_ca_certs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber_audience: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_uri: Option<String>,
    #[serde(rename = "replyCACerts", skip_serializing_if = "Option::is_none")]
    pub reply_ca_certs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_audience: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthStatus>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionSpec {
    /// The channel to subscribe to. Required and immutable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<KReference>,
    /// Where each event of the channel is delivered. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<Destination>,
    /// Where the subscriber's reply goes; without it replies are discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}
