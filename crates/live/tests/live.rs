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
    sink_with_delay(answer, |_| Duration::ZERO).await
}

/// A sink that answers attempt n only after `delay(n)` (an async pause, blocking no thread).
async fn sink_with_delay(answer: Answer, delay: fn(usize) -> Duration) -> Sink {
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
            let response = answer(n, &e);
            tokio::time::sleep(delay(n)).await;
            response
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
        (StatusCode::OK, headers, body).into_response()
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
        ..Default::default()
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

/// Sends one `order.paid` event to `BROKER` with `Service/fulfil` at `fulfil` and returns the
/// `knativeerrorcode` of the event the dead-letter sink receives (which must also name the
/// destination that failed).
async fn dead_lettered_code(fulfil: &str) -> Option<String> {
    let dls = sink(ack()).await;
    let (_rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", fulfil),
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
    let dead = dls.got.lock().unwrap()[0].clone();
    // Live mode names the URL it actually tried, not the in-cluster address.
    assert_eq!(
        http_event::extension(&dead, "knativeerrordest").as_deref(),
        Some(fulfil)
    );
    http_event::extension(&dead, "knativeerrorcode")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_then_dead_lettered_with_knative_extensions() {
    let failing = sink(Arc::new(|_, _| {
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    }))
    .await;
    let code = dead_lettered_code(&failing.url).await;
    assert_eq!(
        failing.got.lock().unwrap().len(),
        3,
        "1 attempt + 2 retries"
    );
    assert_eq!(code.as_deref(), Some("503"));
}

/// A sink mapped to something that is not a URL fails every delivery as a transport error
/// (what the sink's owner would see from a cluster): retried, then dead-lettered with the code
/// Knative gives transport errors, 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_mapped_to_no_url_fail_like_an_unreachable_host() {
    assert_eq!(
        dead_lettered_code("not a url").await.as_deref(),
        Some("500")
    );
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

/// A hand-written HTTP/1.1 server that answers every request with a reply event and then
/// closes the connection (as HTTP/1.0-style servers and proxies do): returns its URL (with a
/// path and query) and every request head it read.
async fn closing_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let heads: Arc<Mutex<Vec<String>>> = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/fulfil?via=raw",
        listener.local_addr().unwrap()
    );
    let h = heads.clone();
    tokio::spawn(async move {
        loop {
            let (mut tcp, _) = listener.accept().await.unwrap();
            let h = h.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // The head, then as much body as Content-Length says.
                let (head, body_len) = loop {
                    let n = tcp.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "connection closed before a whole request");
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        break (head, end + 4 + len);
                    }
                };
                while buf.len() < body_len {
                    let n = tcp.read(&mut chunk).await.unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                }
                let id = head
                    .lines()
                    .find_map(|l| l.strip_prefix("ce-id:"))
                    .unwrap()
                    .trim()
                    .to_string();
                h.lock().unwrap().push(head);
                let body = r#"{"ok":true}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nce-specversion: 1.0\r\nce-id: reply-{id}\r\n\
                     ce-source: /raw\r\nce-type: order.fulfilled\r\n\
                     content-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                tcp.write_all(answer.as_bytes()).await.unwrap();
                tcp.shutdown().await.unwrap();
            });
        }
    });
    (url, heads)
}

/// Each delivery's connection is closed by the sink right after a complete answer: every
/// answer still counts (no spurious transport errors, retries or dead letters), the next
/// delivery opens a new connection, and requests go to the URL's own path with a Host header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_that_close_each_connection_get_every_event_once() {
    let (fulfil, heads) = closing_sink().await;
    let notify = sink(ack()).await;
    let dls = sink(ack()).await;
    let (rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", &fulfil),
            ("Service/notify", &notify.url),
            ("Service/dead-letters", &dls.url),
        ],
    )
    .await;
    let url = format!("{base}/shop/orders");
    let sends = (0..40).map(|i| {
        let url = url.clone();
        async move {
            let id = format!("c-{i}");
            let headers = [
                ("ce-specversion", "1.0"),
                ("ce-id", id.as_str()),
                ("ce-source", "/shop"),
                ("ce-type", "order.paid"),
            ];
            post(&url, &headers, "").await.0
        }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    eventually("40 replies at notify", || {
        notify.got.lock().unwrap().len() == 40
    })
    .await;
    eventually("nothing under way", || rt.in_flight() == 0).await;
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 40, "one attempt per event");
    assert!(dls.got.lock().unwrap().is_empty());
    for head in &heads {
        assert!(
            head.starts_with("post /hooks/fulfil?via=raw http/1.1"),
            "{head}"
        );
        assert!(head.contains("\r\nhost: 127.0.0.1:"), "{head}");
    }
    let mut replies: Vec<String> = notify
        .got
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.id().to_string())
        .collect();
    replies.sort();
    replies.dedup();
    assert_eq!(replies.len(), 40);
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

