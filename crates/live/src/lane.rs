//! The way to one destination. Deliveries to a plain-HTTP destination (every sink on the
//! laptop) are carried by the lane's workers: tasks that each own one keep-alive HTTP/1
//! connection and drive it themselves, taking the next delivery as soon as one is done. A
//! delivery thus costs one hand-off (to an idle worker) instead of a task of its own, a pool
//! checkout and two more hand-offs to and from a separate connection task, which is what a
//! pooled client does (profiles showed the delivery costing as much as the whole client side
//! of the sender's request). A worker exists only while deliveries need it: when every worker
//! is busy, a new one starts (so a slow sink holds up nothing but its own deliveries, as with
//! Knative's dispatcher); an idle one notices its connection closing and retires after a minute.
//! HTTPS destinations go through reqwest with rustls, one task per delivery.

use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// An idle worker retires after this long without a delivery.
const IDLE: Duration = Duration::from_secs(60);

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
    pub body: Vec<u8>,
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
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting for a delivery, each woken through its own `Notify`.
    idle: Vec<Arc<Notify>>,
}

struct Conn {
    send: SendRequest<Full<Bytes>>,
    driver: Connection<TokioIo<TcpStream>, Full<Bytes>>,
}

impl Lane {
    pub fn new(url: &str) -> Lane {
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
                reqwest::Client::builder().build().expect("an HTTP client"),
                url.to_string(),
            ),
            _ => Way::Nowhere,
        };
        Lane {
            under_way: AtomicUsize::new(0),
            way,
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
                } else {
                    drop(q);
                    tokio::spawn(self.clone().work(job));
                }
            }
            Way::Other(client, url) => {
                let (client, url) = (client.clone(), url.clone());
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
                    let answer = within(job.timeout, exchange, Err(Failure::Timeout)).await;
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
        let mut conn: Option<Conn> = None;
        loop {
            let done = job.done;
            let exchange = self.exchange(conn.take(), job.headers, job.body);
            // A timed-out exchange drops its connection: its state is unknown.
            let (answer, back) = within(job.timeout, exchange, (Err(Failure::Timeout), None)).await;
            conn = back;
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
                match conn.as_mut() {
                    Some(c) => {
                        let _ = (&mut c.driver).await;
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
                            return None;
                        }
                        // Chosen for a job just now: its notification is on the way.
                        None => retire.as_mut().reset(tokio::time::Instant::now() + IDLE),
                    }
                }
            }
        }
    }

    /// One request on the worker's connection (a new one when there is none); gives the
    /// connection back unless it ended or failed.
    async fn exchange(
        &self,
        conn: Option<Conn>,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> (Result<Answer, Failure>, Option<Conn>) {
        let Way::Http {
            authority,
            host,
            path,
        } = &self.way
        else {
            unreachable!("only HTTP lanes have workers")
        };
        let Conn { mut send, driver } = match conn {
            Some(c) => c,
            None => match connect(authority).await {
                Ok(c) => c,
                Err(e) => return (Err(e), None),
            },
        };
        let mut driver = Some(driver);
        let mut req = Request::post(path.clone()).body(Full::new(Bytes::from(body)));
        if let Ok(r) = &mut req {
            *r.headers_mut() = headers;
            r.headers_mut().insert(header::HOST, host.clone());
        }
        let answer = async {
            let req = req.map_err(|_| Failure::Transport)?;
            driving(send.ready(), &mut driver)
                .await
                .map_err(|_| Failure::Transport)?;
            let (parts, body) = driving(send.send_request(req), &mut driver)
                .await
                .map_err(|_| Failure::Transport)?
                .into_parts();
            let body = driving(body.collect(), &mut driver)
                .await
                .map_err(|_| Failure::Transport)?;
            Ok(Answer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: body.to_bytes(),
            })
        }
        .await;
        let back = match (&answer, driver) {
            (Ok(_), Some(driver)) => Some(Conn { send, driver }),
            _ => None,
        };
        (answer, back)
    }
}

/// Awaits `fut` while driving the connection it depends on. A connection that ends (the
/// server closed it, perhaps right after a complete answer) is dropped, which settles
/// whatever still waits on it: what had arrived completes, the rest fails.
async fn driving<F: std::future::Future>(
    fut: F,
    driver: &mut Option<Connection<TokioIo<TcpStream>, Full<Bytes>>>,
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

async fn connect(authority: &str) -> Result<Conn, Failure> {
    let tcp = TcpStream::connect(authority)
        .await
        .map_err(|_| Failure::Transport)?;
    let _ = tcp.set_nodelay(true);
    let (send, driver) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|_| Failure::Transport)?;
    Ok(Conn { send, driver })
}

/// `exchange`, or `timed_out` once `timeout` has passed (when there is one).
async fn within<T>(
    timeout: Option<Duration>,
    exchange: impl std::future::Future<Output = T>,
    timed_out: T,
) -> T {
    match timeout {
        Some(t) => tokio::time::timeout(t, exchange).await.unwrap_or(timed_out),
        None => exchange.await,
    }
}
