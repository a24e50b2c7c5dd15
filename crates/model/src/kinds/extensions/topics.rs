//! Kafka topic links: what a KafkaSink writes to its topic, every KafkaSource reading that topic
//! from the same cluster (a bootstrap server in common) reads. Not a reference any object holds,
//! so it is no edge of the graph; the data plane forwards along it and the canvas draws it as a
//! dash-dot "topic" wire from the sink to the source.

use serde_json::Value;

use crate::flow::Flow;
use crate::resource::Resource;

/// The strings of a field that is one string or a list of them.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Does `sink` (a KafkaSink) write what `source` (a KafkaSource) reads?
fn linked(sink: &Resource, source: &Resource) -> bool {
    let (s, k) = (&sink.manifest["spec"], &source.manifest["spec"]);
    let reads = strings(&k["topics"]);
    let servers = strings(&k["bootstrapServers"]);
    strings(&s["topic"]).iter().any(|t| reads.contains(t))
        && strings(&s["bootstrapServers"])
            .iter()
            .any(|b| servers.contains(b))
}

/// Every (KafkaSink, KafkaSource) pair of `flow` joined by a topic, sinks in file order and the
/// sources of each in file order.
pub fn topic_links(flow: &Flow) -> Vec<(&Resource, &Resource)> {
    let of = |kind: &'static str| flow.resources().filter(move |r| r.id.kind == kind);
    of("KafkaSink")
        .flat_map(|sink| {
            of("KafkaSource")
                .filter(move |source| linked(sink, source))
                .map(move |source| (sink, source))
        })
        .collect()
}
