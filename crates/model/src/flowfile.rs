//! Reading and writing flows: the `kind: Flow` file format and plain Kubernetes YAML.
//!
//! Loading never fails as a whole: it returns the flow it could build together with positioned
//! diagnostics (the rust-analyzer habit), so an editor keeps working on a half-written file.
//! Callers that write files must refuse to when loading reported errors, or they could drop what
//! the loader could not read.

use std::sync::Arc;

use serde_json::{Map, Number, Value};

use crate::diag::Diagnostic;
use crate::flow::{Flow, Format, Point};
use crate::resource::{Origin, Resource};
use crate::yaml::{self, Document, Pos, Spans};
use crate::{par, split};

pub const FLOW_API_VERSION: &str = "knflow.dev/v1alpha1";
pub const FLOW_KIND: &str = "Flow";

/// A flow and what loading it found. `diagnostics` holds only problems of reading; validation
/// and lint are separate passes.
#[derive(Debug)]
pub struct Loaded {
    pub flow: Flow,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }
}

fn located(mut d: Diagnostic, file: &str, pos: Option<Pos>) -> Diagnostic {
    d.file = Some(file.to_string());
    d.set_pos(pos);
    d
}

fn default_name(file: &str) -> String {
    let stem = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = stem.split('.').next().unwrap_or(stem);
    if stem.is_empty() {
        "flow".into()
    } else {
        stem.to_string()
    }
}

/// Is this document a knflow Flow?
fn is_flow_doc(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some(FLOW_KIND)
        && v.get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("knflow.dev/"))
}

/// Loads a flow file or plain Kubernetes YAML from text. `file` names it in diagnostics.
pub fn load_str(text: &str, file: &str) -> Loaded {
    load_in_parts(text, file).unwrap_or_else(|| load_whole(text, file))
}

fn load_whole(text: &str, file: &str) -> Loaded {
    let mut diags = Vec::new();
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(located(
                Diagnostic::error("yaml-syntax", e.message),
                file,
                Some(e.pos),
            ));
            return Loaded {
                flow: Flow::new(default_name(file), None),
                diagnostics: diags,
            };
        }
    };
    let file_arc: Arc<str> = Arc::from(file);
    let flow_docs: Vec<usize> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| is_flow_doc(&d.value))
        .map(|(i, _)| i)
        .collect();
    let flow = if let Some(&first) = flow_docs.first() {
        if docs.iter().filter(|d| !d.value.is_null()).count() > 1 {
            let other = docs
                .iter()
                .enumerate()
                .find(|(i, d)| *i != first && !d.value.is_null())
                .map(|(_, d)| d.start);
            diags.push(located(
                Diagnostic::error("invalid-document", "a flow file holds exactly one document, the Flow; put other resources under `resources:`"),
                file,
                other,
            ));
        }
        let doc = docs.into_iter().nth(first).expect("index from enumerate");
        load_flow_doc(doc, &file_arc, &mut diags, Vec::new())
    } else {
        let mut flow = Flow::new(default_name(file), None);
        flow.format = Format::Manifests;
        // Plain manifests: the namespace most of them share becomes the flow's.
        flow.namespace = common_namespace(&docs);
        let mut prepared = Vec::new();
        let reader = Reader {
            file: &file_arc,
            namespace: flow.namespace.as_deref(),
        };
        for doc in docs {
            reader.manifest(doc.value, doc.spans, doc.start, "", &mut prepared);
        }
        insert_all(&mut flow, prepared, &file_arc, &mut diags);
        flow.relink();
        flow
    };
    Loaded {
        flow,
        diagnostics: diags,
    }
}

/// How many parts [`load_in_parts`] cuts a list into: enough for two threads to even out.
const PARTS: usize = 8;

