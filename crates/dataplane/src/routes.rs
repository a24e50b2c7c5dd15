//! A flow compiled into the routing table Knative's reconcilers would build (KNATIVE-SEMANTICS
//! §4–§7, §9): a Trigger is a subscription on its broker's channel whose reply is the broker; a
//! Sequence is channels `<seq>-kn-sequence-<i>` with step i replying into channel i+1; a Parallel is
//! an ingress channel, a filter subscription and a branch channel per branch.

use std::collections::HashMap;
use std::sync::Arc;

use knflow_model::kinds::{BackoffPolicy, DeliverySpec, Destination, Spec};
use knflow_model::validate::names::duration_ms;
use knflow_model::{Flow, Resource};

use crate::filter::TriggerFilter;

/// A `Kind/name` (or URI) shared by every hop that mentions it: cloning is a count bump.
pub type Label = Arc<str>;

/// Where an event can be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A broker's ingress (`Broker/name`).
    Broker(Label),
    /// A channel, user-made (`Channel/x`, `InMemoryChannel/x`) or made by a Sequence/Parallel
    /// (`Channel/<seq>-kn-sequence-0`).
    Channel(Label),
    /// Anything that answers HTTP outside the data plane: services, job sinks, URIs, and
    /// references to objects the flow does not hold.
    Sink(Label),
}

impl Endpoint {
    pub fn label(&self) -> &Label {
        match self {
            Endpoint::Broker(l) | Endpoint::Channel(l) | Endpoint::Sink(l) => l,
        }
    }

    pub fn into_label(self) -> Label {
        match self {
            Endpoint::Broker(l) | Endpoint::Channel(l) | Endpoint::Sink(l) => l,
        }
    }
}

/// Retries, backoff, timeout and dead-letter sink, resolved the way Knative resolves them.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub retry: u32,
    pub backoff: Option<(BackoffPolicy, u64)>,
    pub timeout_ms: Option<u64>,
    pub retry_after_max_ms: Option<u64>,
    pub dead_letter: Option<(Endpoint, Label)>,
}

impl Policy {
    pub const NONE: Policy = Policy {
        retry: 0,
        backoff: None,
        timeout_ms: None,
        retry_after_max_ms: None,
        dead_letter: None,
    };

    /// Wait before retry `k` (1-based). Knative passes the zero-based index `k - 1` to its
    /// backoff function: linear `delay × (k−1)`, exponential `delay × 2^(k−1)` (§5).
    pub fn backoff_ms(&self, k: u32) -> u64 {
        match self.backoff {
            None => 0,
            Some((BackoffPolicy::Linear, d)) => d.saturating_mul((k - 1) as u64),
            Some((BackoffPolicy::Exponential, d)) => {
                d.saturating_mul(1u64.checked_shl(k - 1).unwrap_or(u64::MAX))
            }
        }
    }
}

/// What kind of subscription, which decides reply and failure handling.
#[derive(Debug, Clone)]
pub enum SubKind {
    /// A trigger: filtered, replies go back into the broker, a non-event 2xx body is a 502.
    Trigger {
        filter: Box<TriggerFilter>,
        /// Kafka broker, `kafka.eventing.knative.dev/delivery.order: ordered`: one event per
        /// partition at a time.
        ordered: bool,
    },
    /// A channel subscription (Subscription, Sequence step, Parallel filter or subscriber).
    Channel,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    /// The resource that routed the event: `Trigger/t`, `Subscription/s`, `Sequence/s`, …
    pub via: Label,
    pub kind: SubKind,
    pub subscriber: Endpoint,
    /// Absolute URL of the subscriber, for `knativeerrordest`.
    pub subscriber_url: Label,
    pub reply: Option<Endpoint>,
    pub policy: Policy,
}

