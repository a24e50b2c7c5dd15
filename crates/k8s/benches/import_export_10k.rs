//! Import + layout of a 10,000-resource YAML file, and export of the same flow.
//! Run: `cargo bench -p knflow-k8s --bench import_export_10k`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use knflow_k8s::export::{self, Options};
use knflow_model::{flowfile, layout};

/// 400 brokers, each with 20 triggers and 4 services, as plain multi-document Knative YAML.
fn generate() -> String {
    let mut s = String::new();
    for b in 0..400 {
        write!(s, "---\napiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: broker-{b}\n  namespace: bench\n").unwrap();
        for k in 0..4 {
            write!(s, "---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: sink-{b}-{k}\n  namespace: bench\nspec:\n  template:\n    spec:\n      containers:\n      - image: example/sink:{k}\n").unwrap();
        }
        for t in 0..20 {
            write!(s, "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: trigger-{b}-{t}\n  namespace: bench\nspec:\n  broker: broker-{b}\n  filter:\n    attributes:\n      type: order.{t}\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: sink-{b}-{}\n", t % 4).unwrap();
        }
    }
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let text = generate();
    let (mut import, mut exp) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let loaded = flowfile::merge("big", vec![knflow_model::load_str(&text, "big.yaml")]);
        let mut flow = loaded.flow;
        layout::auto_layout(&mut flow);
        import.push(t.elapsed());
        assert_eq!(flow.len(), 10_000);
        let t = Instant::now();
        let ms = export::manifests(&flow, &Options::default());
        let out = export::to_yaml(&flow, &ms);
        exp.push(t.elapsed());
        assert!(out.len() > text.len() / 2);
    }
    println!(
        "import + layout of 10,000 resources ({} KiB of YAML): median {:?} (target < 1 s)",
        text.len() / 1024,
        median(import)
    );
    println!(
        "export of the same flow to YAML: median {:?} (target < 300 ms)",
        median(exp)
    );
}
