//! The designer's editing state, kept out of the view layer so it is pure and tested natively:
//! a flow with its selection, an undo/redo history of every edit, a clipboard, and the wiring
//! rules drag-to-wire follows. The Leptos UI (`ui/`) renders an [`Editor`] and sends it [`Edit`]s.

mod facts;
mod selection;

use knflow_model::kinds::by_kind_name;
use knflow_model::num::{parse_f64, Shortest};
use knflow_model::wiring::{self, Port};
use knflow_model::{flowfile, layout, ConnectTo, Flow, Point, ResourceId, Role};
use serde_json::Value;

pub use selection::Selection;

pub use facts::{category_name, category_of, facts, icon_of, shorten};

/// How far pasted and duplicated nodes land from their originals.
const PASTE_OFFSET: f64 = 40.0;
/// Undo steps kept; older ones are dropped.
const HISTORY: usize = 200;

/// One user edit. Each successful edit is one undo step.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A new resource of a palette kind at a canvas position.
    Add {
        kind: String,
        at: Point,
    },
    /// Move nodes by an offset (one step for a whole drag).
    Move {
        ids: Vec<ResourceId>,
        dx: f64,
        dy: f64,
    },
    /// Move nodes by their labels, URIs and missing objects included.
    MoveNodes {
        labels: Vec<String>,
        dx: f64,
        dy: f64,
    },
    /// Point a port at a resource. Indexed ports (sequence steps, parallel branches) take
    /// `index`; without one they append (a new step or branch).
    Connect {
        from: ResourceId,
        role: Role,
        index: Option<usize>,
        to: ResourceId,
    },
    /// Remove the reference at a port (indexed ports: the entry at `index`).
    Disconnect {
        from: ResourceId,
        role: Role,
        index: Option<usize>,
    },
    /// Remove every reference the resource holds and every reference to it.
    DisconnectAll {
        id: ResourceId,
    },
    Delete {
        ids: Vec<ResourceId>,
    },
    Duplicate {
        ids: Vec<ResourceId>,
    },
    /// Resources from the clipboard (YAML documents, as [`Editor::copy`] writes them).
    Paste {
        yaml: String,
    },
    Rename {
        id: ResourceId,
        name: String,
    },
    /// Set (`Some`) or remove (`None`) a field, by path like `.spec.filters[0].cesql`.
    SetField {
        id: ResourceId,
        path: String,
        value: Option<Value>,
    },
    /// Replace a whole manifest (the raw YAML tab).
    Replace {
        id: ResourceId,
        manifest: Value,
    },
    AutoLayout,
    /// A sink's simulated behaviour (`fail:503x2`, …), or None for the default.
    SetBehavior {
        key: String,
        behavior: Option<String>,
    },
    SetScenarios(Vec<Value>),
    /// The flow's own name (its file's `name:`, the export header's).
    SetFlowName(String),
    /// The flow's settings: name, namespace (none: each resource's own or `default`), and its
    /// description (the `knflow.dev/description` annotation; empty removes it), and its
    /// simulation defaults: how simulated sinks answer, one `KIND/NAME=SPEC` per line (what
    /// the text leaves out answers by default).
    FlowSettings {
        name: String,
        namespace: Option<String>,
        description: String,
        behaviors: String,
    },
    /// Everything replaced by the flow in flow-file text (Import): one step to undo like any
    /// other; text with errors changes nothing and says what they are.
    ReplaceFlow(String),
}

#[derive(Clone)]
struct Snapshot {
    flow: Flow,
    selection: Selection,
    /// Which state of the history this is (see [`Editor::is_dirty`]).
    state: u64,
}

/// A flow being edited.
#[derive(Clone)]
pub struct Editor {
    flow: Flow,
    selection: Selection,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// Bumped by every change; the view keys caches on it.
    revision: u64,
    /// Bumped by changes to resources (not positions): what validation depends on.
    content_revision: u64,
    /// Bumped by changes to what a simulation depends on: resources and sink behaviours, not
    /// positions or saved scenarios.
    routing_revision: u64,
    /// The history state shown: a new one for every edit, an earlier one after undo. Unsaved
    /// means a state other than the saved one, so undoing back to it is clean again.
    state: u64,
    saved_state: u64,
    /// The last clipboard text pasted and how many times in a row: each paste lands one
    /// offset further, so copies never hide one another.
    pasted: Option<(String, u32)>,
}

