//! Event-type analysis (issue 21): on the example flows, what can arrive at each broker and
//! channel and from where, and what each trigger receives (exact expected sets); its lints on
//! small flows; and soundness — a property test that a filter's decision on a pattern never
//! contradicts what the filter does with an event of that pattern, and a check against the
//! simulator that every event it delivers through a trigger was foreseen.

use knflow_dataplane::analysis::{analyze, Analysis, Pattern};
use knflow_dataplane::filter::{Decision, Text, TriggerFilter};
use knflow_model::kinds::SubscriptionsApiFilter;
use proptest::prelude::*;

fn load(text: &str, name: &str) -> knflow_model::Flow {
    let l = knflow_model::load_str(text, name);
    assert!(!l.has_errors(), "{name}: {:?}", l.diagnostics);
    l.flow
}

fn example(file: &str) -> knflow_model::Flow {
    let path = format!("{}/../../flows/{file}", env!("CARGO_MANIFEST_DIR"));
    load(&std::fs::read_to_string(path).unwrap(), file)
}

fn analysis_of(flow: &knflow_model::Flow) -> Analysis {
    let replies = knflow_sim::behavior::replies(flow);
    analyze(flow, &replies)
}

/// One line per arrival (`at ENDPOINT: PATTERN <- ORIGINS`) and per trigger decision
/// (`TRIGGER: PATTERN: DECISION`), sorted.
fn render(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    for (ep, ps) in &a.arrivals {
        for (p, origins) in ps {
            let o: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
            out.push(format!("at {ep}: {p} <- {}", o.join("; ")));
        }
    }
    for t in &a.triggers {
        for (p, d) in &t.matches {
            out.push(format!("{}: {p}: {d:?}", t.trigger));
        }
    }
    out.sort();
    out
}

