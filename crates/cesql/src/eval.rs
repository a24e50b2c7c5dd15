//! Evaluation (§3.4–3.7) in complete mode: every error is collected and a value is always
//! produced. When evaluating an operand records an error (a missing attribute, a division by
//! zero, …), the operator or function using it does not compute: it returns the zero value of its
//! result type. That is §3.2's rule for missing attributes, applied to every error the way the
//! TCK expects (`true AND (1 != 1 / 0)` is `false`, `missing / 0` reports no math error). Casts an
//! operator makes itself do not count as operand errors (`NOT 10` is `true` with a cast error).

use std::borrow::Cow;

use crate::error::{Error, ErrorKind};
use crate::event::Attributes;
use crate::parser::{BinOp, Expr, Node};
use crate::value::{cast, Type, Value};

pub struct Evaluator<'a, A: Attributes + ?Sized> {
    pub event: &'a A,
    pub errors: Vec<Error>,
}

impl<'a, A: Attributes + ?Sized> Evaluator<'a, A> {
    pub fn eval(&mut self, n: &'a Node) -> Value<'a> {
        match &n.expr {
            Expr::Literal(v) => borrow(v),
            Expr::Attribute(key) => match self.event.get(key) {
                Some(v) => v,
                None => self.missing(n, key.name()),
            },
            Expr::Exists(key) => Value::Boolean(self.event.get(key).is_some()),
            Expr::Not(x) => match self.operand(x) {
                Some(v) => Value::Boolean(!self.as_bool(v, x)),
                None => Value::Boolean(false),
            },
            Expr::Negate(x) => match self.operand(x) {
                Some(v) => Value::Integer(self.as_int(v, x).wrapping_neg()),
                None => Value::Integer(0),
            },
            Expr::Binary(op, l, r) => self
                .binary(*op, l, r)
                .unwrap_or_else(|| Value::zero(result_type(*op))),
            Expr::Like {
                value,
                pattern,
                negated,
                ..
            } => {
                let Some(v) = self.operand(value) else {
                    return Value::Boolean(false);
                };
                let Value::String(s) = cast(v, Type::String, true, value.span, &mut self.errors)
                else {
                    unreachable!("cast to String")
                };
                Value::Boolean(pattern.matches(&s) != *negated)
            }
            Expr::In {
                value,
                set,
                negated,
            } => self
                .in_set(value, set, *negated)
                .unwrap_or(Value::Boolean(false)),
            Expr::Call {
                name,
                function,
                args,
            } => {
                let Some(f) = function else {
                    let known = crate::functions::overloads(name);
                    let hint = if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (it takes {})", known.join(" or "))
                    };
                    self.errors.push(Error::new(
                        ErrorKind::MissingFunction,
                        n.span,
                        format!("no function {name} with {} argument(s){hint}", args.len()),
                    ));
                    return Value::Boolean(false);
                };
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    match self.operand(a) {
                        Some(v) => values.push(v),
                        None => return Value::zero(f.returns),
                    }
                }
                let values = values
                    .into_iter()
                    .enumerate()
                    .zip(args)
                    .map(|((i, v), a)| cast(v, f.param_type(i), true, a.span, &mut self.errors))
                    .collect();
                f.call(values, n.span, &mut self.errors)
            }
        }
    }

    #[cold]
    fn missing(&mut self, n: &Node, name: &str) -> Value<'a> {
        self.errors.push(Error::new(
            ErrorKind::MissingAttribute,
            n.span,
            format!("the event has no attribute `{name}`"),
        ));
        // A lone attribute has no result type to take a zero from: Boolean (§3.2).
        Value::Boolean(false)
    }

    /// Evaluates an operand; `None` if that recorded any error. Literals and attributes, the
    /// operands of nearly every comparison, are read inline.
    #[inline]
    fn operand(&mut self, n: &'a Node) -> Option<Value<'a>> {
        match &n.expr {
            Expr::Literal(v) => Some(borrow(v)),
            Expr::Attribute(key) => match self.event.get(key) {
                Some(v) => Some(v),
                None => {
                    self.missing(n, key.name());
                    None
                }
            },
            _ => {
                let before = self.errors.len();
                let v = self.eval(n);
                (self.errors.len() == before).then_some(v)
            }
        }
    }

    #[inline]
    fn as_bool(&mut self, v: Value<'a>, n: &Node) -> bool {
        matches!(
            cast(v, Type::Boolean, true, n.span, &mut self.errors),
            Value::Boolean(true)
        )
    }

    #[inline]
    fn as_int(&mut self, v: Value<'a>, n: &Node) -> i32 {
        match cast(v, Type::Integer, true, n.span, &mut self.errors) {
            Value::Integer(i) => i,
            _ => unreachable!("cast to Integer"),
        }
    }

    fn in_set(&mut self, value: &'a Node, set: &'a [Node], negated: bool) -> Option<Value<'a>> {
        let v = self.operand(value)?;
        // The left operand's type is the target type of every element (§3.7).
        let target = v.ty();
        let mut found = false;
        for e in set {
            let ev = self.operand(e)?;
            if cast(ev, target, true, e.span, &mut self.errors) == v {
                found = true;
            }
        }
        Some(Value::Boolean(found != negated))
    }

    /// `None` when an operand recorded an error.
    fn binary(&mut self, op: BinOp, l: &'a Node, r: &'a Node) -> Option<Value<'a>> {
        match op {
            BinOp::And | BinOp::Or => {
                let lv = self.operand(l)?;
                let lb = self.as_bool(lv, l);
                // Short circuit (§3.4.2): the right side is not evaluated at all.
                if (op == BinOp::And && !lb) || (op == BinOp::Or && lb) {
                    return Some(Value::Boolean(lb));
                }
                let rv = self.operand(r)?;
                Some(Value::Boolean(self.as_bool(rv, r)))
            }
            BinOp::Xor => {
                let (lv, rv) = (self.operand(l), self.operand(r));
                let (lb, rb) = (self.as_bool(lv?, l), self.as_bool(rv?, r));
                Some(Value::Boolean(lb != rb))
            }
            BinOp::Eq | BinOp::NotEq => {
                let (lv, rv) = (self.operand(l), self.operand(r));
                let (lv, rv) = (lv?, rv?);
                // `=` is ambiguous: the right operand's type picks the overload (§3.7), and a
                // failed cast makes the result false.
                let before = self.errors.len();
                let lv = cast(lv, rv.ty(), true, l.span, &mut self.errors);
                if self.errors.len() > before {
                    return Some(Value::Boolean(false));
                }
                Some(Value::Boolean((lv == rv) == (op == BinOp::Eq)))
            }
            _ => {
                let (lv, rv) = (self.operand(l), self.operand(r));
                let (lv, rv) = (lv?, rv?);
                let (a, b) = (self.as_int(lv, l), self.as_int(rv, r));
                Some(match op {
                    BinOp::Less => Value::Boolean(a < b),
                    BinOp::LessEq => Value::Boolean(a <= b),
                    BinOp::Greater => Value::Boolean(a > b),
                    BinOp::GreaterEq => Value::Boolean(a >= b),
                    BinOp::Add => Value::Integer(a.wrapping_add(b)),
                    BinOp::Sub => Value::Integer(a.wrapping_sub(b)),
                    BinOp::Mul => Value::Integer(a.wrapping_mul(b)),
                    BinOp::Div | BinOp::Mod if b == 0 => {
                        let what = if op == BinOp::Div {
                            "division"
                        } else {
                            "modulo"
                        };
                        self.errors.push(Error::new(
                            ErrorKind::Math,
                            r.span,
                            format!("{what} by zero"),
                        ));
                        Value::Integer(0)
                    }
                    BinOp::Div => Value::Integer(a.wrapping_div(b)),
                    BinOp::Mod => Value::Integer(a.wrapping_rem(b)),
                    _ => unreachable!("handled above"),
                })
            }
        }
    }
}

fn borrow<'a>(v: &'a Value<'static>) -> Value<'a> {
    match v {
        Value::Boolean(b) => Value::Boolean(*b),
        Value::Integer(i) => Value::Integer(*i),
        Value::String(s) => Value::String(Cow::Borrowed(s)),
    }
}

fn result_type(op: BinOp) -> Type {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => Type::Integer,
        _ => Type::Boolean,
    }
}
