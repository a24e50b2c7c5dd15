//! Trigger filtering exactly as Knative's broker-filter does it (KNATIVE-SEMANTICS §3): the
//! `filters` dialects (exact, prefix, suffix, all, any, not, cesql) when `filters` is non-empty,
//! else the legacy `filter.attributes`, else no filter. Compiled once per trigger; evaluated per
//! event, optionally with an explanation of every decision.

use std::borrow::Cow;
use std::fmt;

use knflow_cesql::{bytes_eq, text_eq, AttrKey, Attributes, Context, Expression, Value};
use knflow_model::kinds::{
    AttributeMap, SubscriptionsApiFilter, TriggerFilter as FilterSpec, TriggerSpec,
};

/// Knative's three-valued filter result. `NoFilter` counts as passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterResult {
    Pass,
    Fail,
    NoFilter,
}

impl FilterResult {
    pub fn passes(self) -> bool {
        self != FilterResult::Fail
    }
}

impl fmt::Display for FilterResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FilterResult::Pass => "pass",
            FilterResult::Fail => "fail",
            FilterResult::NoFilter => "no filter",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Exact,
    Prefix,
    Suffix,
}

#[derive(Debug, Clone)]
enum Node {
    Attrs(Match, Vec<(AttrKey, String)>),
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Cesql(Box<Expression>),
    /// An entry Knative cannot build at runtime and skips (NoFilter), with the reason.
    Skipped(String),
}

#[derive(Debug, Clone)]
enum Root {
    Filters(Vec<Node>),
    Attributes(Vec<(LegacyKey, String)>),
    Nothing,
}

/// Where the legacy attributes filter reads a name from.
#[derive(Debug, Clone)]
enum LegacyKey {
    /// A context attribute: always present, `default` when the event lacks it.
    Context(AttrKey, &'static str),
    /// `schemaurl`: the `dataschema` attribute.
    SchemaUrl,
    /// `datamediatype`: the content type without parameters.
    DataMediaType,
    Extension(AttrKey),
}

impl LegacyKey {
    fn new(name: &str) -> LegacyKey {
        match name {
            "time" => LegacyKey::Context(AttrKey::Context(Context::Time), "0001-01-01T00:00:00Z"),
            "schemaurl" => LegacyKey::SchemaUrl,
            "datamediatype" => LegacyKey::DataMediaType,
            // Deprecated, but still in Knative's attribute map: always present, usually empty.
            "datacontentencoding" => LegacyKey::Context(AttrKey::new(name), ""),
            _ => match AttrKey::new(name) {
                k @ AttrKey::Context(_) => LegacyKey::Context(k, ""),
                k => LegacyKey::Extension(k),
            },
        }
    }

    fn name(&self) -> &str {
        match self {
            LegacyKey::Context(k, _) | LegacyKey::Extension(k) => k.name(),
            LegacyKey::SchemaUrl => "schemaurl",
            LegacyKey::DataMediaType => "datamediatype",
        }
    }
}

/// A trigger's filter, compiled.
#[derive(Debug, Clone)]
pub struct TriggerFilter {
    root: Root,
}

/// One decision of an explanation: `filters[1].prefix.type: "x" does not start with "order."`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub path: String,
    pub result: FilterResult,
    pub reason: String,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.reason, self.result)
    }
}

/// The outcome of a filter with the reasons behind it, in evaluation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub result: FilterResult,
    pub steps: Vec<Step>,
}

fn pairs(m: &AttributeMap) -> Vec<(AttrKey, String)> {
    m.iter()
        .map(|(k, v)| (AttrKey::new(k), v.as_text()))
        .collect()
}

fn compile_entry(f: &SubscriptionsApiFilter) -> Node {
    // Knative's constructor picks the first dialect set, in this order.
    if let Some(m) = &f.exact {
        return attrs(Match::Exact, m);
    }
    if let Some(m) = &f.prefix {
        return attrs(Match::Prefix, m);
    }
    if let Some(m) = &f.suffix {
        return attrs(Match::Suffix, m);
    }
    if let Some(list) = &f.all {
        return Node::All(list.iter().map(compile_entry).collect());
    }
    if let Some(list) = &f.any {
        return Node::Any(list.iter().map(compile_entry).collect());
    }
    if let Some(n) = &f.not {
        return Node::Not(Box::new(compile_entry(n)));
    }
    match f.cesql.as_deref() {
        Some("") | None => Node::Skipped("empty entry".into()),
        Some(expr) => match Expression::parse(expr) {
            Ok(e) => Node::Cesql(Box::new(e)),
            Err(e) => Node::Skipped(format!(
                "CESQL does not parse ({}), so Knative skips it",
                e.message
            )),
        },
    }
}

