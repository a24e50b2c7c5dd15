//! The extension projects' sources: the CloudEvents each upstream adapter builds.

use super::*;
use knflow_dataplane::emits::{
    gitlab_headers, gitlab_type, integration_connector, spec_str, spec_strs, url_host, vcenter_url,
    HORIZON_EVENTS, VSPHERE_EVENTS,
};

const VSPHERE_API_VERSION: &str = "8.0.2.0";

/// A field the events' attributes are made from, or why there is no event.
fn required<'a>(r: &'a Resource, pointer: &str) -> Result<&'a str, String> {
    spec_str(r, pointer).ok_or_else(|| {
        format!(
            "{}: spec{} is not set, and the {}'s events are made from it",
            r.id,
            pointer.replace('/', "."),
            r.id.kind
        )
    })
}

/// The host of a CouchDbSource's database: the `url` of its credentials Secret when the flow
/// holds that Secret (`stringData` or base64 `data`); otherwise a placeholder, since the URL
/// lives only in the Secret and the spec names just the database.
fn couchdb_host(flow: &Flow, r: &Resource, ns: &str) -> String {
    const PLACEHOLDER: &str = "couchdb.example.com";
    let Some(secret) = spec_str(r, "/credentials/name") else {
        return PLACEHOLDER.into();
    };
    let secret_ns = spec_str(r, "/credentials/namespace").unwrap_or(ns);
    let url = flow
        .resources()
        .filter(|s| s.id.kind == "Secret" && s.name() == secret)
        .filter(|s| flow.namespace_of(s).unwrap_or("default") == secret_ns)
        .find_map(|s| {
            let m = &s.manifest;
            m.pointer("/stringData/url")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .or_else(|| {
                    let b = m.pointer("/data/url")?.as_str()?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b.trim())
                        .ok()?;
                    String::from_utf8(bytes).ok()
                })
        });
    match url.as_deref().map(url_host) {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => PLACEHOLDER.into(),
    }
}

