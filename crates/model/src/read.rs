//! Typed values read from a `serde_json::Value` the model already holds.
//!
//! Specs are read through [`FromValue`], derived by `knflow_derive` from the `#[serde]`
//! attributes the types carry: a struct starts from `Default` and each key of the object is read
//! straight into its field by the field type's reader, one small function per type (see the
//! derive's documentation for why not serde's derive). What a Knative spec can be reads the same
//! as through serde_json; the tests read every example and fixture spec both ways.
//!
//! Types the model does not own (a CloudEvent) are read through [`Ref`], a serde deserializer
//! over a borrowed value: serde_json's own deserializer for `&Value` also instantiates reading
//! every struct from a JSON array, which no Knative object is.

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

/// A type read from a JSON value, as its serde `Deserialize` reads it.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, Error>;
}

/// A struct read key by key (derived with [`FromValue`]); flattened fields read through it too.
pub trait Fields: Default {
    /// Reads `v` into the field named `key`; `false` when no field has that name.
    fn field(&mut self, key: &str, v: &Value) -> Result<bool, Error>;
}

/// A struct from an object: its defaults, then every key that names a field. Keys that name none
/// are left for validation to report, as serde leaves them.
pub fn object<S: Fields>(v: &Value, what: &'static str) -> Result<S, Error> {
    let Value::Object(map) = v else {
        return Err(Error::invalid_type(unexpected(v), &what));
    };
    let mut s = S::default();
    for (key, value) in map {
        s.field(key, value)?;
    }
    Ok(s)
}

/// The index of the unit variant `v` names (a string, as serde writes unit variants).
pub fn variant(v: &Value, names: &'static [&'static str]) -> Result<usize, Error> {
    match v {
        Value::String(s) => names
            .iter()
            .position(|n| n == s)
            .ok_or_else(|| Error::unknown_variant(s, names)),
        other => Err(Error::invalid_type(unexpected(other), &"a variant name")),
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(Error::invalid_type(unexpected(other), &"a string")),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Bool(b) => Ok(*b),
            other => Err(Error::invalid_type(unexpected(other), &"a boolean")),
        }
    }
}

/// An integer in range, as serde reads one: a float or an out-of-range number is an error.
fn integer(v: &Value, what: &'static str) -> Result<i128, Error> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n
            .as_i64()
            .map(i128::from)
            .or(n.as_u64().map(i128::from))
            .unwrap_or_default()),
        other => Err(Error::invalid_type(unexpected(other), &what)),
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<Self, Error> {
                let n = integer(v, stringify!($t))?;
                <$t>::try_from(n).map_err(|_| Error::invalid_value(unexpected(v), &stringify!($t)))
            }
        }
    )*};
}
integers!(i32, i64, u32, u64);

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Box<T> {
    fn from_value(v: &Value) -> Result<Self, Error> {
        T::from_value(v).map(Box::new)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Array(items) => items.iter().map(T::from_value).collect(),
            other => Err(Error::invalid_type(unexpected(other), &"a sequence")),
        }
    }
}

impl<T: FromValue> FromValue for indexmap::IndexMap<String, T> {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| Ok((k.clone(), T::from_value(v)?)))
                .collect(),
            other => Err(Error::invalid_type(unexpected(other), &"a map")),
        }
    }
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self, Error> {
        Ok(v.clone())
    }
}

impl FromValue for serde_json::Map<String, Value> {
    fn from_value(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Object(map) => Ok(map.clone()),
            other => Err(Error::invalid_type(unexpected(other), &"a map")),
        }
    }
}

/// A flattened map takes every key the struct's own fields do not.
impl Fields for serde_json::Map<String, Value> {
    fn field(&mut self, key: &str, v: &Value) -> Result<bool, Error> {
        self.insert(key.to_owned(), v.clone());
        Ok(true)
    }
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

