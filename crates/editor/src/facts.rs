//! What a node shows besides its name: an icon, its palette group, and the one fact that
//! matters most for its kind (a trigger's filter, a source's schedule, …).

use knflow_model::kinds::Category;
use knflow_model::Resource;
use serde_json::Value;

/// A glyph per kind; every kind of the palette has its own.
pub fn icon_of(kind: &str) -> &'static str {
    match kind {
        "Broker" => "⇶",
        "Trigger" => "⊳",
        "Channel" => "≋",
        "InMemoryChannel" => "≈",
        "Subscription" => "↳",
        "Sequence" => "⋯",
        "Parallel" => "∥",
        "PingSource" => "◷",
        "ApiServerSource" => "☸",
        "ContainerSource" => "▣",
        "SinkBinding" => "∞",
        "JobSink" => "⚙",
        "EventType" => "#",
        "Service" => "λ",
        "KafkaSource" => "▧",
        "KafkaSink" => "⤓",
        "KafkaChannel" => "≣",
        "RabbitmqSource" => "◫",
        "RabbitmqBrokerConfig" => "⚙",
        "NatsJetStreamChannel" => "≊",
        "GitHubSource" | "GitLabSource" => "⎇",
        "GitLabBinding" => "▤",
        "RedisStreamSource" | "RedisStreamSink" => "◈",
        "AwsSqsSource" => "☁",
        "CephSource" => "⬡",
        "CouchDbSource" => "⛁",
        "VSphereSource" => "▦",
        "IntegrationSource" => "⇥",
        "IntegrationSink" => "⇤",
        _ => "□",
    }
}

/// The palette group of a kind: Sources, Routing, Flows, Sinks or Registry.
pub fn category_name(c: Category) -> &'static str {
    match c {
        Category::Sources => "Sources",
        Category::Routing => "Routing",
        Category::Flows => "Flows",
        Category::Sinks => "Sinks",
        Category::Registry => "Registry",
        Category::Config => "Configuration",
    }
}

/// The palette group of a resource (Other for objects knflow keeps opaque).
pub fn category_of(r: &Resource) -> &'static str {
    r.info.map_or("Other", |i| category_name(i.category))
}

fn filter_summary(v: &Value) -> String {
    let Some(o) = v.as_object() else {
        return String::new();
    };
    let attrs = |m: &Value| -> String {
        m.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let parts: Vec<String> = o
        .iter()
        .map(|(dialect, body)| match dialect.as_str() {
            "cesql" => body.as_str().unwrap_or_default().to_string(),
            "exact" => attrs(body),
            "prefix" => format!("prefix {}", attrs(body)),
            "suffix" => format!("suffix {}", attrs(body)),
            "not" => format!("not({})", filter_summary(body)),
            "all" | "any" => format!(
                "{dialect}({})",
                body.as_array()
                    .map(|a| a.iter().map(filter_summary).collect::<Vec<_>>().join("; "))
                    .unwrap_or_default()
            ),
            other => other.to_string(),
        })
        .collect();
    parts.join(" ")
}

/// A string or a list of strings, comma-separated.
fn strings(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => "?".into(),
    }
}

