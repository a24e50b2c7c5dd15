//! `kn-flow`: design, check and run Knative Eventing flows. Also works as a `kn` plugin
//! (`kn flow ...`). The commands only parse arguments, read files and print: the work happens in
//! the library crates.

mod files;
mod validate_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    about = "Design, validate and simulate Knative Eventing flows",
    long_about = "Design, validate and simulate Knative Eventing flows.\n\n\
A flow is a YAML file (kind: Flow, apiVersion: knflow.dev/v1alpha1) holding real Knative \
manifests plus editor layout, simulation settings and scenarios. Plain Knative YAML (one or \
many documents) is accepted wherever a flow is.\n\n\
Exit codes: 0 ok, 1 problems found, 2 usage or I/O error.",
    after_help = "Examples:\n  kn-flow validate flows/orders.yaml\n  kn-flow validate --strict -o json flows/\n  kn-flow fmt flows/*.yaml"
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
        /// List every diagnostic code with its meaning, then exit.
        #[arg(long, exclusive = true)]
        codes: bool,
    },
    /// Rewrite flow files in canonical form (atomically; files with errors are left alone).
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only report files that are not in canonical form (exit 1 if any).
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate {
            files,
            output,
            deny_warnings,
            strict,
            previous,
            codes,
        } => {
            if codes {
                for (code, meaning) in knflow_model::diag::CODES {
                    println!("{code:26} {meaning}");
                }
                exit::OK
            } else {
                validate_cmd::run(&files, output, deny_warnings, strict, previous.as_deref())
            }
        }
        Command::Fmt { files, check } => files::fmt(&files, check),
    };
    ExitCode::from(code)
}
