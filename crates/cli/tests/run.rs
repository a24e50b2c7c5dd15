//! `kn-flow run` as a process: stopped by SIGTERM (containers, systemd, test harnesses) or
//! SIGINT (Ctrl-C), it stops accepting, lets the deliveries under way finish and exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A sink (plain threads and sockets) that answers each request 202 after `delay`, closing
/// the connection; returns its URL and the `ce-id`s it answered.
fn slow_sink(delay: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let ids: Arc<Mutex<Vec<String>>> = Default::default();
    let answered = ids.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { continue };
            let answered = answered.clone();
            std::thread::spawn(move || {
                let head = read_head(&mut tcp);
                let id = header(&head, "ce-id").unwrap_or_default();
                std::thread::sleep(delay);
                let _ = tcp.write_all(
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
                answered.lock().unwrap().push(id);
            });
        }
    });
    (url, ids)
}

/// The request head (the tests' requests have no body worth reading).
fn read_head(tcp: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && tcp.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// POSTs a binary-mode event and returns the status code, or `None` if nobody answers.
fn post(addr: &str, id: &str) -> Option<u16> {
    let mut tcp = TcpStream::connect(addr).ok()?;
    let req = format!(
        "POST /shop/orders HTTP/1.1\r\nhost: {addr}\r\nce-specversion: 1.0\r\nce-id: {id}\r\n\
         ce-source: /test\r\nce-type: order.paid\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).ok()?;
    let head = read_head(&mut tcp);
    head.split_whitespace().nth(1)?.parse().ok()
}

const FLOW: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata: {name: drain, namespace: shop}
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata: {name: orders}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata: {name: slow}
  spec:
    broker: orders
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: slow}
";

/// Starts `kn-flow run` on a free port; returns the child and its address once it listens.
fn start(flow: &str, sink: &str) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["run", flow, "--port", "0", "--map"])
        .arg(format!("Service/slow={sink}"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("kn-flow runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("`flow … live on http://ADDR`")
        .to_string();
    (child, addr, out)
}

fn drains_on(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("drain.yaml");
    std::fs::write(&flow, FLOW).unwrap();
    let (sink, answered) = slow_sink(Duration::from_millis(800));
    let (mut child, addr, mut out) = start(flow.to_str().unwrap(), &sink);
    for i in 0..10 {
        assert_eq!(post(&addr, &format!("e{i}")), Some(202));
    }
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // Until the signal is handled events still get in (and must be delivered like the
    // others); then nothing does.
    let mut accepted: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    let mut refused = false;
    for k in 0..50 {
        let id = format!("late-{k}");
        match post(&addr, &id) {
            None => {
                refused = true;
                break;
            }
            Some(202) => accepted.push(id),
            Some(other) => panic!("{signal}: {id} answered {other}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(refused, "{signal}: still accepting events");
    let status = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(0), "{signal}: {rest}");
    assert!(
        sent.elapsed() >= Duration::from_millis(700),
        "{signal}: exited before the deliveries under way had finished"
    );
    let mut got = answered.lock().unwrap().clone();
    got.sort();
    accepted.sort();
    assert_eq!(
        got, accepted,
        "{signal}: every accepted event, once\n{rest}"
    );
    assert!(
        rest.contains("no longer accepting events")
            && rest.contains("no deliveries left in flight"),
        "{signal}: {rest}"
    );
}

#[test]
fn sigterm_drains_deliveries_and_exits_zero() {
    drains_on("-TERM");
}

#[test]
fn sigint_drains_deliveries_and_exits_zero() {
    drains_on("-INT");
}

/// What `kn-flow run --record` keeps, `kn-flow test --replay` sends through the simulator again
/// (issue 21): where each event went, and with --save-scenarios the outcomes seen kept as the
/// flow's scenarios — which then pass, and fail once the routing changes.
#[test]
fn recorded_traffic_replays_as_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("orders.yaml");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/orders.yaml"),
        &flow,
    )
    .unwrap();
    let record = dir.path().join("record.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["run", flow.to_str().unwrap(), "--port", "0", "--record"])
        .arg(&record)
        .stdout(Stdio::piped())
        .spawn()
        .expect("kn-flow runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    // Two events a user's producer sends: a big paid order (CESQL reads `amount`), a created one.
    for (id, ty, amount) in [("o-1", "order.paid", "250"), ("o-2", "order.created", "5")] {
        let mut tcp = TcpStream::connect(&addr).unwrap();
        let body = format!("{{\"amount\": {amount}}}");
        let req = format!(
            "POST /shop/orders HTTP/1.1\r\nhost: {addr}\r\nce-specversion: 1.0\r\nce-id: {id}\r\n\
             ce-source: /shop/checkout\r\nce-type: {ty}\r\nce-amount: {amount}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(req.as_bytes()).unwrap();
        assert!(read_head(&mut tcp).contains(" 202 "), "{id} accepted");
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let kept = std::fs::read_to_string(&record).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");
    for l in kept.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["to"], "Broker/orders", "{l}");
        assert_eq!(v["event"]["source"], "/shop/checkout", "{l}");
    }

    let o = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["test", flow.to_str().unwrap(), "--replay"])
        .arg(&record)
        .arg("--save-scenarios")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        said.contains("o-1 (order.paid) into Broker/orders: delivered to Service/fulfil, delivered to Service/audit ×2, delivered to Service/notify"),
        "{said}"
    );
    assert!(
        said.contains("o-2 (order.created) into Broker/orders: delivered to Service/audit"),
        "{said}"
    );
    assert!(said.contains("saved 2 scenarios"), "{said}");
    // The saved scenarios pass, with the example's own.
    let o = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["test", flow.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("ok    ") && said.contains("replay of order.paid o-1"),
        "{said}"
    );
    // A routing change (the audit trigger now wants only created orders) fails them.
    let text = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        text.replacen("type: order.\n", "type: order.created\n", 1),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["test", flow.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("FAIL") && said.contains("replay of order.paid o-1"),
        "{said}"
    );
}
