//! Server-side apply with field manager `kn-flow`, and pruning of what a flow no longer has.

use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use serde_json::Value;

use super::{what, Cluster, Error, Planned, FIELD_MANAGER, FLOW_LABEL};

/// What applying did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Configured,
    Unchanged,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Configured => "configured",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// `.spec.broker`
    pub field: String,
    /// The manager that owns it, e.g. `kubectl-client-side-apply`.
    pub manager: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// Fields owned by other managers; `--force-conflicts` takes them over.
    Conflicts(Vec<Conflict>),
    Other(Error),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Conflicts(cs) => {
                let fields: Vec<String> = cs
                    .iter()
                    .map(|c| format!("{} (owned by \"{}\")", c.field, c.manager))
                    .collect();
                write!(
                    f,
                    "conflict: {}; use --force-conflicts to take them over",
                    fields.join(", ")
                )
            }
            ApplyError::Other(e) => e.fmt(f),
        }
    }
}

/// The manager named in a cause like `conflict with "kubectl" using eventing.knative.dev/v1`.
fn manager_of(message: &str) -> String {
    message
        .split('"')
        .nth(1)
        .unwrap_or("another field manager")
        .to_string()
}

fn resource_version(v: &Value) -> Option<&str> {
    v.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
}

impl Cluster {
    /// Server-side applies one object (with the API server's strict field validation).
    pub async fn apply(
        &self,
        p: &Planned,
        force: bool,
        dry_run: bool,
    ) -> Result<Outcome, ApplyError> {
        let api = self.api(&p.resource, p.namespace.as_deref());
        let before = api
            .get_opt(&p.name)
            .await
            .map_err(|e| ApplyError::Other(self.error(e, "get", &p.what())))?;
        let mut params = PatchParams::apply(FIELD_MANAGER).validation_strict();
        if force {
            params = params.force();
        }
        if dry_run {
            params = params.dry_run();
        }
        let after = match api
            .patch(&p.name, &params, &Patch::Apply(&p.manifest))
            .await
        {
            Ok(o) => o,
            Err(kube::Error::Api(s)) if s.code == 409 => {
                let conflicts = s
                    .details
                    .as_ref()
                    .map(|d| {
                        d.causes
                            .iter()
                            .map(|c| Conflict {
                                field: c.field.clone(),
                                manager: manager_of(&c.message),
                            })
                            .collect::<Vec<_>>()
                    })
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| {
                        vec![Conflict {
                            field: "(unknown field)".into(),
                            manager: manager_of(&s.message),
                        }]
                    });
                return Err(ApplyError::Conflicts(conflicts));
            }
            Err(e) => return Err(ApplyError::Other(self.error(e, "patch", &p.what()))),
        };
        Ok(match before {
            None => Outcome::Created,
            Some(b) => {
                let b = serde_json::to_value(b).unwrap_or_default();
                let a = serde_json::to_value(after).unwrap_or_default();
                if resource_version(&b) == resource_version(&a) {
                    Outcome::Unchanged
                } else {
                    Outcome::Configured
                }
            }
        })
    }

    /// Deletes objects labelled with this flow that are not in `keep`, among every kind the
    /// flow has and every Knative kind knflow models. Returns `Kind/name` of each deleted one.
    pub async fn prune(
        &self,
        flow_name: &str,
        keep: &[Planned],
        dry_run: bool,
    ) -> Result<Vec<String>, Error> {
        let mut kinds: Vec<(String, String)> = keep
            .iter()
            .map(|p| (p.resource.api_version.clone(), p.resource.kind.clone()))
            .collect();
        for k in knflow_model::kinds::KINDS {
            kinds.push((k.api_version(), k.kind.to_string()));
        }
        kinds.sort();
        kinds.dedup();
        let selector = format!("{FLOW_LABEL}={flow_name}");
        let mut deleted = Vec::new();
        for (api_version, kind) in kinds {
            let Some((r, caps)) = self.resource(&api_version, &kind).await? else {
                continue;
            };
            let ns = match caps.scope {
                kube::discovery::Scope::Namespaced => Some(self.namespace.as_str()),
                kube::discovery::Scope::Cluster => None,
            };
            let api = self.api(&r, ns);
            let list = api
                .list(&ListParams::default().labels(&selector))
                .await
                .map_err(|e| self.error(e, "list", &what(&r, ns, None)))?;
            for o in list.items {
                let Some(name) = o.metadata.name.clone() else {
                    continue;
                };
                let kept = keep.iter().any(|p| {
                    p.resource.kind == r.kind && p.resource.group == r.group && p.name == name
                });
                if kept {
                    continue;
                }
                let params = if dry_run {
                    DeleteParams::default().dry_run()
                } else {
                    DeleteParams::default()
                };
                api.delete(&name, &params)
                    .await
                    .map_err(|e| self.error(e, "delete", &what(&r, ns, Some(&name))))?;
                deleted.push(format!("{}/{name}", r.kind));
            }
        }
        Ok(deleted)
    }
}
