//! Automatic layered layout, Sugiyama's four phases (the way dagre and ELK lay out graphs):
//!
//! 1. **Cycles** are broken by turning back the edges a depth-first search finds going back.
//! 2. **Layers**: the longest path from the sources, events flowing left to right; a node that
//!    only feeds others moves next to what it feeds. Parallel branches (filter, subscriber,
//!    reply), Sequence steps and a Subscription's subscriber and reply are chained by edges that
//!    are not drawn, so each branch reads as a row and each step takes the next column. A node
//!    that only receives dead letters sits right below the node that sends them.
//! 3. **Order** within each layer: wires longer than one layer get a place in every layer they
//!    cross (a "dummy" node, later the gap the wire runs through); barycentre sweeps down and up,
//!    with each wire's end at its port, then swaps of neighbours that remove crossings (counted
//!    layer by layer with Barth–Mutzel–Jünger's method); the best order seen is kept.
//! 4. **Coordinates**: columns per layer; in each layer the nodes keep their order and the
//!    spacing they need and otherwise sit as close as possible (least squares, solved exactly by
//!    pooling adjacent violators) to the ports their wires come from, then to where their wires
//!    go, a few rounds.
//!
//! Nodes without any wire go in rows below. Used by import and by the designer's Auto layout.

use std::collections::HashMap;

use crate::diagram::route::{self, Obstacles, Rect};
use crate::diagram::{Diagram, Side, WireKind, INPUT_Y, NODE_W};
use crate::flow::{Flow, Point};
use crate::refs::Role;

/// Horizontal space between layers (curves turn and wires bend there).
pub const LAYER_GAP: f64 = 48.0;
/// Vertical space between nodes of a layer.
pub const NODE_GAP: f64 = 26.0;
/// Between a node and a wire passing it, and between two such wires.
const WIRE_GAP: f64 = 14.0;
const SWEEPS: usize = 24;

/// Where the layout puts each node of a diagram (top-left corners, by node index).
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub positions: Vec<Point>,
    /// Crossings between adjacent layers of the chosen order (ports counted), the number the
    /// ordering phase minimised.
    pub crossings: usize,
}

/// Positions every node of the flow: its resources and the URIs and missing objects it names
/// (all of `layout`, which is replaced).
pub fn auto_layout(flow: &mut Flow) {
    let d = Diagram::of(flow);
    let l = layout(&d);
    flow.layout = crate::order::map(
        d.nodes
            .iter()
            .zip(&l.positions)
            .map(|(n, p)| (n.label.clone(), *p)),
    );
}

/// The boxes of a diagram's nodes at `positions`, in node order.
pub fn boxes(d: &Diagram, positions: &[Point]) -> Vec<Rect> {
    d.nodes
        .iter()
        .zip(positions)
        .map(|(n, p)| Rect::new(p.x, p.y, n.shape.w, n.shape.h))
        .collect()
}

/// What routing needs of each wire with the nodes at `positions` (in wire order).
pub fn route_specs(d: &Diagram, positions: &[Point]) -> Vec<route::Spec> {
    let boxes = boxes(d, positions);
    d.wires
        .iter()
        .map(|w| {
            let (s, side) = match d.from_port(w) {
                Some(p) => (
                    (positions[w.from].x + p.x, positions[w.from].y + p.y),
                    p.side,
                ),
                None => (
                    (positions[w.from].x + NODE_W, positions[w.from].y + INPUT_Y),
                    Side::Right,
                ),
            };
            route::Spec {
                s,
                side,
                t: (positions[w.to].x, positions[w.to].y + INPUT_Y),
                target: boxes[w.to],
                from: w.from,
                to: w.to,
            }
        })
        .collect()
}

/// Every wire's path with the nodes at `positions` (in wire order), with its two nodes.
pub fn routes(d: &Diagram, positions: &[Point]) -> Vec<(route::Path, usize, usize)> {
    let obstacles = Obstacles::new(boxes(d, positions));
    let specs = route_specs(d, positions);
    route::route_all(&specs, &obstacles)
        .into_iter()
        .zip(&specs)
        .map(|(p, s)| (p, s.from, s.to))
        .collect()
}

/// Crossings of the wires as drawn with the nodes at `positions`.
pub fn drawn_crossings(d: &Diagram, positions: &[Point]) -> usize {
    let paths: Vec<route::Path> = routes(d, positions).into_iter().map(|r| r.0).collect();
    route::crossings(&paths)
}

