//! YAML in and out.
//!
//! Reading builds `serde_json::Value`s (the one tree the rest of the model works on) together with
//! the source position of every field, so that any diagnostic can point at `file:line:col`.
//! We build the tree from saphyr-parser's event stream ourselves because no serde YAML
//! deserializer hands out positions for arbitrary paths. The builder is iterative (no recursion),
//! caps nesting depth and alias expansion, and never panics: arbitrary text is either a list of
//! documents or one positioned [`YamlError`].
//!
//! Writing uses serde-saphyr, which quotes every string that YAML 1.1 or 1.2 would read as
//! something else (`"yes"`, `"012"`, `"null"`), so what we write reads back identically here and in
//! kubectl.

use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// A position in a source file; both numbers start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Source positions of the fields of one tree. A map entry is positioned at its key, a list
/// item at its first character.
///
/// The fields form a tree of nodes in document order (each with its parent, its key or index,
/// and its position); a field path (`.spec.filters[1].cesql`) is resolved against it when asked.
/// Paths are not stored: building one for every field of a 10,000-resource flow cost more than
/// the JSON trees themselves, and only fields with a diagnostic are ever looked up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    nodes: Vec<SpanNode>,
    /// The map keys of the nodes, one after another.
    keys: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct SpanNode {
    /// `NONE` for the root.
    parent: u32,
    /// A key: its byte range in `keys`; an item: `start` is its index and `len` is `NONE`.
    start: u32,
    len: u32,
    pos: Pos,
}

const NONE: u32 = u32::MAX;

impl Spans {
    pub fn get(&self, path: &str) -> Option<Pos> {
        let segs = crate::path::parse(path)?;
        let mut node = self.root()?;
        for seg in &segs {
            node = self.child(node, seg)?;
        }
        Some(self.nodes[node].pos)
    }

    /// Position of `path`, or of its nearest ancestor that has one.
    pub fn nearest(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        let segs = loop {
            if let Some(segs) = crate::path::parse(p) {
                break segs;
            }
            if p.is_empty() {
                return None;
            }
            p = parent_path(p);
        };
        let mut node = self.root()?;
        for seg in &segs {
            match self.child(node, seg) {
                Some(c) => node = c,
                None => break,
            }
        }
        Some(self.nodes[node].pos)
    }