/// Loads a large flow file on two cores, its `resources:` cut into parts (see [`crate::split`]).
/// `None` when the file cannot be cut or a part does not parse as the cut promised: the file is
/// then read in one piece, which also gives the right message for whatever is wrong with it.
fn load_in_parts(text: &str, file: &str) -> Option<Loaded> {
    if cfg!(target_arch = "wasm32") {
        return None;
    }
    let cut = split::cut(text, PARTS)?;
    let file: Arc<str> = Arc::from(file);
    // The flow's namespace shapes resource ids, so it is read first, from the head.
    let [head] = <[Document; 1]>::try_from(yaml::parse_documents(cut.head).ok()?).ok()?;
    let namespace_of = |v: &Value| {
        v.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let namespace = namespace_of(&head.value);
    if !is_flow_doc(&head.value) {
        return None;
    }
    let reader = Reader {
        file: &file,
        namespace: namespace.as_deref(),
    };
    let read = |part: &split::Part| -> Option<Vec<Prepared>> {
        let docs = yaml::parse_documents_after(part.text, part.lines_before).ok()?;
        let [mut doc] = <[Document; 1]>::try_from(docs).ok()?;
        let items = match doc.value {
            Value::Array(items) if items.len() == part.items => items,
            _ => return None,
        };
        let spans = doc.spans.take_items("");
        let mut out = Vec::with_capacity(items.len());
        reader.items(
            items,
            spans,
            part.first_item,
            doc.start,
            ".resources",
            &mut out,
        );
        Some(out)
    };
    // Parts are taken in turn by two threads (one reads the skeleton first), so a core that is
    // busy with something else slows the load down less than a fixed half each would.
    let (parts, skeleton) = par::share(
        cut.parts.len(),
        1,
        |range| read(&cut.parts[range.start]),
        || yaml::parse_documents(&cut.skeleton),
    );
    let [skeleton] = <[Document; 1]>::try_from(skeleton.ok()?).ok()?;
    let as_cut = is_flow_doc(&skeleton.value)
        && skeleton.value.get("resources").is_some_and(Value::is_null)
        && skeleton.spans.get(".resources").map(|p| p.line) == Some(cut.resources_line)
        && namespace_of(&skeleton.value) == namespace;
    if !as_cut {
        return None;
    }
    let prepared = parts
        .into_iter()
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .flatten();
    let mut diags = Vec::new();
    let flow = load_flow_doc(skeleton, &file, &mut diags, prepared);
    Some(Loaded {
        flow,
        diagnostics: diags,
    })
}

fn common_namespace(docs: &[Document]) -> Option<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for d in docs {
        if let Some(ns) = d
            .value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
        {
            match seen.iter_mut().find(|(n, _)| n == ns) {
                Some((_, c)) => *c += 1,
                None => seen.push((ns.to_string(), 1)),
            }
        }
    }
    seen.into_iter().max_by_key(|(_, c)| *c).map(|(n, _)| n)
}

/// A manifest read but not yet in the flow: its resource, or why it is not one.
type Prepared = Result<Box<Resource>, Diagnostic>;

/// Reads manifests into resources without touching a flow, so the parts of a file can be read
/// on different threads.
#[derive(Clone, Copy)]
struct Reader<'a> {
    file: &'a Arc<str>,
    /// The flow's namespace, which resource ids leave out.
    namespace: Option<&'a str>,
}

impl Reader<'_> {
    /// Reads one manifest (or the items of a `List`) into `out`; `spans` are relative to it and
    /// `path` says where it sits in its document (for messages).
    fn manifest(
        self,
        mut value: Value,
        mut spans: Spans,
        fallback: Pos,
        path: &str,
        out: &mut Vec<Prepared>,
    ) {
        let (file, namespace) = (self.file, self.namespace);
        let pos = spans.get("").unwrap_or(fallback);
        let is_list = value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && value.get("items").is_some_and(Value::is_array);
        if value.is_null() {
            return;
        }
        if is_list {
            let items = match value.get_mut("items").map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            let spans = spans.take_items(".items");
            let path = format!("{path}.items");
            self.items(items, spans, 0, pos, &path, out);
            return;
        }
        out.push(match Resource::from_manifest(value, namespace) {
            Ok(mut r) => {
                r.origin = Some(Origin {
                    file: file.clone(),
                    start: pos,
                    spans,
                });
                Ok(Box::new(r))
            }
            Err(msg) => {
                let d = Diagnostic::error(
                    "invalid-document",
                    format!("cannot identify this object: {msg}"),
                )
                .at(path);
                Err(located(d, file, Some(pos)))
            }
        });
    }

    /// [`Self::manifest`] for the items of a list, whose first is item `first` of the list at
    /// `path`.
    fn items(
        self,
        items: Vec<Value>,
        mut spans: std::collections::HashMap<usize, Spans>,
        first: usize,
        fallback: Pos,
        path: &str,
        out: &mut Vec<Prepared>,
    ) {
        for (i, item) in items.into_iter().enumerate() {
            let s = spans.remove(&i).unwrap_or_default();
            let at = format!("{path}[{}]", first + i);
            self.manifest(item, s, fallback, &at, out);
        }
    }
}

