//! Typed models of every Knative kind a flow can hold, with every field of its CRD schema.
//!
//! Each kind's `spec` is a serde struct; [`KindInfo`] ties it to its API group, versions, palette
//! category and JSON Schema (derived with schemars from the same struct, so the schema used for
//! structural checks and editor forms can never drift from the types; the browser build reads
//! the same schemas from data, see [`shipped`]).

pub mod docs;
pub mod duck;
pub mod embedded;
pub mod eventing;
pub mod extensions;
pub mod flows;
pub mod messaging;
pub mod shipped;
pub mod sinks;
pub mod sources;

use std::sync::OnceLock;

use serde_json::Value;

pub use duck::*;
pub use embedded::{JobSpec, LabelSelector, ObjectMeta, PodSpec, PodTemplateSpec, ServiceSpec};
pub use eventing::*;
pub use extensions::ExtensionSpec;
pub use flows::*;
pub use messaging::*;
pub use sinks::*;
pub use sources::*;

/// Where a kind sits in the editor's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Category {
    Sources,
    Routing,
    Flows,
    Sinks,
    Registry,
    /// Objects that configure others and carry no events (RabbitmqBrokerConfig, GitLabBinding).
    Config,
}

/// The typed spec of a resource.
// Pod-carrying variants are large, but a spec lives once per resource, already behind the
// `Box<Resource>` of its graph node; boxing again would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    Broker(BrokerSpec),
    Trigger(TriggerSpec),
    EventType(EventTypeSpec),
    EventTypeV1Beta2(EventTypeSpecV1Beta2),
    Channel(ChannelSpec),
    InMemoryChannel(InMemoryChannelSpec),
    Subscription(SubscriptionSpec),
    Sequence(SequenceSpec),
    Parallel(ParallelSpec),
    PingSource(PingSourceSpec),
    ApiServerSource(ApiServerSourceSpec),
    ContainerSource(ContainerSourceSpec),
    SinkBinding(SinkBindingSpec),
    JobSink(JobSinkSpec),
    KService(KServiceSpec),
    Service(ServiceSpec),
    /// A kind of an extension project (Kafka, RabbitMQ, …) or an Integration kind: what routing
    /// reads of it (see [`extensions`]).
    Extension(ExtensionSpec),
}

impl Spec {
    /// The spec as JSON, written from the typed model alone.
    pub fn to_value(&self) -> Value {
        let v = match self {
            Spec::Broker(s) => serde_json::to_value(s),
            Spec::Trigger(s) => serde_json::to_value(s),
            Spec::EventType(s) => serde_json::to_value(s),
            Spec::EventTypeV1Beta2(s) => serde_json::to_value(s),
            Spec::Channel(s) => serde_json::to_value(s),
            Spec::InMemoryChannel(s) => serde_json::to_value(s),
            Spec::Subscription(s) => serde_json::to_value(s),
            Spec::Sequence(s) => serde_json::to_value(s),
            Spec::Parallel(s) => serde_json::to_value(s),
            Spec::PingSource(s) => serde_json::to_value(s),
            Spec::ApiServerSource(s) => serde_json::to_value(s),
            Spec::ContainerSource(s) => serde_json::to_value(s),
            Spec::SinkBinding(s) => serde_json::to_value(s),
            Spec::JobSink(s) => serde_json::to_value(s),
            Spec::KService(s) => serde_json::to_value(s),
            Spec::Service(s) => serde_json::to_value(s),
            Spec::Extension(s) => serde_json::to_value(s),
        };
        v.expect("typed specs always serialize")
    }
}

