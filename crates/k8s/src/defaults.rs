//! The defaults Knative's webhooks fill in (KNATIVE-SEMANTICS §11), for `import --with-defaults`:
//! what the objects will look like once the cluster has accepted them.

use serde_json::{json, Map, Value};

fn root(v: &mut Value) -> &mut Map<String, Value> {
    v.as_object_mut().expect("manifests are objects")
}

/// The object at `key`, created (or replacing a non-object) when missing.
fn obj<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let e = m.entry(key.to_string()).or_insert_with(|| json!({}));
    if !e.is_object() {
        *e = json!({});
    }
    e.as_object_mut().expect("just made an object")
}

fn default(m: &mut Map<String, Value>, key: &str, value: Value) {
    m.entry(key.to_string()).or_insert(value);
}

/// Every `ref` of a destination gets the owner's namespace.
fn ref_namespaces(v: &mut Value, ns: &str) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(r)) = m.get_mut("ref") {
                if r.contains_key("kind") && r.contains_key("name") {
                    default(r, "namespace", json!(ns));
                }
            }
            m.values_mut().for_each(|c| ref_namespaces(c, ns));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| ref_namespaces(c, ns)),
        _ => {}
    }
}

/// Fills in Knative's defaults; `namespace` is the object's effective namespace.
pub fn apply(manifest: &mut Value, namespace: &str) {
    let api = manifest
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = manifest
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = manifest
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let group = api.rsplit_once('/').map_or("", |(g, _)| g).to_string();
    let channel_template =
        || json!({"apiVersion": "messaging.knative.dev/v1", "kind": "InMemoryChannel"});
    match (group.as_str(), kind.as_str()) {
        ("eventing.knative.dev", "Broker") => {
            default(
                obj(obj(root(manifest), "metadata"), "annotations"),
                "eventing.knative.dev/broker.class",
                json!("MTChannelBasedBroker"),
            );
            let spec = obj(root(manifest), "spec");
            default(
                spec,
                "config",
                json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "config-br-default-channel", "namespace": "knative-eventing"}),
            );
            default(
                spec,
                "delivery",
                json!({"retry": 10, "backoffPolicy": "exponential", "backoffDelay": "PT0.2S"}),
            );
        }
        ("eventing.knative.dev", "Trigger") => {
            let broker = manifest
                .pointer("/spec/broker")
                .and_then(Value::as_str)
                .map(str::to_string);
            default(obj(root(manifest), "spec"), "filter", json!({}));
            if let Some(b) = broker {
                default(
                    obj(obj(root(manifest), "metadata"), "labels"),
                    "eventing.knative.dev/broker",
                    json!(b),
                );
            }
        }
        ("messaging.knative.dev", "Channel") => {
            default(
                obj(root(manifest), "spec"),
                "channelTemplate",
                channel_template(),
            );
            default(
                obj(obj(root(manifest), "metadata"), "annotations"),
                "messaging.knative.dev/subscribable",
                json!("v1"),
            );
        }
        ("messaging.knative.dev", "InMemoryChannel") => {
            default(
                obj(obj(root(manifest), "metadata"), "annotations"),
                "messaging.knative.dev/subscribable",
                json!("v1"),
            );
        }
        ("flows.knative.dev", "Sequence" | "Parallel") => default(
            obj(root(manifest), "spec"),
            "channelTemplate",
            channel_template(),
        ),
        ("sources.knative.dev", "ApiServerSource") => {
            let spec = obj(root(manifest), "spec");
            default(spec, "mode", json!("Reference"));
            default(spec, "serviceAccountName", json!("default"));
        }
        ("sources.knative.dev", "PingSource") => {
            default(obj(root(manifest), "spec"), "schedule", json!("* * * * *"))
        }
        ("sources.knative.dev", "ContainerSource") => {
            if let Some(Value::Array(cs)) = manifest.pointer_mut("/spec/template/spec/containers") {
                for (i, c) in cs.iter_mut().enumerate() {
                    if let Value::Object(c) = c {
                        default(c, "name", json!(format!("{name}-{i}")));
                    }
                }
            }
        }
        ("sources.knative.dev", "SinkBinding") => {
            if let Some(Value::Object(subject)) = manifest.pointer_mut("/spec/subject") {
                default(subject, "namespace", json!(namespace));
            }
        }
        _ => return,
    }
    if let Some(spec) = manifest.get_mut("spec") {
        ref_namespaces(spec, namespace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_what_the_webhooks_fill_and_keeps_what_is_set() {
        let mut b = json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "metadata": {"name": "b"}, "spec": {"delivery": {"retry": 1}}});
        apply(&mut b, "shop");
        assert_eq!(
            b["metadata"]["annotations"]["eventing.knative.dev/broker.class"],
            "MTChannelBasedBroker"
        );
        assert_eq!(
            b["spec"]["delivery"],
            json!({"retry": 1}),
            "delivery defaults only when absent"
        );
        assert_eq!(b["spec"]["config"]["name"], "config-br-default-channel");
        let mut t = json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger", "metadata": {"name": "t"}, "spec": {"broker": "b", "subscriber": {"ref": {"apiVersion": "v1", "kind": "Service", "name": "s"}}}});
        apply(&mut t, "shop");
        assert_eq!(t["spec"]["filter"], json!({}));
        assert_eq!(t["metadata"]["labels"]["eventing.knative.dev/broker"], "b");
        assert_eq!(t["spec"]["subscriber"]["ref"]["namespace"], "shop");
        let mut c = json!({"apiVersion": "sources.knative.dev/v1", "kind": "ContainerSource", "metadata": {"name": "hb"}, "spec": {"template": {"spec": {"containers": [{"image": "x"}, {"name": "keep", "image": "y"}]}}}});
        apply(&mut c, "ops");
        assert_eq!(
            c["spec"]["template"]["spec"]["containers"][0]["name"],
            "hb-0"
        );
        assert_eq!(
            c["spec"]["template"]["spec"]["containers"][1]["name"],
            "keep"
        );
        let mut other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let before = other.clone();
        apply(&mut other, "x");
        assert_eq!(other, before);
    }
}
