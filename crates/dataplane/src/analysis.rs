//! Event-type analysis: which events can arrive at every broker and channel (the channels of
//! Sequence steps and Parallel branches included), where each comes from, and which of them each
//! trigger's filter passes — before anything runs. Patterns of (type, source) flow from what the
//! sources emit ([`crate::emits`]), EventType resources, producers declared outside the flow
//! (`knflow.dev/produces` on a broker or channel) and replies (the flow's simulated sink
//! behaviours, or `knflow.dev/replies` on a sink), along the same routing table the data plane
//! uses. Trigger decisions come from [`TriggerFilter::decide`]: exact for the dialects on
//! `type` and `source`, "maybe" for CESQL and other attributes, never "no" when an event can pass.

use litemap::LiteMap;

use knflow_model::{Diagnostic, Flow, Resource, Severity};
use serde_json::Value;

use crate::emits;
use crate::filter::{Decision, Text};
use crate::routes::{Endpoint, Routes, SubKind};

/// The annotation that declares producers outside the flow (on a Broker or channel), or what a
/// source emits beyond what knflow knows: event types, comma-separated.
pub const PRODUCES: &str = "knflow.dev/produces";
/// The annotation that declares what a sink replies with: event types, comma-separated.
pub const REPLIES: &str = "knflow.dev/replies";

/// Events of a type and a source, each known exactly, by a prefix, or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pattern {
    pub ty: Text,
    pub source: Text,
}

impl Pattern {
    /// The type, when it is known exactly.
    pub fn ty_exact(&self) -> Option<&str> {
        match &self.ty {
            Text::Exact(t) => Some(t),
            _ => None,
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} from {}", self.ty, self.source)
    }
}

/// Where events of a pattern come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// A source of the flow (its label).
    Source(String),
    /// An EventType of the flow declares it.
    EventType(String),
    /// `knflow.dev/produces` on the broker or channel (its label): producers outside the flow.
    Declared(String),
    /// A sink's reply to an event that `via` (a trigger, subscription, step) delivered.
    Reply { sink: String, via: String },
    /// A KafkaSink stored it on its topic and a KafkaSource read it back.
    Topic { sink: String, source: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Source(s) | Origin::EventType(s) => f.write_str(s),
            Origin::Declared(s) => write!(f, "{s} ({PRODUCES})"),
            Origin::Reply { sink, via } => write!(f, "the reply of {sink} (via {via})"),
            Origin::Topic { sink, source } => write!(f, "{sink} → topic → {source}"),
        }
    }
}

/// How a sink answers, as far as its events' types go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The event it received.
    Same,
    /// A new event of this type (same source).
    Type(String),
}

/// What one trigger receives: each pattern arriving at its broker, decided.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerView {
    pub trigger: String,
    pub broker: String,
    pub subscriber: String,
    pub matches: Vec<(Pattern, Decision)>,
}

/// The analysis of a flow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// What can arrive at each broker and channel, by its label, with where it comes from.
    pub arrivals: LiteMap<String, LiteMap<Pattern, Vec<Origin>>>,
    /// What each sink can be delivered, by its label, with the resources that route it there.
    pub delivered:
        std::collections::BTreeMap<String, std::collections::BTreeMap<Pattern, Vec<String>>>,
    /// Every trigger, in file order.
    pub triggers: Vec<TriggerView>,
}

/// Comma-separated event types of an annotation.
pub(crate) fn annotated<'a>(r: &'a Resource, key: &str) -> impl Iterator<Item = &'a str> {
    r.annotation(key)
        .into_iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The type and source an EventType declares (v1beta3 `attributes`, older `type`/`source`).
fn event_type_pattern(r: &Resource) -> Option<Pattern> {
    let spec = r.manifest.get("spec")?;
    let attr = |name: &str| -> Option<&str> {
        spec.get(name).and_then(Value::as_str).or_else(|| {
            spec.get("attributes")?
                .as_array()?
                .iter()
                .find(|a| a["name"] == name)?
                .get("value")?
                .as_str()
        })
    };
    let text = |v: Option<&str>| match v {
        Some(s) if !s.is_empty() && !s.contains('{') => Text::exact(s),
        // A templated value (`{variable}`) is a pattern up to its first variable.
        Some(s) if s.find('{').is_some_and(|i| i > 0) => {
            Text::prefix(&s[..s.find('{').unwrap_or(0)])
        }
        _ => Text::Any,
    };
    Some(Pattern {
        ty: text(attr("type")),
        source: text(attr("source")),
    })
}

