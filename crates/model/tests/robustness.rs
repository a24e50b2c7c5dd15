//! The loader never panics: arbitrary text, truncated and mangled flow files all give either a
//! flow or positioned diagnostics.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value};

fn examples() -> Vec<(String, String)> {
    let dir = common::repo_dir().join("flows");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn full_check(text: &str) {
    let loaded = knflow_model::load_str(text, "fuzz.yaml");
    let diags = knflow_model::check(&loaded, Default::default());
    let lines = text.lines().count().max(1) as u32 + 1;
    for d in diags.iter().filter(|d| d.file.is_some()) {
        if let Some(line) = d.line {
            assert!(
                line >= 1 && line <= lines,
                "line {line} outside a {lines}-line file: {d}"
            );
        }
    }
    if !loaded.has_errors() {
        // Whatever loads saves and reloads to the same thing.
        let saved = knflow_model::save_string(&loaded.flow);
        let again = knflow_model::load_str(&saved, "fuzz.yaml");
        assert_eq!(knflow_model::save_string(&again.flow), saved);
    }
}

#[test]
fn truncated_example_flows_give_positioned_errors_not_panics() {
    for (name, text) in examples() {
        let cuts: Vec<usize> = (0..text.len())
            .step_by(7)
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for cut in cuts {
            full_check(&text[..cut]);
        }
        // A classic mistake: a tab in the indentation.
        let broken = text.replacen("  name:", "\tname:", 1);
        let loaded = knflow_model::load_str(&broken, &name);
        let d = loaded
            .diagnostics
            .first()
            .unwrap_or_else(|| panic!("{name}: a tab was accepted"));
        assert_eq!(d.code, "yaml-syntax");
        assert!(d.line.is_some() && d.column.is_some(), "{d}");
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        (-1e6f64..1e6).prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        "[ -~\n\t]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("yes"),
            Just("012"),
            Just("null"),
            Just("~"),
            Just("- a"),
            Just(": x"),
            Just("#c"),
            Just("'q'"),
            Just("1e3"),
            Just("0x1F"),
            Just(".inf")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z0-9./_ -]{1,12}", inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        full_check(&text);
    }

    #[test]
    fn yaml_shaped_text_never_panics(lines in prop::collection::vec("[ -]{0,4}[a-z{}\\[\\]:,&*!|>'\"#-]{0,6}( [a-z0-9:{}\\[\\],'\"-]{0,8})?", 0..20)) {
        full_check(&lines.join("\n"));
    }

    #[test]
    fn mangled_examples_never_panic(index in 0usize..6, at in 0usize..4000, junk in "[ \t\n:{}\\[\\]\\-&*!|>#'\"a-z0-9]{1,6}") {
        let ex = examples();
        let (_, text) = &ex[index % ex.len()];
        let mut at = at % text.len();
        while !text.is_char_boundary(at) { at -= 1; }
        full_check(&format!("{}{}{}", &text[..at], junk, &text[at..]));
    }

    /// Any string written in any scalar style, at the end of the text with or without a final
    /// line break: load → save → load gives the same value.
    #[test]
    fn any_scalar_style_survives_load_save_load(
        text in "[ -~\n]{0,30}",
        style in 0usize..8,
        final_break in any::<bool>(),
    ) {
        let block = |indicator: &str| {
            let body: Vec<String> = text
                .split('\n')
                .map(|l| if l.is_empty() { String::new() } else { format!("  {l}") })
                .collect();
            format!("a: {indicator}\n{}", body.join("\n"))
        };
        let mut yaml = match style {
            // A line break is a blank line; continuation lines are indented.
            0 => format!("a: '{}'", text.replace('\'', "''").replace('\n', "\n\n  ")),
            1 => format!("a: \"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")),
            2 => block("|2"),
            3 => block("|2-"),
            4 => block("|2+"),
            5 => block(">2"),
            6 => block(">2-"),
            _ => block(">2+"),
        };
        if final_break {
            yaml.push('\n');
        }
        let first = knflow_model::yaml::parse_documents(&yaml).unwrap();
        let saved = knflow_model::yaml::to_yaml(&first[0].value);
        let again = knflow_model::yaml::parse_documents(&saved).unwrap();
        prop_assert_eq!(&again[0].value, &first[0].value, "read from:\n{}\nwritten as:\n{}", yaml, saved);
    }

    #[test]
    fn written_yaml_reads_back_identically(v in json_value()) {
        let text = knflow_model::yaml::to_yaml(&v);
        let docs = knflow_model::yaml::parse_documents(&text).unwrap();
        prop_assert_eq!(docs.len(), 1);
        prop_assert_eq!(&docs[0].value, &v, "written as:\n{}", text);
    }
}

#[test]
fn kubernetes_lists_load_item_by_item_with_positions() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: eventing.knative.dev/v1\n  kind: Broker\n  metadata: {name: a, namespace: x}\n- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata: {name: t, namespace: x}\n  spec:\n    broker: a\n    subscriber: {uri: 'not-absolute'}\n";
    let loaded = knflow_model::load_str(text, "list.yaml");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.flow.len(), 2);
    let d: Vec<_> = knflow_model::check(&loaded, Default::default())
        .into_iter()
        .filter(|d| d.code == "invalid-destination")
        .collect();
    assert_eq!(
        (d[0].line, d[0].path.as_str()),
        (Some(12), ".spec.subscriber.uri")
    );
}