/// The routing table.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    pub subscriptions: Vec<Subscription>,
    /// Subscriptions (indexes) on each broker and channel.
    pub on: HashMap<Endpoint, Arc<[usize]>>,
    /// What a user can send to: `Broker/x`, `Channel/x`, `InMemoryChannel/x`, `Sequence/x`,
    /// `Parallel/x`, and every sink.
    pub entries: HashMap<String, Endpoint>,
    /// Knative's address of every endpoint (§9).
    pub urls: HashMap<Endpoint, Label>,
    /// Sequence steps and Parallel filters/subscribers: sinks that reply by default in simulation.
    pub replying_by_default: Vec<String>,
    /// Kafka topic links: what a KafkaSink stores on its topic, each KafkaSource reading that
    /// topic of the same cluster forwards to its sink (with its ceOverrides).
    pub topics: HashMap<Label, Vec<TopicLink>>,
    /// The flow's payload schemas (`schemas:` in the flow file) by URI: an event whose
    /// `dataschema` names one has its data checked where it enters the data plane.
    pub schemas: Vec<(String, Arc<knflow_model::schema::Compiled>)>,
}

/// A KafkaSource reading the topic a KafkaSink writes.
#[derive(Debug, Clone)]
pub struct TopicLink {
    pub source: Label,
    pub to: Endpoint,
    pub extensions: Vec<(String, String)>,
}

const DOMAIN: &str = "svc.cluster.local";

fn ns(flow: &Flow, r: &Resource) -> String {
    flow.namespace_of(r).unwrap_or("default").to_string()
}

impl Routes {
    /// The delivery policy of a subscription (`None`: a plain send to a sink, never retried).
    pub fn policy_of(&self, sub: Option<usize>) -> &Policy {
        sub.map_or(&Policy::NONE, |i| &self.subscriptions[i].policy)
    }

    pub fn compile(flow: &Flow) -> Routes {
        let mut rt = Routes::default();
        // Entry points first, so references can resolve to them.
        for r in flow.resources() {
            let label = r.id.to_string();
            let n = ns(flow, r);
            let (ep, url) = match &r.spec {
                Some(Spec::Broker(_)) => (
                    Endpoint::Broker(label.clone().into()),
                    format!(
                        "http://broker-ingress.knative-eventing.{DOMAIN}/{n}/{}",
                        r.name()
                    ),
                ),
                Some(Spec::Channel(_) | Spec::InMemoryChannel(_)) => (
                    Endpoint::Channel(label.clone().into()),
                    format!("http://{}-kn-channel.{n}.{DOMAIN}", r.name()),
                ),
                Some(Spec::Sequence(_)) => {
                    let ch = format!("{}-kn-sequence-0", r.name());
                    (
                        Endpoint::Channel(format!("Channel/{ch}").into()),
                        format!("http://{ch}-kn-channel.{n}.{DOMAIN}"),
                    )
                }
                Some(Spec::Parallel(_)) => {
                    let ch = format!("{}-kn-parallel", r.name());
                    (
                        Endpoint::Channel(format!("Channel/{ch}").into()),
                        format!("http://{ch}-kn-channel.{n}.{DOMAIN}"),
                    )
                }
                Some(Spec::JobSink(_)) => (
                    Endpoint::Sink(label.clone().into()),
                    format!("http://job-sink.knative-eventing.{DOMAIN}/{n}/{}", r.name()),
                ),
                Some(Spec::KService(_) | Spec::Service(_)) => (
                    Endpoint::Sink(label.clone().into()),
                    format!("http://{}.{n}.{DOMAIN}", r.name()),
                ),
                // A channel of an extension (KafkaChannel, …): a channel like an InMemoryChannel.
                Some(Spec::Extension(_)) | None
                    if knflow_model::kinds::is_extension_channel(r.group(), &r.id.kind) =>
                {
                    (
                        Endpoint::Channel(label.clone().into()),
                        format!("http://{}-kn-channel.{n}.{DOMAIN}", r.name()),
                    )
                }
                // An addressable kind knflow does not model (KafkaSink, …): a sink, at the
                // address its controller gives it.
                Some(Spec::Extension(_)) | None
                    if knflow_model::kinds::is_addressable(r.group(), &r.id.kind) =>
                {
                    (
                        Endpoint::Sink(label.clone().into()),
                        match r.id.kind.as_str() {
                            "KafkaSink" => format!(
                                "http://kafka-sink-ingress.knative-eventing.{DOMAIN}/{n}/{}",
                                r.name()
                            ),
                            _ => format!("http://{}.{n}.{DOMAIN}", r.name()),
                        },
                    )
                }
                _ => continue,
            };
            rt.urls.insert(ep.clone(), url.into());
            rt.entries.insert(label, ep);
        }
        for r in flow.resources() {
            rt.add_resource(flow, r);
        }
        rt.link_topics(flow);
        if let Some(map) = flow
            .extra
            .get("schemas")
            .and_then(serde_json::Value::as_object)
        {
            for (uri, schema) in map {
                let compiled = knflow_model::schema::Compiled::open(schema);
                rt.schemas.push((uri.clone(), Arc::new(compiled)));
            }
        }
        rt
    }

