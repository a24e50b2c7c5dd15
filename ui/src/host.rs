//! The host the designer runs in: files are listed, read and saved through it, flows run live
//! and (on the desktop) clusters are reached through it. In a browser it is `kn-flow serve`'s
//! JSON API; in the desktop app (Tauri injects `window.__TAURI__`) it is the app's commands and
//! events. Every function here picks the one it runs in, so the rest of the designer does not.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Value};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

// ---- the desktop app's commands and events ----

/// `window.__TAURI__.<path…>`, when the designer runs in the desktop app.
fn tauri(path: &[&str]) -> Option<JsValue> {
    let mut v: JsValue = web_sys::window()?.into();
    for key in std::iter::once(&"__TAURI__").chain(path) {
        v = js_sys::Reflect::get(&v, &JsValue::from_str(key)).ok()?;
        if v.is_undefined() || v.is_null() {
            return None;
        }
    }
    Some(v)
}

/// Whether the designer runs in the desktop app.
pub fn desktop() -> bool {
    tauri(&["core", "invoke"]).is_some()
}

fn to_json(v: &JsValue) -> Value {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}

/// Invokes a desktop command; its error is the command's message.
pub async fn invoke(cmd: &str, args: Value) -> Result<Value, String> {
    let f: js_sys::Function = tauri(&["core", "invoke"])
        .ok_or("not running in the desktop app")?
        .dyn_into()
        .map_err(|_| "__TAURI__.core.invoke is not a function")?;
    let args = js_sys::JSON::parse(&args.to_string()).map_err(|e| format!("{e:?}"))?;
    let promise: js_sys::Promise = f
        .call2(&JsValue::NULL, &JsValue::from_str(cmd), &args)
        .map_err(|e| format!("{cmd}: {e:?}"))?
        .dyn_into()
        .map_err(|_| format!("{cmd}: no promise"))?;
    match JsFuture::from(promise).await {
        Ok(v) => Ok(to_json(&v)),
        Err(e) => Err(e.as_string().unwrap_or_else(|| to_json(&e).to_string())),
    }
}

/// Calls `f` with the payload of every desktop event named `event` (for the page's lifetime).
pub fn listen(event: &str, f: impl Fn(Value) + 'static) {
    let Some(listen) =
        tauri(&["event", "listen"]).and_then(|l| l.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let cb = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        let payload = js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or_default();
        f(to_json(&payload));
    });
    let _ = listen.call2(&JsValue::NULL, &JsValue::from_str(event), cb.as_ref());
    cb.forget();
}

// ---- kn-flow serve's JSON API ----

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
    answer(window.fetch_with_request(&req)).await
}

/// The text of a response to come, or the error it says.
async fn answer(response: js_sys::Promise) -> Result<String, String> {
    let resp: Response = JsFuture::from(response)
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
        // The message in words; a status code tells a user nothing.
        Err(if msg.trim().is_empty() {
            format!(
                "the kn-flow server could not do that ({})",
                resp.status_text()
            )
        } else {
            msg
        })
    }
}

/// A file the designer is served with, such as `/k8s-docs.json`.
pub async fn asset(path: &str) -> Result<String, String> {
    fetch("GET", path, None).await
}

fn encode(path: &str) -> String {
    path.split('/')
        .map(|p| String::from(js_sys::encode_uri_component(p)))
        .collect::<Vec<_>>()
        .join("/")
}

/// Flow files the host offers: the served folder's (paths relative to it), or on the desktop
/// the recent files (absolute paths).
pub async fn list() -> Result<Vec<String>, String> {
    let v = if desktop() {
        json!({ "flows": invoke("recent_files", json!({})).await? })
    } else {
        let text = fetch("GET", "/api/flows", None).await?;
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    };
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
    if desktop() {
        let v = invoke("open_flow", json!({ "path": path })).await?;
        return Ok(v["text"].as_str().unwrap_or_default().to_string());
    }
    if let Some(response) = prefetched(path) {
        return answer(response).await;
    }
    fetch("GET", &format!("/api/flows/{}", encode(path)), None).await
}

/// The page's early request for `path` (see index.html), taken once.
fn prefetched(path: &str) -> Option<js_sys::Promise> {
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str("knflowPrefetch");
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    if early.is_undefined() || early.is_null() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
    let same = js_sys::Reflect::get(&early, &JsValue::from_str("path"))
        .ok()?
        .as_string()?
        == path;
    let response = js_sys::Reflect::get(&early, &JsValue::from_str("response")).ok()?;
    same.then(|| response.dyn_into().ok()).flatten()
}

pub async fn save(path: &str, text: &str) -> Result<(), String> {
    if desktop() {
        return invoke("save_flow", json!({ "path": path, "text": text }))
            .await
            .map(|_| ());
    }
    fetch("PUT", &format!("/api/flows/{}", encode(path)), Some(text))
        .await
        .map(|_| ())
}

