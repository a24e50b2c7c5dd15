//! CloudEvents over HTTP (the HTTP protocol binding): binary, structured and batch modes in,
//! binary mode out. Header values are percent-decoded and -encoded as the binding requires.

use axum::http::HeaderMap;
use cloudevents::event::{Data, ExtensionValue};
use cloudevents::{AttributesReader, Event, EventBuilder, EventBuilderV10};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters a `ce-` header value must percent-encode: controls, space, `"`, `%`, and
/// everything outside printable ASCII.
const HEADER: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The events of a request: one (binary or structured) or several (batch).
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Event>, String> {
    let content_type = header(headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/cloudevents-batch+json") {
        let items: Vec<serde_json::Value> =
            serde_json::from_slice(body).map_err(|e| format!("batch: not a JSON array: {e}"))?;
        return items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                serde_json::from_value::<Event>(v).map_err(|e| format!("batch[{i}]: {e}"))
            })
            .collect();
    }
    if content_type.starts_with("application/cloudevents+json") {
        return serde_json::from_slice::<Event>(body)
            .map(|e| vec![e])
            .map_err(|e| format!("structured event: {e}"));
    }
    binary(headers, &content_type, body).map(|e| vec![e])
}

fn binary(headers: &HeaderMap, content_type: &str, body: &[u8]) -> Result<Event, String> {
    let get = |name: &str| -> Result<Option<String>, String> {
        header(headers, &format!("ce-{name}"))
            .map(|v| {
                percent_decode_str(v)
                    .decode_utf8()
                    .map(|s| s.into_owned())
                    .map_err(|e| format!("ce-{name}: {e}"))
            })
            .transpose()
    };
    match get("specversion")?.as_deref() {
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
    let mut b = EventBuilderV10::new();
    for required in ["id", "source", "type"] {
        if get(required)?.is_none() {
            return Err(format!("missing required attribute ce-{required}"));
        }
    }
    b = b
        .id(get("id")?.unwrap_or_default())
        .source(get("source")?.unwrap_or_default())
        .ty(get("type")?.unwrap_or_default());
    if let Some(s) = get("subject")? {
        b = b.subject(s);
    }
    if let Some(t) = get("time")? {
        let t = chrono::DateTime::parse_from_rfc3339(&t).map_err(|e| format!("ce-time: {e}"))?;
        b = b.time(t.with_timezone(&chrono::Utc));
    }
    for (name, value) in headers {
        let Some(ext) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        if matches!(
            ext,
            "specversion" | "id" | "source" | "type" | "subject" | "time" | "dataschema"
        ) {
            continue;
        }
        let v = value.to_str().map_err(|_| format!("ce-{ext}: not text"))?;
        let v = percent_decode_str(v)
            .decode_utf8()
            .map_err(|e| format!("ce-{ext}: {e}"))?;
        b = b.extension(ext, v.into_owned());
    }
    if let Some(s) = get("dataschema")? {
        b = b.data_with_schema(content_type.to_string(), s, Data::Binary(body.to_vec()));
    } else if !body.is_empty() || !content_type.is_empty() {
        let data = if content_type.contains("json") {
            serde_json::from_slice(body)
                .map(Data::Json)
                .map_err(|e| format!("body: {content_type} but not JSON: {e}"))?
        } else if content_type.starts_with("text/") {
            Data::String(String::from_utf8_lossy(body).into_owned())
        } else {
            Data::Binary(body.to_vec())
        };
        let ct = if content_type.is_empty() {
            "application/octet-stream".to_string()
        } else {
            content_type.to_string()
        };
        b = b.data(ct, data);
    }
    b.build().map_err(|e| e.to_string())
}

/// The event as a binary-mode request: headers and body.
pub fn to_binary(event: &Event) -> (Vec<(String, String)>, Vec<u8>) {
    let mut headers = Vec::new();
    for (name, value) in event.iter() {
        if name == "datacontenttype" {
            continue;
        }
        let v = value.to_string();
        headers.push((
            format!("ce-{name}"),
            utf8_percent_encode(&v, HEADER).to_string(),
        ));
    }
    if let Some(ct) = event.datacontenttype() {
        headers.push(("content-type".into(), ct.to_string()));
    }
    let body = match event.data() {
        Some(Data::Json(v)) => serde_json::to_vec(v).unwrap_or_default(),
        Some(Data::String(s)) => s.clone().into_bytes(),
        Some(Data::Binary(b)) => b.clone(),
        None => Vec::new(),
    };
    (headers, body)
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
        assert!(out.contains(&("ce-subject".into(), "caf%C3%A9%20au%20lait".into())));
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["amount"],
            250
        );
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
    }
}
