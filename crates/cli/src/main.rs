//! `kn-flow`: design, check and run Knative Eventing flows. Also works as a `kn` plugin
//! (`kn flow ...`). The commands only parse arguments, read files and print: the work happens in
//! the library crates.

mod cesql_cmd;
mod cluster_cmd;
mod events;
mod export_cmd;
mod files;
mod import_cmd;
mod match_cmd;
mod replay_cmd;
mod run_cmd;
mod serve_cmd;
mod serve_live;
mod simulate_cmd;
mod validate_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    /// The command ran and found problems (validation errors, failed tests).
    pub const PROBLEMS: u8 = 1;
    /// Bad usage, or a file could not be read or written.
    pub const USAGE: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "kn-flow",
    version,
    about = "Design, validate, simulate and apply Knative Eventing flows",
    long_about = "Design, validate and simulate Knative Eventing flows.\n\n\
A flow is a YAML file (kind: Flow, apiVersion: knflow.dev/v1alpha1) holding real Knative \
manifests plus editor layout, simulation settings and scenarios. Plain Knative YAML (one or \
many documents) is accepted wherever a flow is.\n\n\
Exit codes: 0 ok, 1 problems found, 2 usage or I/O error.",
    after_help = "Examples:\n  kn-flow validate flows/orders.yaml\n  kn-flow validate --strict -o json flows/\n  kn-flow fmt flows/*.yaml\n  kn-flow cesql \"type = 'order.paid' AND amount > 100\" --event event.json\n  kn-flow match --flow flows/orders.yaml --event event.json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check flows against Knative's admission rules and lint their graph.
    ///
    /// Prints one line per problem: `path:line:col: error[CODE]: message (Kind/name .field.path)`.
    /// Exits 1 when there are errors (or warnings with --deny-warnings), else 0.
    /// A reference to a resource that is not in the file is a warning (it may exist in the
    /// cluster); a field the model does not know is kept and warned about (an error with --strict).
    Validate {
        /// Flow files, Knative YAML files, or folders of them (*.yaml, *.yml).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(short, long, value_enum, default_value = "text")]
        output: Output,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Unknown fields are errors, like the API server's strict field validation.
        #[arg(long)]
        strict: bool,
        /// An earlier version of the flow (e.g. what is applied): report changes to fields
        /// Knative does not allow to change, such as a trigger's broker.
        #[arg(long, value_name = "FILE")]
        previous: Option<PathBuf>,
        /// Also validate against CustomResourceDefinition manifests: a file or a folder (e.g.
        /// Knative's release YAML or `kubectl get crd -o yaml`), or `cluster` for the CRDs
        /// installed in the current kubeconfig context's cluster.
        #[arg(long, value_name = "PATH")]
        crds: Option<PathBuf>,
        /// List every diagnostic code with its meaning, then exit.
        #[arg(long, exclusive = true)]
        codes: bool,
        /// Apply the fixes whose remedy is clear (the served version for a retired one, a
        /// reference's missing apiVersion, a trigger's missing broker) to the files, atomically,
        /// saying each on stderr; then report what is left. `-o json` lists fixes either way.
        #[arg(long)]
        fix: bool,
    },
    /// Write a flow's resources as Kubernetes YAML, ready for `kubectl apply -f`.
    ///
    /// Only the manifests (no layout, simulation or scenarios), in apply order (namespaces,
    /// RBAC and config, brokers and channels, sinks, triggers and subscriptions, then sources),
    /// without status or server-owned metadata, with a header comment naming the flow.
    Export {
        flow: PathBuf,
        /// `-` (stdout, YAML; the default), `json` (stdout, a v1 List), or a file (a `.json` file
        /// gets a List, anything else YAML).
        #[arg(short, long, default_value = "-")]
        output: String,
        /// Write one file per resource into this folder instead.
        #[arg(long, value_name = "DIR")]
        split: Option<PathBuf>,
        /// Namespace for every namespaced object (default: each object's own, else the flow's).
        #[arg(long)]
        namespace: Option<String>,
        /// Add an `eventing.knative.dev/v1beta3` EventType for every event type the flow's
        /// event-type analysis finds arriving at one of its brokers or channels (the catalogue
        /// Knative would otherwise fill only after events flowed on a cluster).
        #[arg(long)]
        event_types: bool,
    },
    /// Write the flow's AsyncAPI 3.0 document: a channel per broker and channel, a receive
    /// operation per trigger and subscription (its filter described), a send operation per
    /// source, a message per event type the event-type analysis finds, with its CloudEvents
    /// headers.
    Asyncapi {
        flow: PathBuf,
        /// `-` (stdout, YAML; the default), or a file (`.json`: JSON, anything else YAML).
        #[arg(short, long, default_value = "-")]
        output: String,
    },
    /// Build a flow from Knative YAML: files or folders (recursively), single or multi-document,
    /// `List`s, objects of any kind (unknown kinds are kept as they are). The flow gets an
    /// automatic layout (sources left, sinks right). A file that cannot be read is reported
    /// with its position and skipped; the rest are imported (exit 1 then).
    ///
    /// With --cluster, reads the Knative objects of a live cluster instead (kubeconfig as kubectl
    /// resolves it), without status, managed fields and objects a controller made.
    Import {
        #[arg(required_unless_present = "cluster", value_name = "FILE_OR_DIR")]
        inputs: Vec<PathBuf>,
        /// Read from the cluster of the current (or --context) kubeconfig context.
        #[arg(long, conflicts_with = "inputs")]
        cluster: bool,
        /// With --cluster: the kubeconfig context.
        #[arg(long, requires = "cluster")]
        context: Option<String>,
        /// With --cluster: the namespace (default: the context's).
        #[arg(short, long, requires = "cluster", conflicts_with = "all_namespaces")]
        namespace: Option<String>,
        /// With --cluster: every namespace.
        #[arg(short = 'A', long, requires = "cluster")]
        all_namespaces: bool,
        /// The flow file to write (`-` for stdout).
        #[arg(short, long, value_name = "FLOW")]
        output: PathBuf,
        /// Flow name (default: the output file's name).
        #[arg(long)]
        name: Option<String>,
        /// Fill in the defaults Knative's webhooks add (broker class and delivery, trigger filter,
        /// channel templates, reference namespaces, …); without it objects stay as written.
        #[arg(long)]
        with_defaults: bool,
        /// Rewrite objects written for API versions Knative no longer serves (v1beta1 Brokers,
        /// v1alpha2 PingSources, …) to the served version, converting the fields that changed;
        /// prints what it changed.
        #[arg(long)]
        upgrade: bool,
    },
    /// Apply a flow to a cluster with server-side apply (field manager `kn-flow`).
    ///
    /// Uses the kubeconfig as kubectl does (KUBECONFIG or ~/.kube/config, its current context or
    /// --context; in a pod, the service account). First checks that the cluster serves every kind
    /// the flow uses and names the missing CRDs. Each object gets the label knflow.dev/flow=NAME
    /// so --prune can find what the flow no longer has. Prints `Kind/name created`,
    /// `configured` or `unchanged` per object. Exit codes: 0 all applied (and ready with --wait),
    /// 1 the flow has errors or an object failed (conflict, forbidden, not ready), 2 cluster
    /// unreachable, credentials rejected or CRDs missing. Credentials are never printed.
    Apply {
        flow: PathBuf,
        /// The kubeconfig context (default: the current one).
        #[arg(long)]
        context: Option<String>,
        /// Namespace for every namespaced object (default: each object's own, else the context's).
        #[arg(short, long)]
        namespace: Option<String>,
        /// `client`: print what would be sent, contact nothing; `server`: the API server checks
        /// the apply but stores nothing.
        #[arg(long, value_enum, value_name = "MODE", num_args = 0..=1, default_missing_value = "server", require_equals = true)]
        dry_run: Option<cluster_cmd::DryRun>,
        /// Show what would change per object against the live state (a server dry run), and
        /// apply nothing.
        #[arg(long)]
        diff: bool,
        /// Delete objects earlier applied from this flow (same knflow.dev/flow label) that it no
        /// longer has.
        #[arg(long)]
        prune: bool,
        /// Wait until every object reports Ready (default timeout 5m), showing progress; report
        /// the failing condition of those that do not.
        #[arg(long, value_name = "TIMEOUT", num_args = 0..=1, default_missing_value = "5m", require_equals = true)]
        wait: Option<String>,
        /// Take over fields another field manager owns instead of failing with a conflict.
        #[arg(long)]
        force_conflicts: bool,
    },
    /// Evaluate a CloudEvents SQL expression.
    ///
    /// Prints the result as JSON on the first line (`true`, `42`, `"s"`; the spec's default value
    /// where an error occurred), then each error as `error[KIND] at col N: message`. KIND is the
    /// CESQL TCK's name: parse, math, cast, missingFunction, functionEvaluation, missingAttribute,
    /// generic. Exits 0 if evaluated without error, 1 otherwise, 2 on usage errors or an
    /// unreadable event file.
    Cesql {
        /// The expression, e.g. "type = 'order.paid' AND amount > 100". One starting with `-`
        /// (`-4 + 1`) is an expression too, not an option.
        #[arg(allow_hyphen_values = true)]
        expression: String,
        /// A CloudEvent in JSON format; without it, a minimal valid event (specversion, id,
        /// source and type only).
        #[arg(long, value_name = "FILE")]
        event: Option<PathBuf>,
    },
    /// Does an event pass a trigger's filter? Prints `pass` or `fail` (exit 0 / 1).
    ///
    /// The filter FILE (YAML or JSON) holds a Trigger manifest, a Trigger spec, or an object with
    /// `filter` and/or `filters`. The event is a CloudEvent in JSON format (structured mode).
    /// With --flow instead of --filter, every trigger of the flow (or of --broker) is listed with
    /// its result and explanation; exit 0 if at least one passes.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["filter", "flow"])))]
    Match {
        /// A Trigger, its spec, or `{filter, filters}`.
        #[arg(long, value_name = "FILE")]
        filter: Option<PathBuf>,
        /// A flow: check every trigger in it.
        #[arg(long, value_name = "FLOW")]
        flow: Option<PathBuf>,
        /// The CloudEvent (JSON format).
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        /// With --flow: only triggers of this broker.
        #[arg(long, requires = "flow")]
        broker: Option<String>,
        /// Say, for each filter entry and attribute, whether it passed and why.
        #[arg(long)]
        explain: bool,
    },
    /// Send an event through a flow on a virtual clock and show every hop.
    ///
    /// TARGET is Broker/NAME, Channel/NAME, InMemoryChannel/NAME, Sequence/NAME, Parallel/NAME, a
    /// sink, or a source (PingSource/NAME runs its schedule until --until, default 1h;
    /// ApiServerSource, ContainerSource and SinkBinding emit what Knative's would).
    /// Sinks answer per their behavior: the flow's `simulation` section, overridden by
    /// --behavior. Behaviors: ack (202, the default), reply (200 + the same event),
    /// reply:TYPE (200 + an event of that type, new id), fail:STATUS, fail:STATUSxN (the first N
    /// attempts fail, then ack), timeout, latency:DURATION; combine with `,`. Sequence steps and
    /// Parallel filters and subscribers default to `reply`, so a flow works out of the box.
    /// `-o json` prints {"hops": [...], "summary": {...}} (schema in the README).
    Simulate {
        flow: PathBuf,
        /// Where to send: Kind/name.
        #[arg(long, value_name = "TARGET")]
        send: String,
        /// The CloudEvent to send (JSON format); not needed for sources.
        #[arg(long, value_name = "FILE")]
        event: Option<PathBuf>,
        /// KIND/NAME=SPEC, e.g. Service/fulfil=latency:50ms,fail:503x2 (repeatable).
        #[arg(long = "behavior", value_name = "KIND/NAME=SPEC")]
        behaviors: Vec<String>,
        /// Stop at this virtual time: 500ms, 30s, 10m, 2h or PT1H.
        #[arg(long)]
        until: Option<String>,
        /// Seed for ids and jitter: the same seed gives the same trace.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(short, long, value_enum, default_value = "text")]
        output: Output,
    },
    /// Run the scenarios of flows: send events, check where they go. Exit 1 on any failure.
    Test {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// text (default) or junit.
        #[arg(long, default_value = "text", value_parser = ["text", "junit"])]
        format: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Instead of the scenarios: replay the events a `kn-flow run --record FILE` kept
        /// through the simulator (with the flow's saved sink behaviours) and say where each
        /// went. One flow only.
        #[arg(long, value_name = "RECORD")]
        replay: Option<PathBuf>,
        /// With --replay: append each replayed event to the flow as a scenario expecting what
        /// happened to it, so that a change in routing fails `kn-flow test` (atomic write).
        #[arg(long, requires = "replay")]
        save_scenarios: bool,
    },
    /// Run a flow live: its brokers, channels, Sequences and Parallels become HTTP ingresses on
    /// 127.0.0.1 (brokers at /NAMESPACE/NAME, the others at /KIND/NAMESPACE/NAME) that deliver
    /// to real HTTP sinks with Knative's semantics (filters, retries, dead-letter sinks,
    /// replies, TTL). A sink referenced by `ref` goes to its --map URL (or the flow's
    /// `simulation` `url`), else to a built-in display that prints what it receives.
    Run {
        flow: PathBuf,
        #[arg(short, long, default_value_t = 8418)]
        port: u16,
        /// KIND/NAME=URL: where a referenced sink listens (repeatable).
        #[arg(long = "map", value_name = "KIND/NAME=URL")]
        maps: Vec<String>,
        /// Append every hop to this file as a JSON line.
        #[arg(long, value_name = "FILE")]
        tap: Option<PathBuf>,
        /// Record every event accepted at an ingress here (structured JSON, one per line), e.g.
        /// to turn into scenario events.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// KIND/NAME=COMMAND: start a local process for a ContainerSource or SinkBinding with
        /// its K_SINK and K_CE_OVERRIDES set (repeatable; stopped with kn-flow).
        #[arg(long, value_name = "KIND/NAME=COMMAND")]
        exec: Vec<String>,
        /// A delivery attempt whose delivery spec has no `timeout` fails as a timeout once the
        /// sink has sent and taken nothing for this long (e.g. 30s, 2m; Knative's channel
        /// fan-out limit, 15m, by default).
        #[arg(long, value_name = "DURATION", default_value = "15m")]
        read_timeout: String,
    },
    /// Open the designer in a browser: serves the UI and the flows of DIR (default: `.`).
    ///
    /// Binds 127.0.0.1 only; checks Host and Origin headers; saving needs the per-run token the
    /// page receives. Saves are atomic and stay inside DIR.
    Serve {
        dir: Option<PathBuf>,
        #[arg(short, long, default_value_t = 8417)]
        port: u16,
        /// Address to bind (default loopback only).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the page with the system browser.
        #[arg(long)]
        open: bool,
        /// A flow in DIR to open first (e.g. hello-ping.yaml).
        #[arg(long)]
        flow: Option<String>,
    },
    /// Rewrite flow files in canonical form (atomically; files with errors are left alone).
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only report files that are not in canonical form (exit 1 if any).
        #[arg(long)]
        check: bool,
        /// Also replace the editor layout with a fresh automatic layout (what the designer's
        /// Auto layout makes).
        #[arg(long)]
        relayout: bool,
        /// Also rewrite objects written for API versions Knative no longer serves to the served
        /// version, converting the fields that changed (`jsonData` → `data`, …); prints what it
        /// changed.
        #[arg(long)]
        upgrade: bool,
    },
    /// Print a completion script for a shell, e.g. `source <(kn-flow completion bash)`.
    ///
    /// Packages install them where each shell looks (bash-completion, zsh's vendor
    /// completions, fish's vendor_completions.d).
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (roff) into DIR, for packaging: `kn-flow.1` and a
    /// `kn-flow-<command>.1` per command, which the first one lists.
    #[command(hide = true)]
    Man { dir: PathBuf },
}