    /// Every `#[serde]` attribute the derive follows, on a struct of every field type specs use.
    #[derive(Debug, PartialEq, Default, Deserialize, knflow_derive::FromValue)]
    #[serde(rename_all = "camelCase")]
    struct Typed {
        dead_letter_sink: Option<String>,
        #[serde(rename = "CACerts")]
        ca_certs: Option<String>,
        retry: Option<i32>,
        big: Option<i64>,
        ok: Option<bool>,
        policy: Option<Policy2>,
        list: Option<Vec<Inner>>,
        boxed: Option<Box<Inner>>,
        labels: Option<indexmap::IndexMap<String, String>>,
        any: Option<Value>,
        wrapped: Option<Wrapped>,
        #[serde(default)]
        defaulted: Vec<String>,
        #[serde(flatten)]
        inner: Inner,
    }

    #[derive(Debug, PartialEq, Default, Deserialize, knflow_derive::FromValue)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        api_version: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize, knflow_derive::FromValue)]
    #[serde(rename_all = "lowercase")]
    enum Policy2 {
        Linear,
        Exponential,
        #[serde(rename = "Odd")]
        Odd,
    }

    #[derive(Debug, PartialEq, Default, Deserialize, knflow_derive::FromValue)]
    #[serde(transparent)]
    struct Wrapped(serde_json::Map<String, Value>);

    /// A struct whose unknown keys are kept by a flattened map (Serving's `RevisionSpec`).
    #[derive(Debug, PartialEq, Default, Deserialize, knflow_derive::FromValue)]
    #[serde(rename_all = "camelCase")]
    struct WithRest {
        timeout_seconds: Option<i64>,
        #[serde(flatten)]
        rest: Wrapped,
    }

    fn same<T: FromValue + for<'a> Deserialize<'a> + std::fmt::Debug + PartialEq>(v: &Value) {
        let ours = T::from_value(v);
        let theirs = T::deserialize(v);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "reading {v}"),
            (Err(_), Err(_)) => {}
            _ => panic!("reading {v}: ours {ours:?}, serde_json's {theirs:?}"),
        }
    }

    #[test]
    fn derived_reading_agrees_with_serde() {
        let good = json!({
            "deadLetterSink": "d", "CACerts": "pem", "retry": -3, "big": 9_000_000_000i64,
            "ok": true, "policy": "exponential", "list": [{"apiVersion": "v1"}, {}],
            "boxed": {"apiVersion": "v2", "other": 1}, "labels": {"a": "b", "c": "d"},
            "any": {"k": [1, null]}, "wrapped": {"x": 1}, "defaulted": ["s"],
            "apiVersion": "flat", "unknown": {"ignored": true}
        });
        same::<Typed>(&good);
        assert_eq!(
            Typed::from_value(&good)
                .unwrap()
                .inner
                .api_version
                .as_deref(),
            Some("flat")
        );
        same::<Typed>(&json!({}));
        same::<Typed>(&json!({"policy": "Odd", "retry": null}));
        for (pointer, bad) in [
            ("/retry", json!("three")),
            ("/retry", json!(4_000_000_000u64)),
            ("/retry", json!(-1.5)),
            ("/big", json!(u64::MAX)),
            ("/ok", json!("yes")),
            ("/policy", json!("quadratic")),
            ("/policy", json!(1)),
            ("/list", json!({"apiVersion": "v1"})),
            ("/list/0/apiVersion", json!(1)),
            ("/labels", json!(["x"])),
            ("/labels/a", json!(1)),
            ("/wrapped", json!("x")),
            ("/defaulted", json!("s")),
            ("/apiVersion", json!(false)),
        ] {
            let mut v = good.clone();
            *v.pointer_mut(pointer).unwrap() = bad;
            same::<Typed>(&v);
            assert!(Typed::from_value(&v).is_err(), "{pointer} read");
        }
        same::<Typed>(&json!("not an object"));
        same::<Typed>(&json!(["an", "array"]));
        let rest = json!({"timeoutSeconds": 30, "containers": [{"image": "i"}], "x": null});
        same::<WithRest>(&rest);
        assert_eq!(WithRest::from_value(&rest).unwrap().rest.0.len(), 2);
        let err = Typed::from_value(&json!({"policy": "quadratic"})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown variant `quadratic`, expected one of `linear`, `exponential`, `Odd`"
        );
    }

    #[test]
    fn a_struct_is_not_read_from_an_array() {
        let err = from_value::<Spec>(&json!(["a"])).unwrap_err().to_string();
        assert_eq!(err, "invalid type: sequence, expected struct Spec");
    }
}
