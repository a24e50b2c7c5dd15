//! Validation against CustomResourceDefinition schemas (`openAPIV3Schema`), the way the API server
//! validates custom resources: types, formats, patterns, required fields, and unknown fields
//! rejected unless `x-kubernetes-preserve-unknown-fields` keeps them.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// One problem found in a manifest, at a field path like `.spec.subscriber.ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

/// Validators for every served version of every kind of a set of CRDs.
pub struct CrdSet {
    validators: HashMap<(String, String), jsonschema::Validator>,
}

/// Rewrites an `openAPIV3Schema` into plain JSON Schema draft 4 with the API server's meaning:
/// `nullable` allows null, `x-kubernetes-int-or-string` allows both, and an object listing its
/// `properties` rejects others unless it preserves unknown fields.
fn structural(schema: &Value) -> Value {
    let Value::Object(src) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in src {
        let v = match k.as_str() {
            "properties" | "patternProperties" | "definitions" => Value::Object(
                v.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(pk, pv)| (pk.clone(), structural(pv)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            "items" | "additionalProperties" | "not" => structural(v),
            "anyOf" | "allOf" | "oneOf" => Value::Array(
                v.as_array()
                    .map(|a| a.iter().map(structural).collect())
                    .unwrap_or_default(),
            ),
            "default" | "description" | "example" | "externalDocs" => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    let preserve = src.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if src.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        out.remove("type");
        out.insert("type".into(), serde_json::json!(["integer", "string"]));
    }
    if src.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), serde_json::json!([t, "null"]));
        }
    }
    if out.contains_key("properties") && !preserve && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    out.retain(|k, _| !k.starts_with("x-kubernetes-") && k != "nullable");
    Value::Object(out)
}

/// Marks every object of a schema as keeping unknown fields: what an
/// `apiextensions.k8s.io/v1beta1` CRD means unless it sets `spec.preserveUnknownFields: false`
/// (the API server then neither prunes nor rejects fields its schema does not list).
fn preserve_unknown_fields(schema: &mut Value) {
    let Value::Object(m) = schema else { return };
    if m.contains_key("properties") {
        m.insert(
            "x-kubernetes-preserve-unknown-fields".into(),
            Value::Bool(true),
        );
    }
    for (k, v) in m.iter_mut() {
        match k.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let Value::Object(props) = v {
                    props.values_mut().for_each(preserve_unknown_fields);
                }
            }
            "items" | "additionalProperties" | "not" => preserve_unknown_fields(v),
            "anyOf" | "allOf" | "oneOf" => {
                if let Value::Array(a) = v {
                    a.iter_mut().for_each(preserve_unknown_fields);
                }
            }
            _ => {}
        }
    }
}

/// The served versions of a CRD with each one's `openAPIV3Schema`: `spec.versions[]` with a
/// `schema` each (`apiextensions.k8s.io/v1`), or, as `apiextensions.k8s.io/v1beta1` allows, one
/// `spec.validation` for every version, listed in `spec.versions[]` or named by `spec.version`.
fn served_versions(crd: &Value) -> Vec<(&str, &Value)> {
    let shared = crd.pointer("/spec/validation/openAPIV3Schema");
    let listed = crd.pointer("/spec/versions").and_then(Value::as_array);
    match listed {
        Some(versions) if !versions.is_empty() => versions
            .iter()
            .filter(|v| v.get("served") != Some(&Value::Bool(false)))
            .filter_map(|v| {
                let name = v.get("name").and_then(Value::as_str)?;
                let schema = v.pointer("/schema/openAPIV3Schema").or(shared)?;
                Some((name, schema))
            })
            .collect(),
        _ => crd
            .pointer("/spec/version")
            .and_then(Value::as_str)
            .zip(shared)
            .into_iter()
            .collect(),
    }
}

