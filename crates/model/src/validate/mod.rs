//! Validation: the rules Knative's admission webhooks enforce, applied to each resource. Like
//! Knative's `apis.FieldError`, problems accumulate with their field path instead of stopping at
//! the first one.

mod duck;
pub mod extensions;
mod filters;
mod kinds;
pub mod names;
mod update;

pub use filters::cesql_problem;
pub use kinds::parse_schedule;
pub use update::check_update;

use serde_json::Value;

use crate::diag::{Diagnostic, Severity};
use crate::flow::Flow;
use crate::kinds::lookup_other_version;
use crate::resource::Resource;
use crate::schema::{self, Problem};

/// Options of a validation run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Unknown fields are errors, like the API server's strict field validation.
    pub strict: bool,
}

/// Collects the diagnostics of one resource.
pub(crate) struct Ctx<'a> {
    pub r: &'a Resource,
    pub flow: &'a Flow,
    pub out: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.out
            .push(Diagnostic::new(severity, code, msg).at(path).on(&self.r.id));
    }

    pub fn error(&mut self, code: &'static str, path: impl Into<String>, msg: impl Into<String>) {
        self.push(Severity::Error, code, path, msg);
    }

    pub fn warning(&mut self, code: &'static str, path: impl Into<String>, msg: impl Into<String>) {
        self.push(Severity::Warning, code, path, msg);
    }

    pub fn missing(&mut self, path: &str) {
        let field = path.rsplit('.').next().unwrap_or(path);
        self.error(
            "missing-field",
            path,
            format!("missing required field `{field}`"),
        );
    }

    /// Namespace of the resource being checked (its own or the flow's).
    pub fn namespace(&self) -> Option<&'a str> {
        self.flow.namespace_of(self.r)
    }
}

/// Validates every resource of a flow. Diagnostics come positioned in the resource's file.
pub fn validate(flow: &Flow, opts: Options) -> Vec<Diagnostic> {
    validate_alongside(flow, opts, || ()).0
}

/// [`validate`], sharing two cores with `extra` (resources are checked independently, so the
/// work splits freely; `extra` can be another whole-flow pass such as lint).
pub fn validate_alongside<E: Send>(
    flow: &Flow,
    opts: Options,
    extra: impl FnOnce() -> E + Send,
) -> (Vec<Diagnostic>, E) {
    let all: Vec<&Resource> = flow.resources().collect();
    let (runs, e) = crate::par::share(
        all.len(),
        RUN,
        |range| -> Vec<Diagnostic> {
            all[range]
                .iter()
                .flat_map(|r| validate_resource(flow, r, opts))
                .collect()
        },
        extra,
    );
    (runs.concat(), e)
}

/// Resources per run of [`validate_alongside`]: a small flow is one run, checked without a
/// second thread.
const RUN: usize = 256;

/// Validates one resource of `flow`.
pub fn validate_resource(flow: &Flow, r: &Resource, opts: Options) -> Vec<Diagnostic> {
    let mut cx = Ctx {
        r,
        flow,
        out: Vec::new(),
    };
    envelope(&mut cx, opts);
    if let Some(spec) = &r.spec {
        kinds::check(&mut cx, spec);
    }
    let mut out = cx.out;
    position(r, &mut out);
    out
}

/// Fills file and line/column from where the resource was read.
pub fn position(r: &Resource, diags: &mut [Diagnostic]) {
    if let Some(o) = &r.origin {
        for d in diags {
            d.file = Some(o.file.to_string());
            d.set_pos(r.pos_of(&d.path));
        }
    }
}

fn envelope(cx: &mut Ctx, opts: Options) {
    let r = cx.r;
    let m = &r.manifest;
    let api_version = r.api_version();
    if api_version.is_empty() {
        cx.missing(".apiVersion");
    }
    if r.info.is_none() {
        if let Some(k) = lookup_other_version(api_version, &r.id.kind) {
            let versions: Vec<String> = crate::kinds::KINDS
                .iter()
                .filter(|o| o.group == k.group && o.kind == k.kind)
                .flat_map(|o| o.versions.iter().map(|v| format!("{}/{v}", o.group)))
                .collect();
            cx.error(
                "unknown-api-version",
                ".apiVersion",
                format!(
                    "{} is not served for {}; use {}",
                    api_version,
                    r.id.kind,
                    versions.join(" or ")
                ),
            );
        }
        return; // opaque resource: kept as is, nothing more we can say
    }
    let name_check = match (r.group(), r.id.kind.as_str()) {
        ("serving.knative.dev" | "", "Service") => names::dns1035_label(r.name()),
        _ => names::dns1123_subdomain(r.name()),
    };
    if let Err(e) = name_check {
        cx.error(
            "invalid-name",
            ".metadata.name",
            format!("invalid name: {e}"),
        );
    }
    if let Some(ns) = r.namespace() {
        if let Err(e) = names::dns1123_label(ns) {
            cx.error(
                "invalid-name",
                ".metadata.namespace",
                format!("invalid namespace: {e}"),
            );
        }
    }
    let unknown_severity = if opts.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    if let Some(obj) = m.as_object() {
        for k in obj.keys() {
            if !matches!(
                k.as_str(),
                "apiVersion" | "kind" | "metadata" | "spec" | "status"
            ) {
                cx.push(
                    unknown_severity,
                    "unknown-field",
                    format!(".{k}"),
                    format!("unknown field `{k}` (kept as is)"),
                );
            }
        }
        if obj.contains_key("status") {
            cx.push(
                Severity::Info,
                "managed-field",
                ".status",
                "`status` is written by Knative's controllers; it is kept but never applied",
            );
        }
    }
    // Name and namespace were checked above: the schema walk of ObjectMeta (a large schema)
    // can only find something in the other fields.
    let plain = |meta: &Value| {
        meta.as_object().is_some_and(|o| {
            o.iter()
                .all(|(k, v)| matches!(k.as_str(), "name" | "namespace") && v.is_string())
        })
    };
    if let Some(meta) = m.get("metadata").filter(|m| !plain(m)) {
        report(
            cx,
            meta_checker().check(meta, ".metadata"),
            unknown_severity,
        );
    }
    let info = r.info.expect("checked above");
    let spec = m.get("spec").unwrap_or(&Value::Null);
    let issues = info.spec_checker().check(spec, ".spec");
    let structural_errors = issues
        .iter()
        .any(|i| !matches!(i.problem, Problem::UnknownField(_)));
    report(cx, issues, unknown_severity);
    if r.spec.is_none() && !structural_errors {
        let err = info.parse_spec(spec).err();
        cx.error(
            "invalid-spec",
            ".spec",
            format!(
                "cannot read the spec: {}",
                err.map(|e| e.to_string()).unwrap_or_default()
            ),
        );
    }
}

fn meta_checker() -> &'static schema::Compiled {
    static C: std::sync::OnceLock<schema::Compiled> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let schema =
            crate::kinds::embedded::root_schema("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        schema::Compiled::new(&schema, &schema)
    })
}

fn report(cx: &mut Ctx, issues: Vec<schema::Issue>, unknown: Severity) {
    for i in issues {
        let code = match &i.problem {
            Problem::WrongType { .. } => "wrong-type",
            Problem::BadEnum { .. } => "bad-enum",
            Problem::OutOfRange { .. } => "out-of-range",
            Problem::MissingField(_) => "missing-field",
            Problem::UnknownField(_) => {
                cx.push(
                    unknown,
                    "unknown-field",
                    &i.path,
                    format!("{} (kept as is)", i.problem),
                );
                continue;
            }
        };
        cx.error(code, &i.path, i.problem.to_string());
    }
}
