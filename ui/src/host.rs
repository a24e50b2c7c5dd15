//! The host the designer runs in: files are listed, read and saved through it. In a browser it
//! is `kn-flow serve`'s JSON API; the desktop shell provides the same operations as commands.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// The per-run token `kn-flow serve` put in the page; mutating requests carry it.
fn token() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=knflow-token]").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_default()
}

async fn fetch(method: &str, url: &str, body: Option<&str>) -> Result<String, String> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(b));
    }
    let req = Request::new_with_str_and_init(url, &init).map_err(|e| format!("{e:?}"))?;
    if method != "GET" {
        req.headers()
            .set("x-knflow-token", &token())
            .map_err(|e| format!("{e:?}"))?;
    }
    let window = web_sys::window().ok_or("no window")?;
    let resp: Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| {
            "the kn-flow server does not answer (is `kn-flow serve` still running?)".to_string()
        })?
        .dyn_into()
        .map_err(|_| "not a response")?;
    let text = JsFuture::from(resp.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?
        .as_string()
        .unwrap_or_default();
    if resp.ok() {
        Ok(text)
    } else {
        let msg = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or(text);
        Err(format!("{} {}", resp.status(), msg))
    }
}

fn encode(path: &str) -> String {
    path.split('/')
        .map(|p| String::from(js_sys::encode_uri_component(p)))
        .collect::<Vec<_>>()
        .join("/")
}

/// Flow files the host offers (paths relative to its folder).
pub async fn list() -> Result<Vec<String>, String> {
    let text = fetch("GET", "/api/flows", None).await?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(v["flows"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

pub async fn read(path: &str) -> Result<String, String> {
    fetch("GET", &format!("/api/flows/{}", encode(path)), None).await
}

pub async fn save(path: &str, text: &str) -> Result<(), String> {
    fetch("PUT", &format!("/api/flows/{}", encode(path)), Some(text))
        .await
        .map(|_| ())
}

/// Knative YAML → a flow file with a layout.
pub async fn import(yaml: &str) -> Result<String, String> {
    fetch("POST", "/api/import", Some(yaml)).await
}

/// Runs the flow live in the server (the designer's Live tab); returns its addresses.
pub async fn live_start(flow: &str) -> Result<serde_json::Value, String> {
    let text = fetch("POST", "/api/live/start", Some(flow)).await?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

pub async fn live_stop() -> Result<(), String> {
    fetch("POST", "/api/live/stop", Some("")).await.map(|_| ())
}

pub async fn live_status() -> Result<serde_json::Value, String> {
    let text = fetch("GET", "/api/live", None).await?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

// ---- local storage: autosave and preferences ----

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn unstore(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
