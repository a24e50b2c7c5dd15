//! Live mode against sinks that misbehave the ways real servers do, over real sockets on
//! 127.0.0.1: HTTP/1.0 servers closing after every response, `Connection: close`, resets before
//! and after reading the request, responses cut short, servers that never answer, 1 MiB bodies
//! both ways, chunked requests and responses, a 202 with a body, replies in binary and
//! structured mode; and Python's own `http.server`, which nobody here wrote.
//!
//! Each runs 2,000 events from 32 concurrent senders, in the three ingress modes (binary,
//! structured, batch) with three kinds of data (JSON with escapes and whitespace, bytes that are
//! not UTF-8, text), and checks that every accepted event is answered for or dead-lettered,
//! that nothing is left in flight, that a sink that never failed got each event exactly once,
//! that every request said `Prefer: reply`, and that data arrived byte for byte.
//!
//! The sinks are written on raw TCP (no HTTP library), so that they can break the protocol.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const EVENTS: usize = 2_000;
const SENDERS: usize = 32;

// ---------------------------------------------------------------------------------------------
// The events: id `e{i}`, sent in ingress mode i % 3 with data of kind (i / 3) % 3.

#[derive(Clone, Copy)]
enum Mode {
    Binary,
    Structured,
    Batch,
}

fn mode(i: usize) -> Mode {
    [Mode::Binary, Mode::Structured, Mode::Batch][i % 3]
}

/// The data of event `i` and its content type. With `big`, a mebibyte of bytes that are not
/// UTF-8.
fn data(i: usize, big: bool) -> (Vec<u8>, &'static str) {
    if big {
        static MEBIBYTE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let mut bytes = MEBIBYTE
            .get_or_init(|| (0..1 << 20).map(|k| (k * 7) as u8 | 0x80).collect())
            .clone();
        bytes[..8].copy_from_slice(&i.to_be_bytes());
        return (bytes, "application/octet-stream");
    }
    match (i / 3) % 3 {
        0 => (
            format!(
                "{{ \"kind\" : \"flaky\",\n  \"\\u00fcn\\u00ef\": [1, 2.50, \"a\\\"b\"],  \"n\": {i} }}"
            )
            .into_bytes(),
            "application/json",
        ),
        1 => (
            [&[0xff, 0xfe, 0x00, 0xc3][..], &i.to_be_bytes()].concat(),
            "application/octet-stream",
        ),
        _ => (
            format!("héllo wörld {i}\r\n\ttabs\u{0}").into_bytes(),
            "text/plain; charset=utf-8",
        ),
    }
}

/// Whether `bytes` are exactly the data of the event with this id.
fn is_data_of(id: &str, bytes: &[u8], big: bool) -> bool {
    let i: usize = id
        .strip_prefix('e')
        .and_then(|n| n.parse().ok())
        .expect("an id e<N>");
    data(i, big).0 == bytes
}

/// A structured-mode event: the data as the JSON format writes it (JSON as is, text as a
/// string, anything else as `data_base64`).
fn structured(i: usize, ty: &str, bytes: &[u8], ct: &str) -> String {
    let data = if ct == "application/json" {
        format!(r#""data": {}"#, String::from_utf8(bytes.to_vec()).unwrap())
    } else if ct.starts_with("text/") {
        let text = serde_json::to_string(std::str::from_utf8(bytes).unwrap()).unwrap();
        format!(r#""data": {text}"#)
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!(r#""data_base64": "{b64}""#)
    };
    format!(
        r#"{{"specversion": "1.0", "id": "e{i}", "source": "/load", "type": "{ty}", "datacontenttype": "{ct}", {data}}}"#
    )
}

/// Sends events 0..EVENTS to `url` from `SENDERS` concurrent clients; returns how many were
/// accepted. Every fourth sender streams its bodies (chunked transfer encoding).
async fn send_all(url: &str, big: bool) -> usize {
    let client = reqwest::Client::new();
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (client, url, accepted) = (client.clone(), url.to_string(), accepted.clone());
        senders.push(tokio::spawn(async move {
            let mut i = s;
            while i < EVENTS {
                let (bytes, ct) = data(i, big);
                let mut req = client.post(&url);
                let body = match mode(i) {
                    Mode::Binary => {
                        req = req
                            .header("ce-specversion", "1.0")
                            .header("ce-id", format!("e{i}"))
                            .header("ce-source", "/load")
                            .header("ce-type", "order.paid")
                            .header("content-type", ct);
                        bytes
                    }
                    Mode::Structured => {
                        req = req.header("content-type", "application/cloudevents+json");
                        structured(i, "order.paid", &bytes, ct).into_bytes()
                    }
                    Mode::Batch => {
                        req = req.header("content-type", "application/cloudevents-batch+json");
                        format!("[{}]", structured(i, "order.paid", &bytes, ct)).into_bytes()
                    }
                };
                let req = if s % 4 == 3 {
                    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                        body.chunks(1000).map(|c| Ok(c.to_vec())).collect();
                    req.body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                        chunks,
                    )))
                } else {
                    req.body(body)
                };
                let r = req.send().await.expect("the ingress answers");
                match r.status().as_u16() {
                    202 => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                        i += SENDERS;
                    }
                    429 => tokio::time::sleep(Duration::from_millis(100)).await,
                    s => panic!("e{i}: ingress answered {s}: {}", r.text().await.unwrap()),
                }
            }
        }));
    }
    for s in senders {
        s.await.unwrap();
    }
    accepted.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.x server.