fn attrs(kind: Match, m: &AttributeMap) -> Node {
    if m.is_empty() {
        return Node::Skipped("no attributes".into());
    }
    if let Some((k, _)) = m.iter().find(|(_, v)| v.as_text().is_empty()) {
        return Node::Skipped(format!(
            "`{k}` has an empty value, so Knative skips this entry"
        ));
    }
    Node::Attrs(kind, pairs(m))
}

impl TriggerFilter {
    pub fn compile(spec: &TriggerSpec) -> Self {
        Self::from_parts(spec.filter.as_ref(), spec.filters.as_deref())
    }

    /// `filters` wins when non-empty; else `filter.attributes`; else nothing.
    pub fn from_parts(
        filter: Option<&FilterSpec>,
        filters: Option<&[SubscriptionsApiFilter]>,
    ) -> Self {
        let root = match filters {
            Some(list) if !list.is_empty() => {
                Root::Filters(list.iter().map(compile_entry).collect())
            }
            _ => match filter.and_then(|f| f.attributes.as_ref()) {
                Some(a) if !a.is_empty() => Root::Attributes(
                    a.iter()
                        .map(|(k, v)| (LegacyKey::new(k), v.as_text()))
                        .collect(),
                ),
                _ => Root::Nothing,
            },
        };
        TriggerFilter { root }
    }

    pub fn evaluate<A: Attributes + ?Sized>(&self, event: &A) -> FilterResult {
        self.run(event, &mut NoSink)
    }

    pub fn explain<A: Attributes + ?Sized>(&self, event: &A) -> Explanation {
        let mut sink = Lines(Vec::new());
        let result = self.run(event, &mut sink);
        Explanation {
            result,
            steps: sink.0,
        }
    }

    fn run<A: Attributes + ?Sized, S: Sink>(&self, event: &A, sink: &mut S) -> FilterResult {
        match &self.root {
            Root::Nothing => {
                sink.step(
                    || "filter".into(),
                    FilterResult::NoFilter,
                    || "no filter: every event passes".into(),
                );
                FilterResult::NoFilter
            }
            Root::Attributes(list) => legacy(list, event, sink),
            Root::Filters(list) => all(list, event, sink, &|| "filters".to_string()),
        }
    }
}

/// How the explanation is (or is not) recorded: the fast path builds no strings.
trait Sink {
    fn step(
        &mut self,
        path: impl FnOnce() -> String,
        result: FilterResult,
        reason: impl FnOnce() -> String,
    );
}

struct NoSink;

impl Sink for NoSink {
    #[inline]
    fn step(&mut self, _: impl FnOnce() -> String, _: FilterResult, _: impl FnOnce() -> String) {}
}

struct Lines(Vec<Step>);

impl Sink for Lines {
    fn step(
        &mut self,
        path: impl FnOnce() -> String,
        result: FilterResult,
        reason: impl FnOnce() -> String,
    ) {
        self.0.push(Step {
            path: path(),
            result,
            reason: reason(),
        });
    }
}

