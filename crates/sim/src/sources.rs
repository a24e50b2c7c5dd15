//! Simulated sources: what each Knative source would emit (KNATIVE-SEMANTICS §8).

use base64::Engine;
use chrono::{DateTime, Utc};
use cloudevents::{Event, EventBuilder, EventBuilderV10};
use knflow_model::kinds::{CloudEventOverrides, Spec};
use knflow_model::{Flow, Resource};
use serde_json::json;

use crate::sim::Simulation;

mod extensions;
use extensions::extension_emissions;
use knflow_dataplane::emits::{extension_types, Extension};

/// How long a source runs when no `until` is given.
pub const DEFAULT_RUN_MS: u64 = 3_600_000;

fn apply_overrides(event: &mut Event, o: &Option<CloudEventOverrides>) {
    for (k, v) in o.iter().flat_map(|o| o.extensions.iter().flatten()) {
        event.set_extension(k, v.clone());
    }
}

/// A source's `ceOverrides` (modelled, extension or duck-typed); `None` for anything that is
/// not a source.
fn ce_overrides(r: &Resource) -> Option<Option<CloudEventOverrides>> {
    r.source_spec().map(|s| s.ce_overrides.clone())
}

/// A deterministic "random" number for jitter: SplitMix64 of seed and counter.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A PingSource: its schedule in its time zone, and the event it sends at each tick — exactly
/// what Knative's sends (type, source, time, data or dataBase64, content type, ceOverrides).
/// The simulator runs it on its virtual clock, the live runtime on the real one.
pub struct Ping {
    cron: croner::Cron,
    tz: knflow_model::tz::Zone,
    source: String,
    content_type: String,
    data: Vec<u8>,
    overrides: Option<CloudEventOverrides>,
}

impl Ping {
    pub fn new(flow: &Flow, r: &Resource) -> Result<Ping, String> {
        let Some(Spec::PingSource(p)) = &r.spec else {
            return Err(format!("{} is not a PingSource", r.id));
        };
        let ns = flow.namespace_of(r).unwrap_or("default");
        let schedule = p.schedule.as_deref().unwrap_or("* * * * *");
        let cron = knflow_model::validate::parse_schedule(schedule)?;
        let tz_name = schedule
            .split_whitespace()
            .next()
            .and_then(|f| f.strip_prefix("CRON_TZ=").or_else(|| f.strip_prefix("TZ=")))
            .or(p.timezone.as_deref())
            .unwrap_or("UTC");
        let tz = knflow_model::tz::Zone::named(tz_name)
            .ok_or_else(|| format!("`{tz_name}` is not a time zone"))?;
        let data = match (&p.data, &p.data_base64) {
            (_, Some(b)) => base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|e| format!("dataBase64: {e}"))?,
            (Some(d), None) => d.clone().into_bytes(),
            (None, None) => Vec::new(),
        };
        Ok(Ping {
            cron,
            tz,
            source: format!("/apis/v1/namespaces/{ns}/pingsources/{}", r.name()),
            content_type: p
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
            data,
            overrides: p.source.ce_overrides.clone(),
        })
    }

    /// The first tick strictly after `t`, in the source's time zone.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .iter_after(t.with_timezone(&self.tz))
            .next()
            .map(|tick| tick.with_timezone(&Utc))
    }

    /// The event sent at `tick`.
    pub fn event(&self, tick: DateTime<Utc>, id: String) -> Result<Event, String> {
        let mut b = EventBuilderV10::new()
            .id(id)
            .ty("dev.knative.sources.ping")
            .source(self.source.clone())
            .time(tick);
        if !self.data.is_empty() {
            b = b.data(self.content_type.clone(), self.data.clone());
        }
        let mut e = b.build().map_err(|e| e.to_string())?;
        apply_overrides(&mut e, &self.overrides);
        Ok(e)
    }
}

/// The events a source sends, with their virtual times (ms since the simulation start).
pub fn emissions(
    flow: &Flow,
    r: &Resource,
    given: Option<Event>,
    sim: &mut Simulation,
) -> Result<Vec<(u64, Event)>, String> {
    emissions_upto(flow, r, given, sim, usize::MAX)
}

/// The annotation by which a source names the schema of what it emits (its events'
/// `dataschema`, checked against the flow's `schemas:`).
pub const DATASCHEMA: &str = "knflow.dev/dataschema";

/// [`emissions`], stopping a schedule (a PingSource's ticks, a timer's) after `max` events:
/// [`sample_event`] only needs the first. Events get the source's [`DATASCHEMA`] where they
/// name none.
fn emissions_upto(
    flow: &Flow,
    r: &Resource,
    given: Option<Event>,
    sim: &mut Simulation,
    max: usize,
) -> Result<Vec<(u64, Event)>, String> {
    let mut out = own_emissions(flow, r, given, sim, max)?;
    if let Some(schema) = r.annotation(DATASCHEMA) {
        for (_, e) in &mut out {
            if cloudevents::AttributesReader::dataschema(e).is_none() {
                let mut v = knflow_dataplane::events::to_json(e);
                v["dataschema"] = json!(schema);
                *e = knflow_dataplane::events::from_json(v)
                    .map_err(|err| format!("{}: {DATASCHEMA}: {err}", r.id))?;
            }
        }
    }
    Ok(out)
}

