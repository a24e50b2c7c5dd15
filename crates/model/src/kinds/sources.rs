//! `sources.knative.dev`: PingSource, ApiServerSource, ContainerSource, SinkBinding.

use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::duck::SourceSpec;
use super::embedded::{LabelSelector, PodTemplateSpec};
use super::eventing::SubscriptionsApiFilter;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PingSourceSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// Cron schedule (5 fields, optional leading seconds, or `@hourly`-style descriptors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// IANA time zone the schedule is read in, e.g. `Europe/Paris`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Media type of `data`/`dataBase64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Event payload as text. Exclusive with `dataBase64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Event payload, base64. Exclusive with `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_base64: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum ApiServerSourceMode {
    Reference,
    Resource,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiServerSourceSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// The resources to watch. At least one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ApiVersionKindSelector>>,
    /// Only objects owned by this kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<ApiVersionKind>,
    /// `Reference` (default) sends a reference to the object; `Resource` the whole object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<ApiServerSourceMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Namespaces to watch; without it only the source's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// Subscriptions API filters applied before sending (newer Knative versions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<SubscriptionsApiFilter>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiVersionKindSelector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiVersionKind {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct ContainerSourceSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// The pod that sends events to `K_SINK`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct SinkBindingSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// The workload(s) that get `K_SINK` and `K_CE_OVERRIDES` injected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<BindingSubject>,
}

/// A reference to workloads by name or by label selector (`tracker.Reference`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BindingSubject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Exclusive with `selector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Exclusive with `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}
