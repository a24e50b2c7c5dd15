//! `data/k8s-schemas.json` and `data/k8s-docs.json` are k8s-openapi's own schemas for the
//! Kubernetes types Knative specs embed (see `kinds::embedded`), the descriptions kept apart.
//! This regenerates both from the k8s-openapi version the workspace pins and fails when the data
//! has drifted; `KNFLOW_BLESS=1` rewrites the files.

mod common;

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::Value;

/// k8s-openapi's definitions, sorted by name.
fn definitions() -> serde_json::Map<String, Value> {
    let mut g = schemars::SchemaGenerator::default();
    g.subschema_for::<PodSpec>();
    g.subschema_for::<PodTemplateSpec>();
    g.subschema_for::<JobSpec>();
    g.subschema_for::<ServiceSpec>();
    g.subschema_for::<ObjectMeta>();
    g.subschema_for::<LabelSelector>();
    let mut defs: Vec<(String, Value)> = g.definitions().clone().into_iter().collect();
    defs.sort_by(|a, b| a.0.cmp(&b.0));
    defs.into_iter().collect()
}

/// The schemas without descriptions, and the descriptions by definition and JSON pointer.
fn generated() -> (String, String) {
    let mut schemas = definitions();
    let docs: serde_json::Map<String, Value> = schemas
        .iter_mut()
        .map(|(name, def)| (name.clone(), Value::Object(common::strip_docs(def))))
        .collect();
    (common::lines(&schemas), common::lines(&docs))
}

#[test]
fn the_shipped_kubernetes_schemas_are_k8s_openapis() {
    let (schemas, docs) = generated();
    common::check_data_file("k8s-schemas.json", &schemas, "k8s_schema_data");
    common::check_data_file("k8s-docs.json", &docs, "k8s_schema_data");
    // Natively the model puts the descriptions back: its schemas are k8s-openapi's, whole.
    assert_eq!(knflow_model::kinds::embedded::definitions(), &definitions());
    let docs = knflow_model::kinds::embedded::docs();
    assert!(docs["io.k8s.api.core.v1.Container"]["/properties/image"]
        .as_str()
        .unwrap()
        .contains("Container image name"));
}
