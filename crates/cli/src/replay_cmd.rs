//! `kn-flow test FLOW --replay RECORD.jsonl`: events `kn-flow run --record` kept, replayed
//! through the simulator; where each went, and with `--save-scenarios` the outcomes seen kept as
//! the flow's scenarios, so that a change in routing fails `kn-flow test`.

use std::path::Path;

use knflow_sim::scenario;
use serde_json::{json, Value};

use crate::{exit, files};

/// One recorded event and the ingress it came in by (`Broker/orders`).
struct Recorded {
    line: usize,
    to: String,
    event: Value,
}

/// The record's lines: `{"to": "Broker/orders", "event": {…}}` as `kn-flow run --record`
/// writes them. An error names the line.
fn read(path: &Path) -> Result<Vec<Recorded>, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let mut out = Vec::new();
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value =
            serde_json::from_str(l).map_err(|e| format!("{name}:{}: not JSON: {e}", i + 1))?;
        let (Some(to), Some(event)) = (v["to"].as_str(), v.get("event")) else {
            return Err(format!(
                "{name}:{}: expected {{\"to\": \"Broker/NAME\", \"event\": {{…}}}} as `kn-flow run --record` writes",
                i + 1
            ));
        };
        knflow_dataplane::events::from_json(event.clone())
            .map_err(|e| format!("{name}:{}: event: {e}", i + 1))?;
        out.push(Recorded {
            line: i + 1,
            to: to.to_string(),
            event: event.clone(),
        });
    }
    Ok(out)
}

/// What a replayed event's run shows: each target reached (and how often), dead letters.
fn summary(s: &Value) -> String {
    let parts: Vec<String> = s["expect"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            if let Some(t) = e["delivered"].as_str() {
                match e["times"].as_u64() {
                    Some(n) if n > 1 => format!("delivered to {t} ×{n}"),
                    _ => format!("delivered to {t}"),
                }
            } else if let Some(t) = e["not_delivered"].as_str() {
                format!("never delivered to {t}")
            } else if let Some(t) = e["dead_lettered"].as_str() {
                format!("dead-lettered at {t}")
            } else {
                e.to_string()
            }
        })
        .collect();
    if parts.is_empty() {
        "went nowhere".into()
    } else {
        parts.join(", ")
    }
}

pub fn run(flow_path: &Path, record: &Path, save: bool, seed: u64) -> u8 {
    let result = (|| -> Result<(usize, usize), String> {
        let mut flow = files::load_clean(flow_path)?;
        let recorded = read(record)?;
        let mut failed = 0;
        let mut added = Vec::new();
        for r in &recorded {
            let ty = r.event["type"].as_str().unwrap_or("?");
            let id = r.event["id"].as_str().unwrap_or("?");
            let name = format!("replay of {ty} {id} (record line {})", r.line);
            let spec = json!({"name": name, "send": {"to": r.to, "event": r.event}});
            match scenario::simulate(&flow, &spec, r.line, seed) {
                Ok(sim) => {
                    let s = scenario::from_run(
                        &name,
                        &r.to,
                        Some(r.event.clone()),
                        &Default::default(),
                        None,
                        sim.trace(),
                    );
                    println!("{id} ({ty}) into {}: {}", r.to, summary(&s));
                    added.push(s);
                }
                Err(e) => {
                    failed += 1;
                    println!("{id} ({ty}) into {}: not sent: {e}", r.to);
                }
            }
        }
        if save && !added.is_empty() {
            let n = added.len();
            flow.scenarios.extend(added);
            files::write_atomic(flow_path, &knflow_model::flowfile::save_string(&flow))
                .map_err(|e| format!("{}: cannot write: {e}", flow_path.display()))?;
            println!("\nsaved {n} scenarios to {}", flow_path.display());
        }
        Ok((recorded.len(), failed))
    })();
    match result {
        Ok((n, 0)) => {
            println!("\n{n} events replayed");
            exit::OK
        }
        Ok((n, failed)) => {
            println!("\n{n} events replayed, {failed} could not be sent");
            exit::PROBLEMS
        }
        Err(e) => {
            eprintln!("kn-flow: {e}");
            exit::USAGE
        }
    }
}