/// Makes `behaviors` the flow's saved sink behaviours; other simulation settings of a sink
/// are kept.
fn set_behaviors(flow: &mut Flow, behaviors: Vec<(String, String)>) {
    let old: Vec<String> = flow.simulation.iter().map(|(k, _)| k.clone()).collect();
    for label in old {
        if let Some(Value::Object(m)) = flow.simulation.get_mut(&label) {
            m.remove("behavior");
            if !m.is_empty() {
                continue;
            }
        }
        flow.simulation.remove(&label);
    }
    for (label, spec) in behaviors {
        match flow.simulation.get_mut(&label) {
            Some(Value::Object(m)) => {
                m.insert("behavior".into(), Value::String(spec));
            }
            _ => {
                flow.simulation
                    .insert(label, serde_json::json!({ "behavior": spec }));
            }
        }
    }
}

/// The flow file's annotation that describes the flow (shown above the canvas).
pub const DESCRIPTION: &str = "knflow.dev/description";

/// A flow with nodes that have no position gets an automatic layout.
fn lay_out_unplaced(flow: &mut Flow) {
    let unplaced = flow
        .resources()
        .any(|r| !flow.layout.contains_key(&r.id.to_string()));
    if unplaced {
        layout::auto_layout(flow);
    }
}

impl Default for Editor {
    fn default() -> Self {
        Editor::new(Flow::new("untitled", None))
    }
}

impl Editor {
    /// Starts editing a flow; nodes without a position get an automatic layout.
    pub fn new(mut flow: Flow) -> Editor {
        lay_out_unplaced(&mut flow);
        // Revisions never repeat across editors, so a view caching on them notices when one
        // flow replaces another.
        static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let base = GENERATION.fetch_add(1 << 32, std::sync::atomic::Ordering::Relaxed);
        Editor {
            flow,
            selection: Selection::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            revision: base,
            content_revision: base,
            routing_revision: base,
            state: base,
            saved_state: base,
            pasted: None,
        }
    }

