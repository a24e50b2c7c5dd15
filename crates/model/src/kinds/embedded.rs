//! Kubernetes types that Knative specs embed: a pod template, a Job, a Service spec, object
//! metadata, a label selector. They are kept as the JSON written and checked against
//! k8s-openapi's own JSON schemas, which ship as data (`data/k8s-schemas.json`, regenerated and
//! compared by the test `k8s_schema_data`). Typing them with k8s-openapi's structs cost the
//! browser build half a megabyte of serde code for fields the model only validates and keeps;
//! the schema is the same one those structs derive, so validation and the editor's forms see
//! every field exactly as before.
//!
//! The schemas' descriptions (170 KB of text) are kept apart in `data/k8s-docs.json` (see
//! [`super::docs`]): native builds put them back, the browser build leaves them out.

use std::sync::OnceLock;

use knflow_derive::FromValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const SCHEMAS: &str = include_str!("../../data/k8s-schemas.json");

#[cfg(not(target_arch = "wasm32"))]
const DOCS: &str = include_str!("../../data/k8s-docs.json");

/// The schema definitions by k8s-openapi's names (`io.k8s.api.core.v1.PodSpec`, …); with their
/// descriptions except in the browser build.
pub fn definitions() -> &'static Map<String, Value> {
    static DEFS: OnceLock<Map<String, Value>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let defs: Map<String, Value> =
            serde_json::from_str(SCHEMAS).expect("data/k8s-schemas.json is JSON");
        #[cfg(not(target_arch = "wasm32"))]
        let defs = with_docs(defs);
        defs
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn with_docs(mut defs: Map<String, Value>) -> Map<String, Value> {
    super::docs::apply(&mut defs, docs());
    defs
}

/// The descriptions of [`definitions`] (see [`super::docs`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn docs() -> &'static Map<String, Value> {
    static DOCS_MAP: OnceLock<Map<String, Value>> = OnceLock::new();
    DOCS_MAP.get_or_init(|| serde_json::from_str(DOCS).expect("data/k8s-docs.json is JSON"))
}

/// Adds to `defs` every definition `schema` refers to, directly or not, except those already
/// there.
pub fn add_referenced(schema: &Value, defs: &mut Map<String, Value>) {
    add_referenced_from(definitions(), schema, defs);
}

/// [`add_referenced`] with the definitions found in `all`.
pub fn add_referenced_from(
    all: &Map<String, Value>,
    schema: &Value,
    defs: &mut Map<String, Value>,
) {
    let mut todo = Vec::new();
    refs_in(schema, &mut todo);
    while let Some(next) = todo.pop() {
        if defs.contains_key(&next) {
            continue;
        }
        if let Some(def) = all.get(&next) {
            refs_in(def, &mut todo);
            defs.insert(next, def.clone());
        }
    }
}

/// A standalone schema of one definition, such as `schemars::schema_for!` makes.
pub fn root_schema(name: &str) -> Value {
    let mut root = definitions()[name].clone();
    let mut defs = Map::new();
    add_referenced(&root, &mut defs);
    if !defs.is_empty() {
        root["$defs"] = Value::Object(defs);
    }
    root
}

/// `name`'s definition, after adding every definition it refers to to `generator` (schemars
/// itself files `name` under its schema name).
#[cfg(not(target_arch = "wasm32"))]
fn definition(generator: &mut schemars::SchemaGenerator, name: &str) -> schemars::Schema {
    let def = &definitions()[name];
    let defs = generator.definitions_mut();
    let filed = defs.contains_key(name);
    add_referenced(def, defs);
    if !filed {
        defs.shift_remove(name);
    }
    schemars::Schema::try_from(def.clone()).expect("a definition is a schema object")
}

fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                out.extend(r.strip_prefix("#/$defs/").map(str::to_string));
            }
            o.values().for_each(|x| refs_in(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

macro_rules! embedded {
    ($(#[$doc:meta])* $name:ident = $def:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, FromValue)]
        #[serde(transparent)]
        pub struct $name(pub Map<String, Value>);

        #[cfg(not(target_arch = "wasm32"))]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $def.into()
            }
            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                definition(generator, $def)
            }
        }
    };
}

embedded!(
    /// `core/v1` PodSpec.
    PodSpec = "io.k8s.api.core.v1.PodSpec"
);
embedded!(
    /// `core/v1` PodTemplateSpec: `metadata` and a PodSpec `spec`.
    PodTemplateSpec = "io.k8s.api.core.v1.PodTemplateSpec"
);
embedded!(
    /// `batch/v1` JobSpec.
    JobSpec = "io.k8s.api.batch.v1.JobSpec"
);
embedded!(
    /// `core/v1` ServiceSpec.
    ServiceSpec = "io.k8s.api.core.v1.ServiceSpec"
);
embedded!(
    /// `meta/v1` ObjectMeta.
    ObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
);
embedded!(
    /// `core/v1` Affinity: node, pod and anti-pod affinity rules.
    Affinity = "io.k8s.api.core.v1.Affinity"
);
embedded!(
    /// `core/v1` ResourceRequirements: requests, limits and claims.
    ResourceRequirements = "io.k8s.api.core.v1.ResourceRequirements"
);
embedded!(
    /// `meta/v1` LabelSelector: `matchLabels` and `matchExpressions`, ANDed.
    LabelSelector = "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"
);

/// What a pod's `containers` field says, for the rules Knative adds on top of the schema.
pub enum Containers<'a> {
    /// Absent, null or an empty list.
    None,
    List(&'a [Value]),
    /// Not a list: the schema check reports it.
    Malformed,
}

/// The `containers` of a PodSpec-shaped object.
pub fn containers(pod: &Map<String, Value>) -> Containers<'_> {
    match pod.get("containers") {
        None | Some(Value::Null) => Containers::None,
        Some(Value::Array(a)) if a.is_empty() => Containers::None,
        Some(Value::Array(a)) => Containers::List(a),
        Some(_) => Containers::Malformed,
    }
}

impl PodSpec {
    pub fn containers(&self) -> Containers<'_> {
        containers(&self.0)
    }
}

impl PodTemplateSpec {
    /// The template's pod, when it is an object.
    pub fn pod(&self) -> Option<&Map<String, Value>> {
        self.0.get("spec").and_then(Value::as_object)
    }
}

impl JobSpec {
    /// The pod of the Job's template, when both are objects.
    pub fn pod(&self) -> Option<&Map<String, Value>> {
        self.0.get("template")?.get("spec")?.as_object()
    }
}

/// One `matchExpressions` requirement, read leniently (the schema check reports wrong types).
pub struct Requirement<'a> {
    pub operator: &'a str,
    pub values: usize,
}

impl LabelSelector {
    /// `matchLabels` whose values are strings, sorted by key.
    pub fn match_labels(&self) -> Vec<(String, String)> {
        let mut labels: Vec<(String, String)> = self
            .0
            .get("matchLabels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        crate::order::sort(&mut labels);
        labels
    }

    /// Whether `matchLabels` is present at all.
    pub fn has_match_labels(&self) -> bool {
        self.0.get("matchLabels").is_some_and(|v| !v.is_null())
    }

    pub fn match_expressions(&self) -> impl Iterator<Item = Requirement<'_>> {
        self.0
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| Requirement {
                operator: e.get("operator").and_then(Value::as_str).unwrap_or(""),
                values: e
                    .get("values")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
            })
    }
}
