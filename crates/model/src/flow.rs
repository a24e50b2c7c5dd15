//! The flow: resources in file order, the graph of their references, editor layout, simulation
//! settings and scenarios — and the edits that keep manifests and graph consistent.

use std::collections::HashMap;

use litemap::LiteMap;

use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde_json::{json, Map, Value};

use crate::kinds::by_kind_name;
use crate::path;
use crate::refs::{self, Reference, Role, Target};
use crate::resource::{Resource, ResourceId};
use crate::wiring;

/// A graph node: a resource of the flow, or the far end of a reference that the flow does not
/// hold (a plain URI, or an object that may exist in the cluster).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Resource(Box<Resource>),
    /// Referenced but not in the flow.
    Missing(ResourceId),
    Uri(String),
}

impl Node {
    pub fn resource(&self) -> Option<&Resource> {
        match self {
            Node::Resource(r) => Some(r),
            _ => None,
        }
    }

    /// `Kind/name` for resources and missing objects, the URI itself for URIs.
    pub fn label(&self) -> String {
        match self {
            Node::Resource(r) => r.id.to_string(),
            Node::Missing(id) => id.to_string(),
            Node::Uri(u) => u.clone(),
        }
    }
}

/// A reference from one node to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub role: Role,
    pub index: Option<usize>,
    /// Field path of the reference in the referrer's manifest.
    pub path: String,
}

/// Editor position of a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// How a flow is stored on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `kind: Flow` with resources, layout, simulation and scenarios.
    FlowFile,
    /// Plain Kubernetes YAML (one or many documents); saved back the same way.
    Manifests,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    NotFound(ResourceId),
    Exists(ResourceId),
    Invalid(String),
    NotAllowed(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::NotFound(id) => write!(f, "{id} is not in the flow"),
            EditError::Exists(id) => write!(f, "{id} already exists in the flow"),
            EditError::Invalid(m) | EditError::NotAllowed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for EditError {}

/// A reference left pointing at nothing by a removal.
#[derive(Debug, Clone, PartialEq)]
pub struct Orphan {
    pub from: ResourceId,
    pub role: Role,
    pub path: String,
}

/// What to connect a port to.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectTo {
    Resource(ResourceId),
    Uri(String),
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub namespace: Option<String>,
    /// Other `metadata` of the flow file (labels, annotations, description …), kept as written.
    pub metadata_extra: Map<String, Value>,
    pub format: Format,
    graph: StableGraph<Node, Edge>,
    order: Vec<NodeIndex>,
    /// Looked up for every reference and rule: a fast hash rather than SipHash (flows are the
    /// user's own files, not an attacker's stream).
    index: foldhash::HashMap<ResourceId, NodeIndex>,
    /// Node positions by `Kind/name`. Sorted-vector maps here and below: ordered like a
    /// `BTreeMap` (so files keep a stable order) with far less code in the designer's wasm.
    pub layout: LiteMap<String, Point>,
    /// How simulated sinks answer, keyed by `Kind/name` (read by the simulator).
    pub simulation: LiteMap<String, Value>,
    /// Routing tests (read by `kn-flow test`).
    pub scenarios: Vec<Value>,
    /// Top-level keys of the flow file we do not know, kept as written.
    pub extra: Map<String, Value>,
}

