//! The commands that talk to a live cluster: `kn-flow apply`, `import --cluster`, and
//! `validate --crds cluster`. The work is in `knflow_k8s::cluster`; this only drives it and prints.

use std::path::Path;
use std::time::Duration;

use knflow_k8s::cluster::{ApplyError, Change, Cluster, Planned, Readiness, Target};
use knflow_k8s::export;
use serde_json::Value;

use crate::{exit, files};

/// `--dry-run` modes, as kubectl has them.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DryRun {
    /// Nothing is sent: print what would be applied.
    Client,
    /// The API server runs the apply (admission, validation) but stores nothing.
    Server,
}

pub struct ApplyArgs<'a> {
    pub flow: &'a Path,
    pub target: Target,
    pub dry_run: Option<DryRun>,
    pub diff: bool,
    pub prune: bool,
    pub wait: Option<&'a str>,
    pub force_conflicts: bool,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn apply(args: ApplyArgs<'_>) -> u8 {
    let flow = match files::load_clean(args.flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::PROBLEMS;
        }
    };
    let wait = match args
        .wait
        .map(knflow_sim::behavior::parse_duration)
        .transpose()
    {
        Ok(w) => w.map(Duration::from_millis),
        Err(e) => {
            eprintln!("kn-flow: --wait: {e}");
            return exit::USAGE;
        }
    };
    let manifests = export::manifests(
        &flow,
        &export::Options {
            namespace: args.target.namespace.clone(),
        },
    );
    if args.dry_run == Some(DryRun::Client) {
        // No connection at all: the flow label is what the server would get, namespaces stay
        // as exported (the cluster's default fills the rest).
        let labelled: Vec<Value> = manifests
            .into_iter()
            .map(|mut m| {
                m["metadata"]["labels"][knflow_k8s::cluster::FLOW_LABEL] =
                    Value::String(flow.name.clone());
                m
            })
            .collect();
        print!("{}", export::to_yaml(&flow, &labelled));
        eprintln!(
            "{} objects (client dry run: nothing sent to a cluster)",
            labelled.len()
        );
        return exit::OK;
    }
    runtime().block_on(async {
        let cluster = match Cluster::connect(&args.target).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        };
        let planned = match cluster
            .plan(manifests, &flow.name, args.target.namespace.as_deref())
            .await
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        };
        if args.diff {
            return diff(&cluster, &planned).await;
        }
        let dry_run = args.dry_run == Some(DryRun::Server);
        let suffix = if dry_run { " (server dry run)" } else { "" };
        println!(
            "applying {} objects of flow {} to {} (namespace {}){suffix}",
            planned.len(),
            flow.name,
            cluster.url(),
            cluster.namespace()
        );
        let mut failed = 0;
        for p in &planned {
            match cluster.apply(p, args.force_conflicts, dry_run).await {
                Ok(outcome) => println!("{} {}{suffix}", p.label(), outcome.as_str()),
                Err(e) => {
                    failed += 1;
                    match &e {
                        ApplyError::Conflicts(cs) => {
                            println!("{} conflict", p.label());
                            for c in cs {
                                eprintln!(
                                    "kn-flow: {}: {} is owned by field manager \"{}\"",
                                    p.label(),
                                    c.field,
                                    c.manager
                                );
                            }
                            eprintln!("kn-flow: {}: {e}", p.label());
                        }
                        ApplyError::Other(_) => {
                            println!("{} failed", p.label());
                            eprintln!("kn-flow: {}: {e}", p.label());
                        }
                    }
                }
            }
        }
        if args.prune && failed == 0 {
            match cluster.prune(&flow.name, &planned, dry_run).await {
                Ok(deleted) => {
                    for d in deleted {
                        println!("{d} pruned{suffix}");
                    }
                }
                Err(e) => {
                    eprintln!("kn-flow: prune: {e}");
                    failed += 1;
                }
            }
        } else if args.prune {
            eprintln!("kn-flow: not pruning: some objects failed to apply");
        }
        if let (Some(timeout), false, 0) = (wait, dry_run, failed) {
            failed += wait_ready(&cluster, &planned, timeout).await;
        }
        if failed > 0 {
            exit::PROBLEMS
        } else {
            exit::OK
        }
    })
}

async fn diff(cluster: &Cluster, planned: &[Planned]) -> u8 {
    let mut changed = 0;
    for p in planned {
        match cluster.diff(p).await {
            Ok(Change::Unchanged) => println!("{} unchanged", p.label()),
            Ok(Change::New(yaml)) => {
                changed += 1;
                println!("{} new", p.label());
                for line in yaml.lines() {
                    println!("+{line}");
                }
            }
            Ok(Change::Changed(d)) => {
                changed += 1;
                println!("{} changed", p.label());
                print!("{d}");
            }
            Err(e) => {
                eprintln!("kn-flow: {}: {e}", p.label());
                return exit::PROBLEMS;
            }
        }
    }
    println!("{changed} of {} objects would change", planned.len());
    exit::OK
}

/// Returns how many objects did not become ready.
async fn wait_ready(cluster: &Cluster, planned: &[Planned], timeout: Duration) -> usize {
    let mut last = String::new();
    let states = cluster
        .wait(planned, timeout, Duration::from_millis(500), |p| {
            let line = match p.waiting.first() {
                Some((label, Readiness::NotReady { reason, .. })) => {
                    format!("waiting: {}/{} ready; {label}: {reason}", p.ready, p.total)
                }
                _ => format!("{}/{} ready", p.ready, p.total),
            };
            if line != last {
                eprintln!("{line}");
                last = line;
            }
        })
        .await;
    let mut not_ready = 0;
    for (p, s) in planned.iter().zip(&states) {
        if let Readiness::NotReady { reason, message } = s {
            not_ready += 1;
            eprintln!(
                "kn-flow: {} not ready after {}s: {reason}: {message}",
                p.label(),
                timeout.as_secs()
            );
        }
    }
    not_ready
}

/// Objects of the cluster as one flow (`import --cluster`).
pub fn read(target: &Target, all_namespaces: bool) -> Result<(Vec<Value>, String), String> {
    runtime().block_on(async {
        let cluster = Cluster::connect(target).await.map_err(|e| e.to_string())?;
        let ns = (!all_namespaces).then(|| cluster.namespace().to_string());
        let (objects, skipped) = cluster
            .read(ns.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        for s in skipped {
            eprintln!("kn-flow: skipped: {s}");
        }
        let from = match &ns {
            Some(ns) => format!("{} namespace {ns}", cluster.url()),
            None => format!("{} (all namespaces)", cluster.url()),
        };
        Ok((objects, from))
    })
}

/// The CRDs installed in the cluster (`validate --crds cluster`).
pub fn crds() -> Result<Vec<Value>, String> {
    runtime().block_on(async {
        let cluster = Cluster::connect(&Target::default())
            .await
            .map_err(|e| e.to_string())?;
        cluster.crds().await.map_err(|e| e.to_string())
    })
}
