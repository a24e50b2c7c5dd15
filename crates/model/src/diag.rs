//! Diagnostics: every problem validation, lint or loading finds, with a stable code, the resource,
//! the field path and (when known) the file position.

use std::fmt;

use serde::Serialize;

use crate::yaml::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable identifier, e.g. `invalid-duration`; see [`CODES`].
    pub code: &'static str,
    pub message: String,
    /// `Kind/name` of the resource concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Field path inside the resource (`.spec.filters[1].cesql`); empty for the whole resource.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// A machine-applicable remedy, where one is clear ([`crate::fixes`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<crate::fixes::Fix>>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            resource: None,
            path: String::new(),
            file: None,
            line: None,
            column: None,
            fix: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    pub fn on(mut self, resource: impl fmt::Display) -> Self {
        self.resource = Some(resource.to_string());
        self
    }

    pub fn pos(&self) -> Option<Pos> {
        Some(Pos {
            line: self.line?,
            col: self.column?,
        })
    }

    pub fn set_pos(&mut self, pos: Option<Pos>) {
        self.line = pos.map(|p| p.line);
        self.column = pos.map(|p| p.col);
    }
}

/// `path:line:col: error[CODE]: message (Kind/name .field.path)`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
            if let Some(pos) = self.pos() {
                write!(f, "{pos}:")?;
            }
            write!(f, " ")?;
        }
        write!(f, "{}[{}]: {}", self.severity, self.code, self.message)?;
        match (&self.resource, self.path.is_empty()) {
            (Some(r), false) => write!(f, " ({r} {})", self.path),
            (Some(r), true) => write!(f, " ({r})"),
            (None, false) => write!(f, " ({})", self.path),
            (None, true) => Ok(()),
        }
    }
}

/// Every diagnostic code with a one-line explanation (for `--help` and the UI).
pub const CODES: &[(&str, &str)] = &[
    ("yaml-syntax", "the file is not valid YAML"),
    (
        "invalid-document",
        "a document is not a Kubernetes object or the flow file has a bad shape",
    ),
    (
        "duplicate-resource",
        "two resources have the same Kind/name",
    ),
    (
        "unknown-api-version",
        "a modelled kind with an apiVersion Knative does not serve",
    ),
    ("invalid-name", "a name is not a valid DNS-1123 name"),
    ("missing-field", "a required field is missing"),
    ("wrong-type", "a field has the wrong type"),
    ("bad-enum", "a field has a value outside its allowed set"),
    ("out-of-range", "a number is outside its allowed range"),
    (
        "unknown-field",
        "a field the typed model does not know (kept as is)",
    ),
    ("invalid-spec", "the spec cannot be read"),
    (
        "invalid-value",
        "a value breaks a rule of Knative's admission webhook",
    ),
    ("invalid-duration", "not an ISO-8601 duration"),
    (
        "invalid-destination",
        "a ref/uri destination breaks Knative's destination rules",
    ),
    (
        "multiple-dialects",
        "a filters entry sets more than one dialect",
    ),
    (
        "invalid-attribute-name",
        "a CloudEvents attribute name outside ^[a-z][a-z0-9]*$",
    ),
    (
        "empty-filter-value",
        "an exact/prefix/suffix value is empty, so Knative skips the entry",
    ),
    ("invalid-cesql", "a CESQL expression does not parse"),
    (
        "exclusive-fields",
        "two mutually exclusive fields are both set",
    ),
    ("invalid-cron", "a PingSource schedule is not valid cron"),
    ("invalid-timezone", "not an IANA time zone name"),
    (
        "invalid-data",
        "event data does not match its content type or encoding",
    ),
    (
        "feature-gated",
        "needs a Knative feature flag that is off by default",
    ),
    ("managed-field", "a field the controllers write, not users"),
    (
        "immutable-field",
        "a field Knative does not allow to change after creation",
    ),
    (
        "dangling-reference",
        "a reference to a resource that is not in the flow",
    ),
    (
        "trigger-broker-missing",
        "a trigger's broker is not in the flow",
    ),
    (
        "reply-loop",
        "events can circle forever until the broker TTL stops them",
    ),
    ("unreachable-sink", "a sink that nothing sends events to"),
    ("source-without-sink", "a source with no sink"),
    (
        "broker-config-kind",
        "a broker's spec.config is not the kind its class reads",
    ),
    (
        "broker-without-triggers",
        "a broker that delivers to nobody",
    ),
    (
        "retries-without-dls",
        "retries are configured but failed events are lost",
    ),
    (
        "shadowed-trigger",
        "a trigger whose events another trigger already delivers to the same subscriber",
    ),
    // Event-type analysis (knflow-dataplane `analysis`).
    (
        "trigger-unmatched",
        "no known producer's events pass a trigger's filter",
    ),
    (
        "event-type-unconsumed",
        "an event type arrives at a broker and no trigger consumes it",
    ),
    (
        "reply-loop-type",
        "a subscriber's reply passes the trigger that delivered to it again",
    ),
    (
        "duplicate-delivery",
        "two triggers deliver the same event types to the same subscriber",
    ),
];
