//! Webhook rules of the extension projects (eventing-kafka-broker, eventing-rabbitmq, …) that
//! a CRD schema cannot say, and the Kafka and RabbitMQ broker classes' expectations.

use serde_json::Value;

use super::duck::{delivery, opt_destination, overrides};
use super::Ctx;
use crate::kinds::extensions::broker::{class, class_of};
use crate::kinds::ExtensionSpec;

/// The Kafka broker's per-trigger ordering annotation (`trigger.go`).
pub const DELIVERY_ORDER: &str = "kafka.eventing.knative.dev/delivery.order";

pub(crate) fn check(cx: &mut Ctx, s: &ExtensionSpec) {
    if cx.r.info.is_some_and(|i| i.is_source()) {
        opt_destination(cx, ".spec.sink", &s.source.sink);
        overrides(cx, ".spec.ceOverrides", &s.source.ce_overrides);
    }
    delivery(cx, ".spec.delivery", &s.delivery);
    let r = cx.r;
    let spec = &r.manifest["spec"];
    if cx.r.id.kind == "KafkaSource" {
        // kafka_validation.go: the two orderings and the two initial offsets.
        one_of(cx, spec, "ordering", &["ordered", "unordered"]);
        one_of(cx, spec, "initialOffset", &["earliest", "latest"]);
        if spec["consumers"].as_i64().is_some_and(|n| n < 1) {
            cx.error(
                "invalid-value",
                ".spec.consumers",
                "consumers must be at least 1",
            );
        }
    }
}

fn one_of(cx: &mut Ctx, spec: &Value, field: &str, allowed: &[&str]) {
    if let Some(v) = spec[field].as_str() {
        if !allowed.contains(&v) {
            cx.error(
                "invalid-value",
                format!(".spec.{field}"),
                format!("`{v}` is not one of {}", allowed.join(", ")),
            );
        }
    }
}

/// A Trigger's `delivery.order` annotation: `ordered` or `unordered` (any case), or the Kafka
/// broker fails to reconcile the trigger.
pub(crate) fn trigger_annotations(cx: &mut Ctx) {
    let Some(v) =
        cx.r.manifest
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(DELIVERY_ORDER))
    else {
        return;
    };
    let ok = v
        .as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("ordered") || s.eq_ignore_ascii_case("unordered"));
    if !ok {
        cx.error(
            "invalid-value",
            format!(".metadata.annotations.{DELIVERY_ORDER}"),
            format!("{DELIVERY_ORDER} must be `ordered` or `unordered`, found {v}"),
        );
    }
}

/// A Broker's class and the kind of its `spec.config`: each extension class reads its own.
pub(crate) fn broker_class(cx: &mut Ctx, config_kind: Option<&str>) {
    let Some(c) = class_of(cx.r).and_then(class) else {
        return;
    };
    if let Some(kind) = config_kind.filter(|k| *k != c.config_kind) {
        cx.warning(
            "broker-config-kind",
            ".spec.config.kind",
            format!(
                "a {}-class broker reads its configuration from a {}, not a {kind}",
                c.class, c.config_kind
            ),
        );
    }
}
