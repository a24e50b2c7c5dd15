//! The cluster panel's commands (`knflow_desktop::cluster`) through kube-rs over real HTTP.
//!
//! No Kubernetes cluster can run on this machine, so the cluster is `kube-standin`, the API
//! server stand-in the CLI's cluster tests use (discovery, server-side apply with managed
//! fields and conflicts, dry run, list, readiness, Status errors). kube-rs reads the
//! kubeconfig from `KUBECONFIG`, which is process-wide, so the scenarios run in order in one
//! test.

use std::path::Path;
use std::time::Duration;

use knflow_desktop::cluster;
use knflow_k8s::cluster::Target;
use kube_standin::{Options, StandIn};
use serde_json::{json, Value};

const TOKEN: &str = "desktop-token-that-must-never-reach-the-web-view";

const FLOW: &str = "apiVersion: knflow.dev/v1alpha1
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
    name: paid
  spec:
    broker: default
    filters:
    - cesql: type = 'order.paid'
    subscriber:
      uri: http://pay.shop.svc.cluster.local
";

fn standin(opts: Options, dir: &Path) -> StandIn {
    let s = StandIn::start(Options {
        token: Some(TOKEN.into()),
        ..opts
    });
    let kubeconfig = dir.join(format!(
        "kubeconfig-{}",
        s.url().rsplit(':').next().unwrap()
    ));
    std::fs::write(&kubeconfig, s.kubeconfig("shop", TOKEN)).unwrap();
    std::env::set_var("KUBECONFIG", &kubeconfig);
    s
}

/// Everything the web view receives goes through here: it must never carry the credentials.
fn seen<T: std::fmt::Debug>(r: &Result<T, String>) {
    let text = format!("{r:?}");
    assert!(
        !text.contains(TOKEN),
        "credentials reached the web view: {text}"
    );
}

fn target() -> Target {
    Target {
        context: Some("standin".into()),
        namespace: None,
    }
}

