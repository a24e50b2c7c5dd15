//! Rules of the shared duck types: destinations, delivery, CloudEvent overrides, label selectors.

use crate::kinds::LabelSelector;

use super::names::{duration_ms, extension_name, is_absolute_url};
use super::Ctx;
use crate::kinds::{CloudEventOverrides, DeliverySpec, Destination, KReference};

/// `Destination.Validate`: a ref, a uri, or a ref with a relative uri.
pub fn destination(cx: &mut Ctx, path: &str, d: &Destination) {
    match (&d.reference, d.uri.as_deref().filter(|u| !u.is_empty())) {
        (None, None) => cx.error(
            "invalid-destination",
            path,
            "expected a `ref` or a `uri`, got neither",
        ),
        (None, Some(uri)) => {
            if !is_absolute_url(uri) {
                cx.error(
                    "invalid-destination",
                    format!("{path}.uri"),
                    format!(
                        "`{uri}` must be an absolute URL (scheme and host) when there is no `ref`"
                    ),
                );
            }
        }
        (Some(r), uri) => {
            kreference(cx, &format!("{path}.ref"), r);
            if let Some(uri) = uri {
                if is_absolute_url(uri) {
                    cx.error("invalid-destination", format!("{path}.uri"), "with a `ref`, `uri` must be relative (it is resolved against the ref's address)");
                }
            }
        }
    }
}

pub fn opt_destination(cx: &mut Ctx, path: &str, d: &Option<Destination>) {
    if let Some(d) = d {
        destination(cx, path, d);
    }
}

/// `KReference.Validate`: kind, name and apiVersion are required; other namespaces need a feature.
pub fn kreference(cx: &mut Ctx, path: &str, r: &KReference) {
    if r.api_version.as_deref().unwrap_or("").is_empty()
        && r.group.as_deref().unwrap_or("").is_empty()
    {
        cx.missing(&format!("{path}.apiVersion"));
    }
    if r.kind.as_deref().unwrap_or("").is_empty() {
        cx.missing(&format!("{path}.kind"));
    }
    if r.name.as_deref().unwrap_or("").is_empty() {
        cx.missing(&format!("{path}.name"));
    }
    if let Some(ns) = &r.namespace {
        if Some(ns.as_str()) != cx.namespace() {
            cx.warning("feature-gated", format!("{path}.namespace"), format!("a reference into namespace `{ns}` needs feature `cross-namespace-event-links`; without it the webhook rejects it"));
        }
    }
    if r.group.is_some() {
        cx.warning(
            "feature-gated",
            format!("{path}.group"),
            "`group` needs feature `kreference-group`",
        );
    }
}

/// `DeliverySpec.Validate`.
pub fn delivery(cx: &mut Ctx, path: &str, d: &Option<DeliverySpec>) {
    let Some(d) = d else { return };
    opt_destination(cx, &format!("{path}.deadLetterSink"), &d.dead_letter_sink);
    if let Some(retry) = d.retry {
        if retry < 0 {
            cx.error(
                "invalid-value",
                format!("{path}.retry"),
                format!("retry must be 0 or more, not {retry}"),
            );
        }
    }
    for (field, value) in [
        ("backoffDelay", &d.backoff_delay),
        ("timeout", &d.timeout),
        ("retryAfterMax", &d.retry_after_max),
    ] {
        if let Some(v) = value {
            if let Err(e) = duration_ms(v) {
                cx.error("invalid-duration", format!("{path}.{field}"), e);
            }
        }
    }
    if d.retry_after_max.is_some() {
        cx.warning("feature-gated", format!("{path}.retryAfterMax"), "`retryAfterMax` needs feature `delivery-retryafter` (off by default); without it the webhook rejects it");
    }
}

pub fn overrides(cx: &mut Ctx, path: &str, o: &Option<CloudEventOverrides>) {
    for key in o
        .iter()
        .flat_map(|o| o.extensions.iter().flat_map(|e| e.keys()))
    {
        if !extension_name(key) {
            cx.error(
                "invalid-attribute-name",
                format!("{path}.extensions.{key}"),
                format!("extension name `{key}` must be lower-case letters and digits"),
            );
        }
    }
}

/// Label selector operators and their value rules.
pub fn selector(cx: &mut Ctx, path: &str, s: &Option<LabelSelector>) {
    for (i, e) in s.iter().flat_map(|s| s.match_expressions()).enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let values = e.values;
        match e.operator {
            "In" | "NotIn" if values == 0 => cx.error(
                "invalid-value",
                format!("{p}.values"),
                format!("operator `{}` needs at least one value", e.operator),
            ),
            "Exists" | "DoesNotExist" if values > 0 => cx.error(
                "invalid-value",
                format!("{p}.values"),
                format!("operator `{}` takes no values", e.operator),
            ),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => cx.error(
                "bad-enum",
                format!("{p}.operator"),
                format!("`{other}` is not one of `In`, `NotIn`, `Exists`, `DoesNotExist`"),
            ),
        }
    }
}
