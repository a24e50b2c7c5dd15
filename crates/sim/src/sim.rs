//! The simulator: drives the data plane on its own virtual clock (a priority queue), so hours of
//! ticks and retries run in milliseconds and the same seed always gives the same trace.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use litemap::LiteMap;

use chrono::{DateTime, Duration, Utc};
use cloudevents::Event;
use knflow_dataplane::plane::reply_event;
use knflow_dataplane::{Action, Body, Delivery, Endpoint, Hop, HopOutcome, Outcome, Plane, Routes};
use knflow_model::Flow;
use serde::Serialize;

use crate::behavior::{Behavior, Reply};
use crate::per_label::PerLabel;
use crate::sources;

/// Sink behaviours by `Kind/name` (or URI), in order. A sorted-vector map: a simulation has
/// few, and the designer's wasm carries far less code for it than for a `BTreeMap`.
pub type Behaviors = LiteMap<String, String>;

/// A simulation's settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Stop at this virtual time (ms since the start); `None` runs until nothing is left to do.
    pub until_ms: Option<u64>,
    /// Behaviors by `Kind/name` (or URI), over the flow's `simulation` section.
    pub behaviors: Behaviors,
    /// Wall-clock time the simulation starts at (event times, cron schedules).
    pub start: DateTime<Utc>,
    /// Safety net against loops the TTL cannot stop (channel reply cycles).
    pub max_deliveries: usize,
    /// Keep every hop. Without it only the summary is kept, so memory stays bounded by the
    /// events in flight however long the simulation runs.
    pub keep_trace: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            until_ms: None,
            behaviors: Behaviors::new(),
            start: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .expect("valid")
                .with_timezone(&Utc),
            max_deliveries: 1_000_000,
            keep_trace: true,
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
    /// With the time its delivery's first attempt was made (for latencies). Not boxed: most
    /// attempts pass through the now-queue, where moving one is cheaper than allocating it.
    Attempt(Delivery, u64),
    Outcome(u64, Outcome, u64),
    Emit {
        to: Endpoint,
        event: Box<Event>,
        from: String,
    },
}

/// A queue entry: ordered by time, then by scheduling order (so equal times stay FIFO and runs
/// are deterministic).
struct Item {
    at: u64,
    seq: u64,
    due: Due,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}

impl Eq for Item {}

impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

pub struct Simulation {
    plane: Plane,
    queue: BinaryHeap<Reverse<Item>>,
    /// Work due at the current time, in scheduling order: most of a simulation happens "now"
    /// (no latency, no backoff), and a FIFO is much cheaper than the heap for it.
    now_queue: VecDeque<Due>,
    seq: u64,
    now_ms: u64,
    opts: Options,
    /// Counters and behaviors.
    labels: PerLabel,
    /// Start of the delivery whose outcome is being processed.
    current_start: Option<u64>,
    trace: Vec<TracedHop>,
    /// Reused between plane calls.
    actions: Vec<Action>,
    counter: u64,
    deliveries: usize,
    pub stopped_early: Option<String>,
    routes_snapshot: Routes,
}

