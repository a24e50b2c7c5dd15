//! Structural checks of a manifest against the JSON Schema of its typed model: wrong types, bad
//! enum values, out-of-range numbers, missing required fields and unknown fields, each with its
//! field path. Every problem is reported, not only the first (like the API server's strict field
//! validation, which this mirrors).
//!
//! Handles the subset of JSON Schema that schemars and k8s-openapi emit: `$ref` into `$defs`,
//! `type`, `enum`/`const`, `properties`, `required`, `additionalProperties`, `items`,
//! `anyOf`/`oneOf`, `minimum`/`maximum`. `null` counts as "not set", as in Kubernetes.

use serde_json::Value;

use crate::num::Shortest;
use crate::yaml::{child_key, push_index, push_key};

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    WrongType {
        expected: String,
        found: &'static str,
    },
    BadEnum {
        allowed: Vec<String>,
        found: String,
    },
    OutOfRange {
        value: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    MissingField(String),
    UnknownField(String),
}

impl std::fmt::Display for Problem {
    // Bounds through `Shortest`: see `crate::num` for why not `{}` on an f64.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::BadEnum { allowed, found } => {
                let allowed: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                write!(f, "`{found}` is not one of {}", allowed.join(", "))
            }
            Problem::OutOfRange { value, min, max } => match (min.map(Shortest), max.map(Shortest))
            {
                (Some(a), Some(b)) => write!(f, "{value} must be between {a} and {b}"),
                (Some(a), None) => write!(f, "{value} must be at least {a}"),
                (None, Some(b)) => write!(f, "{value} must be at most {b}"),
                (None, None) => write!(f, "{value} must be in range"),
            },
            Problem::MissingField(name) => write!(f, "missing required field `{name}`"),
            Problem::UnknownField(name) => write!(f, "unknown field `{name}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Path of the offending value (for a missing or unknown field: of the field itself).
    pub path: String,
    pub problem: Problem,
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Checks `value` against `schema`, whose `$defs` live in `root`. Compiles the schema first:
/// callers that check many values keep a [`Compiled`] instead.
pub fn check(root: &Value, schema: &Value, value: &Value, path: &str) -> Vec<Issue> {
    Compiled::new(root, schema).check(value, path)
}

/// A schema made ready for checking many values: `$ref`s resolved to node numbers, and each
/// node's keywords read once instead of looked up by name for every value checked.
#[derive(Debug)]
pub struct Compiled {
    nodes: Vec<Node>,
    /// JSON Schema's reading of an object schema without `additionalProperties`: other fields
    /// allowed (event payloads). Kubernetes' strict reading, the default, reports them.
    open: bool,
}

#[derive(Debug, Default)]
struct Node {
    /// `true`, a dangling `$ref` or a malformed schema: anything goes.
    anything: bool,
    /// `anyOf` (else `oneOf`) branches; when present, they alone decide.
    branches: Option<Vec<usize>>,
    /// `type`, and how a wrong type is named in the message.
    types: Vec<String>,
    expected: String,
    /// `enum`, else `const`.
    allowed: Option<Vec<Value>>,
    min: Option<f64>,
    max: Option<f64>,
    /// `None` when the schema has no `properties` object.
    properties: Option<foldhash::HashMap<String, usize>>,
    required: Vec<String>,
    additional: Additional,
    items: Option<usize>,
}

#[derive(Debug, Default, Clone, Copy)]
enum Additional {
    /// No `additionalProperties`.
    #[default]
    Unset,
    Any,
    Schema(usize),
    /// `false` or anything else: unknown fields are reported.
    Refused,
}

impl Compiled {
    pub fn new(root: &Value, schema: &Value) -> Self {
        let mut c = Compiled {
            nodes: Vec::new(),
            open: false,
        };
        let mut seen = std::collections::HashMap::new();
        c.compile(root, schema, &mut seen);
        c
    }

    /// A payload schema (a flow's `schemas:`), read as JSON Schema reads it: fields an object
    /// schema does not list are allowed unless `additionalProperties` says otherwise.
    pub fn open(schema: &Value) -> Self {
        let mut c = Compiled::new(schema, schema);
        c.open = true;
        c
    }

    /// Compiles `schema` and what it refers to, returning its node. `seen` maps the address of
    /// each compiled schema object to its node, which also ends recursive definitions.
    fn compile(
        &mut self,
        root: &Value,
        schema: &Value,
        seen: &mut std::collections::HashMap<*const Value, usize>,
    ) -> usize {
        let schema = resolve(root, schema);
        if let Some(&n) = seen.get(&(schema as *const Value)) {
            return n;
        }
        let n = self.nodes.len();
        self.nodes.push(Node::default());
        seen.insert(schema as *const Value, n);
        let Some(obj) = schema.as_object() else {
            self.nodes[n].anything = true;
            return n;
        };
        let mut node = Node::default();
        let branches = ["anyOf", "oneOf"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_array));
        if let Some(list) = branches {
            node.branches = Some(list.iter().map(|b| self.compile(root, b, seen)).collect());
        }
        node.types = match obj.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        node.expected = node
            .types
            .iter()
            .filter(|t| *t != "null")
            .map(|t| expected_name(t))
            .collect::<Vec<_>>()
            .join(" or ");
        node.allowed = obj
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .or_else(|| obj.get("const").map(|c| vec![c.clone()]));
        let (fmin, fmax) = match obj.get("format").and_then(Value::as_str) {
            Some("int32") => (Some(i32::MIN as f64), Some(i32::MAX as f64)),
            Some("int64") => (Some(i64::MIN as f64), Some(i64::MAX as f64)),
            _ => (None, None),
        };
        node.min = obj.get("minimum").and_then(Value::as_f64).or(fmin);
        node.max = obj.get("maximum").and_then(Value::as_f64).or(fmax);
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            let mut map = foldhash::HashMap::default();
            for (k, v) in props {
                map.insert(k.clone(), self.compile(root, v, seen));
            }
            node.properties = Some(map);
        }
        node.required = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        node.additional = match obj.get("additionalProperties") {
            None => Additional::Unset,
            Some(Value::Bool(true)) => Additional::Any,
            Some(s @ Value::Object(_)) => Additional::Schema(self.compile(root, s, seen)),
            Some(_) => Additional::Refused,
        };
        node.items = obj.get("items").map(|i| self.compile(root, i, seen));
        self.nodes[n] = node;
        n
    }

    /// Every problem of `value`, with paths that start with `path`.
    pub fn check(&self, value: &Value, path: &str) -> Vec<Issue> {
        let mut out = Vec::new();
        let mut buf = path.to_string();
        self.check_into(0, value, &mut buf, &mut out, 0);
        out
    }

    /// `path` is a buffer: children push their segment and truncate it back, so walking a
    /// manifest allocates only for the problems it reports.
    fn check_into(
        &self,
        node: usize,
        value: &Value,
        path: &mut String,
        out: &mut Vec<Issue>,
        depth: usize,
    ) {
        if depth > 64 || value.is_null() {
            return;
        }
        let n = &self.nodes[node];
        if n.anything {
            return;
        }
        if let Some(branches) = &n.branches {
            let mut best: Option<Vec<Issue>> = None;
            for &b in branches {
                let mut issues = Vec::new();
                self.check_into(b, value, path, &mut issues, depth + 1);
                if issues.is_empty() {
                    best = Some(issues);
                    break;
                }
                // Prefer the branch whose type fits, i.e. the one with the deepest complaints.
                let here = path.as_str();
                let wrong_type_here = issues
                    .iter()
                    .any(|i| i.path == here && matches!(i.problem, Problem::WrongType { .. }));
                let better = match &best {
                    None => true,
                    Some(prev) => !wrong_type_here && prev.iter().any(|i| i.path == here),
                };
                if better {
                    best = Some(issues);
                }
            }
            out.extend(best.unwrap_or_default());
            return;
        }
        if !n.types.is_empty() && !n.types.iter().any(|t| type_matches(t, value)) {
            out.push(Issue {
                path: path.clone(),
                problem: Problem::WrongType {
                    expected: n.expected.clone(),
                    found: type_name(value),
                },
            });
            return;
        }
        if let Some(allowed) = &n.allowed {
            if !allowed.contains(value) {
                out.push(Issue {
                    path: path.clone(),
                    problem: Problem::BadEnum {
                        allowed: allowed
                            .iter()
                            .map(|a| {
                                a.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| a.to_string())
                            })
                            .collect(),
                        found: value
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| value.to_string()),
                    },
                });
                return;
            }
        }
        if let Some(x) = value.as_f64() {
            let (min, max) = (n.min, n.max);
            if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                out.push(Issue {
                    path: path.clone(),
                    problem: Problem::OutOfRange {
                        value: value.to_string(),
                        min,
                        max,
                    },
                });
            }
        }
        match value {
            Value::Object(map) => {
                for r in &n.required {
                    if map.get(r).is_none_or(Value::is_null) {
                        out.push(Issue {
                            path: child_key(path, r),
                            problem: Problem::MissingField(r.clone()),
                        });
                    }
                }
                for (k, v) in map {
                    let len = path.len();
                    push_key(path, k);
                    match (n.properties.as_ref().and_then(|p| p.get(k)), n.additional) {
                        (Some(&s), _) | (None, Additional::Schema(s)) => {
                            self.check_into(s, v, path, out, depth + 1)
                        }
                        (None, Additional::Any) => {}
                        (None, Additional::Unset) if n.properties.is_none() || self.open => {}
                        (None, _) => out.push(Issue {
                            path: path.clone(),
                            problem: Problem::UnknownField(k.clone()),
                        }),
                    }
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                if let Some(item) = n.items {
                    for (i, v) in items.iter().enumerate() {
                        let len = path.len();
                        push_index(path, i);
                        self.check_into(item, v, path, out, depth + 1);
                        path.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or(r);
                match root.get("$defs").and_then(|d| d.get(name)) {
                    Some(target) => s = target,
                    None => return &Value::Bool(true),
                }
            }
            None => return s,
        }
    }
    s
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        _ => true,
    }
}

