//! The simulator: drives the data plane on its own virtual clock (a priority queue), so hours of
//! ticks and retries run in milliseconds and the same seed always gives the same trace.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, Duration, Utc};
use cloudevents::{AttributesReader, Event};
use knflow_dataplane::plane::reply_event;
use knflow_dataplane::{Action, Body, Delivery, Endpoint, Hop, HopOutcome, Outcome, Plane, Routes};
use knflow_model::Flow;
use serde::Serialize;

use crate::behavior::{Behavior, Reply};
use crate::sources;

/// A simulation's settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Stop at this virtual time (ms since the start); `None` runs until nothing is left to do.
    pub until_ms: Option<u64>,
    /// Behaviors by `Kind/name` (or URI), over the flow's `simulation` section.
    pub behaviors: BTreeMap<String, String>,
    /// Wall-clock time the simulation starts at (event times, cron schedules).
    pub start: DateTime<Utc>,
    /// Safety net against loops the TTL cannot stop (channel reply cycles).
    pub max_deliveries: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            until_ms: None,
            behaviors: BTreeMap::new(),
            start: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .expect("valid")
                .with_timezone(&Utc),
            max_deliveries: 1_000_000,
        }
    }
}

/// A hop with its virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedHop {
    pub time_ms: u64,
    pub hop: Hop,
}

/// Counts per resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counters {
    pub received: u64,
    pub delivered: u64,
    pub filtered: u64,
    pub retried: u64,
    pub failed: u64,
    pub dead_lettered: u64,
    pub dropped: u64,
    pub replied: u64,
    /// Largest time from an event's first send to its delivery here.
    pub max_latency_ms: u64,
}

enum Due {
    /// A request reaches a sink.
    Attempt(Box<Delivery>),
    Outcome(u64, Outcome),
    Emit {
        to: Endpoint,
        event: Box<Event>,
        from: String,
    },
}

pub struct Simulation {
    plane: Plane,
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    /// Queue payloads, indexed by the queue's third field (BinaryHeap needs `Ord` keys).
    payloads: HashMap<usize, Due>,
    next_slot: usize,
    seq: u64,
    now_ms: u64,
    opts: Options,
    behaviors: HashMap<String, Behavior>,
    /// Event id → time it first entered the simulation.
    origin: HashMap<String, u64>,
    trace: Vec<TracedHop>,
    counter: u64,
    deliveries: usize,
    pub stopped_early: Option<String>,
    flow_namespace: String,
    routes_snapshot: Routes,
}

