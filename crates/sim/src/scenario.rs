//! Scenarios: routing tests stored in a flow (`scenarios:`), run on the simulator.
//!
//! ```yaml
//! - name: a big paid order is fulfilled
//!   send: { to: Broker/orders, event: { type: order.paid, source: /shop, data: { amount: 250 } } }
//!   behaviors: { Service/fulfil: "fail:503x1" }   # optional, over the flow's simulation section
//!   until: 10m                                   # optional, for sources and long retries
//!   expect:
//!   - delivered: Service/fulfil                  # times: N, within: 2s, with: { type: … }
//!   - not_delivered: Service/audit
//!   - dead_lettered: Service/dlq                 # code: 503
//!   - replied_to: Broker/orders
//! ```

use cloudevents::{AttributesReader, Event};
use knflow_dataplane::HopOutcome;
use knflow_model::Flow;
use serde_json::{json, Map, Value};

use crate::behavior::parse_duration;
use crate::sim::{Options, Simulation, TracedHop};

/// The result of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    pub name: String,
    /// One entry per failed expectation: what was expected, what happened.
    pub failures: Vec<(String, String)>,
    /// A problem with the scenario itself (bad target, bad event).
    pub error: Option<String>,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

/// Builds the CloudEvent a scenario sends: `type` and `source` default, `id` is deterministic,
/// `data` is JSON, every other key is an attribute or extension.
pub fn scenario_event(spec: &Value, index: usize) -> Result<Event, String> {
    let mut m: Map<String, Value> = match spec {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err("`send.event` must be a mapping of CloudEvent attributes".into()),
    };
    m.entry("specversion").or_insert(json!("1.0"));
    m.entry("id").or_insert(json!(format!("scenario-{index}")));
    m.entry("source").or_insert(json!("/kn-flow/test"));
    m.entry("type").or_insert(json!("dev.knflow.test"));
    if m.contains_key("data") {
        m.entry("datacontenttype")
            .or_insert(json!("application/json"));
    }
    for (k, v) in m.iter_mut() {
        // YAML numbers and booleans are fine for extensions; context attributes are strings.
        if matches!(
            k.as_str(),
            "id" | "source" | "type" | "subject" | "specversion"
        ) && !v.is_string()
        {
            *v = Value::String(v.to_string());
        }
    }
    knflow_dataplane::events::from_json(Value::Object(m))
        .map_err(|e| format!("`send.event` is not a valid CloudEvent: {e}"))
}

fn delivered(hops: &[TracedHop], target: &str) -> Vec<TracedHop> {
    hops.iter()
        .filter(|t| {
            &*t.hop.to == target
                && t.hop.attempt.is_some()
                && matches!(
                    t.hop.outcome,
                    HopOutcome::Delivered | HopOutcome::Replied | HopOutcome::DeadLettered
                )
        })
        .cloned()
        .collect()
}

