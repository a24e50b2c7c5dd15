//! Per-kind webhook rules (`<kind>_validation.go` in Knative).

use base64::Engine;
use serde_json::Value;

use super::duck::{delivery, destination, kreference, opt_destination, overrides, selector};
use super::filters::{attributes, filters};
use super::names::{dns1123_subdomain, extension_name};
use super::Ctx;
use crate::kinds::embedded::{containers, Containers};
use crate::kinds::*;

pub fn check(cx: &mut Ctx, spec: &Spec) {
    match spec {
        Spec::Broker(s) => broker(cx, s),
        Spec::Trigger(s) => trigger(cx, s),
        Spec::Channel(s) => {
            channel_template(cx, &s.channel_template);
            delivery(cx, ".spec.delivery", &s.delivery);
            managed_subscribers(cx, &s.subscribers);
        }
        Spec::InMemoryChannel(s) => {
            delivery(cx, ".spec.delivery", &s.delivery);
            managed_subscribers(cx, &s.subscribers);
        }
        Spec::Subscription(s) => subscription(cx, s),
        Spec::Extension(s) => super::extensions::check(cx, s),
        Spec::Sequence(s) => sequence(cx, s),
        Spec::Parallel(s) => parallel(cx, s),
        Spec::PingSource(s) => ping_source(cx, s),
        Spec::ApiServerSource(s) => api_server_source(cx, s),
        Spec::ContainerSource(s) => {
            source(cx, &s.source);
            match s.template.as_ref().and_then(|t| t.pod()).map(containers) {
                None => cx.missing(".spec.template.spec.containers"),
                Some(Containers::None) => cx.error(
                    "missing-field",
                    ".spec.template.spec.containers",
                    "at least one container is required",
                ),
                Some(Containers::List(list)) => {
                    for (i, c) in list.iter().enumerate() {
                        let image = c.get("image").and_then(Value::as_str);
                        if c.is_object() && image.unwrap_or("").is_empty() {
                            cx.missing(&format!(".spec.template.spec.containers[{i}].image"));
                        }
                    }
                }
                Some(Containers::Malformed) => {}
            }
        }
        Spec::SinkBinding(s) => sink_binding(cx, s),
        Spec::JobSink(s) => match s.job.as_ref().and_then(|j| j.spec.as_ref()) {
            None => cx.missing(".spec.job"),
            Some(js)
                if js
                    .pod()
                    .is_none_or(|p| matches!(containers(p), Containers::None)) =>
            {
                cx.error(
                    "missing-field",
                    ".spec.job.spec.template.spec.containers",
                    "the job needs at least one container",
                )
            }
            Some(_) => {}
        },
        Spec::EventType(s) => {
            if let Some(r) = &s.reference {
                kreference(cx, ".spec.reference", r);
            }
            for (i, a) in s.attributes.iter().flatten().enumerate() {
                match a.name.as_deref() {
                    None | Some("") => cx.missing(&format!(".spec.attributes[{i}].name")),
                    Some(n) if !extension_name(n) => cx.error(
                        "invalid-attribute-name",
                        format!(".spec.attributes[{i}].name"),
                        format!("attribute name `{n}` must be lower-case letters and digits"),
                    ),
                    _ => {}
                }
            }
        }
        Spec::EventTypeV1Beta2(s) => {
            if s.event_type.as_deref().unwrap_or("").is_empty() {
                cx.missing(".spec.type");
            }
            if let Some(r) = &s.reference {
                kreference(cx, ".spec.reference", r);
            }
        }
        Spec::KService(s) => {
            if let Some(rs) = s.template.as_ref().and_then(|t| t.spec.as_ref()) {
                if let Some(cc) = rs.container_concurrency {
                    if !(0..=1000).contains(&cc) {
                        cx.error(
                            "out-of-range",
                            ".spec.template.spec.containerConcurrency",
                            format!("{cc} must be between 0 and 1000"),
                        );
                    }
                }
                if matches!(rs.pod.containers(), Containers::None) {
                    cx.error(
                        "missing-field",
                        ".spec.template.spec.containers",
                        "at least one container is required",
                    );
                }
            } else {
                cx.missing(".spec.template.spec.containers");
            }
            let percents: i64 = s.traffic.iter().flatten().filter_map(|t| t.percent).sum();
            if s.traffic.as_ref().is_some_and(|t| !t.is_empty()) && percents != 100 {
                cx.error(
                    "invalid-value",
                    ".spec.traffic",
                    format!("traffic percentages sum to {percents}, not 100"),
                );
            }
        }
        Spec::Service(_) => {}
    }
}

fn broker(cx: &mut Ctx, s: &BrokerSpec) {
    super::extensions::broker_class(cx, s.config.as_ref().and_then(|c| c.kind.as_deref()));
    if let Some(c) = &s.config {
        if c.kind.as_deref().unwrap_or("").is_empty() {
            cx.missing(".spec.config.kind");
        }
        if c.name.as_deref().unwrap_or("").is_empty() {
            cx.missing(".spec.config.name");
        }
        if c.api_version.as_deref().unwrap_or("").is_empty() {
            cx.missing(".spec.config.apiVersion");
        }
    }
    delivery(cx, ".spec.delivery", &s.delivery);
}

