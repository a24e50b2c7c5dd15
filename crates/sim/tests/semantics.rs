//! Knative's delivery semantics on the virtual clock, one rule per test, with exact virtual times
//! (KNATIVE-SEMANTICS §1–§8).

use cloudevents::{AttributesReader, Event};
use knflow_dataplane::HopOutcome;
use knflow_sim::{Options, Simulation, TracedHop};
use serde_json::json;

fn event(ty: &str) -> Event {
    serde_json::from_value(json!({"specversion": "1.0", "id": "e-1", "source": "/shop/checkout", "type": ty, "amount": 250, "data": {"amount": 250}})).unwrap()
}

fn flow(yaml: &str) -> knflow_model::Flow {
    let l = knflow_model::load_str(yaml, "test.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

fn example(name: &str) -> knflow_model::Flow {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../flows")
        .join(name);
    flow(&std::fs::read_to_string(path).unwrap())
}

fn run(
    f: &knflow_model::Flow,
    behaviors: &[(&str, &str)],
    to: &str,
    ev: Option<Event>,
    until: Option<u64>,
) -> Simulation {
    let opts = Options {
        behaviors: behaviors
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        until_ms: until,
        ..Options::default()
    };
    let mut sim = Simulation::new(f, opts).unwrap();
    sim.send(f, to, ev).unwrap();
    sim.run();
    sim
}

fn to(sim: &Simulation, target: &str) -> Vec<TracedHop> {
    sim.trace()
        .iter()
        .filter(|t| &*t.hop.to == target)
        .cloned()
        .collect()
}

/// Delivery attempts that reached `target` (not filtered-out events addressed to it).
fn attempts(sim: &Simulation, target: &str) -> Vec<TracedHop> {
    to(sim, target)
        .into_iter()
        .filter(|t| t.hop.attempt.is_some())
        .collect()
}

fn broker_flow(delivery: &str) -> knflow_model::Flow {
    flow(&format!(
        "apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: {{name: b, namespace: ns}}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: {{name: t, namespace: ns}}
spec:
  broker: b
  subscriber: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: sub}}}}
{delivery}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: sub, namespace: ns}}
spec: {{template: {{spec: {{containers: [{{image: x}}]}}}}}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: dls, namespace: ns}}
spec: {{template: {{spec: {{containers: [{{image: x}}]}}}}}}
"
    ))
}

const DLS: &str =
    "    deadLetterSink: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dls}}\n";

#[test]
fn exponential_retries_then_dead_letter_with_exact_extensions() {
    let f = broker_flow(&format!("  delivery:\n    retry: 3\n    backoffPolicy: exponential\n    backoffDelay: PT0.2S\n{DLS}"));
    let sim = run(
        &f,
        &[("Service/sub", "fail:503")],
        "Broker/b",
        Some(event("order.paid")),
        None,
    );
    let hops = to(&sim, "Service/sub");
    let got: Vec<(u64, Option<u32>, Option<u16>, HopOutcome)> = hops
        .iter()
        .map(|t| (t.time_ms, t.hop.attempt, t.hop.status, t.hop.outcome))
        .collect();
    // Retry k waits delay × 2^(k−1): attempts at 0, 200, 600 and 1400 ms.
    assert_eq!(
        got,
        vec![
            (0, Some(1), Some(503), HopOutcome::Retrying),
            (200, Some(2), Some(503), HopOutcome::Retrying),
            (600, Some(3), Some(503), HopOutcome::Retrying),
            (1400, Some(4), Some(503), HopOutcome::Failed),
        ]
    );
    let dls = to(&sim, "Service/dls");
    assert_eq!(dls.len(), 1);
    assert_eq!(
        (dls[0].time_ms, dls[0].hop.outcome),
        (1400, HopOutcome::DeadLettered)
    );
    let e = &dls[0].hop.event;
    assert_eq!(
        e.extension("knativeerrordest").unwrap().to_string(),
        "http://sub.ns.svc.cluster.local"
    );
    assert_eq!(e.extension("knativeerrorcode").unwrap().to_string(), "503");
    assert_eq!(
        e.extension("knativeerrordata").unwrap().to_string(),
        "c2ltdWxhdGVkIGZhaWx1cmU6IDUwMw=="
    );
    assert_eq!(e.id(), "e-1", "the original event is dead-lettered");
    assert!(
        e.extension("knativebrokerttl").is_none(),
        "the subscriber's view has no TTL"
    );
    // A DLS that accepts counts as delivered.
    assert_eq!(sim.summary()[&"Service/dls".to_string()].delivered, 1);
    assert_eq!(sim.summary()[&"Service/sub".to_string()].retried, 3);
}

