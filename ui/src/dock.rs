//! The bottom dock: Problems, YAML (live export), Simulate, Scenarios, Live, and on the
//! desktop Cluster.

use crate::erase;
use crate::handle;
use knflow_editor::Edit;
use knflow_model::num::{self, Shortest};
use knflow_model::{ResourceId, Severity};
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::canvas::canvas_size;
use crate::state::{App, DockTab, SendForm, SimRun, DOCK_COLLAPSED, DOCK_HEIGHT};

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
    // Not `clamp` nor `{}` on an f64: see `knflow_model::num`.
    let h = num::clamp(h, MIN_HEIGHT, max_height()).round();
    app.dock_height.set(h);
    crate::host::store(DOCK_HEIGHT, &num::text(h));
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
        // A drag resizes; it does not select the page's text on its way.
        ev.prevent_default();
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
            tabindex="0" aria-valuemin=num::text(MIN_HEIGHT) aria-valuenow=move || num::text(app.dock_height.get())
            on:pointerdown=handle::pointer(on_down) on:pointermove=handle::pointer(on_move) on:pointerup=handle::pointer(on_up) on:keydown=handle::key(on_key)></div>
    }
}

/// A simulation's trace stays on the canvas and in the log only while the flow routes as it
/// did: an edit to its resources or behaviours (or an undo) clears it, saying so, rather than
/// show hops through what is no longer there. Live traffic is what really happened: it stays.
fn follow_routing(app: App) {
    Effect::new(move |_| {
        let now = app.editor.with(|e| e.routing_revision());
        let stale = app.sim.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|run| !run.live && run.revision != now)
        });
        if stale {
            app.playing.set(false);
            app.sim.set(None);
            app.say("the flow changed since the simulation ran: its trace is cleared (Send again)");
        }
    });
}

#[component]
pub fn Dock(app: App) -> impl IntoView {
    follow_routing(app);
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
                aria-controls="dock-panel" on:click=handle::mouse(move |_| { app.dock.set(t); set_collapsed(app, false); })>
                {name}{count}
            </button>
        }
    };
    let collapsed = move || app.dock_collapsed.get();
    view! {
        <Separator app=app/>
        <section class="dock" class:collapsed=collapsed aria-label="Dock"
            style=move || if collapsed() { String::new() } else { format!("height:{}px", num::text(app.dock_height.get())) }>
            <div class="dock-bar">
                <div role="tablist" class="tabs" aria-label="Dock tabs">
                    {tab(DockTab::Problems, "Problems")}
                    {tab(DockTab::Events, "Events")}
                    {tab(DockTab::Yaml, "YAML")}
                    {tab(DockTab::Simulate, "Simulate")}
                    {tab(DockTab::Scenarios, "Scenarios")}
                    {tab(DockTab::Live, "Live")}
                    {crate::host::desktop().then(|| tab(DockTab::Cluster, "Cluster"))}
                </div>
                <span class="grow"></span>
                <button class="dock-toggle" aria-label=move || if collapsed() { "Expand dock" } else { "Collapse dock" }
                    title=move || if collapsed() { "Expand dock" } else { "Collapse dock" }
                    on:click=handle::mouse(move |_| set_collapsed(app, !app.dock_collapsed.get_untracked()))>
                    {move || if collapsed() { "▴" } else { "▾" }}
                </button>
            </div>
            <div id="dock-panel" role="tabpanel" class="panel" class:hidden=collapsed>
                {erase::view(move || match app.dock.get() {
                    DockTab::Problems => problems(app).into_any(),
                    DockTab::Events => crate::events::events(app).into_any(),
                    DockTab::Yaml => yaml(app).into_any(),
                    DockTab::Simulate => view! { <Simulate app=app/> }.into_any(),
                    DockTab::Scenarios => view! { <Scenarios app=app/> }.into_any(),
                    DockTab::Live => view! { <crate::live::Live app=app/> }.into_any(),
                    DockTab::Cluster => view! { <crate::cluster::Cluster app=app/> }.into_any(),
                })}
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
                        let text = problem_text(d);
                        let fix = d.fix.as_deref().cloned().map(|f| {
                            let name = format!("Fix {}: {}", d.resource.clone().unwrap_or_default(), f.title);
                            let title = f.title.clone();
                            view! {
                                <button class="fix" aria-label=name.clone() title=name on:click=handle::mouse(move |_| apply_fix(app, &f))>{title}</button>
                            }
                        });
                        view! {
                            <li class=sev>
                                {fix}
                                <button class="problem" on:click=handle::mouse(move |_| {
                                    let Some(label) = resource.clone() else { return };
                                    if let Some(id) = ResourceId::parse(&label) {
                                        app.editor.update(|e| e.select(&id, false));
                                        let (w, h) = canvas_size();
                                        app.reveal(&label, w, h);
                                        app.focus_field.set(Some(path.clone()));
                                    }
                                })>{text}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })
    }
}