impl Flow {
    pub fn new(name: impl Into<String>, namespace: Option<String>) -> Self {
        Flow {
            name: name.into(),
            namespace,
            metadata_extra: Map::new(),
            format: Format::FlowFile,
            graph: StableGraph::new(),
            order: Vec::new(),
            index: Default::default(),
            layout: LiteMap::new(),
            simulation: LiteMap::new(),
            scenarios: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn graph(&self) -> &StableGraph<Node, Edge> {
        &self.graph
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Resources in file order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.order
            .iter()
            .filter_map(|ix| self.graph[*ix].resource())
    }

    pub fn node_of(&self, id: &ResourceId) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    pub fn get(&self, id: &ResourceId) -> Option<&Resource> {
        self.graph[self.node_of(id)?].resource()
    }

    /// Effective namespace of a resource: its own, else the flow's.
    pub fn namespace_of<'a>(&'a self, r: &'a Resource) -> Option<&'a str> {
        r.namespace().or(self.namespace.as_deref())
    }

    /// The id a reference from `from` points at.
    pub fn target_id(
        &self,
        from: &Resource,
        kind: &str,
        name: &str,
        namespace: Option<&str>,
    ) -> ResourceId {
        let ns = namespace.or(self.namespace_of(from));
        ResourceId {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns
                .filter(|ns| Some(*ns) != self.namespace.as_deref())
                .map(str::to_string),
        }
    }

    /// References out of `id` with the node each one reaches.
    pub fn outgoing(&self, id: &ResourceId) -> Vec<(&Edge, &Node)> {
        let Some(ix) = self.node_of(id) else {
            return vec![];
        };
        let mut v: Vec<_> = self
            .graph
            .edges_directed(ix, Direction::Outgoing)
            .map(|e| (e.weight(), &self.graph[e.target()]))
            .collect();
        crate::order::sort_by(&mut v, |a, b| a.0.path.cmp(&b.0.path));
        v
    }

    /// Resources referring to `id`, with the reference.
    pub fn incoming(&self, id: &ResourceId) -> Vec<(&Resource, &Edge)> {
        let Some(ix) = self.node_of(id) else {
            return vec![];
        };
        self.incoming_ix(ix)
    }

    fn incoming_ix(&self, ix: NodeIndex) -> Vec<(&Resource, &Edge)> {
        let mut v: Vec<_> = self
            .graph
            .edges_directed(ix, Direction::Incoming)
            .filter_map(|e| Some((self.graph[e.source()].resource()?, e.weight())))
            .collect();
        crate::order::sort_by(&mut v, |a, b| {
            (&a.0.id, &a.1.path).cmp(&(&b.0.id, &b.1.path))
        });
        v
    }

    /// Nodes the flow references but does not hold (`Missing`) and URIs.
    pub fn external_nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.graph
            .node_indices()
            .map(|ix| (ix, &self.graph[ix]))
            .filter(|(_, n)| !matches!(n, Node::Resource(_)))
    }

    /// The resources, in file order, taking the flow apart.
    pub fn into_resources(mut self) -> Vec<Resource> {
        let order = std::mem::take(&mut self.order);
        order
            .into_iter()
            .filter_map(|ix| match self.graph.remove_node(ix) {
                Some(Node::Resource(r)) => Some(*r),
                _ => None,
            })
            .collect()
    }

    /// Adds a resource read from a file or built by the editor.
    pub fn insert(&mut self, resource: Resource) -> Result<ResourceId, EditError> {
        self.insert_boxed(Box::new(resource))
    }

    /// [`Self::insert`] of a resource already boxed (as a node holds it), which a loader can do
    /// on another thread.
    pub fn insert_boxed(&mut self, resource: Box<Resource>) -> Result<ResourceId, EditError> {
        let id = resource.id.clone();
        if self.index.contains_key(&id) {
            return Err(EditError::Exists(id));
        }
        let ix = self.graph.add_node(Node::Resource(resource));
        self.order.push(ix);
        self.index.insert(id.clone(), ix);
        Ok(id)
    }

    /// Adds a resource from its manifest and relinks the graph.
    pub fn add(&mut self, manifest: Value) -> Result<ResourceId, EditError> {
        let r = Resource::from_manifest(manifest, self.namespace.as_deref())
            .map_err(EditError::Invalid)?;
        let id = self.insert(r)?;
        self.relink();
        Ok(id)
    }

    /// A new resource of a palette kind with a free name derived from `base` (`broker`,
    /// `broker-2`, …) and the fields the kind needs to be valid where they have no choice.
    pub fn add_new(&mut self, kind: &str, base: &str) -> Result<ResourceId, EditError> {
        let info =
            by_kind_name(kind).ok_or_else(|| EditError::Invalid(format!("unknown kind {kind}")))?;
        let name = self.free_name(kind, base);
        let mut manifest = json!({
            "apiVersion": info.api_version(),
            "kind": info.kind,
            "metadata": { "name": name },
        });
        if let Some(spec) = starter_spec(info.kind) {
            manifest["spec"] = spec;
        }
        self.add(manifest)
    }

    /// `base`, or `base-2`, `base-3`… whichever is free for `kind`.
    pub fn free_name(&self, kind: &str, base: &str) -> String {
        let taken = |n: &str| self.index.contains_key(&ResourceId::new(kind, n));
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}-{i}"))
            .find(|n| !taken(n))
            .expect("unbounded")
    }