    /// What is wrong with `event`'s data by the schema its `dataschema` names, if the flow has
    /// that schema: the JSON Pointer of the first problem and the problem.
    pub fn payload_problem(&self, event: &cloudevents::Event) -> Option<String> {
        use cloudevents::AttributesReader;
        let uri = event.dataschema()?.to_string();
        let (_, schema) = self.schemas.iter().find(|(u, _)| *u == uri)?;
        let data = match event.data() {
            None => serde_json::Value::Null,
            Some(cloudevents::Data::Json(v)) => v.clone(),
            Some(cloudevents::Data::String(s)) => match serde_json::from_str(s) {
                Ok(v) => v,
                Err(_) => return Some(format!("data is not JSON, so it cannot match {uri}")),
            },
            Some(cloudevents::Data::Binary(b)) => match serde_json::from_slice(b) {
                Ok(v) => v,
                Err(_) => return Some(format!("data is not JSON, so it cannot match {uri}")),
            },
        };
        let first = schema.check(&data, "").into_iter().next()?;
        let at = match knflow_model::path::to_pointer(&first.path) {
            p if p.is_empty() => "the data".to_string(),
            p => p,
        };
        Some(format!(
            "data does not match {uri}: {at}: {}",
            first.problem
        ))
    }

    /// KafkaSink → KafkaSource links by topic and bootstrap server (a server in common).
    fn link_topics(&mut self, flow: &Flow) {
        for (sink, source) in knflow_model::kinds::extensions::topics::topic_links(flow) {
            let Some(to) = self.sink_of(flow, source) else {
                continue;
            };
            let extensions: Vec<(String, String)> = source
                .source_spec()
                .and_then(|s| s.ce_overrides.clone())
                .and_then(|o| o.extensions)
                .map(|e| e.into_iter().collect())
                .unwrap_or_default();
            self.topics
                .entry(sink.id.to_string().into())
                .or_default()
                .push(TopicLink {
                    source: source.id.to_string().into(),
                    to,
                    extensions,
                });
        }
    }

    /// The endpoint and URL a destination of `from` resolves to.
    fn destination(
        &mut self,
        flow: &Flow,
        from: &Resource,
        d: &Destination,
    ) -> Option<(Endpoint, Label)> {
        if let Some(k) = &d.reference {
            let (kind, name) = (k.kind.as_deref()?, k.name.as_deref()?);
            let id = flow.target_id(from, kind, name, k.namespace.as_deref());
            let label = id.to_string();
            let ep = self
                .entries
                .get(&label)
                .cloned()
                .unwrap_or_else(|| Endpoint::Sink(label.clone().into()));
            let base = self.urls.get(&ep).cloned().unwrap_or_else(|| {
                let n = id
                    .namespace
                    .clone()
                    .or_else(|| flow.namespace_of(from).map(str::to_string))
                    .unwrap_or_else(|| "default".into());
                format!("http://{}.{n}.{DOMAIN}", id.name.to_lowercase()).into()
            });
            self.urls.entry(ep.clone()).or_insert_with(|| base.clone());
            let url = match d.uri.as_deref() {
                Some(rel) if !rel.is_empty() => join(&base, rel).into(),
                _ => base,
            };
            return Some((ep, url));
        }
        let uri = d.uri.clone().filter(|u| !u.is_empty())?;
        let uri: Label = uri.into();
        let ep = Endpoint::Sink(uri.clone());
        self.urls.insert(ep.clone(), uri.clone());
        Some((ep, uri))
    }

