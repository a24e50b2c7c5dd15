//! Which references each kind can make and which kinds they may point at: the rules the editor
//! uses for drag-to-wire, and [`crate::Flow::connect`] enforces.

use crate::kinds::{is_addressable, KindInfo, Spec};
use crate::refs::Role;

/// One outgoing port of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    pub role: Role,
    /// Ports inside a list (sequence steps, parallel branches) take an index.
    pub indexed: bool,
}

const fn port(role: Role) -> Port {
    Port {
        role,
        indexed: false,
    }
}

const fn indexed(role: Role) -> Port {
    Port {
        role,
        indexed: true,
    }
}

const TRIGGER: &[Port] = &[
    port(Role::Broker),
    port(Role::Subscriber),
    port(Role::DeadLetterSink),
];
const DLS_ONLY: &[Port] = &[port(Role::DeadLetterSink)];
const BROKER: &[Port] = &[port(Role::Config), port(Role::DeadLetterSink)];
const EVENT_TYPE: &[Port] = &[port(Role::Reference)];
const SUBSCRIPTION: &[Port] = &[
    port(Role::Channel),
    port(Role::Subscriber),
    port(Role::Reply),
    port(Role::DeadLetterSink),
];
const SEQUENCE: &[Port] = &[
    indexed(Role::Step),
    port(Role::Reply),
    indexed(Role::DeadLetterSink),
];
const PARALLEL: &[Port] = &[
    indexed(Role::Filter),
    indexed(Role::Subscriber),
    indexed(Role::Reply),
    port(Role::Reply),
    indexed(Role::DeadLetterSink),
];
const SINK_BINDING: &[Port] = &[port(Role::Subject), port(Role::Sink)];
const SOURCE: &[Port] = &[port(Role::Sink)];
const SOURCE_WITH_DELIVERY: &[Port] = &[port(Role::Sink), port(Role::DeadLetterSink)];

/// The ports of a kind, in the order the editor shows them.
pub fn ports(info: &KindInfo) -> &'static [Port] {
    match (info.group, info.kind) {
        ("eventing.knative.dev", "Trigger") => TRIGGER,
        ("eventing.knative.dev", "Broker") => BROKER,
        ("eventing.knative.dev", "EventType") => EVENT_TYPE,
        ("messaging.knative.dev", "Channel" | "InMemoryChannel") => DLS_ONLY,
        ("messaging.knative.dev", "Subscription") => SUBSCRIPTION,
        ("flows.knative.dev", "Sequence") => SEQUENCE,
        ("flows.knative.dev", "Parallel") => PARALLEL,
        ("sources.knative.dev", "SinkBinding") => SINK_BINDING,
        ("sources.knative.dev", "KafkaSource" | "RabbitmqSource") => SOURCE_WITH_DELIVERY,
        ("messaging.knative.dev", k) if crate::kinds::is_extension_channel(info.group, k) => {
            DLS_ONLY
        }
        ("sources.knative.dev", _) => SOURCE,
        _ if info.is_source() => SOURCE,
        _ => &[],
    }
}

/// May a `role` reference point at a resource of `target` (group, kind)?
pub fn accepts(role: Role, target_group: &str, target_kind: &str) -> bool {
    match role {
        Role::Broker => target_group == "eventing.knative.dev" && target_kind == "Broker",
        Role::Channel => {
            target_group == "messaging.knative.dev"
                && (matches!(target_kind, "Channel" | "InMemoryChannel")
                    || crate::kinds::is_extension_channel(target_group, target_kind))
        }
        // A SinkBinding injects into workloads: anything with a pod template, never Knative's own kinds.
        Role::Subject => {
            !(target_group.ends_with("knative.dev")
                || (target_group.is_empty() && target_kind == "Service"))
        }
        Role::Reference => is_addressable(target_group, target_kind),
        // Most broker classes read a ConfigMap; the RabbitMQ broker its own config kind.
        Role::Config => {
            (target_group.is_empty() && target_kind == "ConfigMap")
                || (target_group == "eventing.knative.dev" && target_kind == "RabbitmqBrokerConfig")
        }
        Role::Subscriber
        | Role::Reply
        | Role::Sink
        | Role::DeadLetterSink
        | Role::Step
        | Role::Filter => is_addressable(target_group, target_kind),
    }
}

/// Can a `role` reference hold a plain URI?
pub fn accepts_uri(role: Role) -> bool {
    matches!(
        role,
        Role::Subscriber
            | Role::Reply
            | Role::Sink
            | Role::DeadLetterSink
            | Role::Step
            | Role::Filter
    )
}

/// Field path a connection writes, for `role` (and `index` for list ports) on a resource.
pub fn field_path(spec: Option<&Spec>, role: Role, index: Option<usize>) -> Option<String> {
    let i = index.unwrap_or(0);
    let is = |f: fn(&Spec) -> bool| spec.is_some_and(f);
    Some(match role {
        Role::Broker => ".spec.broker".into(),
        Role::Channel => ".spec.channel".into(),
        Role::Subject => ".spec.subject".into(),
        Role::Reference => ".spec.reference".into(),
        Role::Config => ".spec.config".into(),
        Role::Sink => ".spec.sink".into(),
        Role::Step => format!(".spec.steps[{i}]"),
        Role::Filter => format!(".spec.branches[{i}].filter"),
        Role::Subscriber if is(|s| matches!(s, Spec::Parallel(_))) => {
            format!(".spec.branches[{i}].subscriber")
        }
        Role::Subscriber => ".spec.subscriber".into(),
        Role::Reply if index.is_some() => format!(".spec.branches[{i}].reply"),
        Role::Reply => ".spec.reply".into(),
        Role::DeadLetterSink if index.is_some() && is(|s| matches!(s, Spec::Sequence(_))) => {
            format!(".spec.steps[{i}].delivery.deadLetterSink")
        }
        Role::DeadLetterSink if index.is_some() && is(|s| matches!(s, Spec::Parallel(_))) => {
            format!(".spec.branches[{i}].delivery.deadLetterSink")
        }
        Role::DeadLetterSink => ".spec.delivery.deadLetterSink".into(),
    })
}
