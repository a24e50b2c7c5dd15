//! The app's reactive state: one [`Editor`] in a signal, and what the view derives from it.

use std::sync::Arc;

use litemap::LiteMap;

use knflow_editor::{category_of, facts, icon_of, Editor};
use knflow_model::diagram::route::{Obstacles, Rect};
use knflow_model::diagram::{Diagram, Shape, Side, What, WireKind, INPUT_Y};
use knflow_model::{Diagnostic, ResourceId, Role, Severity};
use leptos::prelude::*;
use serde_json::Value;

/// Local-storage keys of the dock's size and state.
pub const DOCK_HEIGHT: &str = "knflow.dock.height";
pub const DOCK_COLLAPSED: &str = "knflow.dock.collapsed";
pub const DEFAULT_DOCK_HEIGHT: f64 = 200.0;

/// Size of a node's name at zoom 1 (style.css `.node .name`), and the smallest that reads well.
pub const NAME_PX: f64 = 16.0;
pub const READABLE_NAME: f64 = 11.0;

/// Pan and zoom of the canvas: screen = canvas × k + (tx, ty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewBox {
    pub tx: f64,
    pub ty: f64,
    pub k: f64,
}

/// A pointer gesture in progress on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub enum Drag {
    /// Moving nodes; how far so far is in [`App::offset`] (only moving nodes read it).
    Move {
        ids: Vec<String>,
        start: (f64, f64),
    },
    /// Drawing a wire from a port; `at` is the pointer in canvas units.
    Wire {
        from: String,
        port: WirePort,
        start: (f64, f64),
        at: (f64, f64),
    },
    Pan {
        start: (f64, f64),
        origin: ViewBox,
    },
    /// Box selection between two canvas points.
    Select {
        a: (f64, f64),
        b: (f64, f64),
    },
}

/// The port a wire is being drawn from, and what dropping it on a node makes.
#[derive(Debug, Clone, PartialEq)]
pub struct WirePort {
    pub role: Role,
    pub index: Option<usize>,
    /// The reference belongs to the node the wire is dropped on (a Broker's `triggers`
    /// output sets the dropped-on Trigger's `broker`).
    pub reversed: bool,
}

/// What a node shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    /// `Kind/name`, or the URI: the node's key everywhere.
    pub label: String,
    pub kind: String,
    pub name: String,
    pub icon: &'static str,
    pub category: &'static str,
    /// The node's key fact, whole (the node shows it shortened).
    pub facts: String,
    pub what: What,
    pub x: f64,
    pub y: f64,
    pub shape: Shape,
    pub errors: usize,
    pub warnings: usize,
}

impl NodeView {
    pub fn height(&self) -> f64 {
        self.shape.h
    }

    pub fn width(&self) -> f64 {
        self.shape.w
    }

    /// A resource of the flow (not a URI or a missing object).
    pub fn id(&self) -> Option<ResourceId> {
        (self.what == What::Resource)
            .then(|| ResourceId::parse(&self.label))
            .flatten()
    }
}

/// A reference drawn as a wire between two nodes (see `knflow_model::diagram`).
#[derive(Debug, Clone, PartialEq)]
pub struct WireView {
    pub key: String,
    /// Labels of the node the wire leaves and the node it enters.
    pub from: String,
    pub to: String,
    pub from_port: String,
    pub kind: WireKind,
    /// The accessible name.
    pub name: String,
    /// The reference: the node holding it, its role and list index.
    pub owner: String,
    pub role: Role,
    pub index: Option<usize>,
}

/// The wires as drawn with the nodes at their saved places.
#[derive(Debug, PartialEq)]
pub struct Drawn {
    /// SVG path data by wire key.
    pub paths: LiteMap<String, String>,
    pub crossings: Option<usize>,
}

/// Node boxes as the wires avoid them, with each label's index.
pub struct Boxes {
    pub obstacles: Obstacles,
    pub index: LiteMap<String, usize>,
}

/// Made anew whenever a node moves: two are the same only if they are one.
impl PartialEq for Boxes {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What a context menu was opened on, and where (client coordinates).
#[derive(Debug, Clone, PartialEq)]
pub enum MenuOn {
    Node(String),
    Wire(String),
    /// The background, at a canvas point.
    Background((f64, f64)),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub on: MenuOn,
    pub x: f64,
    pub y: f64,
}

/// Whether the inspector is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectorMode {
    /// While something is selected.
    Auto,
    Open,
    Collapsed,
}

