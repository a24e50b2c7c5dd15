//! The kinds of Knative's extension projects and of Knative's own Integration kinds, each with
//! every field of its CRD (../shared/reference/knative-extension-crds, knative-crds). Projects
//! whose CRD keeps its spec open (Ceph, vSphere) are typed after their Go types.
//!
//! The model's routing reads only what every one of them shares — a source's `sink` and
//! `ceOverrides`, a channel's or source's `delivery` — through [`ExtensionSpec`]; the full structs
//! give each kind its JSON Schema (structural checks, editor forms) and are there for any code
//! that needs a kind's own fields. Deserialising all of them for every resource would put their
//! serde code in the designer's wasm for no use.

pub mod awssqs;
pub mod broker;
pub mod ceph;
pub mod couchdb;
pub mod github;
pub mod gitlab;
pub mod integration;
pub mod kafka;
pub mod natss;
pub mod rabbitmq;
pub mod redis;
pub mod topics;
pub mod vsphere;

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::duck::{DeliverySpec, SourceSpec};

/// What routing reads of an extension kind's spec (see the module documentation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, knflow_derive::FromValue)]
pub struct ExtensionSpec {
    /// `sink` and `ceOverrides` (sources).
    #[serde(flatten)]
    pub source: SourceSpec,
    /// Retries and dead-lettering (KafkaSource, RabbitmqSource, the channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliverySpec>,
}

impl ExtensionSpec {
    /// Reads a spec. A sink written as a bare object reference (`apiVersion`, `kind`, `name`: the
    /// v1alpha1 shape AwsSqsSource still has, Go `corev1.ObjectReference`) is read as the
    /// Destination that reference means, so it wires and routes like any other sink.
    pub fn read(spec: &serde_json::Value) -> Result<ExtensionSpec, serde_json::Error> {
        use crate::read::FromValue;
        let mut s = ExtensionSpec::from_value(spec)?;
        if let Some(sink) = spec.get("sink").filter(|s| is_object_reference(s)) {
            let reference = super::duck::KReference::from_value(sink)?;
            s.source.sink = Some(super::duck::Destination {
                reference: Some(reference),
                ..Default::default()
            });
        }
        Ok(s)
    }
}

/// A sink that is an object reference itself rather than a Destination holding one.
pub fn is_object_reference(sink: &serde_json::Value) -> bool {
    sink.get("kind").is_some() && sink.get("ref").is_none() && sink.get("uri").is_none()
}

/// An object reference (`core/v1` `ObjectReference`), as AwsSqsSource v1alpha1 writes its sink.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_path: Option<String>,
}

/// A value taken from a key of a Secret (`core/v1` `SecretKeySelector` under `secretKeyRef`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecretValueFromSource {
    /// The Secret key to select.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeySelector>,
}

/// A key of a Secret in the object's namespace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct SecretKeySelector {
    /// The key of the secret to select from.
    pub key: String,
    /// Name of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the Secret or its key must be defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// An object in the same namespace, by name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct LocalObjectReference {
    /// Name of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
