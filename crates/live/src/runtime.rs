//! The runtime: the data plane behind a mutex, deliveries as tokio tasks making real HTTP
//! requests, hops to the tap.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderValue;
use chrono::Utc;
use cloudevents::{AttributesReader, Event};
use knflow_dataplane::plane::{Action, Body, Delivery, HopOutcome, Outcome, Plane};
use knflow_dataplane::routes::{Endpoint, Label, Routes};
use knflow_model::{Flow, ResourceId};
use tokio::sync::broadcast;

use crate::http_event;
use crate::lane::{Answer, Failure, Job, Lane};

/// Settings of a live run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `Kind/name` → URL: where a referenced sink really listens.
    pub maps: BTreeMap<String, String>,
    /// Append every hop as a JSON line here.
    pub tap: Option<std::path::PathBuf>,
    /// Append every event accepted at an ingress here, one `{"to": INGRESS, "event": {…}}` per
    /// line (structured JSON), for `kn-flow test --replay`.
    pub record: Option<std::path::PathBuf>,
    /// Deliveries one destination may have under way (waiting for backoff or an answer); while
    /// any destination is at its limit, ingresses answer 429 with `Retry-After`. 0: 10,000.
    pub max_in_flight: usize,
    /// An attempt whose delivery spec sets no `timeout` fails as a timeout once its destination
    /// has sent and taken nothing for this long. `None`: [`DEFAULT_READ_TIMEOUT`].
    pub read_timeout: Option<Duration>,
}

/// Knative's channel dispatcher gives a fan-out 15 minutes before it fails it; an attempt
/// without a `timeout` is bounded by as much silence.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// An ingress the runtime serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `Broker/default`, `Sequence/s`, …
    pub label: String,
    pub path: String,
    pub url: String,
}

/// Where a sink's deliveries go, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub label: String,
    pub url: String,
    /// `mapped` (--map or the flow's simulation `url`), `uri` (the flow's own URI), or
    /// `built-in display` (recorded and printed by kn-flow).
    pub how: &'static str,
}

pub(crate) struct Inner {
    pub(crate) plane: Mutex<Plane>,
    pub(crate) base: String,
    maps: BTreeMap<String, String>,
    pub(crate) addresses: Vec<(Address, Endpoint)>,
    pub(crate) tap: broadcast::Sender<String>,
    /// Held while a batch of hops is counted and written (see `publish`).
    tap_order: Mutex<()>,
    tap_file: Option<Mutex<std::fs::File>>,
    record_file: Option<Mutex<std::fs::File>>,
    /// The way to each destination URL, made on its first delivery.
    lanes: Mutex<HashMap<Label, Arc<Lane>>>,
    read_timeout: Duration,
    /// The tasks running PingSources, stopped with [`Runtime::stop_sources`].
    sources: Mutex<Vec<tokio::task::AbortHandle>>,
    /// How many deliveries one destination may have under way.
    max_in_flight: usize,
    /// Events the built-in display sink received: (sink label, event).
    pub(crate) displayed: Mutex<Vec<(String, Event)>>,
}

/// A flow running live.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<Inner>,
}

/// A cluster-internal address no laptop can reach.
fn cluster_local(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    host.ends_with(".svc.cluster.local")
        || host.ends_with(".svc")
        || !host.contains('.') && host != "localhost"
}