struct Request {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn id(&self) -> String {
        self.header("ce-id")
            .expect("a binary-mode event")
            .to_string()
    }
}

/// What the sink does with a request it has read.
enum Script {
    /// Write these bytes, then keep the connection for the next request.
    Respond(Vec<u8>),
    /// Write these bytes, then close the connection.
    RespondAndClose(Vec<u8>),
    /// Reset the connection (RST) without answering.
    Reset,
    /// Write these bytes (a response cut short), then close.
    CutShort(Vec<u8>),
    /// Never answer; the connection stays open.
    Silent,
}

type Behaviour = Arc<dyn Fn(usize, &Request) -> Script + Send + Sync>;

/// What a sink saw: per event id, for every request read, whether its body was the event's
/// data byte for byte, and how many got a complete answer; every request's `Prefer` header.
#[derive(Default)]
struct Seen {
    bodies: HashMap<String, Vec<bool>>,
    answered: HashMap<String, usize>,
    prefer: Vec<Option<String>>,
}

#[derive(Clone)]
struct RawSink {
    url: String,
    seen: Arc<Mutex<Seen>>,
}

/// A sink that resets every `reset_every`-th connection at once (0: never) and answers each
/// request it reads (numbered from 1 across connections) per `behaviour`; `big`: the events
/// carry a mebibyte.
async fn raw_sink(reset_every: usize, big: bool, behaviour: Behaviour) -> RawSink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Seen>> = Default::default();
    let requests = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    tokio::spawn(async move {
        let mut connections = 0;
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            connections += 1;
            if reset_every > 0 && connections % reset_every == 0 {
                reset(tcp);
                continue;
            }
            let (seen, requests, behaviour) = (s.clone(), requests.clone(), behaviour.clone());
            tokio::spawn(serve_connection(tcp, seen, requests, big, behaviour));
        }
    });
    RawSink { url, seen }
}

fn reset(tcp: TcpStream) {
    let _ = socket2::SockRef::from(&tcp).set_linger(Some(Duration::ZERO));
    drop(tcp);
}

async fn serve_connection(
    mut tcp: TcpStream,
    seen: Arc<Mutex<Seen>>,
    requests: Arc<AtomicUsize>,
    big: bool,
    behaviour: Behaviour,
) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut tcp, &mut buf).await {
        let n = requests.fetch_add(1, Ordering::Relaxed) + 1;
        let id = req.id();
        {
            let mut s = seen.lock().unwrap();
            let exact = is_data_of(&id, &req.body, big);
            s.bodies.entry(id.clone()).or_default().push(exact);
            s.prefer.push(req.header("prefer").map(str::to_string));
        }
        // Counted before the answer is written (and taken back if it cannot be): the runtime
        // may read the answer and end its delivery before this task runs again, and the check
        // starts as soon as nothing is in flight.
        let answered = |seen: &Mutex<Seen>, n: isize| {
            let mut s = seen.lock().unwrap();
            let count = s.answered.entry(id.clone()).or_default();
            *count = count.saturating_add_signed(n);
        };
        match behaviour(n, &req) {
            Script::Respond(bytes) => {
                answered(&seen, 1);
                if tcp.write_all(&bytes).await.is_err() {
                    answered(&seen, -1);
                    return;
                }
            }
            Script::RespondAndClose(bytes) => {
                answered(&seen, 1);
                if tcp.write_all(&bytes).await.is_err() {
                    answered(&seen, -1);
                }
                let _ = tcp.shutdown().await;
                return;
            }
            Script::Reset => return reset(tcp),
            Script::CutShort(bytes) => {
                let _ = tcp.write_all(&bytes).await;
                let _ = tcp.shutdown().await;
                return;
            }
            Script::Silent => {
                // Hold the connection without a word until the client gives up on it.
                let mut sink = [0u8; 1024];
                while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
        }
    }
}

