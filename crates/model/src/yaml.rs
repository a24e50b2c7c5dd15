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

/// Source positions of the fields of one tree, keyed by field path (`.spec.filters[1].cesql`).
/// A map entry is positioned at its key, a list item at its first character.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    // Boxed strs: 10,000 resources hold ~400,000 of these, and a box has no spare capacity.
    entries: Vec<(Box<str>, Pos)>,
}

impl Spans {
    pub fn get(&self, path: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(p, _)| &**p == path)
            .map(|(_, pos)| *pos)
    }

    /// Position of `path`, or of its nearest ancestor that has one.
    pub fn nearest(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.get(p) {
                return Some(pos);
            }
            if p.is_empty() {
                return None;
            }
            p = parent_path(p);
        }
    }

    pub fn push(&mut self, path: String, pos: Pos) {
        self.entries.push((path.into_boxed_str(), pos));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Pos)> {
        self.entries.iter().map(|(p, pos)| (&**p, *pos))
    }

    /// Moves the spans of the items of the list at `list_path` out, one [`Spans`] per item index,
    /// re-keyed relative to the item. One pass over the entries, so splitting a document of `n`
    /// resources is linear, not quadratic.
    pub fn take_items(&mut self, list_path: &str) -> std::collections::HashMap<usize, Spans> {
        let mut items: std::collections::HashMap<usize, Spans> = std::collections::HashMap::new();
        let open = format!("{list_path}[");
        self.entries.retain_mut(|(p, pos)| {
            let Some(rest) = p.strip_prefix(open.as_str()) else {
                return true;
            };
            let Some(close) = rest.find(']') else {
                return true;
            };
            let Ok(index) = rest[..close].parse::<usize>() else {
                return true;
            };
            let cut = open.len() + close + 1;
            let tail: Box<str> = p[cut..].into();
            items.entry(index).or_default().entries.push((tail, *pos));
            false
        });
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
    // Exact capacity for plain keys, so boxing the path (as `Spans` does) never reallocates.
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

pub fn child_index(path: &str, index: usize) -> String {
    let mut out = String::with_capacity(path.len() + 6);
    out.push_str(path);
    push_index(&mut out, index);
    out
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

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        col: span.start.col() as u32 + 1,
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        path: String,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        /// Keys that came from a merge key (`<<`); an explicit key may override them.
        merged: Vec<String>,
        key: Option<String>,
        path: String,
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

    /// Path of the next node (not a key). A map value's path is the one its key was just
    /// recorded under, so no path is built twice.
    fn next_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { items, path, .. }) => child_index(path, items.len()),
            Some(Frame::Map { .. }) => self
                .spans
                .entries
                .last()
                .map(|(p, _)| p.to_string())
                .unwrap_or_default(),
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
            Some(Frame::Map {
                map, merged, key, ..
            }) => {
                let k = key.take().expect("value follows a key");
                if k == "<<" {
                    merged.extend(merge_into(map, value, pos)?);
                } else {
                    merged.retain(|m| *m != k);
                    map.insert(k, value);
                }
            }
        }
        Ok(())
    }

    fn key(&mut self, text: String, pos: Pos) -> Result<(), YamlError> {
        let Some(Frame::Map {
            map,
            merged,
            key,
            path,
            ..
        }) = self.stack.last_mut()
        else {
            unreachable!("keys only occur in maps")
        };
        if map.contains_key(&text) && text != "<<" && !merged.contains(&text) {
            return Err(YamlError {
                pos,
                message: format!("duplicate key `{text}` in {}", display_path(path)),
            });
        }
        let child = child_key(path, &text);
        *key = Some(text);
        self.spans.push(child, pos);
        Ok(())
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "the document".into()
    } else {
        format!("`{path}`")
    }
}

/// YAML merge keys (`<<: *base`), which Kubernetes' YAML reader honours: keys already present win.
fn merge_into(
    map: &mut Map<String, Value>,
    value: Value,
    pos: Pos,
) -> Result<Vec<String>, YamlError> {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Ok(m),
                _ => Err(()),
            })
            .collect::<Result<_, _>>()
            .map_err(|_| YamlError {
                pos,
                message: "a merge key (`<<`) takes a mapping or a list of mappings".into(),
            })?,
        _ => {
            return Err(YamlError {
                pos,
                message: "a merge key (`<<`) takes a mapping or a list of mappings".into(),
            })
        }
    };
    let mut added = Vec::new();
    for source in sources {
        for (k, v) in source {
            if !map.contains_key(&k) {
                added.push(k.clone());
                map.insert(k, v);
            }
        }
    }
    Ok(added)
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
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
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
    let mut b = Builder {
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: Vec::new(),
        alias_nodes: 0,
        doc_start: Pos::default(),
        spans: Spans::default(),
        root: None,
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| YamlError {
            pos: Pos {
                line: e.marker().line() as u32,
                col: e.marker().col() as u32 + 1,
            },
            message: e.info().to_string(),
        })?;
        let pos = pos_of(&span);
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
                        b.key(text.into_owned(), pos)?;
                        continue;
                    }
                    Slot::Value => {}
                    Slot::Root | Slot::Item => {
                        let path = b.next_path();
                        b.spans.push(path, pos);
                    }
                }
                let core_tag = tag
                    .as_ref()
                    .filter(|t| t.is_yaml_core_schema())
                    .map(|t| t.suffix.as_str());
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
                let path = b.next_path();
                if slot != Slot::Value {
                    b.spans.push(path.clone(), pos);
                }
                b.stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        path,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        merged: Vec::new(),
                        key: None,
                        path,
                        anchor,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop().expect("balanced events");
                let (value, anchor) = match frame {
                    Frame::Seq { items, anchor, .. } => (Value::Array(items), anchor),
                    Frame::Map { map, anchor, .. } => (Value::Object(map), anchor),
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
                    b.key(k, pos)?;
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