/// An edge the layout works with: real (a wire) or a chain edge that is not drawn.
#[derive(Clone, Copy)]
struct Link {
    from: usize,
    to: usize,
    /// Where it leaves `from` as a fraction of its height (ports order the ends).
    out: f64,
    /// Drawn (a wire) or only ordering the layers.
    drawn: bool,
}

/// Lays out a diagram.
pub fn layout(d: &Diagram) -> Layout {
    let n = d.nodes.len();
    let mut links: Vec<Link> = Vec::new();
    let mut dead_letters: Vec<(usize, usize)> = Vec::new();
    for w in &d.wires {
        if w.from == w.to {
            continue;
        }
        let shape = &d.nodes[w.from].shape;
        let out = d.from_port(w).map_or(0.5, |p| {
            if p.side == Side::Bottom {
                1.0
            } else {
                p.y / shape.h
            }
        });
        if w.kind == WireKind::DeadLetter {
            dead_letters.push((w.from, w.to));
        }
        links.push(Link {
            from: w.from,
            to: w.to,
            out,
            drawn: true,
        });
    }
    links.extend(chains(d));

    // A node that receives nothing but dead letters and sends nothing rides below its first
    // sender.
    let mut attached: Vec<Option<usize>> = vec![None; n];
    for &(owner, dls) in &dead_letters {
        let only_dead = links
            .iter()
            .filter(|l| l.to == dls)
            .all(|l| dead_letters.contains(&(l.from, l.to)));
        let sends = links.iter().any(|l| l.from == dls);
        if only_dead && !sends && attached[dls].is_none() && attached[owner].is_none() {
            attached[dls] = Some(owner);
        }
    }
    let links: Vec<Link> = links
        .into_iter()
        .filter(|l| attached[l.to] != Some(l.from))
        .collect();
    let connected: Vec<bool> = (0..n)
        .map(|v| links.iter().any(|l| l.from == v || l.to == v))
        .collect();

    let forward = break_cycles(n, &links);
    let layer = assign_layers(n, &links, &forward, &connected, &attached);
    let layers = layer.iter().filter_map(|l| *l).max().map_or(0, |m| m + 1);

    // Items per layer: nodes, then dummies for each drawn link over more than one layer.
    let mut items: Vec<Item> = Vec::new();
    let mut of_node: Vec<Option<usize>> = vec![None; n];
    let heights = block_heights(d, &attached);
    for v in 0..n {
        if let Some(l) = layer[v] {
            of_node[v] = Some(items.len());
            items.push(Item {
                layer: l,
                node: Some(v),
                h: heights[v],
            });
        }
    }
    // Segments between adjacent layers: (upper item, its port fraction, lower item, its
    // input fraction).
    let mut segments: Vec<Seg> = Vec::new();
    for l in &links {
        let (Some(a), Some(b)) = (of_node[l.from], of_node[l.to]) else {
            continue;
        };
        let (la, lb) = (items[a].layer, items[b].layer);
        if lb <= la {
            continue; // drawn back to the left: routed around, not ordered
        }
        if lb == la + 1 {
            segments.push(Seg {
                up: a,
                out: l.out,
                down: b,
                weight: 1.0,
                drawn: l.drawn,
            });
            continue;
        }
        if !l.drawn {
            continue;
        }
        let mut prev = (a, l.out);
        for layer in la + 1..lb {
            let dummy = items.len();
            items.push(Item {
                layer,
                node: None,
                h: 0.0,
            });
            segments.push(Seg {
                up: prev.0,
                out: prev.1,
                down: dummy,
                weight: 1.0,
                drawn: true,
            });
            prev = (dummy, 0.5);
        }
        segments.push(Seg {
            up: prev.0,
            out: prev.1,
            down: b,
            weight: 1.0,
            drawn: true,
        });
    }
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, it) in items.iter().enumerate() {
        order[it.layer].push(i);
    }
    let order = minimise_crossings(&items, &segments, order);
    let crossings = count_all(&items, &segments, &order);
    let ys = coordinates(d, &items, &segments, &order);

    let mut positions = vec![Point { x: 0.0, y: 0.0 }; n];
    let column = |l: usize| l as f64 * (NODE_W + LAYER_GAP);
    let mut bottom = 0.0f64;
    for (i, it) in items.iter().enumerate() {
        if let Some(v) = it.node {
            positions[v] = Point {
                x: column(it.layer),
                y: ys[i],
            };
            bottom = bottom.max(ys[i] + it.h);
        }
    }
    // Dead-letter sinks below their senders, in node order.
    let mut below: HashMap<usize, f64> = HashMap::new();
    for v in 0..n {
        if let (Some(owner), None) = (attached[v], layer[v]) {
            let o = positions[owner];
            let done = below
                .entry(owner)
                .or_insert(d.nodes[owner].shape.h + NODE_GAP);
            positions[v] = Point {
                x: o.x,
                y: o.y + *done,
            };
            *done += d.nodes[v].shape.h + NODE_GAP;
        }
    }
    // Nodes with no wire: rows below, as wide as the layers.
    let per_row = layers.max(4);
    let mut k = 0;
    let top = if items.is_empty() {
        0.0
    } else {
        bottom + 2.0 * NODE_GAP
    };
    let mut row_h = 0.0f64;
    let mut row_y = top;
    for v in 0..n {
        if layer[v].is_none() && attached[v].is_none() {
            if k > 0 && k % per_row == 0 {
                row_y += row_h + NODE_GAP;
                row_h = 0.0;
            }
            positions[v] = Point {
                x: column(k % per_row),
                y: row_y,
            };
            row_h = row_h.max(d.nodes[v].shape.h);
            k += 1;
        }
    }
    let min_y = positions.iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
    if min_y.is_finite() {
        for p in &mut positions {
            p.y = (p.y - min_y).round();
            p.x = p.x.round();
        }
    }
    Layout {
        positions,
        crossings,
    }
}