    /// Loads flow-file or plain Knative YAML text; errors are the loader's diagnostics.
    pub fn open(text: &str, file: &str) -> Result<Editor, Vec<knflow_model::Diagnostic>> {
        let loaded = flowfile::load_str(text, file);
        if loaded.has_errors() {
            return Err(loaded.diagnostics);
        }
        Ok(Editor::new(loaded.flow))
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Applies a diagnostic's fix ([`knflow_model::fixes`]), one undoable edit per change.
    pub fn apply_fix(&mut self, fix: &knflow_model::fixes::Fix) -> Result<(), String> {
        use knflow_model::fixes::FixEdit;
        let id = |label: &str| {
            ResourceId::parse(label).ok_or_else(|| format!("`{label}` is not Kind/name"))
        };
        for e in &fix.edits {
            let edit = match e {
                FixEdit::Set {
                    resource,
                    path,
                    value,
                } => Edit::SetField {
                    id: id(resource)?,
                    path: path.clone(),
                    value: Some(value.clone()),
                },
                FixEdit::Replace { resource, manifest } => Edit::Replace {
                    id: id(resource)?,
                    manifest: manifest.clone(),
                },
                FixEdit::Add { manifest } => Edit::Paste {
                    yaml: knflow_model::yaml::to_yaml(manifest),
                },
            };
            self.apply(edit)?;
        }
        Ok(())
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Changes only when resources change (moving nodes leaves it alone), so validation can
    /// be skipped for layout edits.
    pub fn content_revision(&self) -> u64 {
        self.content_revision
    }

    /// Changes when what a simulation of the flow depends on may have changed: resources,
    /// sink behaviours, undo and redo; not moves, layout or the saved scenarios. A trace made
    /// at another routing revision may not be what the flow does now.
    pub fn routing_revision(&self) -> u64 {
        self.routing_revision
    }

    /// The flow file as it would be saved.
    pub fn save_text(&self) -> String {
        flowfile::save_string(&self.flow)
    }

    /// Whether the flow differs from the state last saved: after an undo or redo back to
    /// that state it does not.
    pub fn is_dirty(&self) -> bool {
        self.state != self.saved_state
    }

    pub fn mark_saved(&mut self) {
        self.saved_state = self.state;
    }

    /// Marks the flow as differing from its file (e.g. recovered from an autosave).
    pub fn mark_unsaved(&mut self) {
        self.saved_state = u64::MAX;
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            flow: self.flow.clone(),
            selection: self.selection.clone(),
            state: self.state,
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.flow = s.flow;
        self.selection = s.selection;
        self.state = s.state;
        self.revision += 1;
        self.content_revision += 1;
        self.routing_revision += 1;
    }

    pub fn undo(&mut self) -> bool {
        let Some(s) = self.undo.pop() else {
            return false;
        };
        self.redo.push(self.snapshot());
        self.restore(s);
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(s) = self.redo.pop() else {
            return false;
        };
        self.undo.push(self.snapshot());
        self.restore(s);
        true
    }

    /// Applies an edit as one undo step. A failed edit changes nothing and says why.
    pub fn apply(&mut self, edit: Edit) -> Result<(), String> {
        let before = self.snapshot();
        let layout_only = matches!(
            edit,
            Edit::Move { .. } | Edit::MoveNodes { .. } | Edit::AutoLayout
        );
        let routing = !layout_only && !matches!(edit, Edit::SetScenarios(_));
        match self.perform(edit) {
            Ok(()) => {
                if !layout_only {
                    self.content_revision += 1;
                }
                if routing {
                    self.routing_revision += 1;
                }
                self.undo.push(before);
                if self.undo.len() > HISTORY {
                    self.undo.remove(0);
                }
                self.redo.clear();
                self.revision += 1;
                // Revisions only grow, so this state id was never used before.
                self.state = self.revision;
                Ok(())
            }
            Err(e) => {
                self.flow = before.flow;
                self.selection = before.selection;
                Err(e)
            }
        }
    }

    fn position(&self, id: &ResourceId) -> Point {
        self.flow
            .layout
            .get(&id.to_string())
            .copied()
            .unwrap_or(Point { x: 0.0, y: 0.0 })
    }

    fn place(&mut self, id: &ResourceId, p: Point) {
        self.flow.layout.insert(id.to_string(), p);
    }

    fn perform(&mut self, edit: Edit) -> Result<(), String> {
        let s = |e: knflow_model::EditError| e.to_string();
        match edit {
            Edit::Add { kind, at } => {
                let info = by_kind_name(&kind).ok_or(format!("unknown kind {kind}"))?;
                let base = info.kind.to_lowercase();
                let id = self.flow.add_new(info.kind, &base).map_err(s)?;
                self.place(&id, at);
                self.selection = [id].into_iter().collect();
            }
            Edit::Move { ids, dx, dy } => {
                for id in &ids {
                    let p = self.position(id);
                    self.place(
                        id,
                        Point {
                            x: p.x + dx,
                            y: p.y + dy,
                        },
                    );
                }
            }
            Edit::MoveNodes { labels, dx, dy } => {
                for label in labels {
                    let p = self
                        .flow
                        .layout
                        .get(&label)
                        .copied()
                        .unwrap_or(Point { x: 0.0, y: 0.0 });
                    self.flow.layout.insert(
                        label,
                        Point {
                            x: p.x + dx,
                            y: p.y + dy,
                        },
                    );
                }
            }
            Edit::Connect {
                from,
                role,
                index,
                to,
            } => {
                let index = match index {
                    Some(i) if self.is_indexed(&from, role) => Some(i),
                    _ => self.next_index(&from, role)?,
                };
                self.flow
                    .connect(&from, role, index, &ConnectTo::Resource(to))
                    .map_err(s)?;
            }
            Edit::Disconnect { from, role, index } => {
                self.flow.disconnect(&from, role, index).map_err(s)?;
            }
            Edit::DisconnectAll { id } => {
                let ix = self
                    .flow
                    .node_of(&id)
                    .ok_or(format!("{id} is not in the flow"))?;
                let g = self.flow.graph();
                // Both ways: what it references, and what references it. Later list entries
                // first, so earlier indexes stay valid.
                let mut refs: Vec<(ResourceId, Role, Option<usize>)> = g
                    .edges_directed(ix, petgraph::Direction::Outgoing)
                    .map(|e| (id.clone(), e.weight().role, e.weight().index))
                    .chain(
                        g.edges_directed(ix, petgraph::Direction::Incoming)
                            .filter_map(|e| {
                                let owner = g[petgraph::visit::EdgeRef::source(&e)].resource()?;
                                Some((owner.id.clone(), e.weight().role, e.weight().index))
                            }),
                    )
                    .collect();
                if refs.is_empty() {
                    return Err(format!("{id} has no wires"));
                }
                knflow_model::order::sort_by(&mut refs, |a, b| b.2.cmp(&a.2));
                refs.dedup();
                for (owner, role, index) in refs {
                    self.flow.disconnect(&owner, role, index).map_err(s)?;
                }
            }
            Edit::Delete { ids } => {
                for id in &ids {
                    self.flow.remove(id).map_err(s)?;
                    self.flow.layout.remove(&id.to_string());
                    self.selection.remove(id);
                }
            }
            Edit::Duplicate { ids } => {
                let yaml = self.copy_ids(&ids);
                self.paste(&yaml)?;
            }
            Edit::Paste { yaml } => self.paste(&yaml)?,
            Edit::Rename { id, name } => {
                let p = self.position(&id);
                let new_id = self.flow.rename(&id, &name).map_err(s)?;
                self.flow.layout.remove(&id.to_string());
                self.place(&new_id, p);
                if self.selection.remove(&id) {
                    self.selection.insert(new_id);
                }
            }
            Edit::SetField { id, path, value } => {
                if path == ".metadata.name" {
                    let name = value
                        .as_ref()
                        .and_then(Value::as_str)
                        .ok_or("a name must be a string")?;
                    return self.perform(Edit::Rename {
                        id,
                        name: name.to_string(),
                    });
                }
                // A namespace is part of the id: the node keeps its place and its selection.
                let new_id = self.flow.set_field(&id, &path, value).map_err(s)?;
                if new_id != id {
                    let p = self.position(&id);
                    self.flow.layout.remove(&id.to_string());
                    self.place(&new_id, p);
                    if self.selection.remove(&id) {
                        self.selection.insert(new_id);
                    }
                }
            }
            Edit::Replace { id, manifest } => {
                let p = self.position(&id);
                // A new name written in the YAML renames as the name field does: references
                // to the resource follow it (and a taken name is refused).
                let name = manifest.pointer("/metadata/name").and_then(Value::as_str);
                let same_kind =
                    manifest.get("kind").and_then(Value::as_str) == Some(id.kind.as_str());
                let at = match name {
                    Some(name) if same_kind && name != id.name => {
                        self.flow.rename(&id, name).map_err(s)?
                    }
                    _ => id.clone(),
                };
                let new_id = self.flow.replace(&at, manifest).map_err(s)?;
                if new_id != id {
                    self.flow.layout.remove(&id.to_string());
                    self.place(&new_id, p);
                    self.selection.remove(&id);
                    self.selection.insert(new_id);
                }
            }
            Edit::AutoLayout => {
                self.flow.layout.clear();
                layout::auto_layout(&mut self.flow);
            }
            Edit::SetBehavior { key, behavior } => match behavior {
                Some(b) if !b.trim().is_empty() => {
                    knflow_sim::behavior::Behavior::parse(b.trim())
                        .map_err(|e| format!("behavior `{b}`: {e}"))?;
                    self.flow
                        .simulation
                        .insert(key, serde_json::json!({ "behavior": b.trim() }));
                }
                _ => {
                    self.flow.simulation.remove(&key);
                }
            },
            Edit::SetScenarios(s) => self.flow.scenarios = s,
            Edit::SetFlowName(name) => {
                knflow_model::validate::names::dns1123_label(&name)
                    .map_err(|e| format!("flow name: {e}"))?;
                self.flow.name = name;
            }
            Edit::FlowSettings {
                name,
                namespace,
                description,
                behaviors,
            } => {
                knflow_model::validate::names::dns1123_label(&name)
                    .map_err(|e| format!("name: {e}"))?;
                if let Some(ns) = &namespace {
                    knflow_model::validate::names::dns1123_label(ns)
                        .map_err(|e| format!("namespace: {e}"))?;
                }
                let behaviors = knflow_sim::behavior::parse_text(&behaviors)
                    .map_err(|e| format!("sink behaviours: {e}"))?;
                set_behaviors(&mut self.flow, behaviors);
                self.flow.name = name;
                self.flow.namespace = namespace;
                let meta = &mut self.flow.metadata_extra;
                let annotations = meta
                    .entry("annotations")
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Some(a) = annotations.as_object_mut() {
                    if description.trim().is_empty() {
                        a.remove(DESCRIPTION);
                    } else {
                        a.insert(DESCRIPTION.into(), Value::String(description));
                    }
                    if a.is_empty() {
                        meta.remove("annotations");
                    }
                }
            }
            Edit::ReplaceFlow(text) => {
                let loaded = flowfile::load_str(&text, "import.yaml");
                if loaded.has_errors() {
                    let msgs: Vec<String> =
                        loaded.diagnostics.iter().map(ToString::to_string).collect();
                    return Err(msgs.join("\n"));
                }
                let mut flow = loaded.flow;
                lay_out_unplaced(&mut flow);
                self.flow = flow;
                self.selection = Selection::default();
            }
        }
        Ok(())
    }

    /// Does `role` on `from` address a list entry (a step or branch)?
    fn is_indexed(&self, from: &ResourceId, role: Role) -> bool {
        self.flow
            .get(from)
            .and_then(|r| r.info)
            .is_some_and(|info| {
                wiring::ports(info)
                    .iter()
                    .any(|p| p.role == role && p.indexed)
            })
    }

    /// Where an indexed port appends: after the entries it already has.
    fn next_index(&self, from: &ResourceId, role: Role) -> Result<Option<usize>, String> {
        let r = self
            .flow
            .get(from)
            .ok_or(format!("{from} is not in the flow"))?;
        let info = r.info.ok_or(format!("{from} has no ports"))?;
        let indexed = wiring::ports(info)
            .iter()
            .any(|p| p.role == role && p.indexed);
        if !indexed {
            return Ok(None);
        }
        let list = match (info.kind, role) {
            ("Sequence", _) => ".spec.steps",
            ("Parallel", _) => ".spec.branches",
            _ => return Ok(None),
        };
        let len = knflow_model::path::get(&r.manifest, list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        // A Parallel branch needs a subscriber: a filter or reply goes to the last branch
        // lacking one; a subscriber starts a new branch.
        if info.kind == "Parallel" && role != Role::Subscriber {
            let key = if role == Role::Filter {
                "filter"
            } else {
                "reply"
            };
            let branches = knflow_model::path::get(&r.manifest, list)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            return match branches.iter().position(|b| b.get(key).is_none()) {
                Some(i) => Ok(Some(i)),
                None => Err(format!(
                    "every branch of {from} has a {key}: wire a subscriber first to add a branch"
                )),
            };
        }
        Ok(Some(len))
    }

    // ---- selection ----

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Selects one node, or with `additive` toggles it in the selection.
    pub fn select(&mut self, id: &ResourceId, additive: bool) {
        if additive {
            if !self.selection.remove(id) {
                self.selection.insert(id.clone());
            }
        } else {
            self.selection = [id.clone()].into_iter().collect();
        }
    }

    pub fn clear_selection(&mut self) {
        self.selection.clear();
    }

    pub fn select_all(&mut self) {
        self.selection = self.flow.resources().map(|r| r.id.clone()).collect();
    }

    /// Selects every node that overlaps the rectangle (canvas coordinates, any corner order).
    pub fn select_box(&mut self, a: Point, b: Point, additive: bool) {
        let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
        let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
        let hit: Vec<ResourceId> = self
            .flow
            .resources()
            .filter(|r| {
                let p = self.position(&r.id);
                let s = knflow_model::diagram::resource_shape(r);
                p.x < x1 && p.x + s.w > x0 && p.y < y1 && p.y + s.h > y0
            })
            .map(|r| r.id.clone())
            .collect();
        if !additive {
            self.selection.clear();
        }
        self.selection.extend(hit);
    }

    // ---- clipboard ----

    /// The selected resources as YAML documents (what the system clipboard receives).
    pub fn copy(&self) -> String {
        let ids: Vec<ResourceId> = self.selection.iter().cloned().collect();
        self.copy_ids(&ids)
    }

    fn copy_ids(&self, ids: &[ResourceId]) -> String {
        let manifests: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.flow.get(id))
            .map(|r| {
                let mut m = r.manifest.clone();
                // Positions travel with the copy so a paste keeps the arrangement.
                let p = self.position(&r.id);
                m["metadata"]["annotations"]["knflow.dev/position"] =
                    Value::String(format!("{},{}", Shortest(p.x), Shortest(p.y)));
                m
            })
            .collect();
        flowfile::manifests_string(manifests.iter())
    }

    /// Adds copied resources under free names (references among them follow the renames),
    /// offset from where they were, and selects them.
    fn paste(&mut self, yaml: &str) -> Result<(), String> {
        let times = match &self.pasted {
            Some((last, n)) if last == yaml => n + 1,
            _ => 1,
        };
        let offset = PASTE_OFFSET * f64::from(times);
        let docs = knflow_model::yaml::parse_documents(yaml).map_err(|e| e.to_string())?;
        let mut manifests: Vec<Value> = docs.into_iter().map(|d| d.value).collect();
        manifests.retain(|m| m.get("kind").is_some() && m.pointer("/metadata/name").is_some());
        if manifests.is_empty() {
            return Err("the clipboard holds no Kubernetes objects".into());
        }
        let mut renames = Vec::new();
        for m in &mut manifests {
            let kind = m["kind"].as_str().unwrap_or_default().to_string();
            let old = m["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let new = self.flow.free_name(&kind, &old);
            if new != old {
                m["metadata"]["name"] = Value::String(new.clone());
                renames.push((kind, old, new));
            }
        }
        let mut added = Selection::default();
        for mut m in manifests {
            let pos = m
                .pointer("/metadata/annotations/knflow.dev~1position")
                .and_then(Value::as_str)
                .and_then(|s| s.split_once(','))
                .and_then(|(x, y)| Some((parse_f64(x)?, parse_f64(y)?)));
            if let Some(a) = m
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.shift_remove("knflow.dev/position");
                if a.is_empty() {
                    m["metadata"]
                        .as_object_mut()
                        .expect("metadata")
                        .shift_remove("annotations");
                }
            }
            let id = self.flow.add(m).map_err(|e| e.to_string())?;
            let (x, y) = pos.unwrap_or((0.0, 0.0));
            self.place(
                &id,
                Point {
                    x: x + offset,
                    y: y + offset,
                },
            );
            added.insert(id);
        }
        // References among the pasted resources point at the copies, not the originals.
        for id in added.iter().cloned().collect::<Vec<_>>() {
            let mut m = self.flow.get(&id).expect("just added").manifest.clone();
            let mut changed = false;
            for (kind, old, new) in &renames {
                changed |= rename_refs(&mut m, kind, old, new);
            }
            if changed {
                self.flow.replace(&id, m).map_err(|e| e.to_string())?;
            }
        }
        self.selection = added;
        self.pasted = Some((yaml.to_string(), times));
        Ok(())
    }
}

/// Rewrites references to `kind/old` inside a manifest's spec (refs and a trigger's broker).
fn rename_refs(m: &mut Value, kind: &str, old: &str, new: &str) -> bool {
    fn walk(v: &mut Value, kind: &str, old: &str, new: &str) -> bool {
        let mut changed = false;
        match v {
            Value::Object(o) => {
                if o.get("kind").and_then(Value::as_str) == Some(kind)
                    && o.get("name").and_then(Value::as_str) == Some(old)
                {
                    o.insert("name".into(), Value::String(new.into()));
                    changed = true;
                }
                for c in o.values_mut() {
                    changed |= walk(c, kind, old, new);
                }
            }
            Value::Array(a) => {
                for c in a {
                    changed |= walk(c, kind, old, new);
                }
            }
            _ => {}
        }
        changed
    }
    let mut changed = false;
    if let Some(spec) = m.get_mut("spec") {
        if kind == "Broker" && spec.get("broker").and_then(Value::as_str) == Some(old) {
            spec["broker"] = Value::String(new.into());
            changed = true;
        }
        changed |= walk(spec, kind, old, new);
    }
    changed
}

/// The outgoing ports of a resource, in display order (empty for kinds without references).
pub fn ports_of(flow: &Flow, id: &ResourceId) -> &'static [Port] {
    flow.get(id)
        .and_then(|r| r.info)
        .map(wiring::ports)
        .unwrap_or(&[])
}

/// May a wire from `from`'s `role` port end on `to`? (What drag-to-wire highlights and allows.)
pub fn can_wire(flow: &Flow, from: &ResourceId, role: Role, to: &ResourceId) -> bool {
    if from == to {
        return false;
    }
    let has_port = ports_of(flow, from).iter().any(|p| p.role == role);
    has_port
        && flow
            .get(to)
            .is_some_and(|t| wiring::accepts(role, t.group(), &t.id.kind))
}