/// Reads one request (head, then a body by Content-Length or chunked); `None` at a clean end
/// of the connection. `buf` carries bytes read past the request.
async fn read_request(tcp: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let mut chunk = vec![0u8; 64 * 1024];
    let head_end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end;
        }
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&take(buf, head_end + 4)).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut fill = async |buf: &mut Vec<u8>, len: usize| -> Option<()> {
        while buf.len() < len {
            let n = tcp.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    let body = if let Some(len) = headers.get("content-length") {
        let len: usize = len.parse().unwrap();
        fill(buf, len).await?;
        take(buf, len)
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(e) = find(buf, b"\r\n") {
                    break e;
                }
                let have = buf.len();
                fill(buf, have + 1).await?;
            };
            let size =
                usize::from_str_radix(std::str::from_utf8(&buf[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            buf.drain(..line_end + 2);
            fill(buf, size + 2).await?;
            body.extend_from_slice(&take(buf, size + 2)[..size]);
            if size == 0 {
                break body;
            }
        }
    } else {
        Vec::new()
    };
    Some(Request { headers, body })
}

/// The first `n` bytes of `buf`, removed from it (without a per-byte loop: tests build
/// without optimisation, and bodies are a mebibyte).
fn take(buf: &mut Vec<u8>, n: usize) -> Vec<u8> {
    let rest = buf.split_off(n);
    std::mem::replace(buf, rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Responses.

fn accepted() -> Vec<u8> {
    b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n".to_vec()
}

/// A reply event in binary mode: type `order.done`, the request's data unchanged; with
/// `chunked`, its body in chunks of 1,000 bytes.
fn binary_reply(req: &Request, chunked: bool) -> Vec<u8> {
    let ct = req
        .header("content-type")
        .unwrap_or("application/octet-stream");
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nce-specversion: 1.0\r\nce-id: {}\r\nce-source: /sink\r\n\
         ce-type: order.done\r\ncontent-type: {ct}\r\n",
        req.id()
    )
    .into_bytes();
    if chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        for c in req.body.chunks(1000) {
            out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(format!("content-length: {}\r\n\r\n", req.body.len()).as_bytes());
        out.extend_from_slice(&req.body);
    }
    out
}

/// A reply event in structured mode with the request's data.
fn structured_reply(req: &Request) -> Vec<u8> {
    let n: usize = req.id()[1..].parse().unwrap();
    let ct = req.header("content-type").unwrap();
    let body = structured(n, "order.done", &req.body, ct);
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/cloudevents+json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// The flow and the checks.

/// A broker whose trigger `work` sends `order.paid` to `Service/sink` (retried `retry` times,
/// 10 ms apart, each attempt bounded by `timeout` if given, then dead-lettered), and whose
/// trigger `done` sends replies (`order.done`) to `Service/replies`.
fn flow(retry: u32, timeout: Option<&str>) -> knflow_model::Flow {
    let timeout = timeout.map_or(String::new(), |t| format!("\n      timeout: {t}"));
    let yaml = format!(
        "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata: {{name: faults, namespace: shop}}
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata: {{name: orders}}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata: {{name: work}}
  spec:
    broker: orders
    filters: [{{exact: {{type: order.paid}}}}]
    subscriber:
      ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: sink}}
    delivery:
      retry: {retry}
      backoffPolicy: linear
      backoffDelay: PT0.01S{timeout}
      deadLetterSink:
        ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: dls}}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata: {{name: done}}
  spec:
    broker: orders
    filters: [{{exact: {{type: order.done}}}}]
    subscriber:
      ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: replies}}