    /// Removes a resource; references to it stay in their referrers (now dangling) and are
    /// reported so the caller can show or fix them.
    pub fn remove(&mut self, id: &ResourceId) -> Result<Vec<Orphan>, EditError> {
        let ix = self
            .node_of(id)
            .ok_or_else(|| EditError::NotFound(id.clone()))?;
        let orphans = self
            .incoming_ix(ix)
            .into_iter()
            .filter(|(r, _)| &r.id != id)
            .map(|(r, e)| Orphan {
                from: r.id.clone(),
                role: e.role,
                path: e.path.clone(),
            })
            .collect();
        self.graph.remove_node(ix);
        self.order.retain(|i| *i != ix);
        self.index.remove(id);
        self.layout.remove(&id.to_string());
        self.simulation.remove(&id.to_string());
        self.relink();
        Ok(orphans)
    }

    /// Renames a resource and rewrites every reference to it, its layout and simulation keys
    /// and scenario mentions.
    pub fn rename(&mut self, id: &ResourceId, new_name: &str) -> Result<ResourceId, EditError> {
        if new_name.is_empty() || new_name.contains('/') {
            return Err(EditError::Invalid(format!(
                "`{new_name}` is not a usable name"
            )));
        }
        let ix = self
            .node_of(id)
            .ok_or_else(|| EditError::NotFound(id.clone()))?;
        let new_id = ResourceId {
            name: new_name.to_string(),
            ..id.clone()
        };
        if new_id == *id {
            return Ok(new_id);
        }
        if self.index.contains_key(&new_id) {
            return Err(EditError::Exists(new_id));
        }
        let referrers: Vec<(ResourceId, String)> = self
            .incoming_ix(ix)
            .into_iter()
            .filter_map(|(r, e)| {
                let reference = refs::references(r).into_iter().find(|x| x.path == e.path)?;
                Some((r.id.clone(), reference.name_path?))
            })
            .collect();
        for (rid, name_path) in referrers {
            // A resource referring to itself is renamed below along with its own name.
            self.edit_manifest(&rid, |m| {
                path::set(m, &name_path, Some(Value::String(new_name.into())))
            })?;
        }
        let Node::Resource(r) = &mut self.graph[ix] else {
            unreachable!()
        };
        path::set(
            &mut r.manifest,
            ".metadata.name",
            Some(Value::String(new_name.into())),
        )
        .map_err(EditError::Invalid)?;
        r.id = new_id.clone();
        r.reparse();
        self.index.remove(id);
        self.index.insert(new_id.clone(), ix);
        let (old_key, new_key) = (id.to_string(), new_id.to_string());
        if let Some(p) = self.layout.remove(&old_key) {
            self.layout.insert(new_key.clone(), p);
        }
        if let Some(s) = self.simulation.remove(&old_key) {
            self.simulation.insert(new_key.clone(), s);
        }
        for s in &mut self.scenarios {
            replace_strings(s, &old_key, &new_key);
        }
        self.relink();
        Ok(new_id)
    }

    /// Sets (`Some`) or removes (`None`) one field of a resource. `.metadata.name` renames.
    pub fn set_field(
        &mut self,
        id: &ResourceId,
        field: &str,
        value: Option<Value>,
    ) -> Result<ResourceId, EditError> {
        match field {
            ".metadata.name" => match value {
                Some(Value::String(n)) => return self.rename(id, &n),
                _ => return Err(EditError::Invalid("a name must be a string".into())),
            },
            ".kind" | ".apiVersion" | "" => {
                return Err(EditError::NotAllowed(format!(
                    "`{field}` decides what the resource is; add a new resource instead"
                )))
            }
            ".metadata.namespace" => {
                let mut m = self
                    .get(id)
                    .ok_or_else(|| EditError::NotFound(id.clone()))?
                    .manifest
                    .clone();
                path::set(&mut m, field, value).map_err(EditError::Invalid)?;
                let r = Resource::from_manifest(m, self.namespace.as_deref())
                    .map_err(EditError::Invalid)?;
                if r.id != *id && self.index.contains_key(&r.id) {
                    return Err(EditError::Exists(r.id));
                }
                let new_id = r.id.clone();
                let ix = self.index.remove(id).expect("checked above");
                self.graph[ix] = Node::Resource(Box::new(r));
                self.index.insert(new_id.clone(), ix);
                self.relink();
                return Ok(new_id);
            }
            _ => {}
        }
        self.edit_manifest(id, |m| path::set(m, field, value))?;
        self.relink();
        Ok(id.clone())
    }

