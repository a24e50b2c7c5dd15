//! The desktop's Cluster tab: pick a kubeconfig context and namespace, see what applying the
//! flow would change, ask the API server for a dry run, apply after confirming the diff, watch
//! readiness, and import what a namespace has. The work happens in the app (`knflow-k8s`); the
//! page only ever sees names, outcomes and diffs, never credentials.

use crate::erase;
use crate::handle;
use knflow_editor::Editor;
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::host;
use crate::state::App;

/// Where the panel stands with the cluster; actions are enabled only where they can work.
#[derive(Clone, PartialEq)]
enum Conn {
    /// Reading the kubeconfig.
    Reading,
    /// No usable kubeconfig: why, and what to do.
    NoKubeconfig(String),
    /// A context is chosen; asking its API server.
    Connecting(String),
    Connected {
        context: String,
        cluster: String,
        namespace: String,
    },
    /// The context's cluster did not answer (or refused the credentials): context, error.
    Failed(String, String),
}

impl Conn {
    fn id(&self) -> &'static str {
        match self {
            Conn::Reading => "reading",
            Conn::NoKubeconfig(_) => "no-kubeconfig",
            Conn::Connecting(_) => "connecting",
            Conn::Connected { .. } => "connected",
            Conn::Failed(..) => "error",
        }
    }

    fn title(&self) -> String {
        match self {
            Conn::Reading => "Reading the kubeconfig…".into(),
            Conn::NoKubeconfig(_) => "No kubeconfig".into(),
            Conn::Connecting(ctx) => format!("Context {ctx}: connecting…"),
            Conn::Connected {
                context, cluster, ..
            } => {
                format!("Connected to {cluster} (context {context})")
            }
            Conn::Failed(ctx, _) => format!("Context {ctx}: cannot connect"),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            // The title says "No kubeconfig" already.
            Conn::NoKubeconfig(e) => Some(e.strip_prefix("no kubeconfig: ").unwrap_or(e).into()),
            Conn::Failed(_, e) => Some(e.clone()),
            Conn::Connected { namespace, .. } => {
                Some(format!("objects without a namespace go to {namespace}"))
            }
            _ => None,
        }
    }
}

/// What the panel shows below its controls.
#[derive(Clone)]
enum Shown {
    Nothing,
    Busy(String),
    Error(String),
    /// A diff waiting for the user to confirm the apply.
    Confirm(Value),
    Result(String),
}

fn flow_text(app: App) -> String {
    app.editor.with_untracked(Editor::save_text)
}

/// The diff of every object, as text.
fn diff_text(v: &Value) -> (String, usize) {
    let mut out = String::new();
    let mut changed = 0;
    for o in v["objects"].as_array().into_iter().flatten() {
        let change = o["change"].as_str().unwrap_or_default();
        out.push_str(&format!(
            "{} {change}\n",
            o["object"].as_str().unwrap_or_default()
        ));
        match change {
            "new" => {
                changed += 1;
                for line in o["diff"].as_str().unwrap_or_default().lines() {
                    out.push_str(&format!("+{line}\n"));
                }
            }
            "changed" => {
                changed += 1;
                out.push_str(o["diff"].as_str().unwrap_or_default());
            }
            _ => {}
        }
    }
    (out, changed)
}

fn where_text(v: &Value) -> String {
    format!(
        "{} (namespace {})",
        v["cluster"].as_str().unwrap_or_default(),
        v["namespace"].as_str().unwrap_or_default()
    )
}

