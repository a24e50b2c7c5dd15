//! The automatic layout on the example flows and on generated flows of 50, 200 and 1,000
//! nodes: no two nodes overlap, no wire runs through a node it does not start or end at, every
//! wire leaves the port named by its field, the output is the same every time, and crossings
//! stay at what a layered layout finds (pinned for the examples).

use knflow_model::diagram::{route, Diagram, What};
use knflow_model::layout;
use knflow_model::Point;

fn example(name: &str) -> knflow_model::Flow {
    let text =
        std::fs::read_to_string(format!("{}/../../flows/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    knflow_model::load_str(&text, name).flow
}

/// Checks the picture's rules; returns the drawn crossings.
fn check(what: &str, d: &Diagram, positions: &[Point], route_check: bool) -> usize {
    let boxes = layout::boxes(d, positions);
    // No overlaps (a sweep over boxes sorted by x keeps this fast for big flows).
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|a, b| boxes[*a].x0.total_cmp(&boxes[*b].x0));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].x0 >= boxes[i].x1 {
                break;
            }
            let (a, b) = (boxes[i], boxes[j]);
            assert!(
                !(a.y0 < b.y1 && b.y0 < a.y1),
                "{what}: {} overlaps {}",
                d.nodes[i].label,
                d.nodes[j].label
            );
        }
    }
    for w in &d.wires {
        assert!(
            d.from_port(w).is_some(),
            "{what}: {} leaves no port named {}",
            w.name,
            w.from_port
        );
    }
    if !route_check {
        return 0;
    }
    let routes = layout::routes(d, positions);
    for (k, (path, from, _)) in routes.iter().enumerate() {
        let w = &d.wires[k];
        let port = d.from_port(w).unwrap();
        let at = (positions[*from].x + port.x, positions[*from].y + port.y);
        assert_eq!(path.start, at, "{what}: {} starts at its port", w.name);
    }
    if let Some((p, b)) = route::through_boxes(&routes, &boxes) {
        panic!(
            "{what}: {} runs through {}: {}",
            d.wires[p].name,
            d.nodes[b].label,
            routes[p].0.svg()
        );
    }
    let paths: Vec<route::Path> = routes.into_iter().map(|r| r.0).collect();
    route::crossings(&paths)
}

#[test]
fn examples_lay_out_cleanly() {
    // Crossings a layered layout leaves on each example (an ordering that removes them would
    // need a wire to turn back).
    for (name, most) in [
        ("hello-ping.yaml", 0),
        ("orders.yaml", 0),
        ("channel.yaml", 1),
        ("parallel.yaml", 1),
        ("sequence.yaml", 0),
        ("cluster-events.yaml", 1),
    ] {
        let flow = example(name);
        let d = Diagram::of(&flow);
        let l = layout::layout(&d);
        let drawn = check(name, &d, &l.positions, true);
        assert!(
            drawn <= most,
            "{name}: {drawn} crossings, at most {most} expected"
        );
        assert_eq!(layout::layout(&d), l, "{name}: deterministic");
        // Dead-letter sinks that only take dead letters sit below their sender.
        for w in d
            .wires
            .iter()
            .filter(|w| w.role == knflow_model::Role::DeadLetterSink)
        {
            let only = d.wires.iter().filter(|v| v.to == w.to).count() == 1;
            if only {
                let (o, t) = (l.positions[w.from], l.positions[w.to]);
                assert!(
                    t.y > o.y && t.x == o.x,
                    "{name}: {} below its sender",
                    d.nodes[w.to].label
                );
            }
        }
    }
}

#[test]
fn the_examples_layouts_are_the_auto_layouts() {
    // Stored layouts are what Auto layout makes, so opening an example looks as tidy.
    for name in [
        "hello-ping.yaml",
        "orders.yaml",
        "channel.yaml",
        "parallel.yaml",
        "sequence.yaml",
        "cluster-events.yaml",
    ] {
        let flow = example(name);
        let d = Diagram::of(&flow);
        let l = layout::layout(&d);
        for (n, p) in d.nodes.iter().zip(&l.positions) {
            assert_eq!(
                flow.layout.get(&n.label),
                Some(p),
                "{name}: {} (run `kn-flow fmt --relayout flows/{name}`)",
                n.label
            );
        }
    }
}

#[test]
fn uri_destinations_are_nodes() {
    let flow = example("channel.yaml");
    let d = Diagram::of(&flow);
    let uri = d
        .nodes
        .iter()
        .position(|n| n.what == What::Uri)
        .expect("a URI node");
    assert!(d.wires.iter().any(|w| w.to == uri));
}