    /// Replaces a resource's whole manifest (the editor's raw YAML tab). Identity may change.
    pub fn replace(&mut self, id: &ResourceId, manifest: Value) -> Result<ResourceId, EditError> {
        let ix = self
            .node_of(id)
            .ok_or_else(|| EditError::NotFound(id.clone()))?;
        let mut r = Resource::from_manifest(manifest, self.namespace.as_deref())
            .map_err(EditError::Invalid)?;
        if r.id != *id && self.index.contains_key(&r.id) {
            return Err(EditError::Exists(r.id));
        }
        if let Node::Resource(old) = &self.graph[ix] {
            r.origin = old.origin.clone();
        }
        let new_id = r.id.clone();
        self.graph[ix] = Node::Resource(Box::new(r));
        self.index.remove(id);
        self.index.insert(new_id.clone(), ix);
        self.relink();
        Ok(new_id)
    }

    /// Points a port of `from` at a resource or URI, writing the field Knative reads. Only
    /// connections Knative accepts are made (see [`wiring`]).
    pub fn connect(
        &mut self,
        from: &ResourceId,
        role: Role,
        index: Option<usize>,
        to: &ConnectTo,
    ) -> Result<(), EditError> {
        let src = self
            .get(from)
            .ok_or_else(|| EditError::NotFound(from.clone()))?;
        let info = src.info.ok_or_else(|| {
            EditError::NotAllowed(format!("{from} is not a kind knflow can wire"))
        })?;
        let port = wiring::ports(info)
            .iter()
            .find(|p| p.role == role && (p.indexed == index.is_some() || role == Role::Reply))
            .ok_or_else(|| {
                EditError::NotAllowed(format!("{} has no `{}` port", info.kind, role.port_name()))
            })?;
        let field = wiring::field_path(src.spec.as_ref(), role, index.filter(|_| port.indexed))
            .expect("every port has a field");
        let value = match to {
            ConnectTo::Uri(uri) => {
                if !wiring::accepts_uri(role) {
                    return Err(EditError::NotAllowed(format!(
                        "`{}` cannot point at a URI",
                        role.port_name()
                    )));
                }
                json!({ "uri": uri })
            }
            ConnectTo::Resource(tid) => {
                let target = self
                    .get(tid)
                    .ok_or_else(|| EditError::NotFound(tid.clone()))?;
                if !wiring::accepts(role, target.group(), &target.id.kind) {
                    return Err(EditError::NotAllowed(format!(
                        "`{}` of a {} cannot point at a {}",
                        role.port_name(),
                        info.kind,
                        target.id.kind
                    )));
                }
                let mut r = json!({ "apiVersion": target.api_version(), "kind": target.id.kind, "name": target.id.name });
                let same_ns = self.namespace_of(target) == self.namespace_of(src);
                if !same_ns {
                    r["namespace"] = json!(self.namespace_of(target));
                }
                match role {
                    Role::Broker if same_ns => Value::String(target.id.name.clone()),
                    Role::Broker | Role::Channel | Role::Reference | Role::Config => r,
                    Role::Subject => {
                        let mut s = r;
                        if let Value::Object(m) = &mut s {
                            m.remove("namespace");
                        }
                        s
                    }
                    _ => json!({ "ref": r }),
                }
            }
        };
        let field = if role == Role::Broker && !value.is_string() {
            ".spec.brokerRef".to_string()
        } else {
            field
        };
        if role == Role::Step {
            // Keep the step's delivery: only its destination changes.
            self.edit_manifest(from, |m| {
                for k in ["ref", "uri"] {
                    path::set(m, &format!("{field}.{k}"), None)?;
                }
                for (k, v) in value.as_object().expect("destinations are objects") {
                    path::set(m, &format!("{field}.{k}"), Some(v.clone()))?;
                }
                Ok(())
            })?;
        } else {
            self.edit_manifest(from, |m| path::set(m, &field, Some(value)))?;
        }
        self.relink();
        Ok(())
    }

