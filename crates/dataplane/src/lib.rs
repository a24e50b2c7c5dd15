//! Knative's data plane as a pure, sans-IO library: what the simulator (virtual time) and the
//! live runtime (real HTTP) both drive, so they cannot disagree.
//!
//! So far: trigger filtering ([`filter`]).

pub mod filter;

pub use filter::{Explanation, FilterResult, Step, TriggerFilter};
