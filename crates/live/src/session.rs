//! A flow running live inside a host that starts and stops it on request: `kn-flow serve`'s
//! Live tab and the desktop app. The flow stops when the session is dropped.

use serde_json::{json, Value};

use crate::{serve, Options, Runtime};

/// Why a session did not start.
#[derive(Debug)]
pub enum StartError {
    /// The flow text has errors (one diagnostic per line).
    Invalid(String),
    /// The listener could not be set up.
    Io(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Invalid(m) => f.write_str(m),
            StartError::Io(e) => write!(f, "cannot start: {e}"),
        }
    }
}

/// A running flow: its runtime and the task serving its ingresses on a free loopback port.
pub struct Session {
    runtime: Runtime,
    /// `None` once stopped.
    server: Option<crate::Server>,
}

/// How long Stop lets requests being read finish.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
        self.runtime.stop_sources();
    }
}

impl Session {
    /// Loads flow-file text and runs it on 127.0.0.1 (any free port), with built-in displays
    /// for sinks the flow does not map.
    pub async fn start(text: &str) -> Result<Session, StartError> {
        let loaded = knflow_model::load_str(text, "flow.yaml");
        if loaded.has_errors() {
            let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
            return Err(StartError::Invalid(msgs.join("\n")));
        }
        let (runtime, _addr, server) = serve(&loaded.flow, 0, Options::default())
            .await
            .map_err(StartError::Io)?;
        Ok(Session {
            runtime,
            server: Some(server),
        })
    }

    /// Stops the flow: sources first, then the ingresses, whose requests being read finish and
    /// whose kept-alive connections close, so that once this returns nothing answers at the
    /// flow's addresses (dropping a session only aborts the accepting task).
    pub async fn stop(&mut self) {
        self.runtime.stop_sources();
        if let Some(server) = self.server.take() {
            server.stop(STOP_GRACE).await;
        }
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Every hop from now on, as JSON lines.
    pub fn tap(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.runtime.tap()
    }
}

/// What a host reports about its live flow: `{"running": false}`, or `running: true` with the
/// ingress addresses and sink targets of [`Runtime::describe`].
pub fn status(session: Option<&Session>) -> Value {
    match session {
        None => json!({ "running": false }),
        Some(s) => {
            let mut v = s.runtime.describe();
            v["running"] = json!(true);
            v
        }
    }
}