fn own_emissions(
    flow: &Flow,
    r: &Resource,
    given: Option<Event>,
    sim: &mut Simulation,
    max: usize,
) -> Result<Vec<(u64, Event)>, String> {
    let ns = flow.namespace_of(r).unwrap_or("default").to_string();
    let name = r.name().to_string();
    // An event given for a source is what it sends, once, with its ceOverrides, instead of
    // what its schedule or watch would emit (the designer's "Send event" with its form).
    if let Some(mut e) = given {
        let overrides = ce_overrides(r).ok_or_else(|| format!("{} is not a source", r.id))?;
        apply_overrides(&mut e, &overrides);
        return Ok(vec![(0, e)]);
    }
    // Extension sources by API group and kind, however knflow models them (duck-typed or not).
    if let Some(x) = Extension::of(r) {
        return extension_emissions(flow, r, x, sim, max);
    }
    match &r.spec {
        Some(Spec::PingSource(_)) => {
            let ping = Ping::new(flow, r)?;
            let start = sim.start_time();
            let until = sim_until(sim);
            let mut out = Vec::new();
            let mut after = start;
            for n in 0..max {
                let Some(tick) = ping.next_after(after) else {
                    break;
                };
                after = tick;
                let at = (tick - start).num_milliseconds().max(0) as u64;
                // Knative's sender waits 0–500 ms of jitter before each send.
                let at = at + mix(sim_seed(sim), n as u64) % 501;
                if at > until {
                    break;
                }
                let id = sim.next_id();
                out.push((at, ping.event(tick, id)?));
            }
            Ok(out)
        }
        Some(Spec::ApiServerSource(a)) => {
            let reference = a.mode != Some(knflow_model::kinds::ApiServerSourceMode::Resource);
            let mut out = Vec::new();
            for res in a.resources.iter().flatten() {
                let (api_version, kind) = (
                    res.api_version.clone().unwrap_or_else(|| "v1".into()),
                    res.kind.clone().unwrap_or_else(|| "Event".into()),
                );
                let obj = format!("example-{}", kind.to_lowercase());
                let plural = format!("{}s", kind.to_lowercase());
                let data = if reference {
                    json!({"apiVersion": api_version, "kind": kind, "name": obj, "namespace": ns})
                } else {
                    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": obj, "namespace": ns}})
                };
                let ty = if reference {
                    "dev.knative.apiserver.ref.add"
                } else {
                    "dev.knative.apiserver.resource.add"
                };
                let id = sim.next_id();
                let mut e = EventBuilderV10::new()
                    .id(id)
                    .ty(ty)
                    .source(knflow_dataplane::emits::APISERVER_SOURCE)
                    .subject(format!(
                        "/apis/{api_version}/namespaces/{ns}/{plural}/{obj}"
                    ))
                    .time(sim.now())
                    .data("application/json", data)
                    .extension("kind", kind.clone())
                    .extension("apiversion", api_version.clone())
                    .extension("name", obj.clone())
                    .extension("namespace", ns.clone())
                    .build()
                    .map_err(|e| e.to_string())?;
                apply_overrides(&mut e, &a.source.ce_overrides);
                out.push((0, e));
            }
            Ok(out)
        }
        Some(Spec::ContainerSource(_) | Spec::SinkBinding(_)) => {
            let overrides = ce_overrides(r).flatten();
            let id = sim.next_id();
            let mut e = EventBuilderV10::new()
                .id(id)
                .ty("dev.knative.eventing.samples.heartbeat")
                .source(format!(
                    "https://knative.dev/eventing/cmd/heartbeats/#{ns}/{name}"
                ))
                .time(sim.now())
                .data("application/json", json!({"id": 1, "label": ""}))
                .build()
                .map_err(|e| e.to_string())?;
            // What K_CE_OVERRIDES tells the process to add (§8).
            apply_overrides(&mut e, &overrides);
            Ok(vec![(0, e)])
        }
        // KogitoSource, CamelSource and any other source: the user's own code decides.
        _ if r.is_source() => Err(format!(
            "{}: knflow does not know what a {} emits on its own; send it an event (--event FILE)",
            r.id, r.id.kind
        )),
        _ => Err(format!("{} is not a source", r.id)),
    }
}

fn sim_until(sim: &Simulation) -> u64 {
    sim.until_ms().unwrap_or(DEFAULT_RUN_MS)
}