/// One run of the simulator from the Simulate tab.
#[derive(Debug, Clone, PartialEq)]
pub struct SimRun {
    pub hops: Vec<Value>,
    /// Counters by resource, in the simulator's (sorted) order.
    pub summary: serde_json::Map<String, Value>,
    /// Hops shown so far (the timeline position).
    pub step: usize,
    pub selected: Option<usize>,
    /// Real traffic from live mode, not a simulation (each has its own tab).
    pub live: bool,
    /// The editor's routing revision the simulation ran against (see `follow_routing`).
    pub revision: u64,
}

/// The Simulate tab's form: kept by the app, so that switching tabs loses nothing typed.
#[derive(Clone, Copy)]
pub struct SendForm {
    pub target: RwSignal<String>,
    pub ty: RwSignal<String>,
    pub source: RwSignal<String>,
    pub subject: RwSignal<String>,
    pub extensions: RwSignal<String>,
    pub data: RwSignal<String>,
    /// For a source: send the form's event once, or run what the source does for a while.
    pub once: RwSignal<bool>,
    pub run_for: RwSignal<String>,
    /// The target the fields were last filled in for from its sample event.
    pub sampled_for: RwSignal<Option<String>>,
    /// What the last Send ran, for "Save as scenario".
    pub last: RwSignal<Option<Value>>,
}

const SEND_TYPE: &str = "com.example.event";
const SEND_SOURCE: &str = "/knflow/designer";
const SEND_DATA: &str = "{\n  \"hello\": \"world\"\n}";

impl SendForm {
    fn new() -> SendForm {
        SendForm {
            target: RwSignal::new(String::new()),
            ty: RwSignal::new(SEND_TYPE.to_string()),
            source: RwSignal::new(SEND_SOURCE.to_string()),
            subject: RwSignal::new(String::new()),
            extensions: RwSignal::new(String::new()),
            data: RwSignal::new(SEND_DATA.to_string()),
            once: RwSignal::new(true),
            run_for: RwSignal::new("1h".to_string()),
            sampled_for: RwSignal::new(None),
            last: RwSignal::new(None),
        }
    }

    /// Back to a fresh form for `target`: another flow was opened (or the target deleted),
    /// so nothing typed for the old one carries over.
    pub fn start_over(&self, target: String) {
        self.ty.set(SEND_TYPE.to_string());
        self.source.set(SEND_SOURCE.to_string());
        self.subject.set(String::new());
        self.extensions.set(String::new());
        self.data.set(SEND_DATA.to_string());
        self.last.set(None);
        self.sampled_for.set(None);
        self.target.set(target);
    }
}

/// How long one hop takes on the canvas at normal playback speed.
pub const HOP_MS: f64 = 700.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DockTab {
    Problems,
    /// Event types × triggers: who receives what.
    Events,
    Yaml,
    Simulate,
    Scenarios,
    Live,
    /// Desktop only: diff, dry run, apply, readiness, import.
    Cluster,
}