/// An attribute as the Subscriptions API dialects read it: extensions stringified (Go `%v`),
/// absent attributes `None`.
fn text_of(v: Value<'_>) -> Cow<'_, str> {
    match v {
        Value::String(s) => s,
        Value::Integer(i) => Cow::Owned(i.to_string()),
        Value::Boolean(b) => Cow::Borrowed(if b { "true" } else { "false" }),
    }
}

fn all<A: Attributes + ?Sized, S: Sink>(
    list: &[Node],
    event: &A,
    sink: &mut S,
    path: &dyn Fn() -> String,
) -> FilterResult {
    let mut result = FilterResult::NoFilter;
    for (i, n) in list.iter().enumerate() {
        result = node(n, event, sink, &|| format!("{}[{i}]", path()));
        if result == FilterResult::Fail {
            return FilterResult::Fail;
        }
    }
    result
}

fn node<A: Attributes + ?Sized, S: Sink>(
    n: &Node,
    event: &A,
    sink: &mut S,
    path: &dyn Fn() -> String,
) -> FilterResult {
    match n {
        Node::Attrs(kind, list) => {
            let (name, verb, neg) = match kind {
                Match::Exact => ("exact", "equals", "does not equal"),
                Match::Prefix => ("prefix", "starts with", "does not start with"),
                Match::Suffix => ("suffix", "ends with", "does not end with"),
            };
            for (key, want) in list {
                let k = key.name();
                let at = || format!("{}.{name}.{k}", path());
                let Some(v) = event.get(key) else {
                    sink.step(at, FilterResult::Fail, || {
                        format!("the event has no attribute `{k}`")
                    });
                    return FilterResult::Fail;
                };
                let got = text_of(v);
                let (got_b, want_b) = (got.as_bytes(), want.as_bytes());
                let ok = match kind {
                    Match::Exact => text_eq(&got, want),
                    Match::Prefix => {
                        got_b.len() >= want_b.len() && bytes_eq(&got_b[..want_b.len()], want_b)
                    }
                    Match::Suffix => {
                        got_b.len() >= want_b.len()
                            && bytes_eq(&got_b[got_b.len() - want_b.len()..], want_b)
                    }
                };
                if !ok {
                    sink.step(at, FilterResult::Fail, || format!("{got:?} {neg} {want:?}"));
                    return FilterResult::Fail;
                }
                sink.step(at, FilterResult::Pass, || {
                    format!("{got:?} {verb} {want:?}")
                });
            }
            FilterResult::Pass
        }
        Node::All(list) => {
            let r = all(list, event, sink, &|| format!("{}.all", path()));
            sink.step(
                || format!("{}.all", path()),
                r,
                || "every entry must pass (empty: no filter)".into(),
            );
            r
        }
        Node::Any(list) => {
            let mut r = FilterResult::NoFilter;
            for (i, c) in list.iter().enumerate() {
                r = node(c, event, sink, &|| format!("{}.any[{i}]", path()));
                if r == FilterResult::Pass {
                    break;
                }
            }
            sink.step(
                || format!("{}.any", path()),
                r,
                || "one entry must pass (empty: no filter)".into(),
            );
            r
        }
        Node::Not(inner) => {
            let r = match node(inner, event, sink, &|| format!("{}.not", path())) {
                FilterResult::Pass => FilterResult::Fail,
                FilterResult::Fail => FilterResult::Pass,
                FilterResult::NoFilter => FilterResult::NoFilter,
            };
            sink.step(
                || format!("{}.not", path()),
                r,
                || "inverts its entry".into(),
            );
            r
        }
        Node::Cesql(expr) => {
            let ev = expr.evaluate(event);
            let r = if ev.errors.is_empty() && ev.value == Value::Boolean(true) {
                FilterResult::Pass
            } else {
                FilterResult::Fail
            };
            sink.step(
                || format!("{}.cesql", path()),
                r,
                || match (ev.errors.first(), &ev.value) {
                    (Some(e), _) => format!("`{}` failed: {}", expr.source(), e.message),
                    (None, Value::Boolean(b)) => format!("`{}` is {b}", expr.source()),
                    (None, other) => format!("`{}` gave {other}, not a Boolean", expr.source()),
                },
            );
            r
        }
        Node::Skipped(why) => {
            sink.step(path, FilterResult::NoFilter, || why.clone());
            FilterResult::NoFilter
        }
    }
}

/// The legacy `filter.attributes` map as the broker filter reads it.
fn legacy<A: Attributes + ?Sized, S: Sink>(
    list: &[(LegacyKey, String)],
    event: &A,
    sink: &mut S,
) -> FilterResult {
    for (key, want) in list {
        let k = key.name();
        let at = || format!("filter.attributes.{k}");
        let got = legacy_attribute(event, key);
        let pass = match (&got, want.as_str()) {
            (None, _) => false,
            (Some(Legacy::Other(_)), w) => w.is_empty(),
            (Some(Legacy::Text(v)), "") => !v.is_empty(),
            (Some(Legacy::Text(v)), w) => text_eq(v, w),
        };
        let result = if pass {
            FilterResult::Pass
        } else {
            FilterResult::Fail
        };
        sink.step(at, result, || match (&got, want.as_str()) {
            (None, _) => format!("the event has no attribute `{k}`"),
            (Some(Legacy::Other(v)), "") => format!("`{k}` is present ({v})"),
            (Some(Legacy::Other(v)), _) => {
                format!("`{k}` is {v}, not a string; attribute filters compare strings")
            }
            (Some(Legacy::Text(v)), "") if v.is_empty() => {
                format!("`{k}` is empty; \"\" asks for any non-empty value")
            }
            (Some(Legacy::Text(v)), "") => format!("\"\" accepts any value, and `{k}` is {v:?}"),
            (Some(Legacy::Text(v)), w) if pass => format!("{v:?} equals {w:?}"),
            (Some(Legacy::Text(v)), w) => format!("{v:?} does not equal {w:?}"),
        });
        if !pass {
            return FilterResult::Fail;
        }
    }
    FilterResult::Pass
}

enum Legacy<'a> {
    Text(Cow<'a, str>),
    Other(Value<'a>),
}

/// The attribute map Knative's attributes filter builds: every context attribute exists (absent
/// optional ones read as `""`, `time` as the zero time), plus `schemaurl` and `datamediatype`,
/// plus the extensions with their own types.
fn legacy_attribute<'a, A: Attributes + ?Sized>(
    event: &'a A,
    key: &LegacyKey,
) -> Option<Legacy<'a>> {
    let text = |v: Option<Value<'a>>, default: &'static str| {
        Some(Legacy::Text(match v {
            Some(Value::String(s)) => s,
            Some(other) => Cow::Owned(text_of(other).into_owned()),
            None => Cow::Borrowed(default),
        }))
    };
    match key {
        LegacyKey::Context(k, default) => text(event.get(k), default),
        LegacyKey::SchemaUrl => text(event.get(&AttrKey::Context(Context::DataSchema)), ""),
        LegacyKey::DataMediaType => match event.get(&AttrKey::Context(Context::DataContentType)) {
            Some(Value::String(ct)) => Some(Legacy::Text(match ct {
                Cow::Borrowed(b) => Cow::Borrowed(b.split(';').next().unwrap_or("").trim()),
                Cow::Owned(o) => Cow::Owned(o.split(';').next().unwrap_or("").trim().to_string()),
            })),
            _ => Some(Legacy::Text(Cow::Borrowed(""))),
        },
        LegacyKey::Extension(k) => match event.get(k)? {
            Value::String(s) => Some(Legacy::Text(s)),
            other => Some(Legacy::Other(other)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn event(extra: serde_json::Value) -> Map<String, serde_json::Value> {
        let mut m =
            json!({"specversion": "1.0", "id": "1", "source": "/shop", "type": "order.paid"})
                .as_object()
                .unwrap()
                .clone();
        m.extend(extra.as_object().unwrap().clone());
        m
    }

    fn trigger(spec: serde_json::Value) -> TriggerFilter {
        TriggerFilter::compile(&serde_json::from_value::<TriggerSpec>(spec).unwrap())
    }

    #[test]
    fn no_filter_passes_everything() {
        let f = trigger(json!({"broker": "b"}));
        assert_eq!(f.evaluate(&event(json!({}))), FilterResult::NoFilter);
        assert_eq!(
            trigger(json!({"filter": {}})).evaluate(&event(json!({}))),
            FilterResult::NoFilter
        );
        assert_eq!(
            trigger(json!({"filters": []})).evaluate(&event(json!({}))),
            FilterResult::NoFilter
        );
    }

    #[test]
    fn legacy_attributes() {
        let f = trigger(json!({"filter": {"attributes": {"type": "order.paid", "source": ""}}}));
        assert_eq!(f.evaluate(&event(json!({}))), FilterResult::Pass);
        assert_eq!(
            f.evaluate(&event(json!({"type": "order.Paid"}))),
            FilterResult::Fail,
            "case-sensitive"
        );
        // "" means present and non-empty; an absent optional attribute reads as "".
        let any_subject = trigger(json!({"filter": {"attributes": {"subject": ""}}}));
        assert_eq!(any_subject.evaluate(&event(json!({}))), FilterResult::Fail);
        assert_eq!(
            any_subject.evaluate(&event(json!({"subject": "s"}))),
            FilterResult::Pass
        );
        // Extensions must exist; special names.
        assert_eq!(
            trigger(json!({"filter": {"attributes": {"region": "eu"}}}))
                .evaluate(&event(json!({}))),
            FilterResult::Fail
        );
        let media = trigger(
            json!({"filter": {"attributes": {"datamediatype": "application/json", "schemaurl": "http://s"}}}),
        );
        assert_eq!(media.evaluate(&event(json!({"datacontenttype": "application/json; charset=utf-8", "dataschema": "http://s"}))), FilterResult::Pass);
        let time = trigger(json!({"filter": {"attributes": {"time": "0001-01-01T00:00:00Z"}}}));
        assert_eq!(time.evaluate(&event(json!({}))), FilterResult::Pass);
    }

    #[test]
    fn filters_take_precedence_over_filter() {
        let f = trigger(
            json!({"filter": {"attributes": {"type": "nope"}}, "filters": [{"exact": {"type": "order.paid"}}]}),
        );
        assert_eq!(f.evaluate(&event(json!({}))), FilterResult::Pass);
    }

    #[test]
    fn dialects() {
        let e = event(json!({"subject": "eu-42", "amount": 250, "vip": true}));
        let r = |spec: serde_json::Value| trigger(json!({ "filters": spec })).evaluate(&e);
        assert_eq!(
            r(json!([{"exact": {"type": "order.paid", "amount": "250", "vip": "true"}}])),
            FilterResult::Pass,
            "non-strings are stringified"
        );
        assert_eq!(r(json!([{"exact": {"missing": "x"}}])), FilterResult::Fail);
        assert_eq!(
            r(json!([{"prefix": {"type": "order."}}, {"suffix": {"subject": "-42"}}])),
            FilterResult::Pass
        );
        assert_eq!(
            r(json!([{"prefix": {"type": "invoice."}}])),
            FilterResult::Fail
        );
        for longer in [
            json!({"prefix": {"type": "order.paid!"}}),
            json!({"suffix": {"type": "!order.paid"}}),
        ] {
            assert_eq!(
                r(json!([longer])),
                FilterResult::Fail,
                "longer than the value"
            );
        }
        assert_eq!(
            r(json!([{"suffix": {"type": "order.paid"}}])),
            FilterResult::Pass
        );
        assert_eq!(
            r(json!([{"exact": {"type": ""}}])),
            FilterResult::NoFilter,
            "empty value: entry skipped"
        );
        assert_eq!(
            r(json!([{"not": {"exact": {"type": "order.paid"}}}])),
            FilterResult::Fail
        );
        assert_eq!(
            r(json!([{"not": {"exact": {"type": ""}}}])),
            FilterResult::NoFilter,
            "not keeps NoFilter"
        );
        assert_eq!(r(json!([{"all": []}])), FilterResult::NoFilter);
        assert_eq!(r(json!([{"any": []}])), FilterResult::NoFilter);
        assert_eq!(
            r(json!([{"any": [{"exact": {"type": "x"}}, {"exact": {"type": "order.paid"}}]}])),
            FilterResult::Pass
        );
        // `any` returns the last child's result when none passes, NoFilter included.
        assert_eq!(
            r(json!([{"any": [{"exact": {"type": "x"}}, {"exact": {"type": ""}}]}])),
            FilterResult::NoFilter
        );
        // `all` fails at the first Fail, else the last child's result.
        assert_eq!(
            r(json!([{"all": [{"exact": {"type": "order.paid"}}, {"exact": {"type": ""}}]}])),
            FilterResult::NoFilter
        );
        assert_eq!(
            r(json!([{"all": [{"exact": {"type": "x"}}, {"exact": {"type": "order.paid"}}]}])),
            FilterResult::Fail
        );
        assert_eq!(
            r(json!([{"cesql": "type = 'order.paid' AND amount > 100 AND subject LIKE 'eu-%'"}])),
            FilterResult::Pass
        );
        assert_eq!(
            r(json!([{"cesql": "missing = 'x' OR true"}])),
            FilterResult::Fail,
            "errors fail"
        );
        assert_eq!(
            r(json!([{"cesql": "amount"}])),
            FilterResult::Fail,
            "non-boolean fails"
        );
        assert_eq!(r(json!([{"cesql": ""}])), FilterResult::NoFilter);
        assert_eq!(
            r(json!([{"cesql": "type = = 1"}])),
            FilterResult::NoFilter,
            "unparseable: skipped"
        );
    }

    #[test]
    fn explanations_say_why() {
        let f = trigger(
            json!({"filters": [{"exact": {"source": "/shop"}}, {"prefix": {"type": "order."}}]}),
        );
        let e = f.explain(&event(json!({"type": "invoice.created"})));
        assert_eq!(e.result, FilterResult::Fail);
        let lines: Vec<String> = e.steps.iter().map(Step::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "filters[0].exact.source: \"/shop\" equals \"/shop\" (pass)",
                "filters[1].prefix.type: \"invoice.created\" does not start with \"order.\" (fail)"
            ]
        );
        let c = trigger(json!({"filters": [{"cesql": "amount > 100"}]})).explain(&event(json!({})));
        assert_eq!(
            c.steps[0].to_string(),
            "filters[0].cesql: `amount > 100` failed: the event has no attribute `amount` (fail)"
        );
        let l =
            trigger(json!({"filter": {"attributes": {"type": "a"}}})).explain(&event(json!({})));
        assert_eq!(
            l.steps[0].to_string(),
            "filter.attributes.type: \"order.paid\" does not equal \"a\" (fail)"
        );
    }

    #[test]
    fn works_on_sdk_events() {
        let ev: cloudevents::Event = serde_json::from_value(json!({"specversion": "1.0", "id": "1", "source": "/shop", "type": "order.paid", "amount": 250, "subject": "eu-1"})).unwrap();
        let f = trigger(
            json!({"filters": [{"cesql": "type = 'order.paid' AND amount > 100 AND subject LIKE 'eu-%'"}, {"exact": {"amount": "250"}}]}),
        );
        assert_eq!(f.evaluate(&ev), FilterResult::Pass);
    }
}

/// A type or a source as the event-type analysis knows it: exactly, by a prefix, or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Text {
    Exact(std::sync::Arc<str>),
    Prefix(std::sync::Arc<str>),
    Any,
}

impl Text {
    pub fn exact(s: impl Into<std::sync::Arc<str>>) -> Text {
        Text::Exact(s.into())
    }

    pub fn prefix(s: impl Into<std::sync::Arc<str>>) -> Text {
        Text::Prefix(s.into())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Exact(s) => f.write_str(s),
            Text::Prefix(p) => write!(f, "{p}*"),
            Text::Any => f.write_str("*"),
        }
    }
}