fn trigger(cx: &mut Ctx, s: &TriggerSpec) {
    super::extensions::trigger_annotations(cx);
    match (&s.broker, &s.broker_ref) {
        (Some(b), _) if !b.is_empty() => {
            if let Err(e) = dns1123_subdomain(b) {
                cx.error(
                    "invalid-name",
                    ".spec.broker",
                    format!("invalid broker name: {e}"),
                );
            }
        }
        (_, Some(r)) => {
            kreference(cx, ".spec.brokerRef", r);
            cx.warning(
                "feature-gated",
                ".spec.brokerRef",
                "`brokerRef` needs feature `cross-namespace-event-links`",
            );
        }
        _ => cx.missing(".spec.broker"),
    }
    match &s.subscriber {
        Some(d) => destination(cx, ".spec.subscriber", d),
        None => cx.missing(".spec.subscriber"),
    }
    if let Some(attrs) = s.filter.as_ref().and_then(|f| f.attributes.as_ref()) {
        attributes(cx, ".spec.filter.attributes", attrs, false);
    }
    if let Some(list) = &s.filters {
        filters(cx, ".spec.filters", list);
        let legacy = s
            .filter
            .as_ref()
            .and_then(|f| f.attributes.as_ref())
            .is_some_and(|a| !a.is_empty());
        if legacy && !list.is_empty() {
            cx.warning(
                "invalid-value",
                ".spec.filter",
                "`filter` is ignored because `filters` is set; Knative uses only `filters`",
            );
        }
    }
    delivery(cx, ".spec.delivery", &s.delivery);
}

fn channel_template(cx: &mut Ctx, t: &Option<ChannelTemplateSpec>) {
    if let Some(t) = t {
        if t.api_version.as_deref().unwrap_or("").is_empty() {
            cx.missing(".spec.channelTemplate.apiVersion");
        }
        if t.kind.as_deref().unwrap_or("").is_empty() {
            cx.missing(".spec.channelTemplate.kind");
        }
    }
}

fn managed_subscribers(cx: &mut Ctx, s: &Option<Vec<SubscriberSpec>>) {
    if s.as_ref().is_some_and(|s| !s.is_empty()) {
        cx.warning(
            "managed-field",
            ".spec.subscribers",
            "`subscribers` is written by the Subscription controller; create Subscriptions instead",
        );
    }
}

fn subscription(cx: &mut Ctx, s: &SubscriptionSpec) {
    match &s.channel {
        None => cx.missing(".spec.channel"),
        Some(c) => {
            kreference(cx, ".spec.channel", c);
            if let Some(kind) = &c.kind {
                if !kind.ends_with("Channel") {
                    cx.error(
                        "invalid-value",
                        ".spec.channel.kind",
                        format!("a Subscription subscribes to a channel, not a {kind}"),
                    );
                }
            }
        }
    }
    match &s.subscriber {
        Some(d) => destination(cx, ".spec.subscriber", d),
        None => cx.missing(".spec.subscriber"),
    }
    opt_destination(cx, ".spec.reply", &s.reply);
    delivery(cx, ".spec.delivery", &s.delivery);
}

fn sequence(cx: &mut Ctx, s: &SequenceSpec) {
    match &s.steps {
        Some(steps) if !steps.is_empty() => {
            for (i, step) in steps.iter().enumerate() {
                destination(cx, &format!(".spec.steps[{i}]"), &step.destination);
                delivery(cx, &format!(".spec.steps[{i}].delivery"), &step.delivery);
            }
        }
        _ => cx.error(
            "missing-field",
            ".spec.steps",
            "a Sequence needs at least one step",
        ),
    }
    channel_template(cx, &s.channel_template);
    opt_destination(cx, ".spec.reply", &s.reply);
}

fn parallel(cx: &mut Ctx, s: &ParallelSpec) {
    match &s.branches {
        Some(b) if !b.is_empty() => {
            for (i, br) in b.iter().enumerate() {
                let p = format!(".spec.branches[{i}]");
                match &br.subscriber {
                    Some(d) => destination(cx, &format!("{p}.subscriber"), d),
                    None => cx.missing(&format!("{p}.subscriber")),
                }
                opt_destination(cx, &format!("{p}.filter"), &br.filter);
                opt_destination(cx, &format!("{p}.reply"), &br.reply);
                delivery(cx, &format!("{p}.delivery"), &br.delivery);
            }
        }
        _ => cx.error(
            "missing-field",
            ".spec.branches",
            "a Parallel needs at least one branch",
        ),
    }
    channel_template(cx, &s.channel_template);
    opt_destination(cx, ".spec.reply", &s.reply);
}

fn source(cx: &mut Ctx, s: &SourceSpec) {
    opt_destination(cx, ".spec.sink", &s.sink);
    overrides(cx, ".spec.ceOverrides", &s.ce_overrides);
}

