//! Trigger filter rules: `filter.attributes` and the Subscriptions API `filters` dialects.

use super::names::filter_attribute_name;
use super::Ctx;
use crate::kinds::{AttributeMap, SubscriptionsApiFilter};

pub fn attributes(cx: &mut Ctx, path: &str, attrs: &AttributeMap, empty_is_skipped: bool) {
    for (name, value) in attrs {
        let p = crate::yaml::child_key(path, name);
        if !filter_attribute_name(name) {
            cx.error(
                "invalid-attribute-name",
                &p,
                format!("attribute name `{name}` must match ^[a-z][a-z0-9]*$"),
            );
        }
        if empty_is_skipped && value.as_text().is_empty() {
            cx.warning("empty-filter-value", &p, format!("an empty value makes Knative skip this filter, so it matches everything; remove `{name}` or give it a value"));
        }
    }
}

/// Every entry of a `filters` list, recursively through `all`, `any` and `not`.
pub fn filters(cx: &mut Ctx, path: &str, list: &[SubscriptionsApiFilter]) {
    for (i, f) in list.iter().enumerate() {
        entry(cx, &format!("{path}[{i}]"), f, 0);
    }
}

fn entry(cx: &mut Ctx, path: &str, f: &SubscriptionsApiFilter, depth: usize) {
    if depth > 32 {
        cx.error(
            "invalid-value",
            path,
            "filters nest more than 32 levels deep",
        );
        return;
    }
    let dialects = f.dialects();
    if dialects.len() > 1 {
        cx.error(
            "multiple-dialects",
            path,
            format!(
                "multiple dialects found ({}); each entry takes exactly one",
                dialects.join(", ")
            ),
        );
    }
    for (name, map) in [
        ("exact", &f.exact),
        ("prefix", &f.prefix),
        ("suffix", &f.suffix),
    ] {
        if let Some(m) = map {
            attributes(cx, &format!("{path}.{name}"), m, true);
        }
    }
    for (name, list) in [("all", &f.all), ("any", &f.any)] {
        for (i, child) in list.iter().flatten().enumerate() {
            entry(cx, &format!("{path}.{name}[{i}]"), child, depth + 1);
        }
    }
    if let Some(n) = &f.not {
        entry(cx, &format!("{path}.not"), n, depth + 1);
    }
    if let Some(message) = f.cesql.as_deref().and_then(cesql_problem) {
        cx.error("invalid-cesql", format!("{path}.cesql"), message);
    }
}

/// Why a `cesql` filter's expression is refused (code `invalid-cesql`), if it is: the same
/// words whether it is saved or still being typed in the designer.
pub fn cesql_problem(expr: &str) -> Option<String> {
    if expr.is_empty() {
        return None;
    }
    let e = knflow_cesql::Expression::parse(expr).err()?;
    Some(format!(
        "CESQL does not parse at column {}: {}",
        e.span.column(expr),
        e.message
    ))
}
