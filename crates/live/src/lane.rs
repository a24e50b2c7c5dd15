//! The way to one destination. Deliveries to a plain-HTTP destination (every sink on the
//! laptop) are carried by the lane's workers: tasks that each own one HTTP/1 connection and
//! drive it themselves, taking the next delivery as soon as one is done. A delivery thus costs
//! one hand-off (to an idle worker) instead of a task of its own, a pool checkout and two more
//! hand-offs to and from a separate connection task, which is what a pooled client does. A
//! worker exists only while deliveries need it: when every worker is busy a new one starts, up
//! to [`MAX_CONNECTIONS`], after which deliveries queue; an idle worker notices its connection
//! closing and retires after a minute.
//!
//! Every attempt ends (the rules the README states):
//! - with an answer: a response read to its end, also when the server closes the connection
//!   right after it (HTTP/1.0, `Connection: close`);
//! - with a timeout: the delivery spec's `timeout` for the whole exchange, or, without one,
//!   when the destination has sent and taken nothing for the runtime's read timeout (a peer
//!   that has gone silent); TCP keep-alive probes find a vanished host sooner;
//! - with a transport error: refused, reset, closed, or a response cut short.
//!
//! A request that was never written, because the kept-alive connection it was given turned out
//! to be closed, is sent again on a new connection without counting as an attempt; once any of
//! it may have reached the destination it is an attempt (at least once, never silently
//! dropped).
//!
//! HTTPS destinations go through reqwest with rustls, one task per delivery.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Request, Uri};
use futures_util::FutureExt;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// An idle worker retires after this long without a delivery.
const IDLE: Duration = Duration::from_secs(60);
/// Connections one destination gets at most; deliveries beyond wait their turn in the lane.
/// Knative's dispatcher keeps up to 100 idle connections per host.
const MAX_CONNECTIONS: usize = 100;
/// New connections to one destination that may wait for their first answer at once. A
/// connection the client sees open may still sit in the server's accept queue, and a server
/// with a short one (Python's `http.server` listens with a backlog of 5, and accepts slowly
/// while its handler threads hold the interpreter) drops handshakes beyond it: the kernel
/// retries those only after 1, 2, 4 … seconds, and a handshake dropped at its last step leaves
/// a request unanswered for a minute. A connection is trusted once it has answered, so a
/// keep-alive destination gains this many connections per round trip, while one that closes
/// every connection (HTTP/1.0) is sent this many requests at a time. Growing this window when
/// answers come quickly (as TCP grows its congestion window) overflowed Python's queue again
/// within a second and stalled deliveries for seconds: measured, and not done.
const MAX_FRESH: usize = 4;
/// TCP keep-alive: the first probe after this much silence, then every `KEEPALIVE_INTERVAL`,
/// giving up after `KEEPALIVE_PROBES` unanswered ones (a host gone from the network).
const KEEPALIVE_IDLE: Duration = Duration::from_secs(15);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
const KEEPALIVE_PROBES: u32 = 3;
/// A request's bytes unacknowledged by the destination's TCP for this long end the
/// connection (TCP_USER_TIMEOUT): a peer that vanished mid-request.
const UNACKNOWLEDGED: Duration = Duration::from_secs(60);

/// What a destination answered.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why there is no answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    Timeout,
    Transport,
}

/// One request: a CloudEvent in binary mode, the attempt's timeout (bounding the whole
/// exchange, the answer's body included) and what to do with the result.
pub(crate) struct Job {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Option<Duration>,
    pub done: Box<dyn FnOnce(Result<Answer, Failure>) + Send>,
}

enum Way {
    /// `http://authority/path`: the lane's workers.
    Http {
        authority: String,
        host: HeaderValue,
        path: Uri,
    },
    /// Anything else reqwest can send to (HTTPS).
    Other(reqwest::Client, String),
    /// Not a URL: every delivery fails as a transport error, which is what the sink's owner
    /// would see from a cluster.
    Nowhere,
}

pub(crate) struct Lane {
    /// Deliveries to this destination under way: from when one is due (its backoff included)
    /// until its answer is in. The runtime counts them for back-pressure.
    pub under_way: AtomicUsize,
    way: Way,
    /// Without a delivery timeout, an attempt fails as a timeout after this much silence.
    read_timeout: Duration,
    fresh: Arc<Semaphore>,
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting for a delivery, each woken through its own `Notify`.
    idle: Vec<Arc<Notify>>,
    workers: usize,
}

type Io = TokioIo<Watched>;

struct Conn {
    send: SendRequest<Full<Bytes>>,
    /// `None` once the connection has ended.
    driver: Option<Connection<Io, Full<Bytes>>>,
}

impl Conn {
    fn reusable(&self) -> bool {
        self.driver.is_some() && !self.send.is_closed()
    }

    /// The connection, if it can still carry a request once whatever the server sent since
    /// the last answer has been read: a server that closes a kept-alive connection right after
    /// its answer has usually sent its FIN by the time the next request is ready, and a
    /// request written into a closed connection would be an attempt lost to nothing.
    fn settled(mut self) -> Option<Conn> {
        if let Some(driver) = &mut self.driver {
            if driver.now_or_never().is_some() {
                self.driver = None;
            }
        }
        self.reusable().then_some(self)
    }
}