    /// Removes the reference a port makes (a sequence step is removed entirely).
    pub fn disconnect(
        &mut self,
        from: &ResourceId,
        role: Role,
        index: Option<usize>,
    ) -> Result<(), EditError> {
        let src = self
            .get(from)
            .ok_or_else(|| EditError::NotFound(from.clone()))?;
        let field =
            wiring::field_path(src.spec.as_ref(), role, index).expect("every port has a field");
        let is_broker_ref =
            role == Role::Broker && src.manifest.pointer("/spec/brokerRef").is_some();
        self.edit_manifest(from, |m| {
            if is_broker_ref {
                path::set(m, ".spec.brokerRef", None)?;
            }
            path::set(m, &field, None)
        })?;
        self.relink();
        Ok(())
    }

    fn edit_manifest(
        &mut self,
        id: &ResourceId,
        f: impl FnOnce(&mut Value) -> Result<(), String>,
    ) -> Result<(), EditError> {
        let ix = self
            .node_of(id)
            .ok_or_else(|| EditError::NotFound(id.clone()))?;
        let Node::Resource(r) = &mut self.graph[ix] else {
            unreachable!()
        };
        let mut m = r.manifest.clone();
        f(&mut m).map_err(EditError::Invalid)?;
        r.manifest = m;
        r.reparse();
        Ok(())
    }

    /// Where a reference of `from` lands: an existing node, or a new `Missing`/`Uri` node.
    fn resolve(&self, from: &Resource, reference: &Reference) -> Vec<Resolved> {
        match &reference.target {
            Target::Uri(u) => vec![Resolved::External(Node::Uri(u.clone()), format!("uri:{u}"))],
            Target::Object {
                kind,
                name,
                namespace,
                ..
            } => {
                let id = self.target_id(from, kind, name, namespace.as_deref());
                match self.index.get(&id) {
                    Some(ix) => vec![Resolved::Existing(*ix)],
                    None => {
                        let key = format!("missing:{id}");
                        vec![Resolved::External(Node::Missing(id), key)]
                    }
                }
            }
            Target::Selector { kind, labels, .. } => self
                .order
                .iter()
                .filter(|ix| {
                    self.graph[**ix].resource().is_some_and(|r| {
                        &r.id.kind == kind
                            && self.namespace_of(r) == self.namespace_of(from)
                            && labels.iter().all(|(k, v)| {
                                r.labels().and_then(|l| l.get(k)).and_then(Value::as_str)
                                    == Some(v.as_str())
                            })
                    })
                })
                .map(|ix| Resolved::Existing(*ix))
                .collect(),
        }
    }

    /// Rebuilds every edge from the manifests. Cheap enough to run after each edit (linear in the
    /// flow's size), and it cannot drift from what the manifests say.
    pub fn relink(&mut self) {
        let stale: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|ix| !matches!(self.graph[*ix], Node::Resource(_)))
            .collect();
        for ix in stale {
            self.graph.remove_node(ix);
        }
        self.graph.clear_edges();
        // Finding the references is read-only and per resource: a large flow does it on two
        // cores; adding the edges is serial.
        let this = &*self;
        let (runs, ()) = crate::par::share(
            self.order.len(),
            RELINK_RUN,
            |range| {
                let mut edges = Vec::new();
                for &ix in &this.order[range] {
                    let Some(r) = this.graph[ix].resource() else {
                        continue;
                    };
                    for reference in refs::references(r) {
                        for resolved in this.resolve(r, &reference) {
                            let (role, index) = (reference.role, reference.index);
                            edges.push((ix, resolved, role, index, reference.path.clone()));
                        }
                    }
                }
                edges
            },
            || (),
        );
        let mut externals: HashMap<String, NodeIndex> = HashMap::new();
        for (from, resolved, role, index, path) in runs.into_iter().flatten() {
            let to = match resolved {
                Resolved::Existing(ix) => ix,
                Resolved::External(node, key) => *externals
                    .entry(key)
                    .or_insert_with(|| self.graph.add_node(node)),
            };
            self.graph.add_edge(from, to, Edge { role, index, path });
        }
    }
}

/// Resources per run of [`Flow::relink`]'s reading: a flow edited in the designer is one run.
const RELINK_RUN: usize = 512;

enum Resolved {
    Existing(NodeIndex),
    External(Node, String),
}

fn replace_strings(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) if s == old => *s = new.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, old, new)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_strings(x, old, new)),
        _ => {}
    }
}

