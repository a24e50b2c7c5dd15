//! VMware vSphere (vmware-tanzu/sources-for-knative): VSphereSource. Its CRD keeps the spec
//! open, so the fields follow the Go types (`pkg/apis/sources/v1alpha1/vspheresource_types.go`,
//! `VAuthSpec`, `VCheckpointSpec`).

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::LocalObjectReference;
use crate::kinds::duck::SourceSpec;

/// Sends the events of a vCenter as CloudEvents.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VSphereSourceSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// URL of the vCenter, e.g. `https://vcenter.example.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether to accept a vCenter certificate that does not verify.
    #[serde(rename = "skipTLSVerify", skip_serializing_if = "Option::is_none")]
    pub skip_tls_verify: Option<bool>,
    /// Secret (`kubernetes.io/basic-auth`) holding the vCenter user name and password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// How often the source records how far it has read, and how old a record may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_config: Option<CheckpointConfig>,
    /// `application/json` or `application/xml`: how event data is encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_encoding: Option<String>,
    /// Service account the adapter runs as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckpointConfig {
    /// Events older than this are not replayed after a restart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<i64>,
    /// How often the position read is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
}
