//! `data/k8s-schemas.json` is k8s-openapi's own schemas for the Kubernetes types Knative specs
//! embed (see `kinds::embedded`). This regenerates them from the k8s-openapi version the
//! workspace pins and fails when the data has drifted; `KNFLOW_BLESS=1` rewrites the file.

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::Value;

/// One definition per line, so a k8s-openapi upgrade shows as a readable diff.
fn generated() -> String {
    let mut g = schemars::SchemaGenerator::default();
    g.subschema_for::<PodSpec>();
    g.subschema_for::<PodTemplateSpec>();
    g.subschema_for::<JobSpec>();
    g.subschema_for::<ServiceSpec>();
    g.subschema_for::<ObjectMeta>();
    g.subschema_for::<LabelSelector>();
    let mut defs: Vec<(&String, &Value)> = g.definitions().iter().collect();
    defs.sort_by_key(|(k, _)| *k);
    let lines: Vec<String> = defs
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), v))
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

#[test]
fn the_shipped_kubernetes_schemas_are_k8s_openapis() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/k8s-schemas.json");
    let want = generated();
    if std::env::var_os("KNFLOW_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "{path} differs from k8s-openapi's schemas; regenerate it with \
         KNFLOW_BLESS=1 cargo test -p knflow-model --test k8s_schema_data"
    );
    let shipped = knflow_model::kinds::embedded::definitions();
    assert_eq!(shipped.len(), want.lines().count() - 2);
    assert!(shipped["io.k8s.api.core.v1.Container"]["properties"]["image"].is_object());
}
