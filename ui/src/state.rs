//! The app's reactive state: one [`Editor`] in a signal, and what the view derives from it.

use litemap::LiteMap;

use knflow_editor::{category_of, facts, icon_of, ports_of, Editor, NODE_H, NODE_W};
use knflow_model::{Diagnostic, Node, ResourceId, Severity};
use leptos::prelude::*;
use serde_json::Value;

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
        role: knflow_model::Role,
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

/// What a node shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub id: ResourceId,
    pub label: String,
    pub kind: String,
    pub name: String,
    pub icon: &'static str,
    pub category: &'static str,
    pub facts: String,
    pub x: f64,
    pub y: f64,
    pub ports: Vec<knflow_model::Role>,
    pub errors: usize,
    pub warnings: usize,
}

impl NodeView {
    pub fn height(&self) -> f64 {
        NODE_H.max(30.0 + 16.0 * self.ports.len() as f64)
    }

    pub fn port_y(&self, i: usize) -> f64 {
        22.0 + 16.0 * i as f64
    }
}

/// A reference drawn between two nodes of the flow.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeView {
    pub key: String,
    pub from: String,
    pub to: String,
    pub role: knflow_model::Role,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DockTab {
    Problems,
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
    pub wiring: Memo<Option<(String, knflow_model::Role)>>,
    /// A message for the status bar: (is_error, text).
    pub status: RwSignal<Option<(bool, String)>>,
    pub dock: RwSignal<DockTab>,
    pub sim: RwSignal<Option<SimRun>>,
    pub help: RwSignal<bool>,
    pub dark: RwSignal<bool>,
    /// The kind being dragged from the palette.
    pub palette_drag: RwSignal<Option<String>>,
    /// A field path the inspector should reveal (from a clicked problem).
    pub focus_field: RwSignal<Option<String>>,
    pub diagnostics: Memo<Vec<Diagnostic>>,
    pub nodes: Memo<LiteMap<String, NodeView>>,
    pub edges: Memo<Vec<EdgeView>>,
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
        let diagnostics = Memo::new(move |_| {
            let _ = content.get();
            editor.with_untracked(|e| {
                let mut d = knflow_model::validate::validate(e.flow(), Default::default());
                d.extend(knflow_model::lint::lint(e.flow()));
                knflow_model::order::sort_by(&mut d, |a, b| {
                    (a.severity, &a.resource).cmp(&(b.severity, &b.resource))
                });
                d
            })
        });
        let nodes = Memo::new(move |_| {
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
            let _ = revision.get();
            editor.with_untracked(|e| {
                let f = e.flow();
                knflow_model::order::map(f.resources().map(|r| {
                    let label = r.id.to_string();
                    let p = f
                        .layout
                        .get(&label)
                        .copied()
                        .unwrap_or(knflow_model::Point { x: 0.0, y: 0.0 });
                    let (errors, warnings) = counts.get(&label).copied().unwrap_or_default();
                    let view = NodeView {
                        id: r.id.clone(),
                        kind: r.id.kind.clone(),
                        name: r.id.name.clone(),
                        icon: icon_of(&r.id.kind),
                        category: category_of(r),
                        facts: facts(r),
                        x: p.x,
                        y: p.y,
                        ports: ports_of(f, &r.id).iter().map(|p| p.role).collect(),
                        errors,
                        warnings,
                        label: label.clone(),
                    };
                    (label, view)
                }))
            })
        });
        let edges = Memo::new(move |_| {
            let _ = revision.get();
            editor.with_untracked(|e| {
                let g = e.flow().graph();
                g.edge_indices()
                    .filter_map(|ix| {
                        let (a, b) = g.edge_endpoints(ix)?;
                        let (Node::Resource(from), Node::Resource(to)) = (&g[a], &g[b]) else {
                            return None;
                        };
                        let edge = &g[ix];
                        Some(EdgeView {
                            key: format!("{}{}", from.id, edge.path),
                            from: from.id.to_string(),
                            to: to.id.to_string(),
                            role: edge.role,
                        })
                    })
                    .collect()
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
                Some(Drag::Wire { from, role, .. }) => Some((from.clone(), *role)),
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
            sim: RwSignal::new(None),
            help: RwSignal::new(false),
            dark: RwSignal::new(false),
            palette_drag: RwSignal::new(None),
            focus_field: RwSignal::new(None),
            diagnostics,
            nodes,
            edges,
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

    /// Centers the view on a node.
    pub fn reveal(&self, label: &str, width: f64, height: f64) {
        if let Some((x, y)) = self.position(label) {
            self.view.update(|v| {
                v.tx = width / 2.0 - (x + NODE_W / 2.0) * v.k;
                v.ty = height / 2.0 - (y + NODE_H / 2.0) * v.k;
            });
        }
    }

    /// Fits every node into a `width`×`height` screen area.
    pub fn fit(&self, width: f64, height: f64) {
        let bounds = self.nodes.with(|n| {
            n.values()
                .fold(None, |acc: Option<(f64, f64, f64, f64)>, v| {
                    let r = (v.x, v.y, v.x + NODE_W, v.y + v.height());
                    Some(match acc {
                        None => r,
                        Some(a) => (a.0.min(r.0), a.1.min(r.1), a.2.max(r.2), a.3.max(r.3)),
                    })
                })
        });
        let Some((x0, y0, x1, y1)) = bounds else {
            self.view.set(ViewBox {
                tx: 40.0,
                ty: 40.0,
                k: 1.0,
            });
            return;
        };
        let pad = 40.0;
        let k = ((width - 2.0 * pad) / (x1 - x0).max(1.0))
            .min((height - 2.0 * pad) / (y1 - y0).max(1.0))
            .clamp(0.1, 1.5);
        self.view.set(ViewBox {
            tx: pad - x0 * k + ((width - 2.0 * pad) - (x1 - x0) * k).max(0.0) / 2.0,
            ty: pad - y0 * k,
            k,
        });
    }
}