/// Static facts about one modelled kind at one API version.
pub struct KindInfo {
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub category: Category,
    /// One line for the palette and `--help`.
    pub summary: &'static str,
    /// The extension project the kind comes from (`Kafka`, `RabbitMQ`, …); `None` for core
    /// Knative and Kubernetes kinds. The palette groups extension kinds by it.
    pub project: Option<&'static str>,
    parse: fn(&Value) -> Result<Spec, serde_json::Error>,
    schema: fn() -> &'static Value,
    checker: fn() -> &'static crate::schema::Compiled,
    #[cfg(not(target_arch = "wasm32"))]
    derive: fn() -> Value,
    #[cfg(not(target_arch = "wasm32"))]
    full: fn(&Value) -> Result<Value, serde_json::Error>,
    /// The spec read by [`crate::read::FromValue`] and by serde_json, each as `Debug` text of the
    /// value, or `error` (the two word their errors differently).
    #[cfg(test)]
    pub(crate) read_both: fn(&Value) -> (String, String),
}

impl KindInfo {
    /// `apiVersion` to write for new resources of this kind.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.versions[0].to_string()
        } else {
            format!("{}/{}", self.group, self.versions[0])
        }
    }

    /// Reads a `spec` (absent spec = `{}`).
    pub fn parse_spec(&self, spec: &Value) -> Result<Spec, serde_json::Error> {
        (self.parse)(spec)
    }

    /// JSON Schema of the `spec`, with `$defs` inlined at the root.
    pub fn spec_schema(&self) -> &'static Value {
        (self.schema)()
    }

    /// Names the kind's schema in `data/kind-schemas.json`: `<group>/<version>/<Kind>`.
    pub fn schema_key(&self) -> String {
        format!("{}/{}/{}", self.group, self.versions[0], self.kind)
    }

    /// The schema as schemars derives it from the spec's type, before the kind's own
    /// adjustments; the browser build reads it from `data/kind-schemas.json` instead.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn derived_schema(&self) -> Value {
        (self.derive)()
    }

    /// The spec read into the kind's full typed struct and written back: what the types hold of
    /// it (for an extension kind, more than [`Spec`] keeps; see [`extensions`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn typed_round_trip(&self, spec: &Value) -> Result<Value, serde_json::Error> {
        (self.full)(spec)
    }

    /// [`Self::spec_schema`] compiled for checking specs, once per kind.
    pub fn spec_checker(&self) -> &'static crate::schema::Compiled {
        (self.checker)()
    }

    pub fn is_source(&self) -> bool {
        self.category == Category::Sources
    }
}

/// Knative names unnamed containers itself (Serving: `user-container`; ContainerSource:
/// `<source>-<index>`), so for those kinds a container's `name` is optional, unlike in a Pod.
fn container_name_optional(schema: &mut Value) {
    if let Some(Value::Array(req)) =
        schema.pointer_mut("/$defs/io.k8s.api.core.v1.Container/required")
    {
        req.retain(|r| r != "name");
    }
}

/// Knative Serving fills in probe ports from the container port, so they are optional too.
fn serving_relaxations(schema: &mut Value) {
    container_name_optional(schema);
    for def in ["HTTPGetAction", "TCPSocketAction", "GRPCAction"] {
        if let Some(Value::Array(req)) =
            schema.pointer_mut(&format!("/$defs/io.k8s.api.core.v1.{def}/required"))
        {
            req.retain(|r| r != "port");
        }
    }
}

fn no_patch(_: &mut Value) {}