/// Arrival times at a sink, kept by the answer function.
fn timed(times: Arc<Mutex<Vec<tokio::time::Instant>>>, answer: Answer) -> Answer {
    Arc::new(move |n, e| {
        times.lock().unwrap().push(tokio::time::Instant::now());
        answer(n, e)
    })
}

const FLOWS: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: flows
  namespace: shop
resources:
- apiVersion: flows.knative.dev/v1
  kind: Sequence
  metadata:
    name: seq
  spec:
    steps:
    - ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: a}
    - ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: b}
    reply:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: end}
- apiVersion: flows.knative.dev/v1
  kind: Parallel
  metadata:
    name: par
  spec:
    branches:
    - filter:
        ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: yes}
      subscriber:
        ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: s1}
    - filter:
        ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: no}
      subscriber:
        ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: s2}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequence_and_parallel_end_to_end() {
    let a = sink(reply("step.a")).await;
    let b = sink(reply("step.b")).await;
    let end = sink(ack()).await;
    let yes = sink(reply("passed")).await;
    let no = sink(ack()).await; // 2xx without an event: the branch filter rejects
    let s1 = sink(ack()).await;
    let s2 = sink(ack()).await;
    let (_rt, base) = start(
        FLOWS,
        &[
            ("Service/a", &a.url),
            ("Service/b", &b.url),
            ("Service/end", &end.url),
            ("Service/yes", &yes.url),
            ("Service/no", &no.url),
            ("Service/s1", &s1.url),
            ("Service/s2", &s2.url),
        ],
    )
    .await;
    assert_eq!(
        post(&format!("{base}/sequence/shop/seq"), BINARY, "{}")
            .await
            .0,
        202
    );
    eventually("the sequence's reply", || {
        end.got.lock().unwrap().len() == 1
    })
    .await;
    assert_eq!(
        b.got.lock().unwrap()[0].ty(),
        "step.a",
        "step b gets step a's reply"
    );
    assert_eq!(end.got.lock().unwrap()[0].ty(), "step.b");

    assert_eq!(
        post(&format!("{base}/parallel/shop/par"), BINARY, "{}")
            .await
            .0,
        202
    );
    eventually("the passing branch", || s1.got.lock().unwrap().len() == 1).await;
    eventually("both filters asked", || no.got.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        s2.got.lock().unwrap().is_empty(),
        "the rejecting branch delivers nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_spaced_by_the_backoff_and_timeouts_count_as_failures() {
    let yaml = "apiVersion: messaging.knative.dev/v1
kind: InMemoryChannel
metadata: {name: ch, namespace: shop}
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata: {name: slow, namespace: shop}
spec:
  channel: {apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: ch}
  subscriber:
    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: flaky}
  delivery:
    retry: 3
    backoffPolicy: exponential
    backoffDelay: PT0.2S
    timeout: PT0.3S
    deadLetterSink:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dls}