/// The PingSource schedule as Knative's cron parser reads it; `@every` is not accepted.
pub fn parse_schedule(schedule: &str) -> Result<croner::Cron, String> {
    let body = schedule.trim();
    let body = match body.split_once(char::is_whitespace) {
        Some((first, rest)) if first.starts_with("CRON_TZ=") || first.starts_with("TZ=") => {
            rest.trim()
        }
        _ => body,
    };
    if body.starts_with("@every") {
        return Err("`@every` is not supported by PingSource; use a cron expression".into());
    }
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Optional)
        .year(croner::parser::Year::Disallowed)
        .build()
        .parse(body)
        .map_err(|e| format!("`{schedule}` is not a valid cron schedule: {e}"))
}

fn ping_source(cx: &mut Ctx, s: &PingSourceSpec) {
    source(cx, &s.source);
    if let Some(schedule) = &s.schedule {
        if let Err(e) = parse_schedule(schedule) {
            cx.error("invalid-cron", ".spec.schedule", e);
        }
    }
    if let Some(tz) = s.timezone.as_deref().filter(|t| !t.is_empty()) {
        if crate::tz::Zone::named(tz).is_none() {
            cx.error(
                "invalid-timezone",
                ".spec.timezone",
                format!("`{tz}` is not an IANA time zone name such as Europe/Paris"),
            );
        }
    }
    let payload = match (&s.data, &s.data_base64) {
        (Some(_), Some(_)) => {
            cx.error(
                "exclusive-fields",
                ".spec.dataBase64",
                "`data` and `dataBase64` cannot both be set",
            );
            None
        }
        (Some(d), None) => Some(d.as_bytes().to_vec()),
        (None, Some(b)) => match base64::engine::general_purpose::STANDARD.decode(b.trim()) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                cx.error(
                    "invalid-data",
                    ".spec.dataBase64",
                    format!("not valid base64: {e}"),
                );
                None
            }
        },
        (None, None) => None,
    };
    let json = s
        .content_type
        .as_deref()
        .is_some_and(|c| c.split(';').next().unwrap_or("").trim() == "application/json");
    if let (true, Some(bytes)) = (json, payload) {
        let field = if s.data.is_some() {
            ".spec.data"
        } else {
            ".spec.dataBase64"
        };
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => cx.error(
                "invalid-data",
                field,
                "with contentType application/json the data must be a JSON object",
            ),
            Err(e) => cx.error(
                "invalid-data",
                field,
                format!("contentType is application/json but the data is not JSON: {e}"),
            ),
        }
    }
}

fn api_server_source(cx: &mut Ctx, s: &ApiServerSourceSpec) {
    source(cx, &s.source);
    match &s.resources {
        Some(r) if !r.is_empty() => {
            for (i, res) in r.iter().enumerate() {
                let p = format!(".spec.resources[{i}]");
                if res.api_version.as_deref().unwrap_or("").is_empty() {
                    cx.missing(&format!("{p}.apiVersion"));
                }
                if res.kind.as_deref().unwrap_or("").is_empty() {
                    cx.missing(&format!("{p}.kind"));
                }
                selector(cx, &format!("{p}.selector"), &res.selector);
            }
        }
        _ => cx.error(
            "missing-field",
            ".spec.resources",
            "at least one resource to watch is required",
        ),
    }
    if let Some(o) = &s.owner {
        if o.api_version.as_deref().unwrap_or("").is_empty()
            || o.kind.as_deref().unwrap_or("").is_empty()
        {
            cx.error(
                "missing-field",
                ".spec.owner",
                "`owner` needs both `apiVersion` and `kind`",
            );
        }
    }
    if let Some(sa) = &s.service_account_name {
        if let Err(e) = dns1123_subdomain(sa) {
            cx.error(
                "invalid-name",
                ".spec.serviceAccountName",
                format!("invalid service account name: {e}"),
            );
        }
    }
    selector(cx, ".spec.namespaceSelector", &s.namespace_selector);
    if let Some(f) = &s.filters {
        filters(cx, ".spec.filters", f);
    }
}

fn sink_binding(cx: &mut Ctx, s: &SinkBindingSpec) {
    source(cx, &s.source);
    let Some(subj) = &s.subject else {
        cx.missing(".spec.subject");
        return;
    };
    if subj.api_version.as_deref().unwrap_or("").is_empty() {
        cx.missing(".spec.subject.apiVersion");
    }
    if subj.kind.as_deref().unwrap_or("").is_empty() {
        cx.missing(".spec.subject.kind");
    }
    match (&subj.name, &subj.selector) {
        (Some(_), Some(_)) => cx.error(
            "exclusive-fields",
            ".spec.subject.selector",
            "`name` and `selector` cannot both be set",
        ),
        (None, None) => cx.error(
            "missing-field",
            ".spec.subject",
            "the subject needs a `name` or a `selector`",
        ),
        (_, sel) => selector(cx, ".spec.subject.selector", sel),
    }
}