impl CrdSet {
    /// Reads every CRD among `docs` (other documents are ignored), `apiextensions.k8s.io/v1` and
    /// the retired `v1beta1` alike.
    pub fn from_documents(docs: &[Value]) -> Result<CrdSet, String> {
        let mut validators = HashMap::new();
        for d in docs {
            if d.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
                continue;
            }
            let (Some(group), Some(kind)) = (
                d.pointer("/spec/group").and_then(Value::as_str),
                d.pointer("/spec/names/kind").and_then(Value::as_str),
            ) else {
                continue;
            };
            // v1beta1 defaults `preserveUnknownFields` to true; v1 requires it false.
            let keeps_unknown = d.get("apiVersion").and_then(Value::as_str)
                == Some("apiextensions.k8s.io/v1beta1")
                && d.pointer("/spec/preserveUnknownFields") != Some(&Value::Bool(false));
            for (name, schema) in served_versions(d) {
                let mut schema = schema.clone();
                if keeps_unknown {
                    preserve_unknown_fields(&mut schema);
                }
                let mut s = structural(&schema);
                // Every object has these; CRD schemas leave them out.
                if let Some(Value::Object(props)) = s.get_mut("properties") {
                    for k in ["apiVersion", "kind"] {
                        props
                            .entry(k)
                            .or_insert(serde_json::json!({"type": "string"}));
                    }
                    props
                        .entry("metadata")
                        .or_insert(serde_json::json!({"type": "object"}));
                }
                let validator = jsonschema::draft4::options().build(&s).map_err(|e| {
                    format!("CRD {kind}.{group}/{name}: its schema is not valid JSON Schema: {e}")
                })?;
                validators.insert((format!("{group}/{name}"), kind.to_string()), validator);
            }
        }
        Ok(CrdSet { validators })
    }

    pub fn len(&self) -> usize {
        self.validators.len()
    }

    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    /// Problems of a manifest; `None` when no CRD of the set covers its kind.
    pub fn validate(&self, manifest: &Value) -> Option<Vec<SchemaError>> {
        let v = self.validators.get(&key(manifest))?;
        Some(
            v.iter_errors(manifest)
                .map(|e| SchemaError {
                    path: pointer_to_path(&e.instance_path().to_string()),
                    message: e.to_string(),
                })
                .collect(),
        )
    }
}