fn expected_name(t: &str) -> &str {
    match t {
        "array" => "list",
        other => other,
    }
}

/// Does the schema of `root` know the field at `path` (segments of property names, `[]` for
/// list items and map values)? Used to prove the typed model covers the CRDs.
pub fn knows_path(root: &Value, segments: &[&str]) -> bool {
    let mut current = vec![root];
    for seg in segments {
        let mut next = Vec::new();
        let mut stack: Vec<&Value> = current.clone();
        while let Some(s) = stack.pop() {
            let s = resolve(root, s);
            if s == &Value::Bool(true) {
                return true;
            }
            let Some(obj) = s.as_object() else { continue };
            for key in ["anyOf", "oneOf", "allOf"] {
                if let Some(b) = obj.get(key).and_then(Value::as_array) {
                    stack.extend(b.iter());
                }
            }
            if obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
                || (obj.get("type").and_then(Value::as_str) == Some("object")
                    && obj.get("properties").is_none()
                    && obj.get("additionalProperties").is_none())
            {
                return true; // free-form object: every field is kept
            }
            if *seg == "[]" {
                if let Some(i) = obj.get("items") {
                    next.push(i);
                }
                if let Some(a @ Value::Object(_)) = obj.get("additionalProperties") {
                    next.push(a);
                }
            } else if let Some(p) = obj.get("properties").and_then(|p| p.get(*seg)) {
                next.push(p);
            }
        }
        if next.is_empty() {
            return false;
        }
        current = next;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::lookup;
    use serde_json::json;

    fn issues(kind: &str, api: &str, spec: Value) -> Vec<Issue> {
        let schema = lookup(api, kind).unwrap().spec_schema();
        check(schema, schema, &spec, ".spec")
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let got = issues(
            "Trigger",
            "eventing.knative.dev/v1",
            json!({"broker": 3, "delivery": {"retry": "x", "backoffPolicy": "sometimes"}, "bogus": 1}),
        );
        let paths: Vec<&str> = got.iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&".spec.broker"), "{got:?}");
        assert!(paths.contains(&".spec.delivery.retry"));
        assert!(paths.contains(&".spec.delivery.backoffPolicy"));
        assert!(paths.contains(&".spec.bogus"));
        assert!(got.iter().any(|i| matches!(&i.problem, Problem::BadEnum { allowed, .. } if allowed == &["linear", "exponential"])));
    }

    #[test]
    fn required_fields_of_k8s_types_are_checked() {
        let got = issues(
            "JobSink",
            "sinks.knative.dev/v1alpha1",
            json!({"job": {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}}),
        );
        assert_eq!(
            got,
            vec![Issue {
                path: ".spec.job.spec.template.spec.containers[0].name".into(),
                problem: Problem::MissingField("name".into())
            }]
        );
        // Knative names ContainerSource containers itself.
        let cs = json!({"template": {"spec": {"containers": [{"image": "x"}]}}});
        assert!(issues("ContainerSource", "sources.knative.dev/v1", cs).is_empty());
    }

    #[test]
    fn null_means_unset_and_numbers_are_ranged() {
        assert!(issues(
            "Broker",
            "eventing.knative.dev/v1",
            json!({"delivery": null})
        )
        .is_empty());
        let got = issues(
            "Broker",
            "eventing.knative.dev/v1",
            json!({"delivery": {"retry": 3_000_000_000u64}}),
        );
        assert!(
            matches!(got[0].problem, Problem::OutOfRange { .. }),
            "{got:?}"
        );
    }
}
