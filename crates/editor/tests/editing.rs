//! The designer's editing rules, natively: every edit is undoable, wiring follows Knative's
//! rules, copy/paste keeps references among the copies, selection by box.

use knflow_editor::{can_wire, facts, Edit, Editor};
use knflow_model::{Point, ResourceId, Role};

fn id(s: &str) -> ResourceId {
    ResourceId::parse(s).unwrap()
}

fn at(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// PingSource → Broker → Trigger (CESQL) → Service, the way a user draws it.
fn drawn() -> Editor {
    let mut e = Editor::default();
    for (kind, x) in [
        ("PingSource", 0.0),
        ("Broker", 300.0),
        ("Trigger", 600.0),
        ("Service", 900.0),
    ] {
        e.apply(Edit::Add {
            kind: kind.into(),
            at: at(x, 100.0),
        })
        .unwrap();
    }
    e.apply(Edit::Connect {
        index: None,
        from: id("PingSource/pingsource"),
        role: Role::Sink,
        to: id("Broker/broker"),
    })
    .unwrap();
    e.apply(Edit::Connect {
        index: None,
        from: id("Trigger/trigger"),
        role: Role::Broker,
        to: id("Broker/broker"),
    })
    .unwrap();
    e.apply(Edit::Connect {
        index: None,
        from: id("Trigger/trigger"),
        role: Role::Subscriber,
        to: id("Service/service"),
    })
    .unwrap();
    e.apply(Edit::SetField {
        id: id("Trigger/trigger"),
        path: ".spec.filters".into(),
        value: Some(serde_json::json!([{"cesql": "type = 'order.paid'"}])),
    })
    .unwrap();
    e
}

#[test]
fn a_drawn_flow_is_wired_the_way_knative_reads_it() {
    let e = drawn();
    let t = &e.flow().get(&id("Trigger/trigger")).unwrap().manifest;
    assert_eq!(t["spec"]["broker"], "broker");
    assert_eq!(t["spec"]["subscriber"]["ref"]["kind"], "Service");
    let p = &e.flow().get(&id("PingSource/pingsource")).unwrap().manifest;
    assert_eq!(p["spec"]["sink"]["ref"]["name"], "broker");
    assert_eq!(
        facts(e.flow().get(&id("Trigger/trigger")).unwrap()),
        "type = 'order.paid'"
    );
    assert!(e.is_dirty());
}

#[test]
fn every_edit_undoes_and_redoes() {
    let mut e = drawn();
    let full = e.save_text();
    let mut states = vec![full.clone()];
    while e.undo() {
        states.push(e.save_text());
    }
    assert_eq!(
        states.len(),
        9,
        "the drawn flow, then one state per edit: 4 adds, 3 connects, 1 field"
    );
    assert!(e.flow().is_empty());
    for expected in states.iter().rev().skip(1) {
        assert!(e.redo());
        assert_eq!(&e.save_text(), expected);
    }
    assert!(!e.redo());
    // A new edit after undo drops the redo branch.
    e.undo();
    e.apply(Edit::AutoLayout).unwrap();
    assert!(!e.can_redo());
}

#[test]
fn failed_edits_change_nothing_and_are_not_undo_steps() {
    let mut e = drawn();
    let before = e.save_text();
    let err = e
        .apply(Edit::Connect {
            index: None,
            from: id("Trigger/trigger"),
            role: Role::Broker,
            to: id("Service/service"),
        })
        .unwrap_err();
    assert!(err.contains("cannot point at a Service"), "{err}");
    assert_eq!(e.save_text(), before);
    e.undo();
    assert_ne!(
        e.save_text(),
        before,
        "the undo step was the last real edit"
    );
}

#[test]
fn wiring_rules_match_knative() {
    let e = drawn();
    let f = e.flow();
    assert!(can_wire(
        f,
        &id("Trigger/trigger"),
        Role::Broker,
        &id("Broker/broker")
    ));
    assert!(!can_wire(
        f,
        &id("Trigger/trigger"),
        Role::Broker,
        &id("Service/service")
    ));
    assert!(can_wire(
        f,
        &id("Trigger/trigger"),
        Role::Subscriber,
        &id("Service/service")
    ));
    assert!(can_wire(
        f,
        &id("PingSource/pingsource"),
        Role::Sink,
        &id("Service/service")
    ));
    assert!(
        !can_wire(
            f,
            &id("PingSource/pingsource"),
            Role::Broker,
            &id("Broker/broker")
        ),
        "no such port"
    );
    assert!(
        !can_wire(
            f,
            &id("Broker/broker"),
            Role::DeadLetterSink,
            &id("Broker/broker")
        ),
        "not itself"
    );
    assert!(
        !can_wire(f, &id("Service/service"), Role::Sink, &id("Broker/broker")),
        "sinks have no ports"
    );
}

#[test]
fn sequence_steps_append() {
    let mut e = drawn();
    e.apply(Edit::Add {
        kind: "Sequence".into(),
        at: at(0.0, 300.0),
    })
    .unwrap();
    e.apply(Edit::Connect {
        index: None,
        from: id("Sequence/sequence"),
        role: Role::Step,
        to: id("Service/service"),
    })
    .unwrap();
    e.apply(Edit::Add {
        kind: "Service".into(),
        at: at(0.0, 400.0),
    })
    .unwrap();
    e.apply(Edit::Connect {
        index: None,
        from: id("Sequence/sequence"),
        role: Role::Step,
        to: id("Service/service-2"),
    })
    .unwrap();
    let steps = e.flow().get(&id("Sequence/sequence")).unwrap().manifest["spec"]["steps"].clone();
    let names: Vec<&str> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ref"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.last(), Some(&"service-2"));
    assert!(names.contains(&"service"));
}

#[test]
fn copy_paste_renames_and_rewires_the_copies() {
    let mut e = drawn();
    e.select(&id("Broker/broker"), false);
    e.select(&id("Trigger/trigger"), true);
    let yaml = e.copy();
    e.apply(Edit::Paste { yaml }).unwrap();
    let copy = &e.flow().get(&id("Trigger/trigger-2")).unwrap().manifest;
    assert_eq!(
        copy["spec"]["broker"], "broker-2",
        "the copy points at the copied broker"
    );
    assert_eq!(
        copy["spec"]["subscriber"]["ref"]["name"], "service",
        "not copied: unchanged"
    );
    assert!(copy["metadata"].get("annotations").is_none());
    let p = e.flow().layout[&"Trigger/trigger-2".to_string()];
    assert_eq!((p.x, p.y), (640.0, 140.0));
    assert_eq!(e.selection().len(), 2);
    assert!(e.selection().contains(&id("Broker/broker-2")));
}

#[test]
fn duplicate_delete_rename_move() {
    let mut e = drawn();
    e.apply(Edit::Duplicate {
        ids: vec![id("Service/service")],
    })
    .unwrap();
    assert!(e.flow().get(&id("Service/service-2")).is_some());
    e.apply(Edit::Rename {
        id: id("Broker/broker"),
        name: "orders".into(),
    })
    .unwrap();
    let t = &e.flow().get(&id("Trigger/trigger")).unwrap().manifest;
    assert_eq!(t["spec"]["broker"], "orders", "renames follow references");
    assert!(e.flow().layout.contains_key("Broker/orders"));
    e.apply(Edit::Move {
        ids: vec![id("Broker/orders")],
        dx: 10.0,
        dy: -5.0,
    })
    .unwrap();
    let p = e.flow().layout[&"Broker/orders".to_string()];
    assert_eq!((p.x, p.y), (310.0, 95.0));
    e.apply(Edit::Delete {
        ids: vec![id("Service/service-2")],
    })
    .unwrap();
    assert!(e.flow().get(&id("Service/service-2")).is_none());
    assert!(!e.flow().layout.contains_key("Service/service-2"));
}

#[test]
fn box_selection_takes_overlapping_nodes() {
    let mut e = drawn();
    e.select_box(at(250.0, 50.0), at(650.0, 120.0), false);
    let sel: Vec<String> = e.selection().iter().map(|i| i.to_string()).collect();
    assert_eq!(sel, ["Broker/broker", "Trigger/trigger"]);
    e.select_box(at(-10.0, 90.0), at(10.0, 110.0), true);
    assert_eq!(e.selection().len(), 3);
}

#[test]
fn behaviors_are_checked() {
    let mut e = drawn();
    e.apply(Edit::SetBehavior {
        key: "Service/service".into(),
        behavior: Some("fail:503x2".into()),
    })
    .unwrap();
    assert!(e.save_text().contains("behavior: fail:503x2"));
    assert!(e
        .apply(Edit::SetBehavior {
            key: "Service/service".into(),
            behavior: Some("explode".into())
        })
        .is_err());
}

#[test]
fn saving_clears_dirty_and_opening_lays_out() {
    let mut e = Editor::open(
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n",
        "b.yaml",
    )
    .unwrap();
    assert!(e.flow().layout.contains_key("Broker/b"));
    assert!(!e.is_dirty());
    e.apply(Edit::AutoLayout).unwrap();
    assert!(e.is_dirty());
    e.mark_saved();
    assert!(!e.is_dirty());
    assert!(Editor::open("kind: [", "bad.yaml").is_err());
}

#[test]
fn the_unsaved_mark_follows_the_history() {
    let mut e = drawn();
    e.mark_saved();
    e.apply(Edit::AutoLayout).unwrap();
    assert!(e.is_dirty());
    // Undone back to the saved state: clean; redone: unsaved again.
    assert!(e.undo());
    assert!(!e.is_dirty());
    assert!(e.redo());
    assert!(e.is_dirty());
    // Saved after the edit: undoing leaves the saved state.
    e.mark_saved();
    assert!(e.undo());
    assert!(e.is_dirty());
    assert!(e.redo());
    assert!(!e.is_dirty());
    // A new edit after an undo is a new state, even if the saved one is a step back.
    assert!(e.undo());
    e.apply(Edit::AutoLayout).unwrap();
    assert!(e.is_dirty());
    e.mark_unsaved();
    assert!(e.is_dirty());
}

#[test]
fn import_replaces_the_flow_as_one_undo_step() {
    let mut e = drawn();
    let before = e.save_text();
    let bad = e.apply(Edit::ReplaceFlow("kind: [".into())).unwrap_err();
    assert!(
        bad.contains("import.yaml:") && bad.contains("yaml-syntax"),
        "{bad}"
    );
    assert_eq!(e.save_text(), before, "bad text changes nothing");
    e.apply(Edit::ReplaceFlow(
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: imported\n".into(),
    ))
    .unwrap();
    assert_eq!(e.flow().len(), 1);
    // Laid out like an opened flow.
    assert!(e.flow().layout.contains_key("Broker/imported"));
    assert!(e.undo());
    assert_eq!(e.save_text(), before);
}

/// A name changed in the YAML (the inspector's YAML view) renames like the name field: the
/// references follow, the node keeps its place and selection, a taken name is refused.
#[test]
fn a_name_changed_in_the_yaml_renames_with_its_references() {
    let mut e = drawn();
    let place = e.flow().layout.get("Service/service").cloned();
    e.select(&id("Service/service"), false);
    let mut m = e
        .flow()
        .get(&id("Service/service"))
        .unwrap()
        .manifest
        .clone();
    m["metadata"]["name"] = "display".into();
    m["metadata"]["labels"] = serde_json::json!({"app": "display"});
    e.apply(Edit::Replace {
        id: id("Service/service"),
        manifest: m.clone(),
    })
    .unwrap();
    let t = &e.flow().get(&id("Trigger/trigger")).unwrap().manifest;
    assert_eq!(t["spec"]["subscriber"]["ref"]["name"], "display");
    let s = e.flow().get(&id("Service/display")).unwrap();
    assert_eq!(
        s.manifest["metadata"]["labels"]["app"], "display",
        "the rest of the YAML applied"
    );
    assert_eq!(e.flow().layout.get("Service/display").cloned(), place);
    assert!(e.selection().contains(&id("Service/display")));
    assert!(e.flow().get(&id("Service/service")).is_none());

    // A name another Service has is refused, and nothing changes.
    let before = e.save_text();
    e.apply(Edit::Add {
        kind: "Service".into(),
        at: at(0.0, 400.0),
    })
    .unwrap();
    let before_taken = e.save_text();
    m["metadata"]["name"] = "service".into();
    let err = e
        .apply(Edit::Replace {
            id: id("Service/display"),
            manifest: m,
        })
        .unwrap_err();
    assert!(err.contains("Service/service"), "{err}");
    assert_eq!(e.save_text(), before_taken);
    assert!(e.undo());
    assert_eq!(e.save_text(), before);
}

/// A simulation's trace is out of date when resources or behaviours change, or on undo; not
/// when nodes move, the layout is redone or a scenario is saved.
#[test]
fn the_routing_revision_follows_what_a_simulation_depends_on() {
    let mut e = drawn();
    let r0 = e.routing_revision();
    e.apply(Edit::Move {
        ids: vec![id("Broker/broker")],
        dx: 5.0,
        dy: 0.0,
    })
    .unwrap();
    e.apply(Edit::AutoLayout).unwrap();
    e.apply(Edit::SetScenarios(vec![serde_json::json!({"name": "s"})]))
        .unwrap();
    assert_eq!(
        e.routing_revision(),
        r0,
        "layout and scenarios are not routing"
    );
    e.apply(Edit::Rename {
        id: id("Service/service"),
        name: "display".into(),
    })
    .unwrap();
    let r1 = e.routing_revision();
    assert_ne!(r1, r0);
    assert!(e.undo());
    assert_ne!(e.routing_revision(), r1, "an undo can change routing");
}

#[test]
fn revisions_tell_layout_edits_and_other_flows_apart() {
    let mut e = drawn();
    let (rev, content) = (e.revision(), e.content_revision());
    e.apply(Edit::Move {
        ids: vec![id("Broker/broker")],
        dx: 5.0,
        dy: 0.0,
    })
    .unwrap();
    assert_ne!(e.revision(), rev);
    assert_eq!(
        e.content_revision(),
        content,
        "moving is not a content change"
    );
    e.apply(Edit::Rename {
        id: id("Broker/broker"),
        name: "b".into(),
    })
    .unwrap();
    assert_ne!(e.content_revision(), content);
    let other = Editor::default();
    assert_ne!(
        other.content_revision(),
        Editor::default().content_revision()
    );
}

#[test]
fn disconnect_all_removes_every_wire_of_a_node_in_one_step() {
    let mut e = drawn();
    let before = e.save_text();
    e.apply(Edit::DisconnectAll {
        id: id("Broker/broker"),
    })
    .unwrap();
    let g = e.flow().graph();
    let ix = e.flow().node_of(&id("Broker/broker")).unwrap();
    assert_eq!(
        g.edges_directed(ix, petgraph::Direction::Incoming).count(),
        0
    );
    assert_eq!(
        g.edges_directed(ix, petgraph::Direction::Outgoing).count(),
        0
    );
    // The trigger keeps its subscriber; the source and the trigger lost their broker.
    assert!(e.save_text().contains("name: service"));
    assert!(!e.save_text().contains("broker: broker"));
    e.undo();
    assert_eq!(e.save_text(), before);
    assert!(e
        .apply(Edit::DisconnectAll {
            id: id("Broker/broker")
        })
        .is_ok());
    assert!(
        e.apply(Edit::DisconnectAll {
            id: id("Broker/broker")
        })
        .is_err(),
        "nothing left to disconnect"
    );
}

#[test]
fn repeated_pastes_land_further_and_further_off() {
    let mut e = drawn();
    e.select(&id("Service/service"), false);
    let clip = e.copy();
    let mut seen = vec![e.flow().layout.get("Service/service").copied().unwrap()];
    for _ in 0..3 {
        e.apply(Edit::Paste { yaml: clip.clone() }).unwrap();
        let pasted = e.selection().iter().next().unwrap().to_string();
        let p = e.flow().layout.get(&pasted).copied().unwrap();
        assert!(
            seen.iter()
                .all(|q| (q.x - p.x).abs() + (q.y - p.y).abs() > 20.0),
            "{pasted} at {p:?} lands on an earlier copy"
        );
        seen.push(p);
    }
}

#[test]
fn connecting_a_parallel_branch_by_index() {
    let mut e = Editor::default();
    for (kind, x) in [("Parallel", 0.0), ("Service", 300.0), ("Service", 600.0)] {
        e.apply(Edit::Add {
            kind: kind.into(),
            at: at(x, 0.0),
        })
        .unwrap();
    }
    // Two branches by their "+ branch" port (no index), then a filter for branch 0.
    for to in ["Service/service", "Service/service-2"] {
        e.apply(Edit::Connect {
            from: id("Parallel/parallel"),
            role: Role::Subscriber,
            index: None,
            to: id(to),
        })
        .unwrap();
    }
    e.apply(Edit::Connect {
        from: id("Parallel/parallel"),
        role: Role::Filter,
        index: Some(0),
        to: id("Service/service-2"),
    })
    .unwrap();
    let m = &e.flow().get(&id("Parallel/parallel")).unwrap().manifest;
    assert_eq!(
        m["spec"]["branches"][0]["filter"]["ref"]["name"],
        "service-2"
    );
    assert_eq!(
        m["spec"]["branches"][1]["subscriber"]["ref"]["name"],
        "service-2"
    );
    assert!(m["spec"]["branches"][1].get("filter").is_none());
}

#[test]
fn moves_by_label_reach_uris_too() {
    let mut e = drawn();
    e.apply(Edit::SetField {
        id: id("Trigger/trigger"),
        path: ".spec.subscriber".into(),
        value: Some(serde_json::json!({"uri": "http://sink.example/x"})),
    })
    .unwrap();
    e.apply(Edit::MoveNodes {
        labels: vec!["http://sink.example/x".into()],
        dx: 10.0,
        dy: 20.0,
    })
    .unwrap();
    assert_eq!(
        e.flow().layout.get("http://sink.example/x"),
        Some(&at(10.0, 20.0))
    );
}

#[test]
fn flow_settings_name_namespace_and_description() {
    let mut e = drawn();
    e.apply(Edit::FlowSettings {
        name: "night-orders".into(),
        namespace: Some("shop".into()),
        description: "Orders placed at night.".into(),
        behaviors: "Service/sink=fail:503x2".into(),
    })
    .unwrap();
    let text = e.save_text();
    assert!(text.contains("name: night-orders"), "{text}");
    assert!(text.contains("namespace: shop"), "{text}");
    assert!(
        text.contains("knflow.dev/description: Orders placed at night."),
        "{text}"
    );
    assert_eq!(
        e.flow().simulation.get("Service/sink"),
        Some(&serde_json::json!({"behavior": "fail:503x2"}))
    );
    // Bad names are refused and change nothing.
    let err = e
        .apply(Edit::FlowSettings {
            name: "Night Orders".into(),
            namespace: None,
            description: String::new(),
            behaviors: String::new(),
        })
        .unwrap_err();
    assert!(err.starts_with("name:"), "{err}");
    assert_eq!(e.save_text(), text);
    // So are bad behaviours, naming the line.
    let err = e
        .apply(Edit::FlowSettings {
            name: "night-orders".into(),
            namespace: None,
            description: String::new(),
            behaviors: "Service/sink=ack\nService/sink=explode".into(),
        })
        .unwrap_err();
    assert!(err.starts_with("sink behaviours: line 2"), "{err}");
    assert_eq!(e.save_text(), text);
    // An empty description removes the annotation (and the annotations it was alone in).
    e.apply(Edit::FlowSettings {
        name: "night-orders".into(),
        namespace: None,
        description: " ".into(),
        behaviors: String::new(),
    })
    .unwrap();
    let text = e.save_text();
    assert!(!text.contains("annotations"), "{text}");
    assert!(!text.contains("namespace:"), "{text}");
    // Behaviours left out are no longer saved.
    assert!(!text.contains("simulation"), "{text}");
}

/// An extension kind's node says where its events come from or go to, as added from the
/// palette: a topic, a queue, a repository — not its apiVersion.
#[test]
fn extension_nodes_show_their_topic_queue_or_repository() {
    let mut flow = knflow_model::Flow::new("facts", None);
    let want = [
        ("KafkaSink", "topic knative-demo-topic"),
        ("KafkaSource", "topics knative-demo-topic"),
        ("KafkaChannel", "3 partitions"),
        ("RabbitmqSource", "queue eventing-rabbitmq-source"),
        ("GitHubSource", "knative/docs"),
        ("RedisStreamSink", "stream mystream"),
        ("CouchDbSource", "database photographers"),
        ("IntegrationSource", "timer"),
        ("IntegrationSink", "log"),
    ];
    for (kind, fact) in want {
        let added = flow.add_new(kind, "x").unwrap();
        assert_eq!(facts(flow.get(&added).unwrap()), fact, "{kind}");
    }
}

#[test]
fn a_namespace_change_keeps_the_node_in_place_and_selected() {
    let mut e = drawn();
    let before = e.flow().layout[&"Service/service".to_string()];
    e.select(&id("Service/service"), false);
    e.apply(Edit::SetField {
        id: id("Service/service"),
        path: ".metadata.namespace".into(),
        value: Some("billing".into()),
    })
    .unwrap();
    let moved: Vec<ResourceId> = e.selection().iter().cloned().collect();
    assert_eq!(moved.len(), 1);
    let new = &moved[0];
    assert_eq!(new.namespace.as_deref(), Some("billing"));
    assert!(
        e.flow().get(new).is_some(),
        "the selection names the resource"
    );
    assert_eq!(
        e.flow().layout[&new.to_string()],
        before,
        "the node stays where it was"
    );
    assert!(!e.flow().layout.contains_key("Service/service"));
    // Undo puts the old id back, selected.
    e.undo();
    assert!(e.selection().contains(&id("Service/service")));
}