/// Everything the components share; all fields are signals, so this is `Copy`.
#[derive(Clone, Copy)]
pub struct App {
    pub editor: RwSignal<Editor>,
    /// The flow's file in the host (None: never saved).
    pub path: RwSignal<Option<String>>,
    pub view: RwSignal<ViewBox>,
    pub drag: RwSignal<Option<Drag>>,
    /// How far the nodes of a move gesture have moved, in canvas units.
    pub offset: RwSignal<(f64, f64)>,
    /// The nodes a move gesture moves; changes only when a gesture starts or ends.
    pub moving: Memo<Vec<String>>,
    /// The port a wire is being drawn from; changes only when a gesture starts or ends.
    pub wiring: Memo<Option<(String, WirePort)>>,
    /// A message for the status bar: (is_error, text).
    pub status: RwSignal<Option<(bool, String)>>,
    pub dock: RwSignal<DockTab>,
    pub sim: RwSignal<Option<SimRun>>,
    pub send: SendForm,
    /// Each node's outcome counts up to the timeline position (see `canvas::hops::outcomes`),
    /// counted once per step for all nodes.
    pub outcomes: Memo<crate::canvas::hops::Outcomes>,
    /// Playback speed of the simulation (1 = a hop per [`HOP_MS`]).
    pub speed: RwSignal<f64>,
    /// Whether the simulation is playing (the timeline advances by itself).
    pub playing: RwSignal<bool>,
    pub help: RwSignal<bool>,
    /// The question on screen that asks before work is lost or a file replaced.
    pub confirm: RwSignal<Option<crate::dialogs::Confirm>>,
    /// A message next to the pointer (why a wire was refused), at client coordinates; the
    /// number tells one message from the next, so each hides only itself.
    pub tip: RwSignal<Option<(f64, f64, String, u64)>>,
    /// Whether the Flow settings dialog is open.
    pub settings: RwSignal<bool>,
    /// The Save as dialog, with the folder's flows, while it is open.
    pub save_as: RwSignal<Option<Vec<String>>>,
    /// The Open dialog, with the recent (desktop) or served (browser) flows, while it is open.
    pub open: RwSignal<Option<Vec<String>>>,
    /// The open file changed on disk and the user kept their version (Save asks first).
    pub disk_changed: RwSignal<bool>,
    /// Why the last file asked for could not be opened (a banner until dismissed).
    pub open_failed: RwSignal<Option<String>>,
    pub dark: RwSignal<bool>,
    /// The kind being dragged from the palette.
    pub palette_drag: RwSignal<Option<String>>,
    /// A field path the inspector should reveal (from a clicked problem).
    pub focus_field: RwSignal<Option<String>>,
    /// What validation says, with the CESQL expression being typed checked as if applied.
    pub diagnostics: Memo<Vec<Diagnostic>>,
    /// The flow's event-type analysis, made anew when its content changes.
    pub event_types: Memo<Arc<knflow_dataplane::analysis::Analysis>>,
    /// Wires drawn highlighted: the paths an event type can take (hovered in the Events tab).
    pub traced: RwSignal<Option<Vec<String>>>,
    /// A CESQL expression being typed and not yet applied: `(resource, field path, text)`.
    pub cesql_draft: RwSignal<Option<(String, String, String)>>,
    /// The field paths the inspector's form shows problems under: the list at its top leaves
    /// those out, so that a problem is shown once.
    pub form_paths: RwSignal<Vec<String>>,
    pub diagram: Memo<Arc<Diagram>>,
    pub nodes: Memo<LiteMap<String, NodeView>>,
    pub wires: Memo<Vec<WireView>>,
    /// Every wire's path with the nodes where they are saved (all wires routed together, so
    /// those sharing a gap get lanes), and their crossings (flows of up to 300 wires; the
    /// browser tests compare it with what they count on the page).
    pub drawn: Memo<Arc<Drawn>>,
    /// Node boxes at their saved positions (a drag in progress moves only its own wires).
    pub boxes: Memo<Arc<Boxes>>,
    /// The selected wire, by key.
    pub wire: RwSignal<Option<String>>,
    pub menu: RwSignal<Option<Menu>>,
    /// Dock height in pixels, and whether it is collapsed to its tabs.
    pub dock_height: RwSignal<f64>,
    pub dock_collapsed: RwSignal<bool>,
    pub inspector: RwSignal<InspectorMode>,
    pub minimap: RwSignal<bool>,
    /// The canvas's size on screen, kept by a resize observer (reading it from the page would
    /// force a layout of every node).
    pub canvas_px: RwSignal<(f64, f64)>,
    /// A target the Simulate tab should preselect ("Send event here").
    pub sim_target: RwSignal<Option<String>>,
    /// Whether the zoom shows node details (text, ports); far out, nodes are boxes with a name.
    pub detailed: Memo<bool>,
    /// Whether even names would be too small to read (a few pixels): nodes are bare boxes,
    /// which a browser lays out and paints several times faster than text.
    pub tiny: Memo<bool>,
}

