//! Objects written for API versions Knative no longer serves, rewritten to the version it
//! serves, converting the fields that changed between them the way Knative's conversion
//! webhooks did (knative/eventing `pkg/apis/*/v1alpha*/…_conversion.go`, `v1beta1`): old
//! tutorials then load, validate and simulate like current YAML.

use serde_json::{json, Map, Value};

use crate::kinds::{lookup, lookup_other_version, split_api_version};

/// What [`upgrade`] did to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgraded {
    pub from: String,
    pub to: String,
    /// Each field converted or dropped, in words (`spec.jsonData → spec.data`).
    pub changes: Vec<String>,
}

/// Versions Knative served once for kinds it still has, per group: only these are rewritten
/// (an unknown version may be a typo, which a person must look at).
const RETIRED: &[(&str, &[&str])] = &[
    ("eventing.knative.dev", &["v1alpha1", "v1beta1"]),
    ("messaging.knative.dev", &["v1alpha1", "v1beta1"]),
    ("flows.knative.dev", &["v1alpha1", "v1beta1"]),
    (
        "sources.knative.dev",
        &["v1alpha1", "v1alpha2", "v1beta1", "v1beta2"],
    ),
    ("serving.knative.dev", &["v1alpha1", "v1beta1"]),
];

/// The served `apiVersion` for an object written as `api_version`/`kind` in a retired version,
/// if knflow knows one. `messaging.knative.dev/v1alpha1` Sequence and Parallel moved to
/// `flows.knative.dev`.
pub fn served_version(api_version: &str, kind: &str) -> Option<String> {
    if lookup(api_version, kind).is_some() {
        return None;
    }
    let (group, version) = split_api_version(api_version);
    let retired = RETIRED
        .iter()
        .any(|(g, vs)| *g == group && vs.contains(&version));
    if !retired {
        return None;
    }
    let group = match (group, kind) {
        ("messaging.knative.dev", "Sequence" | "Parallel") => "flows.knative.dev",
        _ => group,
    };
    lookup_other_version(&format!("{group}/"), kind).map(|k| k.api_version())
}

/// Rewrites `manifest` to the version Knative serves for its kind when it is written for a
/// retired one; `None` when there is nothing to do. References inside it to objects of retired
/// versions (a subscriber `ref` to a `messaging.knative.dev/v1alpha1` channel) are upgraded too.
pub fn upgrade(manifest: &mut Value) -> Option<Upgraded> {
    let from = manifest["apiVersion"].as_str()?.to_string();
    let kind = manifest["kind"].as_str()?.to_string();
    let to = served_version(&from, &kind);
    let mut changes = Vec::new();
    if let Some(to) = &to {
        manifest["apiVersion"] = json!(to);
        let version = split_api_version(&from).1;
        if let Some(spec) = manifest.get_mut("spec").and_then(Value::as_object_mut) {
            convert_spec(&kind, version, spec, &mut changes);
        }
    }
    if let Some(spec) = manifest.get_mut("spec") {
        upgrade_refs(spec, ".spec", &mut changes);
    }
    if to.is_none() && changes.is_empty() {
        return None;
    }
    Some(Upgraded {
        to: to.unwrap_or_else(|| from.clone()),
        from,
        changes,
    })
}