/// The completion script for `shell`. Bash's is made for the name `kn_flow`, then registered
/// for `kn-flow`: clap_complete spells a `-` in the program's name two ways among the
/// script's states, which loses every command's options.
fn completion(shell: clap_complete::Shell) -> String {
    let bash = shell == clap_complete::Shell::Bash;
    let name = if bash { "kn_flow" } else { "kn-flow" };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), name, &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    if !bash {
        return script;
    }
    script
        .lines()
        .map(|l| match l.strip_suffix(" kn_flow") {
            Some(head) if l.trim_start().starts_with("complete ") => format!("{head} kn-flow\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}

/// `kn-flow.1` and one page per visible command, as `kn-flow.1` refers to them.
fn man_pages(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // Built, so that the `help` command clap adds has its page too.
    let mut cli = Cli::command();
    cli.build();
    let write = |name: &str, cmd: clap::Command| {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        std::fs::write(dir.join(format!("{name}.1")), page)
    };
    for sub in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = format!("kn-flow-{}", sub.get_name());
        let bin = format!("kn-flow {}", sub.get_name());
        write(&name, sub.clone().name(name.clone()).bin_name(bin))?;
    }
    write("kn-flow", cli)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Completion { shell } => {
            print!("{}", completion(shell));
            exit::OK
        }
        Command::Man { dir } => match man_pages(&dir) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!(
                    "kn-flow: cannot write the manual pages into {}: {e}",
                    dir.display()
                );
                exit::USAGE
            }
        },
        Command::Validate {
            files,
            output,
            deny_warnings,
            strict,
            previous,
            crds,
            codes,
            fix,
        } => {
            if codes {
                for (code, meaning) in knflow_model::diag::CODES {
                    println!("{code:26} {meaning}");
                }
                exit::OK
            } else {
                validate_cmd::run(
                    &files,
                    output,
                    fix,
                    deny_warnings,
                    strict,
                    previous.as_deref(),
                    crds.as_deref(),
                )
            }
        }
        Command::Fmt {
            files,
            check,
            relayout,
            upgrade,
        } => files::fmt(&files, check, relayout, upgrade),
        Command::Run {
            flow,
            port,
            maps,
            tap,
            record,
            exec,
            read_timeout,
        } => run_cmd::run(run_cmd::RunArgs {
            flow: &flow,
            port,
            maps: &maps,
            tap,
            record,
            exec: &exec,
            read_timeout: &read_timeout,
        }),
        Command::Serve {
            dir,
            port,
            bind,
            open,
            flow,
        } => serve_cmd::run(serve_cmd::ServeArgs {
            dir: dir.unwrap_or_else(|| PathBuf::from(".")),
            port,
            bind,
            open,
            flow,
        }),
        Command::Import {
            inputs,
            cluster,
            context,
            namespace,
            all_namespaces,
            output,
            name,
            with_defaults,
            upgrade,
        } => {
            let from = if cluster {
                import_cmd::From::Cluster(
                    knflow_k8s::cluster::Target { context, namespace },
                    all_namespaces,
                )
            } else {
                import_cmd::From::Files(&inputs)
            };
            import_cmd::run(from, &output, name, with_defaults, upgrade)
        }
        Command::Apply {
            flow,
            context,
            namespace,
            dry_run,
            diff,
            prune,
            wait,
            force_conflicts,
        } => cluster_cmd::apply(cluster_cmd::ApplyArgs {
            flow: &flow,
            target: knflow_k8s::cluster::Target { context, namespace },
            dry_run,
            diff,
            prune,
            wait: wait.as_deref(),
            force_conflicts,
        }),
        Command::Export {
            flow,
            output,
            split,
            namespace,
            event_types,
        } => export_cmd::run(&flow, &output, split.as_deref(), namespace, event_types),
        Command::Asyncapi { flow, output } => export_cmd::asyncapi(&flow, &output),
        Command::Simulate {
            flow,
            send,
            event,
            behaviors,
            until,
            seed,
            output,
        } => simulate_cmd::simulate(simulate_cmd::SimulateArgs {
            flow: &flow,
            send: &send,
            event: event.as_deref(),
            behaviors: &behaviors,
            until: until.as_deref(),
            seed,
            output,
        }),
        Command::Test {
            files,
            replay: Some(record),
            save_scenarios,
            seed,
            ..
        } => match files.as_slice() {
            [flow] => replay_cmd::run(flow, &record, save_scenarios, seed),
            _ => {
                eprintln!("kn-flow: --replay takes one flow");
                exit::USAGE
            }
        },
        Command::Test {
            files,
            format,
            seed,
            ..
        } => simulate_cmd::test(&files, format == "junit", seed),
        Command::Cesql { expression, event } => cesql_cmd::run(&expression, event.as_deref()),
        Command::Match {
            filter,
            flow,
            event,
            broker,
            explain,
        } => match (filter, flow) {
            (Some(f), _) => match_cmd::run_filter(&f, &event, explain),
            (None, Some(flow)) => match_cmd::run_flow(&flow, &event, broker.as_deref()),
            (None, None) => unreachable!("clap requires one"),
        },
    };
    ExitCode::from(code)
}
