//! The designer's Live tab: `kn-flow serve` runs the open flow live (the same runtime as
//! `kn-flow run`) and streams its hops to the page.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::serve_cmd::{problem, Served};

/// A flow running live inside the server.
pub struct Live {
    runtime: knflow_live::Runtime,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn status(live: Option<&Live>) -> Value {
    match live {
        None => json!({ "running": false }),
        Some(l) => json!({
            "running": true,
            "ingresses": l.runtime.addresses().iter()
                .map(|a| json!({"resource": a.label, "url": a.url})).collect::<Vec<_>>(),
            "sinks": l.runtime.targets().iter()
                .map(|t| json!({"sink": t.label, "url": t.url, "how": t.how})).collect::<Vec<_>>(),
        }),
    }
}

pub async fn get_status(State(s): State<Arc<Served>>) -> Response {
    Json(status(s.live.lock().await.as_ref())).into_response()
}

/// Starts (or restarts) the flow in the body live.
pub async fn start(State(s): State<Arc<Served>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let loaded = knflow_model::load_str(&text, "flow.yaml");
    if loaded.has_errors() {
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        return problem(StatusCode::UNPROCESSABLE_ENTITY, msgs.join("\n"));
    }
    let mut live = s.live.lock().await;
    *live = None;
    match knflow_live::serve(&loaded.flow, 0, knflow_live::Options::default()).await {
        Ok((runtime, _addr, task)) => {
            *live = Some(Live { runtime, task });
            Json(status(live.as_ref())).into_response()
        }
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot start: {e}"),
        ),
    }
}

pub async fn stop(State(s): State<Arc<Served>>) -> Response {
    *s.live.lock().await = None;
    Json(status(None)).into_response()
}

/// Every hop of the running flow, as server-sent events (one JSON hop each).
pub async fn tap(State(s): State<Arc<Served>>) -> Response {
    let Some(rx) = s.live.lock().await.as_ref().map(|l| l.runtime.tap()) else {
        return problem(StatusCode::NOT_FOUND, "no flow is running live");
    };
    knflow_live::tap_stream(rx).into_response()
}
