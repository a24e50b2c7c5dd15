//! CouchDB (knative-extensions/eventing-couchdb): CouchDbSource.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::duck::Destination;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum CouchDbSourceFeed {
    #[default]
    #[serde(rename = "continuous")]
    Continuous,
    #[serde(rename = "normal")]
    Normal,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct CouchDbSourceSpec {
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    pub sink: Destination,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<CouchDbSourceFeed>,
    pub database: String,
    pub credentials: serde_json::Map<String, serde_json::Value>,
}
