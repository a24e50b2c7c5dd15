//! A live cluster through kube-rs: connect with the standard kubeconfig resolution, find the API
//! resources a flow needs (and say which CRDs are missing), then apply, diff, prune, wait, read.
//!
//! Every message this module returns has the kubeconfig's credentials scrubbed out.

mod apply;
mod diff;
mod error;
mod read;
mod wait;

use std::collections::HashMap;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use kube::{Api, Client, Config};
use serde_json::Value;

pub use apply::{ApplyError, Conflict, Outcome};
pub use diff::Change;
pub use error::Error;
pub use wait::{Progress, Readiness};

use error::{describe, Secrets};

/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "kn-flow";
/// The label that ties an applied object to its flow, so `--prune` finds leftovers.
pub const FLOW_LABEL: &str = "knflow.dev/flow";

/// Which cluster: a kubeconfig context (default: the current one) and a namespace (default: the
/// context's, else `default`).
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// How the cluster serves a kind.
type Served = (ApiResource, ApiCapabilities);

/// A connection to a cluster.
pub struct Cluster {
    client: Client,
    namespace: String,
    url: String,
    secrets: Secrets,
    /// Discovery results by (apiVersion, kind); None = not served.
    kinds: tokio::sync::Mutex<HashMap<(String, String), Option<Served>>>,
}

/// One object of a flow, ready to apply: the manifest with its namespace and flow label set,
/// and the API resource it goes to.
#[derive(Debug, Clone)]
pub struct Planned {
    pub manifest: Value,
    pub namespace: Option<String>,
    pub name: String,
    resource: ApiResource,
}

impl Planned {
    /// `Kind/name` as knflow names resources.
    pub fn label(&self) -> String {
        format!("{}/{}", self.resource.kind, self.name)
    }

    fn what(&self) -> String {
        what(&self.resource, self.namespace.as_deref(), Some(&self.name))
    }
}

/// `triggers.eventing.knative.dev "paid" in namespace "shop"`, as the API server names objects.
fn what(r: &ApiResource, namespace: Option<&str>, name: Option<&str>) -> String {
    let mut s = if r.group.is_empty() {
        r.plural.clone()
    } else {
        format!("{}.{}", r.plural, r.group)
    };
    if let Some(n) = name {
        s.push_str(&format!(" \"{n}\""));
    }
    if let Some(ns) = namespace {
        s.push_str(&format!(" in namespace \"{ns}\""));
    }
    s
}

/// Which product installs the CRDs of an API group.
fn installed_by(group: &str) -> &'static str {
    match group {
        "eventing.knative.dev"
        | "messaging.knative.dev"
        | "flows.knative.dev"
        | "sources.knative.dev"
        | "sinks.knative.dev" => "Knative Eventing",
        "serving.knative.dev" => "Knative Serving",
        _ => "its CRD",
    }
}

/// Credential values of every user in the kubeconfig (tokens, passwords, client keys).
fn kubeconfig_secrets() -> Secrets {
    let mut values = Vec::new();
    if let Ok(kc) = Kubeconfig::read() {
        for auth in kc.auth_infos.iter().filter_map(|a| a.auth_info.as_ref()) {
            if let Ok(Value::Object(m)) = serde_json::to_value(auth) {
                for key in [
                    "token",
                    "password",
                    "client-key-data",
                    "client-certificate-data",
                ] {
                    if let Some(Value::String(s)) = m.get(key) {
                        values.push(s.clone());
                    }
                }
            }
            if let Some(Ok(t)) = auth.token_file.as_ref().map(std::fs::read_to_string) {
                values.push(t.trim().to_string());
            }
        }
    }
    Secrets::new(values)
}

/// A kubeconfig context, as a picker shows it (names only: no server credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub cluster: String,
    pub namespace: Option<String>,
}