/// The value at `k`, made (key copied) only when missing: most lookups find it. (Sorted-vector
/// maps: far less code in the designer's wasm than B-trees.)
fn slot<'m, K, Q, V>(m: &'m mut LiteMap<K, V>, k: &Q) -> &'m mut V
where
    K: std::borrow::Borrow<Q> + Ord,
    Q: ToOwned<Owned = K> + Ord + ?Sized,
    V: Default,
{
    if !m.contains_key(k) {
        m.insert(k.to_owned(), V::default());
    }
    m.get_mut(k).expect("just made")
}

struct Run<'a> {
    flow: &'a Flow,
    routes: Routes,
    replies: &'a dyn Fn(&str) -> Vec<Reply>,
    out: Analysis,
    /// What arrived where, still to route; `true` for a pattern's first origin there.
    work: Vec<(Endpoint, Pattern, Origin, bool)>,
    answers: LiteMap<crate::routes::Label, Vec<Reply>>,
}

impl Run<'_> {
    /// Events of `p` reach `to`: a broker or channel takes them in (once per origin), a sink
    /// is delivered them (and a KafkaSink passes them on along its topic).
    fn arrive(&mut self, to: &Endpoint, p: &Pattern, origin: Origin, via: &str) {
        match to {
            Endpoint::Broker(l) | Endpoint::Channel(l) => {
                let origins = slot(slot(&mut self.out.arrivals, l.as_ref()), p);
                let Err(at) = origins.binary_search(&origin) else {
                    return;
                };
                origins.insert(at, origin.clone());
                let first = origins.len() == 1;
                self.work.push((to.clone(), p.clone(), origin, first));
            }
            Endpoint::Sink(l) => {
                // (A B-tree: with one entry per sink, sorted vectors spent a third of a large
                // flow's analysis moving entries.)
                let delivered = &mut self.out.delivered;
                if !delivered.contains_key(l.as_ref()) {
                    delivered.insert(l.to_string(), Default::default());
                }
                let by_pattern = delivered.get_mut(l.as_ref()).expect("just made");
                if !by_pattern.contains_key(p) {
                    by_pattern.insert(p.clone(), Vec::new());
                }
                let vias = by_pattern.get_mut(p).expect("just made");
                let Err(at) = vias.binary_search_by(|v| v.as_str().cmp(via)) else {
                    return;
                };
                vias.insert(at, via.to_string());
                // A KafkaSink passes events on along its topics.
                let links = self.routes.topics.get(l).cloned().unwrap_or_default();
                for link in links {
                    let origin = Origin::Topic {
                        sink: l.to_string(),
                        source: link.source.to_string(),
                    };
                    self.arrive(&link.to, p, origin, &link.source);
                }
            }
        }
    }

    /// How `sink` answers: its simulated behaviour, its `knflow.dev/replies`, or as a Sequence
    /// step or Parallel filter does by default (the event itself). Worked out once per sink.
    fn answers(&mut self, sink: &crate::routes::Label) -> Vec<Reply> {
        if let Some(a) = self.answers.get(sink) {
            return a.clone();
        }
        let mut a = (self.replies)(sink);
        if let Some(r) = knflow_model::ResourceId::parse(sink).and_then(|id| self.flow.get(&id)) {
            a.extend(annotated(r, REPLIES).map(|t| Reply::Type(t.into())));
        }
        if a.is_empty()
            && self
                .routes
                .replying_by_default
                .iter()
                .any(|l| **l == **sink)
        {
            a.push(Reply::Same);
        }
        self.answers.insert(sink.clone(), a.clone());
        a
    }

    /// Every subscription on `at` that can pass `p`: delivery, replies and dead letters.
    /// (Once per origin of `p` at `at`: what reaches a subscriber keeps its origin.)
    /// What reaches a sink, and what it replies, does not depend on the origin: only the
    /// pattern's `first` origin there takes it that way.
    fn route(&mut self, at: &Endpoint, p: &Pattern, origin: &Origin, first: bool) {
        let subs = self.routes.on.get(at).cloned().unwrap_or_default();
        for &i in subs.iter() {
            let sub = &self.routes.subscriptions[i];
            if let SubKind::Trigger { filter, .. } = &sub.kind {
                if filter.decide(&p.ty, &p.source) == Decision::No {
                    continue;
                }
            }
            // Labels are shared (`Arc`): these clones are counts.
            let (via, to, reply_to) = (sub.via.clone(), sub.subscriber.clone(), sub.reply.clone());
            let dls = sub.policy.dead_letter.as_ref().map(|(e, _)| e.clone());
            for to in std::iter::once(&to).chain(dls.as_ref()) {
                if first || !matches!(to, Endpoint::Sink(_)) {
                    self.arrive(to, p, origin.clone(), &via);
                }
            }
            let Some(reply_to) = reply_to.filter(|_| first) else {
                continue;
            };
            let subscriber = to.label().clone();
            let answers = self.answers(&subscriber);
            for a in answers {
                let reply = match a {
                    Reply::Same => p.clone(),
                    Reply::Type(t) => Pattern {
                        ty: Text::exact(t),
                        source: p.source.clone(),
                    },
                };
                let origin = Origin::Reply {
                    sink: subscriber.to_string(),
                    via: via.to_string(),
                };
                self.arrive(&reply_to, &reply, origin, &via);
            }
        }
    }
}

