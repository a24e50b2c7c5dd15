//! The data plane as a sans-IO state machine (the quinn-proto pattern): callers feed it "an
//! event was sent to X" and "attempt N answered 503", with the current time; it returns what to
//! do — deliver this event to that sink after this delay — and records every hop. It performs no
//! I/O and reads no clock, so the simulator (virtual time) and the live runtime (real HTTP) drive
//! the same rules (KNATIVE-SEMANTICS §1–§7).
//!
//! Events and labels are shared (`Arc`): a broker with 200 triggers makes 200 decisions per event,
//! and a hop must not cost a copy of the event.

use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use cloudevents::event::ExtensionValue;
use cloudevents::{AttributesReader, Event, EventBuilder, EventBuilderV10};
use serde::Serialize;

use crate::routes::{Endpoint, Label, Routes, SubKind};

pub type AttemptId = u64;

/// Broker ingress's maximum TTL (`MAX_TTL`, §2).
pub const MAX_TTL: i64 = 255;
pub const TTL_EXTENSION: &str = "knativebrokerttl";
pub const ARRIVAL_EXTENSION: &str = "knativearrivaltime";

/// A request the caller must make: send `event` to `url` after `delay_ms`, giving up after
/// `timeout_ms`, then report the outcome with [`Plane::complete`].
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: AttemptId,
    pub to: Endpoint,
    pub url: Label,
    pub event: Arc<Event>,
    /// 1-based.
    pub attempt: u32,
    pub delay_ms: u64,
    pub timeout_ms: Option<u64>,
}

/// What a response body held.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    Event(Box<Event>),
    /// Bytes that are not a CloudEvent.
    Other(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response {
        status: u16,
        body: Body,
        retry_after_ms: Option<u64>,
    },
    /// No answer within the attempt's timeout.
    Timeout,
    /// Connection refused, reset, …
    TransportError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopOutcome {
    Delivered,
    Failed,
    Retrying,
    Filtered,
    DeadLettered,
    Replied,
    Dropped,
}

/// One step of an event's journey, for traces.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub from: Label,
    pub to: Label,
    pub via: Option<Label>,
    pub attempt: Option<u32>,
    pub status: Option<u16>,
    pub outcome: HopOutcome,
    pub event: Arc<Event>,
    pub note: Option<String>,
}

impl Hop {
    /// The hop as traces and the live tap show it (the simulator adds `time_ms`, the live
    /// runtime `time`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "from": &*self.from,
            "to": &*self.to,
            "via": self.via.as_deref(),
            "attempt": self.attempt,
            "status": self.status,
            "outcome": self.outcome,
            "event": crate::events::to_json(&self.event),
            "note": self.note,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Deliver(Delivery),
    Hop(Hop),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Subscriber,
    /// Delivering a subscriber's reply to a sink.
    Reply,
    DeadLetter,
}

#[derive(Debug, Clone)]
struct Flight {
    sub: Option<usize>,
    stage: Stage,
    /// What goes to the dead-letter sink: the event as the subscription received it.
    original: Arc<Event>,
    event: Arc<Event>,
    attempt: u32,
    /// TTL to re-attach to a trigger's reply (§2).
    ttl: Option<i64>,
    from: Label,
    to: Endpoint,
    url: Label,
    /// For a trigger with ordered delivery: its partition's queue, which this delivery holds
    /// until it is delivered or dead-lettered.
    slot: Option<Slot>,
}

/// A subscription and a partition (the event's `partitionkey`, none for events without one).
type Slot = (usize, Option<String>);

/// Events waiting behind the one in flight on their partition: event, TTL, sender.
type Waiting = std::collections::VecDeque<(Arc<Event>, Option<i64>, Label)>;

/// The partition Kafka's broker puts an event on: its record key is the CloudEvents
/// `partitionkey` extension (cloudevents-sdk-java's PartitionKeyExtensionInterceptor); events
/// without one are keyless, which knflow keeps on one partition per trigger.
fn partition(event: &Event) -> Option<String> {
    event.extension("partitionkey").map(|v| v.to_string())
}

