//! `flows.knative.dev`: Sequence and Parallel.

use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::duck::{ChannelTemplateSpec, DeliverySpec, Destination};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SequenceSpec {
    /// The steps, called in order; each step's reply feeds the next. At least one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<SequenceStep>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_template: Option<ChannelTemplateSpec>,
    /// Where the last step's reply goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Destination>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct SequenceStep {
    #[serde(flatten)]
    pub destination: Destination,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ParallelSpec {
    /// Every branch receives every event. At least one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branches: Option<Vec<ParallelBranch>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_template: Option<ChannelTemplateSpec>,
    /// Where branch replies go when a branch has no `reply` of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Destination>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct ParallelBranch {
    /// Called first; the branch continues only if it replies with an event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Destination>,
    /// Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}