#[test]
fn linear_backoff_retries_immediately_first() {
    let f = broker_flow(
        "  delivery:\n    retry: 2\n    backoffPolicy: linear\n    backoffDelay: PT1S\n",
    );
    let sim = run(
        &f,
        &[("Service/sub", "fail:500")],
        "Broker/b",
        Some(event("x")),
        None,
    );
    let times: Vec<u64> = to(&sim, "Service/sub").iter().map(|t| t.time_ms).collect();
    assert_eq!(times, vec![0, 0, 1000]);
    assert_eq!(
        to(&sim, "Service/sub").last().unwrap().hop.outcome,
        HopOutcome::Failed
    );
}

#[test]
fn transient_failures_then_success_and_latency() {
    let f = broker_flow(
        "  delivery:\n    retry: 3\n    backoffPolicy: exponential\n    backoffDelay: PT0.1S\n",
    );
    let sim = run(
        &f,
        &[("Service/sub", "latency:50ms,fail:503x2")],
        "Broker/b",
        Some(event("x")),
        None,
    );
    let got: Vec<(u64, HopOutcome)> = to(&sim, "Service/sub")
        .iter()
        .map(|t| (t.time_ms, t.hop.outcome))
        .collect();
    // Attempts at 0, 50 + 100 = 150 and 200 + 200 = 400 ms; each answers 50 ms later.
    assert_eq!(
        got,
        vec![
            (50, HopOutcome::Retrying),
            (200, HopOutcome::Retrying),
            (450, HopOutcome::Delivered)
        ]
    );
    assert_eq!(
        sim.summary()[&"Service/sub".to_string()].max_latency_ms,
        450
    );
}

#[test]
fn only_retryable_statuses_are_retried() {
    let f = broker_flow(&format!("  delivery:\n    retry: 5\n{DLS}"));
    for (status, attempts) in [
        (400, 1),
        (401, 1),
        (403, 1),
        (413, 1),
        (404, 6),
        (408, 6),
        (409, 6),
        (429, 6),
        (500, 6),
        (503, 6),
    ] {
        let sim = run(
            &f,
            &[("Service/sub", &format!("fail:{status}"))],
            "Broker/b",
            Some(event("x")),
            None,
        );
        assert_eq!(to(&sim, "Service/sub").len(), attempts, "status {status}");
        assert_eq!(
            to(&sim, "Service/dls")[0]
                .hop
                .event
                .extension("knativeerrorcode")
                .unwrap()
                .to_string(),
            status.to_string()
        );
    }
}

#[test]
fn per_attempt_timeout() {
    let f = broker_flow(&format!(
        "  delivery:\n    retry: 1\n    timeout: PT1S\n{DLS}"
    ));
    let sim = run(
        &f,
        &[("Service/sub", "latency:5s")],
        "Broker/b",
        Some(event("x")),
        None,
    );
    let got: Vec<(u64, Option<u16>, HopOutcome)> = to(&sim, "Service/sub")
        .iter()
        .map(|t| (t.time_ms, t.hop.status, t.hop.outcome))
        .collect();
    assert_eq!(
        got,
        vec![
            (1000, None, HopOutcome::Retrying),
            (2000, None, HopOutcome::Failed)
        ]
    );
    assert_eq!(
        to(&sim, "Service/dls")[0]
            .hop
            .event
            .extension("knativeerrorcode")
            .unwrap()
            .to_string(),
        "500"
    );
}