fn outcomes_text(v: &Value) -> String {
    let mut out = String::new();
    for o in v["objects"].as_array().into_iter().flatten() {
        let name = o["object"].as_str().unwrap_or_default();
        match (o["outcome"].as_str(), o["error"].as_str()) {
            (Some(outcome), _) => out.push_str(&format!("{name} {outcome}\n")),
            (_, Some(e)) => out.push_str(&format!("{name} failed: {e}\n")),
            _ => {}
        }
        for c in o["conflicts"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  {} is owned by field manager \"{}\"\n",
                c["field"].as_str().unwrap_or_default(),
                c["manager"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

fn readiness_text(v: &Value) -> String {
    let mut out = String::new();
    for o in v["objects"]
        .as_array()
        .or(v["waiting"].as_array())
        .into_iter()
        .flatten()
    {
        let name = o["object"].as_str().unwrap_or_default();
        if o["ready"] == true {
            out.push_str(&format!("{name} Ready\n"));
        } else {
            out.push_str(&format!(
                "{name} not ready: {}: {}\n",
                o["reason"].as_str().unwrap_or_default(),
                o["message"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

#[component]
pub fn Cluster(app: App) -> impl IntoView {
    let contexts = RwSignal::new(Vec::<String>::new());
    let context = RwSignal::new(String::new());
    let namespaces = RwSignal::new(Vec::<String>::new());
    let namespace = RwSignal::new(String::new());
    let all_namespaces = RwSignal::new(false);
    let force = RwSignal::new(false);
    let shown = RwSignal::new(Shown::Nothing);

    let conn = RwSignal::new(Conn::Reading);
    let read_kubeconfig = move || {
        conn.set(Conn::Reading);
        leptos::task::spawn_local(async move {
            match host::invoke("cluster_contexts", json!({})).await {
                Ok(v) => {
                    let names: Vec<String> = v["contexts"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["name"].as_str().map(str::to_string))
                        .collect();
                    let current = v["current"].as_str().map(str::to_string);
                    let chosen = current
                        .or_else(|| names.first().cloned())
                        .unwrap_or_default();
                    if names.is_empty() {
                        conn.set(Conn::NoKubeconfig(
                            "The kubeconfig has no contexts: add one (kubectl config set-context) \
                             and Check again."
                                .into(),
                        ));
                    }
                    contexts.set(names);
                    // Set even when unchanged: choosing connects.
                    context.set(chosen);
                }
                Err(e) => conn.set(Conn::NoKubeconfig(e)),
            }
        });
    };
    read_kubeconfig();
    // Choosing a context connects with it: the panel knows whether the cluster answers before
    // any action is offered.
    let connect = move || {
        let ctx = context.get_untracked();
        if ctx.is_empty() {
            return;
        }
        conn.set(Conn::Connecting(ctx.clone()));
        leptos::task::spawn_local(async move {
            let r = host::invoke("cluster_connect", json!({ "context": ctx })).await;
            // A later choice wins over this answer.
            if context.get_untracked() != ctx {
                return;
            }
            match r {
                Ok(v) => {
                    let list: Vec<String> =
                        serde_json::from_value(v["namespaces"].clone()).unwrap_or_default();
                    namespaces.set(list);
                    conn.set(Conn::Connected {
                        context: ctx,
                        cluster: v["cluster"].as_str().unwrap_or_default().to_string(),
                        namespace: v["namespace"].as_str().unwrap_or_default().to_string(),
                    });
                }
                Err(e) => conn.set(Conn::Failed(ctx, e)),
            }
        });
    };
    Effect::new(move |_| {
        context.track();
        connect();
    });
    // While connected, ask again now and then: a cluster that goes away says so here before
    // the next action does.
    let probe = set_interval_with_handle(
        move || {
            let Conn::Connected { context: ctx, .. } = conn.get_untracked() else {
                return;
            };
            leptos::task::spawn_local(async move {
                let r = host::invoke("cluster_connect", json!({ "context": ctx })).await;
                let still = conn.with_untracked(
                    |c| matches!(c, Conn::Connected { context, .. } if *context == ctx),
                );
                if let (Err(e), true) = (r, still) {
                    conn.set(Conn::Failed(ctx, e));
                }
            });
        },
        std::time::Duration::from_secs(5),
    );
    if let Ok(probe) = probe {
        on_cleanup(move || probe.clear());
    }
    let connected = move || conn.with(|c| matches!(c, Conn::Connected { .. }));
    let busy = move || shown.with(|s| matches!(s, Shown::Busy(_) | Shown::Confirm(_)));
    let flow_ok = move || {
        !app.diagnostics.with(|d| {
            d.iter()
                .any(|x| x.severity == knflow_model::Severity::Error)
        })
    };
    // Diff, dry run, apply and readiness send the flow: connected, idle, and a flow without errors.
    let can_send = move || connected() && !busy() && flow_ok();
    // Escape cancels the apply's confirmation, as it closes every dialog.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && shown.with_untracked(|s| matches!(s, Shown::Confirm(_))) {
            shown.set(Shown::Nothing);
        }
    });
    on_cleanup(move || escape.remove());
    let progress_listening = StoredValue::new(false);

    let target = move || json!({ "context": context.get_untracked(), "namespace": namespace.get_untracked() });
    let with_target = move |extra: Value| {
        let mut t = target();
        if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
            t.extend(e.clone());
        }
        t
    };
    // An action that finds the cluster gone says so in the state too (actions wait for Retry).
    let lost = move |e: String| {
        if e.starts_with("cannot reach the cluster") {
            conn.set(Conn::Failed(context.get_untracked(), e));
        }
    };
    let run =
        move |busy: &'static str, cmd: &'static str, args: Value, done: fn(Value) -> Shown| {
            shown.set(Shown::Busy(busy.to_string()));
            leptos::task::spawn_local(async move {
                shown.set(match host::invoke(cmd, args).await {
                    Ok(v) => done(v),
                    Err(e) => {
                        lost(e.clone());
                        Shown::Error(e)
                    }
                });
            });
        };
    let diff = move |_| {
        run(
            "Comparing with the cluster…",
            "cluster_diff",
            with_target(json!({ "flow": flow_text(app) })),
            |v| {
                let (text, changed) = diff_text(&v);
                Shown::Result(format!(
                    "{}\n{text}{changed} objects would change",
                    where_text(&v)
                ))
            },
        )
    };
    let dry_run = move |_| {
        run(
            "Server dry run…",
            "cluster_apply",
            with_target(
                json!({ "flow": flow_text(app), "dry_run": true, "force_conflicts": force.get_untracked() }),
            ),
            |v| {
                Shown::Result(format!(
                    "Server dry run on {} (nothing stored)\n{}",
                    where_text(&v),
                    outcomes_text(&v)
                ))
            },
        )
    };
    let apply = move |_| {
        run(
            "Comparing with the cluster…",
            "cluster_diff",
            with_target(json!({ "flow": flow_text(app) })),
            Shown::Confirm,
        )
    };
    let confirm_apply = move |_| {
        run(
            "Applying…",
            "cluster_apply",
            with_target(
                json!({ "flow": flow_text(app), "dry_run": false, "force_conflicts": force.get_untracked() }),
            ),
            |v| {
                Shown::Result(format!(
                    "Applied to {}\n{}",
                    where_text(&v),
                    outcomes_text(&v)
                ))
            },
        )
    };
    let watch = move |_| {
        if !progress_listening.get_value() {
            progress_listening.set_value(true);
            host::listen("cluster-progress", move |p| {
                if matches!(shown.get_untracked(), Shown::Busy(_)) {
                    shown.set(Shown::Busy(format!(
                        "Waiting for readiness: {}/{} ready\n{}",
                        p["ready"],
                        p["total"],
                        readiness_text(&p)
                    )));
                }
            });
        }
        run(
            "Waiting for readiness…",
            "cluster_wait",
            with_target(json!({ "flow": flow_text(app), "timeout_secs": 120 })),
            |v| {
                Shown::Result(format!(
                    "Readiness on {}\n{}",
                    where_text(&v),
                    readiness_text(&v)
                ))
            },
        )
    };
    // Read first: only a namespace with something in it replaces the open flow (after asking
    // about unsaved work); an empty one says so and keeps it.
    let import = move |_| {
        let all = all_namespaces.get_untracked();
        let args = with_target(json!({ "all_namespaces": all }));
        shown.set(Shown::Busy("Reading the cluster…".into()));
        leptos::task::spawn_local(async move {
            let text = match host::invoke("cluster_import", args).await {
                Ok(v) => v.as_str().unwrap_or_default().to_string(),
                Err(e) => {
                    lost(e.clone());
                    return shown.set(Shown::Error(e));
                }
            };
            let found = knflow_model::load_str(&text, "cluster.yaml").flow.len();
            if found == 0 {
                let place = match conn.get_untracked() {
                    _ if all => "any namespace".to_string(),
                    _ if !namespace.get_untracked().is_empty() => {
                        format!("namespace {}", namespace.get_untracked())
                    }
                    Conn::Connected { namespace, .. } => format!("namespace {namespace}"),
                    _ => "the namespace".to_string(),
                };
                return shown.set(Shown::Result(format!(
                    "Nothing to import: no Knative objects in {place}. The open flow is unchanged."
                )));
            }
            shown.set(Shown::Nothing);
            crate::unless_keeping_unsaved(app, move || {
                if crate::open_text(app, &text, None) {
                    app.editor.update(Editor::mark_unsaved);
                    shown.set(Shown::Result(format!(
                        "Imported {found} resources into a new, unsaved flow"
                    )));
                }
            });
        });
    };

    view! {
        <div class="cluster-tab" data-state=move || conn.with(Conn::id)>
            <div class=move || format!("state {}", conn.with(Conn::id)) role="status" aria-label="Cluster state">
                <strong>{move || conn.with(Conn::title)}</strong>
                {erase::view(move || conn.with(Conn::detail).map(|d| view! { <span class="detail">{d}</span> }))}
                {erase::view(move || conn.with(|c| matches!(c, Conn::NoKubeconfig(_))).then(|| view! {
                    <button on:click=handle::mouse(move |_| read_kubeconfig())>"Check again"</button>
                }))}
                {erase::view(move || conn.with(|c| matches!(c, Conn::Failed(..))).then(|| view! {
                    <button on:click=handle::mouse(move |_| connect())>"Retry"</button>
                }))}
            </div>
            <div class="row">
                <label>"Context "
                    <select aria-label="Context" prop:value=context
                        disabled=move || contexts.with(Vec::is_empty)
                        on:change=handle::event(move |ev| context.set(event_target_value(&ev)))>
                        {erase::view(move || contexts.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view())}
                    </select>
                </label>
                <label>"Namespace "
                    <input aria-label="Namespace" list="cluster-namespaces"
                        placeholder=move || conn.with(|c| match c { Conn::Connected { namespace, .. } => namespace.clone(), _ => "the context's".into() })
                        disabled=move || !connected()
                        prop:value=namespace on:input=handle::event(move |ev| namespace.set(event_target_value(&ev)))/>
                    <datalist id="cluster-namespaces">
                        {erase::view(move || namespaces.get().into_iter().map(|n| view! { <option value=n/> }).collect_view())}
                    </datalist>
                </label>
                <label class="check"><input type="checkbox" prop:checked=force disabled=move || !connected()
                    on:change=handle::event(move |ev| force.set(event_target_checked(&ev)))/>"Force conflicts"</label>
            </div>
            <div class="row">
                <button on:click=handle::mouse(diff) disabled=move || !can_send()>"Diff"</button>
                <button on:click=handle::mouse(dry_run) disabled=move || !can_send()>"Dry run"</button>
                <button on:click=handle::mouse(apply) disabled=move || !can_send()>"Apply…"</button>
                <button on:click=handle::mouse(watch) disabled=move || !can_send()>"Watch readiness"</button>
                <span class="sep"></span>
                <button on:click=handle::mouse(import) disabled=move || !connected() || busy()>"Import from cluster"</button>
                <label class="check"><input type="checkbox" prop:checked=all_namespaces disabled=move || !connected()
                    on:change=handle::event(move |ev| all_namespaces.set(event_target_checked(&ev)))/>"All namespaces"</label>
            </div>
            {erase::view(move || (connected() && !flow_ok()).then(|| view! {
                <p class="hint">"The flow has errors (see Problems): fix them to diff or apply it."</p>
            }))}
            {erase::view(move || match shown.get() {
                Shown::Nothing => view! { <p class="hint">"Uses your kubeconfig, as kubectl does. Apply is server-side apply with field manager kn-flow."</p> }.into_any(),
                Shown::Busy(text) => view! { <pre class="output" aria-busy="true">{text}</pre> }.into_any(),
                Shown::Error(text) => view! { <pre class="output error" role="alert">{text}</pre> }.into_any(),
                Shown::Result(text) => view! { <pre class="output" aria-label="Cluster result">{text}</pre> }.into_any(),
                Shown::Confirm(v) => {
                    let (text, changed) = diff_text(&v);
                    view! {
                        <div class="confirm" role="alertdialog" aria-label="Confirm apply">
                            <p>{format!("Apply {changed} changed objects to {}?", where_text(&v))}</p>
                            // The answer before the diff, which can be long.
                            <div class="actions">
                                <button class="primary" on:click=handle::mouse(confirm_apply)>"Apply"</button>
                                <button on:click=handle::mouse(move |_| shown.set(Shown::Nothing))>"Cancel"</button>
                            </div>
                            <pre class="output">{text}</pre>
                        </div>
                    }.into_any()
                }
            })}
        </div>
    }
}
