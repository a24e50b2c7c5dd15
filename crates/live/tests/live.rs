//! Live mode over real HTTP on loopback with real CloudEvents: ingress modes and errors,
//! delivery to sink servers the tests start (filtering, fan-out, replies, retries, dead-letter
//! sink), the TTL that ends a reply loop, and the built-in display sink.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cloudevents::{AttributesReader, AttributesWriter};
use knflow_live::{http_event, serve, Options, Runtime};

/// What a sink server received, and how it answers.
#[derive(Clone, Default)]
struct Sink {
    got: Arc<Mutex<Vec<cloudevents::Event>>>,
    url: String,
}

type Answer = Arc<dyn Fn(usize, &cloudevents::Event) -> Response + Send + Sync>;

async fn sink(answer: Answer) -> Sink {
    let got: Arc<Mutex<Vec<cloudevents::Event>>> = Default::default();
    let g = got.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let g = g.clone();
        let answer = answer.clone();
        async move {
            let mut evs = http_event::parse(&headers, &body).expect("a CloudEvent");
            let e = evs.remove(0);
            let n = {
                let mut g = g.lock().unwrap();
                g.push(e.clone());
                g.len()
            };
            answer(n, &e)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Sink { got, url }
}

fn ack() -> Answer {
    Arc::new(|_, _| StatusCode::ACCEPTED.into_response())
}

/// Answers 200 with a new event of type `ty` (binary mode).
fn reply(ty: &'static str) -> Answer {
    Arc::new(move |n, e| {
        let mut out = e.clone();
        out.set_type(ty);
        out.set_id(format!("reply-{n}"));
        let (headers, body) = http_event::to_binary(&out);
        let mut r = (StatusCode::OK, body).into_response();
        for (k, v) in headers {
            r.headers_mut().insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        r
    })
}

fn flow(yaml: &str) -> knflow_model::Flow {
    let l = knflow_model::load_str(yaml, "live.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

async fn start(yaml: &str, maps: &[(&str, &str)]) -> (Runtime, String) {
    let opts = Options {
        maps: maps
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        tap: None,
    };
    let (rt, addr, _task) = serve(&flow(yaml), 0, opts).await.unwrap();
    (rt, format!("http://{addr}"))
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

const BROKER: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: live
  namespace: shop
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: orders
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: paid
  spec:
    broker: orders
    filters:
    - cesql: type = 'order.paid'
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: fulfil}
    delivery:
      retry: 2
      backoffPolicy: linear
      backoffDelay: PT0.1S
      deadLetterSink:
        ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dead-letters}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: all
  spec:
    broker: orders
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: audit}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: fulfilled
  spec:
    broker: orders
    filters:
    - exact: {type: order.fulfilled}
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: notify}
";

async fn post(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut req = reqwest::Client::new().post(url).body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

const BINARY: &[(&str, &str)] = &[
    ("ce-specversion", "1.0"),
    ("ce-id", "b-1"),
    ("ce-source", "/shop"),
    ("ce-type", "order.paid"),
    ("ce-subject", "caf%C3%A9"),
    ("content-type", "application/json"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_structured_and_batch_events_are_filtered_and_fanned_out() {
    let fulfil = sink(ack()).await;
    let audit = sink(ack()).await;
    let (_rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", &fulfil.url),
            ("Service/audit", &audit.url),
        ],
    )
    .await;
    let url = format!("{base}/shop/orders");
    assert_eq!(post(&url, BINARY, r#"{"amount": 1}"#).await.0, 202);
    let structured = r#"{"specversion":"1.0","id":"s-1","source":"/shop","type":"order.created"}"#;
    let ct = [("content-type", "application/cloudevents+json")];
    assert_eq!(post(&url, &ct, structured).await.0, 202);
    let batch = format!(
        "[{},{}]",
        structured.replace("s-1", "s-2"),
        structured
            .replace("s-1", "s-3")
            .replace("order.created", "order.paid")
    );
    let ct = [("content-type", "application/cloudevents-batch+json")];
    assert_eq!(post(&url, &ct, &batch).await.0, 202);

    eventually("4 events at audit", || audit.got.lock().unwrap().len() == 4).await;
    eventually("2 paid events at fulfil", || {
        fulfil.got.lock().unwrap().len() == 2
    })
    .await;
    let got = fulfil.got.lock().unwrap().clone();
    let mut ids: Vec<&str> = got.iter().map(|e| e.id()).collect();
    ids.sort();
    assert_eq!(ids, ["b-1", "s-3"]);
    let b1 = got.iter().find(|e| e.id() == "b-1").unwrap();
    assert_eq!(b1.subject(), Some("café"), "percent-decoded");
    assert!(b1.extension("knativearrivaltime").is_some());
    assert!(
        b1.extension("knativebrokerttl").is_none(),
        "TTL is removed before subscribers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_answers() {
    let (_rt, base) = start(BROKER, &[]).await;
    let (status, body) = post(&format!("{base}/shop/orders"), &[], "hello").await;
    assert_eq!(status, 400);
    assert!(body.contains("no ce-specversion"), "{body}");
    let (status, body) = post(&format!("{base}/shop/nope"), BINARY, "{}").await;
    assert_eq!(status, 404);
    assert!(body.contains("/shop/nope"));
    let r = reqwest::get(format!("{base}/shop/orders")).await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_then_dead_lettered_with_knative_extensions() {
    let failing = sink(Arc::new(|_, _| {
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    }))
    .await;
    let dls = sink(ack()).await;
    let (_rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", &failing.url),
            ("Service/dead-letters", &dls.url),
        ],
    )
    .await;
    assert_eq!(
        post(&format!("{base}/shop/orders"), BINARY, "{}").await.0,
        202
    );
    eventually("the dead-lettered event", || {
        dls.got.lock().unwrap().len() == 1
    })
    .await;
    assert_eq!(
        failing.got.lock().unwrap().len(),
        3,
        "1 attempt + 2 retries"
    );
    let dead = dls.got.lock().unwrap()[0].clone();
    assert_eq!(
        http_event::extension(&dead, "knativeerrorcode").as_deref(),
        Some("503")
    );
    assert!(http_event::extension(&dead, "knativeerrordest").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_reenter_the_broker() {
    let fulfil = sink(reply("order.fulfilled")).await;
    let notify = sink(ack()).await;
    let (_rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", &fulfil.url),
            ("Service/notify", &notify.url),
        ],
    )
    .await;
    assert_eq!(
        post(&format!("{base}/shop/orders"), BINARY, "{}").await.0,
        202
    );
    eventually("the reply at notify", || {
        notify.got.lock().unwrap().len() == 1
    })
    .await;
    assert_eq!(notify.got.lock().unwrap()[0].ty(), "order.fulfilled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttl_ends_a_reply_loop() {
    // Every event is answered with another order.paid: without the TTL it would never stop.
    let looping = sink(reply("order.paid")).await;
    let (rt, base) = start(BROKER, &[("Service/fulfil", &looping.url)]).await;
    let mut tap = rt.tap();
    assert_eq!(
        post(&format!("{base}/shop/orders"), BINARY, "{}").await.0,
        202
    );
    let mut dropped = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while dropped.is_none() && tokio::time::Instant::now() < deadline {
        let line = tokio::time::timeout(Duration::from_secs(5), tap.recv())
            .await
            .unwrap()
            .unwrap();
        let hop: serde_json::Value = serde_json::from_str(&line).unwrap();
        if hop["outcome"] == "dropped" {
            dropped = Some(hop);
        }
    }
    let hop = dropped.expect("the loop was cut");
    assert!(
        hop["note"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("ttl"),
        "{hop}"
    );
    let n = looping.got.lock().unwrap().len();
    assert!(
        (200..=256).contains(&n),
        "{n} deliveries before the TTL ran out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmapped_sinks_go_to_the_built_in_display() {
    let (rt, base) = start(BROKER, &[]).await;
    let targets = rt.targets();
    let audit = targets.iter().find(|t| t.label == "Service/audit").unwrap();
    assert_eq!(audit.how, "built-in display");
    assert_eq!(
        post(&format!("{base}/shop/orders"), BINARY, "{}").await.0,
        202
    );
    eventually("the displayed event", || {
        rt.displayed()
            .iter()
            .any(|(l, e)| l == "Service/audit" && e.id() == "b-1")
    })
    .await;
    let addrs = rt.addresses();
    assert_eq!(addrs[0].path, "/shop/orders");
}

/// A PingSource ticking every second (a seconds field, which the schedule parser allows) sends
/// Knative's ping event through the broker on the real clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_sources_run_on_the_real_clock() {
    let yaml = format!(
        "{BROKER}- apiVersion: sources.knative.dev/v1
  kind: PingSource
  metadata:
    name: tick
  spec:
    schedule: '* * * * * *'
    data: '{{\"hello\": \"world\"}}'
    sink:
      ref: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: orders}}
"
    );
    let audit = sink(ack()).await;
    let (_rt, _base) = start(&yaml, &[("Service/audit", &audit.url)]).await;
    eventually("two ticks", || audit.got.lock().unwrap().len() >= 2).await;
    let e = audit.got.lock().unwrap()[0].clone();
    assert_eq!(e.ty(), "dev.knative.sources.ping");
    assert_eq!(
        e.source().to_string(),
        "/apis/v1/namespaces/shop/pingsources/tick"
    );
    let t0 = audit.got.lock().unwrap()[0].time().copied().unwrap();
    let t1 = audit.got.lock().unwrap()[1].time().copied().unwrap();
    assert_eq!(
        (t1 - t0).num_seconds(),
        1,
        "one tick per second, on the second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_sources_get_k_sink_and_k_ce_overrides() {
    let yaml = format!(
        "{BROKER}- apiVersion: sources.knative.dev/v1
  kind: ContainerSource
  metadata:
    name: heartbeats
  spec:
    template:
      spec:
        containers:
        - image: example.com/heartbeats
    ceOverrides:
      extensions:
        team: ops
    sink:
      ref: {{apiVersion: eventing.knative.dev/v1, kind: Broker, name: orders}}
"
    );
    let (rt, base) = start(&yaml, &[]).await;
    let env = rt.process_env(&flow(&yaml));
    let (label, vars) = &env[0];
    assert_eq!(label, "ContainerSource/heartbeats");
    assert_eq!(
        vars[0],
        ("K_SINK".to_string(), format!("{base}/shop/orders"))
    );
    assert_eq!(vars[1].0, "K_CE_OVERRIDES");
    let o: serde_json::Value = serde_json::from_str(&vars[1].1).unwrap();
    assert_eq!(o["extensions"]["team"], "ops");
}
