//! Reading a flow's worth of Knative objects out of a live cluster.

use serde_json::Value;

use super::{strip_server_fields, what, Cluster, Error};

/// Objects a controller made for another (a Sequence's channels and subscriptions, a Trigger's
/// subscription): they come back by themselves when their owner is applied.
fn controlled(o: &Value) -> bool {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r["controller"] == true))
}

impl Cluster {
    /// Every object of the Knative kinds knflow models, in `namespace` (None: all namespaces),
    /// without status, managed fields and other server-owned metadata, and without objects a
    /// controller owns. Kinds the cluster does not serve are skipped; kinds the user may not
    /// list are reported in the second value and skipped.
    pub async fn read(&self, namespace: Option<&str>) -> Result<(Vec<Value>, Vec<String>), Error> {
        let mut objects = Vec::new();
        let mut skipped = Vec::new();
        for k in knflow_model::kinds::KINDS
            .iter()
            .filter(|k| k.group.ends_with("knative.dev"))
        {
            let Some((r, _)) = self.resource(&k.api_version(), k.kind).await? else {
                continue;
            };
            let list = match self.api(&r, namespace).list(&Default::default()).await {
                Ok(l) => l,
                Err(kube::Error::Api(s)) if s.code == 403 => {
                    skipped.push(format!(
                        "forbidden: cannot list {}: {}",
                        what(&r, namespace, None),
                        s.message
                    ));
                    continue;
                }
                Err(e) => return Err(self.error(e, "list", &what(&r, namespace, None))),
            };
            for o in list.items {
                let mut v = serde_json::to_value(o).unwrap_or_default();
                if controlled(&v) {
                    continue;
                }
                strip_server_fields(&mut v);
                v["apiVersion"] = Value::String(r.api_version.clone());
                v["kind"] = Value::String(r.kind.clone());
                objects.push(v);
            }
        }
        Ok((objects, skipped))
    }
}
