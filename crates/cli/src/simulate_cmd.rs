//! `kn-flow simulate` and `kn-flow test`.

use std::path::{Path, PathBuf};

use knflow_sim::scenario::{self, ScenarioResult};
use knflow_sim::{output, Options, Simulation};

use crate::{events, exit, files, Output};

pub struct SimulateArgs<'a> {
    pub flow: &'a Path,
    pub send: &'a str,
    pub event: Option<&'a Path>,
    pub behaviors: &'a [String],
    pub until: Option<&'a str>,
    pub seed: u64,
    pub output: Output,
}

pub fn simulate(a: SimulateArgs) -> u8 {
    let run = || -> Result<Simulation, String> {
        let flow = files::load_clean(a.flow)?;
        let mut behaviors = knflow_sim::sim::Behaviors::new();
        for b in a.behaviors {
            let (k, v) = b.split_once('=').ok_or_else(|| {
                format!("--behavior {b}: write KIND/NAME=SPEC, e.g. Service/fulfil=fail:503x2")
            })?;
            behaviors.insert(k.to_string(), v.to_string());
        }
        let until_ms = a
            .until
            .map(knflow_sim::behavior::parse_duration)
            .transpose()
            .map_err(|e| format!("--until: {e}"))?;
        let event = match a.event {
            Some(p) => {
                let map = events::read_event(p)?;
                Some(
                    serde_json::from_value(serde_json::Value::Object(map))
                        .map_err(|e| format!("{}: {e}", p.display()))?,
                )
            }
            None => None,
        };
        let mut sim = Simulation::new(
            &flow,
            Options {
                seed: a.seed,
                until_ms,
                behaviors,
                ..Options::default()
            },
        )?;
        sim.send(&flow, a.send, event)?;
        sim.run();
        Ok(sim)
    };
    match run() {
        Ok(sim) => {
            match a.output {
                Output::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&output::to_json(&sim)).expect("serializable")
                ),
                Output::Text => print!("{}", output::to_table(&sim)),
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("kn-flow: {e}");
            exit::USAGE
        }
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn test(paths: &[PathBuf], junit: bool, seed: u64) -> u8 {
    let files = match files::expand(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let mut all: Vec<(String, Vec<ScenarioResult>)> = Vec::new();
    for f in &files {
        match files::load_clean(f) {
            Ok(flow) => all.push((f.display().to_string(), scenario::run_all(&flow, seed))),
            Err(e) => {
                eprintln!("kn-flow: {e}");
                return exit::USAGE;
            }
        }
    }
    let (mut passed, mut failed) = (0, 0);
    if junit {
        println!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>");
    }
    for (file, results) in &all {
        let fails = results.iter().filter(|r| !r.passed()).count();
        if junit {
            println!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\">",
                xml(file),
                results.len()
            );
        }
        for r in results {
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            let detail: Vec<String> = r
                .error
                .iter()
                .map(|e| format!("  error: {e}"))
                .chain(
                    r.failures
                        .iter()
                        .map(|(want, got)| format!("  - expected: {want}\n    + actual:   {got}")),
                )
                .collect();
            if junit {
                print!(
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml(file),
                    xml(&r.name)
                );
                if r.passed() {
                    println!("/>");
                } else {
                    let message = match (&r.error, r.failures.first()) {
                        (Some(e), _) => e.clone(),
                        (None, Some((want, got))) => format!("expected {want}; actual: {got}"),
                        (None, None) => String::new(),
                    };
                    println!(
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(&message),
                        xml(&detail.join("\n"))
                    );
                }
            } else if r.passed() {
                println!("ok    {file}: {}", r.name);
            } else {
                println!("FAIL  {file}: {}\n{}", r.name, detail.join("\n"));
            }
        }
        if junit {
            println!("  </testsuite>");
        }
    }
    if junit {
        println!("</testsuites>");
        eprintln!("{passed} passed, {failed} failed");
    } else {
        println!("\n{passed} passed, {failed} failed");
    }
    if failed > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