#[test]
fn broker_default_delivery_applies_without_a_spec() {
    let f = broker_flow("");
    let sim = run(
        &f,
        &[("Service/sub", "fail:503")],
        "Broker/b",
        Some(event("x")),
        None,
    );
    // retry 10, exponential, PT0.2S (§11): 11 attempts, the last 200 × (2^10 − 1) ms later.
    let hops = to(&sim, "Service/sub");
    assert_eq!(hops.len(), 11);
    assert_eq!(hops.last().unwrap().time_ms, 200 * 1023);
}

#[test]
fn ttl_stops_a_reply_loop() {
    let f = broker_flow("");
    let sim = run(
        &f,
        &[("Service/sub", "reply")],
        "Broker/b",
        Some(event("x")),
        None,
    );
    // One original event plus at most 254 generations of replies (§2).
    let delivered = to(&sim, "Service/sub")
        .iter()
        .filter(|t| t.hop.outcome == HopOutcome::Replied)
        .count();
    assert_eq!(delivered, 255);
    let dropped: Vec<_> = to(&sim, "Broker/b")
        .into_iter()
        .filter(|t| t.hop.outcome == HopOutcome::Dropped)
        .collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].hop.status, Some(400));
    // The broker stamps an arrival time; the subscriber never sees the TTL.
    let first = &to(&sim, "Service/sub")[0].hop.event;
    assert!(
        first.extension("knativearrivaltime").is_some()
            && first.extension("knativebrokerttl").is_none()
    );
}

#[test]
fn trigger_filters_and_replies_reenter_the_broker() {
    let f = example("orders.yaml");
    let mut small = event("order.paid");
    small.set_extension("amount", 20i64);
    let sim = run(&f, &[], "Broker/orders", Some(small), None);
    assert!(
        attempts(&sim, "Service/fulfil").is_empty(),
        "{}",
        knflow_sim::output::to_table(&sim)
    );
    assert_eq!(
        to(&sim, "Service/fulfil")[0].hop.outcome,
        HopOutcome::Filtered
    );
    assert_eq!(
        sim.summary()[&"Trigger/big-paid-orders".to_string()].filtered,
        1
    );
    let sim = run(&f, &[], "Broker/orders", Some(event("order.paid")), None);
    // fulfil replies `order.fulfilled`, which re-enters the broker and reaches notify.
    assert_eq!(
        attempts(&sim, "Service/fulfil")[0].hop.outcome,
        HopOutcome::Replied
    );
    let notify = attempts(&sim, "Service/notify");
    assert_eq!(notify.len(), 1);
    assert_eq!(notify[0].hop.event.ty(), "order.fulfilled");
    assert_eq!(
        attempts(&sim, "Service/audit").len(),
        2,
        "audit sees the order and the reply"
    );
}

#[test]
fn sequence_end_to_end() {
    let f = example("sequence.yaml");
    let sim = run(
        &f,
        &[],
        "Sequence/process-images",
        Some(event("batch.requested")),
        None,
    );
    let order: Vec<&str> = sim
        .trace()
        .iter()
        .filter(|t| t.hop.to.starts_with("Service/") && t.hop.attempt.is_some())
        .map(|t| &*t.hop.to)
        .collect();
    assert_eq!(
        order,
        vec![
            "Service/fetch",
            "Service/resize",
            "Service/publish",
            "Service/event-display"
        ]
    );
    let display = &to(&sim, "Service/event-display")[0];
    assert_eq!(display.hop.event.ty(), "image.published");
    assert_eq!(
        display.hop.via.as_deref(),
        Some("Sequence/process-images step 2")
    );
    // The steps run through the channels Knative creates.
    assert!(sim
        .trace()
        .iter()
        .any(|t| &*t.hop.to == "Channel/process-images-kn-sequence-1"));
}

