//! The simulation on the canvas: where each hop went (along the wires it took), the event
//! moving along the hop at the timeline position, and each node's count of outcomes.

use knflow_model::diagram::route::{Path, Seg};
use knflow_model::diagram::WireKind;
use knflow_model::num::{self, Fixed};
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;

use crate::state::{App, WireView};

/// One stretch of a hop.
#[derive(Debug, Clone, PartialEq)]
pub enum Leg {
    /// Along a drawn wire, backwards for a reply going back the way its event came.
    Wire { key: String, back: bool },
    /// Between two nodes that no wire joins.
    Straight { from: String, to: String },
}

/// Where a hop went on the canvas.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HopRoute {
    pub legs: Vec<Leg>,
    /// A filtered event stops at its trigger (or subscription).
    pub filtered_at: Option<String>,
    /// The node the hop entered first, when it came from outside the flow (an ingress).
    pub entered: Option<String>,
}

fn field<'h>(h: &'h Value, name: &str) -> Option<&'h str> {
    h[name].as_str()
}

/// The wires a hop took: through its trigger or subscription (`via`) to its target, a dead
/// letter along the dead-letter wire, a reply back along the wires its event came by.
pub fn route(ws: &[WireView], h: &Value) -> HopRoute {
    let from = field(h, "from").unwrap_or_default();
    let to = field(h, "to").unwrap_or_default();
    let via = field(h, "via");
    let is_node = |l: &str| ws.iter().any(|w| w.from == l || w.to == l);
    let mut out = HopRoute::default();
    match field(h, "outcome").unwrap_or_default() {
        "dead-lettered" => {
            // Sent by the trigger (or subscription) or its broker (channel): whichever holds
            // the dead-letter sink.
            let senders: Vec<&str> = via
                .into_iter()
                .chain([from])
                .chain(
                    ws.iter()
                        .filter(|w| Some(w.to.as_str()) == via)
                        .map(|w| w.from.as_str()),
                )
                .collect();
            let dl = senders.iter().find_map(|s| {
                ws.iter()
                    .find(|w| w.kind == WireKind::DeadLetter && w.from == *s && w.to == to)
            });
            out.legs.push(match dl {
                Some(w) => Leg::Wire {
                    key: w.key.clone(),
                    back: false,
                },
                None => Leg::Straight {
                    from: via.unwrap_or(from).to_string(),
                    to: to.to_string(),
                },
            });
            return out;
        }
        "filtered" => {
            let chain: Vec<&str> = [from].into_iter().chain(via).collect();
            out.legs = legs(ws, &chain);
            out.filtered_at = via.map(str::to_string);
            return out;
        }
        _ => {}
    }
    let chain: Vec<&str> = [from]
        .into_iter()
        .chain(via)
        .chain([to])
        .filter(|l| is_node(l) || *l == to)
        .collect();
    out.legs = legs(ws, &chain);
    if !is_node(from) {
        out.entered = chain.first().map(|l| l.to_string());
    }
    out
}

/// Legs between consecutive labels: a wire from one to the next, else the wire the other way
/// (a reply retracing its event's way), else a straight line.
fn legs(ws: &[WireView], chain: &[&str]) -> Vec<Leg> {
    let carries = |w: &&WireView| w.kind != WireKind::Reference && w.kind != WireKind::DeadLetter;
    chain
        .windows(2)
        .map(|p| {
            let (a, b) = (p[0], p[1]);
            if let Some(w) = ws.iter().filter(carries).find(|w| w.from == a && w.to == b) {
                Leg::Wire {
                    key: w.key.clone(),
                    back: false,
                }
            } else if let Some(w) = ws.iter().filter(carries).find(|w| w.from == b && w.to == a) {
                Leg::Wire {
                    key: w.key.clone(),
                    back: true,
                }
            } else {
                Leg::Straight {
                    from: a.to_string(),
                    to: b.to_string(),
                }
            }
        })
        .collect()
}

/// The hop at the timeline position, as the wires it lights.
pub fn current_route(app: &App) -> Option<HopRoute> {
    app.sim.with(|s| {
        let s = s.as_ref()?;
        let h = s.hops.get(s.step.checked_sub(1)?)?;
        Some(app.wires.with(|ws| route(ws, h)))
    })
}

