//! The CESQL conformance suite: every case of every file in `../shared/reference/cesql-tck`
//! (read at test time, never copied into the repository), asserting value and error kind exactly.

use std::collections::BTreeSet;
use std::path::PathBuf;

use knflow_cesql::{Expression, Value};
use serde_json::{json, Map};

fn tck_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KNFLOW_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        })
        .join("cesql-tck");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping the CESQL TCK cases",
            dir.display()
        );
        None
    }
}

fn expected_value(v: &serde_json::Value) -> Value<'static> {
    match v {
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => Value::Integer(n.as_i64().unwrap() as i32),
        serde_json::Value::String(s) => Value::String(s.clone().into()),
        other => panic!("unexpected TCK result {other}"),
    }
}

/// A plain YAML scalar such as `TRUE` or `-10` reads as a bool or number: its text is what the
/// TCK means (CESQL keywords are case-insensitive).
fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn every_tck_case_passes() {
    let Some(dir) = tck_dir() else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let (mut total, mut failures) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let doc = knflow_model::yaml::parse_documents(&text)
            .unwrap()
            .remove(0)
            .value;
        for case in doc["tests"].as_array().unwrap() {
            total += 1;
            let name = format!("{} / {}", text_of(&doc["name"]), text_of(&case["name"]));
            let expr_text = text_of(&case["expression"]);
            let expr = expr_text.as_str();
            let want_error = case.get("error").and_then(|e| e.as_str());
            let want_value = case.get("result").map(expected_value);
            let mut event: Map<String, serde_json::Value> = match case.get("event") {
                Some(e) => e.as_object().unwrap().clone(),
                None => json!({"specversion": "1.0", "id": "tck-id", "source": "/tck", "type": "tck.type"}).as_object().unwrap().clone(),
            };
            if let Some(o) = case.get("eventOverrides").and_then(|o| o.as_object()) {
                event.extend(o.clone());
            }
            let (value, kinds): (Value, BTreeSet<&str>) = match Expression::parse(expr) {
                Ok(e) => {
                    let ev = e.evaluate(&event);
                    (
                        ev.value.into_owned(),
                        ev.errors.iter().map(|e| e.kind.tck_name()).collect(),
                    )
                }
                Err(e) => (Value::Boolean(false), [e.kind.tck_name()].into()),
            };
            let want_kinds: BTreeSet<&str> = want_error.into_iter().collect();
            if kinds != want_kinds || want_value.as_ref().is_some_and(|w| *w != value) {
                failures.push(format!(
                    "{name}: `{expr}` gave {value} {kinds:?}, want {want_value:?} {want_kinds:?}"
                ));
            }
        }
    }
    println!(
        "CESQL TCK: {} cases in {} files, {} passed, {} failed",
        total,
        files.len(),
        total - failures.len(),
        failures.len()
    );
    assert!(total > 250, "the TCK was read ({total} cases)");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
