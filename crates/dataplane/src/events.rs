//! CloudEvents read into the SDK's `Event`, with errors a person can act on: structured-mode
//! JSON for the simulator, the CLI and the live runtime alike; and written back as JSON the way
//! the CloudEvents JSON format puts data.

use cloudevents::event::Data;
use cloudevents::{AttributesReader, Event};
use serde_json::Value;

/// An event in the JSON format (structured mode).
pub fn from_json(value: Value) -> Result<Event, String> {
    knflow_model::read::from_value(&value).map_err(|e| explain(&e))
}

/// [`from_json`] from the bytes of a request body.
pub fn from_json_bytes(bytes: &[u8]) -> Result<Event, String> {
    serde_json::from_slice(bytes).map_err(|e| explain(&e))
}

/// The event in the JSON format, with its data where that format puts it: JSON data (by
/// `datacontenttype`, or none given) as the `data` value, text as a `data` string, anything
/// else as `data_base64`. Events keep data that arrived as bytes as bytes (the live runtime
/// passes them on untouched), which the SDK alone would always write as `data_base64`.
pub fn to_json(event: &Event) -> Value {
    let mut v = serde_json::to_value(event).expect("events serialize");
    let Some(Data::Binary(bytes)) = event.data() else {
        return v;
    };
    let ct = event.datacontenttype();
    let data = if ct.is_none_or(is_json) {
        serde_json::from_slice::<Value>(bytes).ok()
    } else if ct.is_some_and(is_text) {
        std::str::from_utf8(bytes)
            .ok()
            .map(|s| Value::String(s.into()))
    } else {
        None
    };
    if let (Some(data), Some(members)) = (data, v.as_object_mut()) {
        members.remove("data_base64");
        members.insert("data".into(), data);
    }
    v
}

/// `application/json`, `text/json` and `…+json` media types, parameters aside.
pub fn is_json(content_type: &str) -> bool {
    let media = media_type(content_type);
    media == "application/json" || media == "text/json" || media.ends_with("+json")
}

fn is_text(content_type: &str) -> bool {
    media_type(content_type).starts_with("text/")
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
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

#[cfg(test)]
mod tests {
    use super::*;
    use cloudevents::{EventBuilder, EventBuilderV10};
    use serde_json::json;

    fn with(ct: Option<&str>, bytes: &[u8]) -> Value {
        let mut e = EventBuilderV10::new()
            .id("1")
            .source("/s")
            .ty("t")
            .build()
            .unwrap();
        match ct {
            Some(ct) => {
                e.set_data(ct, Data::Binary(bytes.to_vec()));
            }
            None => {
                e.set_data_unchecked(Data::Binary(bytes.to_vec()));
            }
        }
        to_json(&e)
    }

    #[test]
    fn data_goes_where_the_json_format_puts_it() {
        let v = with(Some("application/json"), br#"{"a": [1, "\u00fc"]}"#);
        assert_eq!(v["data"], json!({"a": [1, "ü"]}));
        assert!(v.get("data_base64").is_none(), "{v}");
        assert_eq!(
            with(Some("application/cloudevents-x+json; charset=utf-8"), b"7")["data"],
            7
        );
        assert_eq!(with(None, b"[true]")["data"], json!([true]));
        assert_eq!(
            with(Some("text/plain"), "héllo".as_bytes())["data"],
            "héllo"
        );
        let binary = with(Some("application/octet-stream"), &[0xff, 0]);
        assert_eq!(binary["data_base64"], "/wA=");
        assert!(binary.get("data").is_none());
        // Bytes that are not what their content type says stay base64, never lost.
        assert_eq!(
            with(Some("application/json"), b"{oops")["data_base64"],
            "e29vcHM="
        );
        assert_eq!(with(Some("text/plain"), &[0xff])["data_base64"], "/w==");
    }
}
