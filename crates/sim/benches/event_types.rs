//! The event-type analysis of large flows (issue 21: a 10,000-resource flow in under 100 ms):
//! brokers each with producers declared on them, PingSources, EventTypes, triggers with exact,
//! prefix and CESQL filters, and services, some replying into the broker. Prints the median and
//! worst of several runs, and what the analysis found (so a broken analysis shows).
//!
//! Run: `cargo bench -p knflow-sim --bench event_types`.

use std::fmt::Write;
use std::time::{Duration, Instant};

/// A flow of `brokers` × 50 resources: a broker, 4 PingSources, 5 EventTypes, 20 triggers and
/// 20 services (every fifth replying with a new type).
fn flow(brokers: usize) -> knflow_model::Flow {
    let mut s = String::new();
    for b in 0..brokers {
        write!(s, "---\napiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b{b}\n  annotations:\n    knflow.dev/produces: order.created, order.paid, order.shipped\n").unwrap();
        for p in 0..4 {
            write!(s, "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {{name: p{b}-{p}}}\nspec:\n  schedule: '* * * * *'\n  sink: {{ref: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: b{b}}}}}\n").unwrap();
        }
        for e in 0..5 {
            write!(s, "---\napiVersion: eventing.knative.dev/v1beta3\nkind: EventType\nmetadata: {{name: e{b}-{e}}}\nspec:\n  reference: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: b{b}}}\n  attributes:\n  - {{name: type, value: type-{e}, required: true}}\n").unwrap();
        }
        for t in 0..20 {
            let filter = match t % 3 {
                0 => format!("  filters: [{{exact: {{type: type-{}}}}}]\n", t % 5),
                1 => "  filters: [{prefix: {type: order.}}]\n".to_string(),
                _ => format!(
                    "  filters: [{{cesql: \"type = 'type-{}' AND seq > 10\"}}]\n",
                    t % 5
                ),
            };
            write!(s, "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {{name: t{b}-{t}}}\nspec:\n  broker: b{b}\n{filter}  subscriber: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: s{b}-{t}}}}}\n").unwrap();
            let replies = if t % 5 == 0 {
                format!("\n  annotations:\n    knflow.dev/replies: reply-{t}")
            } else {
                String::new()
            };
            write!(s, "---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: s{b}-{t}{replies}\nspec:\n  template:\n    spec:\n      containers:\n      - image: example.com/s\n").unwrap();
        }
    }
    let l = knflow_model::load_str(&s, "bench.yaml");
    assert!(
        !l.has_errors(),
        "{:?}",
        &l.diagnostics[..3.min(l.diagnostics.len())]
    );
    l.flow
}

fn main() {
    for brokers in [20, 200] {
        let f = flow(brokers);
        let n = f.resources().count();
        let mut times: Vec<Duration> = Vec::new();
        let mut found = (0, 0);
        for _ in 0..9 {
            let t = Instant::now();
            let a = knflow_sim::event_types(&f);
            times.push(t.elapsed());
            found = (
                a.arrivals.values().map(|m| m.len()).sum::<usize>(),
                a.triggers.iter().map(|t| t.matches.len()).sum::<usize>(),
            );
        }
        let t = Instant::now();
        let _ = knflow_dataplane::routes::Routes::compile(&f);
        let routes = t.elapsed();
        let t = Instant::now();
        let lints = knflow_sim::event_type_lints(&f).len();
        let with_lints = t.elapsed();
        times.sort();
        println!(
            "{n} resources: analysis median {:.1} ms, worst {:.1} ms (of which the routing table {:.1} ms); with lints {:.1} ms; {} patterns at brokers, {} trigger decisions, {lints} findings",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            routes.as_secs_f64() * 1e3,
            with_lints.as_secs_f64() * 1e3,
            found.0,
            found.1,
        );
    }
}