"
    );
    let l = knflow_model::load_str(&yaml, "faults.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

struct Case {
    /// A sink that never fails: each event must arrive exactly once and nothing be
    /// dead-lettered.
    reliable: bool,
    /// The sink replies: each event's reply must reach `Service/replies` exactly once.
    replies: bool,
    big: bool,
    retry: u32,
    timeout: Option<&'static str>,
    /// The tap shows as many attempts on the sink as requests it read (no attempt failed
    /// without reaching it).
    exact_attempts: bool,
}

const RELIABLE: Case = Case {
    reliable: true,
    replies: false,
    big: false,
    retry: 3,
    timeout: None,
    exact_attempts: true,
};

/// Runs the load against `sink` and checks everything the module's doc promises.
async fn run(sink: RawSink, case: Case) {
    let seen = sink.seen.clone();
    run_with(
        &sink.url,
        move || std::mem::take(&mut *seen.lock().unwrap()),
        case,
    )
    .await;
}

/// [`run`] against a sink at `url` whose record `seen` reads once the load is done.
async fn run_with(url: &str, seen: impl FnOnce() -> Seen, case: Case) {
    let ack: Behaviour = Arc::new(|_, _| Script::Respond(accepted()));
    let dls = raw_sink(0, case.big, ack.clone()).await;
    let replies = raw_sink(0, case.big, ack).await;
    let maps = [
        ("Service/sink", &url.to_string()),
        ("Service/dls", &dls.url),
        ("Service/replies", &replies.url),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let tap = dir.path().join("tap.jsonl");
    // Every hop on the tap carries its event: for mebibyte events, gigabytes.
    let tap = (!case.big).then_some(tap);
    let opts = knflow_live::Options {
        maps,
        tap: tap.clone(),
        ..Default::default()
    };
    let (rt, addr, _server) = knflow_live::serve(&flow(case.retry, case.timeout), 0, opts)
        .await
        .unwrap();
    let accepted = send_all(&format!("http://{addr}/shop/orders"), case.big).await;
    assert_eq!(accepted, EVENTS);
    for _ in 0..1200 {
        if rt.in_flight() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rt.in_flight(), 0, "deliveries left in flight");
    if let Some(tap) = &tap {
        settle(tap).await;
    }

    let (sink, dls, replies) = (
        seen(),
        dls.seen.lock().unwrap(),
        replies.seen.lock().unwrap(),
    );
    let mut dead_lettered = 0;
    for i in 0..EVENTS {
        let id = format!("e{i}");
        let bodies = sink.bodies.get(&id).map_or(&[][..], Vec::as_slice);
        assert!(
            bodies.iter().all(|exact| *exact),
            "{id}: the sink got other bytes than were sent"
        );
        let answered = sink.answered.get(&id).copied().unwrap_or(0);
        let dead = dls.bodies.get(&id).map_or(0, Vec::len);
        if let Some(d) = dls.bodies.get(&id) {
            assert!(d.iter().all(|exact| *exact), "{id}: DLS bytes");
        }
        dead_lettered += dead;
        assert!(
            answered > 0 || dead == 1,
            "{id}: answered {answered} times, dead-lettered {dead} times"
        );
        if case.reliable {
            assert_eq!(
                bodies.len(),
                1,
                "{id} reached the sink {} times",
                bodies.len()
            );
            assert_eq!(answered, 1, "{id}: answered {answered} times");
        } else {
            // At least once: an attempt the sink answered after its timeout was retried.
            assert!(dead <= 1, "{id}: dead-lettered {dead} times");
        }
        if case.replies {
            let got = replies.bodies.get(&id).map_or(&[][..], Vec::as_slice);
            assert_eq!(got, [true], "{id}: its reply, once, byte for byte");
        }
    }
    if case.reliable {
        assert_eq!(dead_lettered, 0);
    }
    if !case.replies {
        assert!(replies.bodies.is_empty(), "no replies expected");
    }
    if let Some(tap) = tap {
        check_tap(&tap, &sink, case.reliable && case.exact_attempts);
    }
    assert!(
        sink.prefer.iter().all(|p| p.as_deref() == Some("reply")),
        "every delivery to a subscriber says `Prefer: reply`"
    );
}

/// Waits until the tap file stops growing (200 ms without a change, at most 10 s): the tap is
/// written by its own task, which may still hold the last hops when nothing is in flight.
async fn settle(tap: &std::path::Path) {
    let mut last = None;
    for _ in 0..50 {
        let len = std::fs::metadata(tap).map(|m| m.len()).ok();
        if len.is_some() && len == last {
            return;
        }
        last = len;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The tap shows every attempt's end: per event, as many ends of deliveries to the sink as
/// requests the sink read (more where a request never reached it: a reset connection, a
/// timeout), each with the deliveries then in flight, the last of them 0.
fn check_tap(tap: &std::path::Path, sink: &Seen, exact: bool) {
    let text = std::fs::read_to_string(tap).unwrap();
    let hops: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        hops.iter().all(|h| h["in_flight"].is_u64()),
        "every hop counts"
    );
    assert_eq!(hops.last().unwrap()["in_flight"], 0, "in flight reaches 0");
    let mut ends: HashMap<String, usize> = HashMap::new();
    for h in &hops {
        if h["to"] == "Service/sink" && !h["attempt"].is_null() {
            *ends
                .entry(h["event"]["id"].as_str().unwrap().into())
                .or_default() += 1;
        }
    }
    for (id, bodies) in &sink.bodies {
        let ended = ends.get(id).copied().unwrap_or(0);
        if exact {
            assert_eq!(ended, bodies.len(), "{id}: attempts ended on the tap");
        } else {
            assert!(
                ended >= bodies.len(),
                "{id}: {ended} ends, {} requests",
                bodies.len()
            );
        }
    }
}

/// Without a `timeout` in the delivery spec, an attempt on a sink that never answers still
/// ends: at the runtime's read timeout, as a timeout (no status), retried, then dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_ends_attempts_without_a_timeout() {
    let sink = raw_sink(0, false, Arc::new(|_, _| Script::Silent)).await;
    let dls = raw_sink(0, false, Arc::new(|_, _| Script::Respond(accepted()))).await;
    let maps = [("Service/sink", &sink.url), ("Service/dls", &dls.url)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let tap = dir.path().join("tap.jsonl");
    let opts = knflow_live::Options {
        maps,
        tap: Some(tap.clone()),
        read_timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let (rt, addr, _server) = knflow_live::serve(&flow(1, None), 0, opts).await.unwrap();
    let started = tokio::time::Instant::now();
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/shop/orders"))
        .header("ce-specversion", "1.0")
        .header("ce-id", "e0")
        .header("ce-source", "/load")
        .header("ce-type", "order.paid")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    for _ in 0..100 {
        if rt.in_flight() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rt.in_flight(), 0);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "two attempts of 300 ms"
    );
    assert_eq!(dls.seen.lock().unwrap().bodies.len(), 1, "dead-lettered");
    let hops: Vec<serde_json::Value> = std::fs::read_to_string(&tap)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|h: &serde_json::Value| h["to"] == "Service/sink")
        .collect();
    let ends: Vec<(&str, bool)> = hops
        .iter()
        .map(|h| (h["outcome"].as_str().unwrap(), h["status"].is_null()))
        .collect();
    assert_eq!(ends, [("retrying", true), ("failed", true)], "{hops:?}");
}

// ---------------------------------------------------------------------------------------------
// The matrix.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_0_sinks_closing_after_each_response() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, _| Script::RespondAndClose(b"HTTP/1.0 202 Accepted\r\n\r\n".to_vec())),
    )
    .await;
    run(sink, RELIABLE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_1_sinks_answering_connection_close() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, _| {
            Script::RespondAndClose(
                b"HTTP/1.1 202 Accepted\r\nconnection: close\r\ncontent-length: 0\r\n\r\n".to_vec(),
            )
        }),
    )
    .await;
    run(sink, RELIABLE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_resetting_connections_before_reading() {
    let sink = raw_sink(3, false, Arc::new(|_, _| Script::Respond(accepted()))).await;
    run(
        sink,
        Case {
            reliable: false,
            retry: 5,
            ..RELIABLE
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_resetting_connections_after_reading() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|n, _| {
            if n % 3 == 0 {
                Script::Reset
            } else {
                Script::Respond(accepted())
            }
        }),
    )
    .await;
    run(
        sink,
        Case {
            reliable: false,
            retry: 5,
            ..RELIABLE
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_cut_short() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|n, _| {
            if n % 3 == 0 {
                Script::CutShort(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"par"
                        .to_vec(),
                )
            } else {
                Script::Respond(accepted())
            }
        }),
    )
    .await;
    run(
        sink,
        Case {
            reliable: false,
            retry: 5,
            ..RELIABLE
        },
    )
    .await;
}

/// A sink that never sends its headers for every fifth request: only the attempt's timeout
/// ends those.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_that_never_answer_are_timed_out() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|n, _| {
            if n % 5 == 0 {
                Script::Silent
            } else {
                Script::Respond(accepted())
            }
        }),
    )
    .await;
    run(
        sink,
        Case {
            reliable: false,
            retry: 5,
            timeout: Some("PT0.3S"),
            ..RELIABLE
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mebibyte_bodies_both_ways() {
    let sink = raw_sink(
        0,
        true,
        Arc::new(|_, req| Script::Respond(binary_reply(req, false))),
    )
    .await;
    run(
        sink,
        Case {
            replies: true,
            big: true,
            ..RELIABLE
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_replies() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, req| Script::Respond(binary_reply(req, true))),
    )
    .await;
    run(
        sink,
        Case {
            replies: true,
            ..RELIABLE
        },
    )
    .await;
}

/// A 202 is not a reply, whatever its body (data-plane spec): no reply, no failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_202_with_a_body_is_not_a_reply() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, req| {
            let mut reply = structured_reply(req);
            reply.splice(9..15, b"202 Accepted".iter().copied());
            Script::Respond(reply)
        }),
    )
    .await;
    run(sink, RELIABLE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_mode_replies() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, req| Script::Respond(binary_reply(req, false))),
    )
    .await;
    run(
        sink,
        Case {
            replies: true,
            ..RELIABLE
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_mode_replies() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, req| Script::Respond(structured_reply(req))),
    )
    .await;
    run(
        sink,
        Case {
            replies: true,
            ..RELIABLE
        },
    )
    .await;
}

