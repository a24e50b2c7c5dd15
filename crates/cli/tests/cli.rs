//! `kn-flow` as a user runs it: the real binary on real files, checking output and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kn_flow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(args)
        .output()
        .expect("kn-flow runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Atomic writes leave no temporary file behind.
fn no_temporary_files(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const BAD: &str = "apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: t
spec:
  broker: default
  subscriber:
    uri: http://display.default.svc.cluster.local
  delivery:
    backoffPolicy: sometimes
";

#[test]
fn validate_examples_exits_zero() {
    let o = kn_flow(&["validate", repo().join("flows").to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 errors, 0 warnings in"));
}

#[test]
fn errors_print_positioned_and_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.yaml", BAD);
    let o = kn_flow(&["validate", &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{f}:10:5: error[bad-enum]: `sometimes` is not one of `linear`, `exponential` (Trigger/t .spec.delivery.backoffPolicy)")),
        "{out}"
    );
    // The broker is not in the file: a warning only.
    assert!(out.contains("warning[trigger-broker-missing]"), "{out}");
}

#[test]
fn warnings_exit_zero_unless_denied_and_strict_makes_unknown_fields_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "warn.yaml",
        &BAD.replace("    backoffPolicy: sometimes\n", "    custom: 1\n"),
    );
    assert_eq!(kn_flow(&["validate", &f]).status.code(), Some(0));
    assert_eq!(
        kn_flow(&["validate", "--deny-warnings", &f]).status.code(),
        Some(1)
    );
    let strict = kn_flow(&["validate", "--strict", &f]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stdout(&strict).contains("error[unknown-field]: unknown field `custom`"),
        "{}",
        stdout(&strict)
    );
}

#[test]
fn json_output_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.yaml", BAD);
    let o = kn_flow(&["validate", "-o", "json", &f]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 1);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "bad-enum")
        .unwrap();
    assert_eq!(d["path"], ".spec.delivery.backoffPolicy");
    assert_eq!(d["line"], 10);
    assert_eq!(d["column"], 5);
    assert_eq!(d["resource"], "Trigger/t");
    assert_eq!(d["severity"], "error");
}