fn sim_seed(sim: &Simulation) -> u64 {
    sim.seed()
}

/// The first event `target` emits on its own (a PingSource's first tick, an ApiServerSource's
/// first watched object, a ContainerSource's heartbeat, an extension source's first event as
/// its upstream adapter builds it, each with its ceOverrides): what the designer's Send form
/// starts from for a source. `None` for anything that is not a source, or a source whose events
/// only its user's code decides (KogitoSource, CamelSource).
pub fn sample_event(flow: &Flow, target: &str) -> Option<Event> {
    let r = flow.get(&knflow_model::ResourceId::parse(target)?)?;
    let mut sim = Simulation::new(
        flow,
        crate::Options {
            // A day: the first tick of any schedule but a yearly one.
            until_ms: Some(86_400_000),
            ..crate::Options::default()
        },
    )
    .ok()?;
    let mut emitted = emissions_upto(flow, r, None, &mut sim, 1).ok()?;
    knflow_model::order::sort_by(&mut emitted, |a, b| a.0.cmp(&b.0));
    emitted.into_iter().next().map(|(_, e)| e)
}

/// The types an event sent to `target` can sensibly have: what the target itself emits (a
/// PingSource's `dev.knative.sources.ping`, an ApiServerSource's add/update/delete types for
/// its mode, every type an extension source emits, e.g. one per GitHubSource `eventTypes`
/// entry), then the types the flow's triggers ask for ([`filtered_types`]), each once.
pub fn offered_types(flow: &Flow, target: &str) -> Vec<String> {
    let r = knflow_model::ResourceId::parse(target).and_then(|id| flow.get(&id));
    // What the target emits itself, as the event-type analysis starts from it.
    let mut out: Vec<String> = Vec::new();
    for p in r
        .and_then(|r| knflow_dataplane::emits::emitted(flow, r))
        .into_iter()
        .flatten()
    {
        if let knflow_dataplane::filter::Text::Exact(t) = p.ty {
            if !out.iter().any(|o| **o == *t) {
                out.push(t.to_string());
            }
        }
    }
    for t in filtered_types(flow) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The CloudEvents context attributes (required, then optional), then the extensions the
/// flow's events carry: sources' `ceOverrides`, the attributes its filters test and its
/// scenarios' events set. Names a filter editor offers, each once.
pub fn attribute_names(flow: &Flow) -> Vec<String> {
    const CONTEXT: [&str; 8] = [
        "type",
        "source",
        "id",
        "specversion",
        "subject",
        "time",
        "datacontenttype",
        "dataschema",
    ];
    fn filter_keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if matches!(k.as_str(), "exact" | "prefix" | "suffix" | "attributes") {
                        out.extend(v.as_object().into_iter().flat_map(|m| m.keys().cloned()));
                    }
                    filter_keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| filter_keys(v, out)),
            _ => {}
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for r in flow.resources() {
        seen.extend(
            ce_overrides(r)
                .flatten()
                .into_iter()
                .flat_map(|o| o.extensions.into_iter().flatten().map(|(k, _)| k)),
        );
        if r.id.kind == "Trigger" {
            filter_keys(&r.manifest["spec"], &mut seen);
        }
    }
    for s in &flow.scenarios {
        if let Some(e) = s.pointer("/send/event").and_then(|e| e.as_object()) {
            seen.extend(e.keys().filter(|k| *k != "data").cloned());
        }
    }
    knflow_model::order::sort(&mut seen);
    let mut out: Vec<String> = CONTEXT.iter().map(|s| s.to_string()).collect();
    for name in seen {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Why `trigger`'s filter passes `event` (a hop's event as CloudEvents JSON) or not, entry by
/// entry: what the designer shows for a selected hop through a trigger.
pub fn explain_trigger(
    flow: &Flow,
    trigger: &str,
    event: &serde_json::Value,
) -> Option<knflow_dataplane::Explanation> {
    let r = flow.get(&knflow_model::ResourceId::parse(trigger)?)?;
    let Some(Spec::Trigger(t)) = &r.spec else {
        return None;
    };
    let event = knflow_dataplane::events::from_json(event.clone()).ok()?;
    Some(knflow_dataplane::TriggerFilter::compile(t).explain(&event))
}

/// The event types the flow's triggers ask for by name (`exact` filters and legacy
/// `filter.attributes` on `type`, at any depth of `all`/`any`/`not`), sorted, each once:
/// choices for the type of an event to send.
pub fn filtered_types(flow: &Flow) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if (k == "exact" || k == "attributes") && v["type"].is_string() {
                        out.extend(v["type"].as_str().map(str::to_string));
                    }
                    walk(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for r in flow.resources().filter(|r| r.id.kind == "Trigger") {
        walk(&r.manifest["spec"], &mut out);
    }
    knflow_model::order::sort(&mut out);
    out.dedup();
    out
}