/// A flow of about `n` nodes: sources into brokers with triggers fanning out to services
/// (with dead-letter sinks), channels with subscriptions, and Sequences and Parallels.
fn generated(n: usize) -> String {
    let mut y = String::from("apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata: {name: gen, namespace: gen}\nresources:\n");
    let mut count = 0;
    let mut g = 0;
    let res = |y: &mut String, api: &str, kind: &str, name: String, spec: String| {
        y.push_str(&format!(
            "- apiVersion: {api}\n  kind: {kind}\n  metadata: {{name: {name}}}\n{spec}"
        ));
    };
    let svc = |s: &str| {
        format!("{{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: {s}}}}}")
    };
    while count < n {
        match g % 3 {
            0 => {
                let b = format!("b{g}");
                res(&mut y, "sources.knative.dev/v1", "PingSource", format!("p{g}"), format!("  spec:\n    schedule: '* * * * *'\n    sink: {{ref: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: {b}}}}}\n"));
                res(
                    &mut y,
                    "eventing.knative.dev/v1",
                    "Broker",
                    b.clone(),
                    format!(
                        "  spec:\n    delivery: {{deadLetterSink: {}}}\n",
                        svc(&format!("dls{g}"))
                    ),
                );
                res(
                    &mut y,
                    "serving.knative.dev/v1",
                    "Service",
                    format!("dls{g}"),
                    String::new(),
                );
                count += 3;
                for t in 0..4 {
                    res(
                        &mut y,
                        "eventing.knative.dev/v1",
                        "Trigger",
                        format!("t{g}-{t}"),
                        format!(
                            "  spec:\n    broker: {b}\n    subscriber: {}\n",
                            svc(&format!("s{g}-{t}"))
                        ),
                    );
                    res(
                        &mut y,
                        "serving.knative.dev/v1",
                        "Service",
                        format!("s{g}-{t}"),
                        String::new(),
                    );
                    count += 2;
                }
            }
            1 => {
                res(
                    &mut y,
                    "messaging.knative.dev/v1",
                    "InMemoryChannel",
                    format!("c{g}"),
                    String::new(),
                );
                count += 1;
                for s in 0..3 {
                    res(&mut y, "messaging.knative.dev/v1", "Subscription", format!("sub{g}-{s}"), format!("  spec:\n    channel: {{apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: c{g}}}\n    subscriber: {}\n    reply: {}\n", svc(&format!("w{g}-{s}")), svc(&format!("r{g}"))));
                    res(
                        &mut y,
                        "serving.knative.dev/v1",
                        "Service",
                        format!("w{g}-{s}"),
                        String::new(),
                    );
                    count += 2;
                }
                res(
                    &mut y,
                    "serving.knative.dev/v1",
                    "Service",
                    format!("r{g}"),
                    String::new(),
                );
                count += 1;
            }
            _ => {
                let steps: Vec<String> = (0..3)
                    .map(|i| format!("    - {}\n", svc(&format!("q{g}-{i}"))))
                    .collect();
                res(
                    &mut y,
                    "flows.knative.dev/v1",
                    "Sequence",
                    format!("seq{g}"),
                    format!(
                        "  spec:\n    steps:\n{}    reply: {}\n",
                        steps.concat(),
                        svc(&format!("par-in{g}"))
                    ),
                );
                res(
                    &mut y,
                    "serving.knative.dev/v1",
                    "Service",
                    format!("par-in{g}"),
                    String::new(),
                );
                count += 2;
                for i in 0..3 {
                    res(
                        &mut y,
                        "serving.knative.dev/v1",
                        "Service",
                        format!("q{g}-{i}"),
                        String::new(),
                    );
                    count += 1;
                }
                let branches: Vec<String> = (0..2)
                    .map(|i| {
                        format!(
                            "    - filter: {}\n      subscriber: {}\n",
                            svc(&format!("f{g}-{i}")),
                            svc(&format!("h{g}-{i}"))
                        )
                    })
                    .collect();
                res(
                    &mut y,
                    "flows.knative.dev/v1",
                    "Parallel",
                    format!("par{g}"),
                    format!("  spec:\n    branches:\n{}", branches.concat()),
                );
                count += 1;
                for i in 0..2 {
                    res(
                        &mut y,
                        "serving.knative.dev/v1",
                        "Service",
                        format!("f{g}-{i}"),
                        String::new(),
                    );
                    res(
                        &mut y,
                        "serving.knative.dev/v1",
                        "Service",
                        format!("h{g}-{i}"),
                        String::new(),
                    );
                    count += 2;
                }
            }
        }
        g += 1;
    }
    y
}

#[test]
fn generated_flows_lay_out_cleanly() {
    for n in [50, 200, 1000] {
        let text = generated(n);
        let loaded = knflow_model::load_str(&text, "gen.yaml");
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics.first());
        let d = Diagram::of(&loaded.flow);
        let l = layout::layout(&d);
        let drawn = check(&format!("{n} nodes"), &d, &l.positions, n <= 200);
        // The drawing adds no crossing to those the ordering left.
        assert!(
            drawn <= l.crossings,
            "{n} nodes: {drawn} drawn, {} ordered",
            l.crossings
        );
        println!(
            "{n} nodes ({} in the diagram, {} wires): {} crossings between layers, {drawn} drawn",
            d.nodes.len(),
            d.wires.len(),
            l.crossings
        );
        assert_eq!(layout::layout(&d), l, "{n} nodes: deterministic");
    }
}