impl App {
    pub fn new(editor: Editor) -> App {
        let editor = RwSignal::new(editor);
        let content = Memo::new(move |_| editor.with(Editor::content_revision));
        // Selection lives in the editor too but changes no revision: clicking a node must not
        // rebuild every node view.
        let revision = Memo::new(move |_| editor.with(Editor::revision));
        // What can arrive where and which trigger receives it: the Events tab, a trigger's
        // inspector and the analysis's findings in Problems all read this one result.
        let event_types = Memo::new(move |_| {
            let _ = content.get();
            editor.with_untracked(|e| Arc::new(knflow_sim::event_types(e.flow())))
        });
        let validated = Memo::new(move |_| {
            let _ = content.get();
            let analysis = event_types.get();
            editor.with_untracked(|e| {
                let mut d = knflow_model::validate::validate(e.flow(), Default::default());
                d.extend(knflow_model::lint::lint(e.flow()));
                d.extend(knflow_dataplane::analysis::lints(e.flow(), &analysis));
                knflow_model::fixes::attach(e.flow(), &mut d);
                knflow_model::order::sort_by(&mut d, |a, b| {
                    (a.severity, &a.resource).cmp(&(b.severity, &b.resource))
                });
                d
            })
        });
        // A draft replaces what validation said about its field, at once, keystroke by keystroke.
        let cesql_draft = RwSignal::new(None::<(String, String, String)>);
        let diagnostics = Memo::new(move |_| {
            let mut d = validated.get();
            cesql_draft.with(|draft| {
                let Some((resource, path, text)) = draft else {
                    return;
                };
                d.retain(|x| {
                    !(x.code == "invalid-cesql"
                        && x.resource.as_deref() == Some(resource)
                        && &x.path == path)
                });
                if let Some(message) = knflow_model::validate::cesql_problem(text) {
                    let mut x = Diagnostic::new(Severity::Error, "invalid-cesql", message);
                    x.resource = Some(resource.clone());
                    x.path = path.clone();
                    let at = d.partition_point(|y| y.severity == Severity::Error);
                    d.insert(at, x);
                }
            });
            d
        });
        let diagram = Memo::new(move |_| {
            let _ = revision.get();
            let t0 = crate::now();
            let d = editor.with_untracked(|e| Arc::new(Diagram::of(e.flow())));
            crate::record_timing("diagram_ms", crate::now() - t0);
            d
        });
        let nodes = Memo::new(move |_| {
            let t0 = crate::now();
            // Problem counts per resource, once (not per node).
            let mut counts: std::collections::HashMap<String, (usize, usize)> = Default::default();
            diagnostics.with(|ds| {
                for d in ds {
                    if let Some(r) = &d.resource {
                        let c = counts.entry(r.clone()).or_default();
                        match d.severity {
                            Severity::Error => c.0 += 1,
                            _ => c.1 += 1,
                        }
                    }
                }
            });
            // Positions change without the diagram changing (a move, Auto layout).
            let _ = revision.get();
            let d = diagram.get();
            let out = editor.with_untracked(|e| {
                let f = e.flow();
                // Nodes without a saved place (a URI just set in the inspector) go right of
                // the first node wiring to them.
                let mut placed: Vec<Option<(f64, f64)>> = d
                    .nodes
                    .iter()
                    .map(|n| f.layout.get(&n.label).map(|p| (p.x, p.y)))
                    .collect();
                for w in &d.wires {
                    if placed[w.to].is_none() {
                        if let (Some((x, y)), Some(port)) = (placed[w.from], d.from_port(w)) {
                            placed[w.to] = Some((
                                x + d.nodes[w.from].shape.w + knflow_model::layout::LAYER_GAP,
                                y + port.y - INPUT_Y,
                            ));
                        }
                    }
                }
                knflow_model::order::map(d.nodes.iter().zip(placed).map(|(n, at)| {
                    let (x, y) = at.unwrap_or((0.0, 0.0));
                    let r = (n.what == What::Resource)
                        .then(|| ResourceId::parse(&n.label))
                        .flatten()
                        .and_then(|id| f.get(&id));
                    let (errors, warnings) = counts.get(&n.label).copied().unwrap_or_default();
                    let view = NodeView {
                        label: n.label.clone(),
                        kind: n.kind.clone(),
                        name: n.name.clone(),
                        icon: match n.what {
                            What::Uri => "↗",
                            What::Missing => "?",
                            What::Resource => icon_of(&n.kind),
                        },
                        category: r.map_or("Other", category_of),
                        facts: match (r, n.what) {
                            (Some(r), _) => facts(r),
                            (None, What::Missing) => "not in this flow".into(),
                            // The name shows the URI's end, the fact its host.
                            _ => n
                                .name
                                .split("://")
                                .nth(1)
                                .and_then(|rest| rest.split('/').next())
                                .unwrap_or(&n.name)
                                .to_string(),
                        },
                        what: n.what,
                        x,
                        y,
                        shape: n.shape.clone(),
                        errors,
                        warnings,
                    };
                    (n.label.clone(), view)
                }))
            });
            crate::record_timing("nodes_ms", crate::now() - t0);
            out
        });
        let wires = Memo::new(move |_| {
            let d = diagram.get();
            d.wires
                .iter()
                .map(|w| WireView {
                    key: w.key.clone(),
                    from: d.nodes[w.from].label.clone(),
                    to: d.nodes[w.to].label.clone(),
                    from_port: w.from_port.clone(),
                    kind: w.kind,
                    name: w.name.clone(),
                    owner: d.nodes[w.owner].label.clone(),
                    role: w.role,
                    index: w.index,
                })
                .collect::<Vec<_>>()
        });
        let sim = RwSignal::new(None::<SimRun>);
        let outcomes = Memo::new(move |_| {
            sim.with(|s| {
                s.as_ref().map_or_else(Default::default, |s| {
                    let shown = &s.hops[..s.step.min(s.hops.len())];
                    wires.with(|ws| crate::canvas::hops::outcomes(ws, shown))
                })
            })
        });
        let drawn = Memo::new(move |_| {
            let t0 = crate::now();
            let d = diagram.get();
            let positions: Vec<knflow_model::Point> = nodes.with(|n| {
                d.nodes
                    .iter()
                    .map(|v| {
                        n.get(&v.label)
                            .map_or(knflow_model::Point { x: 0.0, y: 0.0 }, |v| {
                                knflow_model::Point { x: v.x, y: v.y }
                            })
                    })
                    .collect()
            });
            let routes: Vec<_> = knflow_model::layout::routes(&d, &positions)
                .into_iter()
                .map(|r| r.0)
                .collect();
            let crossings =
                (d.wires.len() <= 300).then(|| knflow_model::diagram::route::crossings(&routes));
            crate::record_timing("route_ms", crate::now() - t0);
            Arc::new(Drawn {
                paths: knflow_model::order::map(
                    d.wires
                        .iter()
                        .zip(&routes)
                        .map(|(w, p)| (w.key.clone(), p.svg())),
                ),
                crossings,
            })
        });
        let boxes = Memo::new(move |_| {
            nodes.with(|n| {
                let rects: Vec<Rect> = n
                    .values()
                    .map(|v| Rect::new(v.x, v.y, v.width(), v.height()))
                    .collect();
                // A sorted map's keys, in order and unique: no sort needed.
                let index = LiteMap::from_sorted_store_unchecked(
                    n.keys().cloned().enumerate().map(|(i, l)| (l, i)).collect(),
                );
                Arc::new(Boxes {
                    obstacles: Obstacles::new(rects),
                    index,
                })
            })
        });
        let view = RwSignal::new(ViewBox {
            tx: 40.0,
            ty: 40.0,
            k: 1.0,
        });
        let detailed = Memo::new(move |_| view.with(|v| v.k >= 0.4));
        let tiny = Memo::new(move |_| view.with(|v| v.k < 0.15));
        let drag = RwSignal::new(None::<Drag>);
        let moving = Memo::new(move |_| {
            drag.with(|d| match d {
                Some(Drag::Move { ids, .. }) => ids.clone(),
                _ => Vec::new(),
            })
        });
        let wiring = Memo::new(move |_| {
            drag.with(|d| match d {
                Some(Drag::Wire { from, port, .. }) => Some((from.clone(), port.clone())),
                _ => None,
            })
        });
        App {
            editor,
            detailed,
            tiny,
            path: RwSignal::new(None),
            view,
            drag,
            offset: RwSignal::new((0.0, 0.0)),
            moving,
            wiring,
            status: RwSignal::new(None),
            dock: RwSignal::new(DockTab::Problems),
            sim,
            send: SendForm::new(),
            outcomes,
            speed: RwSignal::new(1.0),
            playing: RwSignal::new(false),
            help: RwSignal::new(false),
            confirm: RwSignal::new(None),
            settings: RwSignal::new(false),
            tip: RwSignal::new(None),
            save_as: RwSignal::new(None),
            open: RwSignal::new(None),
            disk_changed: RwSignal::new(false),
            open_failed: RwSignal::new(None),
            dark: RwSignal::new(false),
            palette_drag: RwSignal::new(None),
            focus_field: RwSignal::new(None),
            diagnostics,
            event_types,
            traced: RwSignal::new(None),
            cesql_draft,
            form_paths: RwSignal::new(Vec::new()),
            diagram,
            nodes,
            wires,
            drawn,
            boxes,
            wire: RwSignal::new(None),
            menu: RwSignal::new(None),
            dock_height: RwSignal::new(
                crate::host::stored(DOCK_HEIGHT)
                    .and_then(|h| knflow_model::num::parse_f64(&h))
                    .unwrap_or(DEFAULT_DOCK_HEIGHT),
            ),
            dock_collapsed: RwSignal::new(
                crate::host::stored(DOCK_COLLAPSED).as_deref() == Some("1"),
            ),
            inspector: RwSignal::new(InspectorMode::Auto),
            minimap: RwSignal::new(true),
            canvas_px: RwSignal::new((0.0, 0.0)),
            sim_target: RwSignal::new(None),
        }
    }

