//! The references a resource makes to others: what becomes an edge of the flow graph, and what
//! renaming or rewiring edits.

use crate::kinds::{self, DeliverySpec, Destination, KReference, Spec};
use crate::resource::Resource;

/// What a reference means, which is also the name of the port it leaves from in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Trigger → Broker.
    Broker,
    Subscriber,
    Reply,
    /// Source → where it sends.
    Sink,
    DeadLetterSink,
    /// Subscription → Channel.
    Channel,
    /// Sequence step.
    Step,
    /// Parallel branch filter.
    Filter,
    /// SinkBinding → the workload it injects into.
    Subject,
    /// EventType → where the type is available.
    Reference,
    /// Broker → its configuration.
    Config,
}

impl Role {
    pub fn port_name(self) -> &'static str {
        match self {
            Role::Broker => "broker",
            Role::Subscriber => "subscriber",
            Role::Reply => "reply",
            Role::Sink => "sink",
            Role::DeadLetterSink => "deadLetterSink",
            Role::Channel => "channel",
            Role::Step => "step",
            Role::Filter => "filter",
            Role::Subject => "subject",
            Role::Reference => "reference",
            Role::Config => "config",
        }
    }

    /// Does an event travel along this edge (as opposed to configuration)?
    pub fn carries_events(self) -> bool {
        !matches!(
            self,
            Role::Broker | Role::Channel | Role::Subject | Role::Reference | Role::Config
        )
    }
}

/// The other end of a reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Object {
        /// Empty when the reference does not say (e.g. `trigger.spec.broker`).
        api_version: String,
        kind: String,
        name: String,
        /// As written; `None` = the referrer's namespace.
        namespace: Option<String>,
    },
    Uri(String),
    /// Workloads picked by a label selector (SinkBinding subject).
    Selector {
        api_version: String,
        kind: String,
        labels: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub role: Role,
    /// Index of the step or branch, for roles inside lists.
    pub index: Option<usize>,
    /// Field path of the reference (the destination object, or the string for `spec.broker`).
    pub path: String,
    /// Field path of the string holding the target's name, which renaming rewrites.
    pub name_path: Option<String>,
    pub target: Target,
}

fn destination(
    out: &mut Vec<Reference>,
    role: Role,
    index: Option<usize>,
    path: String,
    d: &Destination,
) {
    if let Some(r) = &d.reference {
        if let (Some(kind), Some(name)) = (&r.kind, &r.name) {
            out.push(Reference {
                role,
                index,
                name_path: Some(format!("{path}.ref.name")),
                path,
                target: Target::Object {
                    api_version: r.api_version.clone().unwrap_or_default(),
                    kind: kind.clone(),
                    name: name.clone(),
                    namespace: r.namespace.clone(),
                },
            });
            return;
        }
    }
    if let Some(uri) = &d.uri {
        if d.reference.is_none() && !uri.is_empty() {
            out.push(Reference {
                role,
                index,
                path,
                name_path: None,
                target: Target::Uri(uri.clone()),
            });
        }
    }
}

fn delivery(out: &mut Vec<Reference>, index: Option<usize>, path: &str, d: &Option<DeliverySpec>) {
    if let Some(dls) = d.as_ref().and_then(|d| d.dead_letter_sink.as_ref()) {
        destination(
            out,
            Role::DeadLetterSink,
            index,
            format!("{path}.deadLetterSink"),
            dls,
        );
    }
}

fn opt_destination(
    out: &mut Vec<Reference>,
    role: Role,
    index: Option<usize>,
    path: String,
    d: &Option<Destination>,
) {
    if let Some(d) = d {
        destination(out, role, index, path, d);
    }
}

/// A plain object reference (`KReference`) at `path`, when it names a kind and a name.
fn kref(out: &mut Vec<Reference>, role: Role, path: &str, r: &Option<KReference>) {
    let Some(r) = r else { return };
    if let (Some(kind), Some(name)) = (&r.kind, &r.name) {
        out.push(Reference {
            role,
            index: None,
            path: path.to_string(),
            name_path: Some(format!("{path}.name")),
            target: Target::Object {
                api_version: r.api_version.clone().unwrap_or_default(),
                kind: kind.clone(),
                name: name.clone(),
                namespace: r.namespace.clone(),
            },
        });
    }
}

