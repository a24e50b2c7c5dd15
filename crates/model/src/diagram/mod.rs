//! A flow as the canvas draws it: nodes with their shapes (ports), and wires between ports
//! drawn the way events flow. Pure geometry, shared by the designer, the layout and the tests
//! that measure the picture.
//!
//! - [`shape`]: a node's size and ports (the visual grammar).
//! - [`route`]: a wire's path between two ports, around the nodes in between.

pub mod route;
pub mod shape;

use petgraph::visit::EdgeRef;

use crate::flow::{Flow, Node};
use crate::refs::Role;

pub use shape::{port_name, resource_shape, Port, Shape, Side, WireKind, INPUT_Y, NODE_W};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum What {
    Resource,
    /// A `uri` destination without a `ref`.
    Uri,
    /// An object a reference names that the flow does not hold.
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagramNode {
    /// `Kind/name`, or the URI: also the node's key in the flow's `layout`.
    pub label: String,
    pub kind: String,
    pub name: String,
    pub what: What,
    pub shape: Shape,
}

/// A reference drawn as a wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire {
    /// Stable across edits that keep the reference.
    pub key: String,
    /// The node the wire leaves (events flow from it) and the port there.
    pub from: usize,
    pub from_port: String,
    /// The node the wire enters, at its input.
    pub to: usize,
    /// The node holding the reference, and the field (its port name).
    pub owner: usize,
    pub field: String,
    pub role: Role,
    pub index: Option<usize>,
    pub kind: WireKind,
    /// `<FromKind> <from-name> <field> → <ToKind> <to-name>`, from the holder of the
    /// reference to what it names (`Trigger audit broker → Broker orders`).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagram {
    pub nodes: Vec<DiagramNode>,
    pub wires: Vec<Wire>,
}

impl Diagram {
    /// The nodes and wires of `flow`: its resources in file order, then the URIs and missing
    /// objects its references name.
    pub fn of(flow: &Flow) -> Diagram {
        let g = flow.graph();
        let mut index = std::collections::HashMap::new();
        let mut nodes = Vec::new();
        for r in flow.resources() {
            if let Some(ix) = flow.node_of(&r.id) {
                index.insert(ix, nodes.len());
                nodes.push(DiagramNode {
                    label: r.id.to_string(),
                    kind: r.id.kind.clone(),
                    name: r.id.name.clone(),
                    what: What::Resource,
                    shape: resource_shape(r),
                });
            }
        }
        let mut wires = Vec::new();
        for r in flow.resources() {
            let Some(ix) = flow.node_of(&r.id) else {
                continue;
            };
            let owner = index[&ix];
            let mut edges: Vec<_> = g.edges(ix).collect();
            crate::order::sort_by(&mut edges, |a, b| a.id().index().cmp(&b.id().index()));
            for e in edges {
                let target_ix = e.target();
                let target = match index.get(&target_ix) {
                    Some(t) => *t,
                    None => {
                        let (kind, name, what) = match &g[target_ix] {
                            Node::Uri(u) => ("URI".to_string(), u.clone(), What::Uri),
                            Node::Missing(id) => (id.kind.clone(), id.name.clone(), What::Missing),
                            Node::Resource(r) => {
                                (r.id.kind.clone(), r.id.name.clone(), What::Resource)
                            }
                        };
                        index.insert(target_ix, nodes.len());
                        nodes.push(DiagramNode {
                            label: g[target_ix].label(),
                            kind,
                            name,
                            what,
                            shape: shape::shape(&g[target_ix]),
                        });
                        nodes.len() - 1
                    }
                };
                let edge = e.weight();
                let field = port_name(edge.role, &edge.path);
                let (from, from_port, to) = match edge.role {
                    Role::Broker => (target, "triggers".to_string(), owner),
                    Role::Channel => (target, "subscriptions".to_string(), owner),
                    _ => (owner, field.clone(), target),
                };
                let name = format!(
                    "{} {} {field} → {} {}",
                    nodes[owner].kind, nodes[owner].name, nodes[target].kind, nodes[target].name
                );
                wires.push(Wire {
                    key: format!("{}{}", nodes[owner].label, edge.path),
                    from,
                    from_port,
                    to,
                    owner,
                    field,
                    role: edge.role,
                    index: edge.index,
                    kind: WireKind::of(edge.role),
                    name,
                });
            }
        }
        // Kafka topics join a KafkaSink to the KafkaSources reading it: drawn, never held.
        let at = |label: String| nodes.iter().position(|n: &DiagramNode| n.label == label);
        for (sink, source) in crate::kinds::extensions::topics::topic_links(flow) {
            let (Some(from), Some(to)) = (at(sink.id.to_string()), at(source.id.to_string()))
            else {
                continue;
            };
            wires.push(Wire {
                key: format!("{}#topic→{}", sink.id, source.id),
                from,
                from_port: "topic".into(),
                to,
                owner: from,
                field: "topic".into(),
                role: Role::Reference,
                index: None,
                kind: WireKind::Topic,
                name: format!(
                    "KafkaSink {} topic → KafkaSource {}",
                    sink.id.name, source.id.name
                ),
            });
        }
        Diagram { nodes, wires }
    }

    /// The port a wire leaves from.
    pub fn from_port(&self, w: &Wire) -> Option<&Port> {
        self.nodes[w.from].shape.port(&w.from_port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wires_leave_the_port_named_by_their_field() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../flows/channel.yaml"
        ))
        .unwrap();
        let flow = crate::load_str(&text, "channel.yaml").flow;
        let d = Diagram::of(&flow);
        for w in &d.wires {
            assert!(
                d.from_port(w).is_some(),
                "{}: no port {}",
                w.name,
                w.from_port
            );
        }
        // The URI subscriber is a node of its own.
        assert!(
            d.nodes.iter().any(|n| n.what == What::Uri),
            "{:?}",
            d.nodes.iter().map(|n| &n.label).collect::<Vec<_>>()
        );
        let sub = d
            .wires
            .iter()
            .find(|w| w.role == Role::Channel)
            .expect("a subscription's channel");
        assert_eq!(sub.from_port, "subscriptions");
        assert_eq!(d.nodes[sub.to].kind, "Subscription");
        assert!(sub.name.starts_with("Subscription "), "{}", sub.name);
        assert!(sub.name.contains(" channel → "), "{}", sub.name);
    }
}