#[test]
fn parallel_end_to_end() {
    let f = example("parallel.yaml");
    let sim = run(
        &f,
        &[],
        "Parallel/payment-checks",
        Some(event("payment.received")),
        None,
    );
    assert_eq!(to(&sim, "Service/fraud-check").len(), 1);
    assert_eq!(to(&sim, "Service/fx-rates").len(), 1);
    assert_eq!(
        to(&sim, "Service/ledger")[0].hop.event.ty(),
        "fx.converted",
        "branch reply"
    );
    assert_eq!(
        to(&sim, "Service/event-display")[0].hop.event.ty(),
        "payment.checked",
        "parallel reply"
    );
    // A filter that answers without an event stops its branch.
    let sim = run(
        &f,
        &[("Service/is-foreign-currency", "ack")],
        "Parallel/payment-checks",
        Some(event("payment.received")),
        None,
    );
    assert!(to(&sim, "Service/fx-rates").is_empty());
    assert_eq!(to(&sim, "Service/fraud-check").len(), 1);
}

#[test]
fn channel_fan_out_and_subscription_delivery() {
    let f = example("channel.yaml");
    let sim = run(
        &f,
        &[],
        "Channel/readings",
        Some(event("reading.taken")),
        None,
    );
    assert_eq!(to(&sim, "Service/processor").len(), 1);
    assert_eq!(
        to(&sim, "http://archive.storage.svc.cluster.local/ingest").len(),
        1
    );
    assert_eq!(
        to(&sim, "Service/dashboard")[0].hop.event.ty(),
        "reading.processed"
    );
}

#[test]
fn ping_source_ticks_on_its_schedule_in_its_time_zone() {
    let f = example("sequence.yaml");
    // 0 2 * * * in America/New_York: 07:00 UTC in January; two days → two ticks.
    let sim = run(
        &f,
        &[],
        "PingSource/nightly-batch",
        None,
        Some(2 * 86_400_000),
    );
    let ticks: Vec<_> = sim
        .trace()
        .iter()
        .filter(|t| &*t.hop.from == "PingSource/nightly-batch")
        .collect();
    assert_eq!(ticks.len(), 2);
    let e = &ticks[0].hop.event;
    assert_eq!(e.ty(), "dev.knative.sources.ping");
    assert_eq!(
        e.source().to_string(),
        "/apis/v1/namespaces/media/pingsources/nightly-batch"
    );
    assert_eq!(e.time().unwrap().to_rfc3339(), "2026-01-01T07:00:00+00:00");
    assert_eq!(e.datacontenttype(), Some("application/json"));
    assert!(
        ticks[0].time_ms >= 7 * 3_600_000 && ticks[0].time_ms <= 7 * 3_600_000 + 500,
        "0–500 ms jitter"
    );
    // hello-ping: every minute for an hour (ticks at 00:01 … 01:00, each ≤ 500 ms late), with
    // its ceOverrides.
    let f = example("hello-ping.yaml");
    let sim = run(&f, &[], "PingSource/heartbeat", None, Some(3_600_500));
    let ticks: Vec<_> = sim
        .trace()
        .iter()
        .filter(|t| &*t.hop.from == "PingSource/heartbeat")
        .collect();
    assert_eq!(ticks.len(), 60);
    assert_eq!(
        ticks[0].hop.event.extension("team").unwrap().to_string(),
        "platform"
    );
}

#[test]
fn api_server_and_container_sources_emit_what_knative_would() {
    let f = example("cluster-events.yaml");
    let sim = run(&f, &[], "ApiServerSource/k8s-events", None, None);
    let sent: Vec<_> = sim
        .trace()
        .iter()
        .filter(|t| &*t.hop.from == "ApiServerSource/k8s-events")
        .collect();
    assert_eq!(sent.len(), 2, "one event per watched resource");
    let e = &sent[0].hop.event;
    assert_eq!(e.ty(), "dev.knative.apiserver.ref.add");
    assert_eq!(
        e.subject(),
        Some("/apis/v1/namespaces/ops/events/example-event")
    );
    assert_eq!(e.extension("kind").unwrap().to_string(), "Event");
    let sim = run(&f, &[], "ContainerSource/heartbeats", None, None);
    let e = &sim.trace()[0].hop.event;
    assert_eq!(
        e.extension("origin").unwrap().to_string(),
        "heartbeats",
        "K_CE_OVERRIDES applied"
    );
}

