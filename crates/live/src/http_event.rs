//! CloudEvents over HTTP (the HTTP protocol binding): binary, structured and batch modes in,
//! binary mode out. Header values are percent-decoded and -encoded as the binding requires.
//!
//! Data is kept as the bytes that arrived, never parsed and written again: a binary-mode body as
//! is, a structured event's `data` member as its JSON text (or a string's characters, or the
//! decoded `data_base64`). Knative's broker passes data through untouched too, and receivers
//! rely on it (signatures over the body, exact payloads).

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use std::borrow::Cow;

use cloudevents::event::{AttributeValue, Data, ExtensionValue};
use cloudevents::{AttributesReader, Event, EventBuilder, EventBuilderV10};
use knflow_dataplane::events;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::value::RawValue;

/// Characters a `ce-` header value must percent-encode: controls, space, `"`, `%`, and
/// everything outside printable ASCII.
const HEADER: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// A header value as text. The binding asks senders to percent-encode everything outside
/// printable ASCII, but some write it raw: the JavaScript SDK on Node sends `café` as the
/// Latin-1 byte `E9`, others send UTF-8. Both are read as what their sender meant.
fn header_text(value: &HeaderValue) -> Cow<'_, str> {
    if let Ok(ascii) = value.to_str() {
        return Cow::Borrowed(ascii);
    }
    let bytes = value.as_bytes();
    match std::str::from_utf8(bytes) {
        Ok(utf8) => Cow::Borrowed(utf8),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The events of a request: one (binary or structured) or several (batch).
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Event>, String> {
    let content_type = header(headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/cloudevents-batch+json") {
        let items: Vec<&RawValue> =
            serde_json::from_slice(body).map_err(|e| format!("batch: not a JSON array: {e}"))?;
        return items
            .into_iter()
            .enumerate()
            .map(|(i, v)| structured(v.get().as_bytes()).map_err(|e| format!("batch[{i}]: {e}")))
            .collect();
    }
    if content_type.starts_with("application/cloudevents+json") {
        return structured(body)
            .map(|e| vec![e])
            .map_err(|e| format!("structured event: {e}"));
    }
    binary(headers, &content_type, body).map(|e| vec![e])
}

fn binary(headers: &HeaderMap, content_type: &str, body: &[u8]) -> Result<Event, String> {
    // One pass over the headers (this runs for every event a live flow receives).
    let mut attrs: [Option<String>; 7] = Default::default();
    const NAMES: [&str; 7] = [
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "dataschema",
    ];
    let mut extensions = Vec::new();
    for (name, value) in headers {
        let Some(ext) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        let v = header_text(value);
        let v = percent_decode_str(&v)
            .decode_utf8()
            .map_err(|e| format!("ce-{ext}: {e}"))?
            .into_owned();
        match NAMES.iter().position(|n| *n == ext) {
            Some(i) => attrs[i] = Some(v),
            None => extensions.push((ext, v)),
        }
    }
    let [specversion, id, source, ty, subject, time, dataschema] = attrs;
    match specversion.as_deref() {
        Some("1.0") => {}
        Some(other) => {
            return Err(format!(
                "ce-specversion `{other}` is not supported (1.0 is)"
            ))
        }
        None => {
            return Err(
                "not a CloudEvent: no ce-specversion header and no CloudEvents content type".into(),
            )
        }
    }
    let (Some(id), Some(source), Some(ty)) = (id, source, ty) else {
        let missing = NAMES[1..4]
            .iter()
            .find(|n| !headers.contains_key(format!("ce-{n}").as_str()))
            .unwrap_or(&"id");
        return Err(format!("missing required attribute ce-{missing}"));
    };
    let mut b = EventBuilderV10::new().id(id).source(source).ty(ty);
    if let Some(s) = subject {
        b = b.subject(s);
    }
    if let Some(t) = time {
        let t = chrono::DateTime::parse_from_rfc3339(&t).map_err(|e| format!("ce-time: {e}"))?;
        b = b.time(t.with_timezone(&chrono::Utc));
    }
    for (ext, v) in extensions {
        b = b.extension(ext, v);
    }
    let ct = || match content_type {
        "" => "application/octet-stream".to_string(),
        ct => ct.to_string(),
    };
    if let Some(s) = dataschema {
        b = b.data_with_schema(ct(), s, Data::Binary(body.to_vec()));
    } else if !body.is_empty() || !content_type.is_empty() {
        b = b.data(ct(), Data::Binary(body.to_vec()));
    }
    b.build().map_err(|e| events::explain(&e))
}

/// A structured-mode event (the JSON format), its data kept as it was written: the `data`
/// member's JSON text when the content type is JSON (or none is given, which the format reads
/// as JSON), a string's characters for other types, `data_base64` decoded.
fn structured(body: &[u8]) -> Result<Event, String> {
    let mut members: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
    let raw: std::collections::BTreeMap<String, &RawValue> =
        serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let mut data = None;
    for (name, value) in raw {
        if name == "data" {
            data = Some(value);
            continue;
        }
        let value = serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
        members.insert(name, value);
    }
    let declared = members
        .get("datacontenttype")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut event = events::from_json(serde_json::Value::Object(members))?;
    let Some(data) = data.filter(|d| d.get() != "null") else {
        return Ok(event);
    };
    let bytes = match &declared {
        Some(ct) if !events::is_json(ct) => match serde_json::from_str::<String>(data.get()) {
            Ok(text) => text.into_bytes(),
            Err(_) => data.get().as_bytes().to_vec(),
        },
        _ => data.get().as_bytes().to_vec(),
    };
    // The format reads data without a content type as JSON; sent on in binary mode, the
    // content type says so.
    let ct = declared.unwrap_or_else(|| "application/json".into());
    event.set_data(ct, Data::Binary(bytes));
    Ok(event)
}

/// The event as a binary-mode request: headers and body.
pub fn to_binary(event: &Event) -> (HeaderMap, Vec<u8>) {
    let mut headers = HeaderMap::with_capacity(8);
    for (name, value) in event.iter() {
        if name == "datacontenttype" {
            continue;
        }
        // Text attributes are encoded from where they are; others are formatted first.
        let formatted;
        let text = match &value {
            AttributeValue::String(s) => *s,
            AttributeValue::URIRef(s) => s.as_str(),
            _ => {
                formatted = value.to_string();
                &formatted
            }
        };
        let encoded: Cow<str> = utf8_percent_encode(text, HEADER).into();
        // Names and percent-encoded values are valid header text by construction; an
        // extension name a header cannot carry is skipped rather than sent half-formed.
        let (Ok(k), Ok(v)) = (header_name(name), HeaderValue::from_str(&encoded)) else {
            continue;
        };
        headers.insert(k, v);
    }
    if let Some(ct) = event
        .datacontenttype()
        .and_then(|ct| HeaderValue::from_str(ct).ok())
    {
        headers.insert(CONTENT_TYPE, ct);
    }
    // Events from the ingresses carry bytes; JSON values come from the simulator's sources.
    let body = match event.data() {
        Some(Data::Json(v)) => serde_json::to_vec(v).unwrap_or_default(),
        Some(Data::String(s)) => s.clone().into_bytes(),
        Some(Data::Binary(b)) => b.clone(),
        None => Vec::new(),
    };
    (headers, body)
}

/// `ce-NAME`; the context attributes' names are built once.
fn header_name(attribute: &str) -> Result<HeaderName, axum::http::header::InvalidHeaderName> {
    Ok(HeaderName::from_static(match attribute {
        "specversion" => "ce-specversion",
        "id" => "ce-id",
        "source" => "ce-source",
        "type" => "ce-type",
        "subject" => "ce-subject",
        "time" => "ce-time",
        "dataschema" => "ce-dataschema",
        "knativearrivaltime" => "ce-knativearrivaltime",
        other => return HeaderName::try_from(format!("ce-{other}")),
    }))
}

/// An extension value as text (for tests and the event display).
pub fn extension(event: &Event, name: &str) -> Option<String> {
    event.extension(name).map(|v| match v {
        ExtensionValue::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn binary_mode_percent_decodes_and_round_trips() {
        let h = headers(&[
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "/shop"),
            ("ce-type", "order.paid"),
            ("ce-subject", "caf%C3%A9%20au%20lait"),
            ("ce-region", "eu%25west"),
            ("content-type", "application/json"),
        ]);
        let e = &parse(&h, br#"{"amount": 250}"#).unwrap()[0];
        assert_eq!(e.subject(), Some("café au lait"));
        assert_eq!(extension(e, "region").as_deref(), Some("eu%west"));
        let (out, body) = to_binary(e);
        assert_eq!(out["ce-subject"], "caf%C3%A9%20au%20lait");
        assert_eq!(out["ce-region"], "eu%25west");
        assert_eq!(out["content-type"], "application/json");
        assert_eq!(&parse(&out, &body).unwrap()[0], e);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["amount"],
            250
        );
    }

    /// Raw non-ASCII header values, as some SDKs send them: UTF-8, or Latin-1 (Node's `http`
    /// writes header strings so).
    #[test]
    fn raw_header_values_are_read_as_meant() {
        let mut h = headers(&[
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "/shop"),
            ("ce-type", "t"),
        ]);
        h.insert("ce-subject", HeaderValue::from_bytes(b"caf\xe9 1").unwrap());
        h.insert(
            "ce-region",
            HeaderValue::from_bytes("zürich%20nord".as_bytes()).unwrap(),
        );
        let e = &parse(&h, b"").unwrap()[0];
        assert_eq!(e.subject(), Some("café 1"));
        assert_eq!(extension(e, "region").as_deref(), Some("zürich nord"));
    }

    #[test]
    fn structured_and_batch_modes() {
        let one = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":1}}"#;
        let h = headers(&[(
            "content-type",
            "application/cloudevents+json; charset=utf-8",
        )]);
        assert_eq!(parse(&h, one.as_bytes()).unwrap()[0].id(), "1");
        let h = headers(&[("content-type", "application/cloudevents-batch+json")]);
        let batch = format!("[{one},{}]", one.replace("\"1\"", "\"2\""));
        let evs = parse(&h, batch.as_bytes()).unwrap();
        assert_eq!(evs.iter().map(|e| e.id()).collect::<Vec<_>>(), ["1", "2"]);
    }

    #[test]
    fn invalid_events_say_why() {
        let e = parse(&headers(&[]), b"hello").unwrap_err();
        assert!(e.contains("no ce-specversion"), "{e}");
        let e = parse(&headers(&[("ce-specversion", "1.0"), ("ce-id", "1")]), b"").unwrap_err();
        assert!(e.contains("ce-source"), "{e}");
        let h = headers(&[("content-type", "application/cloudevents-batch+json")]);
        assert!(parse(&h, br#"[{"id":"x"}]"#)
            .unwrap_err()
            .starts_with("batch[0]"));
        // Host names are ASCII or punycode (knflow-cesql's Cargo.toml says why), in either mode.
        let required = [
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "/s"),
            ("ce-type", "t"),
        ];
        let with_schema = |schema: &str| {
            let mut h = headers(&required);
            h.insert("ce-dataschema", HeaderValue::from_str(schema).unwrap());
            parse(&h, b"")
        };
        assert!(with_schema("https://xn--bcher-kva.example/s").is_ok());
        let e = with_schema("https://b%C3%BCcher.example/s").unwrap_err();
        assert!(e.contains("punycode"), "{e}");
        let h = headers(&[("content-type", "application/cloudevents+json")]);
        let e = parse(
            &h,
            r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":"https://bücher.example/s"}"#.as_bytes(),
        )
        .unwrap_err();
        assert!(e.contains("punycode"), "{e}");
    }
}
