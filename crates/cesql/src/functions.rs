//! Built-in functions (§3.5 and the casting functions), resolved by name and arity at compile
//! time.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Span};
use crate::value::{cast, parse_bool, parse_int, Type, Value};

type Body = for<'a> fn(Vec<Value<'a>>, Span, &mut Vec<Error>) -> Value<'a>;

pub struct Function {
    pub name: &'static str,
    pub params: &'static [Type],
    /// Type of the extra arguments of a variadic function.
    pub variadic: Option<Type>,
    pub returns: Type,
    body: Body,
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.name, self.params.len())
    }
}

/// Functions are table entries: the same entry is the same function.
impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Function {
    pub fn param_type(&self, i: usize) -> Type {
        self.params
            .get(i)
            .copied()
            .or(self.variadic)
            .unwrap_or(Type::Any)
    }

    pub fn call<'a>(&self, args: Vec<Value<'a>>, span: Span, errors: &mut Vec<Error>) -> Value<'a> {
        (self.body)(args, span, errors)
    }

    /// `NAME(String, Integer)` for messages.
    pub fn signature(&self) -> String {
        let mut p: Vec<String> = self.params.iter().map(Type::to_string).collect();
        if let Some(v) = self.variadic {
            p.push(format!("{v}..."));
        }
        format!("{}({})", self.name, p.join(", "))
    }
}

fn s<'a>(v: &mut std::vec::IntoIter<Value<'a>>) -> Cow<'a, str> {
    match v.next() {
        Some(Value::String(s)) => s,
        _ => unreachable!("arguments are cast to their parameter types"),
    }
}

fn i(v: &mut std::vec::IntoIter<Value<'_>>) -> i32 {
    match v.next() {
        Some(Value::Integer(i)) => i,
        _ => unreachable!("arguments are cast to their parameter types"),
    }
}

fn fn_error(errors: &mut Vec<Error>, span: Span, msg: String) {
    errors.push(Error::new(ErrorKind::FunctionEvaluation, span, msg));
}

fn chars_slice(x: &str, start: usize, end: usize) -> String {
    x.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

fn substring<'a>(
    x: Cow<'a, str>,
    pos: i32,
    len: Option<i32>,
    span: Span,
    errors: &mut Vec<Error>,
) -> Value<'a> {
    let n = x.chars().count() as i64;
    let pos = pos as i64;
    if pos > n || pos < -n {
        fn_error(
            errors,
            span,
            format!("position {pos} is outside the string (length {n})"),
        );
        return Value::String(Cow::Borrowed(""));
    }
    if let Some(l) = len {
        if l < 0 {
            fn_error(errors, span, format!("length {l} is negative"));
            return Value::String(Cow::Borrowed(""));
        }
    }
    if pos == 0 {
        return Value::String(Cow::Borrowed(""));
    }
    let start = if pos > 0 { pos - 1 } else { n + pos } as usize;
    let end = match len {
        Some(l) => (start as i64 + l as i64).min(n) as usize,
        None => n as usize,
    };
    Value::String(Cow::Owned(chars_slice(&x, start, end)))
}

fn left_right<'a>(
    x: Cow<'a, str>,
    y: i32,
    left: bool,
    span: Span,
    errors: &mut Vec<Error>,
) -> Value<'a> {
    if y < 0 {
        fn_error(errors, span, format!("length {y} is negative"));
        return Value::String(x);
    }
    let n = x.chars().count();
    let y = y as usize;
    if n <= y {
        return Value::String(x);
    }
    Value::String(Cow::Owned(if left {
        chars_slice(&x, 0, y)
    } else {
        chars_slice(&x, n - y, n)
    }))
}

macro_rules! f {
    ($name:expr, [$($p:ident),*], $var:expr, $ret:ident, $body:expr) => {
        Function { name: $name, params: &[$(Type::$p),*], variadic: $var, returns: Type::$ret, body: $body }
    };
}

