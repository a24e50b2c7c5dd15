//! CESQL values, types and the casts of §3.7.

use std::borrow::Cow;
use std::fmt;

use crate::error::{Error, ErrorKind, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Boolean,
    Integer,
    String,
    /// A function parameter that takes any type as it is (the casting functions).
    Any,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Boolean => "Boolean",
            Type::Integer => "Integer",
            Type::String => "String",
            Type::Any => "Any",
        })
    }
}

/// A value: borrowed from the event or the expression where possible, so evaluation allocates
/// only when it computes new strings.
#[derive(Debug, Clone, Eq)]
pub enum Value<'a> {
    Boolean(bool),
    Integer(i32),
    String(Cow<'a, str>),
}

impl PartialEq for Value<'_> {
    #[inline]
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::String(a), Value::String(b)) => text_eq(a, b),
            _ => false,
        }
    }
}

/// String equality tuned for the short strings events are made of (types, sources, ids): up to
/// 16 bytes are compared as two overlapping words, inline. A broker's fan-out compares such
/// strings tens of millions of times per second, and profiles showed the `memcmp` call the
/// standard `==` makes for them among its top costs.
#[inline]
pub fn text_eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// [`text_eq`] on bytes (for comparing prefixes and suffixes).
#[inline]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word<const N: usize>(s: &[u8]) -> [u8; N] {
        s[..N].try_into().expect("length checked")
    }
    match n {
        0 => true,
        1..=3 => a == b,
        4..=7 => {
            u32::from_ne_bytes(word(a)) == u32::from_ne_bytes(word(b))
                && u32::from_ne_bytes(word(&a[n - 4..])) == u32::from_ne_bytes(word(&b[n - 4..]))
        }
        8..=16 => {
            u64::from_ne_bytes(word(a)) == u64::from_ne_bytes(word(b))
                && u64::from_ne_bytes(word(&a[n - 8..])) == u64::from_ne_bytes(word(&b[n - 8..]))
        }
        _ => a == b,
    }
}

impl<'a> Value<'a> {
    pub fn ty(&self) -> Type {
        match self {
            Value::Boolean(_) => Type::Boolean,
            Value::Integer(_) => Type::Integer,
            Value::String(_) => Type::String,
        }
    }

    /// The zero value of a type (§3.1); `Any` counts as Boolean, as the spec says for results of
    /// unknown type.
    pub fn zero(ty: Type) -> Value<'static> {
        match ty {
            Type::Integer => Value::Integer(0),
            Type::String => Value::String(Cow::Borrowed("")),
            Type::Boolean | Type::Any => Value::Boolean(false),
        }
    }

    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Boolean(b) => Value::Boolean(b),
            Value::Integer(i) => Value::Integer(i),
            Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
        }
    }

    /// The value as JSON (`true`, `42`, `"s"`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Boolean(b) => serde_json::Value::Bool(*b),
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::String(s) => serde_json::Value::String(s.to_string()),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::String(s) => write!(f, "'{s}'"),
        }
    }
}

/// Casts `v` to `target` (§3.7). An impossible cast records a cast error and yields the
/// target's zero value. `implicit` casts follow the TCK: an Integer is never implicitly a Boolean
/// (`NOT 10` is a cast error), while `BOOL(10)` is `true`.
#[inline]
pub fn cast<'a>(
    v: Value<'a>,
    target: Type,
    implicit: bool,
    span: Span,
    errors: &mut Vec<Error>,
) -> Value<'a> {
    // Nearly every cast an operator makes is to the type the value already has: that case is
    // inlined into the evaluator, the conversions are not.
    match (&v, target) {
        (_, Type::Any)
        | (Value::Boolean(_), Type::Boolean)
        | (Value::Integer(_), Type::Integer)
        | (Value::String(_), Type::String) => v,
        _ => convert(v, target, implicit, span, errors),
    }
}

#[inline(never)]
fn convert<'a>(
    v: Value<'a>,
    target: Type,
    implicit: bool,
    span: Span,
    errors: &mut Vec<Error>,
) -> Value<'a> {
    match (v, target) {
        (v, Type::Any) => v,
        (v @ Value::Boolean(_), Type::Boolean)
        | (v @ Value::Integer(_), Type::Integer)
        | (v @ Value::String(_), Type::String) => v,
        (Value::Integer(i), Type::String) => Value::String(Cow::Owned(i.to_string())),
        (Value::Boolean(b), Type::String) => {
            Value::String(Cow::Borrowed(if b { "true" } else { "false" }))
        }
        (Value::Boolean(b), Type::Integer) => Value::Integer(b as i32),
        (Value::Integer(i), Type::Boolean) => {
            if implicit {
                errors.push(Error::new(ErrorKind::Cast, span, format!("cannot use the integer {i} as a Boolean; compare it (e.g. `x != 0`) or use BOOL()")));
                Value::Boolean(false)
            } else {
                Value::Boolean(i != 0)
            }
        }
        (Value::String(s), Type::Integer) => match parse_int(&s) {
            Some(i) => Value::Integer(i),
            None => {
                errors.push(Error::new(
                    ErrorKind::Cast,
                    span,
                    format!("cannot cast '{s}' to an Integer"),
                ));
                Value::Integer(0)
            }
        },
        (Value::String(s), Type::Boolean) => match parse_bool(&s) {
            Some(b) => Value::Boolean(b),
            None => {
                errors.push(Error::new(
                    ErrorKind::Cast,
                    span,
                    format!("cannot cast '{s}' to a Boolean (only 'true' and 'false' can be)"),
                ));
                Value::Boolean(false)
            }
        },
    }
}

/// A 32-bit base-10 integer with an optional sign.
pub fn parse_int(s: &str) -> Option<i32> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok()
}

pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_the_table() {
        let mut e = Vec::new();
        let s = Span::default();
        assert_eq!(
            cast(Value::Integer(-5), Type::String, true, s, &mut e),
            Value::String("-5".into())
        );
        assert_eq!(
            cast(Value::String("+7".into()), Type::Integer, true, s, &mut e),
            Value::Integer(7)
        );
        assert_eq!(
            cast(Value::String("TRUE".into()), Type::Boolean, true, s, &mut e),
            Value::Boolean(true)
        );
        assert_eq!(
            cast(Value::Boolean(true), Type::Integer, true, s, &mut e),
            Value::Integer(1)
        );
        assert!(e.is_empty());
        assert_eq!(
            cast(
                Value::String("2147483648".into()),
                Type::Integer,
                true,
                s,
                &mut e
            ),
            Value::Integer(0)
        );
        assert_eq!(
            cast(Value::Integer(3), Type::Boolean, true, s, &mut e),
            Value::Boolean(false)
        );
        assert_eq!(
            cast(Value::Integer(3), Type::Boolean, false, s, &mut e),
            Value::Boolean(true)
        );
        assert_eq!(
            e.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![ErrorKind::Cast, ErrorKind::Cast]
        );
    }

    #[test]
    fn text_eq_is_string_equality_at_every_length() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(text_eq(a, a));
            assert!(!text_eq(a, &base[..n.saturating_sub(1)]) || n == 0);
            // One byte different, at every position (first, middle, last).
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] = b'_';
                assert!(!text_eq(a, std::str::from_utf8(&b).unwrap()), "{a} at {i}");
            }
        }
    }
}
