//! A stand-in Kubernetes API server for tests, on 127.0.0.1 with plain HTTP.
//!
//! No Kubernetes cluster can run on the machines knflow is built on, so the cluster code is tested
//! against this instead. It speaks what `kn-flow apply`, `import --cluster` and
//! `validate --crds cluster` use, with the real wire formats (kube-rs is the client):
//! - discovery: `GET /api`, `/api/v1`, `/apis`, `/apis/{group}/{version}` (a group that is not
//!   served answers 404, like a cluster without the CRD);
//! - objects: get, list (all namespaces too, `labelSelector` with `k=v` terms), delete, and
//!   server-side apply (`PATCH` with `fieldManager`, `force`, `dryRun=All`) that tracks field
//!   ownership per manager, answers 409 with one `FieldManagerConflict` cause per field, and
//!   writes `metadata.managedFields` in the FieldsV1 format;
//! - `Status` bodies for every error (401 with a wrong token, 403 for verbs the test forbids,
//!   404, 409, 400 without `fieldManager`);
//! - readiness: Knative objects report `Ready` Unknown until they have been read a number of
//!   times, then True, or False with a reason the test sets.
//!
//! Limits, by design: lists are atomic fields (no merge keys); no watch (clients poll); no
//! admission, defaulting or schema validation; no resourceVersion preconditions; no pagination.
//! Cluster-scoped objects are namespaces and CustomResourceDefinitions.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// A kind the server serves.
#[derive(Debug, Clone)]
pub struct Kind {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
}

