//! The bottom dock: Problems, YAML (live export), Simulate, Scenarios, Live, and on the
//! desktop Cluster.

use knflow_editor::Edit;
use knflow_model::{ResourceId, Severity};
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::canvas::canvas_size;
use crate::state::{App, DockTab, SimRun, DOCK_COLLAPSED, DOCK_HEIGHT};

/// The dock's smallest height, and its largest as a share of the window.
const MIN_HEIGHT: f64 = 120.0;
const MAX_SHARE: f64 = 0.7;

fn max_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(900.0)
        * MAX_SHARE
}

fn set_height(app: App, h: f64) {
    let h = h.clamp(MIN_HEIGHT, max_height().max(MIN_HEIGHT)).round();
    app.dock_height.set(h);
    crate::host::store(DOCK_HEIGHT, &h.to_string());
}

fn set_collapsed(app: App, collapsed: bool) {
    app.dock_collapsed.set(collapsed);
    crate::host::store(DOCK_COLLAPSED, if collapsed { "1" } else { "0" });
}

/// The line above the dock: drag it (or use the arrow keys on it) to resize the dock.
#[component]
fn Separator(app: App) -> impl IntoView {
    let grab = StoredValue::new(None::<(f64, f64)>);
    let on_down = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some(t) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        if app.dock_collapsed.get_untracked() {
            set_collapsed(app, false);
        }
        grab.set_value(Some((
            ev.client_y() as f64,
            app.dock_height.get_untracked(),
        )));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if let Some((y0, h0)) = grab.get_value() {
            set_height(app, h0 - (ev.client_y() as f64 - y0));
        }
    };
    let on_up = move |_| grab.set_value(None);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let step = if ev.shift_key() { 80.0 } else { 20.0 };
        let h = app.dock_height.get_untracked();
        match ev.key().as_str() {
            "ArrowUp" => set_height(app, h + step),
            "ArrowDown" => set_height(app, h - step),
            "Home" => set_height(app, max_height()),
            "End" => set_height(app, MIN_HEIGHT),
            "Enter" => set_collapsed(app, !app.dock_collapsed.get_untracked()),
            _ => return,
        }
        if app.dock_collapsed.get_untracked() && ev.key().starts_with("Arrow") {
            set_collapsed(app, false);
        }
        ev.prevent_default();
    };
    view! {
        <div class="dock-separator" role="separator" aria-label="Resize dock" aria-orientation="horizontal"
            tabindex="0" aria-valuemin=MIN_HEIGHT aria-valuenow=move || app.dock_height.get()
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:keydown=on_key></div>
    }
}

#[component]
pub fn Dock(app: App) -> impl IntoView {
    let tab = |t: DockTab, name: &'static str| {
        let count = move || match t {
            DockTab::Problems => {
                let n = app.diagnostics.with(Vec::len);
                (n > 0).then(|| format!(" ({n})"))
            }
            _ => None,
        };
        view! {
            <button role="tab" id=format!("tab-{name}") aria-selected=move || (app.dock.get() == t).to_string()
                aria-controls="dock-panel" on:click=move |_| { app.dock.set(t); set_collapsed(app, false); }>
                {name}{count}
            </button>
        }
    };
    let collapsed = move || app.dock_collapsed.get();
    view! {
        <Separator app=app/>
        <section class="dock" class:collapsed=collapsed aria-label="Dock"
            style=move || if collapsed() { String::new() } else { format!("height:{}px", app.dock_height.get()) }>
            <div class="dock-bar">
                <div role="tablist" class="tabs" aria-label="Dock tabs">
                    {tab(DockTab::Problems, "Problems")}
                    {tab(DockTab::Yaml, "YAML")}
                    {tab(DockTab::Simulate, "Simulate")}
                    {tab(DockTab::Scenarios, "Scenarios")}
                    {tab(DockTab::Live, "Live")}
                    {crate::host::desktop().then(|| tab(DockTab::Cluster, "Cluster"))}
                </div>
                <span class="grow"></span>
                <button class="dock-toggle" aria-label=move || if collapsed() { "Expand dock" } else { "Collapse dock" }
                    title=move || if collapsed() { "Expand dock" } else { "Collapse dock" }
                    on:click=move |_| set_collapsed(app, !app.dock_collapsed.get_untracked())>
                    {move || if collapsed() { "▴" } else { "▾" }}
                </button>
            </div>
            <div id="dock-panel" role="tabpanel" class="panel" class:hidden=collapsed>
                {move || match app.dock.get() {
                    DockTab::Problems => problems(app).into_any(),
                    DockTab::Yaml => yaml(app).into_any(),
                    DockTab::Simulate => view! { <Simulate app=app/> }.into_any(),
                    DockTab::Scenarios => view! { <Scenarios app=app/> }.into_any(),
                    DockTab::Live => view! { <crate::live::Live app=app/> }.into_any(),
                    DockTab::Cluster => view! { <crate::cluster::Cluster app=app/> }.into_any(),
                }}
            </div>
        </section>
    }
}

