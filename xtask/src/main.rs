//! Build chores in Rust, not shell (the rust-analyzer habit): `cargo xtask <task>`.
//!
//! - `dev [FLOW]`: build the designer and serve it on a flow (default: the built-in example).
//! - `build-ui`: build the designer's wasm and glue into `ui/dist` (embedded by `kn-flow serve`).
//! - `test`: install what the tests need, then run every check CI runs.
//! - `desktop [FLOW]`: build the designer and start the desktop app (on FLOW, if given).
//! - `bench`: run the benchmarks recorded in BENCHMARKS.md.
//! - `package`: build the Debian package of the desktop app and `kn-flow` (target/debian).
//!
//! Every step says what it runs; a missing tool is installed when that is possible here
//! (rustup components and targets) or named with the command that installs it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};
use std::time::Instant;

mod gzip_order;
mod import_names;

const DEFAULT_FLOW: &str = "flows/hello-ping.yaml";

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root();
    env::set_current_dir(&root).expect("project root exists");
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(args.get(1).map(String::as_str).unwrap_or(DEFAULT_FLOW)),
        Some("build-ui") => build_ui(),
        Some("test") => test(),
        Some("desktop") => desktop(args.get(1).map(String::as_str)),
        Some("bench") => bench(),
        Some("package") => package(true).map(|deb| println!("{}", deb.display())),
        _ => {
            eprintln!("usage: cargo xtask <dev [FLOW] | build-ui | test | desktop [FLOW] | bench | package>");
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
    build_ui()?;
    let path = Path::new(flow);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or(format!("{flow}: not a file"))?
        .to_string_lossy()
        .into_owned();
    let dir = dir.to_string_lossy().into_owned();
    run(
        "cargo",
        &[
            "run",
            "--quiet",
            "-p",
            "knflow-cli",
            "--",
            "serve",
            &dir,
            "--flow",
            &name,
        ],
    )
}

/// The designer: wasm32 release build, then wasm-bindgen's glue, then the static files, all
/// into `ui/dist`.
fn build_ui() -> Result<(), String> {
    ensure_toolchain()?;
    let args = [
        "build",
        "-p",
        "knflow-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ];
    // The stable toolchain as shipped: panics keep their messages, which people put in bug
    // reports (the console shows them through console_error_panic_hook).
    run("cargo", &args)?;
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/knflow_ui.wasm");
    let dist = Path::new("ui/dist");
    std::fs::create_dir_all(dist).map_err(|e| format!("ui/dist: {e}"))?;
    eprintln!(
        "$ wasm-bindgen {} --target web --out-dir ui/dist",
        wasm.display()
    );
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e}"))?
        .omit_default_module_path(false)
        .typescript(false)
        // Function names stay until `shrink` has ordered the functions by them.
        .remove_name_section(false)
        .remove_producers_section(true)
        .generate(dist)
        .map_err(|e| format!("wasm-bindgen: {e}"))?;
    for f in [
        "ui/index.html",
        "ui/style.css",
        "crates/model/data/k8s-docs.json",
        "crates/model/data/kind-docs.json",
    ] {
        let name = Path::new(f).file_name().expect("a file");
        std::fs::copy(f, dist.join(name)).map_err(|e| format!("{f}: {e}"))?;
    }
    trim_bindings(&dist.join("knflow_ui_bg.wasm"), &dist.join("knflow_ui.js"))?;
    shrink(&dist.join("knflow_ui_bg.wasm"))?;
    precompress(dist)?;
    let wasm = std::fs::read(dist.join("knflow_ui_bg.wasm")).map_err(|e| e.to_string())?;
    let served = std::fs::metadata(dist.join("knflow_ui_bg.wasm.gz")).map_err(|e| e.to_string())?;
    eprintln!(
        "ui/dist: knflow_ui_bg.wasm is {} bytes ({} KiB); gzip -9: {} bytes; served gzipped \
         (zopfli): {} bytes ({} KiB)",
        wasm.len(),
        wasm.len() / 1024,
        gzipped_len(&wasm),
        served.len(),
        served.len() / 1024
    );
    Ok(())
}

