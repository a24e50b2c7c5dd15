//! `kn-flow apply`, `import --cluster` and `validate --crds cluster` as a user runs them: the real
//! binary, a real kubeconfig, kube-rs talking HTTP.
//!
//! No Kubernetes cluster can run on this machine, so the cluster is `kube-standin`, a small API
//! server started by each test on 127.0.0.1 (discovery, server-side apply with managed fields and
//! conflicts, dry-run, get/list/delete, readiness conditions, Status errors; its limits are in
//! its doc comment).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kube_standin::{Options, StandIn};
use serde_json::{json, Value};

const TOKEN: &str = "s3cr3t-token-that-must-never-be-printed";

struct Env {
    server: StandIn,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn start(opts: Options) -> Env {
    let server = StandIn::start(Options {
        token: Some(TOKEN.into()),
        ..opts
    });
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig("shop", TOKEN)).unwrap();
    Env {
        server,
        dir,
        kubeconfig,
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Env {
    fn kn_flow(&self, args: &[&str]) -> Run {
        let o: Output = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir.path())
            .env_remove("KUBERNETES_SERVICE_HOST")
            .output()
            .expect("kn-flow runs");
        let run = Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        eprintln!("$ kn-flow {}\n{}{}", args.join(" "), run.stdout, run.stderr);
        assert!(
            !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
            "the token leaked:\n{}{}",
            run.stdout,
            run.stderr
        );
        run
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn patches(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.starts_with("PATCH") || r.starts_with("DELETE"))
            .collect()
    }
}

fn flow_path(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../flows")
        .join(name)
        .display()
        .to_string()
}

fn ok(r: &Run) {
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
}

const SMALL: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: small
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: default
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: all
  spec:
    broker: default
    subscriber:
      uri: http://display.shop.svc.cluster.local
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: paid
  spec:
    broker: default
    filters:
    - cesql: type = 'order.paid'
    subscriber:
      uri: http://pay.shop.svc.cluster.local
";

#[test]
fn apply_creates_every_object_then_reports_unchanged() {
    let env = start(Options::knative());
    let flow = flow_path("orders.yaml");
    let r = env.kn_flow(&["apply", &flow]);
    ok(&r);
    assert!(r.stdout.contains("Broker/orders created"), "{}", r.stdout);
    assert!(r.stdout.contains("Trigger/big-paid-orders created"));
    let trigger = env
        .server
        .object("triggers", "shop", "big-paid-orders")
        .expect("applied");
    assert_eq!(trigger["spec"]["broker"], "orders");
    assert_eq!(trigger["metadata"]["labels"]["knflow.dev/flow"], "orders");
    let managers: Vec<&str> = trigger["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["kn-flow"]);
    assert!(env
        .patches()
        .iter()
        .all(|p| p.contains("fieldManager=kn-flow") && !p.contains("dryRun")));
    // Brokers are applied before the triggers that need them.
    let order: Vec<String> = env.patches();
    let broker_at = order.iter().position(|p| p.contains("/brokers/")).unwrap();
    let trigger_at = order.iter().position(|p| p.contains("/triggers/")).unwrap();
    assert!(broker_at < trigger_at);

    let again = env.kn_flow(&["apply", &flow]);
    ok(&again);
    assert!(again.stdout.contains("Trigger/big-paid-orders unchanged"));
    assert!(!again.stdout.contains("created"));
}

#[test]
fn missing_crds_are_named_and_nothing_is_applied() {
    let env = start(Options::knative().without_group("eventing.knative.dev"));
    let r = env.kn_flow(&["apply", &flow_path("orders.yaml")]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("Broker (eventing.knative.dev/v1): install Knative Eventing"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Trigger (eventing.knative.dev/v1)"));
    assert!(env.patches().is_empty());
}

#[test]
fn forbidden_names_the_verb_and_the_resource() {
    let mut opts = Options::knative();
    opts.forbidden.push(("patch".into(), "triggers".into()));
    let env = start(opts);
    let flow = env.write("small.yaml", SMALL);
    let r = env.kn_flow(&["apply", &flow]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Broker/default created"));
    assert!(
        r.stderr.contains(
            "forbidden: cannot patch triggers.eventing.knative.dev \"all\" in namespace \"shop\""
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn conflicts_name_field_and_owner_and_force_takes_over() {
    let env = start(Options::knative());
    env.server.apply_as(
        "kubectl",
        json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger",
               "metadata": {"name": "paid", "namespace": "shop"},
               "spec": {"broker": "legacy"}}),
    );
    let flow = env.write("small.yaml", SMALL);
    let r = env.kn_flow(&["apply", &flow]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Trigger/paid conflict"));
    assert!(
        r.stderr
            .contains("Trigger/paid: .spec.broker is owned by field manager \"kubectl\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--force-conflicts"));
    let live = env.server.object("triggers", "shop", "paid").unwrap();
    assert_eq!(live["spec"]["broker"], "legacy");

    let forced = env.kn_flow(&["apply", &flow, "--force-conflicts"]);
    ok(&forced);
    let live = env.server.object("triggers", "shop", "paid").unwrap();
    assert_eq!(live["spec"]["broker"], "default");
}

#[test]
fn dry_runs_change_nothing() {
    let env = start(Options::knative());
    let flow = env.write("small.yaml", SMALL);
    let client = env.kn_flow(&["apply", &flow, "--dry-run=client"]);
    ok(&client);
    assert!(client.stdout.contains("knflow.dev/flow: small"));
    assert!(
        env.server.requests().is_empty(),
        "client dry run contacted the server"
    );

    let server = env.kn_flow(&["apply", &flow, "--dry-run=server"]);
    ok(&server);
    assert!(server
        .stdout
        .contains("Trigger/paid created (server dry run)"));
    assert!(env.server.objects().is_empty());
    assert!(env.patches().iter().all(|p| p.contains("dryRun=All")));
}

#[test]
fn diff_shows_changes_per_object_against_live_state() {
    let env = start(Options::knative());
    let flow = env.write("small.yaml", SMALL);
    ok(&env.kn_flow(&["apply", &flow]));
    let changed = env.write(
        "small.yaml",
        &SMALL.replace("type = 'order.paid'", "type = 'order.refunded'"),
    );
    let before = env.server.objects();
    let r = env.kn_flow(&["apply", &changed, "--diff"]);
    ok(&r);
    assert!(
        r.stdout.contains("Broker/default unchanged"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Trigger/paid changed"));
    assert!(
        r.stdout.contains("-  - cesql: type = 'order.paid'"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("+  - cesql: type = 'order.refunded'"));
    assert!(r.stdout.contains("1 of 3 objects would change"));
    assert_eq!(env.server.objects(), before, "--diff changed the cluster");
}

#[test]
fn prune_deletes_only_leftovers_of_this_flow() {
    let env = start(Options::knative());
    let flow = env.write("small.yaml", SMALL);
    ok(&env.kn_flow(&["apply", &flow]));
    // Someone else's trigger, and one of another flow: neither is ours to delete.
    env.server.apply_as(
        "kubectl",
        json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger",
               "metadata": {"name": "manual", "namespace": "shop"},
               "spec": {"broker": "default"}}),
    );
    env.server.apply_as(
        "kn-flow",
        json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger",
               "metadata": {"name": "other", "namespace": "shop",
                            "labels": {"knflow.dev/flow": "another"}},
               "spec": {"broker": "default"}}),
    );
    let without_paid = SMALL
        .split(
            "- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata:\n    name: paid",
        )
        .next()
        .unwrap();
    let flow = env.write("small.yaml", without_paid);
    let no_prune = env.kn_flow(&["apply", &flow]);
    ok(&no_prune);
    assert!(env.server.object("triggers", "shop", "paid").is_some());

    let r = env.kn_flow(&["apply", &flow, "--prune"]);
    ok(&r);
    assert!(r.stdout.contains("Trigger/paid pruned"), "{}", r.stdout);
    assert!(env.server.object("triggers", "shop", "paid").is_none());
    assert!(env.server.object("triggers", "shop", "all").is_some());
    assert!(env.server.object("triggers", "shop", "manual").is_some());
    assert!(env.server.object("triggers", "shop", "other").is_some());
}

#[test]
fn wait_reports_progress_then_ready() {
    let env = start(Options::knative());
    let flow = env.write("small.yaml", SMALL);
    let r = env.kn_flow(&["apply", &flow, "--wait=20s"]);
    ok(&r);
    assert!(r.stderr.contains("waiting: 0/3 ready"), "{}", r.stderr);
    assert!(r.stderr.contains("3/3 ready"), "{}", r.stderr);
}

#[test]
fn wait_reports_the_failing_condition() {
    let mut opts = Options::knative();
    opts.failing.push((
        "paid".into(),
        "SubscriberResolved".into(),
        "Unable to resolve subscriber".into(),
    ));
    let env = start(opts);
    let flow = env.write("small.yaml", SMALL);
    let r = env.kn_flow(&["apply", &flow, "--wait=2s"]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "Trigger/paid not ready after 2s: Ready=False: SubscriberResolved: Unable to resolve subscriber"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Trigger/all not ready"));
}

/// Import from the cluster gives back what was applied: the same objects as the flow exports
/// (plus the flow label), without status or server-owned metadata.
#[test]
fn import_cluster_round_trips_an_applied_flow() {
    let env = start(Options::knative());
    let flow = flow_path("orders.yaml");
    ok(&env.kn_flow(&["apply", &flow]));
    let out = env.dir.path().join("read.yaml");
    let r = env.kn_flow(&["import", "--cluster", "-o", out.to_str().unwrap()]);
    ok(&r);
    let text = std::fs::read_to_string(&out).unwrap();
    for server_field in ["managedFields", "resourceVersion", "status:", "uid:", TOKEN] {
        assert!(!text.contains(server_field), "{server_field} in\n{text}");
    }
    ok(&env.kn_flow(&["validate", out.to_str().unwrap()]));

    let exported = |path: &str| -> Vec<Value> {
        let r = env.kn_flow(&["export", path, "-o", "json"]);
        ok(&r);
        let mut items: Vec<Value> = serde_json::from_str::<Value>(&r.stdout).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let mut m = m.clone();
                if let Some(l) = m["metadata"]
                    .get_mut("labels")
                    .and_then(Value::as_object_mut)
                {
                    l.shift_remove("knflow.dev/flow");
                    if l.is_empty() {
                        m["metadata"]
                            .as_object_mut()
                            .unwrap()
                            .shift_remove("labels");
                    }
                }
                m
            })
            .collect();
        items.sort_by_key(|m| format!("{}/{}", m["kind"], m["metadata"]["name"]));
        items
    };
    assert_eq!(exported(out.to_str().unwrap()), exported(&flow));
}

#[test]
fn wrong_credentials_and_unreachable_clusters_are_plain_errors() {
    let env = start(Options::knative());
    std::fs::write(
        &env.kubeconfig,
        env.server
            .kubeconfig("shop", "wrong-token-also-secret")
            .replace("token: wrong", &format!("token: wrong{TOKEN}")),
    )
    .unwrap();
    let flow = env.write("small.yaml", SMALL);
    let r = env.kn_flow(&["apply", &flow]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("unauthorized"), "{}", r.stderr);
    assert!(!r.stderr.contains("wrong-token"));

    let dead = env
        .server
        .kubeconfig("shop", TOKEN)
        .replace(env.server.url(), "http://127.0.0.1:1");
    std::fs::write(&env.kubeconfig, dead).unwrap();
    let r = env.kn_flow(&["apply", &flow]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("cannot reach the cluster at http://127.0.0.1:1"),
        "{}",
        r.stderr
    );
}

fn reference_crds() -> Option<Vec<Value>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/knative-crds");
    if !dir.exists() {
        eprintln!("{} is absent: skipping the CRD cases", dir.display());
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                let text = std::fs::read_to_string(&p).unwrap();
                for doc in knflow_model_docs(&text) {
                    if doc["kind"] == "CustomResourceDefinition" {
                        out.push(doc);
                    }
                }
            }
        }
    }
    Some(out)
}

/// The documents of a YAML file, read with knflow's own loader.
fn knflow_model_docs(text: &str) -> Vec<Value> {
    knflow_model::yaml::parse_documents(text)
        .map(|docs| docs.into_iter().map(|d| d.value).collect())
        .unwrap_or_default()
}

#[test]
fn validate_against_the_clusters_crds() {
    let Some(crds) = reference_crds() else {
        return;
    };
    let env = start(Options::knative());
    for crd in crds {
        env.server.apply_as("kube-apiserver", crd);
    }
    ok(&env.kn_flow(&["validate", "--crds", "cluster", &flow_path("orders.yaml")]));
    let broken = env.write(
        "broken.yaml",
        &SMALL.replace(
            "    broker: default\n    subscriber:\n      uri: http://display",
            "    broker: default\n    subscriber:\n      url: http://display",
        ),
    );
    let r = env.kn_flow(&["validate", "--crds", "cluster", &broken]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(".spec.subscriber"), "{}", r.stdout);
}
