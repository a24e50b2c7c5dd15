//! What applying would change, per object: live state against the server's dry-run result of
//! the apply (so defaults and other managers' fields show as the API server would leave them).

use kube::api::{Patch, PatchParams};
use serde_json::Value;

use super::{strip_server_fields, Cluster, Error, Planned, FIELD_MANAGER};

/// How one object would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Not in the cluster: the whole object is new (its YAML).
    New(String),
    /// A unified diff of the YAML, live (`-`) to applied (`+`).
    Changed(String),
    Unchanged,
}

fn yaml(mut v: Value) -> String {
    strip_server_fields(&mut v);
    knflow_model::yaml::to_yaml(&v)
}

impl Cluster {
    pub async fn diff(&self, p: &Planned) -> Result<Change, Error> {
        let api = self.api(&p.resource, p.namespace.as_deref());
        let live = api
            .get_opt(&p.name)
            .await
            .map_err(|e| self.error(e, "get", &p.what()))?;
        let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
        let after = api
            .patch(&p.name, &params, &Patch::Apply(&p.manifest))
            .await
            .map_err(|e| self.error(e, "patch (dry run)", &p.what()))?;
        let after = yaml(serde_json::to_value(after).unwrap_or_default());
        let Some(live) = live else {
            return Ok(Change::New(after));
        };
        let live = yaml(serde_json::to_value(live).unwrap_or_default());
        if live == after {
            return Ok(Change::Unchanged);
        }
        let label = p.label();
        let diff = similar::TextDiff::from_lines(&live, &after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("live/{label}"), &format!("flow/{label}"))
            .to_string();
        Ok(Change::Changed(diff))
    }
}
