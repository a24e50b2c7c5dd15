//! Waiting for applied objects to become Ready, by reading their `status.conditions` until
//! each reports `Ready=True` for its current generation.

use std::time::Duration;

use serde_json::Value;

use super::{Cluster, Planned};

/// Where one object stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Kinds without conditions (ConfigMap, Service, …) are ready once they exist.
    NoConditions,
    /// Not Ready (yet): the Ready condition, or the first failing one, with its reason and
    /// message; or why it could not be read.
    NotReady {
        reason: String,
        message: String,
    },
}

/// One round of polling, for a progress display.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub ready: usize,
    pub total: usize,
    /// `Kind/name` and state of each object not ready yet.
    pub waiting: Vec<(String, &'a Readiness)>,
}

fn readiness(o: &Value) -> Readiness {
    let Some(conditions) = o.pointer("/status/conditions").and_then(Value::as_array) else {
        return if o.pointer("/metadata/namespace").is_some()
            && o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.contains("knative.dev"))
        {
            Readiness::NotReady {
                reason: "NoStatus".into(),
                message: "no status yet (is the controller running?)".into(),
            }
        } else {
            Readiness::NoConditions
        };
    };
    let generation = o.pointer("/metadata/generation").and_then(Value::as_i64);
    let observed = o
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    if let (Some(g), Some(seen)) = (generation, observed) {
        if seen < g {
            return Readiness::NotReady {
                reason: "Outdated".into(),
                message: format!("the controller has seen generation {seen} of {g}"),
            };
        }
    }
    let field = |c: &Value, k: &str| c[k].as_str().unwrap_or_default().to_string();
    let ready = conditions
        .iter()
        .find(|c| c["type"] == "Ready" || c["type"] == "Succeeded");
    match ready {
        Some(c) if c["status"] == "True" => Readiness::Ready,
        Some(c) => {
            // A failing dependent condition often says more than Ready's summary.
            let failing = conditions
                .iter()
                .find(|d| d["status"] == "False" && d["type"] != c["type"])
                .unwrap_or(c);
            Readiness::NotReady {
                reason: format!(
                    "{}={}: {}",
                    field(failing, "type"),
                    field(failing, "status"),
                    field(failing, "reason")
                ),
                message: field(failing, "message"),
            }
        }
        None => Readiness::NotReady {
            reason: "NoReadyCondition".into(),
            message: "status has no Ready condition yet".into(),
        },
    }
}

impl Cluster {
    /// Polls every object until all are ready or `timeout` passes; `progress` is called after
    /// each round. Returns each object's last state, in the order given.
    pub async fn wait(
        &self,
        objects: &[Planned],
        timeout: Duration,
        poll: Duration,
        mut progress: impl FnMut(&Progress<'_>),
    ) -> Vec<Readiness> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut states: Vec<Readiness> = objects
            .iter()
            .map(|_| Readiness::NotReady {
                reason: "NotRead".into(),
                message: "not read yet".into(),
            })
            .collect();
        loop {
            for (p, state) in objects.iter().zip(states.iter_mut()) {
                if matches!(state, Readiness::Ready | Readiness::NoConditions) {
                    continue;
                }
                let api = self.api(&p.resource, p.namespace.as_deref());
                *state = match api.get_opt(&p.name).await {
                    Ok(Some(o)) => readiness(&serde_json::to_value(o).unwrap_or_default()),
                    Ok(None) => Readiness::NotReady {
                        reason: "NotFound".into(),
                        message: "the object does not exist".into(),
                    },
                    Err(e) => Readiness::NotReady {
                        reason: "ReadFailed".into(),
                        message: self.error(e, "get", &p.what()).0,
                    },
                };
            }
            let waiting: Vec<(String, &Readiness)> = objects
                .iter()
                .zip(&states)
                .filter(|(_, s)| matches!(s, Readiness::NotReady { .. }))
                .map(|(p, s)| (p.label(), s))
                .collect();
            let done = waiting.is_empty();
            progress(&Progress {
                ready: objects.len() - waiting.len(),
                total: objects.len(),
                waiting,
            });
            if done || tokio::time::Instant::now() + poll > deadline {
                return states;
            }
            tokio::time::sleep(poll).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ready_needs_the_current_generation() {
        let o = json!({"apiVersion": "eventing.knative.dev/v1", "metadata": {"namespace": "a", "generation": 2},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}});
        assert!(
            matches!(readiness(&o), Readiness::NotReady { reason, .. } if reason == "Outdated")
        );
    }

    #[test]
    fn a_failing_dependent_condition_is_reported() {
        let o = json!({"apiVersion": "eventing.knative.dev/v1", "metadata": {"namespace": "a"},
            "status": {"conditions": [
                {"type": "Ready", "status": "False", "reason": "BrokerDoesNotExist", "message": "m"},
                {"type": "SubscriberResolved", "status": "False", "reason": "Unresolved", "message": "no svc"}]}});
        assert_eq!(
            readiness(&o),
            Readiness::NotReady {
                reason: "SubscriberResolved=False: Unresolved".into(),
                message: "no svc".into()
            }
        );
    }

    #[test]
    fn kinds_without_conditions_are_ready_once_they_exist() {
        assert_eq!(
            readiness(&json!({"apiVersion": "v1", "metadata": {"namespace": "a"}})),
            Readiness::NoConditions
        );
        let k = json!({"apiVersion": "eventing.knative.dev/v1", "metadata": {"namespace": "a"}});
        assert!(matches!(readiness(&k), Readiness::NotReady { .. }));
    }
}