impl Kind {
    /// `api_version` as in manifests (`v1` for the core group).
    pub fn new(api_version: &str, kind: &str) -> Kind {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Kind {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: format!("{}s", kind.to_lowercase()),
            namespaced: !matches!(kind, "Namespace" | "CustomResourceDefinition"),
        }
    }

    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// What the server serves and how it misbehaves.
#[derive(Debug, Clone)]
pub struct Options {
    pub kinds: Vec<Kind>,
    /// Requests must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// `(verb, plural)` pairs answered 403; verbs are get, list, patch, delete.
    pub forbidden: Vec<(String, String)>,
    /// Reads of an object before it reports Ready=True.
    pub ready_after_reads: u32,
    /// Objects (by name) that report Ready=False with `(reason, message)`.
    pub failing: Vec<(String, String, String)>,
}

impl Options {
    /// Knative Eventing, Serving, and the core kinds, as a cluster with Knative installed has.
    pub fn knative() -> Options {
        let kinds = [
            ("v1", "Namespace"),
            ("v1", "Service"),
            ("v1", "ConfigMap"),
            ("v1", "ServiceAccount"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("eventing.knative.dev/v1", "Broker"),
            ("eventing.knative.dev/v1", "Trigger"),
            ("eventing.knative.dev/v1beta2", "EventType"),
            ("messaging.knative.dev/v1", "Channel"),
            ("messaging.knative.dev/v1", "InMemoryChannel"),
            ("messaging.knative.dev/v1", "Subscription"),
            ("flows.knative.dev/v1", "Sequence"),
            ("flows.knative.dev/v1", "Parallel"),
            ("sources.knative.dev/v1", "PingSource"),
            ("sources.knative.dev/v1", "ApiServerSource"),
            ("sources.knative.dev/v1", "ContainerSource"),
            ("sources.knative.dev/v1", "SinkBinding"),
            ("sinks.knative.dev/v1alpha1", "JobSink"),
            ("serving.knative.dev/v1", "Service"),
        ];
        Options {
            kinds: kinds.iter().map(|(a, k)| Kind::new(a, k)).collect(),
            token: None,
            forbidden: Vec::new(),
            ready_after_reads: 1,
            failing: Vec::new(),
        }
    }

    /// Without the kinds of one API group (a cluster where that CRD is not installed).
    pub fn without_group(mut self, group: &str) -> Options {
        self.kinds.retain(|k| k.group != group);
        self
    }
}

type Path = Vec<String>;

struct Stored {
    object: Value,
    owners: BTreeMap<Path, String>,
    reads: u32,
}

struct Inner {
    opts: Options,
    objects: BTreeMap<(String, String, String, String), Stored>,
    revision: u64,
    requests: Vec<String>,
}

/// A running stand-in server; stops when dropped.
pub struct StandIn {
    url: String,
    inner: Arc<Mutex<Inner>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StandIn {
    pub fn start(opts: Options) -> StandIn {
        let inner = Arc::new(Mutex::new(Inner {
            opts,
            objects: BTreeMap::new(),
            revision: 0,
            requests: Vec::new(),
        }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound_tx, bound_rx) = std::sync::mpsc::channel::<SocketAddr>();
        let state = inner.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1");
                bound_tx
                    .send(listener.local_addr().expect("local addr"))
                    .expect("report address");
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let addr = bound_rx.recv().expect("stand-in server started");
        StandIn {
            url: format!("http://{addr}"),
            inner,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A kubeconfig with one context (`standin`) pointing here.
    pub fn kubeconfig(&self, namespace: &str, token: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    server: {}\n\
users:\n- name: tester\n  user:\n    token: {token}\ncontexts:\n- name: standin\n  context:\n    \
cluster: standin\n    user: tester\n    namespace: {namespace}\ncurrent-context: standin\n",
            self.url
        )
    }

    /// Server-side applies `object` as `manager` (e.g. to make another manager own fields).
    pub fn apply_as(&self, manager: &str, object: Value) {
        let mut inner = self.inner.lock().unwrap();
        let kind = inner.kind_for(&object).expect("apply_as: kind not served");
        let ns = if kind.namespaced {
            object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        let name = object["metadata"]["name"].as_str().unwrap().to_string();
        inner
            .apply(&kind, &ns, &name, object, manager, true, false)
            .map_err(|(_, v)| v)
            .expect("apply_as");
    }

    /// The stored object, as a GET would not count it as a read.
    pub fn object(&self, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let inner = self.inner.lock().unwrap();
        inner
            .objects
            .iter()
            .find(|((_, p, ns, n), _)| p == plural && ns == namespace && n == name)
            .map(|(_, s)| s.object.clone())
    }

    /// Every stored object.
    pub fn objects(&self) -> Vec<Value> {
        let inner = self.inner.lock().unwrap();
        inner.objects.values().map(|s| s.object.clone()).collect()
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.inner.lock().unwrap().requests.clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn status(code: StatusCode, reason: &str, message: String, details: Value) -> Response {
    (
        code,
        Json(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "details": details,
            "code": code.as_u16(),
        })),
    )
        .into_response()
}

fn not_found_path() -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource".into(),
        json!({}),
    )
}

/// Leaf fields of an applied object: objects recurse, lists and scalars are atomic. Identity
/// fields are nobody's.
fn leaves(v: &Value, path: &mut Path, out: &mut Vec<(Path, Value)>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let identity = match path.len() {
                    0 => matches!(k.as_str(), "apiVersion" | "kind" | "status"),
                    1 => path[0] == "metadata" && matches!(k.as_str(), "name" | "namespace"),
                    _ => false,
                };
                if identity {
                    continue;
                }
                path.push(k.clone());
                leaves(child, path, out);
                path.pop();
            }
        }
        _ if !path.is_empty() => out.push((path.clone(), v.clone())),
        _ => {}
    }
}

fn get_path<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn set_path(v: &mut Value, path: &[String], value: Value) {
    let mut cur = v;
    for k in &path[..path.len() - 1] {
        if !cur.get(k).is_some_and(Value::is_object) {
            cur[k.as_str()] = json!({});
        }
        cur = cur.get_mut(k).unwrap();
    }
    cur[path[path.len() - 1].as_str()] = value;
}

fn remove_path(v: &mut Value, path: &[String]) {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = v;
    for k in parents {
        match cur.get_mut(k) {
            Some(c) => cur = c,
            None => return,
        }
    }
    if let Some(m) = cur.as_object_mut() {
        m.remove(last);
    }
}

fn fields_v1(paths: &[&Path]) -> Value {
    let mut root = Map::new();
    for p in paths {
        let mut cur = &mut root;
        for k in p.iter() {
            cur = cur
                .entry(format!("f:{k}"))
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
        }
    }
    Value::Object(root)
}

fn render(path: &Path) -> String {
    path.iter().map(|k| format!(".{k}")).collect()
}

impl Inner {
    fn kind_for(&self, object: &Value) -> Option<Kind> {
        let api_version = object.get("apiVersion")?.as_str()?;
        let kind = object.get("kind")?.as_str()?;
        self.opts
            .kinds
            .iter()
            .find(|k| k.api_version() == api_version && k.kind == kind)
            .cloned()
    }

    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        kind: &Kind,
        ns: &str,
        name: &str,
        mut applied: Value,
        manager: &str,
        force: bool,
        dry_run: bool,
    ) -> Result<(StatusCode, Value), (StatusCode, Value)> {
        let key = (
            kind.group.clone(),
            kind.plural.clone(),
            ns.into(),
            name.into(),
        );
        let mut new_leaves = Vec::new();
        if let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        leaves(&applied, &mut Vec::new(), &mut new_leaves);
        let existing = self.objects.get(&key);
        let mut conflicts = Vec::new();
        if let Some(s) = existing {
            for (path, value) in &new_leaves {
                if let Some(owner) = s.owners.get(path) {
                    if owner != manager && get_path(&s.object, path) != Some(value) {
                        conflicts.push((path.clone(), owner.clone()));
                    }
                }
            }
        }
        if !conflicts.is_empty() && !force {
            let causes: Vec<Value> = conflicts
                .iter()
                .map(|(p, owner)| {
                    json!({
                        "type": "FieldManagerConflict",
                        "message": format!("conflict with \"{owner}\" using {}", kind.api_version()),
                        "field": render(p),
                    })
                })
                .collect();
            let summary: Vec<String> = conflicts
                .iter()
                .map(|(p, owner)| {
                    format!(
                        "conflict with \"{owner}\" using {}: {}",
                        kind.api_version(),
                        render(p)
                    )
                })
                .collect();
            return Err((
                StatusCode::CONFLICT,
                json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": format!("Apply failed with {} conflict{}: {}", conflicts.len(),
                        if conflicts.len() == 1 { "" } else { "s" }, summary.join("\n")),
                    "reason": "Conflict",
                    "details": {"name": name, "group": kind.group, "kind": kind.plural, "causes": causes},
                    "code": 409,
                }),
            ));
        }
        let created = existing.is_none();
        let (mut object, mut owners) = match existing {
            Some(s) => (s.object.clone(), s.owners.clone()),
            None => (
                json!({"apiVersion": kind.api_version(), "kind": kind.kind,
                       "metadata": {"name": name}}),
                BTreeMap::new(),
            ),
        };
        if kind.namespaced {
            object["metadata"]["namespace"] = json!(ns);
        }
        let new_paths: Vec<&Path> = new_leaves.iter().map(|(p, _)| p).collect();
        // Fields this manager applied before and no longer does are removed from the object.
        let dropped: Vec<Path> = owners
            .iter()
            .filter(|(p, m)| *m == manager && !new_paths.contains(p))
            .map(|(p, _)| p.clone())
            .collect();
        for p in dropped {
            owners.remove(&p);
            remove_path(&mut object, &p);
        }
        let spec_before = object.get("spec").cloned();
        for (path, value) in &new_leaves {
            set_path(&mut object, path, value.clone());
            owners.insert(path.clone(), manager.to_string());
        }
        let changed = existing.is_none_or(|s| {
            let mut a = s.object.clone();
            let mut b = object.clone();
            a.as_object_mut().unwrap().remove("status");
            b.as_object_mut().unwrap().remove("status");
            a["metadata"]["managedFields"] = Value::Null;
            b["metadata"]["managedFields"] = Value::Null;
            a != b
        });
        let mut managers: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
        for (p, m) in &owners {
            managers.entry(m.as_str()).or_default().push(p);
        }
        object["metadata"]["managedFields"] = Value::Array(
            managers
                .iter()
                .map(|(m, paths)| {
                    json!({"manager": m, "operation": "Apply", "apiVersion": kind.api_version(),
                           "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
                           "fieldsV1": fields_v1(paths)})
                })
                .collect(),
        );
        let revision = if changed {
            self.revision + 1
        } else {
            self.revision
        };
        if created {
            object["metadata"]["uid"] = json!(format!("00000000-0000-4000-8000-{revision:012}"));
            object["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
            object["metadata"]["generation"] = json!(1);
        } else if object.get("spec") != spec_before.as_ref() {
            let g = object["metadata"]["generation"].as_i64().unwrap_or(1);
            object["metadata"]["generation"] = json!(g + 1);
        }
        if changed {
            object["metadata"]["resourceVersion"] = json!(revision.to_string());
        }
        if !dry_run {
            self.revision = revision;
            let reads = if changed {
                0
            } else {
                self.objects.get(&key).map_or(0, |s| s.reads)
            };
            self.objects.insert(
                key,
                Stored {
                    object: object.clone(),
                    owners,
                    reads,
                },
            );
        }
        let code = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((code, object))
    }

    /// The object as a GET returns it: Knative kinds carry a Ready condition.
    fn read(&mut self, key: &(String, String, String, String)) -> Option<Value> {
        let ready_after = self.opts.ready_after_reads;
        let failing = self.opts.failing.clone();
        let s = self.objects.get_mut(key)?;
        s.reads += 1;
        let mut o = s.object.clone();
        if key.0.ends_with("knative.dev") {
            let generation = o["metadata"]["generation"].clone();
            let condition = if let Some((_, reason, message)) =
                failing.iter().find(|(n, _, _)| *n == key.3)
            {
                json!({"type": "Ready", "status": "False", "reason": reason, "message": message})
            } else if s.reads > ready_after {
                json!({"type": "Ready", "status": "True"})
            } else {
                json!({"type": "Ready", "status": "Unknown", "reason": "Reconciling",
                       "message": "waiting for the controller"})
            };
            o["status"] = json!({"observedGeneration": generation, "conditions": [condition]});
        }
        Some(o)
    }
}

