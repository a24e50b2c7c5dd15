//! What an expression reads: the context attributes and extensions of an event.

use std::borrow::Cow;

use crate::value::Value;

/// A context attribute of CloudEvents 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Id,
    Source,
    Type,
    SpecVersion,
    DataContentType,
    DataSchema,
    Subject,
    Time,
}

/// An attribute name, classified once (when an expression or filter is compiled) so that each
/// lookup is a jump, not a chain of string comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrKey {
    Context(Context),
    Extension(String),
}

impl AttrKey {
    pub fn new(name: &str) -> AttrKey {
        AttrKey::Context(match name {
            "id" => Context::Id,
            "source" => Context::Source,
            "type" => Context::Type,
            "specversion" => Context::SpecVersion,
            "datacontenttype" => Context::DataContentType,
            "dataschema" => Context::DataSchema,
            "subject" => Context::Subject,
            "time" => Context::Time,
            other => return AttrKey::Extension(other.to_string()),
        })
    }

    pub fn name(&self) -> &str {
        match self {
            AttrKey::Context(c) => match c {
                Context::Id => "id",
                Context::Source => "source",
                Context::Type => "type",
                Context::SpecVersion => "specversion",
                Context::DataContentType => "datacontenttype",
                Context::DataSchema => "dataschema",
                Context::Subject => "subject",
                Context::Time => "time",
            },
            AttrKey::Extension(e) => e,
        }
    }
}

/// Attribute access for evaluation. `None` means the event has no such attribute.
pub trait Attributes {
    fn get(&self, key: &AttrKey) -> Option<Value<'_>>;

    /// Lookup by name (classifies the name on every call; compiled code uses [`Self::get`]).
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        self.get(&AttrKey::new(name))
    }
}

/// An event in the CloudEvents JSON format (structured mode), read as written: `time` keeps its
/// original text and offset, extensions keep their JSON type.
impl Attributes for serde_json::Map<String, serde_json::Value> {
    fn get(&self, key: &AttrKey) -> Option<Value<'_>> {
        let name = key.name();
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

    use super::{AttrKey, Attributes, Context};
    use crate::value::Value;

    fn s(x: &str) -> Option<Value<'_>> {
        Some(Value::String(Cow::Borrowed(x)))
    }

    /// A cloudevents-sdk event. `time` reads as RFC 3339 in UTC, like the Go SDK Knative uses.
    impl Attributes for Event {
        fn get(&self, key: &AttrKey) -> Option<Value<'_>> {
            match key {
                AttrKey::Context(c) => match c {
                    Context::Id => s(self.id()),
                    Context::Source => s(self.source().as_str()),
                    Context::Type => s(self.ty()),
                    // `specversion()` returns a temporary; its text is static.
                    Context::SpecVersion => {
                        Some(Value::String(Cow::Borrowed(match self.specversion() {
                            cloudevents::event::SpecVersion::V03 => "0.3",
                            cloudevents::event::SpecVersion::V10 => "1.0",
                        })))
                    }
                    Context::DataContentType => self.datacontenttype().and_then(s),
                    Context::DataSchema => self
                        .dataschema()
                        .map(|u| Value::String(Cow::Owned(u.to_string()))),
                    Context::Subject => self.subject().and_then(s),
                    Context::Time => self.time().map(|t| {
                        Value::String(Cow::Owned(
                            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                        ))
                    }),
                },
                AttrKey::Extension(name) => match self.extension(name)? {
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
