//! What a node looks like as geometry: its size and where each of its ports sits.
//!
//! The grammar (ARCHITECTURE.md, "The canvas's visual grammar"): events flow left to right. A
//! node that takes events has its input on its left edge. Each reference a node holds is a port
//! on its right edge, one row per port with its name inside the node, except a dead-letter sink,
//! whose port is on the bottom edge. A Broker's triggers and a channel's subscriptions hold the
//! reference (`spec.broker`, `spec.channel`), but events flow the other way, so the Broker has a
//! `triggers` output (and a channel `subscriptions`) and the Trigger's `broker` port is its input.
//! Sequence steps and Parallel branches each get their own rows (a Parallel's grouped as
//! "branch N"), plus a row that adds one.

use crate::flow::{Flow, Node};
use crate::kinds::{is_addressable, Spec};
use crate::refs::Role;
use crate::resource::Resource;
use crate::wiring;

/// Node width.
pub const NODE_W: f64 = 188.0;
/// Icon, kind, name and key fact.
pub const HEADER_H: f64 = 58.0;
/// One port row.
pub const ROW_H: f64 = 18.0;
/// Below the rows, without bottom ports.
const PAD_H: f64 = 8.0;
/// Below the rows, with bottom ports (room for their caption).
const BOTTOM_H: f64 = 24.0;
/// Height of a URI or a missing object: a header only.
const EXTERNAL_H: f64 = 46.0;
/// Where wires arrive on the left edge.
pub const INPUT_Y: f64 = 29.0;
/// Distance of the first bottom port from the right edge, and between bottom ports.
const BOTTOM_INSET: f64 = 36.0;
const BOTTOM_STEP: f64 = 28.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Right,
    Bottom,
}

/// What a wire carries, which is how it is drawn (without relying on colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireKind {
    /// Events delivered to a subscriber or sink: solid.
    Delivery,
    /// Replies: dashed.
    Reply,
    /// Dead letters: dotted and red.
    DeadLetter,
    /// A reference that carries no events (SinkBinding subject, Broker config, EventType
    /// reference): thin and grey.
    Reference,
    /// A Kafka topic a KafkaSink writes and a KafkaSource reads: dash-dot. No object holds it,
    /// so there is nothing to delete: it follows from the two objects' topics and servers.
    Topic,
}

impl WireKind {
    pub fn of(role: Role) -> WireKind {
        match role {
            Role::Reply => WireKind::Reply,
            Role::DeadLetterSink => WireKind::DeadLetter,
            Role::Subject | Role::Config | Role::Reference => WireKind::Reference,
            _ => WireKind::Delivery,
        }
    }

    /// The CSS class suffix.
    pub fn name(self) -> &'static str {
        match self {
            WireKind::Delivery => "delivery",
            WireKind::Reply => "reply",
            WireKind::DeadLetter => "dead-letter",
            WireKind::Reference => "reference",
            WireKind::Topic => "topic",
        }
    }
}

/// One port of a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    /// The field the reference is written to, as wires name it: `subscriber`, `steps[1]`,
    /// `branches[0].filter`, `deadLetterSink`, `steps[0].deadLetterSink`; `triggers` and
    /// `subscriptions` for the derived outputs of brokers and channels.
    pub name: String,
    /// What the node shows beside it.
    pub label: String,
    /// The heading of the group the row starts (`branch 0`).
    pub group: Option<String>,
    pub role: Role,
    /// The step or branch (and for a port that adds one, the index it will get).
    pub index: Option<usize>,
    pub side: Side,
    /// The port's centre, from the node's top-left corner.
    pub x: f64,
    pub y: f64,
    pub wire: WireKind,
    /// Stands for references other nodes hold (a Broker's `triggers`).
    pub derived: bool,
    /// Adds an entry to a list (a new step or branch).
    pub adds: bool,
}

/// A node's size and ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub w: f64,
    pub h: f64,
    pub ports: Vec<Port>,
    /// The input's name when the node takes events: `in`, or `broker` / `channel` for the
    /// reference a Trigger / Subscription holds. Wires end at (0, [`INPUT_Y`]) either way.
    pub input: Option<&'static str>,
}

impl Shape {
    pub fn port(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name == name)
    }
}

/// The port name of a reference at `path` (`.spec.steps[0].delivery.deadLetterSink` →
/// `steps[0].deadLetterSink`).
pub fn port_name(role: Role, path: &str) -> String {
    if role == Role::Broker {
        return "broker".into();
    }
    let short = path.strip_prefix(".spec.").unwrap_or(path);
    short
        .replace(".delivery.", ".")
        .trim_start_matches("delivery.")
        .to_string()
}

