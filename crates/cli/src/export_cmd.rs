//! `kn-flow export`.

use std::path::{Path, PathBuf};

use knflow_k8s::export::{self, Options};

use crate::{exit, files};

pub fn run(flow: &Path, output: &str, split: Option<&Path>, namespace: Option<String>) -> u8 {
    let flow = match files::load_clean(flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::PROBLEMS;
        }
    };
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
