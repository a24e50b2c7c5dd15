//! The example flows in `flows/` are valid, lint-clean and stored in canonical form.

mod common;

use knflow_model::Severity;

#[test]
fn every_example_flow_is_valid_clean_and_canonical() {
    let dir = common::repo_dir().join("flows");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 6, "the six documented examples exist");
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let name = p.display().to_string();
        let loaded = knflow_model::load_str(&text, &name);
        assert_eq!(loaded.flow.format, knflow_model::Format::FlowFile, "{name}");
        let problems: Vec<String> = knflow_model::check(&loaded, Default::default())
            .into_iter()
            .filter(|d| d.severity != Severity::Info)
            .map(|d| d.to_string())
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert_eq!(
            knflow_model::save_string(&loaded.flow),
            text,
            "{name} is not in canonical form: run `kn-flow fmt`"
        );
        assert!(!loaded.flow.scenarios.is_empty(), "{name} has scenarios");
        // Every resource of an example has a place on the canvas.
        for r in loaded.flow.resources() {
            assert!(
                loaded.flow.layout.contains_key(&r.id.to_string()),
                "{name}: {} has no layout",
                r.id
            );
        }
    }
}