/// Whether a filter passes the events of a (type, source) pattern: all of them, some, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    Yes,
    Maybe,
    No,
}

/// The results a filter node can give for the events of a pattern (bits of [`Outcomes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Outcomes {
    pass: bool,
    fail: bool,
    none: bool,
}

impl Outcomes {
    const PASS: Outcomes = Outcomes {
        pass: true,
        fail: false,
        none: false,
    };
    const FAIL: Outcomes = Outcomes {
        pass: false,
        fail: true,
        none: false,
    };
    const NONE: Outcomes = Outcomes {
        pass: false,
        fail: false,
        none: true,
    };
    const EITHER: Outcomes = Outcomes {
        pass: true,
        fail: true,
        none: false,
    };

    fn or(self, o: Outcomes) -> Outcomes {
        Outcomes {
            pass: self.pass || o.pass,
            fail: self.fail || o.fail,
            none: self.none || o.none,
        }
    }

    fn is_empty(self) -> bool {
        !(self.pass || self.fail || self.none)
    }

    fn decision(self) -> Decision {
        match (self.fail, self.pass || self.none) {
            (false, _) => Decision::Yes,
            (true, false) => Decision::No,
            (true, true) => Decision::Maybe,
        }
    }
}

/// Does `text` match `want` the way `kind` compares (for the events of the pattern)?
fn text_outcomes(kind: Match, text: &Text, want: &str) -> Outcomes {
    let (w, yes) = (want.as_bytes(), |b: bool| {
        if b {
            Outcomes::PASS
        } else {
            Outcomes::FAIL
        }
    });
    let starts = |s: &[u8], p: &[u8]| s.len() >= p.len() && bytes_eq(&s[..p.len()], p);
    match (kind, text) {
        (_, Text::Any) => Outcomes::EITHER,
        (Match::Exact, Text::Exact(s)) => yes(text_eq(s, want)),
        (Match::Prefix, Text::Exact(s)) => yes(starts(s.as_bytes(), w)),
        (Match::Suffix, Text::Exact(s)) => {
            let s = s.as_bytes();
            yes(s.len() >= w.len() && bytes_eq(&s[s.len() - w.len()..], w))
        }
        // Every event of `p*` starts with `p`: it matches a value only when that starts with `p`.
        (Match::Exact, Text::Prefix(p)) if !starts(w, p.as_bytes()) => Outcomes::FAIL,
        (Match::Prefix, Text::Prefix(p)) if starts(p.as_bytes(), w) => Outcomes::PASS,
        (Match::Prefix, Text::Prefix(p)) if !starts(w, p.as_bytes()) => Outcomes::FAIL,
        (_, Text::Prefix(_)) => Outcomes::EITHER,
    }
}

