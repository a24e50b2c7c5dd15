//! Typed values read from a `serde_json::Value` the model already holds.
//!
//! Why not `T::deserialize(&Value)`: serde_json's deserializer for a borrowed value is generic
//! over each type's visitor, and for every struct it also instantiates reading that struct from
//! a JSON array (serde's derive accepts both); that is about a tenth of the designer's wasm.
//! This one reads objects only as maps and keeps the per-visitor code to a dispatch, so each
//! type read costs little more than its derived `visit_map`. Everything a Knative spec can be
//! (objects, arrays, strings, numbers, booleans, null; unit and single-key enums) reads the same
//! as through serde_json, with serde_json's error type and messages (tests compare both on
//! every kind and example).

use serde::de::{
    value::BorrowedStrDeserializer, DeserializeSeed, Deserializer, EnumAccess, Error as _,
    IntoDeserializer, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::Deserialize;
use serde_json::{Error, Value};

/// `T` read from `value`, as `T::deserialize(value)` reads it.
pub fn from_value<'a, T: Deserialize<'a>>(value: &'a Value) -> Result<T, Error> {
    T::deserialize(Ref(value))
}

/// A borrowed JSON value as a serde deserializer.
#[derive(Clone, Copy)]
pub struct Ref<'a>(pub &'a Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (_, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Ref<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (_, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            Value::Object(map) => visitor.visit_map(Map::of(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// A struct is an object: serde_json would take an array too, which no Knative spec is.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Map::of(map)),
            other => Err(Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => {
                visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(s.as_str()))
            }
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(Enum { variant, value }),
                    _ => Err(Error::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            other => Err(Error::invalid_type(unexpected(other), &"string or map")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Ref(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'a> Map<'a> {
    fn of(map: &'a serde_json::Map<String, Value>) -> Map<'a> {
        Map {
            entries: map.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Map<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Ref(v)),
            None => Err(Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Enum<'a> {
    variant: &'a str,
    value: &'a Value,
}

impl<'de> EnumAccess<'de> for Enum<'de> {
    type Error = Error;
    type Variant = Ref<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Ref<'de>), Error> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<Error>::new(self.variant))?;
        Ok((variant, Ref(self.value)))
    }
}

impl<'de> VariantAccess<'de> for Ref<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(Error::invalid_type(unexpected(other), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            other => Err(Error::invalid_type(unexpected(other), &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_struct("", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every modelled kind's spec in the examples reads, through its full typed struct, to the
    /// same value or the same error as through serde_json.
    #[test]
    fn reads_every_example_spec_as_serde_json_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dirs = [
            "../../flows",
            "tests/fixtures/all-fields",
            "../k8s/tests/corpus",
        ];
        let mut read = 0;
        let files = dirs
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap());
        for entry in files {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let loaded = crate::load_str(&text, path.to_str().unwrap());
            for r in loaded.flow.resources() {
                let (Some(info), Some(spec)) = (r.info, r.manifest.get("spec")) else {
                    continue;
                };
                let (ours, theirs) = (info.read_both)(spec);
                assert_eq!(ours, theirs, "{}", r.id);
                read += 1;
            }
        }
        assert!(read > 100, "only {read} specs read");
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Policy {
        Linear,
        Exponential,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Point,
        Named(String),
        Pair(u8, u8),
        Box { w: u32 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Spec {
        name: String,
        retry: Option<i32>,
        policy: Option<Policy>,
        labels: std::collections::BTreeMap<String, String>,
        shapes: Vec<Shape>,
        #[serde(default)]
        ratio: f64,
        extra: Option<Value>,
    }

    fn both<T: for<'a> Deserialize<'a> + std::fmt::Debug + PartialEq>(v: Value) {
        let ours = from_value::<T>(&v).map_err(|e| e.to_string());
        let theirs = T::deserialize(&v).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "reading {v}");
    }

    #[test]
    fn values_and_errors_match_serde_json() {
        let good = json!({
            "name": "a", "retry": 3, "policy": "exponential", "labels": {"x": "y"},
            "shapes": ["Point", {"Named": "n"}, {"Pair": [1, 2]}, {"Box": {"w": 4}}],
            "ratio": 0.5, "extra": {"k": [1, null, true]}
        });
        both::<Spec>(good.clone());
        for (pointer, bad) in [
            ("/retry", json!("three")),
            ("/retry", json!(4_000_000_000u64)),
            ("/retry", json!(-1.5)),
            ("/policy", json!("quadratic")),
            ("/policy", json!(1)),
            ("/labels", json!(["x"])),
            ("/labels/x", json!(1)),
            ("/shapes/0", json!({"Point": null, "Named": "x"})),
            ("/shapes/1", json!({"Named": 1})),
            ("/shapes/2", json!({"Pair": [1]})),
            ("/shapes/3", json!({"Box": {"w": "x"}})),
            ("/name", Value::Null),
            ("/ratio", json!("x")),
        ] {
            let mut v = good.clone();
            *v.pointer_mut(pointer).unwrap() = bad;
            both::<Spec>(v);
        }
        let mut unknown = good.clone();
        unknown["surprise"] = json!(1);
        both::<Spec>(unknown);
        let mut missing = good;
        missing.as_object_mut().unwrap().remove("name");
        both::<Spec>(missing);
        both::<Spec>(json!("not an object"));
        both::<Option<u8>>(Value::Null);
        both::<Vec<Option<bool>>>(json!([true, null]));
    }

    #[test]
    fn a_struct_is_not_read_from_an_array() {
        let err = from_value::<Spec>(&json!(["a"])).unwrap_err().to_string();
        assert_eq!(err, "invalid type: sequence, expected struct Spec");
    }
}