/// One line of the node's most telling setting, shortened for the canvas.
pub fn facts(r: &Resource) -> String {
    let m = &r.manifest;
    let spec = &m["spec"];
    let text = match r.id.kind.as_str() {
        "Trigger" => {
            if let Some(fs) = spec["filters"].as_array().filter(|a| !a.is_empty()) {
                fs.iter()
                    .map(filter_summary)
                    .collect::<Vec<_>>()
                    .join(" AND ")
            } else if let Some(a) = spec["filter"]["attributes"].as_object() {
                a.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                "all events".into()
            }
        }
        "PingSource" => {
            let tz = spec["timezone"]
                .as_str()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            format!("{}{tz}", spec["schedule"].as_str().unwrap_or("no schedule"))
        }
        "Broker" => m["metadata"]["annotations"]["eventing.knative.dev/broker.class"]
            .as_str()
            .unwrap_or("MTChannelBasedBroker")
            .to_string(),
        "Sequence" => format!("{} steps", spec["steps"].as_array().map_or(0, Vec::len)),
        "Parallel" => format!(
            "{} branches",
            spec["branches"].as_array().map_or(0, Vec::len)
        ),
        "ApiServerSource" => format!(
            "{} mode, {} resources",
            spec["mode"].as_str().unwrap_or("Reference"),
            spec["resources"].as_array().map_or(0, Vec::len)
        ),
        "EventType" => spec["type"].as_str().unwrap_or_default().to_string(),
        "Service" => spec["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .or_else(|| {
                spec["ports"][0]["port"]
                    .as_u64()
                    .map(|_| "Kubernetes Service")
            })
            .unwrap_or_default()
            .to_string(),
        // The extension kinds: where their events come from or go to.
        "KafkaSink" => format!("topic {}", spec["topic"].as_str().unwrap_or("?")),
        "KafkaSource" => format!("topics {}", strings(&spec["topics"])),
        "KafkaChannel" => match spec["numPartitions"].as_i64() {
            Some(n) => format!("{n} partitions"),
            None => r.api_version().to_string(),
        },
        "RabbitmqSource" => format!(
            "queue {}",
            spec["rabbitmqResourcesConfig"]["queueName"]
                .as_str()
                .unwrap_or("?")
        ),
        "GitHubSource" => spec["ownerAndRepository"].as_str().unwrap_or("?").into(),
        "GitLabSource" => spec["projectUrl"].as_str().unwrap_or("?").into(),
        "RedisStreamSource" | "RedisStreamSink" => {
            format!("stream {}", spec["stream"].as_str().unwrap_or("?"))
        }
        "AwsSqsSource" => spec["queueUrl"].as_str().unwrap_or("?").into(),
        "CouchDbSource" => format!("database {}", spec["database"].as_str().unwrap_or("?")),
        "VSphereSource" => spec["address"].as_str().unwrap_or("?").into(),
        "IntegrationSource" | "IntegrationSink" => spec
            .as_object()
            .and_then(|o| {
                ["timer", "log", "aws"]
                    .into_iter()
                    .find(|k| o.contains_key(*k))
            })
            .map_or_else(|| r.api_version().to_string(), str::to_string),
        _ => r.api_version().to_string(),
    };
    text
}

/// `text` in at most `max` characters, shortened from the side that tells values apart: the
/// end of a path, URL or image (`…/event_display`, not `gcr.io/knative-releases/…`), the
/// start of anything else.
pub fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max || max < 2 {
        return text.to_string();
    }
    let path_like = !text.contains(char::is_whitespace) && text.contains('/');
    if path_like {
        // The last segments that fit, after an ellipsis and a slash.
        let mut tail = String::new();
        for seg in text.rsplit('/') {
            let next = if tail.is_empty() {
                seg.to_string()
            } else {
                format!("{seg}/{tail}")
            };
            if next.chars().count() + 2 > max {
                break;
            }
            tail = next;
        }
        if !tail.is_empty() {
            return format!("…/{tail}");
        }
        let end: String = text.chars().skip(n - (max - 1)).collect();
        return format!("…{end}");
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_values_keep_the_part_that_differs() {
        assert_eq!(
            shorten(
                "gcr.io/knative-releases/knative.dev/eventing/cmd/event_display",
                26
            ),
            "…/cmd/event_display"
        );
        assert_eq!(shorten("short", 26), "short");
        assert_eq!(
            shorten("type = 'order.paid' AND amount > 100", 20),
            "type = 'order.paid'…"
        );
        // A single long segment keeps its end.
        assert_eq!(shorten("a/averyveryverylongimagename", 10), "…imagename");
    }
}