/// Why the kubeconfig kubectl would use cannot be read, said once (kube-rs quotes the path
/// twice) and with what to do about it.
fn kubeconfig_problem(e: KubeconfigError) -> Error {
    let from_env = std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty());
    Error(match e {
        KubeconfigError::ReadConfig(io, path) if io.kind() == std::io::ErrorKind::NotFound => {
            if from_env {
                format!(
                    "no kubeconfig: KUBECONFIG names {}, which does not exist. Point KUBECONFIG \
                     at your kubeconfig file and start again.",
                    path.display()
                )
            } else {
                format!(
                    "no kubeconfig: {} does not exist. Your cluster's tools write one there \
                     (kind create cluster, gcloud container clusters get-credentials, …); or \
                     start with KUBECONFIG pointing at your kubeconfig file, e.g. \
                     KUBECONFIG=$HOME/cluster.yaml.",
                    path.display()
                )
            }
        }
        KubeconfigError::ReadConfig(io, path) => {
            format!("cannot read the kubeconfig {}: {io}", path.display())
        }
        KubeconfigError::FindPath => "no kubeconfig: neither KUBECONFIG nor a home folder is \
            set. Start with KUBECONFIG pointing at your kubeconfig file."
            .to_string(),
        other => format!("the kubeconfig cannot be used: {other}"),
    })
}

/// The contexts of the kubeconfig kubectl would use, and the current one.
pub fn contexts() -> Result<(Vec<Context>, Option<String>), Error> {
    let kc = Kubeconfig::read().map_err(kubeconfig_problem)?;
    let list = kc
        .contexts
        .iter()
        .map(|c| Context {
            name: c.name.clone(),
            cluster: c
                .context
                .as_ref()
                .map(|x| x.cluster.clone())
                .unwrap_or_default(),
            namespace: c.context.as_ref().and_then(|x| x.namespace.clone()),
        })
        .collect();
    Ok((list, kc.current_context))
}

impl Cluster {
    /// Connects the way kubectl does: `KUBECONFIG` (or `~/.kube/config`) with its current or the
    /// given context, else the in-cluster service account.
    pub async fn connect(target: &Target) -> Result<Cluster, Error> {
        let secrets = kubeconfig_secrets();
        let in_pod = std::env::var_os("KUBERNETES_SERVICE_HOST").is_some();
        let config = match &target.context {
            // In a cluster's pod without a context asked for: its service account, as kubectl.
            None if in_pod => Config::infer().await.map_err(|e| {
                format!("no cluster configured (KUBECONFIG, ~/.kube/config, in-cluster): {e}")
            }),
            // Elsewhere only a kubeconfig can say where the cluster is: read once, its
            // problems said as `contexts` says them.
            context => {
                let kc = Kubeconfig::read().map_err(kubeconfig_problem)?;
                let options = KubeConfigOptions {
                    context: context.clone(),
                    ..Default::default()
                };
                Config::from_custom_kubeconfig(kc, &options)
                    .await
                    .map_err(|e| match context {
                        Some(c) => format!("kubeconfig, context \"{c}\": {e}"),
                        None => format!("kubeconfig: {e}"),
                    })
            }
        }
        .map_err(|m| Error(secrets.scrub(&m)))?;
        let namespace = target
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let url = config.cluster_url.to_string();
        let client = Client::try_from(config)
            .map_err(|e| Error(secrets.scrub(&format!("cannot set up the client: {e}"))))?;
        Ok(Cluster {
            client,
            namespace,
            url: url.trim_end_matches('/').to_string(),
            secrets,
            kinds: Default::default(),
        })
    }

    /// Whether the API server answers and takes the credentials (discovery's core versions,
    /// which every authenticated user may read).
    pub async fn check(&self) -> Result<(), Error> {
        self.client
            .list_core_api_versions()
            .await
            .map(|_| ())
            .map_err(|e| self.error(e, "read", "the API versions"))
    }

