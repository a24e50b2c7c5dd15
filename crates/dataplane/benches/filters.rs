//! Filter speed on one core: compiled CESQL evaluation, a 3-attribute exact filter, and parsing
//! a 1,000-character expression. Run: `cargo bench -p knflow-dataplane --bench filters`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use knflow_cesql::Expression;
use knflow_dataplane::TriggerFilter;
use knflow_model::kinds::TriggerSpec;
use serde_json::json;

/// Runs `f` in batches for about `budget`, 5 times; returns the median rate per second.
fn rate(budget: Duration, mut f: impl FnMut() -> bool) -> f64 {
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < budget {
            for _ in 0..10_000 {
                black_box(f());
            }
            n += 10_000;
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rates[2]
}

fn main() {
    let event: cloudevents::Event = serde_json::from_value(json!({
        "specversion": "1.0", "id": "42", "source": "/shop/checkout", "type": "order.paid",
        "subject": "eu-7", "amount": 250, "region": "eu"
    }))
    .unwrap();
    let budget = Duration::from_millis(400);

    let expr =
        Expression::parse("type = 'order.paid' AND amount > 100 AND subject LIKE 'eu-%'").unwrap();
    assert!(expr.matches(&event));
    let cesql = rate(budget, || expr.matches(black_box(&event)));
    println!("CESQL `type = 'order.paid' AND amount > 100 AND subject LIKE 'eu-%'`: {:.2} M evaluations/s (target >= 5)", cesql / 1e6);

    let spec: TriggerSpec = serde_json::from_value(json!({"filter": {"attributes": {"type": "order.paid", "source": "/shop/checkout", "subject": "eu-7"}}})).unwrap();
    let exact = TriggerFilter::compile(&spec);
    assert!(exact.evaluate(&event).passes());
    let attrs = rate(budget, || exact.evaluate(black_box(&event)).passes());
    println!(
        "3-attribute exact filter (filter.attributes): {:.2} M evaluations/s (target >= 20)",
        attrs / 1e6
    );

    let spec: TriggerSpec = serde_json::from_value(json!({"filters": [{"exact": {"type": "order.paid", "source": "/shop/checkout", "subject": "eu-7"}}]})).unwrap();
    let dialect = TriggerFilter::compile(&spec);
    let d = rate(budget, || dialect.evaluate(black_box(&event)).passes());
    println!(
        "3-attribute `filters: [exact]`: {:.2} M evaluations/s",
        d / 1e6
    );

    let mut long = String::new();
    let mut i = 0;
    while long.len() < 1000 {
        if i > 0 {
            long.push_str(if i % 2 == 0 { " AND " } else { " OR " });
        }
        long.push_str(&format!("(ext{i} = 'value-{i}' OR LENGTH(subject) > {i})"));
        i += 1;
    }
    let long = &long[..long.len()];
    assert!(Expression::parse(long).is_ok());
    let parses = rate(budget, || Expression::parse(black_box(long)).is_ok());
    println!(
        "parse a {}-character expression: {:.1} µs (target < 50)",
        long.len(),
        1e6 / parses
    );
}
