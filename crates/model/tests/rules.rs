//! Every validation rule and lint: a failing case that reports the code at the field path (with a
//! file position), and a passing case that does not report it.

mod common;

use common::{check, codes};

/// A Trigger → Broker → Service flow with one placeholder spliced in, as plain manifests.
fn base(extra: &str) -> String {
    format!(
        r#"apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: shop
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: sink
  namespace: shop
spec:
  template:
    spec:
      containers:
      - image: example/sink
---
{extra}"#
    )
}

fn trigger(spec_tail: &str) -> String {
    base(&format!(
        r#"apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: t
  namespace: shop
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: sink
{spec_tail}"#
    ))
}

struct Case {
    code: &'static str,
    path: &'static str,
    bad: String,
    good: String,
}

fn case(code: &'static str, path: &'static str, bad: String, good: String) -> Case {
    Case {
        code,
        path,
        bad,
        good,
    }
}

fn ping(spec: &str) -> String {
    base(&format!(
        "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  sink:\n    ref: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: default}}\n{spec}"
    ))
}

fn cases() -> Vec<Case> {
    vec![
        case("yaml-syntax", "", "a: [1, 2\n".into(), trigger("")),
        case("invalid-document", "", base("- just\n- a list\n"), trigger("")),
        case("duplicate-resource", "", base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n  namespace: shop\n"), trigger("")),
        case("unknown-api-version", ".apiVersion", base("apiVersion: eventing.knative.dev/v1beta1\nkind: Broker\nmetadata:\n  name: b2\n  namespace: shop\n"), trigger("")),
        case("invalid-name", ".metadata.name", base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: Bad_Name\n  namespace: shop\n"), trigger("")),
        case("invalid-name", ".metadata.name", base("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: 1svc\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - image: x\n"), trigger("")),
        case("missing-field", ".spec.broker", base("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\n  namespace: shop\nspec:\n  subscriber:\n    uri: http://x.y\n"), trigger("")),
        case("missing-field", ".spec.subscriber", base("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\n  namespace: shop\nspec:\n  broker: default\n"), trigger("")),
        case("wrong-type", ".metadata.labels", base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b2\n  namespace: shop\n  labels: [a, b]\n"), base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b2\n  namespace: shop\n  labels: {a: b}\n")),
        case("wrong-type", ".spec.delivery.retry", trigger("  delivery:\n    retry: three\n"), trigger("  delivery:\n    retry: 3\n    deadLetterSink: {uri: 'http://dls.x'}\n")),
        case("bad-enum", ".spec.delivery.backoffPolicy", trigger("  delivery:\n    backoffPolicy: sometimes\n"), trigger("  delivery:\n    backoffPolicy: linear\n")),
        case("bad-enum", ".spec.delivery.format", trigger("  delivery:\n    format: xml\n"), trigger("  delivery:\n    format: binary\n")),
        case("out-of-range", ".spec.delivery.retry", trigger("  delivery:\n    retry: 3000000000\n"), trigger("")),
        case("unknown-field", ".spec.subscriberz", trigger("  subscriberz: {}\n"), trigger("")),
        case("unknown-field", ".extra", trigger("").replace("kind: Trigger\n", "kind: Trigger\nextra: 1\n"), trigger("")),
        case("invalid-value", ".spec.delivery.retry", trigger("  delivery:\n    retry: -1\n"), trigger("  delivery:\n    retry: 0\n")),
        case("invalid-duration", ".spec.delivery.backoffDelay", trigger("  delivery:\n    backoffDelay: 200ms\n"), trigger("  delivery:\n    backoffDelay: PT0.2S\n")),
        case("invalid-duration", ".spec.delivery.timeout", trigger("  delivery:\n    timeout: PT5Sx\n"), trigger("  delivery:\n    timeout: PT5S\n")),
        case("feature-gated", ".spec.delivery.retryAfterMax", trigger("  delivery:\n    retryAfterMax: PT30S\n"), trigger("")),
        case("invalid-destination", ".spec.delivery.deadLetterSink", trigger("  delivery:\n    deadLetterSink: {}\n"), trigger("  delivery:\n    deadLetterSink:\n      uri: http://dls.shop.svc.cluster.local\n")),
        case("invalid-destination", ".spec.delivery.deadLetterSink.uri", trigger("  delivery:\n    deadLetterSink:\n      uri: /relative\n"), trigger("")),
        case("invalid-destination", ".spec.delivery.deadLetterSink.uri", trigger("  delivery:\n    deadLetterSink:\n      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n      uri: http://abs.x/\n"), trigger("  delivery:\n    deadLetterSink:\n      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n      uri: /dlq\n")),
        case("missing-field", ".spec.delivery.deadLetterSink.ref.kind", trigger("  delivery:\n    deadLetterSink:\n      ref: {apiVersion: v1, name: sink}\n"), trigger("")),
        case("multiple-dialects", ".spec.filters[0]", trigger("  filters:\n  - exact: {type: a}\n    prefix: {type: b}\n"), trigger("  filters:\n  - exact: {type: a}\n  - prefix: {type: b}\n")),
        case("multiple-dialects", ".spec.filters[0].all[1]", trigger("  filters:\n  - all:\n    - exact: {type: a}\n    - suffix: {type: b}\n      cesql: \"true\"\n"), trigger("")),
        case("invalid-attribute-name", ".spec.filter.attributes.Type", trigger("  filter:\n    attributes:\n      Type: a\n"), trigger("  filter:\n    attributes:\n      type: a\n")),
        case("invalid-attribute-name", ".spec.filters[0].exact.my-attr", trigger("  filters:\n  - exact: {my-attr: a}\n"), trigger("  filters:\n  - exact: {myattr: a}\n")),
        case("empty-filter-value", ".spec.filters[0].prefix.type", trigger("  filters:\n  - prefix: {type: \"\"}\n"), trigger("  filter:\n    attributes:\n      type: \"\"\n")),
        case("invalid-cesql", ".spec.filters[0].cesql", trigger("  filters:\n  - cesql: \"type = = 'a'\"\n"), trigger("  filters:\n  - cesql: \"type = 'a' AND amount > 10\"\n")),
        case("invalid-cesql", ".spec.filters[0].not.cesql", trigger("  filters:\n  - not:\n      cesql: \"subject LIKE 5\"\n"), trigger("  filters:\n  - not:\n      cesql: \"subject LIKE '5%'\"\n")),
        case("invalid-value", ".spec.filter", trigger("  filter:\n    attributes: {type: a}\n  filters:\n  - exact: {type: b}\n"), trigger("  filters:\n  - exact: {type: b}\n")),
        case("exclusive-fields", ".spec.dataBase64", ping("  data: hi\n  dataBase64: aGk=\n"), ping("  dataBase64: aGk=\n")),
        case("invalid-data", ".spec.dataBase64", ping("  dataBase64: '!!notbase64'\n"), ping("")),
        case("invalid-data", ".spec.data", ping("  contentType: application/json\n  data: not json\n"), ping("  contentType: application/json\n  data: '{\"a\": 1}'\n")),
        case("invalid-data", ".spec.data", ping("  contentType: application/json\n  data: '[1, 2]'\n"), ping("  contentType: text/plain\n  data: '[1, 2]'\n")),
        case("invalid-cron", ".spec.schedule", ping("  schedule: every minute\n"), ping("  schedule: '*/5 * * * *'\n")),
        case("invalid-cron", ".spec.schedule", ping("  schedule: '@every 1m'\n"), ping("  schedule: '@hourly'\n")),
        case("invalid-cron", ".spec.schedule", ping("  schedule: '61 * * * *'\n"), ping("  schedule: 'CRON_TZ=Europe/Paris 0 10 * * 1-5'\n")),
        case("invalid-timezone", ".spec.timezone", ping("  timezone: Mars/Olympus\n"), ping("  timezone: Asia/Tokyo\n")),
        case("invalid-attribute-name", ".spec.ceOverrides.extensions.Bad", ping("  ceOverrides:\n    extensions:\n      Bad: x\n"), ping("  ceOverrides:\n    extensions:\n      good: x\n")),
        case("feature-gated", ".spec.subscriber.ref.namespace", trigger("").replace("      name: sink\n", "      name: sink\n      namespace: other\n"), trigger("").replace("      name: sink\n", "      name: sink\n      namespace: shop\n")),
        case("missing-field", ".spec.steps", base("apiVersion: flows.knative.dev/v1\nkind: Sequence\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  steps: []\n"), base("apiVersion: flows.knative.dev/v1\nkind: Sequence\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  steps:\n  - ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n")),
        case("missing-field", ".spec.branches[0].subscriber", base("apiVersion: flows.knative.dev/v1\nkind: Parallel\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  branches:\n  - filter: {uri: 'http://f.x'}\n"), base("apiVersion: flows.knative.dev/v1\nkind: Parallel\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  branches:\n  - subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}}\n")),
        case("invalid-value", ".spec.channel.kind", base("apiVersion: messaging.knative.dev/v1\nkind: Subscription\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  channel: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: default}\n  subscriber: {uri: 'http://x.y'}\n"), base("apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\nmetadata:\n  name: c\n  namespace: shop\n---\napiVersion: messaging.knative.dev/v1\nkind: Subscription\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  channel: {apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: c}\n  subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}}\n")),
        case("exclusive-fields", ".spec.subject.selector", base("apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n  name: b\n  namespace: shop\nspec:\n  subject: {apiVersion: apps/v1, kind: Deployment, name: d, selector: {matchLabels: {a: b}}}\n  sink: {uri: 'http://x.y'}\n"), base("apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n  name: b\n  namespace: shop\nspec:\n  subject: {apiVersion: apps/v1, kind: Deployment, name: d}\n  sink: {uri: 'http://x.y'}\n")),
        case("invalid-value", ".spec.resources[0].selector.matchExpressions[0].values", base("apiVersion: sources.knative.dev/v1\nkind: ApiServerSource\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  resources:\n  - apiVersion: v1\n    kind: Event\n    selector:\n      matchExpressions:\n      - {key: a, operator: In}\n  sink: {uri: 'http://x.y'}\n"), base("apiVersion: sources.knative.dev/v1\nkind: ApiServerSource\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  resources:\n  - apiVersion: v1\n    kind: Event\n    selector:\n      matchExpressions:\n      - {key: a, operator: Exists}\n  sink: {uri: 'http://x.y'}\n")),
        case("bad-enum", ".spec.mode", base("apiVersion: sources.knative.dev/v1\nkind: ApiServerSource\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  mode: Everything\n  resources: [{apiVersion: v1, kind: Event}]\n  sink: {uri: 'http://x.y'}\n"), base("apiVersion: sources.knative.dev/v1\nkind: ApiServerSource\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  mode: Resource\n  resources: [{apiVersion: v1, kind: Event}]\n  sink: {uri: 'http://x.y'}\n")),
        case("missing-field", ".spec.resources", base("apiVersion: sources.knative.dev/v1\nkind: ApiServerSource\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  sink: {uri: 'http://x.y'}\n"), trigger("")),
        case("missing-field", ".spec.template.spec.containers[0].image", base("apiVersion: sources.knative.dev/v1\nkind: ContainerSource\nmetadata:\n  name: c\n  namespace: shop\nspec:\n  template: {spec: {containers: [{name: x}]}}\n  sink: {uri: 'http://x.y'}\n"), base("apiVersion: sources.knative.dev/v1\nkind: ContainerSource\nmetadata:\n  name: c\n  namespace: shop\nspec:\n  template: {spec: {containers: [{image: x}]}}\n  sink: {uri: 'http://x.y'}\n")),
        case("invalid-value", ".spec.traffic", base("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: s2\n  namespace: shop\nspec:\n  template: {spec: {containers: [{image: x, readinessProbe: {httpGet: {path: /}}}]}}\n  traffic: [{latestRevision: true, percent: 50}]\n"), base("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: s2\n  namespace: shop\nspec:\n  template: {spec: {containers: [{image: x, readinessProbe: {httpGet: {path: /}}}]}}\n  traffic: [{latestRevision: true, percent: 100}]\n")),
        case("managed-field", ".spec.subscribers", base("apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\nmetadata:\n  name: c\n  namespace: shop\nspec:\n  subscribers: [{subscriberUri: 'http://x.y'}]\n"), base("apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\nmetadata:\n  name: c\n  namespace: shop\n")),
        // Lint.
        case("dangling-reference", ".spec.subscriber", trigger("").replace("      name: sink\n", "      name: elsewhere\n"), trigger("")),
        case("trigger-broker-missing", ".spec.broker", trigger("").replace("broker: default", "broker: nope"), trigger("")),
        case("source-without-sink", ".spec.sink", base("apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  schedule: '* * * * *'\n"), ping("")),
        case("broker-without-triggers", "", base(""), trigger("")),
        case("broker-config-kind", ".spec.config.kind", base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: rabbit\n  namespace: shop\n  annotations:\n    eventing.knative.dev/broker.class: RabbitMQBroker\nspec:\n  config: {apiVersion: v1, kind: ConfigMap, name: config-br-default-channel}\n"), base("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: rabbit\n  namespace: shop\n  annotations:\n    eventing.knative.dev/broker.class: RabbitMQBroker\nspec:\n  config: {apiVersion: eventing.knative.dev/v1alpha1, kind: RabbitmqBrokerConfig, name: rabbit-config}\n")),
        case("unreachable-sink", "", base("apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\n  namespace: shop\n"), trigger("")),
        case("retries-without-dls", ".spec.delivery", trigger("  delivery:\n    retry: 3\n"), trigger("  delivery:\n    retry: 3\n    deadLetterSink: {uri: 'http://dls.x'}\n")),
        case("shadowed-trigger", ".spec", trigger("  filter:\n    attributes: {type: a, source: s}\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t2\n  namespace: shop\nspec:\n  broker: default\n  filters:\n  - exact: {type: a}\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n"), trigger("  filter:\n    attributes: {type: a, source: s}\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t2\n  namespace: shop\nspec:\n  broker: default\n  filters:\n  - exact: {type: b}\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n")),
        case("reply-loop", "", trigger("") + "---\napiVersion: flows.knative.dev/v1\nkind: Sequence\nmetadata:\n  name: loop\n  namespace: shop\nspec:\n  steps:\n  - ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}\n  reply:\n    ref: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: default}\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: to-loop\n  namespace: shop\nspec:\n  broker: default\n  subscriber:\n    ref: {apiVersion: flows.knative.dev/v1, kind: Sequence, name: loop}\n", trigger("")),
    ]
}

#[test]
fn every_rule_fails_and_passes() {
    let mut failures = Vec::new();
    let mut seen_codes = std::collections::BTreeSet::new();
    for (i, c) in cases().into_iter().enumerate() {
        seen_codes.insert(c.code);
        let bad = check(&c.bad);
        let hit = bad.iter().find(|d| d.code == c.code && d.path == c.path);
        match hit {
            None => failures.push(format!(
                "case {i} ({} at `{}`): not reported; got {:?}",
                c.code,
                c.path,
                codes(&bad)
            )),
            Some(d) => {
                if d.line.is_none() || d.file.as_deref() != Some("test.yaml") {
                    failures.push(format!("case {i} ({}): no file position: {d}", c.code));
                }
            }
        }
        let good = check(&c.good);
        if good.iter().any(|d| d.code == c.code) {
            failures.push(format!(
                "case {i} ({}): reported on the passing case: {:?}",
                c.code,
                codes(&good)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every code a user can meet (but the update-only one) has a case here.
    for (code, _) in knflow_model::diag::CODES {
        // The event-type analysis's codes are knflow-dataplane's (crates/sim/tests/event_types.rs).
        let analysis = matches!(
            *code,
            "trigger-unmatched"
                | "event-type-unconsumed"
                | "reply-loop-type"
                | "duplicate-delivery"
        );
        if !analysis && !matches!(*code, "immutable-field" | "invalid-spec" | "crd-schema") {
            assert!(seen_codes.contains(code), "no test case for `{code}`");
        }
    }
}

#[test]
fn immutable_fields_are_reported_against_the_previous_version() {
    let before = common::load(&trigger(""));
    let moved = common::load(&trigger("").replace("broker: default", "broker: other"));
    let unchanged = common::load(&trigger("  delivery:\n    retry: 1\n"));
    let id = knflow_model::ResourceId::new("Trigger", "t");
    let d = knflow_model::validate::check_update(
        before.flow.get(&id).unwrap(),
        moved.flow.get(&id).unwrap(),
    );
    assert_eq!(codes(&d), vec!["immutable-field@.spec.broker"]);
    assert!(knflow_model::validate::check_update(
        before.flow.get(&id).unwrap(),
        unchanged.flow.get(&id).unwrap()
    )
    .is_empty());
}

#[test]
fn diagnostics_print_with_position_code_and_path() {
    let diags = check(&trigger("  delivery:\n    backoffDelay: soon\n"));
    let d = diags.iter().find(|d| d.code == "invalid-duration").unwrap();
    assert_eq!(
        d.to_string(),
        "test.yaml:31:5: error[invalid-duration]: `soon` is not an ISO-8601 duration such as PT0.2S or PT1M (Trigger/t .spec.delivery.backoffDelay)"
    );
}