impl Simulation {
    pub fn new(flow: &Flow, opts: Options) -> Result<Simulation, String> {
        let routes = Routes::compile(flow);
        // Indexes the labels `routes_snapshot` keeps alive for the whole simulation.
        let mut labels = PerLabel::new(&routes);
        for label in &routes.replying_by_default {
            labels.set_behavior(label, Behavior::replying());
        }
        for (label, v) in &flow.simulation {
            if let Some(spec) = v.get("behavior").and_then(|b| b.as_str()) {
                let b = Behavior::parse(spec).map_err(|e| format!("simulation.{label}: {e}"))?;
                labels.set_behavior(label, b);
            }
        }
        for (label, spec) in &opts.behaviors {
            let b = Behavior::parse(spec).map_err(|e| format!("--behavior {label}: {e}"))?;
            labels.set_behavior(label, b);
        }
        let mut plane = Plane::new(routes.clone());
        // Explanations and hops of filtered events are only worth their cost in a kept trace.
        plane.set_explain(opts.keep_trace);
        plane.set_filtered_hops(opts.keep_trace);
        Ok(Simulation {
            plane,
            queue: BinaryHeap::new(),
            now_queue: VecDeque::new(),
            seq: 0,
            now_ms: 0,
            opts,
            labels,
            current_start: None,
            trace: Vec::new(),
            actions: Vec::new(),
            counter: 0,
            deliveries: 0,
            stopped_early: None,
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

    /// Queues work. Everything in the heap due now was scheduled before anything in the
    /// now-queue, so running the heap's due items first keeps (time, scheduling order).
    fn schedule(&mut self, at: u64, due: Due) {
        if at == self.now_ms {
            self.now_queue.push_back(due);
            return;
        }
        self.seq += 1;
        self.queue.push(Reverse(Item {
            at,
            seq: self.seq,
            due,
        }));
    }

    fn next_due(&mut self) -> Option<Due> {
        if let Some(Reverse(top)) = self.queue.peek() {
            if top.at <= self.now_ms {
                return self.queue.pop().map(|Reverse(i)| i.due);
            }
        }
        if let Some(d) = self.now_queue.pop_front() {
            return Some(d);
        }
        let at = self.queue.peek()?.0.at;
        if self.opts.until_ms.is_some_and(|u| at > u) {
            return None;
        }
        self.now_ms = at;
        self.queue.pop().map(|Reverse(i)| i.due)
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
            if r.is_source() {
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
            .or_else(|| target.contains("://").then(|| Endpoint::Sink(target.into())))
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
        while let Some(due) = self.next_due() {
            // One action buffer for the whole run: a simulation makes millions of these calls.
            let mut actions = std::mem::take(&mut self.actions);
            match due {
                Due::Emit { to, event, from } => {
                    self.current_start = None;
                    let now = self.now();
                    self.plane.send_into(&to, *event, &from, now, &mut actions);
                }
                Due::Attempt(d, start) => {
                    self.actions = actions;
                    self.respond(d, start);
                    continue;
                }
                Due::Outcome(id, outcome, start) => {
                    self.current_start = Some(start);
                    let now = self.now();
                    self.plane.complete_into(id, outcome, now, &mut actions);
                }
            }
            self.apply(&mut actions);
            self.actions = actions;
            if self.deliveries >= self.opts.max_deliveries {
                self.stopped_early = Some(format!(
                    "stopped after {} deliveries: the flow seems to loop",
                    self.deliveries
                ));
                break;
            }
        }
    }

    fn apply(&mut self, actions: &mut Vec<Action>) {
        for a in actions.drain(..) {
            match a {
                Action::Deliver(d) => {
                    self.deliveries += 1;
                    // A retry continues its delivery's clock; a first attempt starts one.
                    let start = if d.attempt > 1 {
                        self.current_start.unwrap_or(self.now_ms)
                    } else {
                        self.now_ms
                    };
                    self.schedule(self.now_ms + d.delay_ms, Due::Attempt(d, start));
                }
                Action::Hop(hop) => {
                    let latency = hop.attempt.map(|_| {
                        self.now_ms
                            .saturating_sub(self.current_start.unwrap_or(self.now_ms))
                    });
                    self.count(&hop, latency);
                    if self.opts.keep_trace {
                        self.trace.push(TracedHop {
                            time_ms: self.now_ms,
                            hop,
                        });
                    }
                }
            }
        }
    }

    /// Counters per resource (the hop's target; filtered events count on the trigger).
    fn count(&mut self, h: &Hop, latency: Option<u64>) {
        let key = match (&h.via, h.outcome) {
            (Some(via), HopOutcome::Filtered) => via,
            _ => &h.to,
        };
        let entry = self.labels.get(key);
        entry.counted = true;
        let c = &mut entry.counters;
        if h.outcome == HopOutcome::Filtered {
            c.filtered += 1;
            return;
        }
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
            c.max_latency_ms = c.max_latency_ms.max(latency.unwrap_or(0));
        }
    }

    /// What the sink does with a request, per its behavior.
    fn respond(&mut self, d: Delivery, start: u64) {
        let b = self.labels.get(d.to.label()).behavior.clone();
        const NO_TIMEOUT_WAIT_MS: u64 = 30_000;
        if b.timeout || d.timeout_ms.is_some_and(|t| b.latency_ms > t) {
            let wait = d.timeout_ms.unwrap_or(NO_TIMEOUT_WAIT_MS);
            self.schedule(
                self.now_ms + wait,
                Due::Outcome(d.id, Outcome::Timeout, start),
            );
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
                    body: Body::Event(Box::new((*d.event).clone())),
                    retry_after_ms: None,
                },
                Some(Reply::Type(t)) => {
                    let id = self.next_id();
                    let reply = reply_event(&d.event, t, id.clone());
                    Outcome::Response {
                        status: 200,
                        body: Body::Event(Box::new(reply)),
                        retry_after_ms: None,
                    }
                }
            },
        };
        self.schedule(
            self.now_ms + b.latency_ms,
            Due::Outcome(d.id, outcome, start),
        );
    }

    pub fn trace(&self) -> &[TracedHop] {
        &self.trace
    }

    /// Counters per resource (the hop's target; filtered events count on the trigger). The
    /// latency is the time from a delivery's first attempt to its success.
    pub fn summary(&self) -> LiteMap<String, Counters> {
        let mut out = knflow_model::order::map(
            self.labels
                .counted()
                .map(|e| (e.name.clone(), e.counters.clone())),
        );
        for (via, n) in self.plane.filtered_counts() {
            out.entry(via.to_string()).or_default().filtered += n;
        }
        out
    }

    /// Deliveries made so far (attempts, including retries and dead-lettering).
    pub fn deliveries(&self) -> usize {
        self.deliveries
    }
}