";
    let times: Arc<Mutex<Vec<tokio::time::Instant>>> = Default::default();
    // Fails twice with 503, then takes 2 s (over the 0.3 s timeout), then answers 202.
    let flaky = sink_with_delay(
        timed(
            times.clone(),
            Arc::new(|n, _| {
                if n <= 2 {
                    StatusCode::SERVICE_UNAVAILABLE.into_response()
                } else {
                    StatusCode::ACCEPTED.into_response()
                }
            }),
        ),
        |n| {
            if n == 3 {
                Duration::from_secs(2)
            } else {
                Duration::ZERO
            }
        },
    )
    .await;
    let dls = sink(ack()).await;
    let (_rt, base) = start(
        yaml,
        &[("Service/flaky", &flaky.url), ("Service/dls", &dls.url)],
    )
    .await;
    assert_eq!(
        post(&format!("{base}/inmemorychannel/shop/ch"), BINARY, "{}")
            .await
            .0,
        202
    );
    eventually("4 attempts", || times.lock().unwrap().len() == 4).await;
    let t = times.lock().unwrap().clone();
    let gaps: Vec<u128> = t.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
    // Retry k waits 200 ms × 2^(k−1): 200, 400, 800 ms (after the 0.3 s timeout for the third).
    assert!(gaps[0] >= 180 && gaps[0] < 1200, "{gaps:?}");
    assert!(gaps[1] >= 380 && gaps[1] < 1400, "{gaps:?}");
    assert!(gaps[2] >= 300 + 780 && gaps[2] < 2500, "{gaps:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        dls.got.lock().unwrap().is_empty(),
        "the fourth attempt succeeded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_destinations_push_back_with_429_and_accepted_events_are_recorded() {
    let slow = sink_with_delay(ack(), |_| Duration::from_millis(300)).await;
    let dir = std::env::temp_dir().join(format!("knflow-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("record.jsonl");
    let opts = Options {
        maps: [("Service/audit".to_string(), slow.url.clone())].into(),
        record: Some(record.clone()),
        max_in_flight: 3,
        ..Default::default()
    };
    let (_rt, addr, _t) = serve(&flow(BROKER), 0, opts).await.unwrap();
    let url = format!("http://{addr}/shop/orders");
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    let mut retry_after = None;
    for i in 0..10 {
        let r = client
            .post(&url)
            .header("content-type", "application/cloudevents+json")
            .body(format!(
                r#"{{"specversion":"1.0","id":"r{i}","source":"/s","type":"x"}}"#
            ))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
        }
        codes.push(r.status().as_u16());
    }
    assert_eq!(&codes[..3], [202, 202, 202]);
    assert!(codes.contains(&429), "{codes:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    let recorded = std::fs::read_to_string(&record).unwrap();
    let accepted = codes.iter().filter(|c| **c == 202).count();
    assert_eq!(recorded.lines().count(), accepted);
    assert!(recorded.lines().next().unwrap().contains("\"id\":\"r0\""));
    std::fs::remove_dir_all(&dir).ok();
}

/// 10,000 events from 16 concurrent clients through a broker with 5 triggers to sinks that fail
/// 30 % of attempts: every accepted event ends, per trigger, delivered or dead-lettered —
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_faults_loses_nothing() {
    const EVENTS: usize = 10_000;
    let mut yaml = String::from("apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata: {name: load, namespace: shop}\nresources:\n- apiVersion: eventing.knative.dev/v1\n  kind: Broker\n  metadata: {name: b}\n");
    for i in 0..5 {
        yaml.push_str(&format!("- apiVersion: eventing.knative.dev/v1\n  kind: Trigger\n  metadata: {{name: t{i}}}\n  spec:\n    broker: b\n    subscriber:\n      ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: s{i}}}\n    delivery:\n      retry: 3\n      backoffPolicy: exponential\n      backoffDelay: PT0.01S\n      deadLetterSink:\n        ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: dls}}\n"));
    }
    // Each sink acks ~70 % of attempts, deterministically pseudo-random per attempt.
    let acked: Vec<Arc<Mutex<Vec<String>>>> = (0..5).map(|_| Default::default()).collect();
    let mut maps = Vec::new();
    let mut sinks = Vec::new();
    for (i, a) in acked.iter().enumerate() {
        let a = a.clone();
        let s = sink(Arc::new(move |n, e| {
            let roll = (n as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(i as u64)
                >> 33;
            if roll % 10 < 3 {
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            } else {
                a.lock().unwrap().push(e.id().to_string());
                StatusCode::ACCEPTED.into_response()
            }
        }))
        .await;
        sinks.push(s);
    }
    let dls = sink(ack()).await;
    for (i, s) in sinks.iter().enumerate() {
        maps.push((format!("Service/s{i}"), s.url.clone()));
    }
    maps.push(("Service/dls".into(), dls.url.clone()));
    let map_refs: Vec<(&str, &str)> = maps.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (rt, base) = start(&yaml, &map_refs).await;
    let url = format!("{base}/shop/b");
    let client = reqwest::Client::new();
    let mut clients = Vec::new();
    for c in 0..16 {
        let (client, url) = (client.clone(), url.clone());
        clients.push(tokio::spawn(async move {
            let mut i = c;
            while i < EVENTS {
                let r = client
                    .post(&url)
                    .header("content-type", "application/cloudevents+json")
                    .body(format!(
                        r#"{{"specversion":"1.0","id":"e{i}","source":"/load","type":"x"}}"#
                    ))
                    .send()
                    .await
                    .unwrap();
                if r.status() == 429 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                assert_eq!(r.status(), 202);
                i += 16;
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    for _ in 0..1200 {
        if rt.in_flight() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rt.in_flight(), 0, "every delivery finished");
    let dead = dls.got.lock().unwrap().clone();
    for (i, a) in acked.iter().enumerate() {
        let delivered = a.lock().unwrap().clone();
        let dead_here: Vec<String> = dead
            .iter()
            .filter(|e| {
                // Live mode names the URL it tried: the sink's mapped one.
                http_event::extension(e, "knativeerrordest").as_deref() == Some(&sinks[i].url)
            })
            .map(|e| e.id().to_string())
            .collect();
        let mut all: Vec<String> = delivered.iter().chain(&dead_here).cloned().collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(
            n,
            all.len(),
            "trigger t{i}: an event both delivered and dead-lettered, or twice"
        );
        assert_eq!(
            all.len(),
            EVENTS,
            "trigger t{i}: {} delivered + {} dead-lettered",
            delivered.len(),
            dead_here.len()
        );
    }
}

/// The session hosts start and stop (`kn-flow serve`'s Live tab, the desktop app): status with
/// addresses while running, hops on the tap, a clear error for a broken flow, and the
/// ingress gone once the session is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_start_report_tap_and_stop() {
    let bad = knflow_live::Session::start("resources: [").await;
    match bad {
        Err(knflow_live::StartError::Invalid(m)) => {
            assert!(m.contains("flow.yaml:") && m.contains("yaml-syntax"), "{m}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a broken flow started"),
    }
    assert_eq!(
        knflow_live::status(None),
        serde_json::json!({"running": false})
    );

    let session = knflow_live::Session::start(BROKER).await.unwrap();
    let status = knflow_live::status(Some(&session));
    assert_eq!(status["running"], true);
    let ingress = status["ingresses"][0]["url"].as_str().unwrap().to_string();
    assert!(ingress.ends_with("/shop/orders"), "{status}");
    assert_eq!(status["ingresses"][0]["resource"], "Broker/orders");
    let sinks: Vec<&str> = status["sinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sink"].as_str().unwrap())
        .collect();
    assert!(sinks.contains(&"Service/audit"), "{status}");

    let mut tap = session.tap();
    assert_eq!(post(&ingress, BINARY, "{}").await.0, 202);
    let first = tokio::time::timeout(Duration::from_secs(5), tap.recv())
        .await
        .expect("a hop within 5 s")
        .unwrap();
    let hop: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(hop["event"]["id"], "b-1", "{hop}");

    drop(session);
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::Client::new().post(&ingress).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        refused,
        "the ingress still answers after the session stopped"
    );
}

/// Stop (the Live tab's button): once it returns nothing answers at the flow's address, not
/// even on a connection kept alive from before (browsers and Node keep them), and a new
/// connection is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_session_answers_nowhere_not_even_on_kept_alive_connections() {
    let mut session = knflow_live::Session::start(BROKER).await.unwrap();
    let status = knflow_live::status(Some(&session));
    let ingress = status["ingresses"][0]["url"].as_str().unwrap().to_string();
    // One client: its connection is kept alive between requests.
    let client = reqwest::Client::new();
    let ce = |r: reqwest::RequestBuilder| {
        r.header("ce-specversion", "1.0")
            .header("ce-id", "k-1")
            .header("ce-source", "/test")
            .header("ce-type", "order.created")
            .body("{}")
    };
    assert_eq!(
        ce(client.post(&ingress)).send().await.unwrap().status(),
        202
    );
    session.stop().await;
    assert!(
        ce(client.post(&ingress)).send().await.is_err(),
        "the kept-alive connection still answers after Stop"
    );
    assert!(
        reqwest::Client::new().post(&ingress).send().await.is_err(),
        "a new connection is still accepted after Stop"
    );
}

/// A Kafka topic in live mode (issue 20): what a trigger delivers to a KafkaSink (unmapped, so
/// the built-in display stands in for the Kafka cluster and accepts it) a KafkaSource reading
/// the same topic on the same cluster sends on to its sink — a real HTTP server — as the
/// CloudEvent it was, plus the source's ceOverrides; a source on another cluster gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kafka_topic_carries_events_from_a_kafka_sink_to_the_sources_reading_it() {
    let consumer = sink(ack()).await;
    let elsewhere = sink(ack()).await;
    let yaml = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: live
  namespace: shop
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: orders
    annotations:
      eventing.knative.dev/broker.class: Kafka
  spec:
    config: {apiVersion: v1, kind: ConfigMap, name: kafka-broker-config, namespace: knative-eventing}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: to-topic
  spec:
    broker: orders
    subscriber:
      ref: {apiVersion: eventing.knative.dev/v1alpha1, kind: KafkaSink, name: orders-topic}
- apiVersion: eventing.knative.dev/v1alpha1
  kind: KafkaSink
  metadata:
    name: orders-topic
  spec:
    topic: orders
    bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
- apiVersion: sources.knative.dev/v1
  kind: KafkaSource
  metadata:
    name: orders-reader
  spec:
    topics: [orders]
    bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
    ceOverrides:
      extensions: {team: payments}
    sink:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: consumer}
- apiVersion: sources.knative.dev/v1
  kind: KafkaSource
  metadata:
    name: other-cluster
  spec:
    topics: [orders]
    bootstrapServers: [elsewhere:9092]
    sink:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: elsewhere}
";
    let (_rt, base) = start(
        yaml,
        &[
            ("Service/consumer", &consumer.url),
            ("Service/elsewhere", &elsewhere.url),
        ],
    )
    .await;
    let url = format!("{base}/shop/orders");
    assert_eq!(post(&url, BINARY, r#"{"amount": 1}"#).await.0, 202);
    eventually("the event at the consumer", || {
        consumer.got.lock().unwrap().len() == 1
    })
    .await;
    let got = consumer.got.lock().unwrap()[0].clone();
    assert_eq!(got.id(), "b-1");
    assert_eq!(got.ty(), "order.paid");
    assert_eq!(
        got.extension("team").map(|v| v.to_string()).as_deref(),
        Some("payments")
    );
    // Give a wrong delivery time to show up before saying there was none.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(elsewhere.got.lock().unwrap().is_empty());
}

/// A payload that breaks the schema its `dataschema` names (the flow's `schemas:`) is still
/// delivered — Knative does not check payloads — with a note on the tap's ingress hop that
/// says where (issue 21).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_that_break_their_schema_are_noted_on_the_tap() {
    let audit = sink(ack()).await;
    let dir = tempfile::tempdir().unwrap();
    let tap = dir.path().join("tap.jsonl");
    let yaml = format!(
        "{BROKER}schemas:\n  https://example.com/order.json:\n    type: object\n    required: [amount]\n    properties:\n      amount: {{type: number}}\n"
    );
    let opts = Options {
        maps: [("Service/audit".to_string(), audit.url.clone())].into(),
        tap: Some(tap.clone()),
        ..Default::default()
    };
    let (_rt, addr, _t) = serve(&flow(&yaml), 0, opts).await.unwrap();
    let url = format!("http://{addr}/shop/orders");
    let headers = [
        ("ce-specversion", "1.0"),
        ("ce-id", "p-1"),
        ("ce-source", "/shop"),
        ("ce-type", "order.created"),
        ("ce-dataschema", "https://example.com/order.json"),
        ("content-type", "application/json"),
    ];
    assert_eq!(post(&url, &headers, r#"{"amount": "ten"}"#).await.0, 202);
    eventually("the event at audit", || {
        audit.got.lock().unwrap().len() == 1
    })
    .await;
    let mut noted = None;
    for _ in 0..100 {
        let text = std::fs::read_to_string(&tap).unwrap_or_default();
        noted = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|h| {
                h["note"]
                    .as_str()
                    .is_some_and(|n| n.contains("does not match"))
            });
        if noted.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hop = noted.expect("a noted hop on the tap");
    assert_eq!(hop["to"], "Broker/orders");
    assert_eq!(
        hop["note"],
        "data does not match https://example.com/order.json: /amount: expected number, found string"
    );
}

/// The Kafka broker's ordered delivery in live mode (issue 20): a trigger annotated
/// `kafka.eventing.knative.dev/delivery.order: ordered` gives a slow subscriber the events of
/// one partition (`partitionkey`) one at a time, each after the previous answered; the same
/// subscriber behind an unordered trigger gets them all at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_kafka_trigger_waits_for_each_answer_before_the_next() {
    async fn arrivals(order: &str) -> Vec<Duration> {
        let times: Arc<Mutex<Vec<tokio::time::Instant>>> = Default::default();
        let slow =
            sink_with_delay(timed(times.clone(), ack()), |_| Duration::from_millis(300)).await;
        let yaml = format!(
            "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: kafka
  namespace: shop
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: orders
    annotations:
      eventing.knative.dev/broker.class: Kafka
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: payments
    annotations:
      kafka.eventing.knative.dev/delivery.order: {order}
  spec:
    broker: orders
    subscriber:
      ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: payments}}
"
        );
        let (_rt, base) = start(&yaml, &[("Service/payments", &slow.url)]).await;
        let url = format!("{base}/shop/orders");
        let start = tokio::time::Instant::now();
        for i in 0..3 {
            let id = format!("o-{i}");
            let headers = [
                ("ce-specversion", "1.0"),
                ("ce-id", id.as_str()),
                ("ce-source", "/shop"),
                ("ce-type", "order.paid"),
                ("ce-partitionkey", "customer-7"),
            ];
            assert_eq!(post(&url, &headers, "").await.0, 202);
        }
        eventually("three deliveries", || slow.got.lock().unwrap().len() == 3).await;
        let got: Vec<String> = slow
            .got
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.id().to_string())
            .collect();
        if order == "ordered" {
            assert_eq!(got, ["o-0", "o-1", "o-2"], "in the order sent");
        }
        let t = times.lock().unwrap().clone();
        t.iter().map(|x| *x - start).collect()
    }
    let ordered = arrivals("ordered").await;
    // Each waited for the previous answer (300 ms).
    for w in ordered.windows(2) {
        assert!(w[1] - w[0] >= Duration::from_millis(280), "{ordered:?}");
    }
    let unordered = arrivals("unordered").await;
    assert!(
        unordered[2] - unordered[0] < Duration::from_millis(250),
        "{unordered:?}"
    );
}

/// The tap tells what happened in the order it happened: an event's ingress hop comes before
/// any hop of its deliveries, even when a fast sink answers on another thread while the
/// ingress is still handing the event on (the designer's live log reads the tap in order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_events_ingress_hop_reaches_the_tap_before_its_deliveries() {
    let fast = sink(ack()).await;
    let (rt, base) = start(
        BROKER,
        &[
            ("Service/fulfil", &fast.url),
            ("Service/audit", &fast.url),
            ("Service/notify", &fast.url),
        ],
    )
    .await;
    let mut tap = rt.tap();
    // Many at once, so that deliveries are answered on one thread while another ingress is
    // still handing its event on. Each event: its ingress hop, deliveries to audit and fulfil,
    // and notify's trigger filtering it out.
    let n = 300;
    let reader = tokio::spawn(async move {
        let mut lines = Vec::new();
        while lines.len() < n * 4 {
            let line = tokio::time::timeout(Duration::from_secs(10), tap.recv())
                .await
                .expect("a hop")
                .expect("the tap keeps up");
            lines.push(line);
        }
        lines
    });
    let posts: Vec<_> = (0..n)
        .map(|i| {
            let url = format!("{base}/shop/orders");
            tokio::spawn(async move {
                let id = format!("order-{i}");
                let headers = [
                    ("ce-specversion", "1.0"),
                    ("ce-id", id.as_str()),
                    ("ce-source", "/shop"),
                    ("ce-type", "order.paid"),
                    ("content-type", "application/json"),
                ];
                post(&url, &headers, "{}").await.0
            })
        })
        .collect();
    for p in posts {
        assert_eq!(p.await.unwrap(), 202);
    }
    let mut seen_ingress = std::collections::HashSet::new();
    for line in reader.await.unwrap() {
        let hop: serde_json::Value = serde_json::from_str(&line).unwrap();
        let id = hop["event"]["id"].as_str().unwrap().to_string();
        if hop["from"] == "ingress" {
            seen_ingress.insert(id);
        } else {
            assert!(
                seen_ingress.contains(&id),
                "a hop of {id} before its ingress hop: {hop}"
            );
        }
    }
    assert_eq!(seen_ingress.len(), n);
}