/// The designer's size budget (issue 18), in decimal units: the module at most 2.0 MB, and at
/// most 600 KB as `kn-flow serve` sends it (gzipped), built with the stable toolchain as
/// shipped. Sizes are deterministic for a toolchain and the sources, unlike timings, so this
/// guards them like a test.
fn check_ui_size() -> Result<(), String> {
    const MAX_WASM: u64 = 2_000_000;
    const MAX_SERVED: u64 = 600_000;
    let dist = Path::new("ui/dist");
    let size = |f: &str| {
        std::fs::metadata(dist.join(f))
            .map(|m| m.len())
            .map_err(|e| format!("ui/dist/{f}: {e}"))
    };
    let (wasm, served) = (size("knflow_ui_bg.wasm")?, size("knflow_ui_bg.wasm.gz")?);
    if wasm > MAX_WASM || served > MAX_SERVED {
        return Err(format!(
            "the designer's wasm is {wasm} bytes, {served} gzipped as served: over its targets \
             ({MAX_WASM} and {MAX_SERVED}); see BENCHMARKS.md for where the bytes go"
        ));
    }
    eprintln!("designer size: {wasm} ≤ {MAX_WASM} bytes, {served} ≤ {MAX_SERVED} served gzipped");
    Ok(())
}

/// Trims what wasm-bindgen made. The exports of `wasm-streams` go (JavaScript stream adapters
/// that Leptos' server functions can hand to the page): the designer calls no server function,
/// and exports are roots no optimiser may remove, with everything they reach. Their JavaScript
/// classes stay in the glue, unused; they reach into the module only when called. Then the
/// imports from the glue get short names, there and in `glue` (`import_names`).
fn trim_bindings(wasm: &Path, glue: &Path) -> Result<(), String> {
    let mut module =
        walrus::Module::from_file(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let unused: Vec<walrus::ExportId> = module
        .exports
        .iter()
        .filter(|e| {
            let name = e.name.trim_start_matches("__wbg_");
            name.starts_with("intounderlying")
        })
        .map(|e| e.id())
        .collect();
    for id in unused {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(&mut module);
    let text = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let text = import_names::shorten(&mut module, "./knflow_ui_bg.js", &text)
        .map_err(|e| format!("{}: {e}", glue.display()))?;
    std::fs::write(glue, text).map_err(|e| format!("{}: {e}", glue.display()))?;
    module
        .emit_wasm_file(wasm)
        .map_err(|e| format!("{}: {e}", wasm.display()))
}

/// Binaryen's size optimisations (`wasm-opt -Oz`) on the wasm-bindgen output, in place, except
/// that functions with one caller are not inlined into it: that inlining makes the module 2 %
/// smaller but its gzip 9 % larger, and the gzip is what a browser downloads (BENCHMARKS.md).
fn shrink(wasm: &Path) -> Result<(), String> {
    use wasm_opt::{Feature, OptimizationOptions};
    // What rustc's wasm32-unknown-unknown target emits by default.
    const FEATURES: [Feature; 6] = [
        Feature::BulkMemory,
        Feature::TruncSat,
        Feature::SignExt,
        Feature::MutableGlobals,
        Feature::ReferenceTypes,
        Feature::Multivalue,
    ];
    eprintln!("$ wasm-opt -Oz -ocimfs 0 {}", wasm.display());
    let mut opts = OptimizationOptions::new_optimize_for_size_aggressively();
    opts.one_caller_inline_max_size(0);
    opts.set_converge();
    opts.debug_info(true);
    for f in FEATURES {
        opts.enable_feature(f);
    }
    opts.run(wasm, wasm)
        .map_err(|e| format!("wasm-opt {}: {e}", wasm.display()))?;
    // The functions laid out for gzip (`gzip_order`): named after their places, then ordered
    // by name. Then the names go, unless KNFLOW_WASM_NAMES=1 keeps them for `twiggy`.
    let keep_names = std::env::var_os("KNFLOW_WASM_NAMES").is_some();
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let ranked = gzip_order::rank_names(&bytes, keep_names)
        .map_err(|e| format!("{}: {e}", wasm.display()))?;
    std::fs::write(wasm, ranked).map_err(|e| format!("{}: {e}", wasm.display()))?;
    eprintln!(
        "$ wasm-opt --reorder-functions-by-name{} --strip-producers --strip-target-features {}",
        if keep_names { "" } else { " --strip-debug" },
        wasm.display()
    );
    let mut order = OptimizationOptions::new_opt_level_0();
    order.add_pass(wasm_opt::Pass::ReorderFunctionsByName);
    if !keep_names {
        order.add_pass(wasm_opt::Pass::StripDebug);
    }
    order.add_pass(wasm_opt::Pass::StripProducers);
    // (Spelt so in the `wasm-opt` crate.)
    order.add_pass(wasm_opt::Pass::StripTargetFeatuers);
    order.debug_info(keep_names);
    for f in FEATURES {
        order.enable_feature(f);
    }
    order
        .run(wasm, wasm)
        .map_err(|e| format!("wasm-opt {}: {e}", wasm.display()))
}

/// Writes `<file>.gz` beside every asset `kn-flow serve` sends as is (not the page, which it
/// fills in per run), compressed by zopfli: gzip that every browser reads, 4–5 % smaller than
/// `gzip -9`, paid for once at build time.
fn precompress(dist: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let compressible = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css" | "json")
        );
        if !compressible {
            continue;
        }
        gzip_beside(&path)?;
    }
    Ok(())
}