macro_rules! kind {
    ($group:literal, [$v0:literal $(, $v:literal)*], $kind:literal, $cat:ident, $summary:expr, $variant:ident, $ty:ty) => {
        kind!($group, [$v0 $(, $v)*], $kind, $cat, $summary, $variant, $ty, no_patch)
    };
    ($group:literal, [$v0:literal $(, $v:literal)*], $kind:literal, $cat:ident, $summary:expr, $variant:ident, $ty:ty, $patch:expr) => {
        kind!(@ None, $group, [$v0 $(, $v)*], $kind, $cat, $summary, $ty, $ty, $patch,
            |v| <$ty as crate::read::FromValue>::from_value(v).map(Spec::$variant))
    };
    // An extension kind: typed in full for its schema, read through `ExtensionSpec`.
    (ext $project:literal, $group:literal, [$v0:literal $(, $v:literal)*], $kind:literal, $cat:ident, $summary:expr, $ty:ty) => {
        kind!(@ Some($project), $group, [$v0 $(, $v)*], $kind, $cat, $summary, $ty, ExtensionSpec, no_patch,
            |v| ExtensionSpec::read(v).map(Spec::Extension))
    };
    // `$read`: the type the model reads the spec into.
    (@ $project:expr, $group:literal, [$v0:literal $(, $v:literal)*], $kind:literal, $cat:ident, $summary:expr, $ty:ty, $read:ty, $patch:expr, $parse:expr) => {{
        #[cfg(not(target_arch = "wasm32"))]
        fn derive() -> Value {
            schemars::schema_for!($ty).to_value()
        }
        fn schema() -> &'static Value {
            static S: OnceLock<Value> = OnceLock::new();
            S.get_or_init(|| {
                #[cfg(not(target_arch = "wasm32"))]
                let mut v = derive();
                #[cfg(target_arch = "wasm32")]
                let mut v = shipped::schema(concat!($group, "/", $v0, "/", $kind));
                $patch(&mut v);
                v
            })
        }
        fn checker() -> &'static crate::schema::Compiled {
            static C: OnceLock<crate::schema::Compiled> = OnceLock::new();
            C.get_or_init(|| crate::schema::Compiled::new(schema(), schema()))
        }
        KindInfo {
            group: $group,
            versions: &[$v0 $(, $v)*],
            kind: $kind,
            category: Category::$cat,
            summary: $summary,
            project: $project,
            parse: $parse,
            schema,
            checker,
            #[cfg(not(target_arch = "wasm32"))]
            derive,
            #[cfg(not(target_arch = "wasm32"))]
            full: |v| {
                <$ty as serde::Deserialize>::deserialize(v).and_then(|t| serde_json::to_value(t))
            },
            #[cfg(test)]
            read_both: |v| {
                let ours = <$read as crate::read::FromValue>::from_value(v).map_err(|_| "error");
                let theirs = <$read as serde::Deserialize>::deserialize(v).map_err(|_| "error");
                (format!("{ours:?}"), format!("{theirs:?}"))
            },
        }
    }};
}

