//! Lint: rules about the graph as a whole, which no single resource's webhook can see.

use std::collections::{HashMap, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;

use crate::diag::Diagnostic;
use crate::flow::{Flow, Node};
use crate::kinds::{AttributeMap, Category, Spec, TriggerSpec};
use crate::refs::Role;
use crate::validate::position;

/// Runs every graph rule. Diagnostics come positioned like validation's.
pub fn lint(flow: &Flow) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    dangling(flow, &mut out);
    sources_without_sink(flow, &mut out);
    brokers_without_triggers(flow, &mut out);
    unreachable_sinks(flow, &mut out);
    retries_without_dls(flow, &mut out);
    shadowed_triggers(flow, &mut out);
    reply_loops(flow, &mut out);
    for d in &mut out {
        if let Some(r) = d
            .resource
            .as_deref()
            .and_then(crate::ResourceId::parse)
            .and_then(|id| flow.get(&id))
        {
            position(r, std::slice::from_mut(d));
        }
    }
    out
}

fn dangling(flow: &Flow, out: &mut Vec<Diagnostic>) {
    for r in flow.resources() {
        for (edge, node) in flow.outgoing(&r.id) {
            if let Node::Missing(target) = node {
                // A broker class's configuration in Knative's own namespace comes with its
                // install (config-br-default-channel, kafka-broker-config): not the flow's.
                if edge.role == Role::Config && target.namespace.as_deref() == Some(INSTALL_NS) {
                    continue;
                }
                let d = if edge.role == Role::Broker {
                    Diagnostic::warning("trigger-broker-missing", format!("broker `{}` is not in this flow; the trigger only works if it exists in the cluster", target.name))
                } else {
                    Diagnostic::warning(
                        "dangling-reference",
                        format!("{target} is not in this flow (it may exist in the cluster)"),
                    )
                };
                out.push(d.at(edge.path.clone()).on(&r.id));
            }
        }
    }
}

/// Where Knative Eventing and its extensions are installed.
const INSTALL_NS: &str = "knative-eventing";

fn sources_without_sink(flow: &Flow, out: &mut Vec<Diagnostic>) {
    for r in flow.resources() {
        // Modelled sources only: a duck-typed one is a source because it has a sink.
        if !r.info.is_some_and(|i| i.is_source()) {
            continue;
        }
        let Some(source) = r.source_spec() else {
            continue;
        };
        if source.sink.is_none() {
            out.push(
                Diagnostic::error(
                    "source-without-sink",
                    format!("{} sends its events nowhere: set `spec.sink`", r.id),
                )
                .at(".spec.sink")
                .on(&r.id),
            );
        }
    }
}

fn brokers_without_triggers(flow: &Flow, out: &mut Vec<Diagnostic>) {
    for r in flow
        .resources()
        .filter(|r| matches!(r.spec, Some(Spec::Broker(_))))
    {
        if !flow
            .incoming(&r.id)
            .iter()
            .any(|(_, e)| e.role == Role::Broker)
        {
            out.push(
                Diagnostic::warning(
                    "broker-without-triggers",
                    format!(
                        "{} has no triggers: every event sent to it is dropped",
                        r.id
                    ),
                )
                .on(&r.id),
            );
        }
    }
}

fn unreachable_sinks(flow: &Flow, out: &mut Vec<Diagnostic>) {
    for r in flow
        .resources()
        .filter(|r| r.info.is_some_and(|i| i.category == Category::Sinks))
    {
        if !flow
            .incoming(&r.id)
            .iter()
            .any(|(_, e)| e.role.carries_events())
        {
            out.push(
                Diagnostic::warning(
                    "unreachable-sink",
                    format!("nothing in this flow sends events to {}", r.id),
                )
                .on(&r.id),
            );
        }
    }
}