/// Status codes Knative retries (§5): 5xx, 404, 408, 409, 429.
pub fn is_retryable(status: u16) -> bool {
    status >= 500 || matches!(status, 404 | 408 | 409 | 429)
}

/// Deliveries waiting for their outcome, in reusable slots: a plane makes millions of these,
/// and a slot index is cheaper than hashing. An id is the slot's index (low 32 bits) and the
/// slot's generation (high 32 bits), so an outcome for an id whose slot was reused is ignored.
#[derive(Default)]
struct Flights {
    slots: Vec<(u32, Option<Flight>)>,
    free: Vec<u32>,
    len: usize,
}

impl Flights {
    fn insert(&mut self, f: Flight) -> AttemptId {
        self.len += 1;
        match self.free.pop() {
            Some(i) => {
                let slot = &mut self.slots[i as usize];
                slot.0 = slot.0.wrapping_add(1);
                slot.1 = Some(f);
                (u64::from(slot.0) << 32) | u64::from(i)
            }
            None => {
                self.slots.push((1, Some(f)));
                (1 << 32) | (self.slots.len() as u64 - 1)
            }
        }
    }

    fn slot(&mut self, id: AttemptId) -> Option<&mut Option<Flight>> {
        let (generation, i) = ((id >> 32) as u32, id as u32);
        match self.slots.get_mut(i as usize) {
            Some((g, slot)) if *g == generation && slot.is_some() => Some(slot),
            _ => None,
        }
    }

    fn get_mut(&mut self, id: AttemptId) -> Option<&mut Flight> {
        self.slot(id)?.as_mut()
    }

    fn remove(&mut self, id: AttemptId) -> Option<Flight> {
        let f = self.slot(id)?.take();
        self.len -= 1;
        self.free.push(id as u32);
        f
    }

    fn ids(&self) -> impl Iterator<Item = AttemptId> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, (_, f))| f.is_some())
            .map(|(i, (g, _))| (u64::from(*g) << 32) | i as u64)
    }
}

/// The data plane of one flow.
pub struct Plane {
    routes: Routes,
    in_flight: Flights,
    explain: bool,
    /// Without hops for filtered events, they are only counted, per subscription.
    filtered_hops: bool,
    filtered: Vec<u64>,
    /// The last `knativearrivaltime` formatted: in a simulation, many events arrive at the
    /// same virtual instant.
    arrival: Option<(DateTime<Utc>, String)>,
    /// Ordered triggers' partitions with a delivery in flight, and what waits behind it.
    ordered: std::collections::HashMap<Slot, Waiting>,
}

impl Plane {
    pub fn new(routes: Routes) -> Plane {
        let n = routes.subscriptions.len();
        Plane {
            routes,
            in_flight: Flights::default(),
            explain: true,
            filtered_hops: true,
            filtered: vec![0; n],
            arrival: None,
            ordered: Default::default(),
        }
    }

    /// Whether filtered hops carry the filter's explanation (costly: off for bulk runs).
    pub fn set_explain(&mut self, explain: bool) {
        self.explain = explain;
    }

    /// Whether an event a trigger filters out yields a hop (for traces) or is only counted
    /// ([`Plane::filtered_counts`]); a broker with many triggers filters out most of its events.
    /// Off (bulk runs that keep no trace), a broker's ingress hop carries the event as
    /// delivered (without `knativebrokerttl`) rather than a copy as received.
    pub fn set_filtered_hops(&mut self, on: bool) {
        self.filtered_hops = on;
    }