impl Lane {
    pub fn new(url: &str, read_timeout: Duration) -> Lane {
        let way = match url.parse::<Uri>() {
            Ok(uri) if uri.scheme_str() == Some("http") && uri.authority().is_some() => {
                let authority = uri.authority().expect("checked").as_str();
                let path = uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .parse()
                    .expect("a URI's own path is a URI");
                Way::Http {
                    // A URL without a port means port 80.
                    authority: match uri.port() {
                        Some(_) => authority.to_string(),
                        None => format!("{authority}:80"),
                    },
                    host: HeaderValue::from_str(authority).expect("an authority is header text"),
                    path,
                }
            }
            Ok(uri) if uri.scheme().is_some() => Way::Other(
                reqwest::Client::builder()
                    .tcp_keepalive(KEEPALIVE_IDLE)
                    .build()
                    .expect("an HTTP client"),
                url.to_string(),
            ),
            _ => Way::Nowhere,
        };
        Lane {
            under_way: AtomicUsize::new(0),
            way,
            read_timeout,
            fresh: Arc::new(Semaphore::new(MAX_FRESH)),
            state: Mutex::new(Queue::default()),
        }
    }

    /// Sends `job` (from inside the tokio runtime); its `done` runs on a worker when the
    /// answer is in.
    pub fn send(self: &Arc<Self>, job: Job) {
        match &self.way {
            Way::Http { .. } => {
                let mut q = self.state.lock().unwrap();
                if let Some(worker) = q.idle.pop() {
                    q.jobs.push_back(job);
                    drop(q);
                    worker.notify_one();
                } else if q.workers < MAX_CONNECTIONS {
                    q.workers += 1;
                    drop(q);
                    tokio::spawn(self.clone().work(job));
                } else {
                    // Every connection is busy: the first worker to finish takes it.
                    q.jobs.push_back(job);
                }
            }
            Way::Other(client, url) => {
                let (client, url) = (client.clone(), url.clone());
                let read_timeout = self.read_timeout;
                tokio::spawn(async move {
                    let req = client.post(url).headers(job.headers).body(job.body);
                    let exchange = async {
                        let resp = req.send().await.map_err(|_| Failure::Transport)?;
                        let status = resp.status().as_u16();
                        let headers = resp.headers().clone();
                        let body = resp.bytes().await.map_err(|_| Failure::Transport)?;
                        Ok(Answer {
                            status,
                            headers,
                            body,
                        })
                    };
                    // reqwest does not say when bytes move: without a delivery timeout the
                    // read timeout bounds the whole exchange.
                    let limit = job.timeout.unwrap_or(read_timeout);
                    let answer = tokio::time::timeout(limit, exchange)
                        .await
                        .unwrap_or(Err(Failure::Timeout));
                    (job.done)(answer);
                });
            }
            // Its own task all the same: `done` may start the next attempt at once.
            Way::Nowhere => {
                tokio::spawn(async move { (job.done)(Err(Failure::Transport)) });
            }
        }
    }

    /// A worker: carries out `job`, then whatever is queued, then waits for more.
    async fn work(self: Arc<Self>, mut job: Job) {
        let me = Arc::new(Notify::new());
        let activity = Arc::new(Activity::new());
        let mut conn: Option<Conn> = None;
        loop {
            let Job {
                headers,
                body,
                timeout,
                done,
            } = job;
            activity.touch();
            let answer = {
                let exchange = self.attempt(&mut conn, headers, body, &activity);
                match timeout {
                    Some(t) => tokio::time::timeout(t, exchange)
                        .await
                        .unwrap_or(Err(Failure::Timeout)),
                    None => {
                        tokio::select! {
                            answer = exchange => answer,
                            () = activity.silent_for(self.read_timeout) => Err(Failure::Timeout),
                        }
                    }
                }
            };
            // After a failure the connection's state is unknown: it is not used again.
            if answer.is_err() {
                conn = None;
            }
            done(answer);
            job = match self.next(&me) {
                Some(j) => j,
                None => match self.wait(&me, &mut conn).await {
                    Some(j) => j,
                    None => return,
                },
            };
        }
    }

    /// The next queued job, or `None` after putting the worker on the idle list.
    fn next(&self, me: &Arc<Notify>) -> Option<Job> {
        let mut q = self.state.lock().unwrap();
        let job = q.jobs.pop_front();
        if job.is_none() {
            q.idle.push(me.clone());
        }
        job
    }

