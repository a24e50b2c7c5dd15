//! `kn-flow serve` over real HTTP on loopback: the JSON API, atomic saves inside the folder, and
//! the protections a local server needs (Host and Origin checks, the per-run token).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    /// Kept open so the server's output has a reader.
    _stdout: BufReader<std::process::ChildStdout>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hello.yaml"),
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("nested/two.yml"), "kind: Flow\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["serve", dir.path().to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let port = line
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server {
        child,
        _stdout: stdout,
        port,
        dir,
    }
}

/// One HTTP/1.1 request with the given extra headers; returns (status, body).
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let (status, _, body) = request_bytes(port, method, path, headers, body);
    (status, String::from_utf8(body).expect("a text body"))
}

/// [`request`] for any body: returns (status, the response's header lines, body bytes).
fn request_bytes(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(out.len());
    let head = String::from_utf8_lossy(&out[..split]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    let body = out.get(split + 4..).unwrap_or_default().to_vec();
    (status, head, body)
}

fn token(port: u16) -> String {
    let (status, html) = request(port, "GET", "/", &[], "");
    assert_eq!(status, 200);
    let at = html
        .find("name=\"knflow-token\" content=\"")
        .expect("the page carries the token");
    html[at + 29..at + 29 + 32].to_string()
}

#[test]
fn lists_reads_and_saves_flows_atomically() {
    let s = serve();
    let (status, body) = request(s.port, "GET", "/api/flows", &[], "");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"hello.yaml\"") && body.contains("\"nested/two.yml\""),
        "{body}"
    );
    let (status, body) = request(s.port, "GET", "/api/flows/hello.yaml", &[], "");
    assert_eq!(status, 200);
    assert!(body.contains("kind: Broker"));
    let t = token(s.port);
    let flow = "apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: saved\n";
    let (status, body) = request(
        s.port,
        "PUT",
        "/api/flows/sub/saved.yaml",
        &[("X-Knflow-Token", &t)],
        flow,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        std::fs::read_to_string(s.dir.path().join("sub/saved.yaml")).unwrap(),
        flow
    );
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path().join("sub"))
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    let (status, _) = request(s.port, "GET", "/api/flows/missing.yaml", &[], "");
    assert_eq!(status, 404);
}

#[test]
fn saving_needs_the_token_and_stays_inside_the_folder() {
    let s = serve();
    let (status, body) = request(s.port, "PUT", "/api/flows/x.yaml", &[], "kind: Flow\n");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("token"));
    let (status, _) = request(
        s.port,
        "PUT",
        "/api/flows/x.yaml",
        &[("X-Knflow-Token", "guess")],
        "kind: Flow\n",
    );
    assert_eq!(status, 403);
    let t = token(s.port);
    for bad in [
        "/api/flows/../escape.yaml",
        "/api/flows/%2E%2E/escape.yaml",
        "/api/flows/notes.txt",
    ] {
        let (status, body) = request(
            s.port,
            "PUT",
            bad,
            &[("X-Knflow-Token", &t)],
            "kind: Flow\n",
        );
        assert!(status == 400 || status == 404, "{bad}: {status} {body}");
    }
    assert!(!s.dir.path().parent().unwrap().join("escape.yaml").exists());
    assert!(!s.dir.path().join("x.yaml").exists());
}

#[test]
fn foreign_hosts_and_origins_are_refused() {
    let s = serve();
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    let (status, _) = request(s.port, "GET", "/api/flows", &[("Host", "evil.example")], "");
    assert_eq!(status, 421);
    let t = token(s.port);
    let (status, body) = request(
        s.port,
        "PUT",
        "/api/flows/x.yaml",
        &[("X-Knflow-Token", &t), ("Origin", "http://evil.example")],
        "kind: Flow\n",
    );
    assert_eq!(status, 403, "{body}");
    let origin = format!("http://localhost:{}", s.port);
    let (status, _) = request(
        s.port,
        "GET",
        "/api/flows",
        &[
            ("Host", &format!("localhost:{}", s.port)),
            ("Origin", &origin),
        ],
        "",
    );
    assert_eq!(status, 200);
}

#[test]
fn import_and_export_through_the_api() {
    let s = serve();
    let t = token(s.port);
    let yaml = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  broker: b\n  subscriber:\n    uri: http://x\n";
    let (status, flow) = request(
        s.port,
        "POST",
        "/api/import",
        &[("X-Knflow-Token", &t)],
        yaml,
    );
    assert_eq!(status, 200, "{flow}");
    assert!(
        flow.contains("kind: Flow") && flow.contains("layout:") && flow.contains("Trigger/t:"),
        "{flow}"
    );
    let (status, out) = request(
        s.port,
        "POST",
        "/api/export",
        &[("X-Knflow-Token", &t)],
        &flow,
    );
    assert_eq!(status, 200);
    assert!(!out.contains("layout"));
    assert!(out.find("kind: Broker").unwrap() < out.find("kind: Trigger").unwrap());
    let (status, body) = request(
        s.port,
        "POST",
        "/api/import",
        &[("X-Knflow-Token", &t)],
        "kind: [",
    );
    assert_eq!(status, 422);
    assert!(
        body.contains("import.yaml:") && body.contains("yaml-syntax"),
        "{body}"
    );
}

