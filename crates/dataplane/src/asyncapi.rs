//! An AsyncAPI 3.0 document of a flow, from its event-type analysis: a channel per broker and
//! channel (its Knative address), a receive operation per trigger and subscription (the filter
//! described, and kept as `x-knative-filter`), a send operation per source, and a message per
//! event type with its CloudEvents headers (binary mode) and, where the flow knows it, its
//! payload schema.

use std::collections::{BTreeMap, BTreeSet};

use knflow_model::Flow;
use serde_json::{json, Map, Value};

use crate::analysis::{Analysis, Pattern};
use crate::filter::{Decision, Text};
use crate::routes::{Endpoint, Routes, SubKind};

/// An AsyncAPI identifier (`^[\w\d.\-_]+$`) made from a label or a type.
fn id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The payload schema of each event type a source names one for (`knflow.dev/dataschema`,
/// found in the flow's `schemas:`): its URI and the schema.
fn payloads(flow: &Flow) -> BTreeMap<String, (String, Value)> {
    let schemas = flow.extra.get("schemas").and_then(Value::as_object);
    let mut out = BTreeMap::new();
    for r in flow.resources() {
        let uri = r.annotation("knflow.dev/dataschema");
        let (Some(uri), Some(schemas)) = (uri, schemas) else {
            continue;
        };
        let Some(schema) = schemas.get(uri) else {
            continue;
        };
        for p in crate::emits::emitted(flow, r).into_iter().flatten() {
            if let Some(t) = p.ty_exact() {
                out.insert(t.to_string(), (uri.to_string(), schema.clone()));
            }
        }
    }
    out
}

/// The message of a pattern: its name and its component.
fn message(p: &Pattern) -> (String, Value) {
    let name = match &p.ty {
        Text::Exact(t) => id(t),
        Text::Prefix(t) => format!("{}_any", id(t)),
        Text::Any => "any_event".into(),
    };
    let text = |t: &Text, what: &str| match t {
        Text::Exact(s) => json!({"type": "string", "const": s.as_ref()}),
        Text::Prefix(s) => {
            json!({"type": "string", "pattern": format!("^{}", regex_escape(s)), "description": format!("{what} starting with {s}")})
        }
        Text::Any => json!({"type": "string"}),
    };
    let headers = json!({
        "type": "object",
        "description": "CloudEvents attributes as HTTP headers (binary content mode)",
        "required": ["ce-specversion", "ce-id", "ce-source", "ce-type"],
        "properties": {
            "ce-specversion": {"type": "string", "const": "1.0"},
            "ce-id": {"type": "string"},
            "ce-source": text(&p.source, "a source"),
            "ce-type": text(&p.ty, "a type"),
        },
    });
    let title = match &p.ty {
        Text::Any => "Any event".to_string(),
        t => t.to_string(),
    };
    (
        name.clone(),
        json!({"name": name, "title": title, "summary": format!("{p}"), "headers": headers}),
    )
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// The AsyncAPI 3.0 document of `flow` with its analysis `a`.
pub fn document(flow: &Flow, a: &Analysis) -> Value {
    let mut routes = Routes::compile(flow);
    let payloads = payloads(flow);
    let mut components = Map::new();
    let mut channels = Map::new();
    let mut operations = Map::new();
    // A channel for each broker and channel of the flow (not those a Sequence or Parallel
    // makes), with what can arrive there.
    let mut channel_of: BTreeMap<String, String> = BTreeMap::new();
    for r in flow.resources() {
        let label = r.id.to_string();
        let Some(ep @ (Endpoint::Broker(_) | Endpoint::Channel(_))) = routes.entries.get(&label)
        else {
            continue;
        };
        let ch = id(&format!("{}-{}", r.id.kind, r.name()));
        channel_of.insert(ep.label().to_string(), ch.clone());
        let mut messages = Map::new();
        for p in a
            .arrivals
            .get(ep.label().as_ref())
            .into_iter()
            .flat_map(|m| m.keys())
        {
            let (name, mut m) = message(p);
            if let Some((uri, schema)) = p.ty_exact().and_then(|t| payloads.get(t)) {
                m["payload"] = schema.clone();
                m["headers"]["properties"]["ce-dataschema"] =
                    json!({"type": "string", "const": uri});
                m["contentType"] = json!("application/json");
            }
            messages.insert(
                name.clone(),
                json!({"$ref": format!("#/components/messages/{name}")}),
            );
            components.insert(name, m);
        }
        let mut channel = json!({
            "title": label,
            "messages": messages,
        });
        if let Some(url) = routes.urls.get(ep) {
            channel["address"] = json!(url.as_ref());
        }
        channels.insert(ch, channel);
    }
    let refs = |ch: &str, ps: &mut dyn Iterator<Item = &Pattern>| -> Vec<Value> {
        let mut names = BTreeSet::new();
        for p in ps {
            names.insert(message(p).0);
        }
        names
            .into_iter()
            .map(|n| json!({"$ref": format!("#/channels/{ch}/messages/{n}")}))
            .collect()
    };
    // Receive: each trigger and each subscription on a channel of the flow, in file order.
    let mut on_of = BTreeMap::new();
    for (ep, subs) in &routes.on {
        for &i in subs.iter() {
            on_of.insert(i, ep.clone());
        }
    }
    for (&i, ep) in &on_of {
        let Some(ch) = channel_of.get(ep.label().as_ref()) else {
            continue;
        };
        {
            let sub = &routes.subscriptions[i];
            let mut op = json!({
                "action": "receive",
                "channel": {"$ref": format!("#/channels/{ch}")},
                "title": sub.via.as_ref(),
            });
            let arriving = a.arrivals.get(ep.label().as_ref());
            let messages = match &sub.kind {
                SubKind::Trigger { .. } => {
                    let view = a.triggers.iter().find(|t| *t.trigger == *sub.via);
                    let filter = knflow_model::ResourceId::parse(&sub.via)
                        .and_then(|id| flow.get(&id))
                        .map(|r| {
                            let s = &r.manifest["spec"];
                            let mut f = Map::new();
                            for k in ["filters", "filter"] {
                                if let Some(v) = s.get(k) {
                                    f.insert(k.into(), v.clone());
                                }
                            }
                            Value::Object(f)
                        })
                        .unwrap_or(Value::Null);
                    let received: Vec<String> = view
                        .into_iter()
                        .flat_map(|t| t.matches.iter())
                        .filter(|(_, d)| *d != Decision::No)
                        .map(|(p, d)| match d {
                            Decision::Maybe => format!("{} (may)", p.ty),
                            _ => p.ty.to_string(),
                        })
                        .collect();
                    let may = if received.iter().any(|r| r.ends_with("(may)")) {
                        "; \"may\": the filter reads more than the type and source"
                    } else {
                        ""
                    };
                    let list = if received.is_empty() {
                        "none the flow is known to produce".to_string()
                    } else {
                        received.join(", ")
                    };
                    op["description"] = json!(format!(
                        "Delivers to {} the events its filter passes: {list}{may}.",
                        sub.subscriber.label()
                    ));
                    op["x-knative-filter"] = filter;
                    let mut passed = view
                        .into_iter()
                        .flat_map(|t| t.matches.iter())
                        .filter(|(_, d)| *d != Decision::No)
                        .map(|(p, _)| p);
                    refs(ch, &mut passed)
                }
                SubKind::Channel => {
                    op["description"] = json!(format!(
                        "Delivers every event to {}",
                        sub.subscriber.label()
                    ));
                    refs(ch, &mut arriving.into_iter().flat_map(|m| m.keys()))
                }
            };
            op["messages"] = json!(messages);
            operations.insert(id(&format!("receive-{}", sub.via)), op);
        }
    }
    // Send: each source, to the channel its sink is.
    for r in flow.resources() {
        let Some(emitted) = crate::emits::emitted(flow, r) else {
            continue;
        };
        let Some(to) = routes.sink_of(flow, r) else {
            continue;
        };
        let Some(ch) = channel_of.get(to.label().as_ref()) else {
            continue;
        };
        let op = json!({
            "action": "send",
            "channel": {"$ref": format!("#/channels/{ch}")},
            "title": r.id.to_string(),
            "messages": refs(ch, &mut emitted.iter()),
        });
        operations.insert(id(&format!("send-{}", r.id)), op);
    }
    let mut info = json!({
        "title": flow.name,
        "version": "1.0.0",
    });
    let description = flow
        .metadata_extra
        .get("annotations")
        .and_then(|a| a.get("knflow.dev/description"));
    if let Some(d) = description.and_then(Value::as_str) {
        info["description"] = json!(d);
    }
    json!({
        "asyncapi": "3.0.0",
        "info": info,
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": components},
    })
}