    /// Events filtered out per trigger, counted while filtered hops are off.
    pub fn filtered_counts(&self) -> impl Iterator<Item = (&Label, u64)> {
        self.routes
            .subscriptions
            .iter()
            .zip(&self.filtered)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (&s.via, *n))
    }

    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    /// Deliveries still waiting for their outcome.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len
    }

    /// The deliveries waiting for their outcome.
    pub fn in_flight_ids(&self) -> Vec<AttemptId> {
        let mut ids: Vec<AttemptId> = self.in_flight.ids().collect();
        ids.sort_unstable();
        ids
    }

    /// Gives up on a delivery (a runtime shutting down): no more retries; the event goes to
    /// the dead-letter sink if there is one, with the `knativeerror*` extensions of a
    /// delivery that got no answer, else it is reported lost. A later outcome for `id` is
    /// ignored.
    pub fn abandon_into(&mut self, id: AttemptId, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(f) = self.in_flight.get_mut(id) else {
            return;
        };
        f.attempt = f.attempt.max(self.routes.policy_of(f.sub).retry + 1);
        self.complete_into(id, Outcome::TransportError, now, out);
    }

    /// An event sent by `from` to an endpoint (a broker, a channel or a sink).
    pub fn send(
        &mut self,
        to: &Endpoint,
        event: Event,
        from: &str,
        now: DateTime<Utc>,
    ) -> Vec<Action> {
        let mut out = Vec::new();
        self.send_into(to, event, from, now, &mut out);
        out
    }

    /// [`Plane::send`] appending to a buffer the caller reuses (drivers run millions of these).
    pub fn send_into(
        &mut self,
        to: &Endpoint,
        event: Event,
        from: &str,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) {
        let problem = self.routes.payload_problem(&event);
        let first = out.len();
        self.route(to, event, &Label::from(from), None, now, out);
        note_first_hop(out, first, problem);
    }

    fn route(
        &mut self,
        to: &Endpoint,
        event: Event,
        from: &Label,
        via: Option<&Label>,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) {
        match to {
            Endpoint::Broker(label) => self.broker_ingress(label, event, from, via, now, out),
            Endpoint::Channel(label) => {
                let event = Arc::new(event);
                out.push(Action::Hop(Hop {
                    from: from.clone(),
                    to: label.clone(),
                    via: via.cloned(),
                    attempt: None,
                    status: Some(202),
                    outcome: HopOutcome::Delivered,
                    event: event.clone(),
                    note: None,
                }));
                let subs = self.routes.on.get(to).cloned().unwrap_or_default();
                for &i in subs.iter() {
                    self.start(i, event.clone(), None, label, now, out);
                }
            }
            Endpoint::Sink(_) => {
                let url = self.routes.url(to);
                let event = Arc::new(event);
                self.launch(
                    Flight {
                        sub: None,
                        stage: Stage::Subscriber,
                        original: event.clone(),
                        event,
                        attempt: 1,
                        ttl: None,
                        from: from.clone(),
                        to: to.clone(),
                        url,
                        slot: None,
                    },
                    0,
                    out,
                );
            }
        }
    }

    /// §1–§3: arrival time, TTL, then every trigger of the broker filters the event.
    fn broker_ingress(
        &mut self,
        label: &Label,
        mut event: Event,
        from: &Label,
        via: Option<&Label>,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) {
        let ttl = match event.extension(TTL_EXTENSION) {
            Some(ExtensionValue::Integer(t)) => (*t - 1).max(0),
            Some(ExtensionValue::String(s)) => {
                s.parse::<i64>().map(|t| (t - 1).max(0)).unwrap_or(MAX_TTL)
            }
            _ => MAX_TTL,
        };
        let arrival = match &self.arrival {
            Some((at, text)) if *at == now => text.clone(),
            _ => {
                let text = now.to_rfc3339_opts(SecondsFormat::AutoSi, true);
                self.arrival = Some((now, text.clone()));
                text
            }
        };
        event.set_extension(ARRIVAL_EXTENSION, arrival);
        event.set_extension(TTL_EXTENSION, ttl);
        let (status, outcome, note) = if ttl <= 0 {
            (
                400,
                HopOutcome::Dropped,
                Some("knativebrokerttl exhausted: the broker drops the event (400)".to_string()),
            )
        } else {
            (202, HopOutcome::Delivered, None)
        };
        let hop = |event: Arc<Event>| {
            Action::Hop(Hop {
                from: from.clone(),
                to: label.clone(),
                via: via.cloned(),
                attempt: None,
                status: Some(status),
                outcome,
                event,
                note,
            })
        };
        if ttl <= 0 {
            out.push(hop(Arc::new(event)));
            return;
        }
        // The hop shows the event as the broker received it, TTL included; in bulk runs
        // (no filtered hops: nobody reads events off hops) it shares the delivered event
        // instead of costing a copy per event.
        let received = self.filtered_hops.then(|| Arc::new(event.clone()));
        // The broker filter strips the TTL before filtering and delivery (§2).
        event.remove_extension(TTL_EXTENSION);
        let seen = Arc::new(event);
        out.push(hop(received.unwrap_or_else(|| seen.clone())));
        let subs = self
            .routes
            .on
            .get(&Endpoint::Broker(label.clone()))
            .cloned()
            .unwrap_or_default();
        for &i in subs.iter() {
            let sub = &self.routes.subscriptions[i];
            let SubKind::Trigger { filter, .. } = &sub.kind else {
                continue;
            };
            if !filter.evaluate(&*seen).passes() {
                if !self.filtered_hops {
                    self.filtered[i] += 1;
                    continue;
                }
                let note = self.explain.then(|| {
                    filter
                        .explain(&*seen)
                        .steps
                        .iter()
                        .filter(|s| s.result == crate::FilterResult::Fail)
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                });
                out.push(Action::Hop(Hop {
                    from: label.clone(),
                    to: sub.subscriber.label().clone(),
                    via: Some(sub.via.clone()),
                    attempt: None,
                    status: Some(200),
                    outcome: HopOutcome::Filtered,
                    event: seen.clone(),
                    note,
                }));
                continue;
            }
            self.start(i, seen.clone(), Some(ttl), label, now, out);
        }
    }

    /// First attempt of a subscription's delivery.
    fn start(
        &mut self,
        sub: usize,
        event: Arc<Event>,
        ttl: Option<i64>,
        from: &Label,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) {
        let s = &self.routes.subscriptions[sub];
        match &s.subscriber {
            // A channel subscribing to a channel (a Parallel branch without filter) is in-process.
            to @ (Endpoint::Channel(_) | Endpoint::Broker(_)) => {
                let (to, via) = (to.clone(), s.via.clone());
                self.route(&to, Arc::unwrap_or_clone(event), from, Some(&via), now, out);
            }
            Endpoint::Sink(_) => {
                let ordered = matches!(s.kind, SubKind::Trigger { ordered: true, .. });
                let slot = ordered.then(|| (sub, partition(&event)));
                if let Some(k) = &slot {
                    // Ordered delivery (Kafka broker): one event per partition at a time.
                    if let Some(waiting) = self.ordered.get_mut(k) {
                        waiting.push_back((event, ttl, from.clone()));
                        return;
                    }
                    self.ordered.insert(k.clone(), Waiting::new());
                }
                self.deliver(sub, event, ttl, from.clone(), slot, out);
            }
        }
    }

    /// The first attempt of a subscription's delivery to its sink.
    fn deliver(
        &mut self,
        sub: usize,
        event: Arc<Event>,
        ttl: Option<i64>,
        from: Label,
        slot: Option<Slot>,
        out: &mut Vec<Action>,
    ) {
        let s = &self.routes.subscriptions[sub];
        let f = Flight {
            sub: Some(sub),
            stage: Stage::Subscriber,
            original: event.clone(),
            event,
            attempt: 1,
            ttl,
            from,
            to: s.subscriber.clone(),
            url: s.subscriber_url.clone(),
            slot,
        };
        self.launch(f, 0, out);
    }

    /// An ordered delivery ended (delivered, dead-lettered or lost): the next event waiting on
    /// its partition goes.
    fn release(&mut self, slot: Option<Slot>, out: &mut Vec<Action>) {
        let Some(k) = slot else { return };
        match self.ordered.get_mut(&k).and_then(Waiting::pop_front) {
            Some((event, ttl, from)) => self.deliver(k.0, event, ttl, from, Some(k), out),
            None => {
                self.ordered.remove(&k);
            }
        }
    }

    fn launch(&mut self, f: Flight, delay_ms: u64, out: &mut Vec<Action>) {
        let mut d = Delivery {
            id: 0,
            to: f.to.clone(),
            url: f.url.clone(),
            event: f.event.clone(),
            attempt: f.attempt,
            delay_ms,
            timeout_ms: self.routes.policy_of(f.sub).timeout_ms,
        };
        d.id = self.in_flight.insert(f);
        out.push(Action::Deliver(d));
    }

    /// The outcome of a delivery attempt.
    pub fn complete(&mut self, id: AttemptId, outcome: Outcome, now: DateTime<Utc>) -> Vec<Action> {
        let mut out = Vec::new();
        self.complete_into(id, outcome, now, &mut out);
        out
    }

    /// [`Plane::complete`] appending to a buffer the caller reuses.
    pub fn complete_into(
        &mut self,
        id: AttemptId,
        outcome: Outcome,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) {
        let Some(f) = self.in_flight.remove(id) else {
            return;
        };
        // A 202 is never a reply, whatever its body holds (data-plane spec, Derived (Reply)
        // Events). Knative's dispatcher code reads any 2xx body; knflow follows the spec.
        let outcome = match outcome {
            Outcome::Response {
                status: 202,
                retry_after_ms,
                ..
            } => Outcome::Response {
                status: 202,
                body: Body::Empty,
                retry_after_ms,
            },
            other => other,
        };
        let (is_trigger, via, reply_to) = match f.sub.map(|i| &self.routes.subscriptions[i]) {
            Some(s) => (
                matches!(s.kind, SubKind::Trigger { .. }),
                Some(s.via.clone()),
                s.reply.clone(),
            ),
            None => (false, None, None),
        };
        // What Knative makes of the response (§4).
        let (status, body, retry_after, error_body) = match outcome {
            Outcome::Response {
                status,
                body: Body::Other(bytes),
                retry_after_ms,
            } if (200..300).contains(&status) => {
                if is_trigger && f.stage == Stage::Subscriber && !bytes.is_empty() {
                    (Some(502), Body::Empty, retry_after_ms, bytes)
                } else {
                    (Some(status), Body::Empty, retry_after_ms, Vec::new())
                }
            }
            Outcome::Response {
                status,
                body: Body::Other(bytes),
                retry_after_ms,
            } => (Some(status), Body::Empty, retry_after_ms, bytes),
            Outcome::Response {
                status,
                body,
                retry_after_ms,
            } => (Some(status), body, retry_after_ms, Vec::new()),
            Outcome::Timeout | Outcome::TransportError => (None, Body::Empty, None, Vec::new()),
        };
        let hop = |outcome, note: Option<String>| Hop {
            from: f.from.clone(),
            to: f.to.label().clone(),
            via: via.clone(),
            attempt: Some(f.attempt),
            status,
            outcome,
            event: f.event.clone(),
            note,
        };
        // The hop that ends a delivery takes the flight's labels and event instead of copying
        // them (millions of deliveries end this way).
        let last_hop = |f: Flight, via, outcome, note| Hop {
            from: f.from,
            to: f.to.into_label(),
            via,
            attempt: Some(f.attempt),
            status,
            outcome,
            event: f.event,
            note,
        };
        if status.is_some_and(|s| (200..300).contains(&s)) {
            // A KafkaSink stored the event on its topic: the KafkaSources reading it forward
            // it, a CloudEvent record as it is (with their ceOverrides), after this hop.
            let stored = self
                .routes
                .topics
                .get(f.to.label())
                .filter(|_| !matches!(body, Body::Event(_)))
                .cloned()
                .map(|links| (links, f.event.clone()));
            let done = matches!(f.stage, Stage::Subscriber | Stage::DeadLetter)
                .then(|| f.slot.clone())
                .flatten();
            match (f.stage, body) {
                (Stage::DeadLetter, _) => out.push(Action::Hop(last_hop(
                    f,
                    via,
                    HopOutcome::DeadLettered,
                    None,
                ))),
                (Stage::Subscriber, Body::Event(reply)) if f.sub.is_some() => {
                    let mut reply = *reply;
                    out.push(Action::Hop(hop(
                        HopOutcome::Replied,
                        Some(format!("replied with a `{}` event", reply.ty())),
                    )));
                    if let Some(ttl) = f.ttl {
                        reply.set_extension(TTL_EXTENSION, ttl);
                    }
                    let replier = f.to.label().clone();
                    match reply_to {
                        Some(ep @ Endpoint::Sink(_)) => {
                            let url = self.routes.url(&ep);
                            self.launch(
                                Flight {
                                    sub: f.sub,
                                    stage: Stage::Reply,
                                    original: f.original,
                                    event: Arc::new(reply),
                                    attempt: 1,
                                    ttl: None,
                                    from: replier,
                                    to: ep,
                                    url,
                                    slot: None,
                                },
                                0,
                                out,
                            );
                        }
                        Some(ep) => {
                            let problem = self.routes.payload_problem(&reply);
                            let first = out.len();
                            self.route(&ep, reply, &replier, via.as_ref(), now, out);
                            note_first_hop(out, first, problem);
                        }
                        None => out.push(Action::Hop(Hop {
                            note: Some("no reply is configured: the reply is discarded".into()),
                            outcome: HopOutcome::Dropped,
                            from: replier.clone(),
                            to: replier,
                            via,
                            attempt: None,
                            status: None,
                            event: Arc::new(reply),
                        })),
                    }
                }
                _ => out.push(Action::Hop(last_hop(f, via, HopOutcome::Delivered, None))),
            }
            for (link, event) in stored
                .into_iter()
                .flat_map(|(links, e)| links.into_iter().map(move |l| (l, e.clone())))
            {
                let mut event = (*event).clone();
                for (k, v) in &link.extensions {
                    event.set_extension(k, v.clone());
                }
                self.route(&link.to, event, &link.source, None, now, out);
            }
            self.release(done, out);
            return;
        }
        let retryable = status.is_none_or(is_retryable);
        let policy = self.routes.policy_of(f.sub);
        if retryable && f.attempt <= policy.retry {
            let k = f.attempt;
            let mut wait = policy.backoff_ms(k);
            if let (Some(max), Some(ra), Some(429 | 503)) =
                (policy.retry_after_max_ms, retry_after, status)
            {
                wait = wait.max(ra.min(max));
            }
            out.push(Action::Hop(hop(
                HopOutcome::Retrying,
                Some(format!("retry {k} of {} in {wait} ms", policy.retry)),
            )));
            let next = Flight {
                attempt: f.attempt + 1,
                ..f
            };
            self.launch(next, wait, out);
            return;
        }
        let why = match status {
            Some(s) if !retryable => format!("{s} is not retried"),
            Some(s) => format!("{s} after {} attempt(s)", f.attempt),
            None => format!("no answer after {} attempt(s)", f.attempt),
        };
        // A delivery to the dead-letter sink has none of its own.
        match (&policy.dead_letter, f.stage) {
            (Some((dls, dls_url)), Stage::Subscriber | Stage::Reply) => {
                out.push(Action::Hop(hop(
                    HopOutcome::Failed,
                    Some(format!("{why}; sending to the dead-letter sink")),
                )));
                let mut dead = (*f.original).clone();
                dead.set_extension("knativeerrordest", f.url.to_string());
                dead.set_extension("knativeerrorcode", status.unwrap_or(500) as i64);
                if !error_body.is_empty() {
                    let mut data = base64::engine::general_purpose::STANDARD.encode(&error_body);
                    data.truncate(1024);
                    dead.set_extension("knativeerrordata", data);
                }
                let dead = Arc::new(dead);
                let (dls, dls_url) = (dls.clone(), dls_url.clone());
                self.launch(
                    Flight {
                        sub: f.sub,
                        stage: Stage::DeadLetter,
                        original: dead.clone(),
                        event: dead,
                        attempt: 1,
                        ttl: None,
                        from: f.to.label().clone(),
                        to: dls,
                        url: dls_url,
                        slot: f.slot.clone(),
                    },
                    0,
                    out,
                );
            }
            _ => {
                out.push(Action::Hop(hop(
                    HopOutcome::Failed,
                    Some(format!("{why}; no dead-letter sink: the event is lost")),
                )));
                if matches!(f.stage, Stage::Subscriber | Stage::DeadLetter) {
                    self.release(f.slot, out);
                }
            }
        }
    }
}

