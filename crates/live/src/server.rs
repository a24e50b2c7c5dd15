//! The HTTP side: ingresses, the built-in display sink, the address list and the tap stream.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::json;

use crate::runtime::Runtime;
use crate::{http_event, Options};

fn problem(code: StatusCode, message: impl Into<String>) -> Response {
    (code, Json(json!({ "error": message.into() }))).into_response()
}

async fn ingress(State(rt): State<Runtime>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (method, path, headers) = (parts.method, parts.uri.path(), parts.headers);
    if method != Method::POST {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} {path}: send events with POST"),
        );
    }
    let body: Bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("body: {e}")),
    };
    if let Some(label) = path.strip_prefix("/_display/") {
        return match http_event::parse(&headers, &body) {
            Ok(events) => {
                rt.inner.record_display(label, events);
                StatusCode::ACCEPTED.into_response()
            }
            Err(e) => problem(StatusCode::BAD_REQUEST, e),
        };
    }
    if !rt.serves(path) {
        return problem(
            StatusCode::NOT_FOUND,
            format!("no broker, channel, Sequence or Parallel at {path}"),
        );
    }
    let events = match http_event::parse(&headers, &body) {
        Ok(e) => e,
        Err(e) => return problem(StatusCode::BAD_REQUEST, e),
    };
    match rt.ingest(path, events) {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err((429, msg)) => {
            let mut r = problem(StatusCode::TOO_MANY_REQUESTS, msg);
            r.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
            r
        }
        Err((status, msg)) => problem(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            msg,
        ),
    }
}

async fn addresses(State(rt): State<Runtime>) -> Response {
    Json(rt.describe()).into_response()
}

async fn tap(State(rt): State<Runtime>) -> impl IntoResponse {
    tap_stream(rt.tap())
}

/// Hops from a tap subscription as server-sent events, one JSON hop each (a slow reader skips
/// what it missed rather than holding the runtime back).
pub fn tap_stream(
    rx: tokio::sync::broadcast::Receiver<String>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(line) => return Some((Ok::<_, Infallible>(SseEvent::default().data(line)), rx)),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    });
    Sse::new(stream)
}

/// The task serving a runtime's ingresses.
pub struct Server {
    task: tokio::task::JoinHandle<()>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Stops accepting connections and lets the requests being read finish (each one either
    /// answered and its events in the plane, or refused), for at most `grace`; then the rest is
    /// cut off. Kept-alive connections close once idle; a tap stream is cut at the end.
    pub async fn stop(mut self, grace: std::time::Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }

    /// Stops at once, whatever is under way.
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// Binds `127.0.0.1:port` (0: any free port), builds the runtime and returns it with the task
/// serving it.
pub async fn serve(
    flow: &knflow_model::Flow,
    port: u16,
    opts: Options,
) -> std::io::Result<(Runtime, std::net::SocketAddr, Server)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    // An ingress answers with one small write; without TCP_NODELAY a sender that pipelines
    // can wait on a delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let rt = Runtime::new(flow, opts, &format!("http://{addr}"))?;
    rt.start_sources(flow);
    let app = Router::new()
        .route("/_addresses", get(addresses))
        .route("/_tap", get(tap))
        .fallback(ingress)
        .with_state(rt.clone());
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            // Only `stop` stops it: a dropped `Server` leaves the ingresses running.
            .with_graceful_shutdown(async move {
                if stopped.wait_for(|s| *s).await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await;
    });
    Ok((rt, addr, Server { task, stop }))
}