/// Writes `<file>.gz` beside `file`, compressed by zopfli (gzip, 4–5 % smaller than
/// `gzip -9`, paid for once at build time).
fn gzip_beside(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = Vec::new();
    // Split into as many blocks as pay (each with its own Huffman codes): the default's 15
    // left 9 KB of the designer's wasm on the table (BENCHMARKS.md).
    let options = zopfli::Options {
        maximum_block_splits: 250,
        ..Default::default()
    };
    zopfli::compress(options, zopfli::Format::Gzip, &bytes[..], &mut gz)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = path.to_path_buf().into_os_string();
    out.push(".gz");
    std::fs::write(&out, gz).map_err(|e| format!("{}: {e}", Path::new(&out).display()))
}

/// Size after `gzip -9`, as a web server would send it.
fn gzipped_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut child = match Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return 0,
    };
    let mut stdin = child.stdin.take().expect("piped");
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child
        .wait_with_output()
        .map(|o| o.stdout.len())
        .unwrap_or(0);
    let _ = writer.join();
    out
}

/// Debian packages the checks need: Chromium for the browser tests; WebKitGTK (to build the
/// desktop app), its WebDriver, Xvfb and xdotool (real key presses) for the desktop tests.
/// Installed when missing.
const SYSTEM_PACKAGES: &[&str] = &[
    "chromium",
    "libwebkit2gtk-4.1-dev",
    "webkit2gtk-driver",
    "xvfb",
    "xdotool",
    // The package: dpkg-shlibdeps finds its dependencies; its test checks the .desktop entry
    // and that the binaries are stripped.
    "dpkg-dev",
    "desktop-file-utils",
    "file",
    // Its test renders the manual pages (man -l, groff).
    "man-db",
    "groff-base",
];

fn installed(package: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|s| s.contains("install ok installed"))
}

fn ensure_system_packages(packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(&missing);
    run("apt-get", &["update", "-qq"])
        .and_then(|()| run("apt-get", &args))
        .map_err(|e| {
            format!(
                "{e}\nneeded: `apt-get install {}` (as root)",
                missing.join(" ")
            )
        })
}

/// tauri-driver (WebDriver for the desktop app).
fn tauri_driver() -> Result<PathBuf, String> {
    cargo_tool("tauri-driver", "2.1.0")
}