#[test]
fn the_example_flows_are_analysed_exactly() {
    let cases: &[(&str, &[&str])] = &[
        (
            "orders.yaml",
            &[
                "Trigger/audit-all-orders: order.created from *: Yes",
                "Trigger/audit-all-orders: order.fulfilled from *: Yes",
                "Trigger/audit-all-orders: order.paid from *: Yes",
                // Its CESQL requires `type = 'order.paid'` (ANDed at its top): other types cannot pass.
                "Trigger/big-paid-orders: order.created from *: No",
                "Trigger/big-paid-orders: order.fulfilled from *: No",
                "Trigger/big-paid-orders: order.paid from *: Maybe",
                "Trigger/notify-fulfilled: order.created from *: No",
                "Trigger/notify-fulfilled: order.fulfilled from *: Maybe",
                "Trigger/notify-fulfilled: order.paid from *: No",
                "at Broker/orders: order.created from * <- Broker/orders (knflow.dev/produces)",
                "at Broker/orders: order.fulfilled from * <- the reply of Service/fulfil (via Trigger/big-paid-orders)",
                "at Broker/orders: order.paid from * <- Broker/orders (knflow.dev/produces)",
            ],
        ),
        (
            "hello-ping.yaml",
            &[
                "Trigger/display-all: dev.knative.sources.ping from /apis/v1/namespaces/default/pingsources/heartbeat: Yes",
                "Trigger/pings-to-logger: dev.knative.sources.ping from /apis/v1/namespaces/default/pingsources/heartbeat: Maybe",
                "at Broker/default: dev.knative.sources.ping from /apis/v1/namespaces/default/pingsources/heartbeat <- PingSource/heartbeat",
            ],
        ),
        (
            "channel.yaml",
            &[
                "at Channel/readings: dev.knative.sources.ping from /apis/v1/namespaces/telemetry/pingsources/sensor-poll <- PingSource/sensor-poll",
                "at InMemoryChannel/results: reading.processed from /apis/v1/namespaces/telemetry/pingsources/sensor-poll <- the reply of Service/processor (via Subscription/readings-to-processor)",
            ],
        ),
        (
            "sequence.yaml",
            &[
                "at Channel/process-images-kn-sequence-0: dev.knative.sources.ping from /apis/v1/namespaces/media/pingsources/nightly-batch <- PingSource/nightly-batch",
                "at Channel/process-images-kn-sequence-1: dev.knative.sources.ping from /apis/v1/namespaces/media/pingsources/nightly-batch <- the reply of Service/fetch (via Sequence/process-images step 0)",
                "at Channel/process-images-kn-sequence-2: image.resized from /apis/v1/namespaces/media/pingsources/nightly-batch <- the reply of Service/resize (via Sequence/process-images step 1)",
            ],
        ),
        (
            "parallel.yaml",
            &[
                "Trigger/payments-to-parallel: payment.received from *: Yes",
                "at Broker/payments: payment.received from * <- Broker/payments (knflow.dev/produces)",
                "at Channel/payment-checks-kn-parallel-0: payment.received from * <- the reply of Service/is-large-payment (via Parallel/payment-checks branch 0 filter)",
                "at Channel/payment-checks-kn-parallel-1: payment.received from * <- the reply of Service/is-foreign-currency (via Parallel/payment-checks branch 1 filter)",
                "at Channel/payment-checks-kn-parallel: payment.received from * <- Broker/payments (knflow.dev/produces)",
            ],
        ),
        (
            "cluster-events.yaml",
            &[
                "Trigger/everything-to-display: * from *: Yes",
                "Trigger/everything-to-display: dev.knative.apiserver.ref.add from https://kubernetes.default.svc: Yes",
                "Trigger/everything-to-display: dev.knative.apiserver.ref.delete from https://kubernetes.default.svc: Yes",
                "Trigger/everything-to-display: dev.knative.apiserver.ref.update from https://kubernetes.default.svc: Yes",
                "Trigger/warnings-to-pager: * from *: Maybe",
                "Trigger/warnings-to-pager: dev.knative.apiserver.ref.add from https://kubernetes.default.svc: Maybe",
                "Trigger/warnings-to-pager: dev.knative.apiserver.ref.delete from https://kubernetes.default.svc: No",
                "Trigger/warnings-to-pager: dev.knative.apiserver.ref.update from https://kubernetes.default.svc: No",
                // What a ContainerSource's or a bound workload's code sends is its own: anything.
                "at Broker/ops: * from * <- ContainerSource/heartbeats; SinkBinding/bind-legacy-emitter",
                "at Broker/ops: dev.knative.apiserver.ref.add from https://kubernetes.default.svc <- ApiServerSource/k8s-events; EventType/k8s-event-added",
                "at Broker/ops: dev.knative.apiserver.ref.delete from https://kubernetes.default.svc <- ApiServerSource/k8s-events",
                "at Broker/ops: dev.knative.apiserver.ref.update from https://kubernetes.default.svc <- ApiServerSource/k8s-events",
            ],
        ),
        (
            "kafka.yaml",
            &[
                "Trigger/archive: order.created from *: Yes",
                "Trigger/archive: order.paid from *: Yes",
                "Trigger/payments: order.created from *: No",
                "Trigger/payments: order.paid from *: Yes",
                "at Broker/orders: order.created from * <- Broker/orders (knflow.dev/produces)",
                "at Broker/orders: order.paid from * <- Broker/orders (knflow.dev/produces)",
            ],
        ),
    ];
    for (file, want) in cases {
        let got = render(&analysis_of(&example(file)));
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{file}");
    }
    // What the KafkaSink stores reaches the ledger through the topic.
    let a = analysis_of(&example("kafka.yaml"));
    let ledger: Vec<String> = a
        .delivered
        .get("Service/ledger")
        .unwrap()
        .iter()
        .map(|(p, via)| format!("{p} via {}", via.to_vec().join(",")))
        .collect();
    assert_eq!(
        ledger,
        [
            "dev.knative.kafka.event from /apis/v1/namespaces/shop/kafkasources/orders-reader#orders via KafkaSource/orders-reader",
            "order.created from * via KafkaSource/orders-reader",
            "order.paid from * via KafkaSource/orders-reader",
        ]
    );
}

fn codes(flow: &knflow_model::Flow) -> Vec<String> {
    knflow_sim::event_type_lints(flow)
        .iter()
        .map(|d| {
            format!(
                "{}@{}:{}",
                d.code,
                d.resource.as_deref().unwrap_or(""),
                d.path
            )
        })
        .collect()
}