fn problems(app: App) -> impl IntoView {
    move || {
        app.diagnostics.with(|ds| {
            if ds.is_empty() {
                return view! { <p class="ok">"No problems: the flow is valid and lint-clean."</p> }.into_any();
            }
            view! {
                <ul class="problems" aria-label="Problems">
                    {ds.iter().map(|d| {
                        let sev = if d.severity == Severity::Error { "error" } else { "warning" };
                        let resource = d.resource.clone();
                        let path = d.path.clone();
                        let text = format!("{sev}[{}]: {} ({} {})", d.code, d.message, d.resource.clone().unwrap_or_default(), d.path);
                        view! {
                            <li class=sev>
                                <button class="problem" on:click=move |_| {
                                    let Some(label) = resource.clone() else { return };
                                    if let Some(id) = ResourceId::parse(&label) {
                                        app.editor.update(|e| e.select(&id, false));
                                        let (w, h) = canvas_size();
                                        app.reveal(&label, w, h);
                                        app.focus_field.set(Some(path.clone()));
                                    }
                                }>{text}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })
    }
}

fn export_text(app: App) -> String {
    app.editor.with(|e| {
        let manifests = knflow_k8s::export::manifests(e.flow(), &Default::default());
        knflow_k8s::export::to_yaml(e.flow(), &manifests)
    })
}

fn yaml(app: App) -> impl IntoView {
    let text = Memo::new(move |_| export_text(app));
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text.get_untracked());
            app.say("YAML copied to the clipboard");
        }
    };
    let download = move |_| {
        let name = app.editor.with_untracked(|e| e.flow().name.clone());
        crate::download(&format!("{name}.knative.yaml"), &text.get_untracked());
    };
    view! {
        <div class="yaml-tab">
            <div class="actions">
                <button on:click=copy>"Copy"</button>
                <button on:click=download>"Download"</button>
            </div>
            <pre class="code" aria-label="Exported YAML">{move || text.get()}</pre>
        </div>
    }
}

/// The flow's saved sink behaviours as the form writes them, one `KIND/NAME=SPEC` per line.
fn saved_behaviors(flow: &knflow_model::Flow) -> String {
    flow.simulation
        .iter()
        .filter_map(|(label, v)| Some(format!("{label}={}", v.get("behavior")?.as_str()?)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Plays the simulation from where the timeline is (from the start once it is at the end).
fn play(app: App) {
    app.sim.update(|s| {
        if let Some(s) = s.as_mut().filter(|s| s.step >= s.hops.len()) {
            s.step = 0;
        }
    });
    app.playing.set(true);
}

/// Where an event can be sent: ingresses, sources (they emit), and sinks.
fn targets(app: App) -> Vec<String> {
    app.editor.with(|e| {
        e.flow()
            .resources()
            .filter(|r| {
                matches!(
                    r.id.kind.as_str(),
                    "Broker" | "Channel" | "InMemoryChannel" | "Sequence" | "Parallel"
                ) || r.info.is_some_and(|i| i.is_source())
            })
            .map(|r| r.id.to_string())
            .collect()
    })
}

#[component]
fn Simulate(app: App) -> impl IntoView {
    let target = RwSignal::new(targets(app).first().cloned().unwrap_or_default());
    // "Send event here" from the canvas's context menu.
    Effect::new(move |_| {
        if let Some(t) = app.sim_target.get() {
            target.set(t);
            app.sim_target.set(None);
        }
    });
    let ty = RwSignal::new("com.example.event".to_string());
    let source = RwSignal::new("/knflow/designer".to_string());
    let subject = RwSignal::new(String::new());
    let extensions = RwSignal::new(String::new());
    let data = RwSignal::new("{\n  \"hello\": \"world\"\n}".to_string());
    // The flow's saved behaviours, shown in the form: what the box holds is what runs.
    let saved = Memo::new(move |_| app.editor.with(|e| saved_behaviors(e.flow())));
    let behaviors = RwSignal::new(String::new());
    Effect::new(move |_| behaviors.set(saved.get()));
    let error = RwSignal::new(None::<String>);
    let run = move |_| {
        let result = app.editor.with_untracked(|e| {
            let flow = e.flow();
            let mut spec = json!({ "type": ty.get_untracked(), "source": source.get_untracked() });
            if !subject.get_untracked().is_empty() {
                spec["subject"] = json!(subject.get_untracked());
            }
            for line in extensions
                .get_untracked()
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let (k, v) = line
                    .split_once('=')
                    .ok_or(format!("extension `{line}`: write name=value"))?;
                spec[k.trim()] = json!(v.trim());
            }
            let d = data.get_untracked();
            if !d.trim().is_empty() {
                spec["data"] = serde_json::from_str::<Value>(&d)
                    .map_err(|e| format!("data is not JSON: {e}"))?;
            }
            let mut opts = knflow_sim::Options::default();
            for line in behaviors
                .get_untracked()
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let (k, v) = line
                    .split_once('=')
                    .ok_or(format!("`{line}`: write KIND/NAME=SPEC"))?;
                opts.behaviors
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
            let t = target.get_untracked();
            let is_source = flow
                .get(&ResourceId::parse(&t).ok_or("pick a target")?)
                .and_then(|r| r.info)
                .is_some_and(|i| i.is_source());
            if is_source {
                opts.until_ms = Some(3_600_000);
            }
            let event = if is_source {
                None
            } else {
                Some(knflow_sim::scenario::scenario_event(&spec, 0)?)
            };
            // The box replaces the saved behaviours rather than adding to them.
            let mut flow = flow.clone();
            for (_, v) in flow.simulation.iter_mut() {
                if let Some(o) = v.as_object_mut() {
                    o.remove("behavior");
                }
            }
            let flow = &flow;
            let mut sim = knflow_sim::Simulation::new(flow, opts)?;
            sim.send(flow, &t, event)?;
            sim.run();
            Ok::<_, String>(knflow_sim::output::to_json(&sim))
        });
        match result {
            Ok(out) => {
                error.set(None);
                let hops = out["hops"].as_array().cloned().unwrap_or_default();
                let summary = out["summary"].as_object().cloned().unwrap_or_default();
                let n = hops.len();
                // Played from the start, in virtual-time order.
                app.sim.set(Some(SimRun {
                    hops,
                    summary,
                    step: 0,
                    selected: None,
                    live: false,
                }));
                app.playing.set(n > 0);
                app.say(format!("{n} hops"));
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let step = move |delta: isize| {
        app.playing.set(false);
        app.sim.update(|s| {
            if let Some(s) = s {
                s.step = (s.step as isize + delta).clamp(0, s.hops.len() as isize) as usize;
                s.selected = s.step.checked_sub(1);
            }
        })
    };
    view! {
        <div class="simulate">
            <form class="compose" on:submit=|ev| ev.prevent_default()>
                <div class="send-row">
                    <label>"Target"
                        <select aria-label="Target" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                            {move || {
                                let mut ts = targets(app);
                                let t = target.get();
                                if !t.is_empty() && !ts.contains(&t) {
                                    ts.push(t.clone());
                                }
                                ts.into_iter().map(|o| { let sel = o == t; view! { <option value=o.clone() selected=sel>{o.clone()}</option> } }).collect_view()
                            }}
                        </select>
                    </label>
                    <button class="primary" type="button" on:click=run>"Send event"</button>
                </div>
                <label>"type"<input aria-label="type" prop:value=move || ty.get() on:input=move |ev| ty.set(event_target_value(&ev))/></label>
                <label>"source"<input aria-label="source" prop:value=move || source.get() on:input=move |ev| source.set(event_target_value(&ev))/></label>
                <label>"subject"<input aria-label="subject" prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev))/></label>
                <label>"extensions (name=value per line)"<textarea class="code" rows="2" aria-label="extensions" prop:value=move || extensions.get() on:input=move |ev| extensions.set(event_target_value(&ev))></textarea></label>
                <label>"data (JSON)"<textarea class="code" rows="4" aria-label="data" prop:value=move || data.get() on:input=move |ev| data.set(event_target_value(&ev))></textarea></label>
                <label>"Sink behaviours (KIND/NAME=SPEC per line)"<textarea class="code" rows="2" aria-label="Behaviors" placeholder="Service/fulfil=fail:503x2" prop:value=move || behaviors.get() on:input=move |ev| behaviors.set(event_target_value(&ev))></textarea></label>
                {move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> })}
            </form>
            {move || app.sim.with(|s| s.as_ref().filter(|s| !s.live).map(|s| {
                let n = s.hops.len();
                let at = s.step;
                view! {
                    <div class="trace">
                        <div class="timeline">
                            <button type="button" title="Step back one hop" on:click=move |_| step(-1)><span aria-hidden="true">"◀ "</span>"Step back"</button>
                            {move || if app.playing.get() {
                                view! { <button type="button" class="play" on:click=move |_| app.playing.set(false)>"Pause"</button> }.into_any()
                            } else {
                                view! { <button type="button" class="play" on:click=move |_| play(app)>"Play"</button> }.into_any()
                            }}
                            <button type="button" title="Step forward one hop" on:click=move |_| step(1)>"Step forward"<span aria-hidden="true">" ▶"</span></button>
                            <input type="range" aria-label="Timeline" min="0" max=n prop:value=at
                                aria-valuetext=format!("hop {at} of {n}")
                                on:input=move |ev| {
                                    let v = event_target_value(&ev).parse().unwrap_or(0);
                                    app.playing.set(false);
                                    app.sim.update(|s| if let Some(s) = s { s.step = v; s.selected = v.checked_sub(1); });
                                }/>
                            <span class="at">{format!("{at} / {n}")}{s.hops.get(at.wrapping_sub(1)).map(|h| format!(" · {} ms", h["time_ms"]))}</span>
                            <label class="speed">"Speed"
                                <select aria-label="Speed" on:change=move |ev| app.speed.set(event_target_value(&ev).parse().unwrap_or(1.0))>
                                    {[0.5, 1.0, 2.0, 4.0].into_iter().map(|k| view! {
                                        <option value=k.to_string() selected=app.speed.get_untracked() == k>{format!("{k}×")}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <ol class="hops" aria-label="Hops">
                            {s.hops.iter().enumerate().map(|(i, h)| {
                                let shown = i < s.step;
                                let text = format!("{} ms  {} → {}{}{}  {} {}",
                                    h["time_ms"], h["from"].as_str().unwrap_or_default(), h["to"].as_str().unwrap_or_default(),
                                    h["via"].as_str().map(|v| format!(" via {v}")).unwrap_or_default(),
                                    h["attempt"].as_u64().map(|a| format!(" #{a}")).unwrap_or_default(),
                                    h["status"].as_u64().map(|s| s.to_string()).unwrap_or_default(),
                                    h["outcome"].as_str().unwrap_or_default());
                                view! {
                                    <li class:dim=!shown class:sel=s.selected == Some(i) class=format!("outcome-{}", h["outcome"].as_str().unwrap_or_default())>
                                        <button on:click=move |_| app.sim.update(|s| if let Some(s) = s { s.selected = Some(i); s.step = i + 1; })>{text}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {s.selected.and_then(|i| s.hops.get(i)).map(|h| view! {
                            <div class="hop-detail" aria-label="Hop detail">
                                {h["note"].as_str().map(|n| view! { <p class="note">{n.to_string()}</p> })}
                                <pre class="code">{serde_json::to_string_pretty(&h["event"]).unwrap_or_default()}</pre>
                            </div>
                        })}
                        <table class="summary" aria-label="Counters">
                            <thead><tr><th>"resource"</th><th>"received"</th><th>"delivered"</th><th>"filtered"</th><th>"retried"</th><th>"dead-lettered"</th></tr></thead>
                            <tbody>
                                {s.summary.iter().map(|(k, c)| view! {
                                    <tr><td>{k.clone()}</td><td>{c["received"].to_string()}</td><td>{c["delivered"].to_string()}</td><td>{c["filtered"].to_string()}</td><td>{c["retried"].to_string()}</td><td>{c["dead_lettered"].to_string()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            }))}
        </div>
    }
}

#[component]
fn Scenarios(app: App) -> impl IntoView {
    let results = RwSignal::new(None::<Vec<(String, bool, String)>>);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let run_all = move |_| {
        let r = app
            .editor
            .with_untracked(|e| knflow_sim::scenario::run_all(e.flow(), 1));
        let passed = r.iter().filter(|s| s.passed()).count();
        app.say(format!("{passed} of {} scenarios passed", r.len()));
        results.set(Some(
            r.into_iter()
                .map(|s| {
                    let why = s
                        .error
                        .clone()
                        .into_iter()
                        .chain(
                            s.failures
                                .iter()
                                .map(|(want, got)| format!("expected {want}; {got}")),
                        )
                        .collect::<Vec<_>>()
                        .join("\n");
                    (s.name.clone(), s.passed(), why)
                })
                .collect(),
        ));
    };
    let edit = move |_| {
        let text = app.editor.with_untracked(|e| {
            knflow_model::yaml::to_yaml(&Value::Array(e.flow().scenarios.clone()))
        });
        draft.set(text);
        editing.set(true);
    };
    let apply = move |_| match knflow_model::yaml::parse_documents(&draft.get_untracked()) {
        Ok(docs) => {
            let list = docs
                .into_iter()
                .next()
                .map(|d| d.value)
                .unwrap_or(Value::Array(vec![]));
            match list {
                Value::Array(items) => {
                    if app.edit(Edit::SetScenarios(items)) {
                        editing.set(false);
                        error.set(None);
                    }
                }
                _ => error.set(Some("scenarios are a YAML list".into())),
            }
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <div class="scenarios">
            <div class="actions">
                <button class="primary" on:click=run_all>"Run all"</button>
                <button on:click=edit>"Edit scenarios"</button>
            </div>
            <Show when=move || editing.get()>
                <textarea class="code" rows="10" aria-label="Scenarios YAML" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                <button on:click=apply>"Apply scenarios"</button>
                {move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> })}
            </Show>
            <ul class="scenario-list" aria-label="Scenarios">
                {move || {
                    let names: Vec<String> = app.editor.with(|e| e.flow().scenarios.iter().enumerate()
                        .map(|(i, s)| s["name"].as_str().map(str::to_string).unwrap_or(format!("scenario {}", i + 1))).collect());
                    let res = results.get();
                    names.into_iter().enumerate().map(|(i, name)| {
                        let r = res.as_ref().and_then(|r| r.get(i).cloned());
                        let (class, mark, why) = match r {
                            Some((_, true, _)) => ("pass", "✓ pass", String::new()),
                            Some((_, false, why)) => ("fail", "✗ fail", why),
                            None => ("", "", String::new()),
                        };
                        view! { <li class=class><span class="mark">{mark}</span>" "{name}{(!why.is_empty()).then(|| view! { <pre class="why">{why.clone()}</pre> })}</li> }
                    }).collect_view()
                }}
            </ul>
        </div>
    }
}
