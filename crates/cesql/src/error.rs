//! The error kinds of the CESQL spec (§3.3), each with where in the expression it arose.

use std::fmt;

/// Byte range in the expression text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// 1-based column (in characters) of the start, for people.
    pub fn column(&self, src: &str) -> usize {
        src.get(..self.start)
            .map_or(self.start, |s| s.chars().count())
            + 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Parse,
    Math,
    Cast,
    MissingAttribute,
    MissingFunction,
    FunctionEvaluation,
    Generic,
}

impl ErrorKind {
    /// The name the CESQL TCK uses for the kind.
    pub fn tck_name(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Math => "math",
            ErrorKind::Cast => "cast",
            ErrorKind::MissingAttribute => "missingAttribute",
            ErrorKind::MissingFunction => "missingFunction",
            ErrorKind::FunctionEvaluation => "functionEvaluation",
            ErrorKind::Generic => "generic",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub span: Span,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Self {
        Error {
            kind,
            span,
            message: message.into(),
        }
    }

    /// `error[KIND] at col N: message`, as `kn-flow cesql` prints it.
    pub fn render(&self, src: &str) -> String {
        format!(
            "error[{}] at col {}: {}",
            self.kind.tck_name(),
            self.span.column(src),
            self.message
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind.tck_name(), self.message)
    }
}

impl std::error::Error for Error {}