/// The polyline of a route on the canvas as it is drawn now.
fn points(app: &App, r: &HopRoute) -> Vec<(f64, f64)> {
    let center = |l: &str| {
        let (x, y) = app.position(l)?;
        let (w, h) = app
            .nodes
            .with(|n| n.get(l).map(|v| (v.width(), v.height())))?;
        Some((x + w / 2.0, y + h / 2.0))
    };
    let mut pts: Vec<(f64, f64)> = Vec::new();
    if let Some(l) = &r.entered {
        // From outside the flow: a short way in from the left.
        if let Some((x, y)) = app.position(l) {
            let y = y + knflow_model::diagram::INPUT_Y;
            pts.extend([(x - 56.0, y), (x, y)]);
        }
    }
    for leg in &r.legs {
        let part: Vec<(f64, f64)> = match leg {
            Leg::Wire { key, back } => app
                .wires
                .with(|ws| ws.iter().find(|w| &w.key == key).cloned())
                .and_then(|w| app.wire_path(&w))
                .and_then(|d| Path::parse_svg(&d))
                .map(|p| {
                    let mut v = p.points();
                    if *back {
                        v.reverse();
                    }
                    v
                })
                .unwrap_or_default(),
            Leg::Straight { from, to } => center(from).into_iter().chain(center(to)).collect(),
        };
        // Through a node (a trigger's input to its subscriber port): along its top edge, not
        // across its name.
        if let (Some(&a), Some(&b)) = (pts.last(), part.first()) {
            if (a.0 - b.0).abs() + (a.1 - b.1).abs() > 2.0 {
                if let Some(top) = top_of_node_at(app, a) {
                    pts.extend([(a.0, top), (b.0, top)]);
                }
            }
        }
        pts.extend(part);
    }
    pts
}

/// The top edge of the node whose box `p` lies on (a port on its border).
fn top_of_node_at(app: &App, p: (f64, f64)) -> Option<f64> {
    app.nodes.with(|ns| {
        ns.iter().find_map(|(_, v)| {
            let inside = p.0 >= v.x - 2.0
                && p.0 <= v.x + v.width() + 2.0
                && p.1 >= v.y - 2.0
                && p.1 <= v.y + v.height() + 2.0;
            inside.then_some(v.y)
        })
    })
}

/// How long the moving event takes along its hop, from the playback speed.
pub fn hop_ms(app: &App) -> f64 {
    crate::state::HOP_MS / app.speed.get()
}

/// Advances the timeline one hop per [`crate::state::HOP_MS`] (at the chosen speed) while
/// playing; stops at the end.
pub fn playback(app: App) {
    Effect::new(move |_| {
        if !app.playing.get() {
            return;
        }
        // Rerun on every step, so each hop gets its full time; a timer whose step was left
        // (a pause and play in between) does nothing.
        let Some(at) = app.sim.with(|s| s.as_ref().map(|s| s.step)) else {
            return;
        };
        let ms = hop_ms(&app);
        set_timeout(
            move || {
                if !app.playing.get_untracked() {
                    return;
                }
                let mut end = false;
                app.sim.update(|s| {
                    let Some(s) = s.as_mut().filter(|s| s.step == at) else {
                        return;
                    };
                    if s.step < s.hops.len() {
                        s.step += 1;
                        s.selected = Some(s.step - 1);
                    }
                    end = s.step >= s.hops.len();
                });
                if end {
                    app.playing.set(false);
                }
            },
            std::time::Duration::from_millis(ms as u64),
        );
    });
}

/// The event moving along the hop at the timeline position: its whole way drawn, the event
/// travelling it, and "filtered" where a filter stopped it.
pub fn hop_animation(app: App) -> impl IntoView {
    move || {
        let r = current_route(&app)?;
        let outcome = app.sim.with(|s| {
            s.as_ref()
                .and_then(|s| s.hops.get(s.step.checked_sub(1)?))
                .and_then(|h| field(h, "outcome").map(str::to_string))
        })?;
        let pts = points(&app, &r);
        if pts.len() < 2 {
            return None;
        }
        let path = Path {
            start: pts[0],
            segs: pts[1..].iter().map(|&p| Seg::Line(p)).collect(),
        }
        .svg();
        let end = *pts.last()?;
        // A sign over the wire's end, outside the trigger, named "filtered" (the word is on
        // the trigger's badge): a column gap is too narrow for the word without covering a node.
        let mark = r.filtered_at.as_ref().map(|_| {
            view! {
                <text class="hop-mark" role="img" aria-label="filtered" text-anchor="middle"
                    x=num::text(end.0 - 13.0) y=num::text(end.1 - 9.0)><title>"filtered"</title>"⊘"</text>
            }
        });
        let dur = format!("{}ms", Fixed(hop_ms(&app) * 0.85, 0));
        let motion = NodeRef::<leptos::svg::AnimateMotion>::new();
        // A motion element added to a running document starts at the document's time zero, so
        // it would already be over: start it by hand once it is in the page.
        Effect::new(move |_| {
            if let Some(m) = motion.get() {
                if let Some(m) = m.dyn_ref::<web_sys::SvgAnimationElement>() {
                    let _ = m.begin_element();
                }
            }
        });
        Some(view! {
            <g class=format!("hop hop-{outcome}") data-outcome=outcome.clone()>
                <path class="hop-path" d=path.clone()></path>
                <circle r="7" cx="0" cy="0">
                    <animateMotion node_ref=motion dur=dur begin="indefinite" fill="freeze" path=path></animateMotion>
                </circle>
                {mark}
            </g>
        })
    }
}

