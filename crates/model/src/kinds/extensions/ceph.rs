//! Ceph (knative-extensions/eventing-ceph): CephSource. Its CRD keeps the spec open, so the
//! fields follow the Go type `CephSourceSpec` (`pkg/apis/sources/v1alpha1/cephsource_types.go`).

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::duck::SourceSpec;

/// Receives Ceph bucket notifications (S3-style records) on a port and sends them as events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CephSourceSpec {
    #[serde(flatten)]
    pub source: SourceSpec,
    /// Service account the receive adapter runs as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Port the receive adapter listens on for bucket notifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}
