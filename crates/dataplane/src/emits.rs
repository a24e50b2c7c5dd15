//! What each source emits, as its upstream implementation builds events: the extension
//! sources' CloudEvent types and sources (the simulator builds their events from the same
//! tables), and for every source the (type, source) patterns the event-type analysis starts from.

use knflow_model::kinds::Spec;
use knflow_model::{Flow, Resource};

use crate::analysis::{Pattern, PRODUCES};
use crate::filter::Text;

/// The Knative extension sources whose events knflow knows: each upstream adapter's CloudEvent
/// type, source and id as its code builds them (knative-extensions/eventing-kafka-broker,
/// -github, -gitlab, -rabbitmq, -redis, -awssqs, -ceph, -couchdb, vmware-tanzu/
/// sources-for-knative, and core IntegrationSource's eventing-integrations connectors).
/// Recognised by API group and kind and read from the manifest, not from a typed spec, so it
/// holds however these kinds are modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    Kafka,
    GitHub,
    GitLab,
    Rabbitmq,
    RedisStream,
    AwsSqs,
    Ceph,
    CouchDb,
    VSphere,
    Horizon,
    Integration,
}

impl Extension {
    pub fn of(r: &Resource) -> Option<Extension> {
        Some(match (r.group(), r.id.kind.as_str()) {
            ("sources.knative.dev", "KafkaSource") => Extension::Kafka,
            ("sources.knative.dev", "GitHubSource") => Extension::GitHub,
            ("sources.knative.dev", "GitLabSource") => Extension::GitLab,
            ("sources.knative.dev", "RabbitmqSource") => Extension::Rabbitmq,
            ("sources.knative.dev", "RedisStreamSource") => Extension::RedisStream,
            ("sources.knative.dev", "AwsSqsSource") => Extension::AwsSqs,
            ("sources.knative.dev", "CephSource") => Extension::Ceph,
            ("sources.knative.dev", "CouchDbSource") => Extension::CouchDb,
            ("sources.knative.dev", "IntegrationSource") => Extension::Integration,
            ("sources.tanzu.vmware.com", "VSphereSource") => Extension::VSphere,
            ("sources.tanzu.vmware.com", "HorizonSource") => Extension::Horizon,
            _ => return None,
        })
    }
}

/// GitLabSource `spec.eventTypes` entries and the `X-Gitlab-Event` header GitLab sends for
/// each. The adapter's type is the header without " Hook", in snake case
/// (`gitlabEventHeaderToEventType`), and the raw header goes into `comgitlabevent`. (The
/// controller's `EventTypes()` registers `issue`, `note` and `build` for the confidential and
/// job hooks; what arrives follows the header, as here: `job`, as the CRD's eventTypes
/// annotation also lists, and `confidential_issue`/`confidential_note`.)
pub const GITLAB_HOOKS: [(&str, &str); 14] = [
    ("push_events", "Push Hook"),
    ("tag_push_events", "Tag Push Hook"),
    ("issues_events", "Issue Hook"),
    ("confidential_issues_events", "Confidential Issue Hook"),
    ("note_events", "Note Hook"),
    ("confidential_note_events", "Confidential Note Hook"),
    ("merge_requests_events", "Merge Request Hook"),
    ("wiki_page_events", "Wiki Page Hook"),
    ("pipeline_events", "Pipeline Hook"),
    ("job_events", "Job Hook"),
    ("deployment_events", "Deployment Hook"),
    ("feature_flag_events", "Feature Flag Hook"),
    ("releases_events", "Release Hook"),
    ("resource_access_token_events", "Resource Access Token Hook"),
];

pub fn gitlab_type(header: &str) -> String {
    let name = header.strip_suffix(" Hook").unwrap_or(header);
    format!(
        "dev.knative.sources.gitlab.{}",
        name.to_lowercase().replace(' ', "_")
    )
}

/// The `X-Gitlab-Event` headers of a GitLabSource's `eventTypes`, in order, each once.
pub fn gitlab_headers(r: &Resource) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in spec_strs(r, "/eventTypes") {
        if let Some((_, h)) = GITLAB_HOOKS.iter().find(|(e, _)| *e == t) {
            if !out.contains(h) {
                out.push(h);
            }
        }
    }
    out
}

/// A CephSource's notifications (`com.amazonaws.<eventName>`), from its CRD's eventTypes.
pub const CEPH_TYPES: [&str; 6] = [
    "com.amazonaws.s3:ObjectCreated:Put",
    "com.amazonaws.s3:ObjectCreated:Post",
    "com.amazonaws.s3:ObjectCreated:Copy",
    "com.amazonaws.s3:ObjectCreated:CompleteMultipartUpload",
    "com.amazonaws.s3:ObjectRemoved:Delete",
    "com.amazonaws.s3:ObjectRemoved:DeleteMarkerCreated",
];