/// Every reference `r` makes, in field order.
pub fn references(r: &Resource) -> Vec<Reference> {
    let mut out = Vec::new();
    let Some(spec) = &r.spec else {
        // A kind knflow does not model, but a source by its spec: its sink is a wire.
        if let Some(source) = r.source_spec().filter(|_| r.is_duck_source()) {
            opt_destination(
                &mut out,
                Role::Sink,
                None,
                ".spec.sink".into(),
                &source.sink,
            );
        }
        return out;
    };
    match spec {
        Spec::Broker(s) => {
            kref(&mut out, Role::Config, ".spec.config", &s.config);
            delivery(&mut out, None, ".spec.delivery", &s.delivery);
        }
        Spec::Trigger(s) => {
            if let Some(b) = s.broker.as_ref().filter(|b| !b.is_empty()) {
                out.push(Reference {
                    role: Role::Broker,
                    index: None,
                    path: ".spec.broker".into(),
                    name_path: Some(".spec.broker".into()),
                    target: Target::Object {
                        api_version: "eventing.knative.dev/v1".into(),
                        kind: "Broker".into(),
                        name: b.clone(),
                        namespace: None,
                    },
                });
            } else if let Some(b) = &s.broker_ref {
                if let Some(name) = &b.name {
                    out.push(Reference {
                        role: Role::Broker,
                        index: None,
                        path: ".spec.brokerRef".into(),
                        name_path: Some(".spec.brokerRef.name".into()),
                        target: Target::Object {
                            api_version: b.api_version.clone().unwrap_or_default(),
                            kind: b.kind.clone().unwrap_or_else(|| "Broker".into()),
                            name: name.clone(),
                            namespace: b.namespace.clone(),
                        },
                    });
                }
            }
            opt_destination(
                &mut out,
                Role::Subscriber,
                None,
                ".spec.subscriber".into(),
                &s.subscriber,
            );
            delivery(&mut out, None, ".spec.delivery", &s.delivery);
        }
        Spec::Extension(s) => {
            let bare = r
                .manifest
                .pointer("/spec/sink")
                .is_some_and(crate::kinds::extensions::is_object_reference);
            if bare {
                let sink = s.source.sink.as_ref().and_then(|d| d.reference.clone());
                kref(&mut out, Role::Sink, ".spec.sink", &sink);
            } else if r.info.is_some_and(|i| i.is_source()) {
                opt_destination(
                    &mut out,
                    Role::Sink,
                    None,
                    ".spec.sink".into(),
                    &s.source.sink,
                );
            }
            delivery(&mut out, None, ".spec.delivery", &s.delivery);
        }
        Spec::Channel(s) => delivery(&mut out, None, ".spec.delivery", &s.delivery),
        Spec::InMemoryChannel(s) => delivery(&mut out, None, ".spec.delivery", &s.delivery),
        Spec::Subscription(s) => {
            kref(&mut out, Role::Channel, ".spec.channel", &s.channel);
            opt_destination(
                &mut out,
                Role::Subscriber,
                None,
                ".spec.subscriber".into(),
                &s.subscriber,
            );
            opt_destination(&mut out, Role::Reply, None, ".spec.reply".into(), &s.reply);
            delivery(&mut out, None, ".spec.delivery", &s.delivery);
        }
        Spec::Sequence(s) => {
            for (i, step) in s.steps.iter().flatten().enumerate() {
                let p = format!(".spec.steps[{i}]");
                destination(&mut out, Role::Step, Some(i), p.clone(), &step.destination);
                delivery(&mut out, Some(i), &format!("{p}.delivery"), &step.delivery);
            }
            opt_destination(&mut out, Role::Reply, None, ".spec.reply".into(), &s.reply);
        }
        Spec::Parallel(s) => {
            for (i, b) in s.branches.iter().flatten().enumerate() {
                let p = format!(".spec.branches[{i}]");
                opt_destination(
                    &mut out,
                    Role::Filter,
                    Some(i),
                    format!("{p}.filter"),
                    &b.filter,
                );
                opt_destination(
                    &mut out,
                    Role::Subscriber,
                    Some(i),
                    format!("{p}.subscriber"),
                    &b.subscriber,
                );
                opt_destination(
                    &mut out,
                    Role::Reply,
                    Some(i),
                    format!("{p}.reply"),
                    &b.reply,
                );
                delivery(&mut out, Some(i), &format!("{p}.delivery"), &b.delivery);
            }
            opt_destination(&mut out, Role::Reply, None, ".spec.reply".into(), &s.reply);
        }
        Spec::PingSource(s) => opt_destination(
            &mut out,
            Role::Sink,
            None,
            ".spec.sink".into(),
            &s.source.sink,
        ),
        Spec::ApiServerSource(s) => opt_destination(
            &mut out,
            Role::Sink,
            None,
            ".spec.sink".into(),
            &s.source.sink,
        ),
        Spec::ContainerSource(s) => opt_destination(
            &mut out,
            Role::Sink,
            None,
            ".spec.sink".into(),
            &s.source.sink,
        ),
        Spec::SinkBinding(s) => {
            if let Some(subj) = &s.subject {
                let api_version = subj.api_version.clone().unwrap_or_default();
                let kind = subj.kind.clone().unwrap_or_default();
                if let Some(name) = &subj.name {
                    out.push(Reference {
                        role: Role::Subject,
                        index: None,
                        path: ".spec.subject".into(),
                        name_path: Some(".spec.subject.name".into()),
                        target: Target::Object {
                            api_version,
                            kind,
                            name: name.clone(),
                            namespace: subj.namespace.clone(),
                        },
                    });
                } else if let Some(sel) = subj.selector.as_ref().filter(|s| s.has_match_labels()) {
                    out.push(Reference {
                        role: Role::Subject,
                        index: None,
                        path: ".spec.subject".into(),
                        name_path: None,
                        target: Target::Selector {
                            api_version,
                            kind,
                            labels: sel.match_labels(),
                        },
                    });
                }
            }
            opt_destination(
                &mut out,
                Role::Sink,
                None,
                ".spec.sink".into(),
                &s.source.sink,
            );
        }
        Spec::EventType(s) => kref(&mut out, Role::Reference, ".spec.reference", &s.reference),
        Spec::EventTypeV1Beta2(_) | Spec::JobSink(_) | Spec::KService(_) | Spec::Service(_) => {}
    }
    out
}

/// Does a reference's apiVersion (possibly empty) agree with a resource's?
pub fn api_group_matches(reference_api_version: &str, resource_api_version: &str) -> bool {
    reference_api_version.is_empty()
        || kinds::split_api_version(reference_api_version).0
            == kinds::split_api_version(resource_api_version).0
}