#[test]
fn same_seed_same_trace() {
    let f = example("hello-ping.yaml");
    let a = run(
        &f,
        &[("Service/logger", "fail:503x1")],
        "PingSource/heartbeat",
        None,
        Some(600_000),
    );
    let b = run(
        &f,
        &[("Service/logger", "fail:503x1")],
        "PingSource/heartbeat",
        None,
        Some(600_000),
    );
    assert_eq!(
        knflow_sim::output::to_json(&a),
        knflow_sim::output::to_json(&b)
    );
    let c = Simulation::new(
        &f,
        Options {
            seed: 2,
            until_ms: Some(600_000),
            ..Options::default()
        },
    )
    .map(|mut s| {
        s.send(&f, "PingSource/heartbeat", None).unwrap();
        s.run();
        s
    });
    assert_ne!(
        knflow_sim::output::to_json(&a)["hops"][0]["time_ms"],
        knflow_sim::output::to_json(&c.unwrap())["hops"][0]["time_ms"],
        "jitter depends on the seed"
    );
}

#[test]
fn every_example_flow_passes_its_scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let f = flow(&std::fs::read_to_string(&path).unwrap());
        for r in knflow_sim::scenario::run_all(&f, 1) {
            assert!(
                r.passed(),
                "{}: {}: {:?} {:?}",
                path.display(),
                r.name,
                r.error,
                r.failures
            );
            n += 1;
        }
    }
    assert!(n >= 8);
}

/// A misspelt resource in an expectation fails, saying it is not in the flow: `not_delivered`
/// would otherwise hold for a name nothing has.
#[test]
fn an_expectation_about_a_resource_not_in_the_flow_fails() {
    let f = example("orders.yaml");
    let scenario = json!({
        "name": "typo",
        "send": {"to": "Broker/orders", "event": {"type": "order.paid", "amount": 5}},
        "expect": [
            {"not_delivered": "Service/fulfill"},
            {"delivered": "Service/audit"},
            {"replied_to": "Broker/order"},
        ]
    });
    let r = knflow_sim::scenario::run_one(&f, &scenario, 0, 1);
    assert_eq!(
        r.failures,
        vec![
            (
                "not delivered Service/fulfill".to_string(),
                "Service/fulfill is not in this flow (a resource is named Kind/name)".to_string()
            ),
            (
                "replied to Broker/order".to_string(),
                "Broker/order is not in this flow (a resource is named Kind/name)".to_string()
            ),
        ]
    );
}

#[test]
fn a_misspelt_expectation_is_refused_before_anything_runs() {
    let good = json!([{"name": "s", "send": {"to": "Broker/orders"}, "expect": [{"delivered": "Service/audit"}]}]);
    assert_eq!(
        knflow_sim::scenario::check_shape(good.as_array().unwrap()),
        Ok(())
    );
    let bad = json!([{"name": "typo", "expect": [{"delivered": "Service/audit"}, {"not_delivred": "Service/fulfil"}]}]);
    assert_eq!(
        knflow_sim::scenario::check_shape(bad.as_array().unwrap()),
        Err("typo: expect[1] has not_delivred: an expectation is one of delivered, not_delivered, dead_lettered, replied_to".to_string())
    );
    assert!(knflow_sim::scenario::check_shape(&[json!("x")]).is_err());
}

#[test]
fn failing_expectations_say_what_happened() {
    let f = example("orders.yaml");
    let scenario = json!({
        "name": "wrong on purpose",
        "send": {"to": "Broker/orders", "event": {"type": "order.paid", "amount": 250}},
        "behaviors": {"Service/fulfil": "fail:400"},
        "expect": [
            {"delivered": "Service/notify"},
            {"not_delivered": "Service/audit"},
            {"delivered": "Service/audit", "times": 3},
            {"dead_lettered": "Service/dead-letters", "code": 503},
            {"delivered": "Service/audit", "with": {"type": "order.paid"}},
        ]
    });
    let r = knflow_sim::scenario::run_one(&f, &scenario, 0, 1);
    let got: Vec<(String, String)> = r.failures;
    assert_eq!(
        got,
        vec![
            (
                "delivered to Service/notify".into(),
                "never delivered".into()
            ),
            (
                "not delivered to Service/audit".into(),
                "delivered 1 time(s), at 0 ms".into()
            ),
            (
                "delivered to Service/audit 3 time(s)".into(),
                "delivered 1 time(s), at 0 ms".into()
            ),
            (
                "dead-lettered to Service/dead-letters with knativeerrorcode 503".into(),
                "knativeerrorcode 400".into()
            ),
        ]
    );
}