/// The fields that changed shape between the retired versions and the served one.
fn convert_spec(
    kind: &str,
    version: &str,
    spec: &mut Map<String, Value>,
    changes: &mut Vec<String>,
) {
    match kind {
        "PingSource" => {
            // v1alpha2: the time zone was a `TZ=` or `CRON_TZ=` prefix of the schedule.
            if let Some(s) = spec.get("schedule").and_then(Value::as_str) {
                let prefixed = s.starts_with("TZ=") || s.starts_with("CRON_TZ=");
                if let (true, Some((tz, rest))) = (prefixed, s.split_once(' ')) {
                    let tz = tz.split_once('=').map_or("", |(_, z)| z).to_string();
                    let rest = rest.trim().to_string();
                    spec.insert("schedule".into(), json!(rest));
                    spec.insert("timezone".into(), json!(tz));
                    changes.push(format!("spec.schedule's time zone → spec.timezone ({tz})"));
                }
            }
            // v1alpha2/v1beta1: `jsonData`; v1beta2 made it `data` with a content type. A JSON
            // object is kept (compact, keys sorted as Go wrote them), anything else is wrapped
            // as {"body": …}, as the conversion webhook did.
            if let Some(j) = spec.remove("jsonData") {
                let text = j.as_str().map_or_else(|| j.to_string(), str::to_string);
                let data = match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(m)) => {
                        let sorted: std::collections::BTreeMap<String, Value> =
                            m.into_iter().collect();
                        serde_json::to_string(&sorted).expect("JSON values serialize")
                    }
                    _ => json!({ "body": text }).to_string(),
                };
                spec.insert("contentType".into(), json!("application/json"));
                spec.insert("data".into(), json!(data));
                changes.push(
                    "spec.jsonData → spec.data with spec.contentType application/json".into(),
                );
            }
            if version == "v1alpha1" {
                for k in ["serviceAccountName", "resources"] {
                    drop_field(spec, k, "the served version has no such field", changes);
                }
            }
        }
        "Trigger" => {
            // v1alpha1: `filter.sourceAndType` became `filter.attributes`.
            let filter = spec.get_mut("filter").and_then(Value::as_object_mut);
            if let Some(f) = filter {
                if let Some(Value::Object(st)) = f.remove("sourceAndType") {
                    let mut attrs = Map::new();
                    for k in ["source", "type"] {
                        attrs.insert(k.into(), st.get(k).cloned().unwrap_or(json!("")));
                    }
                    f.insert("attributes".into(), Value::Object(attrs));
                    changes.push("spec.filter.sourceAndType → spec.filter.attributes".into());
                }
            }
        }
        "Broker" if version == "v1alpha1" => drop_field(
            spec,
            "channelTemplateSpec",
            "a v1 Broker takes its channel from spec.config (a ConfigMap with \
             channel-template-spec); add one by hand",
            changes,
        ),
        "Channel" | "InMemoryChannel" => {
            // v1alpha1: subscribers sat under `subscribable`.
            if let Some(Value::Object(mut s)) = spec.remove("subscribable") {
                if let Some(list) = s.remove("subscribers") {
                    spec.insert("subscribers".into(), list);
                    changes.push("spec.subscribable.subscribers → spec.subscribers".into());
                }
            }
        }
        "Subscription" => {
            // v1alpha1: a reply named its channel as `reply.channel`.
            if let Some(reply) = spec.get_mut("reply").and_then(Value::as_object_mut) {
                if let Some(channel) = reply.remove("channel") {
                    reply.insert("ref".into(), channel);
                    changes.push("spec.reply.channel → spec.reply.ref".into());
                }
            }
        }
        "ApiServerSource" if version == "v1alpha1" => {
            if spec.get("mode").and_then(Value::as_str) == Some("Ref") {
                spec.insert("mode".into(), json!("Reference"));
                changes.push("spec.mode Ref → Reference".into());
            }
            let mut dropped = false;
            for r in spec
                .get_mut("resources")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                dropped |= r.remove("controller").is_some();
                dropped |= r.remove("controllerSelector").is_some();
            }
            if dropped {
                changes.push(
                    "spec.resources[].controller and controllerSelector dropped: v1 selects \
                     by spec.owner"
                        .into(),
                );
            }
        }
        "ContainerSource" if version == "v1alpha1" => {
            // v1alpha1: one container's fields at the top of the spec.
            let mut container = Map::new();
            container.insert("name".into(), json!("source"));
            for k in ["image", "args", "env"] {
                if let Some(v) = spec.remove(k) {
                    container.insert(k.into(), v);
                }
            }
            if container.len() > 1 {
                let mut pod = Map::new();
                if let Some(sa) = spec.remove("serviceAccountName") {
                    pod.insert("serviceAccountName".into(), sa);
                }
                pod.insert("containers".into(), json!([container]));
                spec.insert("template".into(), json!({ "spec": pod }));
                changes.push("spec.image, args, env → spec.template.spec.containers[0]".into());
            }
        }
        _ => {}
    }
}

fn drop_field(spec: &mut Map<String, Value>, key: &str, why: &str, changes: &mut Vec<String>) {
    if spec.remove(key).is_some() {
        changes.push(format!("spec.{key} dropped: {why}"));
    }
}

