//! `kn-flow match`: does an event pass a trigger's filter, and why.

use std::path::Path;

use knflow_dataplane::{FilterResult, TriggerFilter};
use knflow_model::kinds::{Spec, TriggerSpec};
use serde_json::Value;

use crate::{events, exit, files};

/// Reads a filter from a Trigger manifest, a Trigger `spec`, or an object with `filter` and/or
/// `filters` (YAML or JSON).
fn read_filter(path: &Path) -> Result<TriggerSpec, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut docs = knflow_model::yaml::parse_documents(&text)
        .map_err(|e| format!("{}:{e}", path.display()))?;
    docs.retain(|d| !d.value.is_null());
    let [doc] = docs.as_slice() else {
        return Err(format!(
            "{}: expected one document with a Trigger or a filter",
            path.display()
        ));
    };
    let v = &doc.value;
    let spec = if v.get("kind").and_then(Value::as_str) == Some("Trigger") {
        v.get("spec").cloned().unwrap_or(Value::Null)
    } else {
        v.clone()
    };
    if !spec.is_object()
        || (spec.get("filter").is_none()
            && spec.get("filters").is_none()
            && spec.get("broker").is_none())
    {
        return Err(format!("{}: no `filter` or `filters` found (give a Trigger, its spec, or an object with filter/filters)", path.display()));
    }
    serde_json::from_value(spec)
        .map_err(|e| format!("{}: not a valid trigger filter: {e}", path.display()))
}

fn print_explanation(
    filter: &TriggerFilter,
    event: &serde_json::Map<String, Value>,
    indent: &str,
) -> FilterResult {
    let e = filter.explain(event);
    for step in &e.steps {
        println!("{indent}{step}");
    }
    e.result
}

pub fn run_filter(filter: &Path, event: &Path, explain: bool) -> u8 {
    let (spec, event) = match (read_filter(filter), events::read_event(event)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let compiled = TriggerFilter::compile(&spec);
    let result = compiled.evaluate(&event);
    println!("{}", if result.passes() { "pass" } else { "fail" });
    if explain {
        print_explanation(&compiled, &event, "  ");
    }
    if result.passes() {
        exit::OK
    } else {
        exit::PROBLEMS
    }
}

pub fn run_flow(flow: &Path, event: &Path, broker: Option<&str>) -> u8 {
    let loaded_flow = match files::load_clean(flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let event = match events::read_event(event) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let mut any = false;
    let mut seen = 0;
    for r in loaded_flow.resources() {
        let Some(Spec::Trigger(t)) = &r.spec else {
            continue;
        };
        let on = t
            .broker
            .as_deref()
            .or(t.broker_ref.as_ref().and_then(|b| b.name.as_deref()))
            .unwrap_or("?");
        if broker.is_some_and(|b| b != on) {
            continue;
        }
        seen += 1;
        let f = TriggerFilter::compile(t);
        let result = f.evaluate(&event);
        any |= result.passes();
        println!(
            "{} (broker {on}): {}",
            r.id,
            if result.passes() { "pass" } else { "fail" }
        );
        print_explanation(&f, &event, "  ");
    }
    if seen == 0 {
        eprintln!(
            "kn-flow: no triggers{} in {}",
            broker
                .map(|b| format!(" on broker {b}"))
                .unwrap_or_default(),
            flow.display()
        );
        return exit::USAGE;
    }
    if any {
        exit::OK
    } else {
        exit::PROBLEMS
    }
}