/// Analyses `flow`. `replies` says how a sink (by label) answers in simulation; annotations
/// (`knflow.dev/replies`) add to it.
pub fn analyze(flow: &Flow, replies: &dyn Fn(&str) -> Vec<Reply>) -> Analysis {
    let mut run = Run {
        flow,
        routes: Routes::compile(flow),
        replies,
        out: Analysis::default(),
        work: Vec::new(),
        answers: Default::default(),
    };
    for r in flow.resources() {
        let label = r.id.to_string();
        if let Some(emitted) = emits::emitted(flow, r) {
            let Some(to) = run.routes.sink_of(flow, r) else {
                continue;
            };
            for p in emitted {
                run.arrive(&to, &p, Origin::Source(label.clone()), &label);
            }
        }
        if r.id.kind == "EventType" {
            let target = r
                .manifest
                .pointer("/spec/reference")
                .or_else(|| r.manifest.pointer("/spec/broker").filter(|b| b.is_string()));
            let to = match target {
                Some(Value::String(b)) => run.routes.entries.get(&format!("Broker/{b}")).cloned(),
                Some(t) => t["kind"]
                    .as_str()
                    .zip(t["name"].as_str())
                    .and_then(|(k, n)| run.routes.entries.get(&format!("{k}/{n}")).cloned()),
                None => None,
            };
            if let (Some(to), Some(p)) = (to, event_type_pattern(r)) {
                run.arrive(&to, &p, Origin::EventType(label.clone()), &label);
            }
        }
        if let Some(to) = run.routes.entries.get(&label).cloned() {
            if matches!(to, Endpoint::Broker(_) | Endpoint::Channel(_)) {
                for t in annotated(r, PRODUCES) {
                    let p = Pattern {
                        ty: Text::exact(t),
                        source: Text::Any,
                    };
                    run.arrive(&to, &p, Origin::Declared(label.clone()), &label);
                }
            }
        }
    }
    while let Some((at, p, origin, first)) = run.work.pop() {
        run.route(&at, &p, &origin, first);
    }
    // Each trigger against everything that can arrive at its broker.
    let mut on_of: Vec<Option<&str>> = vec![None; run.routes.subscriptions.len()];
    for (ep, subs) in &run.routes.on {
        for &i in subs.iter() {
            on_of[i] = Some(ep.label());
        }
    }
    for (i, sub) in run.routes.subscriptions.iter().enumerate() {
        let SubKind::Trigger { filter, .. } = &sub.kind else {
            continue;
        };
        let broker = on_of[i].unwrap_or_default().to_string();
        let matches = run
            .out
            .arrivals
            .get(&broker)
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|p| (p.clone(), filter.decide(&p.ty, &p.source)))
            .collect();
        run.out.triggers.push(TriggerView {
            trigger: sub.via.to_string(),
            broker,
            subscriber: sub.subscriber.label().to_string(),
            matches,
        });
    }
    run.out
}

/// The patterns' types, for messages: `a, b and 3 more`.
fn listed<'p>(ps: impl IntoIterator<Item = &'p Pattern>) -> String {
    let all: Vec<String> = ps.into_iter().map(|p| p.ty.to_string()).collect();
    match all.len() {
        0..=3 => all.join(", "),
        n => format!("{} and {} more", all[..3].join(", "), n - 3),
    }
}

