//! Embeds the designer's built assets (`ui/dist`, made by `cargo xtask build-ui`) so `kn-flow
//! serve` is one self-contained binary. Without them the binary still builds and says so.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut entries = String::new();
    if let Ok(dir) = std::fs::read_dir(&dist) {
        let mut files: Vec<_> = dir.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for p in files.iter().filter(|p| p.is_file()) {
            println!("cargo:rerun-if-changed={}", p.display());
            let name = p.file_name().unwrap().to_string_lossy();
            let abs = p.canonicalize().unwrap();
            writeln!(
                entries,
                "    ({name:?}, include_bytes!({:?})),",
                abs.display().to_string()
            )
            .unwrap();
        }
    }
    let code = format!(
        "/// The designer's files, by name.\npub static ASSETS: &[(&str, &[u8])] = &[\n{entries}];\n\n\
/// One asset's bytes.\npub fn get(name: &str) -> Option<&'static [u8]> {{\n    \
ASSETS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)\n}}\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("ui_assets.rs");
    std::fs::write(out, code).unwrap();
}