/// Puts prepared resources into the flow, in order, reporting the ones it cannot take.
fn insert_all(
    flow: &mut Flow,
    prepared: impl IntoIterator<Item = Prepared>,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) {
    for p in prepared {
        let r = match p {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let pos = r.origin.as_ref().map(|o| o.start);
        let id = r.id.clone();
        if let Some(first) = flow.get(&id) {
            let msg = match first.origin.as_ref().map(|o| o.start) {
                Some(p) => format!("{id} already exists in the flow (first at line {})", p.line),
                None => format!("{id} already exists in the flow"),
            };
            let mut d = Diagnostic::error("duplicate-resource", msg).on(&id);
            d.fix = Some(Box::new(crate::fixes::rename_duplicate(flow, &r)));
            diags.push(located(d, file, pos));
            continue;
        }
        flow.insert_boxed(r).expect("checked to be new");
    }
}

/// Builds the flow of a Flow document. `given` holds resources of its `resources:` already
/// read (by [`load_in_parts`]); the ones in the document itself are read here.
fn load_flow_doc(
    doc: Document,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
    given: impl IntoIterator<Item = Prepared>,
) -> Flow {
    let Document {
        value,
        start,
        mut spans,
    } = doc;
    let Value::Object(mut top) = value else {
        unreachable!("a Flow document is a mapping")
    };
    let meta = match top.shift_remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let name = meta.get("name").and_then(Value::as_str).map(str::to_string);
    if name.is_none() {
        let d = Diagnostic::warning(
            "missing-field",
            "the flow has no `metadata.name`; using the file name",
        )
        .at(".metadata.name");
        diags.push(located(
            d,
            file,
            Some(spans.nearest(".metadata").unwrap_or(start)),
        ));
    }
    let namespace = meta
        .get("namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut flow = Flow::new(name.unwrap_or_else(|| default_name(file)), namespace);
    flow.metadata_extra = meta
        .into_iter()
        .filter(|(k, _)| k != "name" && k != "namespace")
        .collect();
    let mut resource_spans = spans.take_items(".resources");
    let mut prepared = Vec::new();
    let bad_shape = |diags: &mut Vec<Diagnostic>, field: &str, what: &str| {
        let d = Diagnostic::error("invalid-document", format!("`{field}` must be {what}"))
            .at(format!(".{field}"));
        diags.push(located(d, file, spans.get(&format!(".{field}"))));
    };
    for (k, val) in top {
        match (k.as_str(), val) {
            ("apiVersion" | "kind", _) => {}
            (_, Value::Null) => {}
            ("resources", Value::Array(items)) => {
                let spans = std::mem::take(&mut resource_spans);
                let reader = Reader {
                    file,
                    namespace: flow.namespace.as_deref(),
                };
                reader.items(items, spans, 0, start, ".resources", &mut prepared);
            }
            ("resources", _) => bad_shape(diags, "resources", "a list of Kubernetes objects"),
            ("layout", Value::Object(m)) => {
                for (key, p) in m {
                    match (
                        p.get("x").and_then(Value::as_f64),
                        p.get("y").and_then(Value::as_f64),
                    ) {
                        (Some(x), Some(y)) => {
                            flow.layout.insert(key, Point { x, y });
                        }
                        _ => bad_shape(
                            diags,
                            &format!("layout[{}]", Value::String(key)),
                            "a position `{x: number, y: number}`",
                        ),
                    }
                }
            }
            ("layout", _) => bad_shape(diags, "layout", "a mapping of `Kind/name` to positions"),
            ("simulation", Value::Object(m)) => flow.simulation = crate::order::map(m),
            ("simulation", _) => {
                bad_shape(diags, "simulation", "a mapping of `Kind/name` to settings")
            }
            ("scenarios", Value::Array(a)) => flow.scenarios = a,
            ("scenarios", _) => bad_shape(diags, "scenarios", "a list"),
            (other, val) => {
                let d = Diagnostic::warning(
                    "unknown-field",
                    format!("unknown flow field `{other}` (kept as is)"),
                )
                .at(format!(".{other}"));
                diags.push(located(d, file, spans.get(&format!(".{other}"))));
                flow.extra.insert(other.to_string(), val);
            }
        }
    }
    insert_all(&mut flow, given.into_iter().chain(prepared), file, diags);
    flow.relink();
    flow
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::Number(Number::from(x as i64))
    } else {
        Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// The flow as one JSON value in canonical key order (what [`save_string`] writes).
pub fn to_value(flow: &Flow) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), Value::String(flow.name.clone()));
    if let Some(ns) = &flow.namespace {
        meta.insert("namespace".into(), Value::String(ns.clone()));
    }
    meta.extend(flow.metadata_extra.clone());
    let mut top = Map::new();
    top.insert("apiVersion".into(), Value::String(FLOW_API_VERSION.into()));
    top.insert("kind".into(), Value::String(FLOW_KIND.into()));
    top.insert("metadata".into(), Value::Object(meta));
    top.insert(
        "resources".into(),
        Value::Array(flow.resources().map(|r| r.manifest.clone()).collect()),
    );
    if !flow.layout.is_empty() {
        let layout = flow
            .layout
            .iter()
            .map(|(k, p)| {
                let mut m = Map::new();
                m.insert("x".into(), number(p.x));
                m.insert("y".into(), number(p.y));
                (k.clone(), Value::Object(m))
            })
            .collect();
        top.insert("layout".into(), Value::Object(layout));
    }
    if !flow.simulation.is_empty() {
        top.insert(
            "simulation".into(),
            Value::Object(
                flow.simulation
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
        );
    }
    if !flow.scenarios.is_empty() {
        top.insert("scenarios".into(), Value::Array(flow.scenarios.clone()));
    }
    top.extend(flow.extra.clone());
    Value::Object(top)
}

/// The flow in its canonical text form, in the format it was read in.
pub fn save_string(flow: &Flow) -> String {
    match flow.format {
        Format::FlowFile => yaml::to_yaml(&to_value(flow)),
        Format::Manifests => manifests_string(flow.resources().map(|r| &r.manifest)),
    }
}

/// Multi-document YAML of manifests, `---` between documents.
pub fn manifests_string<'a>(manifests: impl Iterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for (i, m) in manifests.enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&yaml::to_yaml(m));
    }
    out
}

