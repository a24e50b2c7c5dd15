//! Tokens of CESQL (the spec's `CESQLLexer.g4`), with the byte span of each.

use crate::error::{Error, ErrorKind, Span};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Int(i64),
    Str(String),
    /// Attribute name, lower-cased (CloudEvents attribute names are lower case).
    Ident(String),
    /// A name directly followed by `(`, upper-cased (function names are case-insensitive).
    Func(String),
    True,
    False,
    And,
    Or,
    Xor,
    Not,
    Like,
    Exists,
    In,
    LParen,
    RParen,
    Comma,
    Star,
    Slash,
    Percent,
    Plus,
    Minus,
    Eq,
    NotEq,
    LessGreater,
    Less,
    LessEq,
    Greater,
    GreaterEq,
}

impl Tok {
    /// How the token reads in messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Int(n) => format!("integer `{n}`"),
            Tok::Str(s) => format!("string '{s}'"),
            Tok::Ident(s) => format!("attribute `{s}`"),
            Tok::Func(s) => format!("function `{s}`"),
            other => format!("`{}`", other.text()),
        }
    }

    fn text(&self) -> &'static str {
        match self {
            Tok::True => "TRUE",
            Tok::False => "FALSE",
            Tok::And => "AND",
            Tok::Or => "OR",
            Tok::Xor => "XOR",
            Tok::Not => "NOT",
            Tok::Like => "LIKE",
            Tok::Exists => "EXISTS",
            Tok::In => "IN",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Eq => "=",
            Tok::NotEq => "!=",
            Tok::LessGreater => "<>",
            Tok::Less => "<",
            Tok::LessEq => "<=",
            Tok::Greater => ">",
            Tok::GreaterEq => ">=",
            Tok::Int(_) | Tok::Str(_) | Tok::Ident(_) | Tok::Func(_) => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

fn parse_error(span: Span, message: String) -> Error {
    Error::new(ErrorKind::Parse, span, message)
}

/// Splits an expression into tokens; the first lexical error stops it.
pub fn tokenize(src: &str) -> Result<Vec<Token>, Error> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let single = |tok: Tok| (tok, 1);
        let (tok, len) = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => single(Tok::LParen),
            b')' => single(Tok::RParen),
            b',' => single(Tok::Comma),
            b'*' => single(Tok::Star),
            b'/' => single(Tok::Slash),
            b'%' => single(Tok::Percent),
            b'+' => single(Tok::Plus),
            b'-' => single(Tok::Minus),
            b'=' => single(Tok::Eq),
            b'!' if bytes.get(i + 1) == Some(&b'=') => (Tok::NotEq, 2),
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => (Tok::LessEq, 2),
                Some(b'>') => (Tok::LessGreater, 2),
                _ => single(Tok::Less),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (Tok::GreaterEq, 2),
                _ => single(Tok::Greater),
            },
            b'\'' | b'"' => string(src, i)?,
            c if c.is_ascii_alphanumeric() || c == b'_' => word(src, i)?,
            _ => {
                let ch = src[i..].chars().next().expect("in bounds");
                return Err(parse_error(
                    Span::new(i, i + ch.len_utf8()),
                    format!("unexpected character `{ch}`"),
                ));
            }
        };
        i += len;
        out.push(Token {
            tok,
            span: Span::new(start, i),
        });
    }
    Ok(out)
}

/// A quoted string: the closing quote may be escaped as `\'` or doubled as `''`. Other
/// backslashes stay, because LIKE patterns give `\%` and `\_` their meaning.
fn string(src: &str, start: usize) -> Result<(Tok, usize), Error> {
    let quote = src.as_bytes()[start] as char;
    let mut value = String::new();
    let mut chars = src[start + 1..].char_indices().peekable();
    while let Some((off, ch)) = chars.next() {
        if ch == '\\' {
            match chars.peek() {
                Some(&(_, next)) if next == quote => {
                    value.push(quote);
                    chars.next();
                }
                _ => value.push('\\'),
            }
        } else if ch == quote {
            if chars.peek().map(|&(_, c)| c) == Some(quote) {
                value.push(quote);
                chars.next();
            } else {
                return Ok((Tok::Str(value), off + 2));
            }
        } else {
            value.push(ch);
        }
    }
    Err(parse_error(
        Span::new(start, src.len()),
        format!("string starting here is never closed: add a closing {quote}"),
    ))
}

fn word(src: &str, start: usize) -> Result<(Tok, usize), Error> {
    let bytes = src.as_bytes();
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    let text = &src[start..end];
    let len = end - start;
    let mut after = end;
    while after < bytes.len() && bytes[after].is_ascii_whitespace() {
        after += 1;
    }
    let span = Span::new(start, end);
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map(|n| (Tok::Int(n), len))
            .map_err(|_| parse_error(span, format!("integer `{text}` is out of range")));
    }
    let upper = text.to_ascii_uppercase();
    let keyword = match upper.as_str() {
        "AND" => Some(Tok::And),
        "OR" => Some(Tok::Or),
        "XOR" => Some(Tok::Xor),
        "NOT" => Some(Tok::Not),
        "LIKE" => Some(Tok::Like),
        "EXISTS" => Some(Tok::Exists),
        "IN" => Some(Tok::In),
        "TRUE" => Some(Tok::True),
        "FALSE" => Some(Tok::False),
        _ => None,
    };
    if let Some(k) = keyword {
        return Ok((k, len));
    }
    if bytes.get(after) == Some(&b'(')
        && text.as_bytes()[0].is_ascii_alphabetic()
        && !text.bytes().any(|b| b.is_ascii_digit())
    {
        return Ok((Tok::Func(upper), len));
    }
    if text.contains('_') {
        return Err(parse_error(
            span,
            format!(
                "`{text}` is not an attribute name: attribute names have only letters and digits"
            ),
        ));
    }
    Ok((Tok::Ident(text.to_ascii_lowercase()), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_keywords_functions() {
        assert_eq!(
            toks("type = 'a' and concat_ws(x) NOT like \"b\""),
            vec![
                Tok::Ident("type".into()),
                Tok::Eq,
                Tok::Str("a".into()),
                Tok::And,
                Tok::Func("CONCAT_WS".into()),
                Tok::LParen,
                Tok::Ident("x".into()),
                Tok::RParen,
                Tok::Not,
                Tok::Like,
                Tok::Str("b".into())
            ]
        );
        assert_eq!(
            toks("SOURCE <> 1a2"),
            vec![
                Tok::Ident("source".into()),
                Tok::LessGreater,
                Tok::Ident("1a2".into())
            ]
        );
    }

    #[test]
    fn string_escapes() {
        assert_eq!(toks(r"'a\'b''c\%'"), vec![Tok::Str(r"a'b'c\%".into())]);
        assert_eq!(toks(r#""a'b\"c""#), vec![Tok::Str("a'b\"c".into())]);
        let e = tokenize("'open").unwrap_err();
        assert_eq!(e.span.start, 0);
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = tokenize("a = #").unwrap_err();
        assert_eq!((e.kind, e.span.start), (ErrorKind::Parse, 4));
        assert!(tokenize("my_attr = 1").is_err());
        assert!(tokenize("99999999999999999999999").is_err());
    }
}