    /// Applies an edit; a refusal goes to the status bar.
    pub fn edit(&self, edit: knflow_editor::Edit) -> bool {
        let mut result = Ok(());
        self.editor.update(|e| result = e.apply(edit));
        match result {
            Ok(()) => {
                self.status.set(None);
                true
            }
            Err(e) => {
                self.say_error(e);
                false
            }
        }
    }

    /// Shows `text` next to the pointer at client point (`x`, `y`) for a few seconds.
    pub fn tip_at(&self, x: f64, y: f64, text: impl Into<String>) {
        let n = self
            .tip
            .with_untracked(|t| t.as_ref().map_or(0, |t| t.3 + 1));
        self.tip.set(Some((x, y, text.into(), n)));
        let tip = self.tip;
        set_timeout(
            move || {
                if tip.with_untracked(|t| t.as_ref().is_some_and(|t| t.3 == n)) {
                    tip.set(None);
                }
            },
            std::time::Duration::from_millis(4000),
        );
    }

    pub fn say(&self, text: impl Into<String>) {
        self.status.set(Some((false, text.into())));
    }

    pub fn say_error(&self, text: impl Into<String>) {
        self.status.set(Some((true, text.into())));
    }

    /// Where a node is drawn now, including a move in progress.
    pub fn position(&self, label: &str) -> Option<(f64, f64)> {
        let (x, y) = self.nodes.with(|n| n.get(label).map(|v| (v.x, v.y)))?;
        // Only moving nodes read the offset, so a drag re-renders only them and their wires.
        let offset = if self.moving.with(|m| m.iter().any(|i| i == label)) {
            self.offset.get()
        } else {
            (0.0, 0.0)
        };
        Some((x + offset.0, y + offset.1))
    }