fn objects(v: &Value, key: &str) -> Vec<(String, String)> {
    v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["object"].as_str().unwrap().to_string(),
                o[key].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_panel_against_a_stand_in_api_server() {
    std::env::remove_var("KUBERNETES_SERVICE_HOST");
    let dir = tempfile::tempdir().unwrap();
    let t = target();

    // Contexts and namespaces.
    let s = standin(Options::knative(), dir.path());
    let c = cluster::contexts();
    seen(&c);
    let c = c.unwrap();
    assert_eq!(c["current"], "standin");
    assert_eq!(
        c["contexts"],
        json!([{"name": "standin", "cluster": "standin", "namespace": "shop"}])
    );
    for ns in ["shop", "other"] {
        s.apply_as(
            "kubectl",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
    }
    let connected = cluster::connect(&t).await;
    seen(&connected);
    let connected = connected.unwrap();
    assert_eq!(connected["cluster"], s.url().trim_end_matches('/'));
    assert_eq!(connected["namespace"], "shop");
    assert_eq!(connected["namespaces"], json!(["other", "shop"]));

    // Diff before anything exists: every object is new.
    let d = cluster::diff(FLOW, &t).await;
    seen(&d);
    let d = d.unwrap();
    assert_eq!(d["namespace"], "shop");
    assert_eq!(
        objects(&d, "change"),
        vec![
            ("Broker/default".to_string(), "new".to_string()),
            ("Trigger/paid".to_string(), "new".to_string())
        ]
    );
    assert!(d["objects"][1]["diff"]
        .as_str()
        .unwrap()
        .contains("order.paid"));

    // Server dry run: outcomes, nothing stored.
    let dry = cluster::apply(FLOW, &t, true, false).await;
    seen(&dry);
    assert_eq!(
        objects(&dry.unwrap(), "outcome"),
        vec![
            ("Broker/default".to_string(), "created".to_string()),
            ("Trigger/paid".to_string(), "created".to_string())
        ]
    );
    assert!(s.object("triggers", "shop", "paid").is_none());

    // Apply, then the diff is empty and readiness is reported.
    let applied = cluster::apply(FLOW, &t, false, false).await.unwrap();
    assert_eq!(objects(&applied, "outcome")[1].1, "created");
    let stored = s.object("triggers", "shop", "paid").unwrap();
    assert_eq!(stored["metadata"]["labels"]["knflow.dev/flow"], "small");
    let d = cluster::diff(FLOW, &t).await.unwrap();
    assert!(
        objects(&d, "change").iter().all(|(_, c)| c == "unchanged"),
        "{d}"
    );
    let mut rounds = Vec::new();
    let w = cluster::wait(
        FLOW,
        &t,
        Duration::from_secs(10),
        Duration::from_millis(50),
        |p| rounds.push(p),
    )
    .await;
    seen(&w);
    let w = w.unwrap();
    assert!(
        w["objects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["ready"] == true),
        "{w}"
    );
    assert!(!rounds.is_empty());
    assert_eq!(rounds.last().unwrap()["total"], 2);

    // A change shows as a diff; another manager's field is a conflict naming the owner.
    let changed = FLOW.replace("order.paid", "order.refunded");
    let d = cluster::diff(&changed, &t).await.unwrap();
    assert_eq!(objects(&d, "change")[1].1, "changed");
    let diff = d["objects"][1]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-") && diff.contains("order.refunded"),
        "{diff}"
    );
    s.apply_as(
        "someone-else",
        json!({"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger",
               "metadata": {"name": "paid", "namespace": "shop"},
               "spec": {"subscriber": {"uri": "http://other.example"}}}),
    );
    let conflicted = cluster::apply(FLOW, &t, false, false).await.unwrap();
    let trig = &conflicted["objects"][1];
    assert!(
        trig["error"].as_str().unwrap().contains("conflict"),
        "{trig}"
    );
    assert_eq!(trig["conflicts"][0]["manager"], "someone-else", "{trig}");
    let forced = cluster::apply(FLOW, &t, false, true).await.unwrap();
    assert_eq!(objects(&forced, "outcome")[1].1, "configured");

    // Import: the namespace's objects as a flow with a layout.
    let imported = cluster::import(&t, false).await;
    seen(&imported);
    let loaded = knflow_model::load_str(&imported.unwrap(), "imported");
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let names: Vec<String> = loaded.flow.resources().map(|r| r.id.to_string()).collect();
    assert!(names.iter().any(|n| n == "Trigger/paid"), "{names:?}");

    // A broken flow is refused before any request.
    let e = cluster::diff("resources: [", &t).await.unwrap_err();
    assert!(e.starts_with("the flow has errors"), "{e}");
    drop(s);

    // CRDs missing: named, with what installs them.
    let _s = standin(
        Options::knative().without_group("eventing.knative.dev"),
        dir.path(),
    );
    let e = cluster::apply(FLOW, &t, false, false).await;
    seen(&e);
    let e = e.unwrap_err();
    assert!(
        e.contains("Broker (eventing.knative.dev/v1): install Knative Eventing"),
        "{e}"
    );

    // Forbidden: the verb and the object.
    let mut opts = Options::knative();
    opts.forbidden.push(("patch".into(), "triggers".into()));
    let _s = standin(opts, dir.path());
    let r = cluster::apply(FLOW, &t, false, false).await.unwrap();
    let err = r["objects"][1]["error"].as_str().unwrap();
    assert!(
        err.contains("forbidden: cannot patch triggers.eventing.knative.dev \"paid\""),
        "{err}"
    );
    assert!(!err.contains(TOKEN));

    // No cluster at the address: said plainly.
    let gone = {
        let s = standin(Options::knative(), dir.path());
        s.url().to_string()
    };
    let e = cluster::diff(FLOW, &t).await;
    seen(&e);
    let e = e.unwrap_err();
    assert!(
        e.contains(gone.trim_start_matches("http://")) || e.contains("connect"),
        "{e}"
    );
    let e = cluster::connect(&t).await.unwrap_err();
    assert!(e.starts_with("cannot reach the cluster at"), "{e}");

    // No kubeconfig where KUBECONFIG points: the path once, unquoted, and what to do.
    let missing = dir.path().join("no-such-kubeconfig");
    std::env::set_var("KUBECONFIG", &missing);
    for e in [
        cluster::contexts().unwrap_err(),
        cluster::connect(&t).await.unwrap_err(),
        cluster::connect(&Target::default()).await.unwrap_err(),
    ] {
        assert_eq!(
            e,
            format!(
                "no kubeconfig: KUBECONFIG names {}, which does not exist. Point KUBECONFIG at \
                 your kubeconfig file and start again.",
                missing.display()
            )
        );
    }
}