/// What an extension source sends on its own: one event at time 0 per type it emits (one per
/// GitHub/GitLab `eventTypes` entry in order; a CouchDB update then a delete of the same
/// document), an IntegrationSource's timer on its period; each with the source's ceOverrides.
/// Types, sources, ids and subjects follow each upstream adapter.
pub(super) fn extension_emissions(
    flow: &Flow,
    r: &Resource,
    x: Extension,
    sim: &mut Simulation,
    max: usize,
) -> Result<Vec<(u64, Event)>, String> {
    let ns = flow.namespace_of(r).unwrap_or("default").to_string();
    let name = r.name().to_string();
    let now = sim.now();
    let start = |id: String, ty: &str, source: &str| {
        EventBuilderV10::new()
            .id(id)
            .ty(ty)
            .source(source)
            .time(now)
    };
    let types = extension_types(r, x);
    let first_type = || {
        types
            .first()
            .cloned()
            .ok_or_else(|| format!("{}: emits nothing", r.id))
    };
    let mut built: Vec<(u64, EventBuilderV10)> = Vec::new();
    match x {
        // InvalidCloudEventInterceptor: a record that is not a CloudEvent, wrapped. (Records
        // that are CloudEvents pass unchanged: send one with --event.) The sample record has a
        // key and a `content-type: application/json` header.
        Extension::Kafka => {
            let topic = spec_strs(r, "/topics")
                .next()
                .ok_or_else(|| format!("{}: spec.topics is empty", r.id))?;
            let (partition, offset) = (0, 0);
            let key = "example-key";
            built.push((
                0,
                start(
                    format!("partition:{partition}/offset:{offset}"),
                    &first_type()?,
                    &format!("/apis/v1/namespaces/{ns}/kafkasources/{name}#{topic}"),
                )
                .subject(format!("partition:{partition}#{offset}"))
                .extension("key", key)
                .extension("partitionkey", key)
                .data("application/json", json!({"hello": "world"})),
            ));
        }
        // pkg/common/handler.go: id is X-GitHub-Delivery (a GUID), subject and extensions
        // come from the payload (`owner` and `repository` for every event).
        Extension::GitHub => {
            let repo = required(r, "/ownerAndRepository")?;
            let (owner, repo_name) = repo.split_once('/').unwrap_or((repo, ""));
            for event in spec_strs(r, "/eventTypes") {
                let mut b = start(
                    sim.next_id(),
                    &format!("dev.knative.source.github.{event}"),
                    &format!("https://github.com/{repo}"),
                )
                .extension("owner", owner)
                .extension("repository", repo_name);
                let mut data = json!({
                    "repository": {
                        "name": repo_name,
                        "full_name": repo,
                        "owner": {"login": owner},
                    }
                });
                // A pull request's or an issue's subject is its number.
                if matches!(event, "pull_request" | "issues") {
                    b = b.subject("1").extension("action", "opened");
                    data["action"] = json!("opened");
                    data["number"] = json!(1);
                }
                built.push((0, b.data("application/json", data)));
            }
        }
        Extension::GitLab => {
            let project = required(r, "/projectUrl")?;
            for header in gitlab_headers(r) {
                built.push((
                    0,
                    start(sim.next_id(), &gitlab_type(header), project)
                        .extension("comgitlabevent", header)
                        .data("application/json", json!({"project": {"web_url": project}})),
                ));
            }
        }
        // pkg/rabbit/message.go: id is the AMQP MessageId, subject the same.
        Extension::Rabbitmq => {
            let queue = required(r, "/rabbitmqResourcesConfig/queueName")?;
            let id = sim.next_id();
            built.push((
                0,
                start(
                    id.clone(),
                    &first_type()?,
                    &format!("/apis/v1/namespaces/{ns}/rabbitmqsources/{name}#{queue}"),
                )
                .subject(id)
                .data("application/json", json!({"hello": "world"})),
            ));
        }
        // pkg/source/adapter/adapter.go: id is the stream entry ID (`<ms>-<seq>`), data the
        // entry's fields and values as a flat JSON array.
        Extension::RedisStream => {
            let address = required(r, "/address")?;
            let stream = required(r, "/stream")?;
            let entry = format!("{}-0", now.timestamp_millis());
            built.push((
                0,
                start(entry, &first_type()?, &format!("{address}/{stream}")).data(
                    "application/json",
                    json!(["fruit", "banana", "color", "yellow"]),
                ),
            ));
        }
        // pkg/adapter/adapter.go: id is the SQS MessageId, data the SQS message.
        Extension::AwsSqs => {
            let queue = required(r, "/queueUrl")?;
            let id = sim.next_id();
            built.push((
                0,
                start(id.clone(), &first_type()?, queue).data(
                    "application/json",
                    json!({"MessageId": id, "Body": "{\"hello\":\"world\"}"}),
                ),
            ));
        }
        // pkg/adapter/adapter.go: source `<eventSource>.<awsRegion>.<bucket>`, subject the
        // object key. The bucket and region are the notification's, not the spec's: these are
        // an example (Ceph's default zonegroup, a bucket `my-bucket`).
        Extension::Ceph => {
            let (region, bucket, key) = ("default", "my-bucket", "photos/cat.jpg");
            let ty = first_type()?;
            let event_name = ty.trim_start_matches("com.amazonaws.");
            built.push((
                0,
                start(sim.next_id(), &ty, &format!("ceph:s3.{region}.{bucket}"))
                    .subject(key)
                    .data(
                        "application/json",
                        json!({
                            "eventVersion": "2.1",
                            "eventSource": "ceph:s3",
                            "awsRegion": region,
                            "eventName": event_name,
                            "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
                        }),
                    ),
            ));
        }
        // pkg/adapter/adapter.go: id is the change's seq, subject the document id, data the
        // change's revisions; source `<host of the Secret's url>/<database>`.
        Extension::CouchDb => {
            let database = required(r, "/database")?;
            let source = format!("{}/{database}", couchdb_host(flow, r, &ns));
            for (ty, rev) in types.iter().zip([
                "1-967a00dff5e02add41819138abb3284d",
                "2-eec205a9d413992850a6e32678485900",
            ]) {
                built.push((
                    0,
                    start(sim.next_id(), ty, &source)
                        .subject("example-doc")
                        .data("application/json", json!([rev])),
                ));
            }
        }
        // pkg/vsphere/adapter.go: source is the vCenter client's URL, extensions `eventclass`
        // and `vsphereapiversion` (vCenter's API version: an example here), data the event
        // in spec.payloadEncoding (default application/xml).
        Extension::VSphere => {
            let address = required(r, "/address")?;
            let event = VSPHERE_EVENTS[0];
            let encoding = spec_str(r, "/payloadEncoding")
                .unwrap_or("application/xml")
                .to_lowercase();
            let b = start(sim.next_id(), &first_type()?, &vcenter_url(address))
                .extension("eventclass", "event")
                .extension("vsphereapiversion", VSPHERE_API_VERSION);
            let b = if encoding == "application/json" {
                b.data(
                    encoding,
                    json!({"Key": 1, "FullFormattedMessage": "example-vm on host-1 is powered on", "Vm": {"Name": "example-vm"}}),
                )
            } else {
                b.data(
                    encoding,
                    format!("<{event}><Key>1</Key><FullFormattedMessage>example-vm on host-1 is powered on</FullFormattedMessage><Vm><Name>example-vm</Name></Vm></{event}>"),
                )
            };
            built.push((0, b));
        }
        // pkg/horizon/adapter.go: source is spec.address, data the audit event.
        Extension::Horizon => {
            let address = required(r, "/address")?;
            let event = HORIZON_EVENTS[0];
            built.push((
                0,
                start(sim.next_id(), &first_type()?, address).data(
                    "application/json",
                    json!({
                        "id": 1,
                        "type": event,
                        "severity": "AUDIT_SUCCESS",
                        "module": "Vlsi",
                        "message": "User example\\admin has logged in to View Administrator",
                    }),
                ),
            ));
        }
        Extension::Integration => {
            let (ty, source, subject) = integration_connector(r).ok_or_else(|| {
                format!(
                    "{}: neither spec.timer nor spec.aws (s3, sqs, ddbStreams) is set",
                    r.id
                )
            })?;
            if ty == "dev.knative.eventing.timer" {
                // The timer-source Kamelet: Camel's timer fires after its default 1 s delay,
                // then every `period` ms (default 1000), `repeatCount` times (0 or unset: no
                // limit), sending `message` as `contentType` (default text/plain).
                let timer = |p: &str| r.manifest.pointer(&format!("/spec/timer/{p}"));
                let period = timer("period")
                    .and_then(|v| v.as_u64())
                    .unwrap_or(1000)
                    .max(1);
                let repeat = timer("repeatCount")
                    .and_then(|v| v.as_u64())
                    .filter(|n| *n > 0)
                    .map_or(usize::MAX, |n| n as usize);
                let message = timer("message")
                    .and_then(|v| v.as_str())
                    .unwrap_or("Timer source event!")
                    .to_string();
                let content_type = timer("contentType")
                    .and_then(|v| v.as_str())
                    .unwrap_or("text/plain")
                    .to_string();
                let until = sim_until(sim);
                let overrides = ce_overrides(r).flatten();
                let mut out = Vec::new();
                for n in 0..repeat.min(max) {
                    let at = 1000 + n as u64 * period;
                    if at > until {
                        break;
                    }
                    let mut e = EventBuilderV10::new()
                        .id(sim.next_id())
                        .ty(ty)
                        .source(source)
                        .subject(subject)
                        .time(sim.start_time() + chrono::Duration::milliseconds(at as i64))
                        .data(content_type.clone(), message.clone())
                        .build()
                        .map_err(|e| e.to_string())?;
                    apply_overrides(&mut e, &overrides);
                    out.push((at, e));
                }
                return Ok(out);
            }
            built.push((
                0,
                start(sim.next_id(), ty, source)
                    .subject(subject)
                    .data("application/json", json!({"hello": "world"})),
            ));
        }
    }
    let overrides = ce_overrides(r).flatten();
    built
        .into_iter()
        .map(|(at, b)| {
            let mut e = b.build().map_err(|e| e.to_string())?;
            apply_overrides(&mut e, &overrides);
            Ok((at, e))
        })
        .collect()
}