    /// Waits, idle, until a job comes (`Some`) or the worker retires (`None`), keeping the
    /// connection driven so that a server closing it is noticed.
    async fn wait(&self, me: &Arc<Notify>, conn: &mut Option<Conn>) -> Option<Job> {
        let retire = tokio::time::sleep(IDLE);
        tokio::pin!(retire);
        loop {
            let closed = async {
                match conn.as_mut().and_then(|c| c.driver.as_mut()) {
                    Some(driver) => {
                        let _ = driver.await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = me.notified() => {
                    let mut q = self.state.lock().unwrap();
                    match q.jobs.pop_front() {
                        Some(j) => return Some(j),
                        // A busy worker took it first: idle again.
                        None => q.idle.push(me.clone()),
                    }
                }
                _ = closed => *conn = None,
                _ = &mut retire => {
                    let mut q = self.state.lock().unwrap();
                    match q.idle.iter().position(|w| Arc::ptr_eq(w, me)) {
                        Some(i) => {
                            q.idle.swap_remove(i);
                            q.workers -= 1;
                            return None;
                        }
                        // Chosen for a job just now: its notification is on the way.
                        None => retire.as_mut().reset(Instant::now() + IDLE),
                    }
                }
            }
        }
    }

    /// One attempt on the worker's connection (a new one when there is none or it has
    /// closed), leaving the connection in `slot` when it can carry the next request.
    async fn attempt(
        &self,
        slot: &mut Option<Conn>,
        headers: HeaderMap,
        body: Bytes,
        activity: &Arc<Activity>,
    ) -> Result<Answer, Failure> {
        let Way::Http {
            authority,
            host,
            path,
        } = &self.way
        else {
            unreachable!("only HTTP lanes have workers")
        };
        let mut req = Request::post(path.clone())
            .body(Full::new(body))
            .map_err(|_| Failure::Transport)?;
        *req.headers_mut() = headers;
        req.headers_mut().insert(header::HOST, host.clone());
        loop {
            // A new connection holds its place among the fresh ones until this attempt ends.
            let (mut conn, fresh, _place) = match slot.take().and_then(Conn::settled) {
                Some(c) => (c, false, None),
                None => {
                    let place = self.enter().await;
                    (self.connect(authority, activity).await?, true, place)
                }
            };
            let ready = driving(conn.send.ready(), &mut conn.driver).await;
            if ready.is_err() {
                // A kept-alive connection closed while idle: nothing was sent on it.
                if fresh {
                    return Err(Failure::Transport);
                }
                continue;
            }
            let sent = driving(conn.send.try_send_request(req), &mut conn.driver).await;
            let response = match sent {
                Ok(r) => r,
                Err(mut e) => match e.take_message() {
                    // Never written: the connection was closed under it. Once more on a
                    // new connection, unless this one was new already (then the server
                    // closes every connection at once, which is a transport error).
                    Some(r) if !fresh => {
                        req = r;
                        continue;
                    }
                    _ => return Err(Failure::Transport),
                },
            };
            let (parts, body) = response.into_parts();
            let body = driving(body.collect(), &mut conn.driver)
                .await
                .map_err(|_| Failure::Transport)?
                .to_bytes();
            if conn.reusable() {
                *slot = Some(conn);
            }
            return Ok(Answer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            });
        }
    }

    /// A place among the fresh connections ([`MAX_FRESH`]).
    async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        self.fresh.clone().acquire_owned().await.ok()
    }

    async fn connect(&self, authority: &str, activity: &Arc<Activity>) -> Result<Conn, Failure> {
        let tcp = TcpStream::connect(authority)
            .await
            .map_err(|_| Failure::Transport)?;
        let _ = tcp.set_nodelay(true);
        let keepalive = socket2::TcpKeepalive::new()
            .with_time(KEEPALIVE_IDLE)
            .with_interval(KEEPALIVE_INTERVAL)
            .with_retries(KEEPALIVE_PROBES);
        let socket = socket2::SockRef::from(&tcp);
        let _ = socket.set_tcp_keepalive(&keepalive);
        let _ = socket.set_tcp_user_timeout(Some(UNACKNOWLEDGED));
        activity.touch();
        let io = TokioIo::new(Watched {
            tcp,
            activity: activity.clone(),
        });
        let (send, driver) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|_| Failure::Transport)?;
        Ok(Conn {
            send,
            driver: Some(driver),
        })
    }
}

/// Awaits `fut` while driving the connection it depends on. A connection that ends (the
/// server closed it, perhaps right after a complete answer) is dropped, which settles
/// whatever still waits on it: what had arrived completes, the rest fails.
async fn driving<F: std::future::Future>(
    fut: F,
    driver: &mut Option<Connection<Io, Full<Bytes>>>,
) -> F::Output {
    tokio::pin!(fut);
    loop {
        let ended = async {
            match driver.as_mut() {
                Some(d) => {
                    let _ = d.await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            out = &mut fut => return out,
            _ = ended => *driver = None,
        }
    }
}

/// When a worker's connection last moved a byte either way.
struct Activity {
    start: Instant,
    /// Milliseconds since `start`.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last.store(ms, Ordering::Relaxed);
    }

    /// Resolves once nothing has moved for `limit`.
    async fn silent_for(&self, limit: Duration) {
        loop {
            let last = self.start + Duration::from_millis(self.last.load(Ordering::Relaxed));
            let quiet = Instant::now().saturating_duration_since(last);
            if quiet >= limit {
                return;
            }
            tokio::time::sleep(limit - quiet).await;
        }
    }
}

/// A TCP stream that notes in its [`Activity`] every read or write that moved bytes.
struct Watched {
    tcp: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.tcp).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