fn retries_without_dls(flow: &Flow, out: &mut Vec<Diagnostic>) {
    use crate::kinds::DeliverySpec;
    let check = |out: &mut Vec<Diagnostic>,
                 r: &crate::Resource,
                 path: &str,
                 d: &Option<DeliverySpec>,
                 fallback: Option<&DeliverySpec>| {
        let Some(d) = d.as_ref().or(fallback) else {
            return;
        };
        let has_dls =
            d.dead_letter_sink.is_some() || fallback.is_some_and(|f| f.dead_letter_sink.is_some());
        if d.retry.unwrap_or(0) > 0 && !has_dls {
            out.push(
                Diagnostic::warning("retries-without-dls", format!("{} retries {} times but has no dead-letter sink: events that still fail are lost", r.id, d.retry.unwrap_or(0)))
                    .at(path)
                    .on(&r.id),
            );
        }
    };
    for r in flow.resources() {
        match &r.spec {
            Some(Spec::Trigger(t)) if t.delivery.is_some() => {
                // DLS resolution follows Knative: the trigger's own, else the broker's.
                let broker = t
                    .broker
                    .as_deref()
                    .and_then(|b| flow.get(&flow.target_id(r, "Broker", b, None)));
                let bd = broker.and_then(|b| match &b.spec {
                    Some(Spec::Broker(s)) => s.delivery.as_ref(),
                    _ => None,
                });
                check(
                    out,
                    r,
                    ".spec.delivery",
                    &t.delivery,
                    bd.filter(|b| b.dead_letter_sink.is_some()),
                );
            }
            Some(Spec::Broker(b)) => check(out, r, ".spec.delivery", &b.delivery, None),
            Some(Spec::Subscription(s)) => check(out, r, ".spec.delivery", &s.delivery, None),
            Some(Spec::Channel(c)) => check(out, r, ".spec.delivery", &c.delivery, None),
            Some(Spec::InMemoryChannel(c)) => check(out, r, ".spec.delivery", &c.delivery, None),
            Some(Spec::Extension(e)) => check(out, r, ".spec.delivery", &e.delivery, None),
            Some(Spec::Sequence(s)) => {
                for (i, step) in s.steps.iter().flatten().enumerate() {
                    check(
                        out,
                        r,
                        &format!(".spec.steps[{i}].delivery"),
                        &step.delivery,
                        None,
                    );
                }
            }
            Some(Spec::Parallel(p)) => {
                for (i, b) in p.branches.iter().flatten().enumerate() {
                    check(
                        out,
                        r,
                        &format!(".spec.branches[{i}].delivery"),
                        &b.delivery,
                        None,
                    );
                }
            }
            _ => {}
        }
    }
}

/// The exact-match conditions a trigger's filter imposes, when it is made only of exact matches
/// (legacy `attributes`, or `filters` of `exact` entries); `None` for anything richer.
fn exact_conditions(t: &TriggerSpec) -> Option<Vec<(String, String)>> {
    let mut conds = Vec::new();
    let add = |conds: &mut Vec<(String, String)>, m: &AttributeMap| {
        for (k, v) in m {
            conds.push((k.clone(), v.as_text()));
        }
    };
    match &t.filters {
        Some(list) if !list.is_empty() => {
            for f in list {
                match (&f.exact, f.dialects().len()) {
                    (Some(m), 1) => add(&mut conds, m),
                    _ => return None,
                }
            }
        }
        _ => {
            if let Some(m) = t.filter.as_ref().and_then(|f| f.attributes.as_ref()) {
                if m.values().any(|v| v.as_text().is_empty()) {
                    return None;
                }
                add(&mut conds, m);
            }
        }
    }
    crate::order::sort(&mut conds);
    conds.dedup();
    Some(conds)
}

/// Exact-match conditions of a trigger, sorted.
type Conditions = Vec<(String, String)>;

fn shadowed_triggers(flow: &Flow, out: &mut Vec<Diagnostic>) {
    // Group triggers by (broker, subscriber): only then does an overlap mean duplicates.
    let mut groups: HashMap<(String, String), Vec<(&crate::Resource, Conditions)>> = HashMap::new();
    for r in flow.resources() {
        let Some(Spec::Trigger(t)) = &r.spec else {
            continue;
        };
        let Some(conds) = exact_conditions(t) else {
            continue;
        };
        let mut broker = None;
        let mut subscriber = None;
        for (e, n) in flow.outgoing(&r.id) {
            match e.role {
                Role::Broker => broker = Some(n.label()),
                Role::Subscriber => subscriber = Some(n.label()),
                _ => {}
            }
        }
        if let (Some(b), Some(s)) = (broker, subscriber) {
            groups.entry((b, s)).or_default().push((r, conds));
        }
    }
    let mut keys: Vec<_> = groups.keys().cloned().collect();
    crate::order::sort(&mut keys);
    for key in keys {
        let group = &groups[&key];
        for (i, (a, ca)) in group.iter().enumerate() {
            for (j, (b, cb)) in group.iter().enumerate() {
                // `a` shadows `b` when every event passing `b` also passes `a` (a's conditions ⊆ b's).
                let subset = ca.iter().all(|c| cb.contains(c));
                let identical = ca == cb;
                if i != j && subset && (!identical || i < j) {
                    let why = if identical {
                        "has the same filter as"
                    } else {
                        "passes every event that passes"
                    };
                    out.push(
                        Diagnostic::warning(
                            "shadowed-trigger",
                            format!(
                                "{} {} {} and both deliver to {}: those events arrive twice",
                                a.id, why, b.id, key.1
                            ),
                        )
                        .at(".spec")
                        .on(&b.id),
                    );
                }
            }
        }
    }
}