fn key(manifest: &Value) -> (String, String) {
    let s = |p: &str| {
        manifest
            .get(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("apiVersion"), s("kind"))
}

/// `/spec/filters/0/cesql` → `.spec.filters[0].cesql`.
fn pointer_to_path(ptr: &str) -> String {
    let mut out = String::new();
    for seg in ptr.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            out = knflow_model::yaml::child_key(&out, &seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structural_rewrites() {
        let s = structural(
            &json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}, "p": {"x-kubernetes-int-or-string": true}, "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"x": {"type": "string"}}}}}),
        );
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["a"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["p"]["type"], json!(["integer", "string"]));
        assert!(s["properties"]["free"]
            .get("additionalProperties")
            .is_none());
    }

    /// An `apiextensions.k8s.io/v1beta1` CRD the way eventing-awssqs and eventing-couchdb still
    /// ship theirs: one `spec.validation` for the version named by `spec.version`, no `type` at
    /// the top, and unknown fields kept (`preserveUnknownFields` defaults to true in v1beta1).
    fn v1beta1_crd(extra_spec: Value) -> Value {
        let mut crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1beta1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "awssqssources.sources.knative.dev"},
            "spec": {
                "group": "sources.knative.dev",
                "names": {"kind": "AwsSqsSource", "plural": "awssqssources"},
                "scope": "Namespaced",
                "validation": {"openAPIV3Schema": {"properties": {
                    "spec": {
                        "type": "object",
                        "required": ["queueUrl"],
                        "properties": {
                            "queueUrl": {"type": "string"},
                            "sink": {"type": "object", "properties": {"name": {"type": "string"}}}
                        }
                    }
                }}},
                "version": "v1alpha1"
            }
        });
        crd["spec"]
            .as_object_mut()
            .unwrap()
            .extend(extra_spec.as_object().unwrap().clone());
        crd
    }

    fn paths(set: &CrdSet, m: &Value) -> Option<Vec<String>> {
        set.validate(m)
            .map(|errors| errors.into_iter().map(|e| e.path).collect())
    }

    #[test]
    fn v1beta1_crds_are_read() {
        let set = CrdSet::from_documents(&[v1beta1_crd(json!({}))]).unwrap();
        assert_eq!(set.len(), 1);
        let source = |spec: Value| json!({"apiVersion": "sources.knative.dev/v1alpha1", "kind": "AwsSqsSource", "metadata": {"name": "s"}, "spec": spec});
        let good = source(
            json!({"queueUrl": "https://sqs/q", "sink": {"apiVersion": "v1", "kind": "Service", "name": "x"}}),
        );
        assert_eq!(paths(&set, &good), Some(vec![]));
        assert_eq!(
            paths(&set, &source(json!({"queueUrl": 5}))),
            Some(vec![".spec.queueUrl".to_string()])
        );
        assert_eq!(
            paths(&set, &source(json!({}))),
            Some(vec![".spec".to_string()]),
            "missing required `queueUrl`"
        );
        assert_eq!(
            paths(&set, &source(json!({"queueUrl": "q", "sink": {"name": 1}}))),
            Some(vec![".spec.sink.name".to_string()])
        );
        // Other versions of the group are not covered.
        let other =
            json!({"apiVersion": "sources.knative.dev/v1", "kind": "AwsSqsSource", "spec": {}});
        assert_eq!(paths(&set, &other), None);

        // Unknown fields: kept by default in v1beta1, rejected once pruning is asked for.
        let unknown = source(json!({"queueUrl": "q", "queueURL": "typo", "sink": {"ref": {}}}));
        assert_eq!(paths(&set, &unknown), Some(vec![]));
        let pruning =
            CrdSet::from_documents(&[v1beta1_crd(json!({"preserveUnknownFields": false}))])
                .unwrap();
        let mut found = paths(&pruning, &unknown).unwrap();
        found.sort();
        assert_eq!(found, vec![".spec", ".spec.sink"]);
    }

    #[test]
    fn v1beta1_versions_share_one_schema_unless_they_have_their_own() {
        let crd = v1beta1_crd(json!({
            "version": null,
            "versions": [
                {"name": "v1alpha1", "served": true, "storage": true},
                {"name": "v1alpha2", "served": false, "storage": false},
                {"name": "v1beta1", "served": true, "storage": false, "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {"spec": {"type": "object", "properties": {"queue": {"type": "string"}}}}
                }}}
            ]
        }));
        let set = CrdSet::from_documents(&[crd]).unwrap();
        assert_eq!(set.len(), 2, "v1alpha2 is not served");
        let at = |v: &str, spec: Value| json!({"apiVersion": format!("sources.knative.dev/{v}"), "kind": "AwsSqsSource", "spec": spec});
        assert_eq!(
            paths(&set, &at("v1alpha1", json!({"queueUrl": 1}))),
            Some(vec![".spec.queueUrl".to_string()]),
            "the shared spec.validation"
        );
        assert_eq!(paths(&set, &at("v1alpha2", json!({}))), None);
        assert_eq!(
            paths(&set, &at("v1beta1", json!({"queue": 1, "queueUrl": 1}))),
            Some(vec![".spec.queue".to_string()]),
            "its own schema, unknown fields kept"
        );
    }

    #[test]
    fn pointers_become_field_paths() {
        assert_eq!(
            pointer_to_path("/spec/filters/0/exact/a~1b"),
            ".spec.filters[0].exact[\"a/b\"]"
        );
        assert_eq!(pointer_to_path(""), "");
    }
}