impl Simulation {
    pub fn new(flow: &Flow, opts: Options) -> Result<Simulation, String> {
        let routes = Routes::compile(flow);
        let mut behaviors = HashMap::new();
        for label in &routes.replying_by_default {
            behaviors.insert(label.clone(), Behavior::replying());
        }
        for (label, v) in &flow.simulation {
            if let Some(spec) = v.get("behavior").and_then(|b| b.as_str()) {
                behaviors.insert(
                    label.clone(),
                    Behavior::parse(spec).map_err(|e| format!("simulation.{label}: {e}"))?,
                );
            }
        }
        for (label, spec) in &opts.behaviors {
            behaviors.insert(
                label.clone(),
                Behavior::parse(spec).map_err(|e| format!("--behavior {label}: {e}"))?,
            );
        }
        Ok(Simulation {
            plane: Plane::new(routes.clone()),
            queue: BinaryHeap::new(),
            payloads: HashMap::new(),
            next_slot: 0,
            seq: 0,
            now_ms: 0,
            opts,
            behaviors,
            origin: HashMap::new(),
            trace: Vec::new(),
            counter: 0,
            deliveries: 0,
            stopped_early: None,
            flow_namespace: flow.namespace.clone().unwrap_or_else(|| "default".into()),
            routes_snapshot: routes,
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.opts.start + Duration::milliseconds(self.now_ms as i64)
    }

    pub fn start_time(&self) -> DateTime<Utc> {
        self.opts.start
    }

    pub fn until_ms(&self) -> Option<u64> {
        self.opts.until_ms
    }

    pub fn seed(&self) -> u64 {
        self.opts.seed
    }

    fn schedule(&mut self, at: u64, due: Due) {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.seq += 1;
        self.payloads.insert(slot, due);
        self.queue.push(Reverse((at, self.seq, slot)));
    }

    /// A fresh, deterministic event id (seed + counter).
    pub fn next_id(&mut self) -> String {
        self.counter += 1;
        format!(
            "{:08x}-{:04x}-4000-8000-{:012x}",
            self.opts.seed as u32,
            (self.opts.seed >> 32) as u16,
            self.counter
        )
    }

    /// Sends `event` to a target (`Broker/x`, `Channel/x`, `Sequence/x`, a sink, …) at the
    /// current virtual time, or runs a source (`PingSource/x` emits on its schedule).
    pub fn send(&mut self, flow: &Flow, target: &str, event: Option<Event>) -> Result<(), String> {
        if let Some(r) = knflow_model::ResourceId::parse(target).and_then(|id| flow.get(&id)) {
            if r.info.is_some_and(|i| i.is_source()) {
                let emits = sources::emissions(flow, r, event, self)?;
                let mut routes = self.routes_snapshot.clone();
                let to = routes
                    .sink_of(flow, r)
                    .ok_or_else(|| format!("{target} has no sink"))?;
                for (at, ev) in emits {
                    self.schedule(
                        at,
                        Due::Emit {
                            to: to.clone(),
                            event: Box::new(ev),
                            from: target.to_string(),
                        },
                    );
                }
                return Ok(());
            }
        }
        let to = self
            .plane
            .routes()
            .entry(target)
            .cloned()
            .or_else(|| target.contains("://").then(|| Endpoint::Sink(target.to_string())))
            .ok_or_else(|| format!("{target} is not something events can be sent to in this flow (a Broker, Channel, InMemoryChannel, Sequence, Parallel, sink or source)"))?;
        let event = event.ok_or("an event is needed (--event FILE)")?;
        self.schedule(
            self.now_ms,
            Due::Emit {
                to,
                event: Box::new(event),
                from: "kn-flow".into(),
            },
        );
        Ok(())
    }

    /// Runs until nothing is left to do or the `until` time.
    pub fn run(&mut self) {
        while let Some(Reverse((at, _, slot))) = self.queue.peek().copied() {
            if self.opts.until_ms.is_some_and(|u| at > u) {
                break;
            }
            self.queue.pop();
            let due = self.payloads.remove(&slot).expect("scheduled payload");
            self.now_ms = at;
            let now = self.now();
            let actions = match due {
                Due::Emit { to, event, from } => {
                    self.origin.entry(event.id().to_string()).or_insert(at);
                    self.plane.send(&to, *event, &from, now)
                }
                Due::Attempt(d) => {
                    self.respond(*d);
                    continue;
                }
                Due::Outcome(id, outcome) => self.plane.complete(id, outcome, now),
            };
            self.apply(actions);
            if self.deliveries >= self.opts.max_deliveries {
                self.stopped_early = Some(format!(
                    "stopped after {} deliveries: the flow seems to loop",
                    self.deliveries
                ));
                break;
            }
        }
    }

    fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Deliver(d) => {
                    self.deliveries += 1;
                    self.schedule(self.now_ms + d.delay_ms, Due::Attempt(Box::new(d)));
                }
                Action::Hop(hop) => {
                    self.origin
                        .entry(hop.event.id().to_string())
                        .or_insert(self.now_ms);
                    self.trace.push(TracedHop {
                        time_ms: self.now_ms,
                        hop,
                    });
                }
            }
        }
    }

    /// What the sink does with a request, per its behavior.
    fn respond(&mut self, d: Delivery) {
        let b = self
            .behaviors
            .get(d.to.label())
            .cloned()
            .unwrap_or_default();
        const NO_TIMEOUT_WAIT_MS: u64 = 30_000;
        if b.timeout || d.timeout_ms.is_some_and(|t| b.latency_ms > t) {
            let wait = d.timeout_ms.unwrap_or(NO_TIMEOUT_WAIT_MS);
            self.schedule(self.now_ms + wait, Due::Outcome(d.id, Outcome::Timeout));
            return;
        }
        let outcome = match b.fail {
            Some((status, times)) if times.is_none_or(|n| d.attempt <= n) => Outcome::Response {
                status,
                body: Body::Other(format!("simulated failure: {status}").into_bytes()),
                retry_after_ms: None,
            },
            _ => match &b.reply {
                None => Outcome::Response {
                    status: 202,
                    body: Body::Empty,
                    retry_after_ms: None,
                },
                Some(Reply::Same) => Outcome::Response {
                    status: 200,
                    body: Body::Event(Box::new(d.event.clone())),
                    retry_after_ms: None,
                },
                Some(Reply::Type(t)) => {
                    let id = self.next_id();
                    let reply = reply_event(&d.event, t, id.clone());
                    let origin = self
                        .origin
                        .get(d.event.id())
                        .copied()
                        .unwrap_or(self.now_ms);
                    self.origin.insert(id, origin);
                    Outcome::Response {
                        status: 200,
                        body: Body::Event(Box::new(reply)),
                        retry_after_ms: None,
                    }
                }
            },
        };
        self.schedule(self.now_ms + b.latency_ms, Due::Outcome(d.id, outcome));
    }

    pub fn trace(&self) -> &[TracedHop] {
        &self.trace
    }

    pub fn namespace(&self) -> &str {
        &self.flow_namespace
    }

    /// Counters per resource (the hop's target; filtered events count on the trigger).
    pub fn summary(&self) -> BTreeMap<String, Counters> {
        let mut out: BTreeMap<String, Counters> = BTreeMap::new();
        for t in &self.trace {
            let h = &t.hop;
            if h.outcome == HopOutcome::Filtered {
                out.entry(h.via.clone().unwrap_or_else(|| h.to.clone()))
                    .or_default()
                    .filtered += 1;
                continue;
            }
            let c = out.entry(h.to.clone()).or_default();
            if h.attempt.is_some() || h.status == Some(202) {
                c.received += 1;
            }
            match h.outcome {
                HopOutcome::Delivered => c.delivered += 1,
                HopOutcome::Replied => {
                    c.delivered += 1;
                    c.replied += 1;
                }
                HopOutcome::DeadLettered => {
                    c.delivered += 1;
                    c.dead_lettered += 1;
                }
                HopOutcome::Retrying => c.retried += 1,
                HopOutcome::Failed => c.failed += 1,
                HopOutcome::Dropped => c.dropped += 1,
                HopOutcome::Filtered => {}
            }
            if matches!(
                h.outcome,
                HopOutcome::Delivered | HopOutcome::Replied | HopOutcome::DeadLettered
            ) {
                let origin = self.origin.get(h.event.id()).copied().unwrap_or(t.time_ms);
                c.max_latency_ms = c.max_latency_ms.max(t.time_ms.saturating_sub(origin));
            }
        }
        out
    }
}