/// `/api/v1/...` or `/apis/{g}/{v}/...` → (group, version, rest).
fn split_api_path(segs: &[&str]) -> Option<(String, String, usize)> {
    match segs {
        ["api", v, ..] => Some((String::new(), v.to_string(), 2)),
        ["apis", g, v, ..] => Some((g.to_string(), v.to_string(), 3)),
        _ => None,
    }
}

fn discovery(inner: &Inner, segs: &[&str]) -> Option<Response> {
    let kinds = &inner.opts.kinds;
    let resource_list = |group: &str, version: &str| {
        let resources: Vec<Value> = kinds
            .iter()
            .filter(|k| k.group == group && k.version == version)
            .map(|k| {
                json!({"name": k.plural, "singularName": k.kind.to_lowercase(),
                       "namespaced": k.namespaced, "kind": k.kind,
                       "verbs": ["create","delete","get","list","patch","update","watch"]})
            })
            .collect();
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        if resources.is_empty() {
            not_found_path()
        } else {
            Json(json!({"kind": "APIResourceList", "apiVersion": "v1",
                        "groupVersion": gv, "resources": resources}))
            .into_response()
        }
    };
    Some(match segs {
        ["api"] => Json(json!({"kind": "APIVersions", "versions": ["v1"],
                               "serverAddressByClientCIDRs": []}))
        .into_response(),
        ["api", v] => resource_list("", v),
        ["apis"] => {
            let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for k in kinds.iter().filter(|k| !k.group.is_empty()) {
                let vs = groups.entry(&k.group).or_default();
                if !vs.contains(&k.version.as_str()) {
                    vs.push(&k.version);
                }
            }
            let groups: Vec<Value> = groups
                .iter()
                .map(|(g, vs)| {
                    let versions: Vec<Value> = vs
                        .iter()
                        .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                        .collect();
                    json!({"name": g, "versions": versions, "preferredVersion": versions[0]})
                })
                .collect();
            Json(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}))
                .into_response()
        }
        ["apis", g] => {
            let versions: Vec<Value> = kinds
                .iter()
                .filter(|k| k.group == *g)
                .map(
                    |k| json!({"groupVersion": format!("{g}/{}", k.version), "version": k.version}),
                )
                .collect();
            if versions.is_empty() {
                not_found_path()
            } else {
                Json(json!({"kind": "APIGroup", "apiVersion": "v1", "name": g,
                            "versions": versions, "preferredVersion": versions[0]}))
                .into_response()
            }
        }
        ["apis", g, v] => resource_list(g, v),
        _ => return None,
    })
}

