//! The Live tab: run the open flow live in `kn-flow serve` (real HTTP ingresses on 127.0.0.1),
//! show its addresses with ready-to-copy `curl` commands, and animate real traffic on the canvas.

use crate::erase;
use crate::handle;
use knflow_editor::Editor;
use leptos::prelude::*;
use serde_json::Value;

use crate::host;
use crate::state::{App, SimRun};

fn close_tap() {
    host::unsubscribe_tap();
}

/// Real hops flow into the same trace the simulator fills, so the canvas animates them and the
/// node counters count them.
fn open_tap(app: App) {
    app.sim.set(Some(SimRun {
        hops: Vec::new(),
        summary: Default::default(),
        step: 0,
        selected: None,
        live: true,
        revision: 0,
    }));
    let subscribed = host::subscribe_tap(move |text| {
        let Ok(hop) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        // Only into the live run: a hop that arrives after Stop (or after a simulation took
        // the canvas) marks nothing.
        app.sim.update(|s| {
            if let Some(s) = s.as_mut().filter(|s| s.live) {
                s.hops.push(hop);
                s.step = s.hops.len();
            }
        });
    });
    if let Err(e) = subscribed {
        app.say_error(e);
    }
}

fn curl(url: &str) -> String {
    format!(
        "curl -i -X POST {url} -H 'ce-specversion: 1.0' -H 'ce-id: 1' -H 'ce-source: /curl' \
-H 'ce-type: com.example.event' -H 'content-type: application/json' -d '{{\"hello\": \"world\"}}'"
    )
}

/// A hop as the logs list it: what went where (the attempt, for a retried delivery) with what
/// outcome (the HTTP status where there was a delivery), and the event it carried.
pub(crate) fn hop_text(h: &Value) -> (String, String) {
    let outcome = h["outcome"].as_str().unwrap_or_default();
    let status = h["status"]
        .as_u64()
        .filter(|_| outcome != "filtered")
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    let text = format!(
        "{} → {}{}{}  {status}{outcome}",
        h["from"].as_str().unwrap_or_default(),
        h["to"].as_str().unwrap_or_default(),
        h["via"]
            .as_str()
            .map(|v| format!(" via {v}"))
            .unwrap_or_default(),
        h["attempt"]
            .as_u64()
            .map(|a| format!(" #{a}"))
            .unwrap_or_default(),
    );
    let event = format!(
        "{} · {}",
        h["event"]["type"].as_str().unwrap_or_default(),
        h["event"]["id"].as_str().unwrap_or_default()
    );
    (text, event)
}

#[component]
pub fn Live(app: App) -> impl IntoView {
    let status = RwSignal::new(None::<Value>);
    let stopped = RwSignal::new(Vec::<Value>::new());
    leptos::task::spawn_local(async move {
        if let Ok(s) = host::live_status().await {
            if s["running"] == true {
                open_tap(app);
            }
            status.set(Some(s));
        }
    });
    let start = move |_| {
        stopped.set(Vec::new());
        let text = app.editor.with_untracked(Editor::save_text);
        leptos::task::spawn_local(async move {
            match host::live_start(&text).await {
                Ok(s) => {
                    status.set(Some(s));
                    open_tap(app);
                    app.say("the flow is live");
                }
                Err(e) => app.say_error(format!("not started: {e}")),
            }
        });
    };
    let stop = move |_| {
        close_tap();
        leptos::task::spawn_local(async move {
            match host::live_stop().await {
                Ok(()) => {
                    status.set(Some(serde_json::json!({"running": false})));
                    // Live marks and badges go with the traffic that made them; the log
                    // stays to be read.
                    app.sim.update(|s| {
                        if let Some(run) = s.take_if(|s| s.live) {
                            stopped.set(run.hops);
                        }
                    });
                    app.say("stopped");
                }
                Err(e) => app.say_error(e),
            }
        });
    };
    let running = move || status.with(|s| s.as_ref().is_some_and(|s| s["running"] == true));
    // The hops to list: the running flow's, else those of the run just stopped.
    // Its last 200, read in place (a live run's hops grow without end: no copy per hop).
    let listed = move || {
        let lines = |hops: &[Value]| -> Vec<(String, String)> {
            hops[hops.len().saturating_sub(200)..]
                .iter()
                .map(hop_text)
                .collect()
        };
        app.sim
            .with(|s| s.as_ref().filter(|s| s.live).map(|s| lines(&s.hops)))
            .unwrap_or_else(|| stopped.with(|h| lines(h)))
    };
    // The newest hop is the last: the list (not the panel, whose buttons stay put) keeps it in
    // sight as traffic comes in. Asked for by the list's own render, so the scroll comes after
    // the items it renders are in the document, whatever order Leptos runs its effects in.
    let log = NodeRef::<leptos::html::Ol>::new();
    let keep_newest_in_sight = move || {
        request_animation_frame(move || {
            if let Some(l) = log.get_untracked() {
                l.set_scroll_top(l.scroll_height());
            }
        });
    };
    view! {
        <div class="live">
            <div class="actions">
                <button class="primary" on:click=handle::mouse(start)>{move || if running() { "Restart live" } else { "Start live" }}</button>
                <button on:click=handle::mouse(stop) disabled=move || !running()>"Stop live"</button>
                <span class="hint">"Real HTTP on 127.0.0.1: POST CloudEvents to an ingress; sinks without a URL go to a built-in display."</span>
            </div>
            {erase::view(move || (!running()).then(|| view! {
                <p class="hint" role="status">"Live mode is not running: Start live to send real traffic through the flow. Simulated events are in the Simulate tab."</p>
            }))}
            {erase::view(move || status.get().filter(|s| s["running"] == true).map(|s| {
                let ingresses = s["ingresses"].as_array().cloned().unwrap_or_default();
                let sinks = s["sinks"].as_array().cloned().unwrap_or_default();
                view! {
                    <table class="summary" aria-label="Live addresses">
                        <thead><tr><th>"ingress"</th><th>"address"</th><th></th></tr></thead>
                        <tbody>
                            {ingresses.into_iter().map(|a| {
                                let url = a["url"].as_str().unwrap_or_default().to_string();
                                let cmd = curl(&url);
                                view! {
                                    <tr>
                                        <td>{a["resource"].as_str().unwrap_or_default().to_string()}</td>
                                        <td><code>{url.clone()}</code></td>
                                        <td><button aria-label=format!("Copy curl for {url}") on:click=handle::mouse(move |_| {
                                            if let Some(w) = web_sys::window() {
                                                let _ = w.navigator().clipboard().write_text(&cmd);
                                            }
                                        })>"Copy curl"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="summary" aria-label="Live sinks">
                        <thead><tr><th>"sink"</th><th>"delivers to"</th><th>"how"</th></tr></thead>
                        <tbody>
                            {sinks.into_iter().map(|t| view! {
                                <tr>
                                    <td>{t["sink"].as_str().unwrap_or_default().to_string()}</td>
                                    <td><code>{t["url"].as_str().unwrap_or_default().to_string()}</code></td>
                                    <td>{t["how"].as_str().unwrap_or_default().to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            }))}
            <ol class="hops" aria-label="Live hops" node_ref=log>
                // In the order they happened (the ingress first), the last 200.
                {erase::view(move || {
                    let items = listed();
                    if !items.is_empty() {
                        keep_newest_in_sight();
                    }
                    items.into_iter().map(|(text, event)| view! {
                        <li>{text}<span class="event">{event}</span></li>
                    }).collect_view()
                })}
            </ol>
        </div>
    }
}