/// ` from A, B`: the producers of what arrives at `broker` (up to three, then how many more).
fn producers(a: &Analysis, broker: &str) -> String {
    let mut all: Vec<String> = Vec::new();
    for origins in a.arrivals.get(broker).into_iter().flat_map(|m| m.values()) {
        for o in origins {
            let o = o.to_string();
            if !all.contains(&o) {
                all.push(o);
            }
        }
    }
    match all.len() {
        0 => String::new(),
        1..=3 => format!(" (from {})", all.join(", ")),
        n => format!(" (from {} and {} more)", all[..3].join(", "), n - 3),
    }
}

/// Where a trigger's filter is written, for a diagnostic's path.
fn filter_path(flow: &Flow, trigger: &str) -> String {
    let r = knflow_model::ResourceId::parse(trigger).and_then(|id| flow.get(&id));
    let spec = r.map(|r| &r.manifest["spec"]);
    match spec {
        Some(s) if s["filters"].as_array().is_some_and(|a| !a.is_empty()) => ".spec.filters".into(),
        Some(s) if s["filter"].is_object() => ".spec.filter".into(),
        _ => ".spec".into(),
    }
}

/// What the analysis finds wrong (stable codes): a trigger no producer's events pass
/// (`trigger-unmatched`), event types no trigger of their broker consumes
/// (`event-type-unconsumed`, information), a reply its own trigger passes again — a loop only
/// the broker's TTL ends (`reply-loop-type`), and two triggers delivering the same events to the
/// same subscriber (`duplicate-delivery`). Positioned in the resources' files.
pub fn lints(flow: &Flow, a: &Analysis) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let resource =
        |label: &str| knflow_model::ResourceId::parse(label).and_then(|id| flow.get(&id));
    let mut by_target: LiteMap<(&str, &str), Vec<&TriggerView>> = LiteMap::new();
    let mut by_broker: LiteMap<&str, Vec<&TriggerView>> = LiteMap::new();
    for t in &a.triggers {
        by_target
            .entry((t.broker.as_str(), t.subscriber.as_str()))
            .or_default()
            .push(t);
        by_broker.entry(t.broker.as_str()).or_default().push(t);
    }
    for t in &a.triggers {
        let Some(r) = resource(&t.trigger) else {
            continue;
        };
        let mut here = Vec::new();
        if !t.matches.is_empty() && t.matches.iter().all(|(_, d)| *d == Decision::No) {
            here.push(
                Diagnostic::warning(
                    "trigger-unmatched",
                    format!(
                        "no known producer's events pass this filter: {} receives {}{}",
                        t.broker,
                        listed(t.matches.iter().map(|(p, _)| p)),
                        producers(a, &t.broker)
                    ),
                )
                .at(filter_path(flow, &t.trigger))
                .on(&r.id),
            );
        }
        // Its subscriber's reply comes back to the broker and passes this trigger again.
        let arrivals = a.arrivals.get(&t.broker);
        for (p, d) in &t.matches {
            let looped = *d == Decision::Yes
                && arrivals.and_then(|m| m.get(p)).is_some_and(|origins| {
                    origins.iter().any(|o| {
                        matches!(o, Origin::Reply { sink, via } if *sink == t.subscriber && *via == t.trigger)
                    })
                });
            if looped {
                here.push(
                    Diagnostic::warning(
                        "reply-loop-type",
                        format!(
                            "{} replies with {}, which this trigger passes again: the event circles until the broker's TTL drops it",
                            t.subscriber, p.ty
                        ),
                    )
                    .at(filter_path(flow, &t.trigger))
                    .on(&r.id),
                );
            }
        }
        // An earlier trigger of the same broker already delivers some of these to the subscriber.
        let same = by_target.get(&(t.broker.as_str(), t.subscriber.as_str()));
        for other in same
            .into_iter()
            .flatten()
            .take_while(|o| o.trigger != t.trigger)
        {
            // Both lists follow the broker's patterns, in the same order.
            let both: Vec<&Pattern> = t
                .matches
                .iter()
                .zip(&other.matches)
                .filter(|((p, d), (q, e))| p == q && *d == Decision::Yes && *e == Decision::Yes)
                .map(|((p, _), _)| p)
                .collect();
            if !both.is_empty() {
                here.push(
                    Diagnostic::warning(
                        "duplicate-delivery",
                        format!(
                            "{} also delivers {} to {}: it gets each such event twice",
                            other.trigger,
                            listed(both),
                            t.subscriber
                        ),
                    )
                    .at(filter_path(flow, &t.trigger))
                    .on(&r.id),
                );
            }
        }
        knflow_model::validate::position(r, &mut here);
        out.extend(here);
    }
    // Types that arrive at a broker with triggers and that none of them passes.
    for (broker, patterns) in &a.arrivals {
        let triggers = by_broker.get(broker.as_str()).cloned().unwrap_or_default();
        let Some(r) = resource(broker).filter(|_| !triggers.is_empty()) else {
            continue;
        };
        let mut here = Vec::new();
        for (p, origins) in patterns {
            let consumed = triggers.iter().any(|t| {
                t.matches
                    .binary_search_by(|(q, _)| q.cmp(p))
                    .is_ok_and(|i| t.matches[i].1 != Decision::No)
            });
            if !consumed && matches!(p.ty, Text::Exact(_)) {
                let from: Vec<String> = origins.iter().map(Origin::to_string).collect();
                here.push(
                    Diagnostic::new(
                        Severity::Info,
                        "event-type-unconsumed",
                        format!("no trigger consumes {p} (from {})", from.join(", ")),
                    )
                    .on(&r.id),
                );
            }
        }
        knflow_model::validate::position(r, &mut here);
        out.extend(here);
    }
    out
}