/// Some of the vSphere event classes (of class `event`) a VSphereSource forwards as
/// `com.vmware.vsphere.<EventType>.v0`; the first is the sample.
pub const VSPHERE_EVENTS: [&str; 6] = [
    "VmPoweredOnEvent",
    "VmPoweredOffEvent",
    "VmCreatedEvent",
    "VmRemovedEvent",
    "VmReconfiguredEvent",
    "AlarmStatusChangedEvent",
];

/// Some Horizon audit event types (`com.vmware.horizon.<lowercased type>.v0`); the first is the
/// sample. From sources-for-knative's `pkg/horizon/testdata/audit_events.golden`.
pub const HORIZON_EVENTS: [&str; 4] = [
    "VLSI_USERLOGGEDIN",
    "ADMIN_USERLOGGEDOUT",
    "REST_AUTH_LOGIN_SUCCESS",
    "BROKER_SMALL_MEMORY",
];

/// The connector an IntegrationSource runs (the first configured, in the reconciler's order:
/// timer, then aws.s3, aws.sqs, aws.ddbStreams) and the type, source and subject its
/// eventing-integrations image sets (`camel.component.knative.ceOverride[...]` defaults in
/// each connector's application.properties).
pub fn integration_connector(r: &Resource) -> Option<(&'static str, &'static str, &'static str)> {
    let spec = r.manifest.get("spec")?;
    let set = |p: &str| spec.pointer(p).is_some_and(|v| !v.is_null());
    if set("/timer") {
        Some((
            "dev.knative.eventing.timer",
            "dev.knative.eventing.timer-source",
            "timer-source",
        ))
    } else if set("/aws/s3") {
        Some((
            "dev.knative.eventing.aws-s3",
            "dev.knative.eventing.aws-s3-source",
            "aws-s3-source",
        ))
    } else if set("/aws/sqs") {
        Some((
            "dev.knative.eventing.aws-sqs",
            "dev.knative.eventing.aws-sqs-source",
            "aws-sqs-source",
        ))
    } else if set("/aws/ddbStreams") {
        Some((
            "dev.knative.eventing.aws-ddb-streams",
            "dev.knative.eventing.aws-ddb-streams-source",
            "aws-ddb-streams-source",
        ))
    } else {
        None
    }
}

/// Every type an extension source emits: the Send form's first suggestions.
pub fn extension_types(r: &Resource, x: Extension) -> Vec<String> {
    let mut out: Vec<String> = match x {
        Extension::Kafka => vec!["dev.knative.kafka.event".into()],
        Extension::GitHub => spec_strs(r, "/eventTypes")
            .map(|e| format!("dev.knative.source.github.{e}"))
            .collect(),
        Extension::GitLab => gitlab_headers(r).into_iter().map(gitlab_type).collect(),
        Extension::Rabbitmq => vec!["dev.knative.rabbitmq.event".into()],
        Extension::RedisStream => vec!["dev.knative.sources.redisstream".into()],
        Extension::AwsSqs => vec!["aws.sqs.message".into()],
        Extension::Ceph => CEPH_TYPES.iter().map(|t| t.to_string()).collect(),
        Extension::CouchDb => vec![
            "org.apache.couchdb.document.update".into(),
            "org.apache.couchdb.document.delete".into(),
        ],
        Extension::VSphere => VSPHERE_EVENTS
            .iter()
            .map(|e| format!("com.vmware.vsphere.{e}.v0"))
            .collect(),
        Extension::Horizon => HORIZON_EVENTS
            .iter()
            .map(|e| format!("com.vmware.horizon.{}.v0", e.to_lowercase()))
            .collect(),
        Extension::Integration => integration_connector(r)
            .map(|(ty, _, _)| ty.to_string())
            .into_iter()
            .collect(),
    };
    let mut seen = Vec::with_capacity(out.len());
    out.retain(|t| {
        let new = !seen.contains(t);
        seen.push(t.clone());
        new
    });
    out
}

/// A string field of the spec (`pointer` below `/spec`), if set and not empty.
pub fn spec_str<'a>(r: &'a Resource, pointer: &str) -> Option<&'a str> {
    r.manifest
        .get("spec")?
        .pointer(pointer)?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// The strings of a list field of the spec.
pub fn spec_strs<'a>(r: &'a Resource, pointer: &str) -> impl Iterator<Item = &'a str> {
    r.manifest
        .get("spec")
        .and_then(|s| s.pointer(pointer))
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
}

