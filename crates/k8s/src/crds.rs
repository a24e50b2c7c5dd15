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

impl CrdSet {
    /// Reads every CRD among `docs` (other documents are ignored).
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
            for v in d
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(name) = v.get("name").and_then(Value::as_str) else {
                    continue;
                };
                if v.get("served") == Some(&Value::Bool(false)) {
                    continue;
                }
                let Some(schema) = v
                    .pointer("/schema/openAPIV3Schema")
                    .or_else(|| d.pointer("/spec/validation/openAPIV3Schema"))
                else {
                    continue;
                };
                let mut s = structural(schema);
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

    #[test]
    fn pointers_become_field_paths() {
        assert_eq!(
            pointer_to_path("/spec/filters/0/exact/a~1b"),
            ".spec.filters[0].exact[\"a/b\"]"
        );
        assert_eq!(pointer_to_path(""), "");
    }
}