const BROKER: &str = "apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  annotations:
    knflow.dev/produces: order.paid, order.created
";

fn trigger(name: &str, filter: &str, subscriber: &str) -> String {
    format!(
        "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: {name}\nspec:\n  broker: default\n{filter}  subscriber:\n    ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: {subscriber}}}\n"
    )
}

fn service(name: &str) -> String {
    format!("---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n      - image: example.com/{name}\n")
}

#[test]
fn the_analysis_finds_what_no_rule_of_one_resource_can() {
    // A trigger whose filter no producer's events pass, and a type nobody consumes.
    let text = format!(
        "{BROKER}{}{}{}",
        trigger(
            "refunds",
            "  filters:\n  - exact: {type: order.refunded}\n",
            "refunds"
        ),
        trigger(
            "paid",
            "  filters:\n  - prefix: {type: order.pa}\n",
            "billing"
        ),
        service("refunds") + &service("billing"),
    );
    let got = codes(&load(&text, "t.yaml"));
    assert!(
        got.contains(&"trigger-unmatched@Trigger/refunds:.spec.filters".into()),
        "{got:?}"
    );
    assert!(
        got.contains(&"event-type-unconsumed@Broker/default:".into()),
        "{got:?}"
    );
    let d = knflow_sim::event_type_lints(&load(&text, "t.yaml"));
    let unmatched = d.iter().find(|d| d.code == "trigger-unmatched").unwrap();
    assert_eq!(
        unmatched.message,
        "no known producer's events pass this filter: Broker/default receives order.created, order.paid (from Broker/default (knflow.dev/produces))"
    );
    let unconsumed = d
        .iter()
        .find(|d| d.code == "event-type-unconsumed")
        .unwrap();
    assert!(
        unconsumed.message.contains("order.created"),
        "{}",
        unconsumed.message
    );
    assert!(unconsumed.line.is_some(), "positioned in the file");
    // A subscriber replying with a type its own trigger passes: a loop only the TTL ends.
    let looping = format!(
        "{BROKER}{}{}simulation:\n  Service/billing:\n    behavior: reply:order.paid\n",
        trigger(
            "paid",
            "  filters:\n  - prefix: {type: order.}\n",
            "billing"
        ),
        service("billing"),
    );
    let flow = knflow_model::load_str(
        &format!(
            "apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: t\nresources:\n{}",
            indent(&looping)
        ),
        "loop.yaml",
    );
    let got = codes(&flow.flow);
    assert!(
        got.contains(&"reply-loop-type@Trigger/paid:.spec.filters".into()),
        "{got:?}"
    );
    // The same subscriber through two triggers that both pass order.paid.
    let twice = format!(
        "{BROKER}{}{}{}",
        trigger(
            "a",
            "  filters:\n  - exact: {type: order.paid}\n",
            "billing"
        ),
        trigger("b", "  filters:\n  - prefix: {type: order.}\n", "billing"),
        service("billing"),
    );
    let got = codes(&load(&twice, "t.yaml"));
    assert!(
        got.contains(&"duplicate-delivery@Trigger/b:.spec.filters".into()),
        "{got:?}"
    );
    // None of them on a flow where everything is consumed once and nothing loops.
    let fine = format!(
        "{BROKER}{}{}",
        trigger("all", "", "billing"),
        service("billing"),
    );
    assert_eq!(codes(&load(&fine, "t.yaml")), Vec::<String>::new());
}

/// A flow file's `resources:` from plain manifests (for a flow with a `simulation:` section).
fn indent(manifests: &str) -> String {
    let (docs, tail) = manifests.split_once("simulation:").unwrap();
    let items: Vec<String> = docs
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            let mut lines = d.lines();
            let first = format!("- {}", lines.next().unwrap());
            std::iter::once(first)
                .chain(lines.map(|l| format!("  {l}")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    format!("{}\nsimulation:{tail}", items.join("\n"))
}

/// Events of a small alphabet, so that filters and events meet often.
fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "ab", "abc", "b", "ba", "x.y", "x.yz", ""])
        .prop_map(String::from)
}