/// A tool from crates.io, built once into target/tools at a pinned version.
fn cargo_tool(name: &str, version: &str) -> Result<PathBuf, String> {
    let root = target_dir().join("tools");
    let bin = root.join("bin").join(name);
    if !bin.exists() {
        let root = root.to_string_lossy().into_owned();
        run(
            "cargo",
            &[
                "install",
                name,
                "--version",
                version,
                "--locked",
                "--root",
                &root,
            ],
        )?;
    }
    std::fs::canonicalize(&bin).map_err(|e| format!("{}: {e}", bin.display()))
}

/// The Debian package of the desktop app and `kn-flow` (release binaries, stripped by the
/// release profile), made by cargo-deb from `[package.metadata.deb]` in src-tauri/Cargo.toml.
/// `designer`: build the designer first (`test` has just built it). Returns the .deb's path.
fn package(designer: bool) -> Result<PathBuf, String> {
    ensure_toolchain()?;
    ensure_system_packages(&["libwebkit2gtk-4.1-dev", "dpkg-dev"])?;
    let cargo_deb = cargo_tool("cargo-deb", "3.8.0")?;
    // The app embeds the designer.
    if designer {
        build_ui()?;
    }
    run(
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "knflow-cli",
            "-p",
            "knflow-desktop",
        ],
    )?;
    manual_and_completions()?;
    let out = target_dir().join("debian");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out = std::fs::canonicalize(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let args = [
        "deb",
        "-p",
        "knflow-desktop",
        "--no-build",
        // The release profile stripped them already.
        "--no-strip",
        "--output",
        &out.to_string_lossy(),
    ];
    eprintln!("$ {} {}", cargo_deb.display(), args.join(" "));
    let o = Command::new(&cargo_deb)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo-deb: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "cargo-deb failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    // cargo-deb prints the package's path.
    let deb = String::from_utf8_lossy(&o.stdout).trim().to_string();
    eprintln!("package: {deb}");
    Ok(PathBuf::from(deb))
}