    /// The field path of every node, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (String, Pos)> + '_ {
        (0..self.nodes.len()).map(|n| (self.path_of(n), self.nodes[n].pos))
    }

    fn root(&self) -> Option<usize> {
        self.nodes.first().filter(|n| n.parent == NONE).map(|_| 0)
    }

    /// The child of `node` at `seg`. Nodes are in document order, so `node`'s descendants
    /// follow it, and the first node whose parent comes before it ends them.
    fn child(&self, node: usize, seg: &crate::path::Seg) -> Option<usize> {
        let parent = node as u32;
        for (i, n) in self.nodes.iter().enumerate().skip(node + 1) {
            if n.parent < parent {
                return None;
            }
            if n.parent == parent && self.is(n, seg) {
                return Some(i);
            }
        }
        None
    }

    fn is(&self, n: &SpanNode, seg: &crate::path::Seg) -> bool {
        match seg {
            crate::path::Seg::Key(k) => n.len != NONE && self.key_of(n) == k,
            crate::path::Seg::Index(i) => n.len == NONE && n.start as usize == *i,
        }
    }

    fn key_of(&self, n: &SpanNode) -> &str {
        &self.keys[n.start as usize..(n.start + n.len) as usize]
    }

    /// The field path of a node (`.spec.filters[1]`).
    fn path_of(&self, node: usize) -> String {
        let mut chain = Vec::new();
        let mut n = node as u32;
        while n != NONE {
            chain.push(n);
            n = self.nodes[n as usize].parent;
        }
        let mut path = String::new();
        // The root has no segment of its own.
        for &n in chain.iter().rev().skip(1) {
            let node = &self.nodes[n as usize];
            if node.len == NONE {
                push_index(&mut path, node.start as usize);
            } else {
                push_key(&mut path, self.key_of(node));
            }
        }
        path
    }

    fn add(&mut self, parent: u32, start: u32, len: u32, pos: Pos) -> u32 {
        self.nodes.push(SpanNode {
            parent,
            start,
            len,
            pos,
        });
        (self.nodes.len() - 1) as u32
    }

    /// The root node; the first node of a tree.
    pub(crate) fn push_root(&mut self, pos: Pos) -> u32 {
        self.add(NONE, 0, NONE, pos)
    }

    pub(crate) fn push_key(&mut self, parent: u32, key: &str, pos: Pos) -> u32 {
        let start = self.keys.len() as u32;
        self.keys.push_str(key);
        self.add(parent, start, key.len() as u32, pos)
    }

    pub(crate) fn push_item(&mut self, parent: u32, index: usize, pos: Pos) -> u32 {
        self.add(parent, index as u32, NONE, pos)
    }

    /// Moves the spans of the items of the list at `list_path` out, one [`Spans`] per item index,
    /// each rooted at its item. The list's descendants are one run of nodes, so this is one
    /// pass over them.
    pub fn take_items(&mut self, list_path: &str) -> std::collections::HashMap<usize, Spans> {
        let mut items: std::collections::HashMap<usize, Spans> = std::collections::HashMap::new();
        let Some(list) = crate::path::parse(list_path).and_then(|segs| {
            let mut node = self.root()?;
            for seg in &segs {
                node = self.child(node, seg)?;
            }
            Some(node)
        }) else {
            return items;
        };
        let first = list + 1;
        let end = self.nodes[first..]
            .iter()
            .position(|n| n.parent < list as u32)
            .map_or(self.nodes.len(), |p| first + p);
        // For each moved node: the item it belongs to and its index there.
        let mut moved: Vec<(usize, u32)> = Vec::with_capacity(end - first);
        for i in first..end {
            let n = self.nodes[i];
            let (item, parent) = if n.parent == list as u32 {
                (n.start as usize, NONE)
            } else {
                let (item, parent) = moved[n.parent as usize - first];
                (item, parent)
            };
            let spans = items.entry(item).or_default();
            let index = if n.len == NONE && parent == NONE {
                spans.push_root(n.pos)
            } else if n.len == NONE {
                spans.push_item(parent, n.start as usize, n.pos)
            } else {
                let key = &self.keys[n.start as usize..(n.start + n.len) as usize];
                spans.push_key(parent, key, n.pos)
            };
            moved.push((item, index));
        }
        let gone = (end - first) as u32;
        self.nodes.drain(first..end);
        for n in &mut self.nodes[first..] {
            if n.parent != NONE && n.parent >= end as u32 {
                n.parent -= gone;
            }
        }
        items
    }
}

/// Drops the last segment of a field path: `.a.b[2]` → `.a.b` → `.a` → ``.
pub fn parent_path(path: &str) -> &str {
    if path.ends_with(']') {
        if let Some(i) = path.rfind('[') {
            return &path[..i];
        }
    }
    match path.rfind('.') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Appends a map key to a field path, quoting keys that are not plain identifiers.
pub fn child_key(path: &str, key: &str) -> String {
    // Exact capacity for plain keys: diagnostics keep these paths.
    let mut out = String::with_capacity(path.len() + key.len() + 1);
    out.push_str(path);
    push_key(&mut out, key);
    out
}

/// Appends `.key` (or `["odd key"]`) to a path buffer.
pub fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&serde_json::Value::String(key.to_string()).to_string());
        path.push(']');
    }
}

/// Appends `[index]` to a path buffer.
pub fn push_index(path: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{index}]");
}

/// One YAML document: its tree, where it starts, and where each of its fields is.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub start: Pos,
    pub spans: Spans,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Deeper nesting than this is refused: it protects every recursive consumer of the tree