#[test]
fn usage_and_io_errors_exit_two() {
    assert_eq!(
        kn_flow(&["validate", "/no/such/file.yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(kn_flow(&["validate"]).status.code(), Some(2));
    assert_eq!(kn_flow(&["frobnicate"]).status.code(), Some(2));
    let v = kn_flow(&["--version"]);
    assert_eq!(v.status.code(), Some(0));
    assert!(stdout(&v).starts_with("kn-flow "));
}

#[test]
fn immutable_changes_against_a_previous_version_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        dir.path(),
        "old.yaml",
        &BAD.replace("    backoffPolicy: sometimes\n", ""),
    );
    let new = write(
        dir.path(),
        "new.yaml",
        &BAD.replace("    backoffPolicy: sometimes\n", "")
            .replace("broker: default", "broker: other"),
    );
    let o = kn_flow(&["validate", "--previous", &old, &new]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("error[immutable-field]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn fmt_rewrites_canonically_and_refuses_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let messy =
        "kind: Broker\nmetadata: {namespace: x, name: b}\napiVersion: eventing.knative.dev/v1\n";
    let f = write(dir.path(), "messy.yaml", messy);
    assert_eq!(kn_flow(&["fmt", "--check", &f]).status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        messy,
        "--check changes nothing"
    );
    assert_eq!(kn_flow(&["fmt", &f]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n  namespace: x\n"
    );
    assert_eq!(kn_flow(&["fmt", "--check", &f]).status.code(), Some(0));
    // A file that does not load is left exactly as it was.
    let broken = "apiVersion: v1\nkind: [\n";
    let b = write(dir.path(), "broken.yaml", broken);
    assert_eq!(kn_flow(&["fmt", &b]).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&b).unwrap(), broken);
    no_temporary_files(dir.path());
}

const EVENT: &str = r#"{"specversion": "1.0", "id": "42", "source": "/shop/checkout", "type": "order.paid",
  "time": "2026-11-27T10:00:00+01:00", "amount": 250, "subject": "eu-7", "data": {"amount": 250}}"#;

#[test]
fn cesql_prints_value_then_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ev = write(dir.path(), "ev.json", EVENT);
    let o = kn_flow(&[
        "cesql",
        "type = 'order.paid' AND amount > 100 AND subject LIKE 'eu-%'",
        "--event",
        &ev,
    ]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "true\n"));
    let o = kn_flow(&["cesql", "time", "--event", &ev]);
    assert_eq!(
        stdout(&o),
        "\"2026-11-27T10:00:00+01:00\"\n",
        "time reads as written"
    );
    let o = kn_flow(&["cesql", "LENGTH('abc') * 2"]);
    assert_eq!(stdout(&o), "6\n");
    // An expression starting with `-` is the expression, with or without `--`.
    for args in [&["cesql", "-4 + 1"][..], &["cesql", "--", "-4 + 1"]] {
        let o = kn_flow(args);
        assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "-3\n"));
    }
    let o = kn_flow(&["cesql", "-4 + 1", "--event", &ev]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "-3\n"));
    let o = kn_flow(&["cesql", "10 / 0 + missing"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "0\nerror[math] at col 6: division by zero\nerror[missingAttribute] at col 10: the event has no attribute `missing`\n"
    );
    let o = kn_flow(&["cesql", "subject LIKE 5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("false\nerror[parse] at col 14: expected a string literal pattern"),
        "{}",
        stdout(&o)
    );
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"specversion": "1.0", "type": "x", "source": "/s"}"#,
    );
    let o = kn_flow(&["cesql", "true", "--event", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`id` is missing"));
    assert_eq!(
        kn_flow(&["cesql", "true", "--event", "/no/such.json"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn match_with_a_filter_file_explains() {
    let dir = tempfile::tempdir().unwrap();
    let ev = write(dir.path(), "ev.json", EVENT);
    let trigger = write(
        dir.path(),
        "t.yaml",
        "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t}\nspec:\n  broker: b\n  filters:\n  - prefix: {type: invoice.}\n  subscriber: {uri: 'http://x.y'}\n",
    );
    let o = kn_flow(&["match", "--filter", &trigger, "--event", &ev, "--explain"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "fail\n  filters[0].prefix.type: \"order.paid\" does not start with \"invoice.\" (fail)\n"
    );
    let spec_only = write(
        dir.path(),
        "s.json",
        r#"{"filter": {"attributes": {"type": "order.paid"}}}"#,
    );
    let o = kn_flow(&["match", "--filter", &spec_only, "--event", &ev]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "pass\n"));
    let nothing = write(dir.path(), "n.yaml", "hello: world\n");
    assert_eq!(
        kn_flow(&["match", "--filter", &nothing, "--event", &ev])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kn_flow(&["match", "--event", &ev]).status.code(),
        Some(2),
        "--filter or --flow is required"
    );
}

#[test]
fn match_with_a_flow_lists_every_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let ev = write(dir.path(), "ev.json", EVENT);
    let flow = repo().join("flows/orders.yaml");
    let o = kn_flow(&[
        "match",
        "--flow",
        flow.to_str().unwrap(),
        "--event",
        &ev,
        "--broker",
        "orders",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Trigger/big-paid-orders (broker orders): pass\n  filters[0].cesql: `type = 'order.paid' AND amount > 100` is true (pass)"), "{out}");
    assert!(out.contains("Trigger/notify-fulfilled (broker orders): fail\n  filters[0].exact.type: \"order.paid\" does not equal \"order.fulfilled\" (fail)"), "{out}");
    let o = kn_flow(&[
        "match",
        "--flow",
        flow.to_str().unwrap(),
        "--event",
        &ev,
        "--broker",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn simulate_prints_a_timeline_and_json_hops() {
    let dir = tempfile::tempdir().unwrap();
    let ev = write(dir.path(), "ev.json", EVENT);
    let flow = repo().join("flows/orders.yaml");
    let flow = flow.to_str().unwrap();
    let o = kn_flow(&[
        "simulate",
        flow,
        "--send",
        "Broker/orders",
        "--event",
        &ev,
        "--behavior",
        "Service/notify=fail:503",
        "-o",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let notify: Vec<&serde_json::Value> = v["hops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["to"] == "Service/notify" && !h["attempt"].is_null())
        .collect();
    // retry 5, linear PT1S (retry k waits (k−1) s): attempts at 0, 0, 1, 3, 6 and 10 s, then the DLS.
    let times: Vec<u64> = notify
        .iter()
        .map(|h| h["time_ms"].as_u64().unwrap())
        .collect();
    assert_eq!(times, vec![0, 0, 1000, 3000, 6000, 10000]);
    assert_eq!(notify[5]["outcome"], "failed");
    assert_eq!(notify[0]["outcome"], "retrying");
    assert_eq!(notify[0]["via"], "Trigger/notify-fulfilled");
    assert_eq!(notify[0]["status"], 503);
    assert_eq!(notify[0]["event"]["type"], "order.fulfilled");
    let dls: Vec<_> = v["hops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["outcome"] == "dead-lettered")
        .collect();
    assert_eq!(dls.len(), 1);
    assert_eq!(dls[0]["to"], "Service/dead-letters");
    assert_eq!(dls[0]["event"]["knativeerrorcode"], 503);
    assert_eq!(v["summary"]["Service/notify"]["retried"], 5);
    let text = kn_flow(&["simulate", flow, "--send", "Broker/orders", "--event", &ev]);
    let out = stdout(&text);
    assert!(
        out.contains("Broker/orders → Service/fulfil via Trigger/big-paid-orders #1  200 replied"),
        "{out}"
    );
    assert!(out.contains("summary:"));
    // Errors: unknown target, bad behavior.
    assert_eq!(
        kn_flow(&["simulate", flow, "--send", "Broker/nope", "--event", &ev])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kn_flow(&[
            "simulate",
            flow,
            "--send",
            "Broker/orders",
            "--event",
            &ev,
            "--behavior",
            "Service/x=explode"
        ])
        .status
        .code(),
        Some(2)
    );
    let ping = kn_flow(&[
        "simulate",
        repo().join("flows/hello-ping.yaml").to_str().unwrap(),
        "--send",
        "PingSource/heartbeat",
        "--until",
        "5m",
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&ping.stdout).unwrap();
    assert_eq!(
        v["summary"]["Service/event-display"]["delivered"], 4,
        "ticks at minutes 1–4 within 5m"
    );
}

#[test]
fn test_runs_scenarios_and_fails_with_a_diff() {
    let o = kn_flow(&["test", repo().join("flows").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).trim_end().ends_with("0 failed"));
    let dir = tempfile::tempdir().unwrap();
    let mut flow = std::fs::read_to_string(repo().join("flows/orders.yaml")).unwrap();
    flow.push_str("- name: broken on purpose\n  send:\n    to: Broker/orders\n    event: {type: order.paid, amount: 5}\n  expect:\n  - delivered: Service/fulfil\n");
    let f = write(dir.path(), "orders.yaml", &flow);
    let o = kn_flow(&["test", &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAIL  ") && out.contains("broken on purpose\n  - expected: delivered to Service/fulfil\n    + actual:   never delivered"), "{out}");
    assert!(out.trim_end().ends_with("2 passed, 1 failed"));
    let junit = kn_flow(&["test", "--format", "junit", &f]);
    let xml = stdout(&junit);
    assert!(xml.contains("<testsuite ") && xml.contains("failures=\"1\"") && xml.contains("<failure message=\"expected delivered to Service/fulfil; actual: never delivered\">"), "{xml}");
}

#[test]
fn export_writes_yaml_json_and_split_files() {
    let flow = repo().join("flows/channel.yaml");
    let flow = flow.to_str().unwrap();
    let o = kn_flow(&["export", flow]);
    assert_eq!(o.status.code(), Some(0));
    let yaml = stdout(&o);
    assert!(yaml.starts_with("# Kubernetes manifests of flow `telemetry-channel`"));
    assert!(!yaml.contains("layout:") && !yaml.contains("simulation:"));
    let o = kn_flow(&["export", flow, "-o", "json", "--namespace", "prod"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["metadata"]["namespace"] == "prod"));
    let dir = tempfile::tempdir().unwrap();
    let o = kn_flow(&["export", flow, "--split", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9);
    assert_eq!(names[0], "01-channel-readings.yaml");
    let file = dir.path().join("all.json");
    assert_eq!(
        kn_flow(&["export", flow, "-o", file.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 9);
}

#[test]
fn validate_against_crds() {
    let crds = repo().join("../shared/reference/knative-crds");
    if !crds.is_dir() {
        eprintln!("note: {} is absent; skipping", crds.display());
        return;
    }
    let crds = crds.to_str().unwrap();
    assert_eq!(
        kn_flow(&[
            "validate",
            "--crds",
            crds,
            repo().join("flows").to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.yaml", "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\nspec:\n  schedule: '* * * * *'\n  sink:\n    uri: http://x.y\n    colour: red\n");
    let o = kn_flow(&["validate", "--crds", crds, &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("error[crd-schema]") && out.contains("(PingSource/p .spec.sink)"),
        "{out}"
    );
    assert_eq!(
        kn_flow(&["validate", "--crds", "cluster", &f])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kn_flow(&["validate", "--crds", dir.path().to_str().unwrap(), &f])
            .status
            .code(),
        Some(2),
        "no CRDs there"
    );
}

#[test]
fn import_builds_a_flow_and_reports_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    assert_eq!(
        kn_flow(&[
            "export",
            repo().join("flows/orders.yaml").to_str().unwrap(),
            "--split",
            parts.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    std::fs::create_dir(parts.join("nested")).unwrap();
    std::fs::write(parts.join("nested/extra.yaml"), "# a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n").unwrap();
    std::fs::write(parts.join("zz-broken.yaml"), "apiVersion: v1\nkind: [\n").unwrap();
    let out = dir.path().join("orders.yaml");
    let o = kn_flow(&[
        "import",
        parts.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "a broken file makes it exit 1");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("zz-broken.yaml:3:1: error[yaml-syntax]") || err.contains("zz-broken.yaml:2:"),
        "{err}"
    );
    assert!(err.contains("imported 9 resources"), "{err}");
    let flow = std::fs::read_to_string(&out).unwrap();
    assert!(flow.starts_with("apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: orders\n  namespace: shop\n"), "{flow}");
    assert!(flow.contains("kind: ConfigMap") && flow.contains("layout:"));
    // The imported flow is valid and exports the same objects again.
    assert_eq!(
        kn_flow(&["validate", out.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

#[test]
fn import_with_defaults_adds_what_the_webhooks_would() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "b.yaml",
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b, namespace: x}\n",
    );
    let out = dir.path().join("f.yaml");
    assert_eq!(
        kn_flow(&[
            "import",
            &src,
            "-o",
            out.to_str().unwrap(),
            "--with-defaults"
        ])
        .status
        .code(),
        Some(0)
    );
    let flow = std::fs::read_to_string(&out).unwrap();
    assert!(
        flow.contains("eventing.knative.dev/broker.class: MTChannelBasedBroker")
            && flow.contains("backoffDelay: PT0.2S"),
        "{flow}"
    );
    assert_eq!(
        kn_flow(&["import", &src, "-o", out.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap()
            .contains("broker.class"),
        "without the flag objects stay as written"
    );
}

/// A tutorial written for versions Knative no longer serves (as the eventing docs of 2020
/// wrote it: a v1alpha2 PingSource with `jsonData`, a v1beta1 Broker and Trigger).
const LEGACY: &str = r#"apiVersion: sources.knative.dev/v1alpha2
kind: PingSource
metadata:
  name: test-ping-source
spec:
  schedule: "*/2 * * * *"
  jsonData: '{"message": "Hello world!"}'
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1beta1
      kind: Broker
      name: default
---
apiVersion: eventing.knative.dev/v1beta1
kind: Broker
metadata:
  name: default
---
apiVersion: eventing.knative.dev/v1beta1
kind: Trigger
metadata:
  name: display
spec:
  broker: default
  filter:
    attributes:
      type: dev.knative.sources.ping
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: event-display
spec:
  template:
    spec:
      containers:
      - image: gcr.io/knative-releases/knative.dev/eventing/cmd/event_display
"#;

#[test]
fn import_and_fmt_upgrade_retired_versions_and_say_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = write(dir.path(), "legacy.yaml", LEGACY);
    let flow = dir.path().join("flow.yaml").display().to_string();
    // Imported as written, the old versions are errors naming the served one.
    let o = kn_flow(&["import", &legacy, "-o", &flow]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = kn_flow(&["validate", &flow]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("unknown-api-version"), "{}", stdout(&o));
    // fmt --upgrade rewrites them and reports each object and field.
    let o = kn_flow(&["fmt", "--upgrade", &flow]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(": PingSource/test-ping-source: sources.knative.dev/v1alpha2 → sources.knative.dev/v1\n"),
        "{out}"
    );
    assert!(out.contains("  spec.jsonData → spec.data"), "{out}");
    assert!(
        out.contains(
            "  .spec.sink.ref.apiVersion eventing.knative.dev/v1beta1 → eventing.knative.dev/v1"
        ),
        "{out}"
    );
    assert!(
        out.contains(": Trigger/display: eventing.knative.dev/v1beta1 → eventing.knative.dev/v1"),
        "{out}"
    );
    let o = kn_flow(&["validate", &flow]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = std::fs::read_to_string(&flow).unwrap();
    assert!(
        text.contains(r#"data: "{\"message\":\"Hello world!\"}""#),
        "{text}"
    );
    assert!(text.contains("contentType: application/json"), "{text}");
    // Nothing left to upgrade: a second run changes nothing.
    let o = kn_flow(&["fmt", "--upgrade", &flow]);
    assert_eq!(stdout(&o), "");
    // import --upgrade does it in one go (the report on stderr, the flow on stdout).
    let o = kn_flow(&["import", "--upgrade", &legacy, "-o", "-"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains(
        "PingSource/test-ping-source: sources.knative.dev/v1alpha2 → sources.knative.dev/v1"
    ));
    assert!(
        stdout(&o).contains("apiVersion: sources.knative.dev/v1\n"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("v1beta1"), "{}", stdout(&o));
}

#[test]
fn validate_lists_fixes_and_fix_applies_them_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "t.yaml",
        "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  broker: default\n  subscriber:\n    ref:\n      kind: Service\n      name: display\n---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: display\nspec:\n  template:\n    spec:\n      containers:\n      - image: example.com/display\n",
    );
    let o = kn_flow(&["validate", "-o", "json", &file]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fixes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["fix"]["title"].as_str())
        .collect();
    assert_eq!(
        fixes,
        [
            "Create Broker/default",
            "Set apiVersion to serving.knative.dev/v1"
        ],
        "{report}"
    );
    let set = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-field")
        .unwrap();
    assert_eq!(
        set["fix"]["edits"][0],
        serde_json::json!({"op": "set", "resource": "Trigger/t", "path": ".spec.subscriber.ref.apiVersion", "value": "serving.knative.dev/v1"})
    );
    // --fix applies both, says so on stderr, and what is left is clean.
    let o = kn_flow(&["validate", "--fix", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("Trigger/t: Create Broker/default"), "{said}");
    assert!(
        said.contains("Trigger/t: Set apiVersion to serving.knative.dev/v1"),
        "{said}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("kind: Broker\nmetadata:\n  name: default"),
        "{text}"
    );
    assert!(
        text.contains("apiVersion: serving.knative.dev/v1\n"),
        "{text}"
    );
    no_temporary_files(dir.path());
    // Nothing left to fix: a second run changes nothing.
    let o = kn_flow(&["validate", "--fix", &file]);
    assert!(
        String::from_utf8_lossy(&o.stderr).is_empty()
            || !String::from_utf8_lossy(&o.stderr).contains("fixed")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

/// A duplicate is kept under a new name and retries without a dead-letter sink get the flow's
/// own (or a new `dead-letters` Service): nothing the file held is lost by `--fix`.
#[test]
fn fix_keeps_a_duplicate_under_a_new_name_and_gives_retries_a_dead_letter_sink() {
    let dir = tempfile::tempdir().unwrap();
    let display = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: display\nspec:\n  template:\n    spec:\n      containers:\n      - image: example.com/display\n";
    let trigger = |name: &str, delivery: &str| {
        format!("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: {name}\nspec:\n  broker: default\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: display\n{delivery}")
    };
    let text = [
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n"
            .to_string(),
        display.to_string(),
        trigger("audit", "  delivery:\n    retry: 3\n"),
        // The same name again, with another filter: a copy-paste slip.
        trigger("audit", "  filter:\n    attributes:\n      type: b\n"),
    ]
    .join("---\n");
    let file = write(dir.path(), "t.yaml", &text);
    let o = kn_flow(&["validate", "--fix", &file]);
    let said = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        said.contains("Trigger/audit: Keep it as Trigger/audit-2"),
        "{said}"
    );
    assert!(
        said.contains("Trigger/audit: Dead-letter to Service/dead-letters"),
        "{said}"
    );
    let fixed = knflow_model::load_str(&std::fs::read_to_string(&file).unwrap(), "t.yaml");
    assert!(!fixed.has_errors(), "{:?}", fixed.diagnostics);
    let f = &fixed.flow;
    let copy = f
        .get(&knflow_model::ResourceId::parse("Trigger/audit-2").unwrap())
        .expect("the duplicate is kept");
    assert_eq!(copy.manifest["spec"]["filter"]["attributes"]["type"], "b");
    let first = f
        .get(&knflow_model::ResourceId::parse("Trigger/audit").unwrap())
        .unwrap();
    assert_eq!(
        first.manifest["spec"]["delivery"]["deadLetterSink"]["ref"]["name"],
        "dead-letters"
    );
    assert!(f
        .get(&knflow_model::ResourceId::parse("Service/dead-letters").unwrap())
        .is_some());
    // A flow that already dead-letters somewhere uses that sink.
    let with_dls = [
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n".to_string(),
        display.to_string(),
        trigger("audit", "  delivery:\n    retry: 3\n"),
        trigger("other", "  delivery:\n    deadLetterSink:\n      ref:\n        apiVersion: serving.knative.dev/v1\n        kind: Service\n        name: display\n"),
    ]
    .join("---\n");
    let file = write(dir.path(), "u.yaml", &with_dls);
    let o = kn_flow(&["validate", "--fix", &file]);
    let said = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(said.contains("Dead-letter to Service/display"), "{said}");
    no_temporary_files(dir.path());
}
