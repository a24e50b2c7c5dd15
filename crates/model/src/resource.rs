//! One resource of a flow: the manifest exactly as written (the source of truth, so nothing a user
//! wrote is ever dropped) plus the typed view derived from it.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::kinds::{self, KindInfo, Spec};
use crate::yaml::{Pos, Spans};

/// Identity of a resource: `Kind/name`, or `Kind/namespace/name` when the namespace differs from
/// the flow's. Never a graph index: indices do not survive save and load.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl ResourceId {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceId {
            kind: kind.into(),
            name: name.into(),
            namespace: None,
        }
    }

    /// Parses `Kind/name` or `Kind/namespace/name`.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [k, n] if !k.is_empty() && !n.is_empty() => Some(Self::new(*k, *n)),
            [k, ns, n] if !k.is_empty() && !ns.is_empty() && !n.is_empty() => Some(ResourceId {
                kind: k.to_string(),
                name: n.to_string(),
                namespace: Some(ns.to_string()),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// Where a resource was read from, for positioned diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub file: Arc<str>,
    pub start: Pos,
    pub spans: Spans,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The whole manifest as written (canonical key order at the top level).
    pub manifest: Value,
    pub id: ResourceId,
    pub info: Option<&'static KindInfo>,
    /// The typed spec; `None` for kinds we do not model or a spec that cannot be read.
    pub spec: Option<Spec>,
    pub origin: Option<Origin>,
}

impl Resource {
    /// Builds a resource from a manifest. `flow_namespace` decides whether the id shows the
    /// namespace. Fails only when the object cannot be identified (no kind or no name).
    pub fn from_manifest(manifest: Value, flow_namespace: Option<&str>) -> Result<Self, String> {
        let manifest = canonical_order(manifest)?;
        let kind = manifest
            .get("kind")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .ok_or("missing `kind`")?
            .to_string();
        let name = manifest
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or("missing `metadata.name`")?
            .to_string();
        let namespace = manifest
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .filter(|ns| Some(*ns) != flow_namespace && !ns.is_empty())
            .map(str::to_string);
        let api_version = manifest
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let info = kinds::lookup(api_version, &kind);
        let mut r = Resource {
            manifest,
            id: ResourceId {
                kind,
                name,
                namespace,
            },
            info,
            spec: None,
            origin: None,
        };
        r.reparse();
        Ok(r)
    }

    /// Re-derives the typed spec after the manifest changed. A spec with badly typed fields is
    /// read without them, so one typo does not cut the resource out of the graph (validation
    /// reports the fields).
    pub fn reparse(&mut self) {
        self.spec = self.info.and_then(|info| {
            let empty = Value::Object(Map::new());
            let spec = self
                .manifest
                .get("spec")
                .filter(|s| !s.is_null())
                .unwrap_or(&empty);
            info.parse_spec(spec).ok().or_else(|| {
                let mut pruned = spec.clone();
                for issue in info.spec_checker().check(spec, "") {
                    if !matches!(issue.problem, crate::schema::Problem::UnknownField(_)) {
                        let _ = crate::path::set(&mut pruned, &issue.path, None);
                    }
                }
                info.parse_spec(&pruned).ok()
            })
        });
    }

    /// The sink and ceOverrides of a source: a modelled source's own, or — duck typing, as
    /// Knative does — those of any object of a kind knflow does not model whose spec has a
    /// `sink` destination (KafkaSource, GitHubSource, IntegrationSource, …).
    pub fn source_spec(&self) -> Option<std::borrow::Cow<'_, kinds::SourceSpec>> {
        use std::borrow::Cow;
        match &self.spec {
            Some(Spec::PingSource(s)) => Some(Cow::Borrowed(&s.source)),
            Some(Spec::ApiServerSource(s)) => Some(Cow::Borrowed(&s.source)),
            Some(Spec::ContainerSource(s)) => Some(Cow::Borrowed(&s.source)),
            Some(Spec::SinkBinding(s)) => Some(Cow::Borrowed(&s.source)),
            Some(Spec::Extension(s)) if self.info.is_some_and(|i| i.is_source()) => {
                Some(Cow::Borrowed(&s.source))
            }
            Some(_) => None,
            None if self.info.is_none() => {
                let spec = self.manifest.get("spec")?;
                spec.get("sink").filter(|s| s.is_object())?;
                <kinds::SourceSpec as crate::read::FromValue>::from_value(spec)
                    .ok()
                    .map(Cow::Owned)
            }
            None => None,
        }
    }

    /// Whether this is a source knflow knows only by its `spec.sink` (see [`Self::source_spec`]).
    pub fn is_duck_source(&self) -> bool {
        self.info.is_none() && self.source_spec().is_some()
    }

    /// A modelled source or a duck-typed one.
    pub fn is_source(&self) -> bool {
        self.info.is_some_and(|i| i.is_source()) || self.is_duck_source()
    }

    pub fn api_version(&self) -> &str {
        self.manifest
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn group(&self) -> &str {
        kinds::split_api_version(self.api_version()).0
    }

    pub fn name(&self) -> &str {
        &self.id.name
    }

    /// The namespace written in the manifest, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.manifest
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
    }

    /// The value of an annotation, if it is set and a string.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.manifest
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    pub fn labels(&self) -> Option<&Map<String, Value>> {
        self.manifest
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
    }

    pub fn pos_of(&self, path: &str) -> Option<Pos> {
        let o = self.origin.as_ref()?;
        o.spans.nearest(path).or(Some(o.start))
    }
}

const TOP_ORDER: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const META_ORDER: &[&str] = &["name", "namespace", "labels", "annotations"];

fn reorder(map: Map<String, Value>, first: &[&str]) -> Map<String, Value> {
    let present = map.keys().filter(|k| first.contains(&k.as_str())).count();
    let in_order = map
        .keys()
        .take(present)
        .zip(first.iter().filter(|f| map.contains_key(**f)))
        .all(|(a, b)| a == b);
    if in_order {
        return map;
    }
    let mut map = map;
    let mut out = Map::new();
    for k in first {
        if let Some(v) = map.shift_remove(*k) {
            out.insert((*k).to_string(), v);
        }
    }
    out.extend(map);
    out
}

/// Kubernetes' conventional key order at the top and in `metadata`; deeper levels keep the order
/// the user wrote, so diffs stay small.
pub fn canonical_order(manifest: Value) -> Result<Value, String> {
    let Value::Object(map) = manifest else {
        return Err("a resource must be a mapping".into());
    };
    let mut map = reorder(map, TOP_ORDER);
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        let m = std::mem::take(meta);
        *meta = reorder(m, META_ORDER);
    }
    Ok(Value::Object(map))
}
