//! Knative Eventing flows simulated on a virtual clock: the data plane driven by a priority queue,
//! simulated sinks answering per behavior, simulated sources emitting what Knative's would, and a
//! trace of every hop. Pure (no I/O, no clock): builds for wasm32 and runs in the browser.

pub mod behavior;
pub mod output;
mod per_label;
pub mod scenario;
pub mod sim;
pub mod sources;

pub use behavior::Behavior;
pub use sim::{Behaviors, Counters, Options, Simulation, TracedHop};

/// The event-type analysis of `flow` with its sinks replying as their saved behaviours say.
pub fn event_types(flow: &knflow_model::Flow) -> knflow_dataplane::analysis::Analysis {
    let replies = behavior::replies(flow);
    knflow_dataplane::analysis::analyze(flow, &replies)
}

/// The analysis's findings ([`knflow_dataplane::analysis::lints`]), for validation reports.
pub fn event_type_lints(flow: &knflow_model::Flow) -> Vec<knflow_model::Diagnostic> {
    knflow_dataplane::analysis::lints(flow, &event_types(flow))
}
