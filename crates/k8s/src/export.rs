//! A flow as Kubernetes manifests: only the resources (no layout, no simulation, no scenarios),
//! in an order `kubectl apply -f` can take in one go, deterministic, without server-owned fields.

use serde_json::{json, Map, Value};

use knflow_model::Flow;

/// Export settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Namespace for every namespaced object (the flow's namespace fills objects without one).
    pub namespace: Option<String>,
}

/// Kinds that live outside namespaces.
fn cluster_scoped(api_version: &str, kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "APIService"
            | "IngressClass"
            | "RuntimeClass"
    ) && !api_version.contains("knative.dev")
}

/// Apply order: what others need comes first (namespaces, RBAC and config; brokers and channels;
/// sinks; then what refers to them; sources last, so they never send into nothing).
fn rank(api_version: &str, kind: &str) -> u8 {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (group, kind) {
        (_, "Namespace") => 0,
        (_, "CustomResourceDefinition") => 1,
        (
            "" | "rbac.authorization.k8s.io",
            "ServiceAccount" | "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            | "ConfigMap" | "Secret",
        ) => 2,
        ("eventing.knative.dev", "Broker")
        | ("messaging.knative.dev", "Channel" | "InMemoryChannel") => 3,
        ("serving.knative.dev", _)
        | ("sinks.knative.dev", _)
        | ("", "Service")
        | ("apps", _)
        | ("batch", _) => 4,
        ("eventing.knative.dev", "Trigger")
        | ("messaging.knative.dev", "Subscription")
        | ("flows.knative.dev", _) => 5,
        ("sources.knative.dev", _) => 7,
        ("eventing.knative.dev", "EventType") => 8,
        _ => 6,
    }
}

/// Fields the API server owns: applying them is refused or pointless.
pub(crate) const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// The flow's resources as manifests to apply, in apply order (stable within a rank).
pub fn manifests(flow: &Flow, opts: &Options) -> Vec<Value> {
    let mut out: Vec<(u8, usize, Value)> = flow
        .resources()
        .enumerate()
        .map(|(i, r)| {
            (
                rank(r.api_version(), &r.id.kind),
                i,
                manifest(flow, r, opts),
            )
        })
        .collect();
    knflow_model::order::sort_by(&mut out, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    out.into_iter().map(|(_, _, m)| m).collect()
}

/// One resource as it will be applied.
pub fn manifest(flow: &Flow, r: &knflow_model::Resource, opts: &Options) -> Value {
    let mut m = r.manifest.clone();
    let (api_version, kind) = (r.api_version(), r.id.kind.as_str());
    if let Value::Object(obj) = &mut m {
        obj.shift_remove("status");
        if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
            for f in SERVER_METADATA {
                meta.shift_remove(*f);
            }
            if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
                ann.shift_remove("kubectl.kubernetes.io/last-applied-configuration");
            }
            if !cluster_scoped(api_version, kind) {
                let own = meta
                    .get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(ns) = opts
                    .namespace
                    .clone()
                    .or(own)
                    .or_else(|| flow.namespace.clone())
                {
                    set_namespace(meta, ns);
                }
            }
        }
    }
    m
}

/// Puts `namespace` right after `name`, where people expect it.
fn set_namespace(meta: &mut Map<String, Value>, ns: String) {
    let mut out = Map::new();
    for (k, v) in std::mem::take(meta) {
        if k == "namespace" {
            continue;
        }
        let is_name = k == "name";
        out.insert(k, v);
        if is_name {
            out.insert("namespace".into(), Value::String(ns.clone()));
        }
    }
    if !out.contains_key("namespace") {
        out.insert("namespace".into(), Value::String(ns));
    }
    *meta = out;
}

/// Multi-document YAML with a header naming the flow.
pub fn to_yaml(flow: &Flow, manifests: &[Value]) -> String {
    let mut s = format!("# Kubernetes manifests of flow `{}`, exported by kn-flow {}.\n# Apply with: kubectl apply -f <this file>\n", flow.name, env!("CARGO_PKG_VERSION"));
    s.push_str(&knflow_model::flowfile::manifests_string(manifests.iter()));
    s
}

/// A `v1` `List` holding the manifests (for `-o json`).
pub fn to_list(manifests: &[Value]) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "items": manifests})
}

/// File name for one manifest in `--split` mode: `NN-kind-name.yaml`, NN keeping apply order.
pub fn split_name(index: usize, manifest: &Value) -> String {
    let kind = manifest
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("object")
        .to_lowercase();
    let name = manifest
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("unnamed");
    format!("{:02}-{kind}-{name}.yaml", index + 1)
}