/// Knative YAML (or a flow file) as a flow named `name` with an automatic layout: what importing
/// one document into the designer gives. `Err` carries the loader's diagnostics, one per line.
pub fn import_string(name: &str, text: &str, file: &str) -> Result<String, String> {
    let loaded = load_str(text, file);
    if loaded.has_errors() {
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        return Err(msgs.join("\n"));
    }
    let mut merged = merge(name, vec![loaded]);
    crate::layout::auto_layout(&mut merged.flow);
    Ok(save_string(&merged.flow))
}

/// Builds one flow from several loaded files (import): resources are re-identified against the
/// merged flow's namespace; a resource that appears twice is reported and the first one kept.
pub fn merge(name: &str, parts: Vec<Loaded>) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in &parts {
        for r in p.flow.resources() {
            if let Some(ns) = r.namespace() {
                match counts.iter_mut().find(|(n, _)| n == ns) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((ns.to_string(), 1)),
                }
            }
        }
    }
    let namespace = counts.into_iter().max_by_key(|(_, c)| *c).map(|(n, _)| n);
    let mut flow = Flow::new(name, namespace);
    for part in parts {
        diagnostics.extend(part.diagnostics);
        // Ids are relative to the flow's namespace: re-identify only when it differs.
        let same_namespace = part.flow.namespace == flow.namespace;
        for r in part.flow.into_resources() {
            let r = if same_namespace {
                r
            } else {
                let origin = r.origin.clone();
                let Ok(mut fresh) = Resource::from_manifest(r.manifest, flow.namespace.as_deref())
                else {
                    continue;
                };
                fresh.origin = origin;
                fresh
            };
            let pos = r.origin.as_ref().map(|o| (o.file.to_string(), o.start));
            if flow.get(&r.id).is_some() {
                let mut d = Diagnostic::error(
                    "duplicate-resource",
                    format!("{} already exists in the flow; the first one is kept", r.id),
                );
                d.fix = Some(Box::new(crate::fixes::rename_duplicate(&flow, &r)));
                if let Some((file, start)) = pos {
                    d = located(d, &file, Some(start));
                }
                diagnostics.push(d);
            } else {
                flow.insert(r).expect("checked to be new");
            }
        }
    }
    flow.relink();
    Loaded { flow, diagnostics }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flow large enough to be read in parts, with what reading must get right either way:
    /// namespaces, a `List`, an object that cannot be identified, a duplicate across the cut,
    /// validation problems whose positions come from the parts, comments, block scalars whose
    /// lines look like items, and a layout after the list.
    fn big_flow(items: usize) -> String {
        let mut s = String::from(
            "apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: big\n  namespace: shop\nresources:\n",
        );
        for i in 0..items {
            let ns = if i % 7 == 0 {
                "\n    namespace: other"
            } else {
                ""
            };
            s.push_str(&format!(
                "# item {i}\n- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata:\n    name: t-{i}{ns}\n  spec:\n    broker: b\n    filters:\n    - cesql: \"type = 'x{i}'\"\n    subscriber:\n      uri: http://sink.example/{i}\n"
            ));
            match i {
                3 => s.push_str("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: notes\n  data:\n    text: |\n      - looks like an item\n      # looks like a comment\n\n"),
                5 => s.push_str("- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: eventing.knative.dev/v1\n    kind: Broker\n    metadata:\n      name: b\n  - kind: Broker\n    metadata:\n      name: bad name\n"),
                9 => s.push_str("- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  spec: {}\n"),
                _ if i == items - 2 => s.push_str("- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata:\n    name: t-1\n- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata:\n    name: late\n  spec:\n    broker: b\n    filters:\n    - cesql: \"type = \"\n"),
                _ => {}
            }
        }
        s.push_str("layout:\n  Broker/b:\n    x: 1\n    y: 2\nscenarios:\n- name: s\n");
        s
    }

    fn assert_same(a: &Loaded, b: &Loaded) {
        assert_eq!(a.diagnostics, b.diagnostics);
        let (ra, rb): (Vec<_>, Vec<_>) =
            (a.flow.resources().collect(), b.flow.resources().collect());
        assert_eq!(ra, rb, "the same resources, with the same positions");
        assert_eq!(save_string(&a.flow), save_string(&b.flow));
        let opts = Default::default();
        assert_eq!(crate::check(a, opts), crate::check(b, opts));
    }

    #[test]
    fn a_flow_read_in_parts_is_the_flow_read_whole() {
        let text = big_flow(2000);
        let parts = load_in_parts(&text, "big.yaml").expect("a long list is read in parts");
        let whole = load_whole(&text, "big.yaml");
        assert_same(&parts, &whole);
        let codes: Vec<_> = crate::check(&parts, Default::default())
            .iter()
            .map(|d| (d.code, d.line))
            .collect();
        let unnamed = text.find("  kind: Trigger\n  spec: {}").unwrap();
        let line = text[..unnamed].matches('\n').count() as u32;
        assert!(
            codes.contains(&("invalid-document", Some(line))),
            "{codes:?}"
        );
        assert!(codes.iter().any(|(c, _)| *c == "duplicate-resource"));
        assert!(codes
            .iter()
            .any(|(c, l)| *c == "invalid-cesql" && l.unwrap() > 20_000));
        assert_eq!(parts.flow.len(), 2000 + 4);
    }

    #[test]
    fn files_a_cut_would_misread_are_read_whole() {
        let text = big_flow(2000);
        let anchored_in_head = text
            .replace("resources:\n", "defaults: &d\n  broker: b\nresources:\n")
            .replace(
                "    broker: b\n    filters:\n    - cesql: \"type = 'x1999'\"",
                "    <<: *d\n    filters:\n    - cesql: \"type = 'x1999'\"",
            );
        let anchored_in_first_part = text
            .replace("    name: t-0\n", "    name: &first t-0\n")
            .replace("name: t-1999\n", "name: *first\n");
        let metadata_last = text.replace("metadata:\n  name: big\n  namespace: shop\n", "")
            + "metadata:\n  name: big\n  namespace: shop\n";
        let resources_twice = text.clone() + "resources:\n- kind: X\n";
        let list_in_a_string = text.replace(
            "resources:\n",
            "note: \"not a list\nresources:\n- a\n\"\nresources:\n",
        );
        for (what, t) in [
            ("an alias to the head", anchored_in_head),
            ("an alias across parts", anchored_in_first_part),
            ("metadata after the list", metadata_last),
            ("resources twice", resources_twice),
            ("`resources:` inside a string", list_in_a_string),
        ] {
            assert!(load_in_parts(&t, "f.yaml").is_none(), "{what}");
            assert_same(&load_str(&t, "f.yaml"), &load_whole(&t, "f.yaml"));
        }
    }
}