struct Rows {
    ports: Vec<Port>,
    rows: usize,
    bottoms: usize,
}

impl Rows {
    fn row(&mut self, name: String, label: String, role: Role, index: Option<usize>) -> &mut Port {
        let y = HEADER_H + ROW_H * self.rows as f64 + ROW_H / 2.0;
        self.rows += 1;
        self.ports.push(Port {
            name,
            label,
            group: None,
            role,
            index,
            side: Side::Right,
            x: NODE_W,
            y,
            wire: WireKind::of(role),
            derived: false,
            adds: false,
        });
        self.ports.last_mut().expect("just pushed")
    }

    fn bottom(&mut self, name: String, label: String, index: Option<usize>) {
        // Placed once all are known (see `resource_shape`).
        let x = NODE_W - BOTTOM_INSET;
        self.bottoms += 1;
        self.ports.push(Port {
            name,
            label,
            group: None,
            role: Role::DeadLetterSink,
            index,
            side: Side::Bottom,
            x,
            y: 0.0,
            wire: WireKind::DeadLetter,
            derived: false,
            adds: false,
        });
    }
}

fn list_len(r: &Resource, list: &str) -> usize {
    crate::path::get(&r.manifest, list)
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len)
}

/// The shape of a graph node.
pub fn shape(node: &Node) -> Shape {
    match node {
        Node::Resource(r) => resource_shape(r),
        Node::Uri(_) | Node::Missing(_) => Shape {
            w: NODE_W,
            h: EXTERNAL_H,
            ports: Vec::new(),
            input: Some("in"),
        },
    }
}

/// The shape of a resource of the flow.
pub fn resource_shape(r: &Resource) -> Shape {
    let mut rows = Rows {
        ports: Vec::new(),
        rows: 0,
        bottoms: 0,
    };
    let mut input = is_addressable(r.group(), &r.id.kind).then_some("in");
    match &r.spec {
        Some(Spec::Broker(_)) => {
            rows.row("triggers".into(), "triggers".into(), Role::Broker, None)
                .derived = true;
        }
        // What a KafkaSink writes to its topic flows on to the KafkaSources reading it.
        _ if r.id.kind == "KafkaSink" => {
            let port = rows.row("topic".into(), "topic".into(), Role::Reference, None);
            port.derived = true;
            port.wire = WireKind::Topic;
        }
        _ if r.id.kind == "KafkaSource" => input = Some("topic"),
        _ if matches!(r.spec, Some(Spec::Channel(_) | Spec::InMemoryChannel(_)))
            || crate::kinds::is_extension_channel(r.group(), &r.id.kind) =>
        {
            rows.row(
                "subscriptions".into(),
                "subscriptions".into(),
                Role::Channel,
                None,
            )
            .derived = true;
        }
        _ => {}
    }
    let ports = r.info.map(wiring::ports).unwrap_or_default();
    let steps = list_len(r, ".spec.steps");
    let branches = list_len(r, ".spec.branches");
    let parallel = matches!(r.spec, Some(Spec::Parallel(_)));
    for p in ports {
        match (p.role, p.indexed) {
            (Role::Broker, _) => input = Some("broker"),
            (Role::Channel, _) => input = Some("channel"),
            (Role::DeadLetterSink, false) => {
                rows.bottom("deadLetterSink".into(), "dead letters".into(), None)
            }
            (Role::DeadLetterSink, true) => {
                let (list, n) = if parallel {
                    ("branches", branches)
                } else {
                    ("steps", steps)
                };
                for i in 0..n {
                    rows.bottom(
                        format!("{list}[{i}].deadLetterSink"),
                        i.to_string(),
                        Some(i),
                    );
                }
            }
            (Role::Step, true) => {
                for i in 0..steps {
                    rows.row(
                        format!("steps[{i}]"),
                        format!("step {i}"),
                        Role::Step,
                        Some(i),
                    );
                }
                rows.row(
                    format!("steps[{steps}]"),
                    "+ step".into(),
                    Role::Step,
                    Some(steps),
                )
                .adds = true;
            }
            // A Parallel's branches: each its own group of rows, written once (at the filter
            // port; the subscriber and reply ports of the list are covered by it).
            (Role::Filter, true) => {
                for i in 0..branches {
                    for (n, role) in [(0, Role::Filter), (1, Role::Subscriber), (2, Role::Reply)] {
                        let field = role.port_name();
                        let port = rows.row(
                            format!("branches[{i}].{field}"),
                            field.into(),
                            role,
                            Some(i),
                        );
                        if n == 0 {
                            port.group = Some(format!("branch {i}"));
                        }
                    }
                }
                rows.row(
                    format!("branches[{branches}].subscriber"),
                    "+ branch".into(),
                    Role::Subscriber,
                    Some(branches),
                )
                .adds = true;
            }
            (Role::Subscriber | Role::Reply, true) => {}
            (role, _) => {
                let name = role.port_name();
                rows.row(name.into(), name.into(), role, None);
            }
        }
    }
    // A kind knflow does not model that is a source by its spec (duck typing): its sink.
    if r.is_duck_source() {
        let name = Role::Sink.port_name();
        rows.row(name.into(), name.into(), Role::Sink, None);
    }
    let h = HEADER_H + ROW_H * rows.rows as f64 + if rows.bottoms > 0 { BOTTOM_H } else { PAD_H };
    // Bottom ports left to right in list order, the last one nearest the right edge.
    let last = rows.bottoms.saturating_sub(1) as f64;
    let mut k = 0.0;
    for p in &mut rows.ports {
        if p.side == Side::Bottom {
            p.y = h;
            p.x = NODE_W - BOTTOM_INSET - BOTTOM_STEP * (last - k);
            k += 1.0;
        }
    }
    Shape {
        w: NODE_W,
        h,
        ports: rows.ports,
        input,
    }
}