/// Each node's height with the dead-letter sinks riding below it.
fn block_heights(d: &Diagram, attached: &[Option<usize>]) -> Vec<f64> {
    let mut h: Vec<f64> = d.nodes.iter().map(|n| n.shape.h).collect();
    for (v, owner) in attached.iter().enumerate() {
        if let Some(o) = owner {
            h[*o] += NODE_GAP + d.nodes[v].shape.h;
        }
    }
    h
}

/// Edges that are not drawn but order the layers: a Parallel branch's filter → subscriber →
/// its reply (its own, else the Parallel's); a Sequence's steps in turn, then its reply; a
/// Subscription's subscriber → its reply.
fn chains(d: &Diagram) -> Vec<Link> {
    let mut by_owner: HashMap<usize, Vec<(&str, usize)>> = HashMap::new();
    for w in &d.wires {
        if w.role != Role::DeadLetterSink && w.role != Role::Broker && w.role != Role::Channel {
            by_owner
                .entry(w.owner)
                .or_default()
                .push((w.field.as_str(), w.to));
        }
    }
    let mut out = Vec::new();
    let mut chain = |seq: &[usize]| {
        for p in seq.windows(2) {
            if p[0] != p[1] {
                out.push(Link {
                    from: p[0],
                    to: p[1],
                    out: 0.5,
                    drawn: false,
                });
            }
        }
    };
    let mut owners: Vec<_> = by_owner.into_iter().collect();
    crate::order::sort_by(&mut owners, |a, b| a.0.cmp(&b.0));
    for (owner, fields) in owners {
        let get = |f: &str| fields.iter().find(|(n, _)| *n == f).map(|(_, t)| *t);
        match d.nodes[owner].kind.as_str() {
            "Parallel" => {
                let reply = get("reply");
                let branches = d.nodes[owner]
                    .shape
                    .ports
                    .iter()
                    .filter(|p| p.group.is_some())
                    .count();
                // A branch's replies go to its own reply, else to the Parallel's.
                for i in 0..branches {
                    let field = |f: &str| get(&format!("branches[{i}].{f}"));
                    let seq: Vec<usize> = [
                        field("filter"),
                        field("subscriber"),
                        field("reply").or(reply),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    chain(&seq);
                }
            }
            "Sequence" => {
                let mut seq: Vec<usize> =
                    (0..).map_while(|i| get(&format!("steps[{i}]"))).collect();
                seq.extend(get("reply"));
                chain(&seq);
            }
            "Subscription" => {
                let seq: Vec<usize> = [get("subscriber"), get("reply")]
                    .into_iter()
                    .flatten()
                    .collect();
                chain(&seq);
            }
            _ => {}
        }
    }
    out
}

/// Which links point forward once the cycles are broken: a depth-first search from every node
/// in order turns back each link that closes a cycle.
fn break_cycles(n: usize, links: &[Link]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, l) in links.iter().enumerate() {
        out[l.from].push(k);
    }
    let mut forward = vec![true; links.len()];
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            if let Some(&k) = out[v].get(*next) {
                *next += 1;
                let w = links[k].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => forward[k] = false,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    forward
}

/// Longest path from the sources over the forward links (reversed links count reversed);
/// then a node that only feeds others moves right, next to the first of them. `None` for
/// nodes without links and for dead-letter sinks riding below their sender.
fn assign_layers(
    n: usize,
    links: &[Link],
    forward: &[bool],
    connected: &[bool],
    attached: &[Option<usize>],
) -> Vec<Option<usize>> {
    let placed = |v: usize| connected[v] && attached[v].is_none();
    let dag: Vec<(usize, usize)> = links
        .iter()
        .zip(forward)
        .filter(|(l, _)| l.from != l.to)
        .map(|(l, f)| if *f { (l.from, l.to) } else { (l.to, l.from) })
        .filter(|(a, b)| placed(*a) && placed(*b))
        .collect();
    let mut preds = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &dag {
        preds[b] += 1;
        succ[a].push(b);
    }
    let mut layer = vec![0usize; n];
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|v| placed(*v) && preds[*v] == 0).collect();
    let mut topo = Vec::new();
    while let Some(v) = queue.pop_front() {
        topo.push(v);
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            preds[w] -= 1;
            if preds[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    let mut has_pred = vec![false; n];
    for &(_, b) in &dag {
        has_pred[b] = true;
    }
    for &v in topo.iter().rev() {
        if !has_pred[v] {
            if let Some(m) = succ[v].iter().map(|w| layer[*w]).min() {
                layer[v] = m.saturating_sub(1);
            }
        }
    }
    (0..n).map(|v| placed(v).then_some(layer[v])).collect()
}

struct Item {
    layer: usize,
    node: Option<usize>,
    h: f64,
}

#[derive(Clone, Copy)]
struct Seg {
    up: usize,
    /// Port fraction at the upper end.
    out: f64,
    down: usize,
    weight: f64,
    /// Part of a wire (chain links order layers but are not drawn, so their crossings do not
    /// count).
    drawn: bool,
}

/// The input fraction of an item (where wires enter it).
fn input_at(items: &[Item], i: usize, d_heights: &dyn Fn(usize) -> f64) -> f64 {
    match items[i].node {
        Some(v) => INPUT_Y / d_heights(v),
        None => 0.5,
    }
}

/// The layers a sweep visits: down from the second, or up from the last but one (the first
/// and last follow their only neighbour).
fn sweep_order(layers: usize, down: bool) -> Vec<usize> {
    if down {
        (1..layers).collect()
    } else {
        (0..layers.saturating_sub(1)).rev().collect()
    }
}

/// Barycentre sweeps and transpositions; keeps the order with the fewest crossings.
fn minimise_crossings(items: &[Item], segs: &[Seg], mut order: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let layers = order.len();
    let mut pos = vec![0usize; items.len()];
    let reindex = |order: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for layer in order {
            for (k, &i) in layer.iter().enumerate() {
                pos[i] = k;
            }
        }
    };
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut downs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (k, s) in segs.iter().enumerate() {
        ups[s.down].push(k);
        downs[s.up].push(k);
    }
    reindex(&order, &mut pos);
    let mut best = order.clone();
    let mut best_count = count_all(items, segs, &order);
    for sweep in 0..SWEEPS {
        if best_count == 0 {
            break;
        }
        let down = sweep % 2 == 0;
        for l in sweep_order(layers, down) {
            let mut keyed: Vec<(f64, usize, usize)> = order[l]
                .iter()
                .map(|&i| {
                    let (sum, w) = if down {
                        ups[i].iter().fold((0.0, 0.0), |(s, w), &k| {
                            let g = &segs[k];
                            (s + g.weight * (pos[g.up] as f64 + g.out), w + g.weight)
                        })
                    } else {
                        downs[i].iter().fold((0.0, 0.0), |(s, w), &k| {
                            let g = &segs[k];
                            (s + g.weight * (pos[g.down] as f64 + 0.5), w + g.weight)
                        })
                    };
                    let key = if w > 0.0 {
                        sum / w
                    } else {
                        pos[i] as f64 + 0.5
                    };
                    (key, pos[i], i)
                })
                .collect();
            crate::order::sort_by(&mut keyed, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[l] = keyed.into_iter().map(|k| k.2).collect();
            for (k, &i) in order[l].iter().enumerate() {
                pos[i] = k;
            }
        }
        transpose(&mut order, &mut pos, segs, &ups, &downs);
        let c = count_all(items, segs, &order);
        if c < best_count {
            best_count = c;
            best = order.clone();
        }
    }
    best
}

/// Swaps neighbours in a layer while that removes crossings with both adjacent layers.
fn transpose(
    order: &mut [Vec<usize>],
    pos: &mut [usize],
    segs: &[Seg],
    ups: &[Vec<usize>],
    downs: &[Vec<usize>],
) {
    // Crossings between the wires of a and b (a above b) on both sides.
    let pair = |pos: &[usize], a: usize, b: usize| -> usize {
        let mut c = 0;
        for &ka in &ups[a] {
            for &kb in &ups[b] {
                let (pa, pb) = (
                    pos[segs[ka].up] as f64 + segs[ka].out,
                    pos[segs[kb].up] as f64 + segs[kb].out,
                );
                if pa > pb {
                    c += 1;
                }
            }
        }
        for &ka in &downs[a] {
            for &kb in &downs[b] {
                if pos[segs[ka].down] > pos[segs[kb].down] {
                    c += 1;
                }
            }
        }
        c
    };
    for _ in 0..4 {
        let mut improved = false;
        for layer in order.iter_mut() {
            for k in 0..layer.len().saturating_sub(1) {
                let (a, b) = (layer[k], layer[k + 1]);
                if pair(pos, a, b) > pair(pos, b, a) {
                    layer.swap(k, k + 1);
                    pos[a] = k + 1;
                    pos[b] = k;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings between all adjacent layers of an order (ports counted): for each pair of
/// layers, the inversions of the lower ends once the segments are sorted by their upper ends.
fn count_all(items: &[Item], segs: &[Seg], order: &[Vec<usize>]) -> usize {
    let mut pos = vec![0usize; items.len()];
    for layer in order {
        for (k, &i) in layer.iter().enumerate() {
            pos[i] = k;
        }
    }
    let mut by_layer: Vec<Vec<(f64, f64)>> = vec![Vec::new(); order.len()];
    for s in segs.iter().filter(|s| s.drawn) {
        by_layer[items[s.up].layer].push((pos[s.up] as f64 + s.out, pos[s.down] as f64));
    }
    by_layer
        .into_iter()
        .map(|mut ends| {
            crate::order::sort_by(&mut ends, |a, b| {
                a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
            });
            let mut lower: Vec<f64> = ends.into_iter().map(|e| e.1).collect();
            inversions(&mut lower)
        })
        .sum()
}

/// Pairs i < j with v[j] < v[i] (merge sort).
fn inversions(v: &mut [f64]) -> usize {
    if v.len() < 2 {
        return 0;
    }
    let mid = v.len() / 2;
    let mut n = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(v.len());
    let (mut i, mut j) = (0, mid);
    while i < mid && j < v.len() {
        if v[j] < v[i] {
            n += mid - i;
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..]);
    v.copy_from_slice(&merged);
    n
}

/// Tops of the items: each layer keeps its order and spacing and otherwise follows the
/// wires, alternately towards where they come from and where they go.
fn coordinates(d: &Diagram, items: &[Item], segs: &[Seg], order: &[Vec<usize>]) -> Vec<f64> {
    let heights = |v: usize| d.nodes[v].shape.h;
    let mut y = vec![0.0f64; items.len()];
    for layer in order {
        let mut at = 0.0;
        for (k, &i) in layer.iter().enumerate() {
            if k > 0 {
                at += gap(items, layer[k - 1], i);
            }
            y[i] = at;
            at += items[i].h;
        }
    }
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut downs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (k, s) in segs.iter().enumerate() {
        ups[s.down].push(k);
        downs[s.up].push(k);
    }
    // Where a segment attaches, from the item's top.
    let out_y = |s: &Seg| match items[s.up].node {
        Some(v) => s.out * heights(v),
        None => 0.0,
    };
    let in_y = |i: usize| input_at(items, i, &heights) * items[i].node.map_or(0.0, heights);
    let layers = order.len();
    for round in 0..8 {
        let down = round % 2 == 0;
        for l in sweep_order(layers, down) {
            let wanted: Vec<(f64, f64)> = order[l]
                .iter()
                .map(|&i| {
                    let (sum, w) = if down {
                        ups[i].iter().fold((0.0, 0.0), |(s, w), &k| {
                            let g = &segs[k];
                            (s + y[g.up] + out_y(g) - in_y(i), w + 1.0)
                        })
                    } else {
                        downs[i].iter().fold((0.0, 0.0), |(s, w), &k| {
                            let g = &segs[k];
                            (s + y[g.down] + in_y(g.down) - out_y(g), w + 1.0)
                        })
                    };
                    if w > 0.0 {
                        (sum / w, w)
                    } else {
                        (y[i], 0.1)
                    }
                })
                .collect();
            let tops = pool(items, &order[l], &wanted);
            for (k, &i) in order[l].iter().enumerate() {
                y[i] = tops[k];
            }
        }
    }
    y
}

/// Space kept between two neighbours in a layer.
fn gap(items: &[Item], a: usize, b: usize) -> f64 {
    match (items[a].node, items[b].node) {
        (Some(_), Some(_)) => NODE_GAP,
        _ => WIRE_GAP,
    }
}

/// The tops closest (least squares, weighted) to `wanted` that keep the layer's order and
/// spacing: pool adjacent violators on the offsets.
fn pool(items: &[Item], layer: &[usize], wanted: &[(f64, f64)]) -> Vec<f64> {
    // Offsets of each item from the first if they were packed tight.
    let mut offset = vec![0.0; layer.len()];
    for k in 1..layer.len() {
        offset[k] = offset[k - 1] + items[layer[k - 1]].h + gap(items, layer[k - 1], layer[k]);
    }
    // Blocks of (weight, weighted sum, count) with non-decreasing means.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for k in 0..layer.len() {
        let (want, w) = wanted[k];
        blocks.push((w, w * (want - offset[k]), 1));
        while blocks.len() > 1 {
            let b = blocks[blocks.len() - 1];
            let a = blocks[blocks.len() - 2];
            if a.1 / a.0 <= b.1 / b.0 {
                break;
            }
            blocks.pop();
            let last = blocks.last_mut().expect("two blocks");
            *last = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    let mut out = Vec::with_capacity(layer.len());
    let mut k = 0;
    for (w, s, c) in blocks {
        let z = s / w;
        for _ in 0..c {
            out.push(z + offset[k]);
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Flow {
        let text =
            std::fs::read_to_string(format!("{}/../../flows/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        crate::load_str(&text, name).flow
    }

    #[test]
    fn sources_left_sinks_right_no_overlap() {
        let mut flow = example("cluster-events.yaml");
        flow.layout.clear();
        auto_layout(&mut flow);
        let x = |id: &str| flow.layout.get(id).unwrap().x;
        assert!(x("ApiServerSource/k8s-events") < x("Broker/ops"));
        assert!(x("Broker/ops") < x("Trigger/warnings-to-pager"));
        assert!(x("Trigger/warnings-to-pager") < x("Service/pager"));
        assert!(flow.layout.len() >= flow.len());
    }

    #[test]
    fn pool_keeps_order_and_spacing() {
        let items: Vec<Item> = (0..3)
            .map(|_| Item {
                layer: 0,
                node: Some(0),
                h: 10.0,
            })
            .collect();
        // All want 0: packed around it.
        let tops = pool(&items, &[0, 1, 2], &[(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)]);
        let step = 10.0 + NODE_GAP;
        assert_eq!(tops, vec![-step, 0.0, step]);
        // Far apart wishes are granted.
        let tops = pool(
            &items,
            &[0, 1, 2],
            &[(0.0, 1.0), (100.0, 1.0), (300.0, 1.0)],
        );
        assert_eq!(tops, vec![0.0, 100.0, 300.0]);
    }

    #[test]
    fn inversions_count_crossings() {
        assert_eq!(inversions(&mut [0.0, 1.0, 2.0]), 0);
        assert_eq!(inversions(&mut [2.0, 1.0, 0.0]), 3);
        assert_eq!(inversions(&mut [1.0, 1.0]), 0);
    }
}
