//! The simulation's event moving along the hop at the timeline position.

use leptos::prelude::*;

use crate::state::App;

/// The moving dot of the hop at the timeline position, from sender to receiver.
pub fn hop_animation(app: App) -> impl IntoView {
    move || {
        app.sim.with(|s| {
            let s = s.as_ref()?;
            let h = s.hops.get(s.step.checked_sub(1)?)?;
            let from = h["from"].as_str()?;
            let to = h["to"].as_str()?;
            let center = |l: &str| {
                let (x, y) = app.position(l)?;
                let (w, hh) = app
                    .nodes
                    .with(|n| n.get(l).map(|v| (v.width(), v.height())))?;
                Some((x + w / 2.0, y + hh / 2.0))
            };
            let mut pts: Vec<(f64, f64)> = Vec::new();
            pts.extend(center(from));
            if let Some(via) = h["via"].as_str() {
                pts.extend(center(via));
            }
            pts.extend(center(to));
            if pts.len() < 2 {
                return None;
            }
            let path: String = pts
                .iter()
                .enumerate()
                .map(|(i, (x, y))| format!("{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" }))
                .collect();
            let outcome = h["outcome"].as_str().unwrap_or_default().to_string();
            Some(view! {
                <g class=format!("hop hop-{outcome}")>
                    <path class="hop-path" d=path.clone()></path>
                    <circle r="7">
                        <animateMotion dur="0.6s" fill="freeze" path=path></animateMotion>
                    </circle>
                </g>
            })
        })
    }
}