impl Runtime {
    /// A runtime for `flow` answering at `base` (`http://127.0.0.1:PORT`).
    pub fn new(flow: &Flow, opts: Options, base: &str) -> std::io::Result<Runtime> {
        let mut routes = Routes::compile(flow);
        let mut maps = opts.maps;
        for (label, sim) in &flow.simulation {
            if let Some(url) = sim.get("url").and_then(|u| u.as_str()) {
                maps.entry(label.clone()).or_insert_with(|| url.to_string());
            }
        }
        // Deliveries go where sinks really listen, and dead letters name that URL.
        routes.relocate(|label| Some(target(&maps, base, label).url));
        let mut addresses: Vec<(Address, Endpoint)> = routes
            .entries
            .iter()
            .filter_map(|(label, ep)| {
                let id = ResourceId::parse(label)?;
                let prefix = match id.kind.as_str() {
                    "Broker" => String::new(),
                    "Channel" | "InMemoryChannel" | "Sequence" | "Parallel" => {
                        format!("/{}", id.kind.to_lowercase())
                    }
                    _ => return None,
                };
                let ns = flow
                    .get(&id)
                    .and_then(|r| flow.namespace_of(r))
                    .unwrap_or("default")
                    .to_string();
                let path = format!("{prefix}/{ns}/{}", id.name);
                Some((
                    Address {
                        label: label.clone(),
                        url: format!("{base}{path}"),
                        path,
                    },
                    ep.clone(),
                ))
            })
            .collect();
        addresses.sort_by(|a, b| a.0.label.cmp(&b.0.label));
        let append = |p: &Option<std::path::PathBuf>| -> std::io::Result<_> {
            p.as_ref()
                .map(|p| {
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(p)
                        .map(Mutex::new)
                })
                .transpose()
        };
        let tap_file = append(&opts.tap)?;
        let record_file = append(&opts.record)?;
        let plane = Plane::new(routes);
        Ok(Runtime {
            inner: Arc::new(Inner {
                plane: Mutex::new(plane),
                base: base.to_string(),
                maps,
                addresses,
                tap: broadcast::channel(1024).0,
                tap_order: Mutex::new(()),
                tap_file,
                record_file,
                lanes: Default::default(),
                read_timeout: opts.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
                sources: Default::default(),
                max_in_flight: if opts.max_in_flight == 0 {
                    10_000
                } else {
                    opts.max_in_flight
                },
                displayed: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Is there an ingress at this path?
    pub fn serves(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.inner.addresses.iter().any(|(a, _)| a.path == path)
    }

    pub fn addresses(&self) -> Vec<Address> {
        self.inner
            .addresses
            .iter()
            .map(|(a, _)| a.clone())
            .collect()
    }

    /// Ingress addresses and sink targets as JSON (`/_addresses`, the designer's Live tab, the
    /// desktop app): `{"ingresses": [{resource, url}], "sinks": [{sink, url, how}]}`.
    pub fn describe(&self) -> serde_json::Value {
        let ingresses: Vec<_> = self
            .addresses()
            .into_iter()
            .map(|a| serde_json::json!({"resource": a.label, "url": a.url}))
            .collect();
        let sinks: Vec<_> = self
            .targets()
            .into_iter()
            .map(|t| serde_json::json!({"sink": t.label, "url": t.url, "how": t.how}))
            .collect();
        serde_json::json!({"ingresses": ingresses, "sinks": sinks})
    }

    /// Every sink the flow delivers to, with where its events go.
    pub fn targets(&self) -> Vec<Target> {
        let plane = self.inner.plane.lock().unwrap();
        let mut labels: Vec<String> = plane.routes().sinks().map(|l| l.to_string()).collect();
        labels.sort();
        labels.dedup();
        labels.iter().map(|l| self.inner.target(l)).collect()
    }

    /// Subscribe to the tap: every hop as a JSON line.
    pub fn tap(&self) -> broadcast::Receiver<String> {
        self.inner.tap.subscribe()
    }

    /// Events the built-in display sink has received.
    pub fn displayed(&self) -> Vec<(String, Event)> {
        self.inner.displayed.lock().unwrap().clone()
    }

    /// Shutting down: gives up on every delivery still under way (each goes to its
    /// dead-letter sink when it has one) and returns how many there were.
    pub fn abandon_in_flight(&self) -> usize {
        let mut actions = Vec::new();
        let ids = {
            let mut plane = self.inner.routing();
            let ids = plane.in_flight_ids();
            for id in &ids {
                plane.abandon_into(*id, Utc::now(), &mut actions);
            }
            ids
        };
        self.inner.clone().run(actions);
        ids.len()
    }

    /// Deliveries still under way.
    pub fn in_flight(&self) -> usize {
        self.inner.plane.lock().unwrap().in_flight()
    }

    /// Stops the PingSources [`Runtime::start_sources`] started (a run shutting down).
    pub fn stop_sources(&self) {
        for task in self.inner.sources.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Runs every PingSource of the flow on the real clock, in its time zone, with Knative's
    /// 0–500 ms send jitter; returns the sources started.
    pub fn start_sources(&self, flow: &Flow) -> Vec<String> {
        let mut routes = Routes::compile(flow);
        let mut started = Vec::new();
        for r in flow.resources() {
            let Ok(ping) = knflow_sim::sources::Ping::new(flow, r) else {
                continue;
            };
            let Some(to) = routes.sink_of(flow, r) else {
                continue;
            };
            let label = r.id.to_string();
            started.push(label.clone());
            let inner = self.inner.clone();
            let task = tokio::spawn(async move {
                let mut after = Utc::now();
                let mut n: u64 = 0;
                while let Some(tick) = ping.next_after(after) {
                    after = tick;
                    n += 1;
                    let jitter = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 501;
                    let wait = (tick - Utc::now()).num_milliseconds().max(0) as u64 + jitter;
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                    let id = format!("{label}-{}-{n}", tick.timestamp());
                    let Ok(event) = ping.event(tick, id) else {
                        break;
                    };
                    let actions = inner.routing().send(&to, event, &label, Utc::now());
                    inner.clone().run(actions);
                }
            });
            self.inner.sources.lock().unwrap().push(task.abort_handle());
        }
        started
    }

    /// What a local process playing a ContainerSource or SinkBinding subject needs: `K_SINK`
    /// (where to send: an ingress of this runtime or the sink's URL) and `K_CE_OVERRIDES` (the
    /// source's `ceOverrides` as JSON), per source.
    pub fn process_env(&self, flow: &Flow) -> Vec<(String, Vec<(String, String)>)> {
        let mut routes = Routes::compile(flow);
        let mut out = Vec::new();
        for r in flow.resources() {
            let overrides = match &r.spec {
                Some(knflow_model::kinds::Spec::ContainerSource(c)) => &c.source.ce_overrides,
                Some(knflow_model::kinds::Spec::SinkBinding(b)) => &b.source.ce_overrides,
                _ => continue,
            };
            let Some(ep) = routes.sink_of(flow, r) else {
                continue;
            };
            let sink = match self.inner.addresses.iter().find(|(_, e)| *e == ep) {
                Some((a, _)) => a.url.clone(),
                None => self.inner.target(ep.label()).url,
            };
            let mut env = vec![("K_SINK".to_string(), sink)];
            if let Some(o) = overrides {
                env.push((
                    "K_CE_OVERRIDES".into(),
                    serde_json::to_string(o).unwrap_or_default(),
                ));
            }
            out.push((r.id.to_string(), env));
        }
        out
    }

    /// Events arriving at an ingress path. `Err((status, message))` when refused.
    pub fn ingest(&self, path: &str, events: Vec<Event>) -> Result<(), (u16, String)> {
        let path = path.trim_end_matches('/');
        let Some((addr, ep)) = self.inner.addresses.iter().find(|(a, _)| a.path == path) else {
            return Err((
                404,
                format!("no broker, channel, Sequence or Parallel at {path}"),
            ));
        };
        // Back-pressure instead of unbounded queues: a destination at its limit refuses more.
        let full = self
            .inner
            .lanes
            .lock()
            .unwrap()
            .iter()
            .map(|(l, lane)| (l, lane.under_way.load(Ordering::Relaxed)))
            .find(|(_, n)| *n >= self.inner.max_in_flight)
            .map(|(l, n)| format!("{l} has {n} deliveries under way; retry later"));
        if let Some(msg) = full {
            return Err((429, msg));
        }
        for event in events {
            // With the ingress it came in by: `kn-flow test --replay` sends it there again.
            if let Some(f) = &self.inner.record_file {
                let line = serde_json::json!({
                    "to": addr.label,
                    "event": knflow_dataplane::events::to_json(&event),
                });
                let _ = writeln!(f.lock().unwrap(), "{line}");
            }
            let actions = self.inner.routing().send(ep, event, "ingress", Utc::now());
            // The ingress itself may refuse (TTL exhausted, invalid): say so to the sender.
            let refused = actions.iter().find_map(|a| match a {
                Action::Hop(h) if h.outcome == HopOutcome::Dropped && *h.to == *addr.label => {
                    Some((
                        h.status.unwrap_or(400),
                        h.note.clone().unwrap_or_else(|| "dropped".into()),
                    ))
                }
                _ => None,
            });
            self.inner.clone().run(actions);
            if let Some(r) = refused {
                return Err(r);
            }
        }
        Ok(())
    }
}

/// Where a sink's deliveries go: its `--map`, its own URI when a laptop can reach it, else the
/// built-in display.
fn target(maps: &BTreeMap<String, String>, base: &str, label: &str) -> Target {
    if let Some(url) = maps.get(label) {
        return Target {
            label: label.into(),
            url: url.clone(),
            how: "mapped",
        };
    }
    if label.contains("://") && !cluster_local(label) {
        return Target {
            label: label.into(),
            url: label.into(),
            how: "uri",
        };
    }
    Target {
        label: label.into(),
        url: format!("{base}/_display/{label}"),
        how: "built-in display",
    }
}

impl Inner {
    fn lane(&self, url: &Label) -> Arc<Lane> {
        self.lanes
            .lock()
            .unwrap()
            .entry(url.clone())
            .or_insert_with(|| Arc::new(Lane::new(url, self.read_timeout)))
            .clone()
    }

    pub(crate) fn target(&self, label: &str) -> Target {
        target(&self.maps, &self.base, label)
    }

    /// The plane, set to produce what the current listeners read: filter explanations, the
    /// hops of filtered events and a copy of each event as the broker received it cost more
    /// than routing, so they are made only while someone watches.
    fn routing(&self) -> std::sync::MutexGuard<'_, Plane> {
        let listening = self.listening();
        let mut plane = self.plane.lock().unwrap();
        plane.set_explain(listening);
        plane.set_filtered_hops(listening);
        plane
    }

    /// Whether anyone reads hops (a tap file or a stream subscriber): explaining filters and
    /// serialising hops cost more than routing, so they happen only then.
    fn listening(&self) -> bool {
        self.tap_file.is_some() || self.tap.receiver_count() > 0
    }

    /// Hops to the tap file and stream, each with `in_flight`: the deliveries under way once
    /// it happened, so that a reader sees the count reach 0. The count is read and the lines
    /// written under one lock, so the last line written carries the last count.
    fn publish(&self, hops: &[knflow_dataplane::plane::Hop]) {
        if hops.is_empty() || !self.listening() {
            return;
        }
        let _order = self.tap_order.lock().unwrap();
        let in_flight = self.plane.lock().unwrap().in_flight();
        let time = serde_json::Value::String(Utc::now().to_rfc3339());
        for hop in hops {
            let mut hop = hop.to_json();
            hop["time"] = time.clone();
            hop["in_flight"] = in_flight.into();
            let line = hop.to_string();
            if let Some(f) = &self.tap_file {
                let _ = writeln!(f.lock().unwrap(), "{line}");
            }
            let _ = self.tap.send(line);
        }
    }

    /// Carries out the plane's actions: hops to the tap, then deliveries to their
    /// destination's lane. Hops first: they happened before those deliveries start, and a
    /// delivery answered on another thread must not reach the tap before the hop that caused
    /// it (the ingress hop after its event's deliveries).
    pub(crate) fn run(self: Arc<Self>, actions: Vec<Action>) {
        let (mut hops, mut deliveries) = (Vec::new(), Vec::new());
        for a in actions {
            match a {
                Action::Hop(h) => hops.push(h),
                Action::Deliver(d) => deliveries.push(d),
            }
        }
        self.publish(&hops);
        for d in deliveries {
            let lane = self.lane(&d.url);
            lane.under_way.fetch_add(1, Ordering::Relaxed);
            if d.delay_ms > 0 {
                let inner = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(d.delay_ms)).await;
                    inner.deliver(d, lane);
                });
            } else {
                self.clone().deliver(d, lane);
            }
        }
    }

    fn deliver(self: Arc<Self>, d: Delivery, lane: Arc<Lane>) {
        let (mut headers, body) = http_event::to_binary(&d.event);
        // Knative's dispatcher says on every send that it takes a reply (data-plane spec,
        // Derived (Reply) Events; `kncloudevents`).
        headers.insert("prefer", HeaderValue::from_static("reply"));
        let id = d.id;
        let to = lane.clone();
        lane.send(Job {
            headers,
            body: body.into(),
            timeout: d.timeout_ms.map(Duration::from_millis),
            done: Box::new(move |answer| {
                to.under_way.fetch_sub(1, Ordering::Relaxed);
                self.answered(id, answer)
            }),
        });
    }

    /// A delivery's answer (or its failure) back into the plane.
    fn answered(
        self: Arc<Self>,
        id: knflow_dataplane::plane::AttemptId,
        answer: Result<Answer, Failure>,
    ) {
        let outcome = match answer {
            Ok(a) => {
                let retry_after_ms = a
                    .headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after_ms);
                let body = if !a.body.is_empty() || a.headers.contains_key("ce-specversion") {
                    match http_event::parse(&a.headers, &a.body) {
                        Ok(mut evs) if evs.len() == 1 => Body::Event(Box::new(evs.remove(0))),
                        _ => Body::Other(a.body.to_vec()),
                    }
                } else {
                    Body::Empty
                };
                Outcome::Response {
                    status: a.status,
                    body,
                    retry_after_ms,
                }
            }
            Err(Failure::Timeout) => Outcome::Timeout,
            Err(Failure::Transport) => Outcome::TransportError,
        };
        let actions = self.routing().complete(id, outcome, Utc::now());
        self.run(actions);
    }

    pub(crate) fn record_display(&self, label: &str, events: Vec<Event>) {
        for e in events {
            println!("▶ {label} ← {} {} ({})", e.ty(), e.source(), e.id());
            self.displayed.lock().unwrap().push((label.to_string(), e));
        }
    }
}

/// `Retry-After` as seconds or an HTTP date, in milliseconds from now.
fn retry_after_ms(v: &str) -> Option<u64> {
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(s * 1000);
    }
    let at = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let ms = (at.with_timezone(&Utc) - Utc::now()).num_milliseconds();
    Some(ms.max(0) as u64)
}