fn attrs() -> impl Strategy<Value = serde_json::Value> {
    (
        prop::sample::select(vec!["type", "source", "subject"]),
        word(),
    )
        .prop_map(|(k, v)| serde_json::json!({ k: v }))
}

fn filter() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        attrs().prop_map(|a| serde_json::json!({"exact": a})),
        attrs().prop_map(|a| serde_json::json!({"prefix": a})),
        attrs().prop_map(|a| serde_json::json!({"suffix": a})),
        (word(), word(), 0u8..6).prop_map(|(w, v, form)| {
            // Comparisons of the type and source the decision reads (events' types are
            // `t…`, sources `s…`), alone, ANDed, ORed and negated.
            let cesql = match form {
                0 => format!("type = 't{w}'"),
                1 => format!("'s{w}' = source"),
                2 => format!("type = 't{w}' AND subject = '{v}'"),
                3 => format!("subject = '{v}' AND (source = 's{w}' AND type = 't{v}')"),
                4 => format!("type = 't{w}' OR source = 's{v}'"),
                _ => format!("NOT (type = 't{w}')"),
            };
            serde_json::json!({ "cesql": cesql })
        }),
        Just(serde_json::json!({})),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| serde_json::json!({"all": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| serde_json::json!({"any": v})),
            inner.prop_map(|f| serde_json::json!({"not": f})),
        ]
    })
}

fn text_of(exact: &str, how: u8) -> Text {
    match how % 3 {
        0 => Text::exact(exact),
        // A prefix of the value: the pattern contains the event.
        1 => Text::prefix(&exact[..exact.len() / 2]),
        _ => Text::Any,
    }
}

proptest! {
    /// For any filter, any event (type, source, subject) and any pattern containing the
    /// event: the filter passing the event means the decision is not `No`, and failing it
    /// means the decision is not `Yes`.
    #[test]
    fn a_decision_never_contradicts_an_event_of_its_pattern(
        filters in prop::collection::vec(filter(), 0..3),
        legacy in prop::option::of(attrs()),
        ty in word(), source in word(), subject in word(),
        how in (0u8..3, 0u8..3),
    ) {
        let list: Vec<SubscriptionsApiFilter> = filters
            .iter()
            .map(|f| serde_json::from_value(f.clone()).unwrap())
            .collect();
        let legacy: Option<knflow_model::kinds::TriggerFilter> =
            legacy.map(|a| serde_json::from_value(serde_json::json!({"attributes": a})).unwrap());
        let f = TriggerFilter::from_parts(legacy.as_ref(), Some(&list));
        // CloudEvents require a non-empty type and source.
        let (ty, source) = (format!("t{ty}"), format!("s{source}"));
        let mut event = serde_json::json!({"specversion": "1.0", "id": "1", "type": ty, "source": source});
        if !subject.is_empty() {
            event["subject"] = serde_json::json!(subject);
        }
        let event: cloudevents::Event = serde_json::from_value(event).unwrap();
        let passes = f.evaluate(&event).passes();
        let d = f.decide(&text_of(&ty, how.0), &text_of(&source, how.1));
        prop_assert!(!(passes && d == Decision::No), "{filters:?} passes {ty}/{source}/{subject} but decided No");
        prop_assert!(passes || d != Decision::Yes, "{filters:?} fails {ty}/{source}/{subject} but decided Yes");
    }
}

