//! Load + validate + lint a generated flow of 10,000 resources (brokers, triggers, sinks).
//! Reports the median wall time of each phase and the peak heap in use, measured with a
//! counting allocator. Run: `cargo bench -p knflow-model --bench load_10k`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

/// 400 brokers, each with 20 triggers and 4 sinks: 10,000 resources.
fn generate() -> String {
    let mut s = String::from("apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: big\n  namespace: bench\nresources:\n");
    let mut layout = String::from("layout:\n");
    for b in 0..400 {
        write!(s, "- apiVersion: eventing.knative.dev/v1\n  kind: Broker\n  metadata:\n    name: broker-{b}\n  spec:\n    delivery:\n      retry: 3\n      backoffPolicy: exponential\n      backoffDelay: PT0.2S\n      deadLetterSink:\n        ref:\n          apiVersion: serving.knative.dev/v1\n          kind: Service\n          name: sink-{b}-0\n").unwrap();
        writeln!(
            layout,
            "  Broker/broker-{b}:\n    x: {}\n    y: {}",
            300,
            b * 600
        )
        .unwrap();
        for k in 0..4 {
            write!(s, "- apiVersion: serving.knative.dev/v1\n  kind: Service\n  metadata:\n    name: sink-{b}-{k}\n  spec:\n    template:\n      spec:\n        containers:\n        - image: example/sink:{k}\n").unwrap();
        }
        for t in 0..20 {
            let filter = match t % 3 {
                0 => format!("    filter:\n      attributes:\n        type: order.{t}\n        source: /shop/{b}\n"),
                1 => format!("    filters:\n    - prefix:\n        type: order.\n    - exact:\n        subject: s{t}\n"),
                _ => format!("    filters:\n    - cesql: \"type = 'order.{t}' AND amount > {t}\"\n"),
            };
            write!(s, "- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata:\n    name: trigger-{b}-{t}\n  spec:\n    broker: broker-{b}\n{filter}    subscriber:\n      ref:\n        apiVersion: serving.knative.dev/v1\n        kind: Service\n        name: sink-{b}-{}\n", 1 + t % 3).unwrap();
            writeln!(
                layout,
                "  Trigger/trigger-{b}-{t}:\n    x: 600\n    y: {}",
                b * 600 + t * 30
            )
            .unwrap();
        }
    }
    s + &layout
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let text = generate();
    let iterations = 7;
    let (mut load, mut check, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut parse, mut tokenize) = (Vec::new(), Vec::new());
    let mut peak = 0;
    let mut counts = (0, 0);
    for _ in 0..iterations {
        let te = Instant::now();
        assert!(saphyr_parser::Parser::new_from_str(&text).count() > 0);
        tokenize.push(te.elapsed());
        let tp = Instant::now();
        drop(knflow_model::yaml::parse_documents(&text).unwrap());
        parse.push(tp.elapsed());
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t0 = Instant::now();
        let loaded = knflow_model::load_str(&text, "big.yaml");
        let t1 = Instant::now();
        let diags = knflow_model::check(&loaded, Default::default());
        let t2 = Instant::now();
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        counts = (loaded.flow.len(), diags.len());
        load.push(t1 - t0);
        check.push(t2 - t1);
        total.push(t2 - t0);
        drop((loaded, diags));
    }
    assert_eq!(counts.0, 10_000, "the generated flow has 10,000 resources");
    println!(
        "flow: {} resources, {} KiB of YAML, {} diagnostics",
        counts.0,
        text.len() / 1024,
        counts.1
    );
    println!(
        "  YAML events only (saphyr-parser):  median {:?}",
        median(tokenize)
    );
    println!(
        "  YAML to positioned JSON trees:     median {:?}",
        median(parse)
    );
    println!(
        "load (parse + typed model + graph): median {:?}",
        median(load)
    );
    println!(
        "validate + lint:                    median {:?}",
        median(check)
    );
    println!(
        "total:                              median {:?} (target < 200 ms)",
        median(total)
    );
    println!(
        "peak heap during load + check:      {:.1} MB (target < 100 MB)",
        peak as f64 / 1e6
    );
}
