//! CloudEvents SQL (CESQL) v1.0: lexer, parser, type rules and evaluator, passing the whole TCK.
//!
//! An [`Expression`] is parsed (compiled) once — function overloads resolved, LIKE patterns
//! compiled, literals typed — and evaluated many times against anything implementing
//! [`Attributes`]: a `cloudevents::Event` (feature `cloudevents`) or a JSON-format event.
//!
//! Pure Rust, no I/O: builds for `wasm32-unknown-unknown`.

mod error;
mod eval;
mod event;
mod functions;
mod lexer;
mod like;
mod parser;
mod value;

pub use error::{Error, ErrorKind, Span};
pub use event::{AttrKey, Attributes, Context};
pub use parser::MAX_DEPTH;
pub use value::{bytes_eq, text_eq, Type, Value};

/// A parsed expression, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    root: parser::Node,
}

/// The result of an evaluation: always a value, plus every error that occurred.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation<'a> {
    pub value: Value<'a>,
    pub errors: Vec<Error>,
}

impl Expression {
    /// Parses `source`; the error says where (byte span, see [`Span::column`]) and what was
    /// expected.
    pub fn parse(source: &str) -> Result<Expression, Error> {
        Ok(Expression {
            source: source.to_string(),
            root: parser::parse(source)?,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The string `attr` must equal for the expression to be true: set when the expression is
    /// `attr = 'text'` (either side) or an `AND` with such a comparison at its top level. An
    /// `AND` is false when one side is, and an error makes a filter fail too, so an event whose
    /// `attr` differs cannot pass. `None` when the expression says nothing that plain.
    pub fn required_equal(&self, attr: event::Context) -> Option<&str> {
        fn find(n: &parser::Node, attr: event::Context) -> Option<&str> {
            use parser::{BinOp, Expr};
            match &n.expr {
                Expr::Binary(BinOp::And, l, r) => find(l, attr).or_else(|| find(r, attr)),
                Expr::Binary(BinOp::Eq, l, r) => match (&l.expr, &r.expr) {
                    (
                        Expr::Attribute(event::AttrKey::Context(c)),
                        Expr::Literal(Value::String(s)),
                    )
                    | (
                        Expr::Literal(Value::String(s)),
                        Expr::Attribute(event::AttrKey::Context(c)),
                    ) if *c == attr => Some(s),
                    _ => None,
                },
                _ => None,
            }
        }
        find(&self.root, attr)
    }

    /// Evaluates in complete mode: errors are collected and a value is always returned (a
    /// missing attribute at the top reads as `false`, §3.2).
    pub fn evaluate<'a, A: Attributes + ?Sized>(&'a self, event: &'a A) -> Evaluation<'a> {
        let mut ev = eval::Evaluator {
            event,
            errors: Vec::new(),
        };
        let value = ev.eval(&self.root);
        Evaluation {
            value,
            errors: ev.errors,
        }
    }

    /// The filter reading (§1.2): the event passes only if the result is `true` with no error.
    pub fn matches<A: Attributes + ?Sized>(&self, event: &A) -> bool {
        let e = self.evaluate(event);
        e.errors.is_empty() && e.value == Value::Boolean(true)
    }
}
