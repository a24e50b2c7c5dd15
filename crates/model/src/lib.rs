//! knflow's model of a Knative Eventing flow: typed resources with every field of their CRDs,
//! the flow graph, the flow file format, validation (Knative's webhook rules) and lint (graph
//! rules).
//!
//! Pure Rust with no I/O: it builds for `wasm32-unknown-unknown` and runs in the browser UI.

pub mod diag;
pub mod diagram;
pub mod fixes;
pub mod flow;
pub mod flowfile;
pub mod kinds;
pub mod layout;
pub mod lint;
pub mod num;
pub mod order;
mod par;
pub mod path;
pub mod read;
pub mod refs;
pub mod resource;
pub mod schema;
mod split;
pub mod tz;
pub mod upgrade;
pub mod validate;
pub mod wiring;
pub mod yaml;

pub use diag::{Diagnostic, Severity};
pub use flow::{ConnectTo, EditError, Flow, Format, Node, Orphan, Point};
pub use flowfile::{load_str, save_string, Loaded};
pub use refs::Role;
pub use resource::{Resource, ResourceId};

/// Everything a user should hear about a loaded flow: reading problems, validation and lint,
/// sorted by file position.
pub fn check(loaded: &Loaded, opts: validate::Options) -> Vec<Diagnostic> {
    let mut all = loaded.diagnostics.clone();
    let (validated, linted) =
        validate::validate_alongside(&loaded.flow, opts, || lint::lint(&loaded.flow));
    all.extend(validated);
    all.extend(linted);
    order::sort_by(&mut all, |a, b| {
        (&a.file, a.line, a.column, a.severity, a.code)
            .cmp(&(&b.file, b.line, b.column, b.severity, b.code))
    });
    all
}
