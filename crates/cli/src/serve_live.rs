//! The designer's Live tab: `kn-flow serve` runs the open flow live (the same runtime as
//! `kn-flow run`) and streams its hops to the page.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use knflow_live::{Session, StartError};

use crate::serve_cmd::{problem, Served};

/// A flow running live inside the server.
pub type Live = Session;

pub async fn get_status(State(s): State<Arc<Served>>) -> Response {
    Json(knflow_live::status(s.live.lock().await.as_ref())).into_response()
}

/// Starts (or restarts) the flow in the body live.
pub async fn start(State(s): State<Arc<Served>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let mut live = s.live.lock().await;
    if let Some(mut old) = live.take() {
        old.stop().await;
    }
    match Session::start(&text).await {
        Ok(session) => {
            *live = Some(session);
            Json(knflow_live::status(live.as_ref())).into_response()
        }
        Err(e @ StartError::Invalid(_)) => problem(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub async fn stop(State(s): State<Arc<Served>>) -> Response {
    if let Some(mut session) = s.live.lock().await.take() {
        session.stop().await;
    }
    Json(knflow_live::status(None)).into_response()
}

/// Every hop of the running flow, as server-sent events (one JSON hop each).
pub async fn tap(State(s): State<Arc<Served>>) -> Response {
    let Some(rx) = s.live.lock().await.as_ref().map(Session::tap) else {
        return problem(StatusCode::NOT_FOUND, "no flow is running live");
    };
    knflow_live::tap_stream(rx).into_response()
}
