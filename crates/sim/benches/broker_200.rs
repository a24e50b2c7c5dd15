//! A broker with 200 triggers (attribute, prefix and CESQL filters) and 100,000 events:
//! simulated deliveries per second, compared in the same run with a bare loop that only evaluates
//! the same compiled filters over the same events; and the peak heap for 10,000 vs 100,000 events
//! (it must not grow with the length of the simulation).
//! Run: `cargo bench -p knflow-sim --bench broker_200`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cloudevents::{Event, EventBuilder, EventBuilderV10};
use knflow_dataplane::TriggerFilter;
use knflow_model::kinds::Spec;
use knflow_sim::{Options, Simulation};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn flow() -> knflow_model::Flow {
    let mut s = String::from("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b}\nspec: {delivery: {retry: 0}}\n");
    for t in 0..200 {
        let filter = match t % 3 {
            0 => format!("  filter: {{attributes: {{type: type-{}}}}}\n", t % 20),
            1 => format!("  filters: [{{prefix: {{type: type-{}}}}}]\n", t % 20),
            _ => format!(
                "  filters: [{{cesql: \"type = 'type-{}' AND seq > 10\"}}]\n",
                t % 20
            ),
        };
        write!(s, "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {{name: t{t}}}\nspec:\n  broker: b\n{filter}  subscriber: {{uri: 'http://sink-{}.x'}}\n", t % 10).unwrap();
    }
    let l = knflow_model::load_str(&s, "bench.yaml");
    assert!(!l.has_errors());
    l.flow
}

fn event(i: usize) -> Event {
    EventBuilderV10::new()
        .id(format!("e{i}"))
        .ty(format!("type-{}", i % 20))
        .source("/bench")
        .extension("seq", i as i64)
        .build()
        .unwrap()
}

/// Runs `events` events through the simulator in batches of 1,000; returns (deliveries, seconds,
/// peak heap bytes above the start).
fn simulate(f: &knflow_model::Flow, events: usize) -> (usize, f64, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut sim = Simulation::new(
        f,
        Options {
            keep_trace: false,
            max_deliveries: usize::MAX,
            ..Options::default()
        },
    )
    .unwrap();
    let start = Instant::now();
    for batch in 0..events / 1000 {
        for i in 0..1000 {
            sim.send(f, "Broker/b", Some(event(batch * 1000 + i)))
                .unwrap();
        }
        sim.run();
    }
    let secs = start.elapsed().as_secs_f64();
    (sim.deliveries(), secs, PEAK.load(Ordering::Relaxed) - base)
}

fn main() {
    let f = flow();
    let filters: Vec<TriggerFilter> = f
        .resources()
        .filter_map(|r| match &r.spec {
            Some(Spec::Trigger(t)) => Some(TriggerFilter::compile(t)),
            _ => None,
        })
        .collect();
    assert_eq!(filters.len(), 200);

    let (deliveries, secs, _) = simulate(&f, 100_000);
    // The bare loop builds the same events and evaluates the same filters, nothing else.
    let start = Instant::now();
    let mut passes = 0usize;
    for i in 0..100_000 {
        let e = event(i);
        for flt in &filters {
            passes += black_box(flt.evaluate(&e)).passes() as usize;
        }
    }
    let bare = start.elapsed().as_secs_f64();
    assert_eq!(
        passes, deliveries,
        "the simulator delivers exactly what the filters pass"
    );
    println!("100,000 events, 200 triggers: {deliveries} simulated deliveries in {secs:.2} s = {:.2} M deliveries/s (target >= 1)", deliveries as f64 / secs / 1e6);
    println!("bare filter loop over the same events: {bare:.2} s; simulation / bare = {:.2} (target <= 2)", secs / bare);

    let (_, _, small) = simulate(&f, 10_000);
    let (_, _, large) = simulate(&f, 100_000);
    println!("peak heap: {:.1} MB for 10,000 events, {:.1} MB for 100,000 events (must not grow with length)", small as f64 / 1e6, large as f64 / 1e6);
}
