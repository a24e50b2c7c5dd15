//! The desktop's Cluster tab: pick a kubeconfig context and namespace, see what applying the
//! flow would change, ask the API server for a dry run, apply after confirming the diff, watch
//! readiness, and import what a namespace has. The work happens in the app (`knflow-k8s`); the
//! page only ever sees names, outcomes and diffs, never credentials.

use knflow_editor::Editor;
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::host;
use crate::state::App;

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

    leptos::task::spawn_local(async move {
        match host::invoke("cluster_contexts", json!({})).await {
            Ok(v) => {
                let names: Vec<String> = v["contexts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect();
                context.set(v["current"].as_str().unwrap_or_default().to_string());
                contexts.set(names);
            }
            Err(e) => shown.set(Shown::Error(e)),
        }
    });
    // The namespaces of the chosen context (a failure here is shown when an action runs).
    Effect::new(move |_| {
        let ctx = context.get();
        if ctx.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(v) = host::invoke("cluster_namespaces", json!({ "context": ctx })).await {
                let list: Vec<String> = serde_json::from_value(v).unwrap_or_default();
                namespaces.set(list);
            }
        });
    });
    let progress_listening = StoredValue::new(false);

    let target = move || json!({ "context": context.get_untracked(), "namespace": namespace.get_untracked() });
    let with_target = move |extra: Value| {
        let mut t = target();
        if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
            t.extend(e.clone());
        }
        t
    };
    let run =
        move |busy: &'static str, cmd: &'static str, args: Value, done: fn(Value) -> Shown| {
            shown.set(Shown::Busy(busy.to_string()));
            leptos::task::spawn_local(async move {
                shown.set(match host::invoke(cmd, args).await {
                    Ok(v) => done(v),
                    Err(e) => Shown::Error(e),
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
    let import = move |_| {
        let args = with_target(json!({ "all_namespaces": all_namespaces.get_untracked() }));
        crate::unless_keeping_unsaved(app, move || {
            shown.set(Shown::Busy("Reading the cluster…".into()));
            leptos::task::spawn_local(async move {
                match host::invoke("cluster_import", args).await {
                    Ok(v) => {
                        let text = v.as_str().unwrap_or_default().to_string();
                        if crate::open_text(app, &text, None) {
                            app.editor.update(Editor::mark_unsaved);
                            shown.set(Shown::Result(format!(
                                "Imported {} resources into a new, unsaved flow",
                                app.editor.with_untracked(|e| e.flow().len())
                            )));
                        }
                    }
                    Err(e) => shown.set(Shown::Error(e)),
                }
            });
        });
    };

    view! {
        <div class="cluster-tab">
            <div class="row">
                <label>"Context "
                    <select aria-label="Context" prop:value=move || context.get()
                        on:change=move |ev| context.set(event_target_value(&ev))>
                        {move || contexts.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Namespace "
                    <input aria-label="Namespace" list="cluster-namespaces" placeholder="the context's"
                        prop:value=move || namespace.get() on:input=move |ev| namespace.set(event_target_value(&ev))/>
                    <datalist id="cluster-namespaces">
                        {move || namespaces.get().into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                    </datalist>
                </label>
                <label><input type="checkbox" prop:checked=move || force.get()
                    on:change=move |ev| force.set(event_target_checked(&ev))/>" Force conflicts"</label>
            </div>
            <div class="row">
                <button on:click=diff>"Diff"</button>
                <button on:click=dry_run>"Dry run"</button>
                <button on:click=apply>"Apply…"</button>
                <button on:click=watch>"Watch readiness"</button>
                <span class="sep"></span>
                <button on:click=import>"Import from cluster"</button>
                <label><input type="checkbox" prop:checked=move || all_namespaces.get()
                    on:change=move |ev| all_namespaces.set(event_target_checked(&ev))/>" All namespaces"</label>
            </div>
            {move || match shown.get() {
                Shown::Nothing => view! { <p class="hint">"Uses your kubeconfig, as kubectl does. Apply is server-side apply with field manager kn-flow."</p> }.into_any(),
                Shown::Busy(text) => view! { <pre class="output" aria-busy="true">{text}</pre> }.into_any(),
                Shown::Error(text) => view! { <pre class="output error" role="alert">{text}</pre> }.into_any(),
                Shown::Result(text) => view! { <pre class="output" aria-label="Cluster result">{text}</pre> }.into_any(),
                Shown::Confirm(v) => {
                    let (text, changed) = diff_text(&v);
                    view! {
                        <div class="confirm" role="alertdialog" aria-label="Confirm apply">
                            <p>{format!("Apply {changed} changed objects to {}?", where_text(&v))}</p>
                            <pre class="output">{text}</pre>
                            <button on:click=confirm_apply>"Apply"</button>
                            <button on:click=move |_| shown.set(Shown::Nothing)>"Cancel"</button>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}
