//! The Kubernetes side of knflow, pure (no I/O): a flow exported as manifests in apply order,
//! and manifests validated against CustomResourceDefinition schemas the user supplies.

pub mod crds;
pub mod defaults;
pub mod export;
