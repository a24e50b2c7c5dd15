//! Rules about changing a resource that already exists: fields Knative does not allow to change.

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::resource::Resource;

/// Fields that cannot change after creation, per kind.
fn immutable_fields(group: &str, kind: &str) -> &'static [&'static str] {
    match (group, kind) {
        ("eventing.knative.dev", "Trigger") => &["/spec/broker", "/spec/brokerRef"],
        ("eventing.knative.dev", "Broker") => {
            &["/metadata/annotations/eventing.knative.dev~1broker.class"]
        }
        ("messaging.knative.dev", "Subscription") => &["/spec/channel"],
        ("messaging.knative.dev", "Channel") => &["/spec/channelTemplate"],
        _ => &[],
    }
}

/// Compares a resource with the version that exists (e.g. in the cluster or the last saved file)
/// and reports the immutable fields that changed.
pub fn check_update(old: &Resource, new: &Resource) -> Vec<Diagnostic> {
    immutable_fields(new.group(), &new.id.kind)
        .iter()
        .filter_map(|ptr| {
            let before = old.manifest.pointer(ptr).unwrap_or(&Value::Null);
            let after = new.manifest.pointer(ptr).unwrap_or(&Value::Null);
            (before != after).then(|| {
                let path: String = ptr
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/"))
                    .map(|s| crate::yaml::child_key("", &s))
                    .collect();
                Diagnostic::error(
                    "immutable-field",
                    format!(
                        "`{path}` cannot change once created ({} → {}); delete and recreate {}",
                        before, after, new.id
                    ),
                )
                .at(path)
                .on(&new.id)
            })
        })
        .collect()
}