fn label_selector_matches(object: &Value, selector: Option<&String>) -> bool {
    let Some(sel) = selector.filter(|s| !s.is_empty()) else {
        return true;
    };
    sel.split(',').all(|term| {
        let (k, v) = term.split_once('=').unwrap_or((term, ""));
        let v = v.trim_start_matches('=');
        object
            .pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            == Some(v)
    })
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.requests.push(format!(
        "{method} {}",
        uri.path_and_query().map_or("", |p| p.as_str())
    ));
    if let Some(token) = &inner.opts.token {
        let expected = format!("Bearer {token}");
        if headers.get("authorization").and_then(|h| h.to_str().ok()) != Some(&expected) {
            return status(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Unauthorized".into(),
                json!({}),
            );
        }
    }
    let segs: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    if method == Method::GET {
        if let Some(r) = discovery(&inner, &segs) {
            return r;
        }
    }
    let Some((group, version, at)) = split_api_path(&segs) else {
        return not_found_path();
    };
    let rest = &segs[at..];
    // (namespace, plural, name); namespace None = all namespaces or cluster scope.
    let (ns, plural, name): (Option<&str>, &str, Option<&str>) = match rest {
        ["namespaces", ns, plural] => (Some(ns), plural, None),
        ["namespaces", ns, plural, name] => (Some(ns), plural, Some(name)),
        [plural] => (None, plural, None),
        [plural, name] => (None, plural, Some(name)),
        _ => return not_found_path(),
    };
    let Some(kind) = inner
        .opts
        .kinds
        .iter()
        .find(|k| k.group == group && k.version == version && k.plural == plural)
        .cloned()
    else {
        return not_found_path();
    };
    let verb = match (&method, name) {
        (&Method::GET, Some(_)) => "get",
        (&Method::GET, None) => "list",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, _) => "delete",
        _ => {
            return status(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!("{method} is not supported by this stand-in"),
                json!({}),
            )
        }
    };
    if inner
        .opts
        .forbidden
        .iter()
        .any(|(v, p)| v == verb && p == plural)
    {
        let scope = ns.map_or(String::new(), |n| format!(" in the namespace \"{n}\""));
        let who = name.map_or(String::new(), |n| format!(" \"{n}\""));
        return status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "{}{who} is forbidden: User \"system:serviceaccount:ci:deployer\" cannot {verb} \
resource \"{plural}\" in API group \"{group}\"{scope}",
                kind.qualified()
            ),
            json!({"name": name, "group": group, "kind": plural}),
        );
    }
    let ns_key = ns.unwrap_or("").to_string();
    let not_found = |name: &str| {
        status(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{} \"{name}\" not found", kind.qualified()),
            json!({"name": name, "group": group, "kind": plural}),
        )
    };
    let dry_run = query.get("dryRun").is_some_and(|v| v == "All");
    match (verb, name) {
        ("get", Some(name)) => {
            let key = (group.clone(), plural.to_string(), ns_key, name.to_string());
            match inner.read(&key) {
                Some(o) => Json(o).into_response(),
                None => not_found(name),
            }
        }
        ("list", _) => {
            let keys: Vec<_> = inner
                .objects
                .keys()
                .filter(|(g, p, n, _)| *g == group && p == plural && ns.is_none_or(|ns| n == ns))
                .cloned()
                .collect();
            let items: Vec<Value> = keys
                .iter()
                .filter_map(|k| inner.read(k))
                .filter(|o| label_selector_matches(o, query.get("labelSelector")))
                .collect();
            Json(
                json!({"apiVersion": kind.api_version(), "kind": format!("{}List", kind.kind),
                        "metadata": {"resourceVersion": inner.revision.to_string()},
                        "items": items}),
            )
            .into_response()
        }
        ("delete", Some(name)) => {
            let key = (group.clone(), plural.to_string(), ns_key, name.to_string());
            let Some(s) = inner.objects.get(&key) else {
                return not_found(name);
            };
            let object = s.object.clone();
            if !dry_run {
                inner.objects.remove(&key);
            }
            Json(object).into_response()
        }
        ("patch", Some(name)) => {
            let content_type = headers
                .get("content-type")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            if content_type != "application/apply-patch+yaml" {
                return status(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    format!("this stand-in only takes server-side apply, not {content_type}"),
                    json!({}),
                );
            }
            let Some(manager) = query.get("fieldManager").cloned() else {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "PATCH, application/apply-patch+yaml: fieldManager is required".into(),
                    json!({}),
                );
            };
            let applied: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    return status(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("error decoding the patch: {e}"),
                        json!({}),
                    )
                }
            };
            let force = query.get("force").is_some_and(|v| v == "true");
            match inner.apply(
                &kind,
                ns.unwrap_or(""),
                name,
                applied,
                &manager,
                force,
                dry_run,
            ) {
                Ok((code, o)) | Err((code, o)) => (code, Json(o)).into_response(),
            }
        }
        _ => not_found_path(),
    }
}
