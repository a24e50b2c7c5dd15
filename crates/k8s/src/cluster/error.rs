//! Cluster errors in plain words, naming the verb and the resource, and never a credential.

use std::fmt;

/// What went wrong talking to the cluster. The message is meant for the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Credentials from the kubeconfig, scrubbed from every message that leaves this module.
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    pub(crate) fn new(values: impl IntoIterator<Item = String>) -> Secrets {
        // Short values would scrub ordinary words; real tokens and keys are long.
        Secrets(values.into_iter().filter(|s| s.len() >= 8).collect())
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.0 {
            out = out.replace(s.as_str(), "[redacted]");
        }
        out
    }
}

/// A kube error as the user should read it: `verb` (get, list, patch, delete) on `what`
/// (e.g. `triggers.eventing.knative.dev "paid" in namespace "shop"`).
pub(crate) fn describe(e: kube::Error, verb: &str, what: &str, cluster: &str) -> String {
    match e {
        kube::Error::Api(s) => match s.code {
            401 => format!(
                "unauthorized: the cluster at {cluster} rejected the credentials of the current \
context ({verb} {what})"
            ),
            403 => format!("forbidden: cannot {verb} {what}: {}", s.message),
            404 => format!("{what} not found"),
            _ => format!(
                "cannot {verb} {what}: {} ({}, HTTP {})",
                s.message, s.reason, s.code
            ),
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            format!(
                "cannot reach the cluster at {cluster} ({e}): is it running, and is that its \
                 address in the kubeconfig? Try again once it answers."
            )
        }
        other => format!("cannot {verb} {what}: {other}"),
    }
}