/// Every modelled kind. Other kinds are kept as opaque resources.
pub static KINDS: &[KindInfo] = &[
    kind!(
        "sources.knative.dev",
        ["v1", "v1beta2"],
        "PingSource",
        Sources,
        "Sends an event on a cron schedule",
        PingSource,
        PingSourceSpec
    ),
    kind!(
        "sources.knative.dev",
        ["v1"],
        "ApiServerSource",
        Sources,
        "Turns Kubernetes API events into CloudEvents",
        ApiServerSource,
        ApiServerSourceSpec
    ),
    kind!(
        "sources.knative.dev",
        ["v1"],
        "ContainerSource",
        Sources,
        "Runs a container that sends events to K_SINK",
        ContainerSource,
        ContainerSourceSpec,
        container_name_optional
    ),
    kind!(
        "sources.knative.dev",
        ["v1"],
        "SinkBinding",
        Sources,
        "Injects K_SINK into existing workloads",
        SinkBinding,
        SinkBindingSpec
    ),
    kind!(
        "eventing.knative.dev",
        ["v1"],
        "Broker",
        Routing,
        "Event mesh: receives events and fans them out to triggers (classes: channel-based, Kafka, RabbitMQ)",
        Broker,
        BrokerSpec
    ),
    kind!(
        "eventing.knative.dev",
        ["v1"],
        "Trigger",
        Routing,
        "Subscribes a subscriber to a broker's events, filtered",
        Trigger,
        TriggerSpec
    ),
    kind!(
        "messaging.knative.dev",
        ["v1"],
        "Channel",
        Routing,
        "Delivers every event to all its subscriptions",
        Channel,
        ChannelSpec
    ),
    kind!(
        "messaging.knative.dev",
        ["v1"],
        "InMemoryChannel",
        Routing,
        "The in-memory channel implementation",
        InMemoryChannel,
        InMemoryChannelSpec
    ),
    kind!(
        "messaging.knative.dev",
        ["v1"],
        "Subscription",
        Routing,
        "Connects a channel to a subscriber and an optional reply",
        Subscription,
        SubscriptionSpec
    ),
    kind!(
        "flows.knative.dev",
        ["v1"],
        "Sequence",
        Flows,
        "Calls steps in order, each step's reply feeding the next",
        Sequence,
        SequenceSpec
    ),
    kind!(
        "flows.knative.dev",
        ["v1"],
        "Parallel",
        Flows,
        "Sends every event to all branches, each with an optional filter",
        Parallel,
        ParallelSpec
    ),
    kind!(
        "serving.knative.dev",
        ["v1"],
        "Service",
        Sinks,
        "Knative Service: an autoscaled HTTP workload",
        KService,
        KServiceSpec,
        serving_relaxations
    ),
    kind!(
        "",
        ["v1"],
        "Service",
        Sinks,
        "Kubernetes Service in front of pods",
        Service,
        ServiceSpec
    ),
    kind!(
        "sinks.knative.dev",
        ["v1alpha1"],
        "JobSink",
        Sinks,
        "Starts a Kubernetes Job for every event",
        JobSink,
        JobSinkSpec
    ),
    kind!(
        "eventing.knative.dev",
        ["v1beta3"],
        "EventType",
        Registry,
        "Declares an event type available from a broker or channel",
        EventType,
        EventTypeSpec
    ),
    kind!(
        "eventing.knative.dev",
        ["v1beta2", "v1beta1"],
        "EventType",
        Registry,
        "Declares an event type (older API)",
        EventTypeV1Beta2,
        EventTypeSpecV1Beta2
    ),
    kind!(ext "Kafka", "sources.knative.dev", ["v1", "v1beta1"], "KafkaSource", Sources,
        "Reads Kafka topics and sends each record as an event", extensions::kafka::KafkaSourceSpec),
    kind!(ext "Kafka", "eventing.knative.dev", ["v1alpha1"], "KafkaSink", Sinks,
        "Writes every event it receives to a Kafka topic", extensions::kafka::KafkaSinkSpec),
    kind!(ext "Kafka", "messaging.knative.dev", ["v1", "v1beta1"], "KafkaChannel", Routing,
        "A channel backed by a Kafka topic", extensions::kafka::KafkaChannelSpec),
    kind!(ext "RabbitMQ", "sources.knative.dev", ["v1alpha1"], "RabbitmqSource", Sources,
        "Consumes a RabbitMQ queue and sends each message as an event", extensions::rabbitmq::RabbitmqSourceSpec),
    kind!(ext "RabbitMQ", "eventing.knative.dev", ["v1alpha1"], "RabbitmqBrokerConfig", Config,
        "The RabbitMQ cluster and queue type behind a RabbitMQBroker-class Broker", extensions::rabbitmq::RabbitmqBrokerConfigSpec),
    kind!(ext "NATS", "messaging.knative.dev", ["v1alpha1"], "NatsJetStreamChannel", Routing,
        "A channel backed by a NATS JetStream stream", extensions::natss::NatsJetStreamChannelSpec),
    kind!(ext "GitHub", "sources.knative.dev", ["v1alpha1"], "GitHubSource", Sources,
        "Sends a repository's or organisation's GitHub webhooks as events", extensions::github::GitHubSourceSpec),
    kind!(ext "GitLab", "sources.knative.dev", ["v1alpha1"], "GitLabSource", Sources,
        "Sends a GitLab project's webhooks as events", extensions::gitlab::GitLabSourceSpec),
    kind!(ext "GitLab", "bindings.knative.dev", ["v1alpha1"], "GitLabBinding", Config,
        "Gives workloads a GitLab access token", extensions::gitlab::GitLabBindingSpec),
    kind!(ext "Redis", "sources.knative.dev", ["v1alpha1"], "RedisStreamSource", Sources,
        "Reads a Redis stream and sends each entry as an event", extensions::redis::RedisStreamSourceSpec),
    kind!(ext "Redis", "sinks.knative.dev", ["v1alpha1"], "RedisStreamSink", Sinks,
        "Appends every event it receives to a Redis stream", extensions::redis::RedisStreamSinkSpec),
    kind!(ext "AWS SQS", "sources.knative.dev", ["v1alpha1"], "AwsSqsSource", Sources,
        "Sends the messages of an Amazon SQS queue as events (deprecated upstream)", extensions::awssqs::AwsSqsSourceSpec),
    kind!(ext "Ceph", "sources.knative.dev", ["v1alpha1"], "CephSource", Sources,
        "Sends Ceph bucket notifications as events", extensions::ceph::CephSourceSpec),
    kind!(ext "CouchDB", "sources.knative.dev", ["v1alpha1"], "CouchDbSource", Sources,
        "Sends the changes of a CouchDB database as events", extensions::couchdb::CouchDbSourceSpec),
    kind!(ext "vSphere", "sources.tanzu.vmware.com", ["v1alpha1"], "VSphereSource", Sources,
        "Sends the events of a VMware vCenter as events", extensions::vsphere::VSphereSourceSpec),
    kind!(ext "Integration", "sources.knative.dev", ["v1alpha1"], "IntegrationSource", Sources,
        "A timer or an AWS service (S3, SQS, DynamoDB Streams) as an event source, run by Apache Camel", extensions::integration::IntegrationSourceSpec),
    kind!(ext "Integration", "sinks.knative.dev", ["v1alpha1"], "IntegrationSink", Sinks,
        "Logs events or writes them to AWS (S3, SQS, SNS), run by Apache Camel", extensions::integration::IntegrationSinkSpec),
];