pub static BUILTINS: &[Function] = &[
    f!("LENGTH", [String], None, Integer, |a, _, _| {
        let mut a = a.into_iter();
        Value::Integer(s(&mut a).chars().count() as i32)
    }),
    f!("CONCAT", [], Some(Type::String), String, |a, _, _| {
        let mut out = String::new();
        for v in a {
            if let Value::String(x) = v {
                out.push_str(&x);
            }
        }
        Value::String(Cow::Owned(out))
    }),
    f!(
        "CONCAT_WS",
        [String],
        Some(Type::String),
        String,
        |a, _, _| {
            let mut a = a.into_iter();
            let sep = s(&mut a);
            let parts: Vec<Cow<str>> = a
                .map(|v| {
                    if let Value::String(x) = v {
                        x
                    } else {
                        Cow::Borrowed("")
                    }
                })
                .collect();
            Value::String(Cow::Owned(parts.join(&*sep)))
        }
    ),
    f!("LOWER", [String], None, String, |a, _, _| Value::String(
        Cow::Owned(s(&mut a.into_iter()).to_lowercase())
    )),
    f!("UPPER", [String], None, String, |a, _, _| Value::String(
        Cow::Owned(s(&mut a.into_iter()).to_uppercase())
    )),
    f!("TRIM", [String], None, String, |a, _, _| {
        let x = s(&mut a.into_iter());
        Value::String(match x {
            Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
            Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
        })
    }),
    f!("LEFT", [String, Integer], None, String, |a, span, e| {
        let mut a = a.into_iter();
        let x = s(&mut a);
        left_right(x, i(&mut a), true, span, e)
    }),
    f!("RIGHT", [String, Integer], None, String, |a, span, e| {
        let mut a = a.into_iter();
        let x = s(&mut a);
        left_right(x, i(&mut a), false, span, e)
    }),
    f!(
        "SUBSTRING",
        [String, Integer],
        None,
        String,
        |a, span, e| {
            let mut a = a.into_iter();
            let x = s(&mut a);
            substring(x, i(&mut a), None, span, e)
        }
    ),
    f!(
        "SUBSTRING",
        [String, Integer, Integer],
        None,
        String,
        |a, span, e| {
            let mut a = a.into_iter();
            let x = s(&mut a);
            let pos = i(&mut a);
            substring(x, pos, Some(i(&mut a)), span, e)
        }
    ),
    f!("ABS", [Integer], None, Integer, |a, span, e| {
        let x = i(&mut a.into_iter());
        if x == i32::MIN {
            e.push(Error::new(
                ErrorKind::Math,
                span,
                "ABS(-2147483648) overflows a 32-bit integer",
            ));
            return Value::Integer(i32::MAX);
        }
        Value::Integer(x.abs())
    }),
    f!("INT", [Any], None, Integer, |a, span, e| cast(
        a.into_iter().next().expect("arity 1"),
        Type::Integer,
        false,
        span,
        e
    )),
    f!("BOOL", [Any], None, Boolean, |a, span, e| cast(
        a.into_iter().next().expect("arity 1"),
        Type::Boolean,
        false,
        span,
        e
    )),
    f!("STRING", [Any], None, String, |a, span, e| cast(
        a.into_iter().next().expect("arity 1"),
        Type::String,
        false,
        span,
        e
    )),
    f!("IS_BOOL", [Any], None, Boolean, |a, _, _| Value::Boolean(
        match a.into_iter().next().expect("arity 1") {
            Value::Boolean(_) => true,
            Value::Integer(_) => false,
            Value::String(x) => parse_bool(&x).is_some(),
        }
    )),
    f!("IS_INT", [Any], None, Boolean, |a, _, _| Value::Boolean(
        match a.into_iter().next().expect("arity 1") {
            Value::Integer(_) => true,
            Value::Boolean(_) => false,
            Value::String(x) => parse_int(&x).is_some(),
        }
    )),
];

/// The function for an upper-cased name and an arity. Fixed arities win over variadic ones.
pub fn lookup(name: &str, arity: usize) -> Option<&'static Function> {
    let candidates = BUILTINS.iter().filter(|f| f.name == name);
    candidates
        .clone()
        .find(|f| f.variadic.is_none() && f.params.len() == arity)
        .or_else(|| {
            candidates
                .clone()
                .find(|f| f.variadic.is_some() && arity >= f.params.len())
        })
}

/// Signatures of every overload of a name (for "missing function" messages).
pub fn overloads(name: &str) -> Vec<String> {
    BUILTINS
        .iter()
        .filter(|f| f.name == name)
        .map(Function::signature)
        .collect()
}