/// (serde, `Drop` of `Value`) from stack overflow.
pub const MAX_DEPTH: usize = 128;
/// Nodes that alias expansion may produce in one stream ("billion laughs" guard).
const MAX_ALIAS_NODES: usize = 1_000_000;

/// `lines_before` is how many lines of the file precede the parsed text.
fn pos_of(span: &Span, lines_before: u32) -> Pos {
    Pos {
        line: span.start.line() as u32 + lines_before,
        col: span.start.col() as u32 + 1,
    }
}

/// A collection being built; `node` is its span node.
enum Frame {
    Seq {
        items: Vec<Value>,
        node: u32,
        anchor: usize,
    },
    Map {
        /// Key, value and the key's span node, in order: the map is made at its end, at its
        /// exact size (a map grown entry by entry keeps up to twice the room it needs, and a
        /// flow holds ~200,000 of them).
        entries: Vec<(String, Value, u32)>,
        /// The key whose value comes next, and its span node.
        key: Option<(String, u32)>,
        node: u32,
        anchor: usize,
    },
}

#[derive(PartialEq)]
enum Slot {
    Root,
    Item,
    Key,
    Value,
}

struct Builder {
    docs: Vec<Document>,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Value)>,
    alias_nodes: usize,
    doc_start: Pos,
    spans: Spans,
    root: Option<Value>,
}

impl Builder {
    /// Where the next node goes.
    fn slot(&self) -> Slot {
        match self.stack.last() {
            None => Slot::Root,
            Some(Frame::Seq { .. }) => Slot::Item,
            Some(Frame::Map { key: None, .. }) => Slot::Key,
            Some(Frame::Map { key: Some(_), .. }) => Slot::Value,
        }
    }

    /// The span node of the next node (not a key), added at `pos` unless it is a map value,
    /// which is positioned at its key.
    fn next_node(&mut self, pos: Pos) -> u32 {
        match self.stack.last() {
            None => self.spans.push_root(pos),
            Some(Frame::Seq { items, node, .. }) => self.spans.push_item(*node, items.len(), pos),
            Some(Frame::Map { key, .. }) => key.as_ref().map_or(0, |(_, n)| *n),
        }
    }

    fn finish_node(&mut self, value: Value, anchor: usize, pos: Pos) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.retain(|(id, _)| *id != anchor);
            self.anchors.push((anchor, value.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { entries, key, .. }) => {
                let (k, node) = key.take().expect("value follows a key");
                if k == "<<" && !mergeable(&value) {
                    return Err(YamlError {
                        pos,
                        message: "a merge key (`<<`) takes a mapping or a list of mappings".into(),
                    });
                }
                entries.push((k, value, node));
            }
        }
        Ok(())
    }

    fn key(&mut self, text: String, pos: Pos) {
        let Some(Frame::Map { key, node, .. }) = self.stack.last_mut() else {
            unreachable!("keys only occur in maps")
        };
        let child = self.spans.push_key(*node, &text, pos);
        *key = Some((text, child));
    }

    /// The map of a finished mapping: merge keys (`<<`, which Kubernetes' YAML reader honours)
    /// add what is not there yet, an explicit key may override a merged one, and any other
    /// repeated key is an error.
    fn map(
        &self,
        entries: Vec<(String, Value, u32)>,
        node: u32,
    ) -> Result<Map<String, Value>, YamlError> {
        let mut map = Map::with_capacity(entries.len());
        let mut merged: Vec<String> = Vec::new();
        for (k, v, key_node) in entries {
            if k == "<<" {
                merge_into(&mut map, v, &mut merged);
                continue;
            }
            match map.entry(k) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(mut e) => {
                    let Some(i) = merged.iter().position(|m| m == e.key()) else {
                        return Err(YamlError {
                            pos: self.spans.nodes[key_node as usize].pos,
                            message: format!(
                                "duplicate key `{}` in {}",
                                e.key(),
                                display_path(&self.spans.path_of(node as usize))
                            ),
                        });
                    };
                    merged.swap_remove(i);
                    e.insert(v);
                }
            }
        }
        Ok(map)
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "the document".into()
    } else {
        format!("`{path}`")
    }
}