/// Builds a reply event the way simulated and example sinks do: same data, new type and id.
pub fn reply_event(to: &Event, ty: &str, id: String) -> Event {
    let mut b = EventBuilderV10::new()
        .id(id)
        .ty(ty)
        .source(to.source().to_string());
    if let Some(s) = to.subject() {
        b = b.subject(s);
    }
    let mut e = b.build().expect("id, type and source are set");
    if let Some(d) = to.data() {
        e.set_data(
            to.datacontenttype()
                .unwrap_or("application/json")
                .to_string(),
            d.clone(),
        );
    }
    e
}

/// Puts what is wrong with an event's data (its payload schema) on the first hop it made from
/// `first` on: the simulator's timeline and the live tap show it there.
fn note_first_hop(out: &mut [Action], first: usize, problem: Option<String>) {
    let Some(problem) = problem else { return };
    let hop = out[first..].iter_mut().find_map(|a| match a {
        Action::Hop(h) => Some(h),
        _ => None,
    });
    if let Some(h) = hop {
        h.note = Some(match h.note.take() {
            Some(n) => format!("{n}; {problem}"),
            None => problem,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plane(delivery: &str, subscription: bool) -> Plane {
        let yaml = if subscription {
            format!("apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\nmetadata: {{name: c}}\n---\napiVersion: messaging.knative.dev/v1\nkind: Subscription\nmetadata: {{name: s}}\nspec:\n  channel: {{apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: c}}\n  subscriber: {{uri: 'http://sub.x'}}\n{delivery}")
        } else {
            format!("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {{name: b}}\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {{name: t}}\nspec:\n  broker: b\n  subscriber: {{uri: 'http://sub.x'}}\n{delivery}")
        };
        let l = knflow_model::load_str(&yaml, "t.yaml");
        Plane::new(Routes::compile(&l.flow))
    }

    fn ev() -> Event {
        serde_json::from_value(
            json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "t"}),
        )
        .unwrap()
    }

    fn deliveries(actions: &[Action]) -> Vec<&Delivery> {
        actions
            .iter()
            .filter_map(|a| {
                if let Action::Deliver(d) = a {
                    Some(d)
                } else {
                    None
                }
            })
            .collect()
    }

    fn hops(actions: &[Action]) -> Vec<&Hop> {
        actions
            .iter()
            .filter_map(|a| {
                if let Action::Hop(h) = a {
                    Some(h)
                } else {
                    None
                }
            })
            .collect()
    }

    /// A 202 ends the delivery whatever its body: neither a reply (even a CloudEvent) nor,
    /// for a trigger, the 502 of a non-event body.
    #[test]
    fn a_202_body_is_never_a_reply() {
        let now = Utc::now();
        for body in [Body::Event(Box::new(ev())), Body::Other(b"queued".to_vec())] {
            let mut p = plane("  delivery: {retry: 1}\n", false);
            let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
            let id = deliveries(&a)[0].id;
            let a = p.complete(
                id,
                Outcome::Response {
                    status: 202,
                    body,
                    retry_after_ms: None,
                },
                now,
            );
            assert_eq!(hops(&a).len(), 1, "{a:?}");
            assert_eq!(
                (hops(&a)[0].status, hops(&a)[0].outcome),
                (Some(202), HopOutcome::Delivered)
            );
            assert!(deliveries(&a).is_empty(), "nothing more to send");
        }
    }

    #[test]
    fn non_event_2xx_body_is_a_502_for_triggers_but_ignored_by_channels() {
        let now = Utc::now();
        let mut p = plane("  delivery: {retry: 1}\n", false);
        let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
        let id = deliveries(&a)[0].id;
        let a = p.complete(
            id,
            Outcome::Response {
                status: 200,
                body: Body::Other(b"<html>ok</html>".to_vec()),
                retry_after_ms: None,
            },
            now,
        );
        assert_eq!(
            (hops(&a)[0].status, hops(&a)[0].outcome),
            (Some(502), HopOutcome::Retrying)
        );
        assert_eq!(deliveries(&a).len(), 1, "retried");

        let mut p = plane("  delivery: {retry: 1}\n", true);
        let a = p.send(
            &Endpoint::Channel("InMemoryChannel/c".into()),
            ev(),
            "test",
            now,
        );
        let id = deliveries(&a)[0].id;
        let a = p.complete(
            id,
            Outcome::Response {
                status: 200,
                body: Body::Other(b"<html>ok</html>".to_vec()),
                retry_after_ms: None,
            },
            now,
        );
        assert_eq!(
            (hops(&a)[0].status, hops(&a)[0].outcome),
            (Some(200), HopOutcome::Delivered)
        );
        assert!(deliveries(&a).is_empty());
    }

    #[test]
    fn retry_after_is_honoured_only_with_retry_after_max_on_429_and_503() {
        let now = Utc::now();
        let wait = |delivery: &str, status: u16, ra: u64| {
            let mut p = plane(delivery, false);
            let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
            let id = deliveries(&a)[0].id;
            let a = p.complete(
                id,
                Outcome::Response {
                    status,
                    body: Body::Empty,
                    retry_after_ms: Some(ra),
                },
                now,
            );
            deliveries(&a)[0].delay_ms
        };
        let base = "  delivery: {retry: 2, backoffPolicy: linear, backoffDelay: PT1S";
        assert_eq!(
            wait(&format!("{base}}}\n"), 503, 5000),
            0,
            "no retryAfterMax: Retry-After ignored"
        );
        assert_eq!(
            wait(&format!("{base}, retryAfterMax: PT3S}}\n"), 503, 5000),
            3000,
            "capped at retryAfterMax"
        );
        assert_eq!(
            wait(&format!("{base}, retryAfterMax: PT3S}}\n"), 429, 2000),
            2000
        );
        assert_eq!(
            wait(&format!("{base}, retryAfterMax: PT3S}}\n"), 500, 2000),
            0,
            "only 429 and 503"
        );
        assert_eq!(
            wait(&format!("{base}, retryAfterMax: PT0S}}\n"), 503, 2000),
            0,
            "PT0S disables it"
        );
    }

    #[test]
    fn dead_letter_data_is_standard_base64_truncated_to_1024_characters() {
        let now = Utc::now();
        let mut p = plane(
            "  delivery: {deadLetterSink: {uri: 'http://dls.x'}}\n",
            false,
        );
        let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
        let id = deliveries(&a)[0].id;
        let body = vec![0xFFu8; 2000];
        let a = p.complete(
            id,
            Outcome::Response {
                status: 500,
                body: Body::Other(body),
                retry_after_ms: None,
            },
            now,
        );
        let dead = &deliveries(&a)[0].event;
        let data = dead.extension("knativeerrordata").unwrap().to_string();
        assert_eq!(data.len(), 1024);
        assert!(data.starts_with("////"), "standard alphabet, not URL-safe");
        assert_eq!(
            dead.extension("knativeerrordest").unwrap().to_string(),
            "http://sub.x"
        );
        assert_eq!(&*deliveries(&a)[0].url, "http://dls.x");
    }

    #[test]
    fn abandoned_deliveries_are_dead_lettered_without_further_retries() {
        let now = Utc::now();
        let mut p = plane(
            "  delivery: {retry: 5, deadLetterSink: {uri: 'http://dls.x'}}\n",
            false,
        );
        let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
        let id = deliveries(&a)[0].id;
        assert_eq!(p.in_flight_ids(), [id]);
        let mut out = Vec::new();
        p.abandon_into(id, now, &mut out);
        assert_eq!(hops(&out)[0].outcome, HopOutcome::Failed);
        let d = deliveries(&out);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &*d[0].url, "http://dls.x",
            "no retry: straight to the dead-letter sink"
        );
        assert!(d[0].event.extension("knativeerrordest").is_some());
        // The abandoned attempt's late answer changes nothing.
        assert!(p
            .complete(
                id,
                Outcome::Response {
                    status: 202,
                    body: Body::Empty,
                    retry_after_ms: None
                },
                now
            )
            .is_empty());
        // Without a dead-letter sink the event is reported lost.
        let mut p = plane("  delivery: {retry: 5}\n", false);
        let a = p.send(&Endpoint::Broker("Broker/b".into()), ev(), "test", now);
        let mut out = Vec::new();
        p.abandon_into(deliveries(&a)[0].id, now, &mut out);
        assert!(deliveries(&out).is_empty());
        assert_eq!(hops(&out)[0].outcome, HopOutcome::Failed);
        assert_eq!(p.in_flight(), 0);
    }
}
