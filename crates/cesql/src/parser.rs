//! The typed syntax tree and a precedence-climbing parser following `CESQLParser.g4`:
//! prefix `NOT`/`-` bind tightest, then `LIKE`, `IN`, `* / %`, `+ -`, comparisons, and last
//! `AND`/`OR`/`XOR` at one level, right-associative (as the grammar, and so Knative, reads them).

use crate::error::{Error, ErrorKind, Span};
use crate::event::AttrKey;
use crate::functions::{self, Function};
use crate::lexer::{tokenize, Tok, Token};
use crate::like::LikePattern;
use crate::value::Value;

/// Deeper trees are refused: evaluation and drop recurse over the tree.
pub const MAX_DEPTH: usize = 256;
/// Parentheses, prefix operators and function calls nest at most this deep (each level costs
/// the parser several stack frames).
const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    And,
    Or,
    Xor,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value<'static>),
    Attribute(AttrKey),
    Exists(AttrKey),
    Not(Box<Node>),
    Negate(Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Like {
        value: Box<Node>,
        pattern: LikePattern,
        source: String,
        negated: bool,
    },
    In {
        value: Box<Node>,
        set: Vec<Node>,
        negated: bool,
    },
    Call {
        name: String,
        function: Option<&'static Function>,
        args: Vec<Node>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub expr: Expr,
    pub span: Span,
    depth: usize,
}

/// Depth of a node over `children`, refused past [`MAX_DEPTH`].
fn deeper(children: &[&Node], span: Span) -> Result<usize, Error> {
    let depth = 1 + children.iter().map(|c| c.depth).max().unwrap_or(0);
    if depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::Parse,
            span,
            format!("expression nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(depth)
}

fn leaf(expr: Expr, span: Span) -> Result<Node, Error> {
    Ok(Node {
        expr,
        span,
        depth: 1,
    })
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Recursion guard for the parser itself (parentheses, prefix operators, right operands).
    nesting: usize,
}

const PREFIX_BP: u8 = 7;

fn infix(tok: &Tok) -> Option<(u8, BinOp)> {
    Some(match tok {
        Tok::Star => (4, BinOp::Mul),
        Tok::Slash => (4, BinOp::Div),
        Tok::Percent => (4, BinOp::Mod),
        Tok::Plus => (3, BinOp::Add),
        Tok::Minus => (3, BinOp::Sub),
        Tok::Eq => (2, BinOp::Eq),
        Tok::NotEq | Tok::LessGreater => (2, BinOp::NotEq),
        Tok::Less => (2, BinOp::Less),
        Tok::LessEq => (2, BinOp::LessEq),
        Tok::Greater => (2, BinOp::Greater),
        Tok::GreaterEq => (2, BinOp::GreaterEq),
        Tok::And => (1, BinOp::And),
        Tok::Or => (1, BinOp::Or),
        Tok::Xor => (1, BinOp::Xor),
        _ => return None,
    })
}

const LIKE_BP: u8 = 6;
const IN_BP: u8 = 5;

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + n).map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn end_span(&self) -> Span {
        Span::new(self.src.len(), self.src.len())
    }

    fn error_here(&self, expected: &str) -> Error {
        match self.tokens.get(self.pos) {
            Some(t) => Error::new(
                ErrorKind::Parse,
                t.span,
                format!("expected {expected}, found {}", t.tok.describe()),
            ),
            None => Error::new(
                ErrorKind::Parse,
                self.end_span(),
                format!("unexpected end of expression: expected {expected}"),
            ),
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Span, Error> {
        if self.peek() == Some(&tok) {
            Ok(self.next().expect("peeked").span)
        } else {
            Err(self.error_here(what))
        }
    }

    fn enter(&mut self, span: Span) -> Result<(), Error> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(Error::new(
                ErrorKind::Parse,
                span,
                format!("expression nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// An expression whose operators all bind at least as tightly as `min_bp`.
    fn expression(&mut self, min_bp: u8) -> Result<Node, Error> {
        let first = self.tighter(min_bp.max(2))?;
        if min_bp > 1 {
            return Ok(first);
        }
        // AND/OR/XOR chains are read in a loop, not by recursion, then folded to the right:
        // a long chain of conditions must not exhaust the parser's stack.
        let mut operands = vec![first];
        let mut ops = Vec::new();
        while let Some((1, op)) = self.peek().and_then(infix) {
            self.pos += 1;
            ops.push(op);
            operands.push(self.tighter(2)?);
        }
        let mut node = operands.pop().expect("at least one operand");
        while let (Some(op), Some(lhs)) = (ops.pop(), operands.pop()) {
            let span = lhs.span.to(node.span);
            let depth = deeper(&[&lhs, &node], span)?;
            node = Node {
                expr: Expr::Binary(op, Box::new(lhs), Box::new(node)),
                span,
                depth,
            };
        }
        Ok(node)
    }

    /// Operators binding at `min_bp` (≥ 2) or tighter: left-associative, read in a loop.
    fn tighter(&mut self, min_bp: u8) -> Result<Node, Error> {
        let start = self
            .tokens
            .get(self.pos)
            .map_or(self.end_span(), |t| t.span);
        self.enter(start)?;
        let mut lhs = self.prefix()?;
        while let Some(tok) = self.peek() {
            let negated = *tok == Tok::Not && matches!(self.peek_at(1), Some(Tok::Like | Tok::In));
            let op_tok = if negated {
                self.peek_at(1).expect("checked")
            } else {
                tok
            };
            match op_tok {
                Tok::Like if LIKE_BP >= min_bp => {
                    self.pos += 1 + negated as usize;
                    lhs = self.like(lhs, negated)?;
                }
                Tok::In if IN_BP >= min_bp => {
                    self.pos += 1 + negated as usize;
                    lhs = self.in_set(lhs, negated)?;
                }
                Tok::Like | Tok::In => break,
                _ if negated => break,
                other => {
                    let Some((bp, op)) = infix(other) else { break };
                    if bp < min_bp {
                        break;
                    }
                    self.pos += 1;
                    let rhs = self.tighter(bp + 1)?;
                    let span = lhs.span.to(rhs.span);
                    let depth = deeper(&[&lhs, &rhs], span)?;
                    lhs = Node {
                        expr: Expr::Binary(op, Box::new(lhs), Box::new(rhs)),
                        span,
                        depth,
                    };
                }
            }
        }
        self.nesting -= 1;
        Ok(lhs)
    }

    fn like(&mut self, value: Node, negated: bool) -> Result<Node, Error> {
        match self.next() {
            Some(Token {
                tok: Tok::Str(p),
                span,
            }) => {
                let s = value.span.to(span);
                let depth = deeper(&[&value], s)?;
                Ok(Node {
                    expr: Expr::Like {
                        pattern: LikePattern::compile(&p),
                        source: p,
                        value: Box::new(value),
                        negated,
                    },
                    span: s,
                    depth,
                })
            }
            _ => {
                self.pos -= 1;
                Err(self.error_here(
                    "a string literal pattern after LIKE (the pattern cannot be computed)",
                ))
            }
        }
    }

    fn in_set(&mut self, value: Node, negated: bool) -> Result<Node, Error> {
        self.expect(Tok::LParen, "`(` starting the set after IN")?;
        let mut set = Vec::new();
        loop {
            set.push(self.expression(0)?);
            match self.peek() {
                Some(Tok::Comma) => {
                    self.pos += 1;
                }
                _ => break,
            }
        }
        let end = self.expect(Tok::RParen, "`,` or `)` closing the IN set")?;
        let span = value.span.to(end);
        let mut children: Vec<&Node> = set.iter().collect();
        children.push(&value);
        let depth = deeper(&children, span)?;
        Ok(Node {
            expr: Expr::In {
                value: Box::new(value),
                set,
                negated,
            },
            span,
            depth,
        })
    }

    fn prefix(&mut self) -> Result<Node, Error> {
        let Some(t) = self.next() else {
            return Err(Error::new(
                ErrorKind::Parse,
                self.end_span(),
                "unexpected end of expression: expected a value, an attribute or a function call",
            ));
        };
        let span = t.span;
        match t.tok {
            Tok::Not => {
                let operand = self.expression(PREFIX_BP)?;
                let s = span.to(operand.span);
                let depth = deeper(&[&operand], s)?;
                Ok(Node {
                    expr: Expr::Not(Box::new(operand)),
                    span: s,
                    depth,
                })
            }
            Tok::Minus => {
                // A literal keeps its sign, so that -2147483648 is a valid Integer.
                if let Some(Tok::Int(n)) = self.peek().cloned() {
                    let lit = self.next().expect("peeked");
                    let s = span.to(lit.span);
                    return int_literal(-n, s);
                }
                let operand = self.expression(PREFIX_BP)?;
                let s = span.to(operand.span);
                let depth = deeper(&[&operand], s)?;
                Ok(Node {
                    expr: Expr::Negate(Box::new(operand)),
                    span: s,
                    depth,
                })
            }
            Tok::Exists => match self.next() {
                Some(Token {
                    tok: Tok::Ident(name),
                    span: s,
                }) => leaf(Expr::Exists(AttrKey::new(&name)), span.to(s)),
                _ => {
                    self.pos -= 1;
                    Err(self.error_here("an attribute name after EXISTS"))
                }
            },
            Tok::LParen => {
                let inner = self.expression(0)?;
                let end = self.expect(Tok::RParen, "`)` closing the parenthesis")?;
                Ok(Node {
                    span: span.to(end),
                    ..inner
                })
            }
            Tok::Int(n) => int_literal(n, span),
            Tok::Str(s) => leaf(Expr::Literal(Value::String(s.into())), span),
            Tok::True => leaf(Expr::Literal(Value::Boolean(true)), span),
            Tok::False => leaf(Expr::Literal(Value::Boolean(false)), span),
            Tok::Ident(name) => leaf(Expr::Attribute(AttrKey::new(&name)), span),
            Tok::Func(name) => self.call(name, span),
            _ => {
                self.pos -= 1;
                Err(self.error_here("a value, an attribute or a function call"))
            }
        }
    }

    fn call(&mut self, name: String, span: Span) -> Result<Node, Error> {
        self.expect(Tok::LParen, "`(`")?;
        let mut args = Vec::new();
        if self.peek() != Some(&Tok::RParen) {
            loop {
                args.push(self.expression(0)?);
                match self.peek() {
                    Some(Tok::Comma) => self.pos += 1,
                    _ => break,
                }
            }
        }
        let end = self.expect(Tok::RParen, "`,` or `)` closing the argument list")?;
        let function = functions::lookup(&name, args.len());
        let span = span.to(end);
        let children: Vec<&Node> = args.iter().collect();
        let depth = deeper(&children, span)?;
        Ok(Node {
            expr: Expr::Call {
                name,
                function,
                args,
            },
            span,
            depth,
        })
    }
}

fn int_literal(n: i64, span: Span) -> Result<Node, Error> {
    match i32::try_from(n) {
        Ok(i) => leaf(Expr::Literal(Value::Integer(i)), span),
        Err(_) => Err(Error::new(
            ErrorKind::Parse,
            span,
            format!("integer {n} does not fit in 32 bits (-2147483648 to 2147483647)"),
        )),
    }
}

/// Parses a whole expression.
pub fn parse(src: &str) -> Result<Node, Error> {
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        nesting: 0,
    };
    let node = p.expression(0)?;
    if p.pos < p.tokens.len() {
        return Err(p.error_here("an operator or the end of the expression"));
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl BinOp {
        #[allow(dead_code)]
        fn symbol(self) -> &'static str {
            match self {
                BinOp::Mul => "*",
                BinOp::Div => "/",
                BinOp::Mod => "%",
                BinOp::Add => "+",
                BinOp::Sub => "-",
                BinOp::Eq => "=",
                BinOp::NotEq => "!=",
                BinOp::Less => "<",
                BinOp::LessEq => "<=",
                BinOp::Greater => ">",
                BinOp::GreaterEq => ">=",
                BinOp::And => "AND",
                BinOp::Or => "OR",
                BinOp::Xor => "XOR",
            }
        }
    }

    /// The tree in prefix notation, for precedence tests.
    fn show(n: &Node) -> String {
        match &n.expr {
            Expr::Literal(v) => v.to_string(),
            Expr::Attribute(a) => a.name().to_string(),
            Expr::Exists(a) => format!("(EXISTS {})", a.name()),
            Expr::Not(x) => format!("(NOT {})", show(x)),
            Expr::Negate(x) => format!("(- {})", show(x)),
            Expr::Binary(op, l, r) => format!("({} {} {})", op.symbol(), show(l), show(r)),
            Expr::Like {
                value,
                source,
                negated,
                ..
            } => format!(
                "({}LIKE {} '{source}')",
                if *negated { "NOT " } else { "" },
                show(value)
            ),
            Expr::In {
                value,
                set,
                negated,
            } => {
                format!(
                    "({}IN {} {})",
                    if *negated { "NOT " } else { "" },
                    show(value),
                    set.iter().map(show).collect::<Vec<_>>().join(" ")
                )
            }
            Expr::Call { name, args, .. } => format!(
                "({name} {})",
                args.iter().map(show).collect::<Vec<_>>().join(" ")
            ),
        }
    }

    fn p(s: &str) -> String {
        show(&parse(s).unwrap())
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(p("4 * 2 + 4 / 2"), "(+ (* 4 2) (/ 4 2))");
        assert_eq!(p("1 - 2 - 3"), "(- (- 1 2) 3)");
        assert_eq!(p("a = 1 AND b = 2 OR c"), "(AND (= a 1) (OR (= b 2) c))");
        assert_eq!(p("NOT a = b"), "(= (NOT a) b)");
        assert_eq!(p("NOT EXISTS time"), "(NOT (EXISTS time))");
        assert_eq!(p("a + b LIKE 'x%'"), "(+ a (LIKE b 'x%'))");
        assert_eq!(p("x NOT IN (1, 2) = TRUE"), "(= (NOT IN x 1 2) true)");
        assert_eq!(p("--10"), "(- -10)");
        assert_eq!(p("-2147483648"), "-2147483648");
        assert_eq!(
            p("concat_ws(',', a, LOWER(b))"),
            "(CONCAT_WS ',' a (LOWER b))"
        );
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let e = parse("ABC(").unwrap_err();
        assert_eq!(e.span.column("ABC("), 5);
        assert!(e.message.contains("unexpected end"), "{}", e.message);
        let e = parse("x LIKE 123").unwrap_err();
        assert_eq!(e.span.column("x LIKE 123"), 8);
        assert!(e.message.contains("string literal"), "{}", e.message);
        let e = parse("a = = 1").unwrap_err();
        assert_eq!(
            (e.span.column("a = = 1"), e.message.as_str()),
            (
                5,
                "expected a value, an attribute or a function call, found `=`"
            )
        );
        assert!(parse("a b")
            .unwrap_err()
            .message
            .contains("expected an operator"));
        assert!(parse("2147483648").is_err());
        assert!(parse("x IN ()").is_err());
    }

    #[test]
    fn deep_nesting_is_a_parse_error() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("nests"));
        let chain = vec!["1"; 5_000].join(" + ");
        assert!(parse(&chain).unwrap_err().message.contains("nests"));
        let nots = format!("{}true", "NOT ".repeat(5_000));
        assert!(parse(&nots).is_err());
        // Long AND/OR chains are fine (they are read in a loop), up to the tree depth limit.
        let conds: Vec<String> = (0..200).map(|i| format!("a{i} = {i}")).collect();
        assert!(parse(&conds.join(" AND ")).is_ok());
        assert!(parse(&vec!["true"; 300].join(" OR "))
            .unwrap_err()
            .message
            .contains("nests"));
    }
}