/// What a merge key may take: a mapping or a list of mappings.
fn mergeable(value: &Value) -> bool {
    match value {
        Value::Object(_) => true,
        Value::Array(items) => items.iter().all(Value::is_object),
        _ => false,
    }
}

/// Adds the keys of a merge key's mappings that `map` does not have yet, noting them in
/// `merged`.
fn merge_into(map: &mut Map<String, Value>, value: Value, merged: &mut Vec<String>) {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for source in sources {
        for (k, v) in source {
            if !map.contains_key(&k) {
                merged.push(k.clone());
                map.insert(k, v);
            }
        }
    }
}

fn count_nodes(v: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    n
}

/// Resolves a scalar the way YAML 1.2's core schema does; quoted and block scalars are strings.
fn resolve_scalar(text: std::borrow::Cow<'_, str>, style: ScalarStyle, tag: Option<&str>) -> Value {
    if let Some(tag) = tag {
        match tag {
            "str" => return owned(text),
            "null" => return Value::Null,
            "bool" | "int" | "float" => {}
            _ => {}
        }
    }
    if style != ScalarStyle::Plain {
        return owned(text);
    }
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(&text) {
        return Value::Number(n);
    }
    if looks_like_float(&text) {
        if let Some(n) = crate::num::parse_f64(&text).and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    owned(text)
}

/// The scanner builds strings char by char; trimming their spare capacity keeps a 10,000-resource
/// flow ~10 MB smaller.
fn owned(text: std::borrow::Cow<'_, str>) -> Value {
    let mut s = text.into_owned();
    s.shrink_to_fit();
    Value::String(s)
}

fn parse_int(text: &str) -> Option<Number> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if neg {
        i64::from_str_radix(&format!("-{body}"), radix)
            .ok()
            .map(Number::from)
    } else {
        u64::from_str_radix(body, radix).ok().map(Number::from)
    }
}

fn looks_like_float(text: &str) -> bool {
    let t = text.trim_start_matches(['-', '+']);
    let mut chars = t.chars();
    let first = chars.next();
    matches!(first, Some(c) if c.is_ascii_digit() || c == '.')
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
}

/// Parses a YAML stream into its documents. Empty documents are kept as `null` so that document
/// numbers in messages match what the user sees.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    parse_documents_after(text, 0)
}