/// The manual pages (gzipped) and the shell completions the package installs, written by the
/// release `kn-flow` itself into `target/release/packaging` (the package's assets name them).
fn manual_and_completions() -> Result<(), String> {
    let release = target_dir().join("release");
    let kn_flow = release.join("kn-flow");
    let out = release.join("packaging");
    let man = out.join("man");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&man).map_err(|e| format!("{}: {e}", man.display()))?;
    run(&kn_flow.to_string_lossy(), &["man", &man.to_string_lossy()])?;
    for entry in std::fs::read_dir(&man).map_err(|e| format!("{}: {e}", man.display()))? {
        let page = entry.map_err(|e| e.to_string())?.path();
        gzip_beside(&page)?;
        std::fs::remove_file(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    }
    for (shell, file) in [
        ("bash", "kn-flow.bash"),
        ("zsh", "_kn-flow"),
        ("fish", "kn-flow.fish"),
    ] {
        let o = Command::new(&kn_flow)
            .args(["completion", shell])
            .output()
            .map_err(|e| format!("{}: {e}", kn_flow.display()))?;
        if !o.status.success() || o.stdout.is_empty() {
            return Err(format!("kn-flow completion {shell} failed"));
        }
        std::fs::write(out.join(file), o.stdout).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(())
}

fn desktop(flow: Option<&str>) -> Result<(), String> {
    ensure_toolchain()?;
    ensure_system_packages(&["libwebkit2gtk-4.1-dev"])?;
    build_ui()?;
    let mut args = vec!["run", "-p", "knflow-desktop", "--"];
    args.extend(flow);
    run("cargo", &args)
}

fn test() -> Result<(), String> {
    let start = Instant::now();
    ensure_toolchain()?;
    ensure_system_packages(SYSTEM_PACKAGES)?;
    eprintln!("\n== format");
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    // The designer first: `kn-flow serve` embeds it, and the browser tests use it.
    eprintln!("\n== designer build");
    build_ui()?;
    check_ui_size()?;
    eprintln!("== designer built at {:.0?}", start.elapsed());
    let steps: &[(&str, &[&str])] = &[
        (
            "lint",
            &[
                "clippy",
                "--workspace",
                "--exclude",
                "knflow-ui",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "lint (designer, wasm32)",
            &[
                "clippy",
                "-p",
                "knflow-ui",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "tests",
            &[
                "test",
                "--workspace",
                "--exclude",
                "knflow-ui",
                "--no-fail-fast",
            ],
        ),
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
                "-p",
                "knflow-editor",
                "--target",
                "wasm32-unknown-unknown",
            ],
        ),
    ];
    // Each step says how long it took, so a slow CI run shows where the time went.
    let timed = |name: &str, f: &mut dyn FnMut() -> Result<(), String>| {
        eprintln!("\n== {name}");
        let t = Instant::now();
        let r = f();
        eprintln!(
            "== {name}: {:.0?} (at {:.0?})",
            t.elapsed(),
            start.elapsed()
        );
        r
    };
    // Before the tests: one of them reads the AsyncAPI schema from these packages.
    timed("npm packages", &mut npm_packages)?;
    for (name, args) in steps {
        timed(name, &mut || run("cargo", args))?;
    }
    timed("browser tests", &mut browser_tests)?;
    timed("desktop tests", &mut desktop_tests)?;
    timed("package", &mut package_test)?;
    eprintln!("\nall checks passed in {:.0?}", start.elapsed());
    Ok(())
}

/// The tests' npm packages (tests/e2e/package-lock.json): playwright-core and the CloudEvents SDK
/// for the browser and live tests, `@asyncapi/specs` whose schema `kn-flow asyncapi`'s test reads.
fn npm_packages() -> Result<(), String> {
    run(
        "npm",
        &["ci", "--prefix", "tests/e2e", "--no-audit", "--no-fund"],
    )
}

/// Debian's Chromium and npm's playwright-core (no browser downloads), then the designer's
/// end-to-end tests against the `kn-flow` the tests built, and `kn-flow run` against npm's
/// CloudEvents SDK.
fn browser_tests() -> Result<(), String> {
    let chromium = env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new("tests/e2e/node_modules/.package-lock.json").exists() {
        npm_packages()?;
    }
    let kn_flow = build_binaries()?("kn-flow")?;
    let envs = [("KN_FLOW", kn_flow.clone()), ("CHROMIUM", chromium.into())];
    node_tests("tests/e2e/designer.test.mjs", &envs, "browser tests")?;
    // The canvas's picture measured, and its gestures.
    node_tests("tests/e2e/canvas.test.mjs", &envs, "canvas tests")?;
    // The simulation on the canvas: badges, hops along wires, playback.
    node_tests(
        "tests/e2e/simulation.test.mjs",
        &envs,
        "simulation view tests",
    )?;
    // Nothing replaces or overwrites work without asking; errors where the user acted.
    node_tests("tests/e2e/worksafety.test.mjs", &envs, "work safety tests")?;
    node_tests("tests/e2e/filters.test.mjs", &envs, "filter editor tests")?;
    // Knative's Kafka extension from the palette to a simulated delivery; the palette's project
    // groups measured.
    node_tests("tests/e2e/kafka.test.mjs", &envs, "Kafka extension tests")?;
    // Event types × triggers, paths drawn on hover, a trigger's received types.
    node_tests("tests/e2e/events.test.mjs", &envs, "Events view tests")?;
    // Live mode against the official JavaScript CloudEvents SDK (npm `cloudevents`).
    node_tests(
        "tests/e2e/live.test.mjs",
        &[("KN_FLOW", kn_flow)],
        "live-mode tests with the JavaScript CloudEvents SDK",
    )
}

/// Where cargo builds: `CARGO_TARGET_DIR` or `target`.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// The binaries the end-to-end tests run (kn-flow, knflow-desktop, kube-standin), built with
/// the same package selection as the test step, so that features unify the same way and
/// nothing is compiled twice. Returns the way to find one by name.
fn build_binaries() -> Result<impl Fn(&str) -> Result<PathBuf, String>, String> {
    run(
        "cargo",
        &[
            "build",
            "--workspace",
            "--exclude",
            "knflow-ui",
            "--exclude",
            "xtask",
            // With the tests: dev-dependencies take part in feature unification as in
            // `cargo test`, so the binaries it built are reused.
            "--tests",
            // `--tests` alone builds a binary only for a package with integration tests;
            // kube-standin has none.
            "--bins",
        ],
    )?;
    Ok(|name: &str| {
        std::fs::canonicalize(target_dir().join("debug").join(name))
            .map_err(|e| format!("{name} binary: {e}"))
    })
}

/// Runs a node:test file with `envs`; `what` names it in the error.
fn node_tests(file: &str, envs: &[(&str, PathBuf)], what: &str) -> Result<(), String> {
    eprintln!("$ node --test {file}");
    let status = Command::new("node")
        // A test that hangs (a browser or an app that never answers) fails after 5 minutes
        // instead of holding CI to its limit.
        .args([
            "--test",
            "--test-concurrency=1",
            "--test-timeout=300000",
            file,
        ])
        .envs(envs.iter().map(|(k, v)| (*k, v)))
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed (screenshots in target/e2e-artifacts)"
        ))
    }
}