    /// Where a wire runs now: from its port to the input of the node it names, around the
    /// nodes in the way.
    pub fn wire_path(&self, w: &WireView) -> Option<String> {
        let moving = self
            .moving
            .with(|m| m.iter().any(|l| *l == w.from || *l == w.to));
        if !moving {
            return self.drawn.with(|d| d.paths.get(&w.key).cloned());
        }
        let (fx, fy) = self.position(&w.from)?;
        let (tx, ty) = self.position(&w.to)?;
        let (port, target) = self.nodes.with(|n| {
            let from = n.get(&w.from)?;
            let to = n.get(&w.to)?;
            let port = from
                .shape
                .port(&w.from_port)
                .map(|p| (p.x, p.y, p.side))
                .unwrap_or((from.width(), INPUT_Y, Side::Right));
            Some((port, (to.width(), to.height())))
        })?;
        let s = (fx + port.0, fy + port.1);
        let t = (tx, ty + INPUT_Y);
        let rect = Rect::new(tx, ty, target.0, target.1);
        self.boxes.with(|b| {
            let from = *b.index.get(&w.from)?;
            let to = *b.index.get(&w.to)?;
            let path =
                knflow_model::diagram::route::route(s, port.2, t, rect, &b.obstacles, from, to);
            Some(path.svg())
        })
    }

    /// Centers the view on a node.
    pub fn reveal(&self, label: &str, width: f64, height: f64) {
        if let Some((x, y)) = self.position(label) {
            let (w, h) = self
                .nodes
                .with(|n| n.get(label).map(|v| (v.width(), v.height())))
                .unwrap_or((0.0, 0.0));
            self.view.update(|v| {
                v.tx = width / 2.0 - (x + w / 2.0) * v.k;
                v.ty = height / 2.0 - (y + h / 2.0) * v.k;
            });
        }
    }

