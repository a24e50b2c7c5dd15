//! Knative's data plane as a pure, sans-IO library: what the simulator (virtual time) and the
//! live runtime (real HTTP) both drive, so they cannot disagree.
//!
//! - [`events`]: CloudEvents read from JSON, with errors that say what to change.
//! - [`filter`]: trigger filtering with Knative's Pass/Fail/NoFilter and explanations.
//! - [`routes`]: a flow compiled into the subscriptions Knative's reconcilers create.
//! - [`plane`]: the delivery state machine — ingress rules, TTL, fan-out, retries and backoff,
//!   dead-lettering, replies.

pub mod analysis;
pub mod asyncapi;
pub mod emits;
pub mod events;
pub mod filter;
pub mod plane;
pub mod routes;

pub use filter::{Explanation, FilterResult, Step, TriggerFilter};
pub use plane::{Action, Body, Delivery, Hop, HopOutcome, Outcome, Plane};
pub use routes::{Endpoint, Label, Policy, Routes, TopicLink};
