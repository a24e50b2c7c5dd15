//! `kn-flow serve`: the designer (assets embedded in the binary) and a small JSON API over the
//! flows of one folder.
//!
//! Safety on a laptop: it binds 127.0.0.1 unless told otherwise; every request's Host must be the
//! address it serves (so a DNS-rebinding page cannot reach it), a request with an Origin must come
//! from that address (so other sites cannot post to it), and routes that change files need the
//! per-run token the served page carries in a meta tag.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::{exit, files};

mod assets {
    include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));
}

/// The header mutating requests carry the token in.
pub const TOKEN_HEADER: &str = "x-knflow-token";

pub struct Served {
    dir: PathBuf,
    token: String,
    /// Host header values that name this server.
    hosts: Vec<String>,
    /// The flow running live for the designer's Live tab.
    pub live: tokio::sync::Mutex<Option<crate::serve_live::Live>>,
}

/// 128 random bits from two independently seeded std hashers (the OS seeds each one).
fn new_token() -> String {
    let part = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(std::process::id() as u64);
        h.finish()
    };
    format!("{:016x}{:016x}", part(), part())
}

pub struct ServeArgs {
    pub dir: PathBuf,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    /// A flow (relative to DIR) the page opens first.
    pub flow: Option<String>,
}

pub fn run(args: ServeArgs) -> u8 {
    if !args.dir.is_dir() {
        eprintln!("kn-flow: {}: not a folder", args.dir.display());
        return exit::USAGE;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let addr = format!("{}:{}", args.bind, args.port);
        let listener = match tokio::net::TcpListener::bind(&addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("kn-flow: cannot listen on {addr}: {e}");
                return exit::USAGE;
            }
        };
        let local = listener.local_addr().expect("bound address");
        let app = router(args.dir.clone(), local);
        let mut url = format!("http://{local}/");
        if let Some(f) = &args.flow {
            url.push_str(&format!("#{f}"));
        }
        if assets::ASSETS.is_empty() {
            eprintln!("note: this kn-flow was built without the designer; run `cargo xtask build-ui` and rebuild");
        }
        // Whoever started us may stop reading our output; that must not stop the server.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "knflow designer: {url}");
        let _ = writeln!(out, "serving flows in {}", args.dir.display());
        let _ = out.flush();
        if args.open {
            let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("kn-flow: {e}");
                exit::USAGE
            }
        }
    })
}

/// The whole app for a folder, answering as `local`.
pub fn router(dir: PathBuf, local: SocketAddr) -> Router {
    let port = local.port();
    let mut hosts = vec![local.to_string()];
    if local.ip().is_loopback() {
        hosts.extend([
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]);
    }
    let state = Arc::new(Served {
        dir,
        token: new_token(),
        hosts,
        live: Default::default(),
    });
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/api/flows", get(list_flows))
        .route("/api/flows/{*path}", get(read_flow).put(save_flow))
        .route("/api/import", post(import))
        .route("/api/export", post(export))
        .route("/api/live", get(crate::serve_live::get_status))
        .route("/api/live/start", post(crate::serve_live::start))
        .route("/api/live/stop", post(crate::serve_live::stop))
        .route("/api/live/tap", get(crate::serve_live::tap))
        .fallback(get(asset))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

pub fn problem(code: StatusCode, message: impl Into<String>) -> Response {
    (code, Json(json!({ "error": message.into() }))).into_response()
}

/// Host and Origin checks for every request; the token for every request that changes
/// something.
async fn guard(State(s): State<Arc<Served>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !s.hosts.iter().any(|h| h == host) {
        return problem(
            StatusCode::MISDIRECTED_REQUEST,
            format!("unexpected Host `{host}`: open the address kn-flow printed"),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) {
        let ok = origin
            .strip_prefix("http://")
            .is_some_and(|o| s.hosts.iter().any(|h| h == o));
        if !ok {
            return problem(
                StatusCode::FORBIDDEN,
                format!("cross-origin request from {origin} refused"),
            );
        }
    }
    let mutating = !matches!(req.method().as_str(), "GET" | "HEAD");
    if mutating && headers.get(TOKEN_HEADER).and_then(|h| h.to_str().ok()) != Some(&s.token) {
        return problem(
            StatusCode::FORBIDDEN,
            "missing or wrong token: reload the page kn-flow serves",
        );
    }
    next.run(req).await
}

async fn index(State(s): State<Arc<Served>>) -> Response {
    let Some(html) = assets::get("index.html") else {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><title>knflow</title><p>This kn-flow was built without the designer. \
Run <code>cargo xtask build-ui</code>, then rebuild kn-flow.</p>",
        )
            .into_response();
    };
    let html = String::from_utf8_lossy(html).replace(
        "<!--knflow-meta-->",
        &format!(r#"<meta name="knflow-token" content="{}">"#, s.token),
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

async fn asset(req: Request) -> Response {
    let name = req.uri().path().trim_start_matches('/');
    let gzipped = accepts_gzip(req.headers())
        .then(|| assets::get(&format!("{name}.gz")))
        .flatten();
    match assets::get(name) {
        Some(bytes) => {
            let ty = match name.rsplit('.').next() {
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                Some("html") => "text/html; charset=utf-8",
                _ => "application/octet-stream",
            };
            let vary = (header::VARY, "accept-encoding");
            match gzipped {
                Some(gz) => (
                    [
                        (header::CONTENT_TYPE, ty),
                        (header::CONTENT_ENCODING, "gzip"),
                        vary,
                    ],
                    gz,
                )
                    .into_response(),
                None => ([(header::CONTENT_TYPE, ty), vary], bytes).into_response(),
            }
        }
        None => problem(StatusCode::NOT_FOUND, format!("no such file: /{name}")),
    }
}

/// Whether the client takes gzip (RFC 9110 `Accept-Encoding`: `gzip`, `x-gzip` or `*`, not
/// refused with `q=0`); the build precompresses the assets (`<name>.gz`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            ["gzip", "x-gzip", "*"]
                .iter()
                .any(|g| name.eq_ignore_ascii_case(g))
                && !refused
        })
}

/// A path inside the served folder: relative, no `..`, a YAML file.
fn inside(dir: &Path, rel: &str) -> Result<PathBuf, Box<Response>> {
    let p = Path::new(rel);
    let clean = p.components().all(|c| matches!(c, Component::Normal(_)));
    if !clean || rel.is_empty() {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            format!("`{rel}` is outside the served folder"),
        )));
    }
    if !rel.ends_with(".yaml") && !rel.ends_with(".yml") {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            format!("`{rel}`: flows are .yaml or .yml files"),
        )));
    }
    Ok(dir.join(p))
}