/// The height of a row of outcome badges above a node (canvas units); Fit leaves one free
/// above the top nodes, so that a run's badges are not cut off by the canvas's edge.
pub const BADGE_ROW: f64 = 20.0;

/// The outcomes a node can show, in the order its badges read; the last three are failures.
pub const OUTCOMES: [&str; 7] = [
    "delivered",
    "replied",
    "filtered",
    "retried",
    "failed",
    "dead-lettered",
    "dropped",
];

/// Whether an outcome is a failure (drawn red, with an icon).
pub fn is_failure(outcome: &str) -> bool {
    matches!(outcome, "failed" | "dead-lettered" | "dropped")
}

/// Outcome counts per node label, by [`OUTCOMES`] order.
pub type Outcomes = litemap::LiteMap<String, [usize; 7]>;

/// Every node's outcomes in `hops` (those up to the timeline position). A hop counts on its
/// target, as the simulator's summary does; a filter stop counts on its trigger (or
/// subscription), and so does an event it passed to its subscriber. One pass over the hops.
pub fn outcomes(ws: &[WireView], hops: &[Value]) -> Outcomes {
    // Delivery wires by their ends: a hop via X to Y passed X on when X has a wire to Y.
    let passes: litemap::LiteMap<(&str, &str), ()> = knflow_model::order::map(
        ws.iter()
            .filter(|w| w.kind != WireKind::DeadLetter)
            .map(|w| ((w.from.as_str(), w.to.as_str()), ())),
    );
    let mut out = Outcomes::new();
    let mut count = |label: &str, i: usize| {
        if let Some(n) = out.get_mut(label) {
            n[i] += 1;
        } else {
            let mut n = [0; 7];
            n[i] = 1;
            out.insert(label.to_string(), n);
        }
    };
    for h in hops {
        let to = field(h, "to").unwrap_or_default();
        let i = match field(h, "outcome").unwrap_or_default() {
            "delivered" => 0,
            "replied" => 1,
            "filtered" => 2,
            "retrying" => 3,
            "failed" => 4,
            "dead-lettered" => 5,
            "dropped" => 6,
            _ => continue,
        };
        if let Some(via) = field(h, "via") {
            if i == 2 {
                count(via, 2);
            } else if i <= 1 && passes.contains_key(&(via, to)) {
                // Passed on to the subscriber (not a reply on its way back).
                count(via, 0);
            }
        }
        if i != 2 {
            count(to, i);
        }
    }
    out
}

/// Width of a badge for `text` (11 px semibold), with room for its icon.
fn badge_width(text: &str, icon: bool) -> f64 {
    text.chars().count() as f64 * 6.4 + 12.0 + if icon { 13.0 } else { 0.0 }
}

/// A node's badges: one per outcome it had, in rows above the node that fit its width.
pub fn badges(app: App, label: String, node_width: f64) -> impl IntoView {
    move || {
        let counts = app.outcomes.with(|o| o.get(&label).copied())?;
        let list = OUTCOMES.iter().zip(counts).filter(|(_, c)| *c > 0);
        let mut placed = Vec::new();
        let (mut x, mut row) = (0.0, 0);
        for (outcome, count) in list {
            let text = format!("{outcome} {count}");
            let bad = is_failure(outcome);
            let w = badge_width(&text, bad);
            if x > 0.0 && x + w > node_width {
                x = 0.0;
                row += 1;
            }
            placed.push((outcome, text, bad, x, w, row));
            x += w + 4.0;
        }
        let rows = row + 1;
        Some(
            placed
                .into_iter()
                .map(|(outcome, text, bad, x, w, row)| {
                    let y = -BADGE_ROW * (rows - row) as f64;
                    let icon = bad.then(|| view! { <text class="badge-icon" aria-hidden="true" x=num::text(x + 7.0) y=num::text(y + 12.0)>"✖"</text> });
                    let tx = x + 6.0 + if bad { 13.0 } else { 0.0 };
                    view! {
                        <g class=format!("sim-badge outcome-{outcome}") class:bad=bad role="img" aria-label=text.clone()>
                            <rect x=num::text(x) y=num::text(y) width=num::text(w) height="16" rx="8"></rect>
                            {icon}
                            <text class="badge-text" x=num::text(tx) y=num::text(y + 12.0)>{text.clone()}</text>
                        </g>
                    }
                })
                .collect_view(),
        )
    }
}
