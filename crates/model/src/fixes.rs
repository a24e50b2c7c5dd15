//! Machine-applicable fixes for the problems whose remedy is clear: the served version for a
//! retired one, the `apiVersion` of a reference to a kind the flow has, the broker a trigger
//! names and the flow lacks. Attached to diagnostics after validation and lint; applied by
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
