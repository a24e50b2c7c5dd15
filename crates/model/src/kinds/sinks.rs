//! Sinks: Knative `JobSink`, Knative Serving `Service`, Kubernetes `Service`.

use super::embedded::{JobSpec, ObjectMeta, PodSpec};
use knflow_derive::FromValue;
#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct JobSinkSpec {
    /// The Job started for every event received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobTemplate>,
}

/// A `batch/v1` Job as JobSink holds it (type meta optional, unlike k8s-openapi's `Job`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobTemplate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<JobSpec>,
}

/// `serving.knative.dev/v1` Service spec.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct KServiceSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<RevisionTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Vec<TrafficTarget>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct RevisionTemplateSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<RevisionSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RevisionSpec {
    #[serde(flatten)]
    pub pod: PodSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_concurrency: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_start_timeout_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrafficTarget {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_revision: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