impl std::fmt::Debug for KindInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KindInfo({}/{} {})",
            self.group,
            self.versions.join(","),
            self.kind
        )
    }
}

/// Two infos are the same kind when they are the same table entry.
impl PartialEq for KindInfo {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Splits `group/version` (or a bare core `version`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The modelled kind for an `apiVersion` and `kind`, if any.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    let (group, version) = split_api_version(api_version);
    KINDS
        .iter()
        .find(|k| k.group == group && k.kind == kind && k.versions.contains(&version))
}

/// Kinds we model in some other version of the same group: a version we do not know is most
/// likely a typo or a retired API, which deserves an error rather than silent opacity.
pub fn lookup_other_version(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    let (group, _) = split_api_version(api_version);
    KINDS.iter().find(|k| k.group == group && k.kind == kind)
}

/// The kind to create for a palette entry or a `Kind/name` written by a user: the first one
/// with that kind name (Knative Service wins over the core Service).
pub fn by_kind_name(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// Kinds whose address a reference can point at (they answer HTTP).
pub fn is_addressable(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("eventing.knative.dev", "Broker")
            | ("messaging.knative.dev", "Channel" | "InMemoryChannel")
            | ("flows.knative.dev", "Sequence" | "Parallel")
            | ("serving.knative.dev", "Service")
            | ("", "Service")
            | ("sinks.knative.dev", "JobSink")
            // Extension sinks knflow does not model yet (../knative-extension-crds): their
            // status has an address, so they are valid sinks, subscribers and dead-letter sinks.
            | ("eventing.knative.dev", "KafkaSink")
            | ("sinks.knative.dev", "RedisStreamSink" | "IntegrationSink")
    ) || is_extension_channel(group, kind)
}

/// Channel kinds of the extensions (KafkaChannel, NatsJetStreamChannel): subscribable and
/// addressable, delivering to their Subscriptions as an InMemoryChannel does.
pub fn is_extension_channel(group: &str, kind: &str) -> bool {
    group == "messaging.knative.dev" && matches!(kind, "KafkaChannel" | "NatsJetStreamChannel")
}