/// The shape of every node of `flow` that is a resource, by label.
pub fn shapes(flow: &Flow) -> impl Iterator<Item = (String, Shape)> + '_ {
    flow.resources()
        .map(|r| (r.id.to_string(), resource_shape(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(yaml: &str) -> Flow {
        crate::load_str(yaml, "t.yaml").flow
    }

    fn names(s: &Shape) -> Vec<(&str, Side)> {
        s.ports.iter().map(|p| (p.name.as_str(), p.side)).collect()
    }

    #[test]
    fn ports_follow_the_grammar() {
        let f = flow(
            "apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: {name: b}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: {name: t}
spec: {broker: b, subscriber: {uri: http://x}}
---
apiVersion: flows.knative.dev/v1
kind: Parallel
metadata: {name: p}
spec:
  branches:
  - subscriber: {uri: http://a}
  - filter: {uri: http://f}
    subscriber: {uri: http://b}
",
        );
        let by = |l: &str| {
            let id = crate::ResourceId::parse(l).unwrap();
            resource_shape(f.get(&id).unwrap())
        };
        let broker = by("Broker/b");
        assert_eq!(
            names(&broker),
            [
                ("triggers", Side::Right),
                ("config", Side::Right),
                ("deadLetterSink", Side::Bottom)
            ]
        );
        assert!(broker.ports[0].derived);
        assert_eq!(broker.input, Some("in"));
        let trigger = by("Trigger/t");
        assert_eq!(
            trigger.input,
            Some("broker"),
            "the broker port is the input"
        );
        assert_eq!(
            names(&trigger),
            [
                ("subscriber", Side::Right),
                ("deadLetterSink", Side::Bottom)
            ]
        );
        let dls = trigger.port("deadLetterSink").unwrap();
        assert_eq!(
            (dls.y, dls.x < NODE_W),
            (trigger.h, true),
            "on the bottom edge"
        );
        let parallel = by("Parallel/p");
        let rows: Vec<(&str, Option<&str>)> = parallel
            .ports
            .iter()
            .filter(|p| p.side == Side::Right)
            .map(|p| (p.name.as_str(), p.group.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("branches[0].filter", Some("branch 0")),
                ("branches[0].subscriber", None),
                ("branches[0].reply", None),
                ("branches[1].filter", Some("branch 1")),
                ("branches[1].subscriber", None),
                ("branches[1].reply", None),
                ("branches[2].subscriber", None),
                ("reply", None),
            ]
        );
        assert!(parallel.ports[6].adds);
        // Rows never overlap and stay inside the node.
        let ys: Vec<f64> = parallel
            .ports
            .iter()
            .filter(|p| p.side == Side::Right)
            .map(|p| p.y)
            .collect();
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= ROW_H));
        assert!(ys.iter().all(|y| *y > HEADER_H && *y < parallel.h));
    }

    #[test]
    fn port_names_come_from_field_paths() {
        assert_eq!(
            port_name(Role::Subscriber, ".spec.subscriber"),
            "subscriber"
        );
        assert_eq!(
            port_name(Role::DeadLetterSink, ".spec.delivery.deadLetterSink"),
            "deadLetterSink"
        );
        assert_eq!(
            port_name(
                Role::DeadLetterSink,
                ".spec.steps[2].delivery.deadLetterSink"
            ),
            "steps[2].deadLetterSink"
        );
        assert_eq!(port_name(Role::Broker, ".spec.brokerRef"), "broker");
        assert_eq!(
            port_name(Role::Filter, ".spec.branches[1].filter"),
            "branches[1].filter"
        );
    }
}