/// An event given for a source is what it sends, once, instead of its schedule (the designer
/// sends the form's event this way), with the source's ceOverrides.
#[test]
fn a_source_sends_a_given_event_once() {
    let f = example("hello-ping.yaml");
    let sim = run(
        &f,
        &[],
        "PingSource/heartbeat",
        Some(event("com.example.typed")),
        Some(3_600_000),
    );
    let sent: Vec<_> = sim
        .trace()
        .iter()
        .filter(|t| &*t.hop.from == "PingSource/heartbeat")
        .collect();
    assert_eq!(sent.len(), 1, "once, not every minute of the hour");
    assert_eq!(sent[0].hop.event.ty(), "com.example.typed");
    assert_eq!(sent[0].time_ms, 0);
    let f = example("cluster-events.yaml");
    let sim = run(
        &f,
        &[],
        "ContainerSource/heartbeats",
        Some(event("com.example.typed")),
        None,
    );
    let e = &sim.trace()[0].hop.event;
    assert_eq!(e.ty(), "com.example.typed");
    assert_eq!(
        e.extension("origin").unwrap().to_string(),
        "heartbeats",
        "K_CE_OVERRIDES applied to the given event too"
    );
}

/// The Send form starts from what a source really emits, and offers the types triggers ask for.
#[test]
fn sample_events_and_the_types_triggers_ask_for() {
    let f = example("hello-ping.yaml");
    let e = knflow_sim::sources::sample_event(&f, "PingSource/heartbeat").unwrap();
    assert_eq!(e.ty(), "dev.knative.sources.ping");
    assert!(e.source().to_string().contains("pingsources/heartbeat"));
    assert!(knflow_sim::sources::sample_event(&f, "Service/logger").is_none());
    let f = example("orders.yaml");
    let types = knflow_sim::sources::filtered_types(&f);
    assert!(types.contains(&"order.fulfilled".to_string()), "{types:?}");
    let mut sorted = types.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(types, sorted);
}

/// "Save as scenario": a scenario made from a run expects what happened, and passes when run.
#[test]
fn a_scenario_made_from_a_run_passes() {
    let f = example("orders.yaml");
    let spec =
        json!({"type": "order.paid", "source": "/shop", "amount": 250, "data": {"order": "A-1"}});
    let behaviors: knflow_sim::Behaviors =
        [("Service/fulfil".to_string(), "fail:500x4".to_string())]
            .into_iter()
            .collect();
    let mut sim = Simulation::new(
        &f,
        Options {
            behaviors: behaviors.clone(),
            ..Options::default()
        },
    )
    .unwrap();
    sim.send(
        &f,
        "Broker/orders",
        Some(knflow_sim::scenario::scenario_event(&spec, 0).unwrap()),
    )
    .unwrap();
    sim.run();
    let s = knflow_sim::scenario::from_run(
        "failing fulfilment",
        "Broker/orders",
        Some(spec),
        &behaviors,
        None,
        sim.trace(),
    );
    let expect = s["expect"].as_array().unwrap();
    assert!(
        expect.contains(&json!({"not_delivered": "Service/fulfil"})),
        "{s}"
    );
    assert!(
        expect.contains(&json!({"dead_lettered": "Service/dead-letters"})),
        "{s}"
    );
    assert!(
        expect.contains(&json!({"delivered": "Service/audit", "times": 1})),
        "{s}"
    );
    let r = knflow_sim::scenario::run_one(&f, &s, 0, 1);
    assert!(r.passed(), "{r:?}");
    // Without the failing behaviour the same scenario fails: it checks what happened.
    let mut other = s.clone();
    other.as_object_mut().unwrap().remove("behaviors");
    assert!(!knflow_sim::scenario::run_one(&f, &other, 0, 1).passed());
}
