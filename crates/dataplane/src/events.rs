//! CloudEvents read into the SDK's `Event`, with errors a person can act on: structured-mode
//! JSON for the simulator, the CLI and the live runtime alike.

use cloudevents::Event;
use serde_json::Value;

/// An event in the JSON format (structured mode).
pub fn from_json(value: Value) -> Result<Event, String> {
    serde_json::from_value(value).map_err(|e| explain(&e))
}

/// [`from_json`] from the bytes of a request body.
pub fn from_json_bytes(bytes: &[u8]) -> Result<Event, String> {
    serde_json::from_slice(bytes).map_err(|e| explain(&e))
}

/// The SDK's or `url`'s message, with the way out when a URL's host is an international domain
/// name: `url`'s IDNA back end is the ASCII-only one (see knflow-cesql's Cargo.toml), which
/// takes such names in punycode. `dataschema` is the one URL-typed attribute of CloudEvents 1.0.
pub fn explain(error: &dyn std::fmt::Display) -> String {
    let message = error.to_string();
    if message.contains("international domain name") {
        format!(
            "{message}: `dataschema` takes host names in ASCII; write an international domain \
             name in punycode (`xn--…`)"
        )
    } else {
        message
    }
}