/// Fields a new resource of a kind starts with: only those Knative requires and where the editor
/// has nothing better to offer than the documented default.
fn starter_spec(kind: &str) -> Option<Value> {
    // JSON text rather than `json!`: in the designer's wasm each `json!` object is code, the
    // text a few bytes of data.
    let text = match kind {
        "PingSource" => {
            r#"{"schedule": "*/1 * * * *", "contentType": "application/json", "data": "{\"message\": \"Hello world!\"}"}"#
        }
        "ApiServerSource" => {
            r#"{"mode": "Reference", "resources": [{"apiVersion": "v1", "kind": "Event"}], "serviceAccountName": "default"}"#
        }
        "ContainerSource" => {
            r#"{"template": {"spec": {"containers": [{"name": "source", "image": "gcr.io/knative-releases/knative.dev/eventing/cmd/heartbeats"}]}}}"#
        }
        "Service" => {
            r#"{"template": {"spec": {"containers": [{"image": "gcr.io/knative-releases/knative.dev/eventing/cmd/event_display"}]}}}"#
        }
        "JobSink" => {
            r#"{"job": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "docker.io/library/bash:5", "command": ["cat"], "args": ["/etc/jobsink-event/event"]}]}}}}}"#
        }
        "Sequence" | "Parallel" => {
            r#"{"channelTemplate": {"apiVersion": "messaging.knative.dev/v1", "kind": "InMemoryChannel"}}"#
        }
        // The extension kinds' required fields, with the values their projects' docs use.
        "KafkaSource" => {
            r#"{"bootstrapServers": ["my-cluster-kafka-bootstrap.kafka:9092"], "topics": ["knative-demo-topic"], "consumerGroup": "knative-group"}"#
        }
        "KafkaSink" => {
            r#"{"topic": "knative-demo-topic", "bootstrapServers": ["my-cluster-kafka-bootstrap.kafka:9092"]}"#
        }
        "KafkaChannel" => r#"{"numPartitions": 3, "replicationFactor": 1}"#,
        "RabbitmqSource" => {
            r#"{"rabbitmqClusterReference": {"name": "rabbitmq"}, "rabbitmqResourcesConfig": {"queueName": "eventing-rabbitmq-source"}}"#
        }
        "RabbitmqBrokerConfig" => {
            r#"{"rabbitmqClusterReference": {"name": "rabbitmq", "namespace": "default"}, "queueType": "quorum"}"#
        }
        "GitHubSource" => {
            r#"{"eventTypes": ["pull_request"], "ownerAndRepository": "knative/docs", "accessToken": {"secretKeyRef": {"name": "githubsecret", "key": "accessToken"}}, "secretToken": {"secretKeyRef": {"name": "githubsecret", "key": "secretToken"}}}"#
        }
        "GitLabSource" => {
            r#"{"eventTypes": ["push_events"], "projectUrl": "https://gitlab.com/group/project", "accessToken": {"secretKeyRef": {"name": "gitlabsecret", "key": "accessToken"}}, "secretToken": {"secretKeyRef": {"name": "gitlabsecret", "key": "secretToken"}}}"#
        }
        "RedisStreamSource" => {
            r#"{"address": "rediss://redis.redis.svc.cluster.local:6379", "stream": "mystream", "group": "mygroup"}"#
        }
        "RedisStreamSink" => {
            r#"{"address": "rediss://redis.redis.svc.cluster.local:6379", "stream": "mystream"}"#
        }
        "AwsSqsSource" => {
            r#"{"queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue", "awsCredsSecret": {"name": "aws-credentials", "key": "credentials"}}"#
        }
        "CouchDbSource" => {
            r#"{"credentials": {"name": "couchdb-binding"}, "database": "photographers", "feed": "continuous"}"#
        }
        "VSphereSource" => {
            r#"{"address": "https://vcenter.example.com", "secretRef": {"name": "vsphere-credentials"}, "checkpointConfig": {"maxAgeSeconds": 300, "periodSeconds": 10}, "payloadEncoding": "application/json"}"#
        }
        "CephSource" => r#"{"port": "8888"}"#,
        "IntegrationSource" => r#"{"timer": {"period": 2000, "message": "Hello, Eventing Core"}}"#,
        "IntegrationSink" => r#"{"log": {"level": "INFO", "showHeaders": true}}"#,
        _ => return None,
    };
    Some(serde_json::from_str(text).expect("starter specs are JSON"))
}
