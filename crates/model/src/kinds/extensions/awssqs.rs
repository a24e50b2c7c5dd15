//! AWS SQS (knative-extensions/eventing-awssqs, deprecated upstream in favour of TriggerMesh): AwsSqsSource.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct AwsSqsSourceSpec {
    #[serde(rename = "awsCredsSecret", skip_serializing_if = "Option::is_none")]
    pub aws_creds_secret: Option<super::SecretKeySelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(rename = "queueUrl")]
    pub queue_url: String,
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The sink as an object reference (`apiVersion`, `kind`, `name`), not a Destination.
    pub sink: Option<super::ObjectReference>,
}