#[test]
fn the_page_and_its_assets_are_served() {
    let s = serve();
    let (status, html) = request(s.port, "GET", "/", &[], "");
    assert_eq!(status, 200);
    assert!(html.contains("knflow"));
    let built =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist/knflow_ui_bg.wasm");
    if built.exists() {
        let (status, _) = request(s.port, "GET", "/knflow_ui.js", &[], "");
        assert_eq!(status, 200);
        // The designer's wasm goes out gzipped to browsers that take it, as built otherwise.
        let wasm = std::fs::read(&built).unwrap();
        let path = "/knflow_ui_bg.wasm";
        let (status, head, body) = request_bytes(s.port, "GET", path, &[], "");
        assert_eq!(status, 200);
        assert!(!head.contains("content-encoding"), "{head}");
        assert!(body == wasm, "the wasm is served as built");
        let gzip = [("Accept-Encoding", "gzip, deflate, br")];
        let (status, head, body) = request_bytes(s.port, "GET", path, &gzip, "");
        assert_eq!(status, 200);
        assert!(head.contains("content-encoding: gzip"), "{head}");
        assert!(head.contains("content-type: application/wasm"), "{head}");
        assert!(body.len() < wasm.len() / 2, "{} bytes gzipped", body.len());
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert!(unzipped == wasm, "the gzipped wasm is the wasm");
        let refused = [("Accept-Encoding", "gzip;q=0, br")];
        let (_, head, _) = request_bytes(s.port, "GET", path, &refused, "");
        assert!(!head.contains("content-encoding"), "{head}");
    } else {
        eprintln!("ui/dist is not built: only the page is checked");
    }
}

/// `kn-flow run` as a user starts it: the address table, an event posted to the broker, the
/// hop in the tap file.
#[test]
fn run_serves_the_flow_live_and_taps_hops() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("f.yaml");
    std::fs::write(
        &flow,
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n  namespace: ns\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\n  namespace: ns\nspec:\n  broker: b\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: display}\n",
    )
    .unwrap();
    let tap = dir.path().join("tap.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args([
            "run",
            flow.to_str().unwrap(),
            "--port",
            "0",
            "--tap",
            tap.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (_out, port) = broker_port(&mut child, "/ns/b");
    let body = r#"{"specversion":"1.0","id":"e1","source":"/t","type":"x"}"#;
    let (status, _) = request(
        port,
        "POST",
        "/ns/b",
        &[("Content-Type", "application/cloudevents+json")],
        body,
    );
    assert_eq!(status, 202);
    let mut tapped = String::new();
    for _ in 0..50 {
        tapped = std::fs::read_to_string(&tap).unwrap_or_default();
        if tapped.contains("\"Service/display\"") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let hop: serde_json::Value = serde_json::from_str(
        tapped
            .lines()
            .find(|l| l.contains("\"Service/display\""))
            .expect("a hop to the sink"),
    )
    .unwrap();
    assert_eq!(hop["outcome"], "delivered");
    assert_eq!(hop["via"], "Trigger/t");
    assert!(hop["time"].is_string());
}

/// Ctrl-C stops accepting, gives deliveries under way a moment, dead-letters what is left and
/// says so.
#[test]
fn run_stops_gracefully_and_reports_what_was_left() {
    // A sink that accepts connections but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sink = format!("http://{}", silent.local_addr().unwrap());
    // A dead-letter sink that records the request it gets.
    let dls = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dls_url = format!("http://{}", dls.local_addr().unwrap());
    let dead_letter = std::thread::spawn(move || {
        let (mut s, _) = dls.accept().unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&req).contains("\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            req.extend_from_slice(&buf[..n]);
        }
        let _ = s.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n");
        String::from_utf8_lossy(&req).to_lowercase()
    });
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("f.yaml");
    std::fs::write(
        &flow,
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n  namespace: ns\n---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\n  namespace: ns\nspec:\n  broker: b\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: stuck}\n  delivery:\n    deadLetterSink:\n      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dls}\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kn-flow"))
        .args(["run", flow.to_str().unwrap(), "--port", "0", "--map"])
        .arg(format!("Service/stuck={sink}"))
        .arg("--map")
        .arg(format!("Service/dls={dls_url}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, port) = broker_port(&mut child, "/ns/b");
    let body = r#"{"specversion":"1.0","id":"e1","source":"/t","type":"x"}"#;
    let (status, _) = request(
        port,
        "POST",
        "/ns/b",
        &[("Content-Type", "application/cloudevents+json")],
        body,
    );
    assert_eq!(status, 202);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Shutting down (deliveries get up to 5 s): the ingress no longer accepts connections.
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the ingress still accepts during shutdown"
    );
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(
        rest.contains("stopped; 1 deliveries were still in flight: dead-lettered"),
        "{rest}"
    );
    let request = dead_letter.join().unwrap();
    assert!(request.contains("ce-id: e1"), "{request}");
    assert!(request.contains("ce-knativeerrordest:"), "{request}");
    drop(silent);
}

/// Reads `kn-flow run`'s address table until the ingress ending in `path`; returns the rest of
/// its output (kept open) and the port.
fn broker_port(child: &mut Child, path: &str) -> (BufReader<std::process::ChildStdout>, u16) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "kn-flow run ended:\n{seen}"
        );
        if line.trim_end().ends_with(path) {
            let after = line.split("127.0.0.1:").nth(1).unwrap_or_default();
            let port = after.split('/').next().unwrap_or_default().parse().unwrap();
            return (out, port);
        }
        seen.push_str(&line);
    }
}
