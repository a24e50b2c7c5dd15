//! The Kubernetes side of knflow. Pure (no I/O) by default: a flow exported as manifests in apply
//! order, webhook defaults, and manifests validated against CustomResourceDefinition schemas the
//! user supplies. The `cluster` feature adds the edge that talks to a live cluster with kube-rs
//! (apply, diff, prune, wait, read); the wasm32 build never enables it.

#[cfg(feature = "cluster")]
pub mod cluster;
#[cfg(feature = "crds")]
pub mod crds;
pub mod defaults;
pub mod export;
