//! The cluster panel's operations, over `knflow_k8s::cluster` (the same code as `kn-flow apply`
//! and `import --cluster`). Results are JSON for the web view; like every message of that
//! module, they carry names and diffs, never credentials.

use std::time::Duration;

use knflow_k8s::cluster::{self, ApplyError, Change, Cluster, Planned, Readiness, Target};
use knflow_k8s::export;
use serde_json::{json, Value};

/// The kubeconfig's contexts and the current one.
pub fn contexts() -> Result<Value, String> {
    let (list, current) = cluster::contexts().map_err(|e| e.to_string())?;
    let list: Vec<Value> = list
        .into_iter()
        .map(|c| json!({"name": c.name, "cluster": c.cluster, "namespace": c.namespace}))
        .collect();
    Ok(json!({"contexts": list, "current": current}))
}

/// Connects to the target and asks the API server something every user may read: the
/// server's address, the namespace objects go to, and the namespaces if the user may list them.
pub async fn connect(target: &Target) -> Result<Value, String> {
    let c = Cluster::connect(target).await.map_err(|e| e.to_string())?;
    c.check().await.map_err(|e| e.to_string())?;
    let namespaces = c.namespaces().await.unwrap_or_default();
    Ok(json!({"cluster": c.url(), "namespace": c.namespace(), "namespaces": namespaces}))
}

/// Connects and plans the flow's objects for the target.
async fn plan(flow_text: &str, target: &Target) -> Result<(Cluster, Vec<Planned>), String> {
    let loaded = knflow_model::load_str(flow_text, "flow.yaml");
    if loaded.has_errors() {
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the flow has errors; fix them first:\n{}",
            msgs.join("\n")
        ));
    }
    let manifests = export::manifests(
        &loaded.flow,
        &export::Options {
            namespace: target.namespace.clone(),
        },
    );
    let c = Cluster::connect(target).await.map_err(|e| e.to_string())?;
    let planned = c
        .plan(manifests, &loaded.flow.name, target.namespace.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    Ok((c, planned))
}

fn header(c: &Cluster) -> Value {
    json!({"cluster": c.url(), "namespace": c.namespace()})
}

/// What applying would change, per object: `new` (with its YAML), `changed` (a unified diff
/// of live against the server's dry run), or `unchanged`.
pub async fn diff(flow_text: &str, target: &Target) -> Result<Value, String> {
    let (c, planned) = plan(flow_text, target).await?;
    let mut objects = Vec::new();
    for p in &planned {
        let (change, text) = match c.diff(p).await.map_err(|e| format!("{}: {e}", p.label()))? {
            Change::Unchanged => ("unchanged", String::new()),
            Change::New(yaml) => ("new", yaml),
            Change::Changed(d) => ("changed", d),
        };
        objects.push(json!({"object": p.label(), "change": change, "diff": text}));
    }
    let mut v = header(&c);
    v["objects"] = Value::Array(objects);
    Ok(v)
}

/// Server-side applies every object (or only asks the server, with `dry_run`). Each object
/// reports its outcome or its error; conflicts name the field and its owner.
pub async fn apply(
    flow_text: &str,
    target: &Target,
    dry_run: bool,
    force_conflicts: bool,
) -> Result<Value, String> {
    let (c, planned) = plan(flow_text, target).await?;
    let mut objects = Vec::new();
    for p in &planned {
        objects.push(match c.apply(p, force_conflicts, dry_run).await {
            Ok(outcome) => json!({"object": p.label(), "outcome": outcome.as_str()}),
            Err(e) => {
                let conflicts: Vec<Value> = match &e {
                    ApplyError::Conflicts(cs) => cs
                        .iter()
                        .map(|c| json!({"field": c.field, "manager": c.manager}))
                        .collect(),
                    ApplyError::Other(_) => Vec::new(),
                };
                json!({"object": p.label(), "error": e.to_string(), "conflicts": conflicts})
            }
        });
    }
    let mut v = header(&c);
    v["dryRun"] = json!(dry_run);
    v["objects"] = Value::Array(objects);
    Ok(v)
}

fn readiness_json(label: String, r: &Readiness) -> Value {
    match r {
        Readiness::Ready | Readiness::NoConditions => json!({"object": label, "ready": true}),
        Readiness::NotReady { reason, message } => {
            json!({"object": label, "ready": false, "reason": reason, "message": message})
        }
    }
}

/// Polls the flow's objects until all are Ready or `timeout` passes; `progress` gets each
/// round (`{ready, total, waiting: [...]}`). Returns every object's last state.
pub async fn wait(
    flow_text: &str,
    target: &Target,
    timeout: Duration,
    poll: Duration,
    mut progress: impl FnMut(Value),
) -> Result<Value, String> {
    let (c, planned) = plan(flow_text, target).await?;
    let states = c
        .wait(&planned, timeout, poll, |p| {
            let waiting: Vec<Value> = p
                .waiting
                .iter()
                .map(|(label, r)| readiness_json(label.clone(), r))
                .collect();
            progress(json!({"ready": p.ready, "total": p.total, "waiting": waiting}));
        })
        .await;
    let objects: Vec<Value> = planned
        .iter()
        .zip(&states)
        .map(|(p, s)| readiness_json(p.label(), s))
        .collect();
    let mut v = header(&c);
    v["objects"] = Value::Array(objects);
    Ok(v)
}

/// The target's objects (one namespace, or all) as a flow file with an automatic layout.
pub async fn import(target: &Target, all_namespaces: bool) -> Result<String, String> {
    let c = Cluster::connect(target).await.map_err(|e| e.to_string())?;
    let ns = (!all_namespaces).then(|| c.namespace().to_string());
    let (objects, _skipped) = c.read(ns.as_deref()).await.map_err(|e| e.to_string())?;
    let from = match &ns {
        Some(ns) => format!("{} namespace {ns}", c.url()),
        None => format!("{} (all namespaces)", c.url()),
    };
    let text = knflow_model::flowfile::manifests_string(objects.iter());
    let name = ns.unwrap_or_else(|| "cluster".into());
    knflow_model::flowfile::import_string(&name, &text, &from)
}