/// Everything the simulator delivers through a trigger from the example flows' sources (each
/// source's own events, replies and topic links included) the analysis foresaw: the event is in a pattern arriving at the
/// trigger's broker, and the trigger's decision on it is not `No`.
#[test]
fn every_delivery_the_simulator_makes_was_foreseen() {
    let contains = |t: &Text, v: &str| match t {
        Text::Exact(s) => **s == *v,
        Text::Prefix(p) => v.starts_with(&**p),
        Text::Any => true,
    };
    let mut checked = 0;
    for file in [
        "orders.yaml",
        "hello-ping.yaml",
        "channel.yaml",
        "sequence.yaml",
        "parallel.yaml",
        "cluster-events.yaml",
        "kafka.yaml",
    ] {
        let flow = example(file);
        let a = analysis_of(&flow);
        let mut sims = Vec::new();
        // Each source on its own, run to its end.
        for r in flow.resources().filter(|r| r.is_source()) {
            let mut sim = knflow_sim::Simulation::new(
                &flow,
                knflow_sim::Options {
                    keep_trace: true,
                    until_ms: Some(120_000),
                    ..Default::default()
                },
            )
            .unwrap();
            if sim.send(&flow, &r.id.to_string(), None).is_ok() {
                sim.run();
                sims.push(sim);
            }
        }
        for hop in sims.iter().flat_map(|s| s.trace()) {
            let Some(via) = hop.hop.via.as_deref().filter(|v| v.starts_with("Trigger/")) else {
                continue;
            };
            let t = a.triggers.iter().find(|t| t.trigger == via).unwrap();
            let e: &cloudevents::Event = &hop.hop.event;
            let (ty, source) = (
                cloudevents::AttributesReader::ty(e),
                cloudevents::AttributesReader::source(e).to_string(),
            );
            let foreseen = t.matches.iter().any(|(Pattern { ty: pt, source: ps }, d)| {
                contains(pt, ty) && contains(ps, &source) && *d != Decision::No
            });
            assert!(
                foreseen,
                "{file}: {via} delivered {ty} from {source}, not foreseen: {:?}",
                t.matches
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} deliveries checked");
}

/// Flows made up by the test: a broker whose producers are declared, triggers with random
/// filters, each delivering to its own service. Every event of a declared type the simulator
/// delivers through a trigger, the analysis said the trigger passes or may pass.
fn generated_flow(filters: &[serde_json::Value]) -> String {
    let mut s = String::from("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n  annotations:\n    knflow.dev/produces: ta, tab, tx.y, tba\nspec:\n  delivery: {retry: 0}\n");
    for (i, f) in filters.iter().enumerate() {
        let filters = serde_json::to_string(&serde_json::json!([f])).unwrap();
        s.push_str(&format!(
            "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t{i}\nspec:\n  broker: b\n  filters: {filters}\n  subscriber:\n    uri: http://s{i}.example.com\n"
        ));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn on_generated_flows_every_delivery_was_foreseen(
        filters in prop::collection::vec(filter(), 1..5),
        sends in prop::collection::vec((prop::sample::select(vec!["ta", "tab", "tx.y", "tba"]), word(), word()), 1..6),
    ) {
        let flow = load(&generated_flow(&filters), "generated.yaml");
        let a = analysis_of(&flow);
        for (i, (ty, source, subject)) in sends.iter().enumerate() {
            let mut e = serde_json::json!({"specversion": "1.0", "id": format!("e{i}"), "type": ty, "source": format!("s{source}")});
            if !subject.is_empty() {
                e["subject"] = serde_json::json!(subject);
            }
            let event = knflow_dataplane::events::from_json(e).unwrap();
            let mut sim = knflow_sim::Simulation::new(&flow, knflow_sim::Options { keep_trace: true, ..Default::default() }).unwrap();
            sim.send(&flow, "Broker/b", Some(event)).unwrap();
            sim.run();
            for hop in sim.trace() {
                let Some(via) = hop.hop.via.as_deref().filter(|v| v.starts_with("Trigger/")) else { continue };
                if hop.hop.outcome == knflow_dataplane::HopOutcome::Filtered {
                    continue;
                }
                let t = a.triggers.iter().find(|t| t.trigger == via).unwrap();
                let d = t.matches.iter().find(|(p, _)| p.ty == Text::exact(*ty)).map(|(_, d)| *d);
                prop_assert!(matches!(d, Some(Decision::Yes | Decision::Maybe)), "{via} delivered {ty} but the analysis said {d:?}: {filters:?}");
            }
            // And a trigger said to pass every event of the type did deliver this one.
            for t in &a.triggers {
                let yes = t.matches.iter().any(|(p, d)| p.ty == Text::exact(*ty) && *d == Decision::Yes);
                let passed = sim.trace().iter().any(|h| {
                    h.hop.via.as_deref() == Some(t.trigger.as_str())
                        && h.hop.outcome != knflow_dataplane::HopOutcome::Filtered
                });
                prop_assert!(!yes || passed, "{} said to pass {ty} but filtered it: {filters:?}", t.trigger);
            }
        }
    }
}