/// The host of a URL (Go's `url.Hostname()`: no scheme, user info, port or path).
pub fn url_host(u: &str) -> &str {
    let rest = u.split_once("://").map_or(u, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

/// The vCenter URL as govmomi's `soap.ParseURL` makes it and the client reports it: `https://`
/// when no scheme is given, path `/sdk` when none is, no user info.
pub fn vcenter_url(address: &str) -> String {
    let has_scheme = address.split_once("://").is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let full = if has_scheme {
        address.to_string()
    } else {
        format!("https://{address}")
    };
    let (scheme, rest) = full.split_once("://").unwrap_or(("https", &full));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let tail = if tail.starts_with('/') {
        tail.to_string()
    } else {
        format!("/sdk{tail}")
    };
    format!("{scheme}://{authority}{tail}")
}

/// Where an ApiServerSource's events say they come from: the API server.
pub const APISERVER_SOURCE: &str = "https://kubernetes.default.svc";

fn exact(s: impl Into<std::sync::Arc<str>>) -> Text {
    Text::Exact(s.into())
}

/// The (type, source) patterns `r` emits on its own, if it is a source: what its upstream
/// implementation sends, plus the types a `knflow.dev/produces` annotation declares. A source
/// whose events its user's code decides (ContainerSource, SinkBinding, an unmodelled kind) emits
/// anything. A KafkaSource also forwards the CloudEvents on its topic as they are: those the
/// flow's KafkaSinks store reach it by the topic link, others must be declared with
/// `knflow.dev/produces`.
pub fn emitted(flow: &Flow, r: &Resource) -> Option<Vec<Pattern>> {
    if !r.is_source() {
        return None;
    }
    let ns = flow.namespace_of(r).unwrap_or("default");
    let name = r.name();
    let each = |types: Vec<String>, source: Text| -> Vec<Pattern> {
        types
            .into_iter()
            .map(|t| Pattern {
                ty: exact(t),
                source: source.clone(),
            })
            .collect()
    };
    let mut out = match (&r.spec, Extension::of(r)) {
        (Some(Spec::PingSource(_)), _) => vec![Pattern {
            ty: exact("dev.knative.sources.ping"),
            source: exact(format!("/apis/v1/namespaces/{ns}/pingsources/{name}")),
        }],
        (Some(Spec::ApiServerSource(a)), _) => {
            let form = if a.mode == Some(knflow_model::kinds::ApiServerSourceMode::Resource) {
                "resource"
            } else {
                "ref"
            };
            let types = ["add", "update", "delete"]
                .iter()
                .map(|op| format!("dev.knative.apiserver.{form}.{op}"))
                .collect();
            each(types, exact(APISERVER_SOURCE))
        }
        (_, Some(x)) => {
            let types = extension_types(r, x);
            match x {
                Extension::Kafka => spec_strs(r, "/topics")
                    .flat_map(|topic| {
                        let source =
                            format!("/apis/v1/namespaces/{ns}/kafkasources/{name}#{topic}");
                        each(types.clone(), exact(source))
                    })
                    .collect(),
                Extension::GitHub => {
                    let repo = spec_str(r, "/ownerAndRepository").unwrap_or_default();
                    each(types, exact(format!("https://github.com/{repo}")))
                }
                Extension::GitLab => {
                    let url = spec_str(r, "/projectUrl");
                    each(types, url.map_or(Text::Any, exact))
                }
                Extension::Rabbitmq => {
                    let queue =
                        spec_str(r, "/rabbitmqResourcesConfig/queueName").unwrap_or_default();
                    let source = format!("/apis/v1/namespaces/{ns}/rabbitmqsources/{name}#{queue}");
                    each(types, exact(source))
                }
                Extension::RedisStream => {
                    let source = spec_str(r, "/address")
                        .zip(spec_str(r, "/stream"))
                        .map_or(Text::Any, |(a, s)| exact(format!("{a}/{s}")));
                    each(types, source)
                }
                Extension::AwsSqs => each(types, spec_str(r, "/queueUrl").map_or(Text::Any, exact)),
                // `<eventSource>.<awsRegion>.<bucket>`: the region and bucket are the
                // notification's.
                Extension::Ceph => each(types, Text::Prefix("ceph:s3.".into())),
                // `<url host>/<database>`, the host in a Secret.
                Extension::CouchDb => each(types, Text::Any),
                Extension::VSphere => {
                    let source =
                        spec_str(r, "/address").map_or(Text::Any, |a| exact(vcenter_url(a)));
                    each(types, source)
                }
                Extension::Horizon => each(types, spec_str(r, "/address").map_or(Text::Any, exact)),
                Extension::Integration => integration_connector(r)
                    .map(|(ty, source, _)| {
                        vec![Pattern {
                            ty: exact(ty),
                            source: exact(source),
                        }]
                    })
                    .unwrap_or_default(),
            }
        }
        _ => vec![Pattern {
            ty: Text::Any,
            source: Text::Any,
        }],
    };
    for t in crate::analysis::annotated(r, PRODUCES) {
        let p = Pattern {
            ty: exact(t),
            source: Text::Any,
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Some(out)
}
