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