async fn list_flows(State(s): State<Arc<Served>>) -> Response {
    match files::walk(std::slice::from_ref(&s.dir)) {
        Ok(found) => {
            let list: Vec<String> = found
                .iter()
                .filter_map(|p| p.strip_prefix(&s.dir).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
            Json(json!({ "flows": list })).into_response()
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn read_flow(
    State(s): State<Arc<Served>>,
    axum::extract::Path(rel): axum::extract::Path<String>,
) -> Response {
    let path = match inside(&s.dir, &rel) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/yaml")], text).into_response(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problem(StatusCode::NOT_FOUND, format!("{rel}: no such flow"))
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, format!("{rel}: {e}")),
    }
}

async fn save_flow(
    State(s): State<Arc<Served>>,
    axum::extract::Path(rel): axum::extract::Path<String>,
    body: Bytes,
) -> Response {
    let path = match inside(&s.dir, &rel) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return problem(StatusCode::BAD_REQUEST, "a flow is UTF-8 text");
    };
    if let Some(parent) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return problem(StatusCode::INTERNAL_SERVER_ERROR, format!("{rel}: {e}"));
        }
    }
    match files::write_atomic(&path, text) {
        Ok(()) => Json(json!({ "saved": rel })).into_response(),
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{rel}: cannot write: {e}"),
        ),
    }
}

/// Knative YAML in, a flow with a layout out.
async fn import(headers: HeaderMap, body: Bytes) -> Response {
    let name = headers
        .get("x-knflow-name")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("imported");
    let text = String::from_utf8_lossy(&body);
    match knflow_model::flowfile::import_string(name, &text, "import.yaml") {
        Ok(flow) => ([(header::CONTENT_TYPE, "application/yaml")], flow).into_response(),
        Err(msgs) => problem(StatusCode::UNPROCESSABLE_ENTITY, msgs),
    }
}

/// A flow in, its manifests (apply order, with a header) out.
async fn export(body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let loaded = knflow_model::load_str(&text, "flow.yaml");
    if loaded.has_errors() {
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        return problem(StatusCode::UNPROCESSABLE_ENTITY, msgs.join("\n"));
    }
    let manifests = knflow_k8s::export::manifests(&loaded.flow, &Default::default());
    (
        [(header::CONTENT_TYPE, "application/yaml")],
        knflow_k8s::export::to_yaml(&loaded.flow, &manifests),
    )
        .into_response()
}
