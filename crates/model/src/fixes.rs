//! Machine-applicable fixes for the problems whose remedy is clear: the served version for a
//! retired one, the `apiVersion` of a reference to a kind the flow has, the broker a trigger
//! names and the flow lacks, a new name for a duplicate, a dead-letter sink for retries that
//! have none. Attached to diagnostics after validation and lint; applied by
//! `kn-flow validate --fix` and the designer's Fix buttons.

use serde::Serialize;
use serde_json::{json, Value};

use crate::{Diagnostic, Flow, Node, ResourceId, Role};

/// A remedy for one diagnostic: what it does, in words, and the edits that do it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<FixEdit>,
}

/// One change to the flow, by resource label (`Kind/name`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum FixEdit {
    /// Set a field (`path` like `.spec.subscriber.ref.apiVersion`).
    Set {
        resource: String,
        path: String,
        value: Value,
    },
    /// Replace a whole manifest.
    Replace { resource: String, manifest: Value },
    /// Add a resource.
    Add { manifest: Value },
}

/// The remedy for a resource whose `Kind/name` the flow already holds (loading keeps the first):
/// keep this one too, under the first free name after its own.
pub fn rename_duplicate(flow: &Flow, r: &crate::Resource) -> Fix {
    let name = flow.free_name(&r.id.kind, r.name());
    let mut manifest = r.manifest.clone();
    manifest["metadata"]["name"] = json!(name);
    Fix {
        title: format!("Keep it as {}/{name}", r.id.kind),
        edits: vec![FixEdit::Add { manifest }],
    }
}

/// Retries that end in nothing: send what still fails to the flow's dead-letter sink (the one
/// most of its dead-letter references name), or to a new event-display Service
/// `dead-letters` where it has none.
fn dead_letter_sink(flow: &Flow, label: &str, delivery: &str) -> Fix {
    let mut counts: Vec<(ResourceId, usize)> = Vec::new();
    for r in flow.resources() {
        for (e, n) in flow.outgoing(&r.id) {
            if let (Role::DeadLetterSink, Node::Resource(t)) = (e.role, n) {
                match counts.iter_mut().find(|(id, _)| *id == t.id) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((t.id.clone(), 1)),
                }
            }
        }
    }
    let most = counts
        .iter()
        .fold(None::<&(ResourceId, usize)>, |best, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        });
    let mut edits = Vec::new();
    let target = match most.and_then(|(id, _)| flow.get(id)) {
        Some(t) => json!({"apiVersion": t.api_version(), "kind": t.id.kind, "name": t.name()}),
        None => {
            let name = flow.free_name("Service", "dead-letters");
            edits.push(FixEdit::Add {
                manifest: json!({
                    "apiVersion": "serving.knative.dev/v1",
                    "kind": "Service",
                    "metadata": {"name": name},
                    "spec": {"template": {"spec": {"containers": [
                        {"image": "gcr.io/knative-releases/knative.dev/eventing/cmd/event_display"}
                    ]}}},
                }),
            });
            json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": name})
        }
    };
    let title = format!(
        "Dead-letter to {}/{}",
        target["kind"].as_str().unwrap_or(""),
        target["name"].as_str().unwrap_or("")
    );
    edits.push(FixEdit::Set {
        resource: label.to_string(),
        path: format!("{delivery}.deadLetterSink"),
        value: json!({ "ref": target }),
    });
    Fix { title, edits }
}

/// Attaches a fix to each diagnostic in `ds` whose remedy is clear.
pub fn attach(flow: &Flow, ds: &mut [Diagnostic]) {
    for d in ds.iter_mut() {
        if d.fix.is_none() {
            d.fix = fix_for(flow, d).map(Box::new);
        }
    }
}

fn fix_for(flow: &Flow, d: &Diagnostic) -> Option<Fix> {
    let label = d.resource.as_deref()?;
    let id = ResourceId::parse(label)?;
    let r = flow.get(&id)?;
    match d.code {
        "unknown-api-version" => {
            let mut manifest = r.manifest.clone();
            let u = crate::upgrade::upgrade(&mut manifest)?;
            Some(Fix {
                title: format!("Upgrade to {}", u.to),
                edits: vec![FixEdit::Replace {
                    resource: label.to_string(),
                    manifest,
                }],
            })
        }
        "retries-without-dls" => Some(dead_letter_sink(flow, label, &d.path)),
        "trigger-broker-missing" => {
            let target = flow.outgoing(&id).into_iter().find_map(|(e, n)| match n {
                Node::Missing(t) if e.role == Role::Broker => Some(t),
                _ => None,
            })?;
            let mut metadata = json!({ "name": target.name });
            if let Some(ns) = target
                .namespace
                .as_deref()
                .filter(|ns| Some(*ns) != flow.namespace.as_deref())
            {
                metadata["namespace"] = json!(ns);
            }
            Some(Fix {
                title: format!("Create Broker/{}", target.name),
                edits: vec![FixEdit::Add {
                    manifest: json!({
                        "apiVersion": "eventing.knative.dev/v1",
                        "kind": "Broker",
                        "metadata": metadata,
                    }),
                }],
            })
        }
        // A reference without `apiVersion` to a kind and name the flow has: that one's.
        "missing-field" if d.path.ends_with(".apiVersion") => {
            let parent = d.path.strip_suffix(".apiVersion")?;
            let reference = crate::path::get(&r.manifest, parent)?;
            let (kind, name) = (reference["kind"].as_str()?, reference["name"].as_str()?);
            let mut same = flow
                .resources()
                .filter(|o| o.id.kind == kind && o.name() == name);
            let target = same.next()?;
            if same.next().is_some() {
                return None; // two candidates: not clear which one is meant
            }
            let api_version = target.api_version().to_string();
            Some(Fix {
                title: format!("Set apiVersion to {api_version}"),
                edits: vec![FixEdit::Set {
                    resource: label.to_string(),
                    path: d.path.clone(),
                    value: json!(api_version),
                }],
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(yaml: &str) -> Vec<(String, Option<String>)> {
        let flow = crate::load_str(yaml, "t.yaml").flow;
        let mut ds = crate::validate::validate(&flow, Default::default());
        ds.extend(crate::lint::lint(&flow));
        attach(&flow, &mut ds);
        ds.into_iter()
            .map(|d| (d.code.to_string(), d.fix.map(|f| f.title)))
            .collect()
    }

    const TRIGGER: &str = "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t}\nspec:\n  broker: b\n  subscriber: {ref: {kind: Service, name: s}}\n---\napiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b}\n";

    #[test]
    fn a_reference_gets_the_api_version_of_the_one_object_it_can_mean() {
        let one = format!("{TRIGGER}---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {{name: s}}\n");
        assert!(fixes(&one).contains(&(
            "missing-field".into(),
            Some("Set apiVersion to serving.knative.dev/v1".into())
        )));
        // Two kinds called Service named `s` (Knative's and Kubernetes'): not clear, no fix.
        let two = format!("{one}---\napiVersion: v1\nkind: Service\nmetadata: {{name: s}}\n");
        let f = fixes(&two);
        assert!(
            f.iter()
                .any(|(c, fix)| c == "missing-field" && fix.is_none()),
            "{f:?}"
        );
        // Nothing in the flow to point at: no fix either.
        assert!(fixes(TRIGGER)
            .iter()
            .all(|(c, fix)| c != "missing-field" || fix.is_none()));
    }
}