fn attr_text(e: &Event, name: &str) -> Option<String> {
    match name {
        "id" => Some(e.id().to_string()),
        "type" => Some(e.ty().to_string()),
        "source" => Some(e.source().to_string()),
        "subject" => e.subject().map(str::to_string),
        "datacontenttype" => e.datacontenttype().map(str::to_string),
        "specversion" => Some(e.specversion().to_string()),
        other => e.extension(other).map(|v| v.to_string()),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe(hops: &[TracedHop]) -> String {
    if hops.is_empty() {
        return "never delivered".into();
    }
    let times: Vec<String> = hops.iter().map(|t| format!("{} ms", t.time_ms)).collect();
    format!("delivered {} time(s), at {}", hops.len(), times.join(", "))
}

/// The expectation keys a scenario's `expect` entries are made of.
const EXPECTATIONS: [&str; 4] = ["delivered", "not_delivered", "dead_lettered", "replied_to"];

/// Checks what an editor can check before anything runs: each scenario is a map, and each
/// `expect` entry names one known expectation. The error says which scenario and entry.
pub fn check_shape(scenarios: &[Value]) -> Result<(), String> {
    for (i, s) in scenarios.iter().enumerate() {
        let name = s
            .get("name")
            .map(text)
            .unwrap_or_else(|| format!("scenario {}", i + 1));
        if !s.is_object() {
            return Err(format!(
                "scenario {} is not a map (name, send, expect)",
                i + 1
            ));
        }
        let expect = s.get("expect").and_then(Value::as_array);
        for (j, e) in expect.into_iter().flatten().enumerate() {
            if !EXPECTATIONS.iter().any(|k| e.get(k).is_some()) {
                let keys: Vec<&str> = e
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                return Err(format!(
                    "{name}: expect[{j}] has {}: an expectation is one of {}",
                    if keys.is_empty() {
                        "no key".to_string()
                    } else {
                        keys.join(", ")
                    },
                    EXPECTATIONS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// An expectation about a resource the flow does not have (a misspelt name would otherwise
/// make `not_delivered` hold for nothing): `(expected, actual)` saying so.
fn names_what_is_not_there(flow: &Flow, expect: &Value) -> Option<(String, String)> {
    let (key, target) = EXPECTATIONS
        .into_iter()
        .find_map(|k| Some((k, text(expect.get(k)?))))?;
    if target.contains("://") {
        return None;
    }
    let there = knflow_model::ResourceId::parse(&target).is_some_and(|id| flow.get(&id).is_some());
    (!there).then(|| {
        (
            format!("{} {target}", key.replace('_', " ")),
            format!("{target} is not in this flow (a resource is named Kind/name)"),
        )
    })
}

/// Checks one expectation against a trace; `Err((expected, actual))` when it does not hold.
fn check(expect: &Value, trace: &[TracedHop]) -> Result<(), (String, String)> {
    let get = |k: &str| expect.get(k);
    if let Some(target) = get("delivered").map(text) {
        let mut hits = delivered(trace, &target);
        let mut wanted = format!("delivered to {target}");
        if let Some(with) = get("with").and_then(Value::as_object) {
            wanted.push_str(&format!(" with {}", Value::Object(with.clone())));
            hits.retain(|t| {
                with.iter()
                    .all(|(k, v)| attr_text(&t.hop.event, k).as_deref() == Some(text(v).as_str()))
            });
        }
        if let Some(within) = get("within").map(text) {
            let ms = parse_duration(&within).map_err(|e| (wanted.clone(), e))?;
            wanted.push_str(&format!(" within {within}"));
            hits.retain(|t| t.time_ms <= ms);
        }
        return match get("times").and_then(Value::as_u64) {
            Some(n) if hits.len() as u64 != n => {
                Err((format!("{wanted} {n} time(s)"), describe(&hits)))
            }
            None if hits.is_empty() => Err((wanted, describe(&delivered(trace, &target)))),
            _ => Ok(()),
        };
    }
    if let Some(target) = get("not_delivered").map(text) {
        let hits = delivered(trace, &target);
        return if hits.is_empty() {
            Ok(())
        } else {
            Err((format!("not delivered to {target}"), describe(&hits)))
        };
    }
    if let Some(target) = get("dead_lettered").map(text) {
        let hits: Vec<_> = trace
            .iter()
            .filter(|t| *t.hop.to == *target && t.hop.outcome == HopOutcome::DeadLettered)
            .collect();
        let Some(first) = hits.first() else {
            return Err((
                format!("dead-lettered to {target}"),
                "nothing was dead-lettered there".into(),
            ));
        };
        if let Some(code) = get("code").map(text) {
            let got = first
                .hop
                .event
                .extension("knativeerrorcode")
                .map(|v| v.to_string())
                .unwrap_or_default();
            if got != code {
                return Err((
                    format!("dead-lettered to {target} with knativeerrorcode {code}"),
                    format!("knativeerrorcode {got}"),
                ));
            }
        }
        return Ok(());
    }
    if let Some(target) = get("replied_to").map(text) {
        let repliers: Vec<&str> = trace
            .iter()
            .filter(|t| t.hop.outcome == HopOutcome::Replied)
            .map(|t| &*t.hop.to)
            .collect();
        let hit = trace
            .iter()
            .any(|t| *t.hop.to == *target && repliers.contains(&&*t.hop.from));
        return if hit {
            Ok(())
        } else {
            Err((
                format!("a reply sent to {target}"),
                "no reply reached it".into(),
            ))
        };
    }
    Err((
        "a known expectation (delivered, not_delivered, dead_lettered or replied_to)".into(),
        format!("{expect}"),
    ))
}

/// Runs every scenario of a flow.
pub fn run_all(flow: &Flow, seed: u64) -> Vec<ScenarioResult> {
    flow.scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| run_one(flow, s, i, seed))
        .collect()
}

/// Runs what a scenario sends (`send`, `behaviors`, `until`) and returns the finished
/// simulation; the designer's Send form runs its event this way too.
pub fn simulate(
    flow: &Flow,
    scenario: &Value,
    index: usize,
    seed: u64,
) -> Result<Simulation, String> {
    let to = scenario
        .pointer("/send/to")
        .map(text)
        .ok_or("`send.to` is missing")?;
    let behaviors: crate::sim::Behaviors = scenario
        .get("behaviors")
        .and_then(Value::as_object)
        .map(|m| knflow_model::order::map(m.iter().map(|(k, v)| (k.clone(), text(v)))))
        .unwrap_or_default();
    let until = scenario
        .get("until")
        .map(text)
        .map(|u| parse_duration(&u))
        .transpose()
        .map_err(|e| format!("until: {e}"))?;
    let event = scenario
        .pointer("/send/event")
        .map(|e| scenario_event(e, index))
        .transpose()?;
    let opts = Options {
        seed,
        until_ms: until,
        behaviors,
        ..Options::default()
    };
    let mut sim = Simulation::new(flow, opts)?;
    sim.send(flow, &to, event)?;
    sim.run();
    Ok(sim)
}

pub fn run_one(flow: &Flow, scenario: &Value, index: usize, seed: u64) -> ScenarioResult {
    let name = scenario
        .get("name")
        .map(text)
        .unwrap_or_else(|| format!("scenario {}", index + 1));
    let sim = match simulate(flow, scenario, index, seed) {
        Ok(sim) => sim,
        Err(e) => {
            return ScenarioResult {
                name,
                failures: vec![],
                error: Some(e),
            }
        }
    };
    let failures = scenario
        .get("expect")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| names_what_is_not_there(flow, e).or_else(|| check(e, sim.trace()).err()))
        .collect();
    ScenarioResult {
        name,
        failures,
        error: None,
    }
}

/// A scenario that sends `event` to `to` with `behaviors` (and `until`, for a source's run)
/// and expects what `trace` shows happened: every target reached, how many times; dead
/// letters; targets that were tried but never reached. Run again, it passes — until the flow
/// routes differently ("Save as scenario" in the designer).
pub fn from_run(
    name: &str,
    to: &str,
    event: Option<Value>,
    behaviors: &crate::sim::Behaviors,
    until: Option<&str>,
    trace: &[TracedHop],
) -> Value {
    let mut targets: Vec<&str> = Vec::new();
    for t in trace.iter().filter(|t| t.hop.attempt.is_some()) {
        if !targets.contains(&&*t.hop.to) {
            targets.push(&t.hop.to);
        }
    }
    let mut expect = Vec::new();
    for target in targets {
        let hits = delivered(trace, target).len();
        if hits == 0 {
            expect.push(json!({ "not_delivered": target }));
            continue;
        }
        expect.push(json!({ "delivered": target, "times": hits }));
        if trace
            .iter()
            .any(|t| &*t.hop.to == target && t.hop.outcome == HopOutcome::DeadLettered)
        {
            expect.push(json!({ "dead_lettered": target }));
        }
    }
    let mut send = json!({ "to": to });
    if let Some(e) = event {
        send["event"] = e;
    }
    let mut s = json!({ "name": name, "send": send });
    if !behaviors.is_empty() {
        s["behaviors"] = Value::Object(
            behaviors
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect(),
        );
    }
    if let Some(u) = until {
        s["until"] = json!(u);
    }
    s["expect"] = Value::Array(expect);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// URL-typed attributes go through `url`, whose IDNA back end is the ASCII-only one (see
    /// knflow-cesql's Cargo.toml): an international host name is accepted in punycode and
    /// refused, with the attribute named, in Unicode.
    #[test]
    fn dataschema_host_names_are_ascii_or_punycode() {
        let event = |schema: &str| scenario_event(&json!({ "dataschema": schema }), 0);
        let ok = event("https://xn--bcher-kva.example/order.json").unwrap();
        assert_eq!(
            ok.dataschema().map(|u| u.as_str()),
            Some("https://xn--bcher-kva.example/order.json")
        );
        let err = event("https://bücher.example/order.json").unwrap_err();
        assert!(err.contains("dataschema"), "{err}");
        assert!(err.contains("punycode"), "{err}");
    }
}