/// `eventing.knative.dev/v1beta3` EventTypes for every exactly known type the analysis finds
/// arriving at a broker or channel of the flow (not those the flow already declares): a
/// reference to it, the `type`, the `source` where it is known exactly, and `specversion`, as
/// Knative's own registry would fill in after events flowed.
pub fn event_type_manifests(flow: &Flow, a: &Analysis) -> Vec<Value> {
    let declared: Vec<(String, String)> = flow
        .resources()
        .filter(|r| r.id.kind == "EventType")
        .filter_map(|r| {
            let reference = r.manifest.pointer("/spec/reference")?;
            let target = format!(
                "{}/{}",
                reference["kind"].as_str()?,
                reference["name"].as_str()?
            );
            let ty = event_type_pattern(r)?.ty;
            Some((target, ty.to_string()))
        })
        .collect();
    let mut taken: Vec<String> = flow
        .resources()
        .filter(|r| r.id.kind == "EventType")
        .map(|r| r.name().to_string())
        .collect();
    let mut out = Vec::new();
    for (target, patterns) in &a.arrivals {
        let Some(r) = knflow_model::ResourceId::parse(target).and_then(|id| flow.get(&id)) else {
            continue; // a channel a Sequence or Parallel makes: not the user's to describe
        };
        for (p, origins) in patterns {
            let Text::Exact(ty) = &p.ty else { continue };
            if declared.contains(&(target.clone(), ty.to_string())) {
                continue;
            }
            let base = dns_name(&format!("{}-{ty}", r.name()));
            let name = (1..)
                .map(|i| {
                    if i == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{i}")
                    }
                })
                .find(|n| !taken.contains(n))
                .expect("unbounded");
            taken.push(name.clone());
            let mut attributes = vec![
                serde_json::json!({"name": "specversion", "required": true, "value": "1.0"}),
                serde_json::json!({"name": "type", "required": true, "value": ty.as_ref()}),
            ];
            if let Text::Exact(source) = &p.source {
                attributes
                    .push(serde_json::json!({"name": "source", "required": true, "value": source.as_ref()}));
            }
            let from: Vec<String> = origins.iter().map(Origin::to_string).collect();
            let mut metadata = serde_json::json!({"name": name});
            if let Some(ns) = r.namespace() {
                metadata["namespace"] = serde_json::json!(ns);
            }
            out.push(serde_json::json!({
                "apiVersion": "eventing.knative.dev/v1beta3",
                "kind": "EventType",
                "metadata": metadata,
                "spec": {
                    "reference": {"apiVersion": r.api_version(), "kind": r.id.kind, "name": r.name()},
                    "description": format!("From {}", from.join(", ")),
                    "attributes": attributes,
                },
            }));
        }
    }
    out
}

/// A Kubernetes object name (DNS-1123 subdomain) made from `s`: lower case, other characters
/// as `-`, at most 253 characters, starting and ending with a letter or digit.
fn dns_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches(|c: char| c == '-' || c == '.');
    out.chars()
        .take(253)
        .collect::<String>()
        .trim_end_matches(['-', '.'])
        .to_string()
}
