//! Build chores in Rust, not shell (the rust-analyzer habit): `cargo xtask <task>`.
//!
//! - `dev [FLOW]`: open the designer on a flow (default: the built-in example).
//! - `test`: install what the tests need, then run every check CI runs.
//! - `bench`: run the benchmarks recorded in BENCHMARKS.md.
//!
//! Every step says what it runs; a missing tool is installed when that is possible here
//! (rustup components and targets) or named with the command that installs it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};
use std::time::Instant;

const DEFAULT_FLOW: &str = "flows/hello-ping.yaml";

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root();
    env::set_current_dir(&root).expect("project root exists");
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(args.get(1).map(String::as_str).unwrap_or(DEFAULT_FLOW)),
        Some("test") => test(),
        Some("bench") => bench(),
        _ => {
            eprintln!("usage: cargo xtask <dev [FLOW] | test | bench>");
            exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e}");
        exit(1);
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command, echoing it; fails with its exit status.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let o = Command::new(program).args(args).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The rustup target and components the checks use.
fn ensure_toolchain() -> Result<(), String> {
    if output("rustup", &["--version"]).is_none() {
        return Err("rustup is needed to add the wasm32 target: install it from rustup.rs".into());
    }
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    for c in ["rustfmt", "clippy"] {
        if !components.lines().any(|l| l.starts_with(c)) {
            run("rustup", &["component", "add", c])?;
        }
    }
    Ok(())
}

fn dev(flow: &str) -> Result<(), String> {
    // The designer UI is not built yet: until it is, `dev` checks the flow it would open.
    eprintln!("The designer UI is not part of this build yet; checking {flow} instead.");
    run(
        "cargo",
        &["run", "--quiet", "-p", "knflow-cli", "--", "validate", flow],
    )
}

fn test() -> Result<(), String> {
    let start = Instant::now();
    ensure_toolchain()?;
    let steps: &[(&str, &[&str])] = &[
        ("format", &["fmt", "--all", "--", "--check"]),
        (
            "lint",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        ("tests", &["test", "--workspace", "--no-fail-fast"]),
        // Invariant 1: the pure crates build for the browser.
        (
            "wasm build",
            &[
                "build",
                "-p",
                "knflow-model",
                "-p",
                "knflow-cesql",
                "-p",
                "knflow-dataplane",
                "-p",
                "knflow-sim",
                "-p",
                "knflow-k8s",
                "--target",
                "wasm32-unknown-unknown",
            ],
        ),
    ];
    for (name, args) in steps {
        eprintln!("\n== {name}");
        run("cargo", args)?;
    }
    eprintln!("\nall checks passed in {:.0?}", start.elapsed());
    Ok(())
}

fn bench() -> Result<(), String> {
    run(
        "cargo",
        &["bench", "-p", "knflow-model", "--bench", "load_10k"],
    )?;
    run(
        "cargo",
        &["bench", "-p", "knflow-dataplane", "--bench", "filters"],
    )
}