/// The desktop's native Open dialog: the chosen file's path and text (None: cancelled).
pub async fn open_native(near: Option<String>) -> Result<Option<(String, String)>, String> {
    let v = invoke("open_flow", json!({ "path": null, "near": near })).await?;
    Ok(v["path"].as_str().map(|p| {
        (
            p.to_string(),
            v["text"].as_str().unwrap_or_default().to_string(),
        )
    }))
}

/// The desktop's native Save dialog, then the save: the chosen path (None: cancelled).
pub async fn save_native(text: &str, suggested: &str) -> Result<Option<String>, String> {
    let v = invoke(
        "save_flow",
        json!({ "path": null, "text": text, "suggested": suggested }),
    )
    .await?;
    Ok(v.as_str().map(str::to_string))
}

/// The desktop's first flow: (path, text); no path for the built-in example.
pub async fn initial() -> Result<(Option<String>, String), String> {
    let v = invoke("initial_flow", json!({})).await?;
    Ok((
        v["path"].as_str().map(str::to_string),
        v["text"].as_str().unwrap_or_default().to_string(),
    ))
}

/// The desktop app drops `path` from its recent files (it could not be opened).
pub fn forget_recent(path: &str) {
    if desktop() {
        let args = json!({ "path": path });
        leptos::task::spawn_local(async move {
            let _ = invoke("forget_recent", args).await;
        });
    }
}

/// Closes the desktop window for good (the user chose to lose unsaved work).
pub fn close_window() {
    if desktop() {
        leptos::task::spawn_local(async move {
            let _ = invoke("close_window", json!({})).await;
        });
    }
}

/// Tells the desktop window its file name and whether there is unsaved work.
pub fn set_title(name: &str, dirty: bool) {
    if desktop() {
        let args = json!({ "name": name, "dirty": dirty });
        leptos::task::spawn_local(async move {
            let _ = invoke("set_title", args).await;
        });
    }
}

/// Tells the desktop app which of its menu items can act now (`{"undo": true, ...}`).
pub fn set_menu_state(state: Value) {
    if desktop() {
        leptos::task::spawn_local(async move {
            let _ = invoke("set_menu_state", json!({ "state": state })).await;
        });
    }
}

/// The flow has no file any more (New flow): the desktop stops watching the old one.
pub fn forget_file() {
    if desktop() {
        leptos::task::spawn_local(async move {
            let _ = invoke("forget_file", json!({})).await;
        });
    }
}

/// Knative YAML → a flow file with a layout.
pub async fn import(yaml: &str) -> Result<String, String> {
    if desktop() {
        let v = invoke("import_yaml", json!({ "yaml": yaml })).await?;
        return Ok(v.as_str().unwrap_or_default().to_string());
    }
    fetch("POST", "/api/import", Some(yaml)).await
}

/// Runs the flow live in the host (the designer's Live tab); returns its addresses.
pub async fn live_start(flow: &str) -> Result<Value, String> {
    if desktop() {
        return invoke("live_start", json!({ "flow": flow })).await;
    }
    let text = fetch("POST", "/api/live/start", Some(flow)).await?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

pub async fn live_stop() -> Result<(), String> {
    if desktop() {
        return invoke("live_stop", json!({})).await.map(|_| ());
    }
    fetch("POST", "/api/live/stop", Some("")).await.map(|_| ())
}

pub async fn live_status() -> Result<Value, String> {
    if desktop() {
        return invoke("live_status", json!({})).await;
    }
    let text = fetch("GET", "/api/live", None).await?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

type OnHop = Rc<dyn Fn(String)>;

thread_local! {
    /// Where live hops go now: the server's event stream, or on the desktop the handler the
    /// app's `live-hop` events are passed to.
    static TAP: RefCell<Option<(Option<web_sys::EventSource>, OnHop)>> = const { RefCell::new(None) };
    static DESKTOP_TAP_LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Subscribes to the hops of the flow running live (one JSON hop per call of `on_hop`),
/// replacing an earlier subscription.
pub fn subscribe_tap(on_hop: impl Fn(String) + 'static) -> Result<(), String> {
    unsubscribe_tap();
    let on_hop: OnHop = Rc::new(on_hop);
    if desktop() {
        if !DESKTOP_TAP_LISTENING.with(|l| l.replace(true)) {
            listen("live-hop", |payload| {
                let handler = TAP.with(|t| t.borrow().as_ref().map(|(_, f)| f.clone()));
                if let (Some(f), Some(line)) = (handler, payload.as_str()) {
                    f(line.to_string());
                }
            });
        }
        TAP.with(|t| *t.borrow_mut() = Some((None, on_hop)));
        return Ok(());
    }
    let es = web_sys::EventSource::new("/api/live/tap")
        .map_err(|_| "cannot subscribe to the live hops".to_string())?;
    let f = on_hop.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
            if let Some(text) = m.data().as_string() {
                f(text);
            }
        });
    es.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    TAP.with(|t| *t.borrow_mut() = Some((Some(es), on_hop)));
    Ok(())
}

pub fn unsubscribe_tap() {
    TAP.with(|t| {
        if let Some((Some(es), _)) = t.borrow_mut().take() {
            es.close();
        }
    });
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