/// Cycles along which events travel: a broker or channel whose output can come back to it.
/// Trigger replies count only where the flow's simulation settings say the subscriber replies
/// and the trigger's filter would let the reply through again.
fn reply_loops(flow: &Flow, out: &mut Vec<Diagnostic>) {
    let g = flow.graph();
    let mut dg: DiGraph<NodeIndex, ()> = DiGraph::new();
    let mut map = HashMap::new();
    for ix in g.node_indices() {
        map.insert(ix, dg.add_node(ix));
    }
    let replies = |label: &str| -> Option<Option<String>> {
        let behavior = flow
            .simulation
            .get(label)?
            .get("behavior")?
            .as_str()?
            .to_string();
        behavior
            .split(',')
            .map(str::trim)
            .find_map(|b| match b.split_once(':') {
                None if b == "reply" => Some(None),
                Some(("reply", t)) => Some(Some(t.to_string())),
                _ => None,
            })
    };
    for e in g.edge_references() {
        let (src, dst) = (e.source(), e.target());
        let w = e.weight();
        match w.role {
            // Trigger: broker → trigger (events flow from the broker into the trigger).
            Role::Broker => {
                dg.add_edge(map[&dst], map[&src], ());
            }
            // Subscription: channel → subscription.
            Role::Channel => {
                dg.add_edge(map[&dst], map[&src], ());
            }
            Role::Subscriber
            | Role::Step
            | Role::Filter
            | Role::Reply
            | Role::Sink
            | Role::DeadLetterSink => {
                dg.add_edge(map[&src], map[&dst], ());
                // A trigger's subscriber that replies sends the reply back into the broker.
                if w.role == Role::Subscriber {
                    if let Some(Node::Resource(trig)) = g.node_weight(src) {
                        if let Some(Spec::Trigger(t)) = &trig.spec {
                            if let Some(reply_type) = replies(&g[dst].label()) {
                                // Only certain loops are reported: a richer filter may well
                                // stop the reply, and false alarms teach users to ignore lint.
                                let passes = match (&reply_type, exact_conditions(t)) {
                                    (None, _) => true,
                                    (Some(ty), Some(conds)) => {
                                        conds.iter().all(|(k, v)| k != "type" || v == ty)
                                    }
                                    (Some(_), None) => false,
                                };
                                let broker = g
                                    .edges_directed(src, Direction::Outgoing)
                                    .find(|e| e.weight().role == Role::Broker)
                                    .map(|e| e.target());
                                if let (true, Some(b)) = (passes, broker) {
                                    dg.add_edge(map[&dst], map[&b], ());
                                }
                            }
                        }
                    }
                }
            }
            Role::Subject | Role::Reference | Role::Config => {}
        }
    }
    let mut reported = HashSet::new();
    for scc in tarjan_scc(&dg) {
        let self_loop = scc.len() == 1 && dg.find_edge(scc[0], scc[0]).is_some();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let mut members: Vec<String> = scc.iter().map(|n| g[dg[*n]].label()).collect();
        crate::order::sort(&mut members);
        let anchor = scc
            .iter()
            .filter_map(|n| g[dg[*n]].resource())
            .filter(|r| {
                matches!(
                    r.spec,
                    Some(Spec::Broker(_) | Spec::Channel(_) | Spec::InMemoryChannel(_))
                )
            })
            .map(|r| r.id.clone())
            .min()
            .or_else(|| {
                scc.iter()
                    .filter_map(|n| g[dg[*n]].resource())
                    .map(|r| r.id.clone())
                    .min()
            });
        if let Some(anchor) = anchor {
            if reported.insert(anchor.clone()) {
                out.push(
                    Diagnostic::warning(
                        "reply-loop",
                        format!("events can loop through {} until the broker's TTL (255 hops) drops them", members.join(" → ")),
                    )
                    .on(&anchor),
                );
            }
        }
    }
}