    fn policy(
        &mut self,
        flow: &Flow,
        from: &Resource,
        own: Option<&DeliverySpec>,
        fallback: Option<&DeliverySpec>,
    ) -> Policy {
        // The whole spec is replaced (trigger → broker, subscription → channel); the DLS falls
        // back on its own (§5).
        let spec = own.or(fallback);
        let Some(spec) = spec else {
            return Policy::NONE;
        };
        let ms = |v: &Option<String>| v.as_deref().and_then(|s| duration_ms(s).ok());
        let dls = own
            .and_then(|d| d.dead_letter_sink.as_ref())
            .or(fallback.and_then(|d| d.dead_letter_sink.as_ref()));
        let dead_letter = dls.and_then(|d| self.destination(flow, from, d));
        Policy {
            retry: spec.retry.unwrap_or(0).max(0) as u32,
            backoff: match (spec.backoff_policy, ms(&spec.backoff_delay)) {
                (Some(p), Some(d)) => Some((p, d)),
                _ => None,
            },
            timeout_ms: ms(&spec.timeout),
            retry_after_max_ms: ms(&spec.retry_after_max).filter(|m| *m > 0),
            dead_letter,
        }
    }

    fn push(&mut self, on: Endpoint, sub: Subscription) {
        self.subscriptions.push(sub);
        let i = self.subscriptions.len() - 1;
        // Shared slices: the data plane takes the list for every event it routes.
        let list = self.on.entry(on).or_insert_with(|| Arc::from([]));
        let mut v = list.to_vec();
        v.push(i);
        *list = Arc::from(v);
    }

