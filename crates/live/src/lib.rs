//! Live mode: a flow's brokers, channels, Sequences and Parallels as real HTTP ingresses on
//! 127.0.0.1, delivering to real HTTP sinks. Routing, filtering, retries, dead-lettering, replies
//! and TTL all come from `knflow-dataplane`'s sans-IO plane (invariant 2): this crate only turns
//! its actions into HTTP requests and timers, and HTTP answers back into its inputs.

pub mod http_event;
mod lane;
mod runtime;
mod server;
mod session;

pub use runtime::{Address, Options, Runtime, Target, DEFAULT_READ_TIMEOUT};
pub use server::{serve, tap_stream, Server};
pub use session::{status, Session, StartError};