/// [`parse_documents`] of a piece of a file that starts after its first `lines_before` lines:
/// positions are the file's.
pub fn parse_documents_after(source: &str, lines_before: u32) -> Result<Vec<Document>, YamlError> {
    let text = source;
    let mut b = Builder {
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: Vec::new(),
        alias_nodes: 0,
        doc_start: Pos::default(),
        spans: Spans::default(),
        root: None,
    };
    // A block scalar that ends the text without a line break has none to keep (YAML 1.2
    // §8.1.1.2); the parser adds one anyway.
    let unterminated = !text.ends_with(['\n', '\r']);
    let chars = std::cell::OnceCell::new();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| YamlError {
            pos: Pos {
                line: e.marker().line() as u32 + lines_before,
                col: e.marker().col() as u32 + 1,
            },
            message: e.info().to_string(),
        })?;
        let pos = pos_of(&span, lines_before);
        match event {
            Event::DocumentStart(_) => {
                b.doc_start = pos;
                b.spans = Spans::default();
                b.root = None;
                b.anchors.clear();
            }
            Event::DocumentEnd => {
                let value = b.root.take().unwrap_or(Value::Null);
                b.docs.push(Document {
                    value,
                    start: b.doc_start,
                    spans: std::mem::take(&mut b.spans),
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                match b.slot() {
                    Slot::Key => {
                        let mut key = text.into_owned();
                        key.shrink_to_fit();
                        b.key(key, pos);
                        continue;
                    }
                    Slot::Value => {}
                    Slot::Root | Slot::Item => {
                        b.next_node(pos);
                    }
                }
                let core_tag = tag
                    .as_ref()
                    .filter(|t| t.is_yaml_core_schema())
                    .map(|t| t.suffix.as_str());
                let mut text = text;
                if unterminated
                    && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && text.ends_with('\n')
                    && span.end.index() >= *chars.get_or_init(|| source.chars().count())
                {
                    text.to_mut().pop();
                }
                let value = resolve_scalar(text, style, core_tag);
                b.finish_node(value, anchor, pos)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let slot = b.slot();
                if slot == Slot::Key {
                    return Err(YamlError {
                        pos,
                        message: "a mapping or list cannot be used as a key".into(),
                    });
                }
                if b.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        pos,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                let node = b.next_node(pos);
                b.stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        node,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        node,
                        anchor,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop().expect("balanced events");
                let (value, anchor) = match frame {
                    Frame::Seq { items, anchor, .. } => (Value::Array(items), anchor),
                    Frame::Map {
                        entries,
                        node,
                        anchor,
                        ..
                    } => (Value::Object(b.map(entries, node)?), anchor),
                };
                b.finish_node(value, anchor, pos)?;
            }
            Event::Alias(id) => {
                let is_key = b.slot() == Slot::Key;
                let Some(value) = b
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, v)| v.clone())
                else {
                    return Err(YamlError {
                        pos,
                        message: "alias to an unknown anchor".into(),
                    });
                };
                if is_key {
                    let Value::String(k) = value else {
                        return Err(YamlError {
                            pos,
                            message: "an alias used as a key must name a string".into(),
                        });
                    };
                    b.key(k, pos);
                    continue;
                }
                b.alias_nodes += count_nodes(&value);
                if b.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        pos,
                        message: "aliases expand to too many nodes".into(),
                    });
                }
                let depth = b.stack.len() + value_depth(&value);
                if depth > MAX_DEPTH {
                    return Err(YamlError {
                        pos,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                b.finish_node(value, 0, pos)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    Ok(b.docs)
}

fn value_depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    max
}

/// Writes one value as a YAML document body (no `---`).
pub fn to_yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).expect("JSON values always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Document {
        let mut docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn a_block_scalar_ending_the_text_without_a_line_break_has_none() {
        let value = |t: &str| one(t).value["a"].clone();
        assert_eq!(value("a: |\n  x % 2 !== 0"), json!("x % 2 !== 0"));
        assert_eq!(value("a: |\n  x\n"), json!("x\n"));
        assert_eq!(value("a: |+\n  x"), json!("x"));
        assert_eq!(value("a: |+\n  x\n\n"), json!("x\n\n"));
        assert_eq!(value("a: >\n  x\n  y"), json!("x y"));
        assert_eq!(value("a: |\n  x\nb: 1"), json!("x\n"));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let d =
            one("a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: '1'\ng: yes\nh: 0x1f\ni: \"null\"\nj:\n");
        assert_eq!(
            d.value,
            json!({"a":1,"b":-2,"c":1.5,"d":true,"e":null,"f":"1","g":"yes","h":31,"i":"null","j":null})
        );
    }

    #[test]
    fn spans_point_at_keys_and_items() {
        let d = one("spec:\n  filters:\n    - cesql: x\n    - exact:\n        type: y\n");
        assert_eq!(d.spans.get(".spec"), Some(Pos { line: 1, col: 1 }));
        assert_eq!(d.spans.get(".spec.filters"), Some(Pos { line: 2, col: 3 }));
        assert_eq!(
            d.spans.get(".spec.filters[1]"),
            Some(Pos { line: 4, col: 7 })
        );
        assert_eq!(
            d.spans.get(".spec.filters[1].exact.type"),
            Some(Pos { line: 5, col: 9 })
        );
        assert_eq!(
            d.spans.nearest(".spec.filters[0].cesql.nothing"),
            Some(Pos { line: 3, col: 7 })
        );
    }

    #[test]
    fn list_items_split_into_their_own_spans() {
        let mut d = one(
            "a: 1\nresources:\n- kind: X\n  spec:\n    l: [p, {q: 1}]\n- kind: Y\nafter:\n  z: 2\n",
        );
        let mut items = d.spans.take_items(".resources");
        assert_eq!(items.len(), 2);
        let x = items.remove(&0).unwrap();
        assert_eq!(x.get(""), Some(Pos { line: 3, col: 3 }));
        assert_eq!(x.get(".spec.l[1].q"), Some(Pos { line: 5, col: 13 }));
        assert_eq!(
            x.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            [
                "",
                ".kind",
                ".spec",
                ".spec.l",
                ".spec.l[0]",
                ".spec.l[1]",
                ".spec.l[1].q"
            ]
        );
        assert_eq!(items[&1].get(".kind"), Some(Pos { line: 6, col: 3 }));
        // What stays is still found, after the list as before it.
        assert_eq!(d.spans.get(".after.z"), Some(Pos { line: 8, col: 3 }));
        assert_eq!(d.spans.get(".a"), Some(Pos { line: 1, col: 1 }));
        assert_eq!(d.spans.get(".resources[0]"), None);
        assert_eq!(
            d.spans.nearest(".resources[0].kind"),
            Some(Pos { line: 2, col: 1 })
        );
        assert!(d.spans.take_items(".nothing").is_empty());
    }

    #[test]
    fn duplicate_keys_name_their_map() {
        let e = parse_documents("a:\n  - b:\n      c: 1\n      c: 2\n").unwrap_err();
        assert!(e.message.contains("in `.a[0].b`"), "{e}");
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let d = one("metadata:\n  annotations:\n    a.b/c: x\n");
        assert!(d.spans.get(".metadata.annotations[\"a.b/c\"]").is_some());
    }

    #[test]
    fn duplicate_keys_are_errors_with_position() {
        let e = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, col: 1 });
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let d = one("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert_eq!(d.value["other"], json!({"x":1,"y":3}));
        assert_eq!(d.value["list"], json!([{"x":1,"y":2}]));
    }

    #[test]
    fn merge_keys_yield_to_explicit_keys_and_duplicates_are_errors() {
        let d = one("base: &b {x: 1, y: 2}\no:\n  x: 0\n  <<: *b\n  y: 3\n  z: 4\n");
        assert_eq!(d.value["o"], json!({"x":0,"y":3,"z":4}));
        let keys: Vec<&String> = d.value["o"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["x", "y", "z"],
            "merged keys sit where the merge key is"
        );
        let e = parse_documents("base: &b {x: 1}\no:\n  <<: *b\n  x: 2\n  x: 3\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 5, col: 3 });
        assert!(e.message.contains("duplicate key `x` in `.o`"), "{e}");
        let e = parse_documents("o:\n  <<: 1\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        // Either our depth cap or the parser's own recursion limit answers first.
        let e = parse_documents(&text).unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{e}"
        );
        let e = parse_documents(&format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        ))
        .unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{e}"
        );
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!("l{i}: &l{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        assert!(parse_documents(&text).is_err());
    }

    #[test]
    fn multi_documents_and_syntax_errors() {
        let docs = parse_documents("a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].start.line, 2);
        let e = parse_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.pos.line >= 1);
    }

    #[test]
    fn written_yaml_reads_back_identically() {
        let v = json!({"s": ["yes", "012", "null", "", "a: b", "multi\nline\n", "#x", "true", " x"],
                       "n": 1, "f": 1.5, "e": [], "o": {}, "neg": -3});
        let text = to_yaml(&v);
        assert_eq!(one(&text).value, v);
    }
}
