//! The Events tab: for each broker, the event types that can arrive there (from the event-type
//! analysis) against its triggers — who receives what, "may" where the filter reads more than
//! the type and source. Hovering or focusing a type draws every path it can take; a trigger's
//! inspector lists the types it receives.

use crate::handle;
use knflow_dataplane::analysis::{Analysis, Origin, Pattern};
use knflow_dataplane::filter::Decision;
use leptos::prelude::*;

use crate::state::App;

/// The wires an event of `p` arriving at `broker` takes: in from its producers, then to and
/// out of every trigger that passes it (or may).
fn paths_of(a: &Analysis, broker: &str, p: &Pattern) -> Vec<String> {
    let mut keys = Vec::new();
    for o in a
        .arrivals
        .get(broker)
        .and_then(|m| m.get(p))
        .into_iter()
        .flatten()
    {
        match o {
            Origin::Source(s) => keys.push(format!("{s}.spec.sink")),
            Origin::Reply { via, .. } => keys.push(format!("{via}.spec.subscriber")),
            Origin::Topic { source, .. } => keys.push(format!("{source}.spec.sink")),
            Origin::EventType(_) | Origin::Declared(_) => {}
        }
    }
    for t in a.triggers.iter().filter(|t| t.broker == broker) {
        let passes = t.matches.iter().any(|(q, d)| q == p && *d != Decision::No);
        if passes {
            keys.push(format!("{}.spec.broker", t.trigger));
            keys.push(format!("{}.spec.subscriber", t.trigger));
        }
    }
    keys
}

fn cell(d: Decision) -> (&'static str, &'static str, &'static str) {
    match d {
        Decision::Yes => ("✓", "receives", "yes"),
        Decision::Maybe => (
            "may",
            "may receive (its filter reads more than the type and source)",
            "maybe",
        ),
        Decision::No => ("", "does not receive", "no"),
    }
}

/// The tab's panel.
pub fn events(app: App) -> impl IntoView {
    move || {
        let a = app.event_types.get();
        let brokers: Vec<String> = a
            .arrivals
            .keys()
            .filter(|b| a.triggers.iter().any(|t| &t.broker == *b))
            .cloned()
            .collect();
        if brokers.is_empty() {
            return view! {
                <p class="hint">"No broker with triggers has a known producer. Sources wired to a broker, EventTypes, or the annotation knflow.dev/produces on a broker say what arrives there."</p>
            }
            .into_any();
        }
        brokers
            .into_iter()
            .map(|broker| {
                let triggers: Vec<_> = a.triggers.iter().filter(|t| t.broker == broker).cloned().collect();
                let rows: Vec<(Pattern, String)> = a.arrivals[&broker]
                    .iter()
                    .map(|(p, o)| (p.clone(), o.iter().map(Origin::to_string).collect::<Vec<_>>().join(", ")))
                    .collect();
                let analysis = a.clone();
                view! {
                    <table class="events" aria-label=format!("Event types at {broker}")>
                        <caption>{broker.clone()}</caption>
                        <thead><tr>
                            <th scope="col">"type"</th>
                            <th scope="col">"source"</th>
                            <th scope="col">"from"</th>
                            {triggers.iter().map(|t| view! {
                                <th scope="col" title=format!("{} → {}", t.trigger, t.subscriber)>
                                    {t.trigger.split_once('/').map_or(t.trigger.clone(), |(_, n)| n.to_string())}
                                </th>
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(p, from)| {
                                let keys = paths_of(&analysis, &broker, &p);
                                let (k1, k2) = (keys.clone(), keys);
                                let cells = triggers.iter().map(|t| {
                                    let d = t.matches.iter().find(|(q, _)| *q == p).map_or(Decision::No, |(_, d)| *d);
                                    let (text, says, class) = cell(d);
                                    view! { <td class=class aria-label=format!("{} {says}", t.trigger)>{text}</td> }
                                }).collect_view();
                                view! {
                                    <tr tabindex="0"
                                        on:pointerenter=handle::pointer(move |_| app.traced.set(Some(k1.clone())))
                                        on:focus=handle::focus(move |_| app.traced.set(Some(k2.clone())))
                                        on:pointerleave=handle::pointer(move |_| app.traced.set(None))
                                        on:blur=handle::focus(move |_| app.traced.set(None))>
                                        <th scope="row">{p.ty.to_string()}</th>
                                        <td class="source">{p.source.to_string()}</td>
                                        <td class="from">{from}</td>
                                        {cells}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })
            .collect_view()
            .into_any()
    }
}

/// What a trigger receives, for its inspector: each type arriving at its broker that its
/// filter passes, "may" marked.
pub fn receives(app: App, trigger: String) -> impl IntoView {
    move || {
        let a = app.event_types.get();
        let t = a.triggers.iter().find(|t| t.trigger == trigger)?;
        let got: Vec<(String, Decision)> = t
            .matches
            .iter()
            .filter(|(_, d)| *d != Decision::No)
            .map(|(p, d)| (p.to_string(), *d))
            .collect();
        Some(view! {
            <section class="receives" aria-label="Receives">
                <h3>"Receives"</h3>
                {if got.is_empty() {
                    view! { <p class="hint">{format!("None of the events known to arrive at {}", t.broker)}</p> }.into_any()
                } else {
                    view! {
                        <ul>{got.into_iter().map(|(p, d)| view! {
                            <li>{p}{(d == Decision::Maybe).then_some(" (may)")}</li>
                        }).collect_view()}</ul>
                    }.into_any()
                }}
            </section>
        })
    }
}
