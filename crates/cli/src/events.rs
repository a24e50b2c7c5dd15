//! Reading CloudEvents from files (JSON format, structured mode).

use std::path::Path;

use serde_json::{json, Map, Value};

/// A CloudEvent in the JSON format. It is checked with cloudevents-sdk (required attributes,
/// spec version, `data` vs `data_base64`), but kept as JSON so that attributes read exactly as
/// written (`time` keeps its offset).
pub fn read_event(path: &Path) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    check_event(v).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn check_event(v: Value) -> Result<Map<String, Value>, String> {
    let Value::Object(map) = v else {
        return Err("a CloudEvent in JSON format is an object".into());
    };
    if let Some(missing) = ["specversion", "id", "source", "type"]
        .into_iter()
        .find(|k| {
            map.get(*k)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })
    {
        return Err(format!(
            "not a valid CloudEvent: `{missing}` is missing or empty"
        ));
    }
    knflow_dataplane::events::from_json(Value::Object(map.clone()))
        .map_err(|e| format!("not a valid CloudEvent: {e}"))?;
    Ok(map)
}

/// The event `kn-flow cesql` uses without `--event`: the required attributes only.
pub fn minimal_event() -> Map<String, Value> {
    json!({"specversion": "1.0", "id": "00000000-0000-0000-0000-000000000000", "source": "/kn-flow", "type": "dev.knflow.example"})
        .as_object()
        .expect("an object")
        .clone()
}
