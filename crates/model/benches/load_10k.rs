//! Load + validate + lint a generated flow of 10,000 resources (brokers, triggers, sinks).
//! Reports the median wall time of each phase and, from one more run, the peak heap in use,
//! measured with a counting allocator. Run: `cargo bench -p knflow-model --bench load_10k`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;

/// Counting is off while timing: two threads updating the same counters on every allocation
/// would slow both down, which the real program does not pay.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed while counting (negative when freeing older memory).
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            let size = l.size() as isize;
            let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        if COUNTING.load(Ordering::Relaxed) {
            CURRENT.fetch_sub(l.size() as isize, Ordering::Relaxed);
        }
    }
}

/// The most heap in use at once during `f`, beyond what was in use before it.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    CURRENT.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let out = f();
    COUNTING.store(false, Ordering::Relaxed);
    (out, PEAK.load(Ordering::Relaxed).max(0) as usize)
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

/// Median and minimum: on a shared machine the minimum is the run least disturbed.
fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "median {:.1} ms, min {:.1} ms",
        ms(v[v.len() / 2]),
        ms(v[0])
    )
}

fn main() {
    let text = generate();
    let iterations = 11;
    let (mut load, mut check, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut parse, mut tokenize) = (Vec::new(), Vec::new());
    let (mut validate, mut lint) = (Vec::new(), Vec::new());
    let mut counts = (0, 0);
    for _ in 0..iterations {
        let te = Instant::now();
        assert!(saphyr_parser::Parser::new_from_str(&text).count() > 0);
        tokenize.push(te.elapsed());
        let tp = Instant::now();
        drop(knflow_model::yaml::parse_documents(&text).unwrap());
        parse.push(tp.elapsed());
        let t0 = Instant::now();
        let loaded = knflow_model::load_str(&text, "big.yaml");
        let t1 = Instant::now();
        let diags = knflow_model::check(&loaded, Default::default());
        let t2 = Instant::now();
        // The two halves of checking, for where the time goes (outside the total).
        let tv = Instant::now();
        drop(knflow_model::validate::validate(
            &loaded.flow,
            Default::default(),
        ));
        validate.push(tv.elapsed());
        let tl = Instant::now();
        drop(knflow_model::lint::lint(&loaded.flow));
        lint.push(tl.elapsed());
        counts = (loaded.flow.len(), diags.len());
        load.push(t1 - t0);
        check.push(t2 - t1);
        total.push(t2 - t0);
        drop((loaded, diags));
    }
    let (_, peak) = peak_heap(|| {
        let loaded = knflow_model::load_str(&text, "big.yaml");
        let diags = knflow_model::check(&loaded, Default::default());
        (loaded, diags)
    });
    assert_eq!(counts.0, 10_000, "the generated flow has 10,000 resources");
    println!(
        "flow: {} resources, {} KiB of YAML, {} diagnostics",
        counts.0,
        text.len() / 1024,
        counts.1
    );
    println!("  YAML events only (saphyr-parser):  {}", stats(tokenize));
    println!("  YAML to positioned JSON trees:     {}", stats(parse));
    println!("load (parse + typed model + graph): {}", stats(load));
    println!("validate + lint:                    {}", stats(check));
    println!("  validate:                         {}", stats(validate));
    println!("  lint:                             {}", stats(lint));
    println!(
        "total:                              {} (target < 200 ms)",
        stats(total)
    );
    println!(
        "peak heap during load + check:      {:.1} MB (target < 100 MB)",
        peak as f64 / 1e6
    );
}
