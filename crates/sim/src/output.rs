//! Traces as JSON (`{"hops": [...], "summary": {...}}`) and as a readable timeline.

use serde_json::{json, Value};

use crate::sim::{Simulation, TracedHop};

pub fn hop_json(t: &TracedHop) -> Value {
    let mut v = t.hop.to_json();
    // `time_ms` first: traces read in time order.
    let mut out = serde_json::Map::new();
    out.insert("time_ms".into(), json!(t.time_ms));
    out.extend(v.as_object_mut().map(std::mem::take).unwrap_or_default());
    Value::Object(out)
}

pub fn to_json(sim: &Simulation) -> Value {
    let mut v = json!({
        "hops": sim.trace().iter().map(hop_json).collect::<Vec<_>>(),
        "summary": sim.summary(),
    });
    if let Some(why) = &sim.stopped_early {
        v["stopped_early"] = json!(why);
    }
    v
}

fn outcome_text(t: &TracedHop) -> String {
    serde_json::to_value(t.hop.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn to_table(sim: &Simulation) -> String {
    use cloudevents::AttributesReader;
    let mut out = String::new();
    for t in sim.trace() {
        let h = &t.hop;
        let status = h
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".into());
        let attempt = h.attempt.map(|a| format!(" #{a}")).unwrap_or_default();
        let via = h
            .via
            .as_ref()
            .map(|v| format!(" via {v}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>9} ms  {} → {}{via}{attempt}  {status} {}  [{} {}]",
            t.time_ms,
            h.from,
            h.to,
            outcome_text(t),
            h.event.ty(),
            h.event.id()
        ));
        if let Some(n) = &h.note {
            out.push_str(&format!("  — {n}"));
        }
        out.push('\n');
    }
    out.push_str("\nsummary:\n");
    out.push_str(&format!(
        "  {:<40} {:>8} {:>9} {:>8} {:>7} {:>6} {:>13} {:>7} {:>11}\n",
        "resource",
        "received",
        "delivered",
        "filtered",
        "retried",
        "failed",
        "dead-lettered",
        "dropped",
        "max latency"
    ));
    for (k, c) in sim.summary() {
        out.push_str(&format!(
            "  {:<40} {:>8} {:>9} {:>8} {:>7} {:>6} {:>13} {:>7} {:>8} ms\n",
            k,
            c.received,
            c.delivered,
            c.filtered,
            c.retried,
            c.failed,
            c.dead_lettered,
            c.dropped,
            c.max_latency_ms
        ));
    }
    if let Some(why) = &sim.stopped_early {
        out.push_str(&format!("\n{why}\n"));
    }
    out
}
