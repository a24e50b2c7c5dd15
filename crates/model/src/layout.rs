//! Automatic layered layout: sources left, sinks right, routing in between, nothing overlapping.
//! Used by import and by the editor's "Auto layout".
//!
//! Columns come from what a resource is (its palette category and role), rows from the order of
//! its neighbours in the previous column (the barycenter heuristic), so wires mostly run left to
//! right without crossing.

use std::collections::HashMap;

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::flow::{Flow, Point};
use crate::kinds::{Category, Spec};
use crate::resource::Resource;

/// Spacing of the grid, in editor units.
pub const COLUMN_WIDTH: f64 = 280.0;
pub const ROW_HEIGHT: f64 = 120.0;

fn column(r: &Resource) -> usize {
    match (&r.spec, r.info.map(|i| i.category)) {
        (_, Some(Category::Sources)) => 0,
        (Some(Spec::Broker(_) | Spec::Channel(_) | Spec::InMemoryChannel(_)), _) => 1,
        (Some(Spec::Trigger(_) | Spec::Subscription(_)), _) => 2,
        (_, Some(Category::Flows)) => 3,
        (_, Some(Category::Sinks)) => 4,
        (_, Some(Category::Registry)) => 5,
        // Workloads, config and RBAC: beside the sources they feed.
        _ => 0,
    }
}

/// Positions every resource of the flow (replacing what `layout` had for them).
pub fn auto_layout(flow: &mut Flow) {
    let mut columns: Vec<Vec<(String, usize)>> = vec![Vec::new(); 6];
    for (i, r) in flow.resources().enumerate() {
        columns[column(r)].push((r.id.to_string(), i));
    }
    // Rows: each node goes to the mean row of its neighbours in earlier columns (the barycenter),
    // pushed down as needed so that nodes never overlap; nodes without such neighbours follow,
    // Knative sources before other objects, in file order.
    let mut row: HashMap<String, f64> = HashMap::new();
    let graph = flow.graph();
    for col in columns.iter() {
        let mut keyed: Vec<(f64, bool, usize, String)> = col
            .iter()
            .map(|(id, file_order)| {
                let ix = crate::ResourceId::parse(id).and_then(|rid| flow.node_of(&rid));
                let neighbours: Vec<f64> = ix
                    .into_iter()
                    .flat_map(|ix| {
                        graph
                            .edges_directed(ix, Direction::Outgoing)
                            .map(|e| e.target())
                            .chain(
                                graph
                                    .edges_directed(ix, Direction::Incoming)
                                    .map(|e| e.source()),
                            )
                    })
                    .filter_map(|n| row.get(&graph[n].label()).copied())
                    .collect();
                let key = if neighbours.is_empty() {
                    f64::MAX
                } else {
                    neighbours.iter().sum::<f64>() / neighbours.len() as f64
                };
                let not_knative = ix
                    .and_then(|ix| graph[ix].resource())
                    .is_none_or(|r| r.info.is_none());
                (key, not_knative, *file_order, id.clone())
            })
            .collect();
        crate::order::sort_by(&mut keyed, |a, b| {
            a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        let mut next = 0.0f64;
        for (key, _, _, id) in keyed {
            let r = if key == f64::MAX { next } else { key.max(next) };
            row.insert(id, r);
            next = r + 1.0;
        }
    }
    // In one go: the map is a sorted vector, which one insert at a time would keep shifting.
    let row = &row;
    let placed = std::mem::take(&mut flow.layout).into_tuple_vec();
    flow.layout = crate::order::map(
        placed
            .into_iter()
            .chain(columns.iter().enumerate().flat_map(|(c, col)| {
                col.iter().map(move |(id, _)| {
                    let p = Point {
                        x: c as f64 * COLUMN_WIDTH,
                        y: (row[id] * ROW_HEIGHT).round(),
                    };
                    (id.clone(), p)
                })
            })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_left_sinks_right_no_overlap() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../flows/cluster-events.yaml"
        ))
        .unwrap();
        let mut flow = crate::load_str(&text, "x").flow;
        flow.layout.clear();
        auto_layout(&mut flow);
        let x = |id: &str| flow.layout.get(id).unwrap().x;
        assert!(x("ApiServerSource/k8s-events") < x("Broker/ops"));
        assert!(x("Broker/ops") < x("Trigger/warnings-to-pager"));
        assert!(x("Trigger/warnings-to-pager") < x("Service/pager"));
        assert_eq!(flow.layout.len(), flow.len());
        let mut seen = std::collections::HashSet::new();
        for p in flow.layout.values() {
            assert!(seen.insert((p.x as i64, p.y as i64)), "two nodes at {p:?}");
        }
    }
}