fn attr_of<'t>(key: &AttrKey, ty: &'t Text, source: &'t Text) -> Option<&'t Text> {
    match key {
        AttrKey::Context(Context::Type) => Some(ty),
        AttrKey::Context(Context::Source) => Some(source),
        _ => None,
    }
}

/// What [`node`] can give for the events of the pattern: the same walk over sets of results.
fn node_outcomes(n: &Node, ty: &Text, source: &Text) -> Outcomes {
    match n {
        Node::Attrs(kind, list) => {
            let mut out = Outcomes::PASS;
            for (key, want) in list {
                // Other attributes (subject, extensions) the analysis does not know.
                let o = attr_of(key, ty, source)
                    .map_or(Outcomes::EITHER, |t| text_outcomes(*kind, t, want));
                if o == Outcomes::FAIL {
                    return Outcomes::FAIL;
                }
                if o.fail {
                    out = Outcomes::EITHER;
                }
            }
            out
        }
        Node::All(list) => all_outcomes(list, ty, source),
        Node::Any(list) => {
            // The last result, unless an entry passes first (an empty list: no filter).
            let (mut out, mut current) = (Outcomes::default(), Outcomes::NONE);
            for c in list {
                let o = node_outcomes(c, ty, source);
                if o.pass {
                    out.pass = true;
                }
                current = Outcomes { pass: false, ..o };
                if current.is_empty() {
                    return out;
                }
            }
            out.or(current)
        }
        Node::Not(inner) => {
            let o = node_outcomes(inner, ty, source);
            Outcomes {
                pass: o.fail,
                fail: o.pass,
                none: o.none,
            }
        }
        // CESQL reads anything: "may match", unless it requires a type or source (`type =
        // 'x'`, alone or ANDed at its top) that the pattern cannot have.
        Node::Cesql(e) => {
            let cannot = [(Context::Type, ty), (Context::Source, source)]
                .into_iter()
                .any(|(c, t)| {
                    e.required_equal(c)
                        .is_some_and(|want| text_outcomes(Match::Exact, t, want) == Outcomes::FAIL)
                });
            if cannot {
                Outcomes::FAIL
            } else {
                Outcomes::EITHER
            }
        }
        Node::Skipped(_) => Outcomes::NONE,
    }
}

