//! `kn-flow export`.

use std::path::{Path, PathBuf};

use knflow_k8s::export::{self, Options};

use crate::{exit, files};

pub fn run(
    flow: &Path,
    output: &str,
    split: Option<&Path>,
    namespace: Option<String>,
    event_types: bool,
) -> u8 {
    let mut flow = match files::load_clean(flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::PROBLEMS;
        }
    };
    if event_types {
        let analysis = knflow_sim::event_types(&flow);
        for m in knflow_dataplane::analysis::event_type_manifests(&flow, &analysis) {
            if let Err(e) = flow.add(m) {
                eprintln!("kn-flow: {e}");
                return exit::PROBLEMS;
            }
        }
    }
    let manifests = export::manifests(&flow, &Options { namespace });
    let result = (|| -> std::io::Result<()> {
        if let Some(dir) = split {
            std::fs::create_dir_all(dir)?;
            for (i, m) in manifests.iter().enumerate() {
                let text = export::to_yaml(&flow, std::slice::from_ref(m));
                files::write_atomic(&dir.join(export::split_name(i, m)), &text)?;
            }
            println!("wrote {} files to {}", manifests.len(), dir.display());
            return Ok(());
        }
        let json = || {
            serde_json::to_string_pretty(&export::to_list(&manifests)).expect("serializable") + "\n"
        };
        match output {
            "-" | "yaml" => print!("{}", export::to_yaml(&flow, &manifests)),
            "json" => print!("{}", json()),
            path => {
                let p = PathBuf::from(path);
                let text = if p.extension().is_some_and(|e| e == "json") {
                    json()
                } else {
                    export::to_yaml(&flow, &manifests)
                };
                files::write_atomic(&p, &text)?;
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("kn-flow: cannot write: {e}");
            exit::USAGE
        }
    }
}

/// `kn-flow asyncapi`.
pub fn asyncapi(flow: &Path, output: &str) -> u8 {
    let flow = match files::load_clean(flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::PROBLEMS;
        }
    };
    let doc = knflow_dataplane::asyncapi::document(&flow, &knflow_sim::event_types(&flow));
    let json = output.ends_with(".json");
    let text = if json {
        serde_json::to_string_pretty(&doc).expect("serializable") + "\n"
    } else {
        knflow_model::yaml::to_yaml(&doc)
    };
    if output == "-" {
        print!("{text}");
        return exit::OK;
    }
    match files::write_atomic(Path::new(output), &text) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("kn-flow: cannot write {output}: {e}");
            exit::USAGE
        }
    }
}