    /// Pans the view as little as it takes for a node to be whole on a `width`×`height`
    /// canvas, `margin` px in from its edges (where the node fits); a node already in view
    /// stays where it is.
    pub fn keep_in_view(&self, label: &str, width: f64, height: f64, margin: f64) {
        let Some((x, y)) = self.position(label) else {
            return;
        };
        let Some((w, h)) = self
            .nodes
            .with_untracked(|n| n.get(label).map(|v| (v.width(), v.height())))
        else {
            return;
        };
        // The node's screen interval along one axis, moved inside [margin, size - margin];
        // the start wins where the node is larger than the room.
        let shift = |start: f64, len: f64, size: f64| {
            let end = start + len;
            if start < margin {
                margin - start
            } else if end > size - margin {
                (size - margin - end).max(margin - start)
            } else {
                0.0
            }
        };
        let v = self.view.get_untracked();
        let dx = shift(x * v.k + v.tx, w * v.k, width);
        let dy = shift(y * v.k + v.ty, h * v.k, height);
        if dx != 0.0 || dy != 0.0 {
            self.view.update(|v| {
                v.tx += dx;
                v.ty += dy;
            });
        }
    }

    /// The box around every node, in canvas units.
    pub fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        self.nodes.with(|n| {
            n.values()
                .fold(None, |acc: Option<(f64, f64, f64, f64)>, v| {
                    let r = (v.x, v.y, v.x + v.width(), v.y + v.height());
                    Some(match acc {
                        None => r,
                        Some(a) => (a.0.min(r.0), a.1.min(r.1), a.2.max(r.2), a.3.max(r.3)),
                    })
                })
        })
    }

    /// Fits every node into a `width`×`height` screen area below `top` (what the flow's
    /// description covers), keeping the minimap (bottom right, `minimap` its size) off the
    /// nodes: the flow goes beside or above it when that costs little zoom, else the minimap
    /// is folded away.
    pub fn fit(&self, width: f64, height: f64, top: f64, minimap: (f64, f64)) {
        let Some((x0, y0, x1, y1)) = self.bounds() else {
            self.view.set(ViewBox {
                tx: 40.0,
                ty: 40.0,
                k: 1.0,
            });
            return;
        };
        // Room for a row of badges above the top nodes.
        let y0 = y0 - crate::canvas::hops::BADGE_ROW;
        let pad = 16.0;
        // The zoom buttons' band at the bottom (left) stays clear of nodes too.
        let height = height - top - crate::canvas::CONTROLS_BAND;
        let fit_in = |w: f64, h: f64| {
            let k =
                ((w - 2.0 * pad) / (x1 - x0).max(1.0)).min((h - 2.0 * pad) / (y1 - y0).max(1.0));
            knflow_model::num::clamp(k, 0.1, 1.25)
        };
        let full = fit_in(width, height);
        // Beside the minimap (to its left), or above it.
        let beside = fit_in(width - minimap.0 - 10.0, height);
        let above = fit_in(width, height - minimap.1 - 10.0);
        let (mut k, w, h, mut keep_minimap) = if beside >= full * 0.92 && beside >= above {
            (beside, width - minimap.0 - 10.0, height, true)
        } else if above >= full * 0.92 {
            (above, width, height - minimap.1 - 10.0, true)
        } else {
            (full, width, height, false)
        };
        // A flow of up to 30 nodes keeps its names readable (11 px): if it does not fit at
        // that size, Fit shows its start and the rest is a pan away; the minimap, which would
        // cover part of it, folds into its button.
        let readable = READABLE_NAME / NAME_PX;
        if k < readable && self.nodes.with(|n| n.len()) <= 30 {
            k = readable;
            keep_minimap = false;
        }
        self.minimap.set(keep_minimap);
        self.view.set(ViewBox {
            tx: pad - x0 * k + ((w - 2.0 * pad) - (x1 - x0) * k).max(0.0) / 2.0,
            ty: top + pad - y0 * k + ((h - 2.0 * pad) - (y1 - y0) * k).max(0.0) / 2.0,
            k,
        });
    }
}