/// [`all`] over sets: a failing entry ends it; otherwise the last entry's result.
fn all_outcomes(list: &[Node], ty: &Text, source: &Text) -> Outcomes {
    let (mut out, mut current) = (Outcomes::default(), Outcomes::NONE);
    for c in list {
        let o = node_outcomes(c, ty, source);
        if o.fail {
            out.fail = true;
        }
        current = Outcomes { fail: false, ..o };
        if current.is_empty() {
            return out;
        }
    }
    out.or(current)
}

impl TriggerFilter {
    /// Whether this filter passes all, some or none of the events whose type and source match
    /// `ty` and `source` — exact for the dialects and legacy attributes on `type` and `source`,
    /// "maybe" wherever the answer depends on what the pattern does not say (CESQL, other
    /// attributes). Sound: never `No` for a pattern with an event that passes.
    pub fn decide(&self, ty: &Text, source: &Text) -> Decision {
        let outcomes = match &self.root {
            Root::Nothing => Outcomes::NONE,
            Root::Filters(list) => all_outcomes(list, ty, source),
            Root::Attributes(list) => {
                let mut out = Outcomes::PASS;
                for (key, want) in list {
                    let t = match key {
                        LegacyKey::Context(k, _) => attr_of(k, ty, source),
                        _ => None,
                    };
                    let o = match (t, want.as_str()) {
                        // `type` and `source` are required and never empty: "" always passes.
                        (Some(_), "") => Outcomes::PASS,
                        (Some(t), w) => text_outcomes(Match::Exact, t, w),
                        (None, _) => Outcomes::EITHER,
                    };
                    if o == Outcomes::FAIL {
                        return Decision::No;
                    }
                    if o.fail {
                        out = Outcomes::EITHER;
                    }
                }
                out
            }
        };
        outcomes.decision()
    }
}