/// Python's standard `http.server` (HTTP/1.0, a connection per request, an accept backlog of
/// 5), run by the machine's `python3`: a server nobody here wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_http_server_sinks() {
    const SINK: &str = r#"
import base64, http.server, json, sys, threading
lock = threading.Lock()
log = open(sys.argv[1], "a")
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        line = {"id": self.headers["ce-id"], "prefer": self.headers.get("prefer"),
                "body": base64.b64encode(body).decode()}
        with lock:
            log.write(json.dumps(line) + "\n")
            log.flush()
        self.send_response(202)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sink.jsonl");
    let mut python = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(SINK)
        .arg(&log)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs (Debian's, or any 3.x on PATH)");
    let mut port = String::new();
    let mut out = tokio::io::BufReader::new(python.stdout.take().unwrap());
    tokio::io::AsyncBufReadExt::read_line(&mut out, &mut port)
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/events", port.trim());
    let read_log = move || {
        let mut seen = Seen::default();
        for line in std::fs::read_to_string(&log).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            let body = base64::engine::general_purpose::STANDARD
                .decode(v["body"].as_str().unwrap())
                .unwrap();
            let exact = is_data_of(&id, &body, false);
            seen.bodies.entry(id.clone()).or_default().push(exact);
            *seen.answered.entry(id).or_default() += 1;
            seen.prefer.push(v["prefer"].as_str().map(str::to_string));
        }
        seen
    };
    run_with(&url, read_log, RELIABLE).await;
    python.kill().await.unwrap();
}

/// A keep-alive sink that closes each connection right after its answer without saying so
/// (no `Connection: close`), as servers with a short keep-alive timeout do. A close noticed
/// before the next request is written sends that request on a new connection; one written in
/// the very instant the sink closes may have reached it, so it is an attempt (retried): the
/// sink still gets each event exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_sinks_closing_without_notice() {
    let sink = raw_sink(
        0,
        false,
        Arc::new(|_, _| Script::RespondAndClose(accepted())),
    )
    .await;
    run(
        sink,
        Case {
            exact_attempts: false,
            ..RELIABLE
        },
    )
    .await;
}
