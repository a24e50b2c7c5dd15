//! `kn-flow run`: the flow live on 127.0.0.1 (the work is in `knflow-live`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{exit, files};

pub struct RunArgs<'a> {
    pub flow: &'a Path,
    pub port: u16,
    pub maps: &'a [String],
    pub tap: Option<PathBuf>,
    pub record: Option<PathBuf>,
    /// KIND/NAME=COMMAND: local processes started with their source's K_SINK and K_CE_OVERRIDES.
    pub exec: &'a [String],
    /// How long a sink may stay silent during an attempt without a delivery timeout.
    pub read_timeout: &'a str,
}

pub fn run(args: RunArgs<'_>) -> u8 {
    let flow = match files::load_clean(args.flow) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::PROBLEMS;
        }
    };
    let mut maps = BTreeMap::new();
    for m in args.maps {
        let Some((k, v)) = m.split_once('=') else {
            eprintln!("kn-flow: --map {m}: write KIND/NAME=URL, e.g. Service/fulfil=http://127.0.0.1:8080");
            return exit::USAGE;
        };
        maps.insert(k.to_string(), v.to_string());
    }
    let read_timeout = match knflow_sim::behavior::parse_duration(args.read_timeout) {
        Ok(ms) if ms > 0 => Duration::from_millis(ms),
        Ok(_) => {
            eprintln!("kn-flow: --read-timeout: must be more than 0");
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("kn-flow: --read-timeout: {e}");
            return exit::USAGE;
        }
    };
    let opts = knflow_live::Options {
        maps,
        tap: args.tap.clone(),
        record: args.record.clone(),
        max_in_flight: 0,
        read_timeout: Some(read_timeout),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let signals = stop_signal();
        let (live, addr, server) = match knflow_live::serve(&flow, args.port, opts).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kn-flow: cannot start on 127.0.0.1:{}: {e}", args.port);
                return exit::USAGE;
            }
        };
        println!("flow {} live on http://{addr}", flow.name);
        println!("\ningresses (POST CloudEvents: binary, structured or batch):");
        for a in live.addresses() {
            println!("  {:<40} {}", a.label, a.url);
        }
        println!("\nsinks:");
        for t in live.targets() {
            println!("  {:<40} {} ({})", t.label, t.url, t.how);
        }
        let env = live.process_env(&flow);
        if !env.is_empty() {
            println!("\nlocal processes for ContainerSources and SinkBindings should run with:");
        }
        for (label, vars) in &env {
            let line: Vec<String> = vars.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
            println!("  {label:<40} {}", line.join(" "));
        }
        let mut children = Vec::new();
        for spec in args.exec {
            let Some((label, command)) = spec.split_once('=') else {
                eprintln!("kn-flow: --exec {spec}: write KIND/NAME=COMMAND");
                return exit::USAGE;
            };
            let Some((_, vars)) = env.iter().find(|(l, _)| l == label) else {
                eprintln!("kn-flow: --exec {label}: not a ContainerSource or SinkBinding with a sink in this flow");
                return exit::USAGE;
            };
            match std::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .envs(vars.iter().map(|(k, v)| (k, v)))
                .spawn()
            {
                Ok(c) => {
                    println!("started `{command}` for {label} (pid {})", c.id());
                    children.push(c);
                }
                Err(e) => {
                    eprintln!("kn-flow: --exec {label}: {e}");
                    return exit::USAGE;
                }
            }
        }
        if let Some(r) = &args.record {
            println!("events accepted at the ingresses are recorded in {}", r.display());
        }
        if let Some(tap) = &args.tap {
            println!(
                "\nevery hop is appended to {} as a JSON line",
                tap.display()
            );
        }
        println!("hops stream as server-sent events at http://{addr}/_tap; Ctrl-C stops\n");
        let signal = signals.await;
        println!("\n{signal}: no longer accepting events; finishing deliveries under way");
        // Requests being read still get their answer (and their events routed); nothing new
        // is accepted, and no source sends any more.
        live.stop_sources();
        server.stop(Duration::from_secs(2)).await;
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Deliveries under way get a moment to finish; what is left is dead-lettered where a
        // dead-letter sink is configured, and reported.
        let wait_for_idle = |secs: u64| {
            let live = live.clone();
            async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
                while live.in_flight() > 0 && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        wait_for_idle(5).await;
        let abandoned = live.abandon_in_flight();
        if abandoned > 0 {
            wait_for_idle(2).await;
        }
        match (abandoned, live.in_flight()) {
            (0, _) => println!("stopped; no deliveries left in flight"),
            (n, 0) => println!(
                "stopped; {n} deliveries were still in flight: dead-lettered where a dead-letter sink is set, else lost"
            ),
            (n, left) => println!(
                "stopped; {n} deliveries were still in flight; {left} dead-letter deliveries did not finish"
            ),
        }
        exit::OK
    })
}

/// Ctrl-C (SIGINT) or SIGTERM (what containers, systemd and test harnesses send): both stop a
/// run the same graceful way; the future says which came. The handlers are installed when this
/// is called, before the flow's addresses are printed, so a signal sent as soon as they are
/// read is never the default (killing) one.
fn stop_signal() -> impl std::future::Future<Output = &'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut int), Ok(mut term)) => tokio::select! {
                    _ = int.recv() => "interrupted",
                    _ = term.recv() => "terminated",
                },
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                    "interrupted"
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        "interrupted"
    }
}