/// The desktop app under Xvfb, driven over WebDriver (tauri-driver + WebKitWebDriver), with
/// kube-standin as its cluster.
fn desktop_tests() -> Result<(), String> {
    let driver = tauri_driver()?;
    let bin = build_binaries()?;
    let (app, standin) = (bin("knflow-desktop")?, bin("kube-standin")?);
    node_tests(
        "tests/e2e/desktop.test.mjs",
        &[
            ("KNFLOW_DESKTOP", app),
            ("TAURI_DRIVER", driver),
            ("KUBE_STANDIN", standin),
        ],
        "desktop tests",
    )
}

/// Builds the .deb and checks it as a user's machine would meet it (tests/e2e/package.test.mjs).
fn package_test() -> Result<(), String> {
    let deb = package(false)?;
    node_tests(
        "tests/e2e/package.test.mjs",
        &[("KNFLOW_DEB", deb)],
        "package tests",
    )
}

fn bench() -> Result<(), String> {
    run(
        "cargo",
        &["bench", "-p", "knflow-model", "--bench", "load_10k"],
    )?;
    run(
        "cargo",
        &["bench", "-p", "knflow-dataplane", "--bench", "filters"],
    )?;
    run(
        "cargo",
        &["bench", "-p", "knflow-sim", "--bench", "broker_200"],
    )?;
    run(
        "cargo",
        &["bench", "-p", "knflow-k8s", "--bench", "import_export_10k"],
    )?;
    run(
        "cargo",
        &["bench", "-p", "knflow-live", "--bench", "throughput"],
    )?;
    // The designer in headless Chromium, served by a release kn-flow.
    build_ui()?;
    run("cargo", &["build", "--release", "-p", "knflow-cli"])?;
    run(
        "npm",
        &["ci", "--prefix", "tests/e2e", "--no-audit", "--no-fund"],
    )?;
    run("node", &["tests/e2e/bench.mjs"])
}

#[cfg(test)]
mod tests {
    /// The designer's `on:` handlers go through `ui/src/handle.rs` (one handler type per event
    /// type): a bare closure brings back a copy of Leptos' attribute machinery of its own.
    #[test]
    fn designer_event_handlers_are_boxed() {
        let mut bare = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/src"
        ))];
        let mut seen = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    for (at, _) in line.match_indices(" on:") {
                        let rest = &line[at + 4..];
                        let Some(eq) = rest.find('=') else { continue };
                        if !rest[..eq].bytes().all(|b| b.is_ascii_lowercase()) {
                            continue;
                        }
                        seen += 1;
                        if !rest[eq + 1..].starts_with("handle::") {
                            bare.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
        assert!(
            seen > 100,
            "found only {seen} handlers: is ui/src where it was?"
        );
        assert!(
            bare.is_empty(),
            "handlers not boxed by `handle`:\n{}",
            bare.join("\n")
        );
    }
}