    fn add_resource(&mut self, flow: &Flow, r: &Resource) {
        let n = ns(flow, r);
        match &r.spec {
            Some(Spec::Trigger(t)) => {
                let Some(broker_name) = t
                    .broker
                    .as_deref()
                    .or(t.broker_ref.as_ref().and_then(|b| b.name.as_deref()))
                else {
                    return;
                };
                let broker_id = flow.target_id(
                    r,
                    "Broker",
                    broker_name,
                    t.broker_ref.as_ref().and_then(|b| b.namespace.as_deref()),
                );
                let broker = flow.get(&broker_id);
                let broker_delivery = match broker.and_then(|b| b.spec.as_ref()) {
                    Some(Spec::Broker(b)) => {
                        Some(b.delivery.clone().unwrap_or_else(default_broker_delivery))
                    }
                    _ => None,
                };
                let Some((subscriber, subscriber_url)) = t
                    .subscriber
                    .as_ref()
                    .and_then(|d| self.destination(flow, r, d))
                else {
                    return;
                };
                let policy = self.policy(flow, r, t.delivery.as_ref(), broker_delivery.as_ref());
                // Ordered delivery is the Kafka broker's, asked for on the trigger.
                use knflow_model::kinds::extensions::broker::class_of;
                let kafka = broker
                    .and_then(class_of)
                    .is_some_and(|c| c == "Kafka" || c == "KafkaNamespaced");
                let ordered = kafka
                    && r.annotation("kafka.eventing.knative.dev/delivery.order")
                        .is_some_and(|o| o.eq_ignore_ascii_case("ordered"));
                let broker = Endpoint::Broker(broker_id.to_string().into());
                self.push(
                    broker.clone(),
                    Subscription {
                        via: r.id.to_string().into(),
                        kind: SubKind::Trigger {
                            filter: Box::new(TriggerFilter::compile(t)),
                            ordered,
                        },
                        subscriber,
                        subscriber_url,
                        // Replies re-enter the broker (§4).
                        reply: Some(broker),
                        policy,
                    },
                );
            }
            Some(Spec::Subscription(s)) => {
                let Some(ch) = s.channel.as_ref() else { return };
                let (Some(kind), Some(name)) = (ch.kind.as_deref(), ch.name.as_deref()) else {
                    return;
                };
                let ch_id = flow.target_id(r, kind, name, ch.namespace.as_deref());
                let channel = flow.get(&ch_id);
                let channel_delivery = match channel.and_then(|c| c.spec.as_ref()) {
                    Some(Spec::Channel(c)) => c.delivery.clone(),
                    Some(Spec::InMemoryChannel(c)) => c.delivery.clone(),
                    // An extension's channel (KafkaChannel): its `spec.delivery` as written.
                    _ => channel
                        .and_then(|c| c.manifest.pointer("/spec/delivery"))
                        .and_then(|d| {
                            <DeliverySpec as knflow_model::read::FromValue>::from_value(d).ok()
                        }),
                };
                let Some((subscriber, subscriber_url)) = s
                    .subscriber
                    .as_ref()
                    .and_then(|d| self.destination(flow, r, d))
                else {
                    return;
                };
                let reply = s
                    .reply
                    .as_ref()
                    .and_then(|d| self.destination(flow, r, d))
                    .map(|(e, _)| e);
                let policy = self.policy(flow, r, s.delivery.as_ref(), channel_delivery.as_ref());
                self.push(
                    Endpoint::Channel(ch_id.to_string().into()),
                    Subscription {
                        via: r.id.to_string().into(),
                        kind: SubKind::Channel,
                        subscriber,
                        subscriber_url,
                        reply,
                        policy,
                    },
                );
            }
            Some(Spec::Sequence(s)) => {
                let steps = s.steps.as_deref().unwrap_or_default();
                let reply = s
                    .reply
                    .as_ref()
                    .and_then(|d| self.destination(flow, r, d))
                    .map(|(e, _)| e);
                for (i, step) in steps.iter().enumerate() {
                    let Some((subscriber, subscriber_url)) =
                        self.destination(flow, r, &step.destination)
                    else {
                        continue;
                    };
                    self.replying_by_default
                        .push(subscriber.label().to_string());
                    let next = if i + 1 < steps.len() {
                        let ch = format!("{}-kn-sequence-{}", r.name(), i + 1);
                        let ep = Endpoint::Channel(format!("Channel/{ch}").into());
                        self.urls.insert(
                            ep.clone(),
                            format!("http://{ch}-kn-channel.{n}.{DOMAIN}").into(),
                        );
                        Some(ep)
                    } else {
                        reply.clone()
                    };
                    let policy = self.policy(flow, r, step.delivery.as_ref(), None);
                    let on =
                        Endpoint::Channel(format!("Channel/{}-kn-sequence-{i}", r.name()).into());
                    self.push(
                        on,
                        Subscription {
                            via: format!("{} step {i}", r.id).into(),
                            kind: SubKind::Channel,
                            subscriber,
                            subscriber_url,
                            reply: next,
                            policy,
                        },
                    );
                }
            }
            Some(Spec::Parallel(p)) => {
                let ingress = Endpoint::Channel(format!("Channel/{}-kn-parallel", r.name()).into());
                let reply = p
                    .reply
                    .as_ref()
                    .and_then(|d| self.destination(flow, r, d))
                    .map(|(e, _)| e);
                for (i, b) in p.branches.iter().flatten().enumerate() {
                    let ch = format!("{}-kn-parallel-{i}", r.name());
                    let branch = Endpoint::Channel(format!("Channel/{ch}").into());
                    let branch_url: Label = format!("http://{ch}-kn-channel.{n}.{DOMAIN}").into();
                    self.urls.insert(branch.clone(), branch_url.clone());
                    // The filter (if any) replies into the branch channel; without one the branch
                    // channel itself subscribes to the ingress.
                    let (filter_sub, filter_url, filter_reply) =
                        match b.filter.as_ref().and_then(|d| self.destination(flow, r, d)) {
                            Some((f, url)) => {
                                self.replying_by_default.push(f.label().to_string());
                                (f, url, Some(branch.clone()))
                            }
                            None => (branch.clone(), branch_url, None),
                        };
                    let policy = self.policy(flow, r, b.delivery.as_ref(), None);
                    self.push(
                        ingress.clone(),
                        Subscription {
                            via: format!("{} branch {i} filter", r.id).into(),
                            kind: SubKind::Channel,
                            subscriber: filter_sub,
                            subscriber_url: filter_url,
                            reply: filter_reply,
                            policy: policy.clone(),
                        },
                    );
                    let Some((subscriber, subscriber_url)) = b
                        .subscriber
                        .as_ref()
                        .and_then(|d| self.destination(flow, r, d))
                    else {
                        continue;
                    };
                    self.replying_by_default
                        .push(subscriber.label().to_string());
                    let branch_reply = b
                        .reply
                        .as_ref()
                        .and_then(|d| self.destination(flow, r, d))
                        .map(|(e, _)| e)
                        .or_else(|| reply.clone());
                    self.push(
                        branch,
                        Subscription {
                            via: format!("{} branch {i}", r.id).into(),
                            kind: SubKind::Channel,
                            subscriber,
                            subscriber_url,
                            reply: branch_reply,
                            policy,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    /// The endpoint a user names (`Broker/x`, `Sequence/x`, a sink label or a URI).
    /// Every sink events can be delivered to: subscribers, replies and dead-letter sinks.
    pub fn sinks(&self) -> impl Iterator<Item = &Label> {
        self.subscriptions
            .iter()
            .flat_map(|s| {
                let dls = s.policy.dead_letter.as_ref().map(|(e, _)| e);
                [Some(&s.subscriber), s.reply.as_ref(), dls]
            })
            .flatten()
            .filter_map(|e| match e {
                Endpoint::Sink(l) => Some(l),
                _ => None,
            })
    }

    pub fn entry(&self, name: &str) -> Option<&Endpoint> {
        self.entries.get(name)
    }

    pub fn url(&self, ep: &Endpoint) -> Label {
        self.urls
            .get(ep)
            .cloned()
            .unwrap_or_else(|| ep.label().clone())
    }

    /// Points sinks at where they really listen (a live run's `--map`, the built-in display):
    /// `base_of` gives a sink's new address, or `None` to keep Knative's. Every URL built on
    /// the old address moves with it (a destination's relative `uri` stays appended), so the
    /// deliveries the plane asks for, and `knativeerrordest`, name the URL actually tried.
    /// Brokers and channels keep theirs: they are in the plane.
    pub fn relocate(&mut self, mut base_of: impl FnMut(&Label) -> Option<String>) {
        let mut moved: HashMap<Label, (Label, Label)> = HashMap::new();
        for (ep, url) in &mut self.urls {
            if let Endpoint::Sink(label) = ep {
                if let Some(new) = base_of(label) {
                    let new: Label = new.into();
                    moved.insert(label.clone(), (url.clone(), new.clone()));
                    *url = new;
                }
            }
        }
        let rebase = |ep: &Endpoint, url: &mut Label| {
            let Some((old, new)) = moved.get(ep.label()) else {
                return;
            };
            if let Some(rest) = url.strip_prefix(&**old) {
                *url = format!("{new}{rest}").into();
            }
        };
        for s in &mut self.subscriptions {
            if matches!(s.subscriber, Endpoint::Sink(_)) {
                rebase(&s.subscriber, &mut s.subscriber_url);
            }
            if let Some((ep @ Endpoint::Sink(_), url)) = &mut s.policy.dead_letter {
                rebase(ep, url);
            }
        }
    }

    /// The resources a source sends to, as endpoints (for simulated sources).
    pub fn sink_of(&mut self, flow: &Flow, source: &Resource) -> Option<Endpoint> {
        let spec = source.source_spec()?;
        self.destination(flow, source, spec.sink.as_ref()?)
            .map(|(e, _)| e)
    }
}

/// Knative's default for a Broker without `spec.delivery` (config-br-defaults, §11).
pub fn default_broker_delivery() -> DeliverySpec {
    DeliverySpec {
        retry: Some(10),
        backoff_policy: Some(BackoffPolicy::Exponential),
        backoff_delay: Some("PT0.2S".into()),
        ..Default::default()
    }
}

/// RFC 3986 reference resolution for the simple cases destinations use (absolute path or
/// relative path against the ref's URL).
fn join(base: &str, rel: &str) -> String {
    if rel.contains("://") {
        return rel.to_string();
    }
    let origin_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|i| base[i..].find('/').map(|j| i + j))
        .unwrap_or(base.len());
    if rel.starts_with('/') {
        format!("{}{rel}", &base[..origin_end])
    } else {
        let dir = match base[origin_end..].rfind('/') {
            Some(i) => &base[..origin_end + i + 1],
            None => return format!("{base}/{rel}"),
        };
        format!("{dir}{rel}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_zero_based_index() {
        let exp = Policy {
            retry: 3,
            backoff: Some((BackoffPolicy::Exponential, 200)),
            ..Policy::NONE
        };
        assert_eq!(
            (1..=3).map(|k| exp.backoff_ms(k)).collect::<Vec<_>>(),
            vec![200, 400, 800]
        );
        let lin = Policy {
            retry: 3,
            backoff: Some((BackoffPolicy::Linear, 200)),
            ..Policy::NONE
        };
        assert_eq!(
            (1..=3).map(|k| lin.backoff_ms(k)).collect::<Vec<_>>(),
            vec![0, 200, 400]
        );
        assert_eq!(Policy::NONE.backoff_ms(1), 0);
    }

    #[test]
    fn relocated_sinks_keep_their_relative_paths() {
        let yaml = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b, namespace: shop}\nspec:\n  delivery:\n    deadLetterSink: {ref: {apiVersion: v1, kind: Service, name: dls}}\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t, namespace: shop}\nspec:\n  broker: b\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: fulfil}\n    uri: /hooks/paid\n";
        let flow = knflow_model::load_str(yaml, "t.yaml").flow;
        let mut routes = Routes::compile(&flow);
        let sub = &routes.subscriptions[0];
        assert_eq!(
            &*sub.subscriber_url,
            "http://fulfil.shop.svc.cluster.local/hooks/paid"
        );
        routes.relocate(|l| (&**l == "Service/fulfil").then(|| "http://127.0.0.1:9000".into()));
        let sub = &routes.subscriptions[0];
        assert_eq!(&*sub.subscriber_url, "http://127.0.0.1:9000/hooks/paid");
        assert_eq!(
            &*routes.url(&Endpoint::Sink("Service/fulfil".into())),
            "http://127.0.0.1:9000"
        );
        let (_, dls) = sub.policy.dead_letter.as_ref().unwrap();
        assert_eq!(&**dls, "http://dls.shop.svc.cluster.local", "not relocated");
    }

    #[test]
    fn urls_resolve_relative_uris() {
        assert_eq!(
            join("http://audit.shop.svc.cluster.local", "/events"),
            "http://audit.shop.svc.cluster.local/events"
        );
        assert_eq!(join("http://a.b/x/y", "z"), "http://a.b/x/z");
        assert_eq!(join("http://a.b", "z"), "http://a.b/z");
    }
}