    /// The namespace objects without one go to.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn error(&self, e: kube::Error, verb: &str, what: &str) -> Error {
        Error(self.secrets.scrub(&describe(e, verb, what, &self.url)))
    }

    /// The API resource of a kind, through discovery; `None` when the cluster does not serve it.
    async fn resource(&self, api_version: &str, kind: &str) -> Result<Option<Served>, Error> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(found) = self.kinds.lock().await.get(&key) {
            return Ok(found.clone());
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = kube::core::GroupVersionKind::gvk(group, version, kind);
        let found = match kube::discovery::pinned_kind(&self.client, &gvk).await {
            Ok(found) => Some(found),
            Err(kube::Error::Api(s)) if s.code == 404 => None,
            Err(kube::Error::Discovery(_)) => None,
            Err(e) => return Err(self.error(e, "discover", &format!("API {api_version}"))),
        };
        self.kinds.lock().await.insert(key, found.clone());
        Ok(found)
    }

    fn api(
        &self,
        resource: &ApiResource,
        namespace: Option<&str>,
    ) -> Api<kube::api::DynamicObject> {
        match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, resource),
            None => Api::all_with(self.client.clone(), resource),
        }
    }

    /// Resolves every manifest's kind, sets namespaces (`namespace` overrides, else the
    /// manifest's, else the cluster's) and the flow label. Kinds the cluster does not serve are
    /// all reported in one error, with what installs them.
    pub async fn plan(
        &self,
        manifests: Vec<Value>,
        flow_name: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<Planned>, Error> {
        let mut planned = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for mut m in manifests {
            let api_version = m["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = m["kind"].as_str().unwrap_or_default().to_string();
            let Some((resource, caps)) = self.resource(&api_version, &kind).await? else {
                let (group, _) = api_version.rsplit_once('/').unwrap_or(("", ""));
                let line = format!("{kind} ({api_version}): install {}", installed_by(group));
                if !missing.contains(&line) {
                    missing.push(line);
                }
                continue;
            };
            let name = m["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let ns = match caps.scope {
                Scope::Namespaced => Some(
                    namespace
                        .or_else(|| m["metadata"]["namespace"].as_str())
                        .unwrap_or(&self.namespace)
                        .to_string(),
                ),
                Scope::Cluster => None,
            };
            match &ns {
                Some(ns) => m["metadata"]["namespace"] = Value::String(ns.clone()),
                None => {
                    if let Some(meta) = m["metadata"].as_object_mut() {
                        meta.shift_remove("namespace");
                    }
                }
            }
            m["metadata"]["labels"][FLOW_LABEL] = Value::String(flow_name.to_string());
            planned.push(Planned {
                manifest: m,
                namespace: ns,
                name,
                resource,
            });
        }
        if missing.is_empty() {
            Ok(planned)
        } else {
            Err(Error(format!(
                "the cluster at {} does not serve these kinds (CRDs not installed):\n  {}",
                self.url,
                missing.join("\n  ")
            )))
        }
    }

    /// Every object of a cluster-scoped kind; `what` names the kind in the error when the
    /// cluster does not serve it.
    async fn list_cluster_scoped(
        &self,
        api_version: &str,
        kind: &str,
        what_kind: &str,
    ) -> Result<Vec<kube::api::DynamicObject>, Error> {
        let Some((r, _)) = self.resource(api_version, kind).await? else {
            return Err(Error(format!(
                "the cluster at {} does not serve {what_kind}",
                self.url
            )));
        };
        let list = self
            .api(&r, None)
            .list(&Default::default())
            .await
            .map_err(|e| self.error(e, "list", &what(&r, None, None)))?;
        Ok(list.items)
    }

    /// The names of the cluster's namespaces, sorted.
    pub async fn namespaces(&self) -> Result<Vec<String>, Error> {
        let items = self
            .list_cluster_scoped("v1", "Namespace", "namespaces")
            .await?;
        let mut names: Vec<String> = items.into_iter().filter_map(|o| o.metadata.name).collect();
        names.sort();
        Ok(names)
    }

    /// Every CustomResourceDefinition installed, as manifests.
    pub async fn crds(&self) -> Result<Vec<Value>, Error> {
        let items = self
            .list_cluster_scoped(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "CustomResourceDefinitions",
            )
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|o| serde_json::to_value(o).ok())
            .collect())
    }
}

/// Fields the server owns, removed before showing or importing an object.
pub(crate) fn strip_server_fields(v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        o.shift_remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in crate::export::SERVER_METADATA {
            meta.shift_remove(*f);
        }
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.shift_remove("kubectl.kubernetes.io/last-applied-configuration");
            if a.is_empty() {
                meta.shift_remove("annotations");
            }
        }
    }
}
