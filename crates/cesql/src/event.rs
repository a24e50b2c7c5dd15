//! What an expression reads: the context attributes and extensions of an event.

use std::borrow::Cow;

use crate::value::Value;

/// Attribute access for evaluation. `None` means the event has no such attribute.
pub trait Attributes {
    fn attribute(&self, name: &str) -> Option<Value<'_>>;
}

/// An event in the CloudEvents JSON format (structured mode), read as written: `time` keeps its
/// original text and offset, extensions keep their JSON type.
impl Attributes for serde_json::Map<String, serde_json::Value> {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        if matches!(name, "data" | "data_base64") {
            return None; // event data is not addressable (§1)
        }
        match self.get(name)? {
            serde_json::Value::String(s) => Some(Value::String(Cow::Borrowed(s))),
            serde_json::Value::Bool(b) => Some(Value::Boolean(*b)),
            serde_json::Value::Number(n) => {
                Some(match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
                    Some(i) => Value::Integer(i),
                    None => Value::String(Cow::Owned(n.to_string())),
                })
            }
            serde_json::Value::Null => None,
            other => Some(Value::String(Cow::Owned(other.to_string()))),
        }
    }
}

#[cfg(feature = "cloudevents")]
mod sdk {
    use std::borrow::Cow;

    use cloudevents::event::ExtensionValue;
    use cloudevents::{AttributesReader, Event};

    use super::Attributes;
    use crate::value::Value;

    /// A cloudevents-sdk event. `time` reads as RFC 3339 in UTC, like the Go SDK Knative uses.
    impl Attributes for Event {
        fn attribute(&self, name: &str) -> Option<Value<'_>> {
            fn s(x: &str) -> Option<Value<'_>> {
                Some(Value::String(Cow::Borrowed(x)))
            }
            match name {
                "id" => s(self.id()),
                "source" => s(self.source().as_str()),
                "type" => s(self.ty()),
                "specversion" => Some(Value::String(Cow::Owned(self.specversion().to_string()))),
                "datacontenttype" => self.datacontenttype().and_then(s),
                "dataschema" => self
                    .dataschema()
                    .map(|u| Value::String(Cow::Owned(u.to_string()))),
                "subject" => self.subject().and_then(s),
                "time" => self.time().map(|t| {
                    Value::String(Cow::Owned(
                        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    ))
                }),
                _ => match self.extension(name)? {
                    ExtensionValue::String(x) => s(x),
                    ExtensionValue::Boolean(b) => Some(Value::Boolean(*b)),
                    ExtensionValue::Integer(i) => Some(match i32::try_from(*i) {
                        Ok(i) => Value::Integer(i),
                        Err(_) => Value::String(Cow::Owned(i.to_string())),
                    }),
                },
            }
        }
    }
}