/// Applies a problem's fix, saying what it did (or why it could not).
fn apply_fix(app: App, fix: &knflow_model::fixes::Fix) {
    let mut result = Ok(());
    app.editor.update(|e| result = e.apply_fix(fix));
    match result {
        Ok(()) => app.say(format!("fixed: {}", fix.title)),
        Err(e) => app.say_error(format!("{}: {e}", fix.title)),
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
                <button on:click=handle::mouse(copy)>"Copy"</button>
                <button on:click=handle::mouse(download)>"Download"</button>
            </div>
            <pre class="code" aria-label="Exported YAML">{move || text.get()}</pre>
        </div>
    }
}

/// For a hop through a trigger, why its filter passed the event or not, entry by entry (the
/// trigger as the flow has it now).
fn trigger_explanation(app: App, hop: &Value) -> Option<impl IntoView> {
    // Only a hop from the broker through the trigger was filtered by it (a reply to a
    // trigger's delivery names the trigger too).
    let via = hop["via"].as_str().filter(|v| v.starts_with("Trigger/"))?;
    hop["from"].as_str().filter(|f| f.starts_with("Broker/"))?;
    let why = app
        .editor
        .with_untracked(|e| knflow_sim::sources::explain_trigger(e.flow(), via, &hop["event"]))?;
    let verdict = if why.result.passes() {
        "passes"
    } else {
        "filters out"
    };
    Some(view! {
        <ul class="explanation" aria-label="Why the trigger passed or not">
            <li class="verdict">{format!("{via} {verdict} this event")}</li>
            {why.steps.into_iter().map(|s| {
                let ok = s.result != knflow_dataplane::FilterResult::Fail;
                view! {
                    <li class:fail=!ok>
                        <span aria-hidden="true">{if ok { "✔ " } else { "✖ " }}</span>
                        <code>{s.path}</code>" "{s.reason}{format!(" ({})", s.result)}
                    </li>
                }
            }).collect_view()}
        </ul>
    })
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

/// What the Simulate tab can send to: brokers, channels, sequences, parallels and sources
/// first, then sinks (an event straight to a sink tries its behaviour).
fn targets(app: App) -> Vec<String> {
    app.editor.with(|e| {
        let sink = |r: &&knflow_model::Resource| {
            r.info
                .is_some_and(|i| i.category == knflow_model::kinds::Category::Sinks)
        };
        let routing = e.flow().resources().filter(|r| {
            matches!(
                r.id.kind.as_str(),
                "Broker" | "Channel" | "InMemoryChannel" | "Sequence" | "Parallel"
            ) || r.is_source()
        });
        routing
            .chain(e.flow().resources().filter(sink))
            .map(|r| r.id.to_string())
            .collect()
    })
}

#[component]
fn Simulate(app: App) -> impl IntoView {
    let SendForm {
        target,
        ty,
        source,
        subject,
        extensions,
        data,
        once,
        run_for,
        sampled_for,
        last,
    } = app.send;
    // A target the open flow does not have (after New, Open, a delete) gives way to its first.
    Effect::new(move |_| {
        let first = targets(app).first().cloned().unwrap_or_default();
        let gone = app.editor.with(|e| {
            ResourceId::parse(&target.get_untracked()).is_none_or(|id| e.flow().get(&id).is_none())
        });
        if gone {
            app.send.start_over(first);
        }
    });
    // "Send event here" from the canvas's context menu.
    Effect::new(move |_| {
        if let Some(t) = app.sim_target.get() {
            target.set(t);
            app.sim_target.set(None);
        }
    });
    let is_source = move || {
        let t = target.get();
        app.editor.with(|e| {
            ResourceId::parse(&t)
                .and_then(|id| e.flow().get(&id))
                .is_some_and(knflow_model::Resource::is_source)
        })
    };
    // The target's own types (a source's) and those the flow's triggers ask for, offered for
    // the type field.
    let choices = Memo::new(move |_| {
        let t = target.get();
        app.editor
            .with(|e| knflow_sim::sources::offered_types(e.flow(), &t))
    });
    // A new target starts from what it would really get: a source's own event, else the first
    // type a trigger asks for. Coming back to the tab, the fields stay as they were left.
    Effect::new(move |_| {
        let t = target.get();
        if sampled_for.with_untracked(|s| s.as_deref() == Some(t.as_str())) {
            return;
        }
        sampled_for.set(Some(t.clone()));
        let sample = app
            .editor
            .with_untracked(|e| knflow_sim::sources::sample_event(e.flow(), &t));
        match sample.map(|e| knflow_dataplane::events::to_json(&e)) {
            Some(v) => {
                let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                ty.set(text("type"));
                source.set(text("source"));
                subject.set(text("subject"));
                let standard = [
                    "specversion",
                    "id",
                    "type",
                    "source",
                    "subject",
                    "time",
                    "datacontenttype",
                    "dataschema",
                    "data",
                    "data_base64",
                ];
                extensions.set(
                    v.as_object()
                        .map(|o| {
                            o.iter()
                                .filter(|(k, _)| !standard.contains(&k.as_str()))
                                .map(|(k, v)| {
                                    format!(
                                        "{k}={}",
                                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join("\n")
                        })
                        .unwrap_or_default(),
                );
                data.set(match &v["data"] {
                    Value::Null => String::new(),
                    d => serde_json::to_string_pretty(d).unwrap_or_default(),
                });
            }
            None => {
                if let Some(first) = choices.get_untracked().first() {
                    ty.set(first.clone());
                }
            }
        }
    });
    // The flow's saved behaviours, shown in the form: what the box holds is what runs.
    let saved = Memo::new(move |_| {
        app.editor
            .with(|e| knflow_sim::behavior::saved_text(e.flow()))
    });
    let error = RwSignal::new(None::<String>);
    let behaviors_box = RwSignal::new(String::new());
    Effect::new(move |_| behaviors_box.set(saved.get()));
    let save_scenario = move |_| {
        let Some(req) = last.get_untracked() else {
            error.set(Some(
                "nothing to save yet: Send an event, then save what it did".into(),
            ));
            return;
        };
        let n = app.editor.with_untracked(|e| e.flow().scenarios.len()) + 1;
        let to = req
            .pointer("/send/to")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let name = format!("scenario {n}: {to}");
        let made = app.editor.with_untracked(|e| {
            let sim = knflow_sim::scenario::simulate(e.flow(), &req, 0, 1)?;
            let behaviors: knflow_sim::Behaviors = req["behaviors"]
                .as_object()
                .map(|m| {
                    knflow_model::order::map(
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())),
                    )
                })
                .unwrap_or_default();
            Ok::<_, String>(knflow_sim::scenario::from_run(
                &name,
                &to,
                req.pointer("/send/event").cloned(),
                &behaviors,
                req["until"].as_str(),
                sim.trace(),
            ))
        });
        match made {
            Ok(scenario) => {
                let mut all = app.editor.with_untracked(|e| e.flow().scenarios.clone());
                all.push(scenario);
                if app.edit(knflow_editor::Edit::SetScenarios(all)) {
                    app.say(format!("saved as \"{name}\" (Scenarios tab)"));
                }
            }
            Err(e) => error.set(Some(e)),
        }
    };
    // The form as a scenario's `send`, `behaviors` and `until`: what Send runs, and what
    // "Save as scenario" keeps.
    let request = move || -> Result<(Value, String), String> {
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
            spec["data"] =
                serde_json::from_str::<Value>(&d).map_err(|e| format!("data is not JSON: {e}"))?;
        }
        // What the box says is what runs: a saved behaviour left out of it acknowledges.
        let behaviors = app.editor.with_untracked(|e| {
            knflow_sim::behavior::for_run(e.flow(), &behaviors_box.get_untracked())
        })?;
        let t = target.get_untracked();
        if t.is_empty() {
            return Err(
                "nothing to send to: the flow has no broker, channel, sequence, \
                        parallel, source or sink"
                    .into(),
            );
        }
        let is_source = app.editor.with_untracked(|e| {
            ResourceId::parse(&t)
                .and_then(|id| e.flow().get(&id))
                .is_some_and(knflow_model::Resource::is_source)
        });
        let schedule = is_source && !once.get_untracked();
        let mut send = json!({ "to": t });
        if !schedule {
            send["event"] = spec;
        }
        let mut req = json!({ "send": send, "behaviors": behaviors });
        if schedule {
            req["until"] = json!(run_for.get_untracked().trim());
        }
        let what = match (is_source, schedule) {
            (true, true) => format!("ran {t} for {}", run_for.get_untracked().trim()),
            (true, false) => format!("{t} sent the form's event once"),
            _ => format!("sent the form's event to {t}"),
        };
        Ok((req, what))
    };
    let run = move |_| {
        let result = request().and_then(|(req, what)| {
            let sim = app
                .editor
                .with_untracked(|e| knflow_sim::scenario::simulate(e.flow(), &req, 0, 1))?;
            last.set(Some(req));
            Ok((knflow_sim::output::to_json(&sim), what))
        });
        match result {
            Ok((out, what)) => {
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
                    revision: app.editor.with_untracked(|e| e.routing_revision()),
                }));
                app.playing.set(n > 0);
                app.say(format!("{what}: {n} hops"));
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
            <form class="compose" on:submit=handle::submit(|ev| ev.prevent_default())>
                <div class="send-row">
                    <label>"Target"
                        <select aria-label="Target" prop:value=target on:change=handle::event(move |ev| target.set(event_target_value(&ev)))>
                            {erase::view(move || {
                                let mut ts = targets(app);
                                let t = target.get();
                                if !t.is_empty() && !ts.contains(&t) {
                                    ts.push(t.clone());
                                }
                                ts.into_iter().map(|o| { let sel = o == t; view! { <option value=o.clone() selected=sel>{o.clone()}</option> } }).collect_view()
                            })}
                        </select>
                    </label>
                    <button class="primary" type="button" on:click=handle::mouse(run)>"Send event"</button>
                </div>
                {erase::view(move || is_source().then(|| view! {
                    <fieldset class="source-mode">
                        <legend>"The source sends"</legend>
                        <label><input type="radio" name="source-mode" prop:checked=once on:change=handle::event(move |_| once.set(true))/>"this event, once"</label>
                        <label><input type="radio" name="source-mode" prop:checked=move || !once.get() on:change=handle::event(move |_| once.set(false))/>"what it emits, for"</label>
                        <input aria-label="Run for" size="5" prop:value=run_for disabled=move || once.get()
                            on:input=handle::event(move |ev| run_for.set(event_target_value(&ev)))/>
                    </fieldset>
                }))}
                <label>"type"<input aria-label="type" list="event-types" prop:value=ty on:input=handle::event(move |ev| ty.set(event_target_value(&ev)))/></label>
                <datalist id="event-types">
                    {erase::view(move || choices.get().into_iter().map(|t| view! { <option value=t></option> }).collect_view())}
                </datalist>
                <label>"source"<input aria-label="source" prop:value=source on:input=handle::event(move |ev| source.set(event_target_value(&ev)))/></label>
                <label>"subject"<input aria-label="subject" prop:value=subject on:input=handle::event(move |ev| subject.set(event_target_value(&ev)))/></label>
                <label>"extensions (name=value per line)"<textarea class="code" rows="2" aria-label="extensions" prop:value=extensions on:input=handle::event(move |ev| extensions.set(event_target_value(&ev)))></textarea></label>
                <label>"data (JSON)"<textarea class="code" rows="4" aria-label="data" prop:value=data on:input=handle::event(move |ev| data.set(event_target_value(&ev)))></textarea></label>
                <label>"Sink behaviours (KIND/NAME=SPEC per line)"<textarea class="code" rows="2" aria-label="Behaviors" placeholder="Service/fulfil=fail:503x2" prop:value=behaviors_box on:input=handle::event(move |ev| behaviors_box.set(event_target_value(&ev)))></textarea></label>
                {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
            </form>
            {erase::view(move || app.sim.with(|s| s.as_ref().filter(|s| !s.live).map(|s| {
                let n = s.hops.len();
                let at = s.step;
                view! {
                    <div class="trace">
                        <div class="timeline">
                            <button type="button" title="Step back one hop" disabled={at == 0} on:click=handle::mouse(move |_| step(-1))><span aria-hidden="true">"◀ "</span>"Step back"</button>
                            {move || if app.playing.get() {
                                view! { <button type="button" class="play" on:click=handle::mouse(move |_| app.playing.set(false))>"Pause"</button> }.into_any()
                            } else {
                                view! { <button type="button" class="play" on:click=handle::mouse(move |_| play(app))>"Play"</button> }.into_any()
                            }}
                            <button type="button" title="Step forward one hop" disabled={at >= n} on:click=handle::mouse(move |_| step(1))>"Step forward"<span aria-hidden="true">" ▶"</span></button>
                            <input type="range" aria-label="Timeline" min="0" max=n prop:value=at
                                aria-valuetext=format!("hop {at} of {n}")
                                on:input=handle::event(move |ev| {
                                    let v = event_target_value(&ev).parse().unwrap_or(0);
                                    app.playing.set(false);
                                    app.sim.update(|s| if let Some(s) = s { s.step = v; s.selected = v.checked_sub(1); });
                                })/>
                            <span class="at">{format!("{at} / {n}")}{s.hops.get(at.wrapping_sub(1)).map(|h| format!(" · {} ms", h["time_ms"]))}</span>
                            <button type="button" on:click=handle::mouse(save_scenario) title="Keep this event, these behaviours and what happened as a routing test">"Save as scenario"</button>
                            <label class="speed">"Speed"
                                <select aria-label="Speed" on:change=handle::event(move |ev| app.speed.set(knflow_model::num::parse_f64(&event_target_value(&ev)).unwrap_or(1.0)))>
                                    {[0.5, 1.0, 2.0, 4.0].into_iter().map(|k| view! {
                                        <option value=num::text(k) selected=app.speed.get_untracked() == k>{format!("{}×", Shortest(k))}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <ol class="hops" aria-label="Hops">
                            {s.hops.iter().enumerate().map(|(i, h)| {
                                let shown = i < s.step;
                                // Which event each hop carries (a reply and the event it answers
                                // can take the same way), then what happened to it.
                                let (text, event) = crate::live::hop_text(h);
                                let text = format!("{} ms  {text}", h["time_ms"]);
                                view! {
                                    <li class:dim=!shown class:sel=s.selected == Some(i) class=format!("outcome-{}", h["outcome"].as_str().unwrap_or_default())>
                                        <button on:click=handle::mouse(move |_| app.sim.update(|s| if let Some(s) = s { s.selected = Some(i); s.step = i + 1; }))>
                                            <span class="event">{event}</span>{text}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {s.selected.and_then(|i| s.hops.get(i)).map(|h| view! {
                            <div class="hop-detail" aria-label="Hop detail">
                                {h["note"].as_str().map(|n| view! { <p class="note">{n.to_string()}</p> })}
                                {trigger_explanation(app, h)}
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
            })))}
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
                    if let Err(e) = knflow_sim::scenario::check_shape(&items) {
                        return error.set(Some(e));
                    }
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
                <button class="primary" on:click=handle::mouse(run_all)>"Run all"</button>
                <button on:click=handle::mouse(edit)>"Edit scenarios"</button>
            </div>
            <Show when=move || editing.get()>
                <textarea class="code" rows="10" aria-label="Scenarios YAML" prop:value=draft on:input=handle::event(move |ev| draft.set(event_target_value(&ev)))></textarea>
                <button on:click=handle::mouse(apply)>"Apply scenarios"</button>
                {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
            </Show>
            <ul class="scenario-list" aria-label="Scenarios">
                {erase::view(move || {
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
                })}
            </ul>
        </div>
    }
}

/// A problem as the list says it: severity, code, message, and where (the resource and field,
/// unless the message names them already).
fn problem_text(d: &knflow_model::Diagnostic) -> String {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let at = [d.resource.as_deref().unwrap_or_default(), d.path.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty() && !d.message.contains(*s))
        .collect::<Vec<_>>()
        .join(" ");
    if at.is_empty() {
        format!("{sev}[{}]: {}", d.code, d.message)
    } else {
        format!("{sev}[{}]: {} ({at})", d.code, d.message)
    }
}