/// References (`{apiVersion, kind, name}` objects) to kinds in retired versions, at any depth.
fn upgrade_refs(v: &mut Value, path: &str, changes: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let target = match (m.get("apiVersion"), m.get("kind"), m.get("name")) {
                (Some(Value::String(a)), Some(Value::String(k)), Some(_)) => served_version(a, k),
                _ => None,
            };
            if let Some(to) = target {
                let from = m.insert("apiVersion".into(), json!(to)).unwrap_or_default();
                changes.push(format!(
                    "{path}.apiVersion {} → {to}",
                    from.as_str().unwrap_or_default()
                ));
            }
            for (k, child) in m.iter_mut() {
                upgrade_refs(child, &crate::yaml::child_key(path, k), changes);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                upgrade_refs(child, &format!("{path}[{i}]"), changes);
            }
        }
        _ => {}
    }
}

/// Upgrades every object of `flow` written for a retired version (see [`upgrade`]): what was
/// done to each, or why the upgraded object was refused.
pub fn upgrade_flow(flow: &mut crate::Flow) -> Vec<(crate::ResourceId, Result<Upgraded, String>)> {
    let todo: Vec<_> = flow
        .resources()
        .filter_map(|r| {
            let mut m = r.manifest.clone();
            upgrade(&mut m).map(|u| (r.id.clone(), m, u))
        })
        .collect();
    todo.into_iter()
        .map(|(id, m, u)| {
            let done = flow.replace(&id, m).map(|_| u).map_err(|e| e.to_string());
            (id, done)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(v: Value) -> (Value, Upgraded) {
        let mut m = v;
        let u = upgrade(&mut m).expect("an upgrade");
        (m, u)
    }

    #[test]
    fn ping_source_v1alpha2_schedule_time_zone_and_json_data() {
        let (m, u) = up(json!({
            "apiVersion": "sources.knative.dev/v1alpha2", "kind": "PingSource",
            "metadata": {"name": "p"},
            "spec": {"schedule": "CRON_TZ=Europe/Paris */2 * * * *",
                     "jsonData": "{\"message\": \"hi\", \"a\": 1}",
                     "sink": {"ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "s"}}}
        }));
        assert_eq!(u.from, "sources.knative.dev/v1alpha2");
        assert_eq!(u.to, "sources.knative.dev/v1");
        assert_eq!(m["apiVersion"], "sources.knative.dev/v1");
        assert_eq!(m["spec"]["schedule"], "*/2 * * * *");
        assert_eq!(m["spec"]["timezone"], "Europe/Paris");
        assert_eq!(m["spec"]["data"], "{\"a\":1,\"message\":\"hi\"}");
        assert_eq!(m["spec"]["contentType"], "application/json");
        assert!(m["spec"].get("jsonData").is_none());
        assert_eq!(u.changes.len(), 2, "{:?}", u.changes);
    }

    #[test]
    fn ping_source_json_data_that_is_not_an_object_is_wrapped_as_body() {
        let (m, _) = up(json!({
            "apiVersion": "sources.knative.dev/v1beta1", "kind": "PingSource",
            "metadata": {"name": "p"}, "spec": {"schedule": "* * * * *", "jsonData": "hello"}
        }));
        assert_eq!(m["spec"]["data"], "{\"body\":\"hello\"}");
    }

    #[test]
    fn trigger_v1alpha1_source_and_type_become_attributes() {
        let (m, u) = up(json!({
            "apiVersion": "eventing.knative.dev/v1alpha1", "kind": "Trigger",
            "metadata": {"name": "t"},
            "spec": {"broker": "default", "filter": {"sourceAndType": {"type": "dev.knative.foo"}},
                     "subscriber": {"ref": {"apiVersion": "serving.knative.dev/v1alpha1", "kind": "Service", "name": "s"}}}
        }));
        assert_eq!(m["apiVersion"], "eventing.knative.dev/v1");
        assert_eq!(
            m["spec"]["filter"],
            json!({"attributes": {"source": "", "type": "dev.knative.foo"}})
        );
        assert_eq!(
            m["spec"]["subscriber"]["ref"]["apiVersion"],
            "serving.knative.dev/v1"
        );
        assert!(u
            .changes
            .iter()
            .any(|c| c.starts_with(".spec.subscriber.ref.apiVersion")));
    }

    #[test]
    fn subscription_and_channel_v1alpha1_shapes() {
        let (m, _) = up(json!({
            "apiVersion": "messaging.knative.dev/v1alpha1", "kind": "Subscription",
            "metadata": {"name": "s"},
            "spec": {"channel": {"apiVersion": "messaging.knative.dev/v1alpha1", "kind": "InMemoryChannel", "name": "c"},
                     "subscriber": {"uri": "http://example.com/"},
                     "reply": {"channel": {"apiVersion": "messaging.knative.dev/v1alpha1", "kind": "InMemoryChannel", "name": "r"}}}
        }));
        assert_eq!(m["apiVersion"], "messaging.knative.dev/v1");
        assert_eq!(
            m["spec"]["channel"]["apiVersion"],
            "messaging.knative.dev/v1"
        );
        assert_eq!(m["spec"]["reply"]["ref"]["name"], "r");
        assert_eq!(
            m["spec"]["reply"]["ref"]["apiVersion"],
            "messaging.knative.dev/v1"
        );
        let (c, _) = up(json!({
            "apiVersion": "messaging.knative.dev/v1alpha1", "kind": "InMemoryChannel",
            "metadata": {"name": "c"},
            "spec": {"subscribable": {"subscribers": [{"subscriberUri": "http://x/"}]}}
        }));
        assert_eq!(
            c["spec"],
            json!({"subscribers": [{"subscriberUri": "http://x/"}]})
        );
    }

    #[test]
    fn sequences_move_to_flows_and_served_versions_stay() {
        let (m, _) = up(json!({
            "apiVersion": "messaging.knative.dev/v1alpha1", "kind": "Sequence",
            "metadata": {"name": "q"}, "spec": {"steps": []}
        }));
        assert_eq!(m["apiVersion"], "flows.knative.dev/v1");
        let (b, u) = up(json!({
            "apiVersion": "eventing.knative.dev/v1beta1", "kind": "Broker", "metadata": {"name": "b"}
        }));
        assert_eq!(b["apiVersion"], "eventing.knative.dev/v1");
        assert!(u.changes.is_empty());
        let (b, u) = up(json!({
            "apiVersion": "eventing.knative.dev/v1alpha1", "kind": "Broker", "metadata": {"name": "b"},
            "spec": {"channelTemplateSpec": {"apiVersion": "messaging.knative.dev/v1alpha1", "kind": "InMemoryChannel"}}
        }));
        assert_eq!(b["spec"], json!({}));
        assert!(
            u.changes[0].starts_with("spec.channelTemplateSpec dropped"),
            "{:?}",
            u.changes
        );
        // Served: nothing to do. Unknown (a typo, a future version): left for a person.
        for api in ["eventing.knative.dev/v1", "eventing.knative.dev/v2"] {
            let mut t = json!({"apiVersion": api, "kind": "Broker", "metadata": {"name": "b"}});
            assert_eq!(upgrade(&mut t), None, "{api}");
        }
    }

    #[test]
    fn v1alpha1_container_and_api_server_sources() {
        let (c, _) = up(json!({
            "apiVersion": "sources.knative.dev/v1alpha1", "kind": "ContainerSource",
            "metadata": {"name": "c"},
            "spec": {"image": "example.com/hb", "args": ["--period=1"], "serviceAccountName": "sa",
                     "sink": {"uri": "http://x/"}}
        }));
        assert_eq!(c["apiVersion"], "sources.knative.dev/v1");
        assert_eq!(
            c["spec"]["template"],
            json!({"spec": {"serviceAccountName": "sa", "containers": [{"name": "source", "image": "example.com/hb", "args": ["--period=1"]}]}})
        );
        let (a, u) = up(json!({
            "apiVersion": "sources.knative.dev/v1alpha1", "kind": "ApiServerSource",
            "metadata": {"name": "a"},
            "spec": {"mode": "Ref", "resources": [{"apiVersion": "v1", "kind": "Event", "controller": true}],
                     "sink": {"uri": "http://x/"}}
        }));
        assert_eq!(a["spec"]["mode"], "Reference");
        assert_eq!(
            a["spec"]["resources"],
            json!([{"apiVersion": "v1", "kind": "Event"}])
        );
        assert_eq!(u.changes.len(), 2, "{:?}", u.changes);
    }
}
