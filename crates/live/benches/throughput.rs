//! Live-mode throughput and latency on loopback (`cargo bench -p knflow-live --bench
//! throughput`; results go to BENCHMARKS.md by hand).
//!
//! - events/s through broker → 1 trigger → sink, against POSTing the same events directly to
//!   the same sink, in adjacent pairs of runs (one extra hop makes 0.5 the ideal ratio), with
//!   the CPU time per event as a cross-check;
//! - the broker hop's added p99 latency at half the measured broker throughput;
//! - the process's resident memory with the flow running idle;
//! - the same throughput pairs against an HTTP/1.0 sink that closes its connection after every
//!   response (Python's `http.server` behaves so), where every delivery opens a connection.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;

const EVENTS: usize = 10_000;
const CLIENTS: usize = 32;
/// Direct/brokered pairs measured.
const ROUNDS: usize = 15;

const FLOW: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata: {name: bench, namespace: ns}
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata: {name: b}
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata: {name: t}
  spec:
    broker: b
    filters: [{exact: {type: bench}}]
    subscriber:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: sink}
";

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A sink that acks and notes when each event id arrived.
async fn sink(arrivals: Arc<Mutex<Vec<(String, Instant)>>>) -> String {
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let arrivals = arrivals.clone();
        async move {
            if let Some(id) = headers.get("ce-id").and_then(|v| v.to_str().ok()) {
                arrivals
                    .lock()
                    .unwrap()
                    .push((id.to_string(), Instant::now()));
            }
            StatusCode::ACCEPTED
        }
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

/// An HTTP/1.0 sink on raw TCP: reads a request, answers `202` and closes the connection.
async fn http10_sink() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut tcp, _) = l.accept().await.unwrap();
            tokio::spawn(async move {
                // The benchmark's events have no body: the head is the request.
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tcp.write_all(b"HTTP/1.0 202 Accepted\r\n\r\n").await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    url
}

/// CPU time this process has used (user + system), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    f.get(11)
        .zip(f.get(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

/// Posts `EVENTS` events from `CLIENTS` clients; returns events/s, counted until the runtime
/// has no delivery under way (so brokered events count once they reached the sink), and the
/// CPU time the whole process spent per event in µs.
async fn blast(url: &str, prefix: &str, rt: &knflow_live::Runtime) -> (f64, f64) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let cpu = cpu_seconds();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (client, url, prefix) = (client.clone(), url.to_string(), prefix.to_string());
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while i < EVENTS {
                let r = client
                    .post(&url)
                    .header("ce-specversion", "1.0")
                    .header("ce-id", format!("{prefix}{i}"))
                    .header("ce-source", "/bench")
                    .header("ce-type", "bench")
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                i += CLIENTS;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    while rt.in_flight() > 0 {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    (
        EVENTS as f64 / start.elapsed().as_secs_f64(),
        (cpu_seconds() - cpu) * 1e6 / EVENTS as f64,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let arrivals: Arc<Mutex<Vec<(String, Instant)>>> = Default::default();
    let sink_url = sink(arrivals.clone()).await;
    let flow = knflow_model::load_str(FLOW, "bench.yaml").flow;
    let opts = knflow_live::Options {
        maps: [("Service/sink".to_string(), sink_url.clone())].into(),
        ..Default::default()
    };
    let (rt, addr, _task) = knflow_live::serve(&flow, 0, opts).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!("idle RSS with the flow running: {:.1} MB", rss_mb());
    let broker = format!("http://{addr}/ns/b");

    // Warm up both paths, then measure them in adjacent pairs: the machine's speed drifts by
    // tens of percent within seconds, so a ratio is only meaningful within a pair, and the
    // median of the pairs' ratios is what counts.
    blast(&sink_url, "w", &rt).await;
    blast(&broker, "w", &rt).await;
    let mut pairs = Vec::new();
    for round in 0..ROUNDS {
        let (d, dc) = blast(&sink_url, &format!("d{round}-"), &rt).await;
        let (v, vc) = blast(&broker, &format!("b{round}-"), &rt).await;
        println!(
            "  round {round}: direct {d:.0} events/s ({dc:.1} µs CPU each), brokered {v:.0} events/s ({vc:.1} µs), ratio {:.2} (CPU {:.2})",
            v / d,
            dc / vc
        );
        pairs.push((d, v, dc / vc));
    }
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(|a, b| a.total_cmp(b));
        xs[xs.len() / 2]
    };
    let d = median(pairs.iter().map(|p| p.0).collect());
    let v = median(pairs.iter().map(|p| p.1).collect());
    let ratio = median(pairs.iter().map(|p| p.1 / p.0).collect());
    let cpu_ratio = median(pairs.iter().map(|p| p.2).collect());
    println!("direct to the sink: {d:.0} events/s; through broker → trigger → sink: {v:.0} events/s (medians); ratio {ratio:.2} (median of {ROUNDS} pairs); CPU time per event, direct / brokered: {cpu_ratio:.2}");

    // The same against a sink that closes every connection: every delivery (and every direct
    // post) opens a connection.
    let close_url = http10_sink().await;
    let flow10 = knflow_model::load_str(&FLOW.replace("ns}", "ns10}"), "bench10.yaml").flow;
    let opts = knflow_live::Options {
        maps: [("Service/sink".to_string(), close_url.clone())].into(),
        ..Default::default()
    };
    let (rt10, addr10, _task10) = knflow_live::serve(&flow10, 0, opts).await.unwrap();
    let broker10 = format!("http://{addr10}/ns10/b");
    blast(&close_url, "w10", &rt10).await;
    blast(&broker10, "w10", &rt10).await;
    let mut pairs10 = Vec::new();
    for round in 0..ROUNDS / 3 {
        let (d, _) = blast(&close_url, &format!("d10-{round}-"), &rt10).await;
        let (v, _) = blast(&broker10, &format!("b10-{round}-"), &rt10).await;
        println!("  HTTP/1.0 round {round}: direct {d:.0} events/s, brokered {v:.0} events/s, ratio {:.2}", v / d);
        pairs10.push((d, v));
    }
    println!(
        "HTTP/1.0 sink (a connection per request): direct {:.0} events/s; brokered {:.0} events/s (medians); ratio {:.2} (median of {} pairs)",
        median(pairs10.iter().map(|p| p.0).collect()),
        median(pairs10.iter().map(|p| p.1).collect()),
        median(pairs10.iter().map(|p| p.1 / p.0).collect()),
        pairs10.len()
    );

    // Added latency at half the broker's throughput: one paced client, direct and via the
    // broker, at the same rate.
    let rate = v / 2.0;
    let direct_p = paced(&sink_url, "pd", rate, &arrivals, &rt).await;
    let via_p = paced(&broker, "pb", rate, &arrivals, &rt).await;
    println!(
        "at {rate:.0} events/s, post → sink p50/p99: direct {:.2}/{:.2} ms, via the broker {:.2}/{:.2} ms; the broker hop adds {:.2} ms at p99",
        direct_p.0, direct_p.1, via_p.0, via_p.1, via_p.1 - direct_p.1
    );
}

/// Five seconds of events at `rate` from one paced client: (p50, p99) of post → sink in ms.
async fn paced(
    url: &str,
    prefix: &str,
    rate: f64,
    arrivals: &Arc<Mutex<Vec<(String, Instant)>>>,
    rt: &knflow_live::Runtime,
) -> (f64, f64) {
    let client = reqwest::Client::new();
    let n = (rate * 5.0) as usize;
    let gap = Duration::from_secs_f64(1.0 / rate);
    let mut sent = Vec::with_capacity(n);
    let mut tasks = Vec::new();
    let start = Instant::now();
    for i in 0..n {
        tokio::time::sleep_until((start + gap * i as u32).into()).await;
        let (client, url) = (client.clone(), url.to_string());
        let id = format!("{prefix}{i}");
        sent.push((id.clone(), Instant::now()));
        tasks.push(tokio::spawn(async move {
            client
                .post(&url)
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/bench")
                .header("ce-type", "bench")
                .send()
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    while rt.in_flight() > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got: std::collections::HashMap<String, Instant> =
        arrivals.lock().unwrap().iter().cloned().collect();
    let mut lat: Vec<f64> = sent
        .iter()
        .filter_map(|(id, t)| got.get(id).map(|a| (*a - *t).as_secs_f64() * 1000.0))
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    (p(0.5), p(0.99))
}
