//! A loopback stand-in for the Kubernetes API server: discovery of the two Kueue groups, the
//! ClusterQueue and LocalQueue lists (paged with `continue`), and the visibility API's
//! pendingworkloads endpoints (paged with `limit`/`offset`), with faults on demand or drawn
//! from a seeded generator ([`Chaos`]).
//!
//! It answers like the real server where the exporter can tell: Kubernetes `Status` bodies
//! for errors, 401 without a valid bearer token, 404 for unknown versions and queues, 429 with
//! `Retry-After` as API Priority and Fairness does. Every request is logged with what it was
//! answered ([`Logged`]), so a test can count the faults it was served.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A fault the stand-in answers with instead of the real answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An HTTP status with a Kubernetes `Status` body.
    Status(u16),
    /// 429 with a `Status` body and `Retry-After: N` (seconds), as API Priority and Fairness
    /// answers when the exporter's flow is throttled.
    TooManyRequests(u64),
    /// The real answer, its status line and headers sent after this delay (slow headers).
    Slow(Duration),
    /// The real answer, headers at once, then the body in four pieces spread over this delay
    /// (slow body).
    SlowBody(Duration),
    /// The real answer's headers (with its full `Content-Length`), half of the body, then the
    /// connection is closed (a body truncated mid-way).
    Truncated,
    /// 200 with a body that is not a PendingWorkloadsSummary.
    Malformed,
}

/// Random faults: each request may get one, drawn from a seeded generator.
///
/// The draw is a pure function of the seed, the request's path and query, and how many
/// requests for that same path and query came before it, so the same exporter behaviour meets
/// the same faults in every run with the same seed, whatever the interleaving of its
/// concurrent requests.
#[derive(Debug, Clone)]
pub struct Chaos {
    /// Seed of the generator.
    pub seed: u64,
    /// Chance of a fault per request, in parts per million.
    pub per_million: u32,
    /// The faults to draw from, each with its weight.
    pub menu: Vec<(u32, Fault)>,
}

impl Chaos {
    /// The fault of the `nth` (from 0) request for `key` (path and query), if any.
    pub fn draw(&self, key: &str, nth: u64) -> Option<Fault> {
        let mut rng = SplitMix64::new(
            self.seed ^ fnv1a(key).rotate_left(17) ^ nth.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        if rng.below(1_000_000) >= u64::from(self.per_million) {
            return None;
        }
        let total: u64 = self.menu.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut pick = rng.below(total.max(1));
        for (weight, fault) in &self.menu {
            let w = u64::from(*weight);
            if pick < w {
                return Some(fault.clone());
            }
            pick -= w;
        }
        None
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence everywhere, which
/// is all a fault schedule needs.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is below 2^-40 for the small `n` used here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// One request as received, and what it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// Arrival order, from 0.
    pub seq: u64,
    /// The exporter poll it belongs to: how many `GET /apis/kueue.x-k8s.io` (the first call of
    /// every poll) had arrived, this one included. Polls do not overlap, so every request
    /// between two of those belongs to the first.
    pub poll: u64,
    /// When it arrived. Taken with the world locked, so it orders with changes made through
    /// [`StandIn::update`].
    pub at: Instant,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Whether the bearer token was valid.
    pub authorized: bool,
    /// The bearer token presented, if any (test tokens only).
    pub bearer: Option<String>,
    /// The cluster queue of a `clusterqueues/NAME/pendingworkloads` request.
    pub cluster_queue: Option<String>,
    /// HTTP status answered (or about to be, for a slow or truncated answer).
    pub code: u16,
    /// The fault served, on demand or drawn.
    pub fault: Option<Fault>,
    /// For a 200 list or pending-workloads page: whether it is the last page (no `continue`
    /// token; fewer items than `limit`).
    pub last_page: bool,
}

/// What the stand-in serves; tests change it while the exporter runs.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Bearer token every request must carry.
    pub token: String,
    /// Tokens accepted besides `token`: after a rotation the old token stays valid until it
    /// expires, as Kubernetes' bound service-account tokens do.
    pub old_tokens: Vec<String>,
    /// Served versions of kueue.x-k8s.io, preferred first.
    pub kueue_versions: Vec<String>,
    /// Served versions of visibility.kueue.x-k8s.io, preferred first.
    pub visibility_versions: Vec<String>,
    /// Cluster queues and their pending workloads (items in queue order).
    pub cluster_queues: std::collections::BTreeMap<String, Vec<Value>>,
    /// Names listed as ClusterQueues that have no pending-workloads answer (deleted since).
    pub ghosts: Vec<String>,
    /// LocalQueues: (namespace, name, cluster queue).
    pub local_queues: Vec<(String, String, String)>,
    /// Faults by cluster queue name (applies to its pendingworkloads).
    pub queue_faults: std::collections::BTreeMap<String, Fault>,
    /// Fault of the ClusterQueue list.
    pub list_fault: Option<Fault>,
    /// Random faults for every request without an on-demand fault.
    pub chaos: Option<Chaos>,
}

#[derive(Default)]
struct Log {
    entries: Vec<Logged>,
    /// Requests so far per path and query (the `nth` of [`Chaos::draw`]).
    seen: HashMap<String, u64>,
    polls: u64,
}

/// The running stand-in.
pub struct StandIn {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// What it serves.
    pub world: Arc<Mutex<World>>,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
}

impl StandIn {
    /// Starts serving `world` on a free loopback port.
    pub fn start(world: World) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let world = Arc::new(Mutex::new(world));
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (world, log, stop) = (world.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (world, log) = (world.clone(), log.clone());
                    std::thread::spawn(move || {
                        let _ = handle(conn, &world, &log);
                    });
                }
                // The listener is dropped here: connections are refused from now on.
            });
        }
        StandIn {
            port,
            world,
            log,
            stop,
        }
    }

    /// Changes what is served.
    pub fn update<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        f(&mut self.world.lock().unwrap())
    }

    /// Stops listening: the API server becomes unreachable.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().entries.clone()
    }

    /// The requests from the `from`-th on (to read a long log piece by piece).
    #[allow(dead_code)] // used by the soak (tests/exporter_soak)
    pub fn requests_from(&self, from: usize) -> Vec<Logged> {
        let log = self.log.lock().unwrap();
        log.entries.get(from..).unwrap_or(&[]).to_vec()
    }

    /// Polls begun so far (see [`Logged::poll`]).
    #[allow(dead_code)] // used by the soak (tests/exporter_soak)
    pub fn polls(&self) -> u64 {
        self.log.lock().unwrap().polls
    }

    /// A kubeconfig file pointing at the stand-in with its token inline.
    pub fn kubeconfig(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let token = self.world.lock().unwrap().token.clone();
        self.write_kubeconfig(dir, &format!("token: {token}"))
    }

    /// A kubeconfig file pointing at the stand-in whose user reads its token from
    /// `token_file` (`tokenFile:`), as a projected service-account token is read: the client
    /// is expected to re-read the file when it is rotated.
    pub fn kubeconfig_with_token_file(
        &self,
        dir: &std::path::Path,
        token_file: &std::path::Path,
    ) -> std::path::PathBuf {
        self.write_kubeconfig(dir, &format!("tokenFile: {}", token_file.display()))
    }

    fn write_kubeconfig(&self, dir: &std::path::Path, credential: &str) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    \
                 server: http://127.0.0.1:{}\nusers:\n- name: exporter\n  user:\n    {credential}\n\
                 contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: exporter\n\
                 current-context: standin\n",
                self.port
            ),
        )
        .unwrap();
        path
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An answer before delivery.
struct Reply {
    code: u16,
    body: String,
    retry_after: Option<u64>,
    last_page: bool,
}

impl Reply {
    fn new(code: u16, body: String) -> Reply {
        Reply {
            code,
            body,
            retry_after: None,
            last_page: false,
        }
    }
}

fn handle(conn: TcpStream, world: &Mutex<World>, log: &Mutex<Log>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut auth = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.trim().eq_ignore_ascii_case("authorization") {
                auth = Some(v.trim().to_owned());
            }
        }
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.clone(), String::new()),
    };
    // The answer is decided on arrival, both locks held (world first, everywhere), so the log
    // orders exactly with changes of the world; a slow answer is then delivered without them.
    let (reply, fault) = {
        let w = world.lock().unwrap();
        let mut log = log.lock().unwrap();
        let bearer = auth
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::to_owned);
        let authorized = bearer
            .as_deref()
            .is_some_and(|b| b == w.token || w.old_tokens.iter().any(|t| t == b));
        let nth = {
            let n = log.seen.entry(target.clone()).or_default();
            *n += 1;
            *n - 1
        };
        if path == "/apis/kueue.x-k8s.io" {
            log.polls += 1;
        }
        let fault = on_demand_fault(&w, &path)
            .or_else(|| w.chaos.as_ref().and_then(|c| c.draw(&target, nth)));
        let reply = if !authorized {
            status(401, "Unauthorized", "Unauthorized")
        } else if method != "GET" {
            status(405, "MethodNotAllowed", "only GET here")
        } else {
            match fault.as_ref().and_then(|f| answer(f, &path)) {
                Some(r) => r,
                None => route(&w, &path, &query),
            }
        };
        let entry = Logged {
            seq: log.entries.len() as u64,
            poll: log.polls,
            at: Instant::now(),
            method,
            cluster_queue: pending_queue(&path),
            path,
            query,
            authorized,
            bearer,
            code: reply.code,
            fault: fault.clone(),
            last_page: reply.last_page,
        };
        log.entries.push(entry);
        (reply, fault)
    };
    deliver(conn, &reply, fault.as_ref())
}

fn deliver(mut conn: TcpStream, reply: &Reply, fault: Option<&Fault>) -> std::io::Result<()> {
    let retry_after = reply
        .retry_after
        .map(|s| format!("Retry-After: {s}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         {retry_after}Connection: close\r\n\r\n",
        reply.code,
        reply.body.len()
    );
    let body = reply.body.as_bytes();
    match fault {
        Some(Fault::Slow(d)) => {
            std::thread::sleep(*d);
            conn.write_all(head.as_bytes())?;
            conn.write_all(body)?;
        }
        Some(Fault::SlowBody(d)) => {
            conn.write_all(head.as_bytes())?;
            conn.flush()?;
            let piece = body.len().div_ceil(4).max(1);
            for chunk in body.chunks(piece) {
                std::thread::sleep(*d / 4);
                conn.write_all(chunk)?;
                conn.flush()?;
            }
        }
        Some(Fault::Truncated) => {
            conn.write_all(head.as_bytes())?;
            conn.write_all(&body[..body.len() / 2])?;
            conn.flush()?;
            // Closed with the rest of the promised Content-Length never sent.
            return conn.shutdown(Shutdown::Both);
        }
        _ => {
            conn.write_all(head.as_bytes())?;
            conn.write_all(body)?;
        }
    }
    conn.flush()
}

fn status(code: u16, reason: &str, message: &str) -> Reply {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    });
    Reply::new(code, body.to_string())
}

fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The cluster queue named by a `.../clusterqueues/NAME/pendingworkloads` path.
fn pending_queue(path: &str) -> Option<String> {
    match path.trim_start_matches('/').split('/').collect::<Vec<_>>()[..] {
        ["apis", "visibility.kueue.x-k8s.io", _, "clusterqueues", name, "pendingworkloads"] => {
            Some(name.to_owned())
        }
        _ => None,
    }
}

/// The fault set on demand for this path: `list_fault` for the ClusterQueue list,
/// `queue_faults` for a cluster queue's pending workloads.
fn on_demand_fault(world: &World, path: &str) -> Option<Fault> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["apis", "kueue.x-k8s.io", _, "clusterqueues"] => world.list_fault.clone(),
        _ => world.queue_faults.get(&pending_queue(path)?).cloned(),
    }
}

/// The answer a fault replaces the real one with; `None` for the faults that only change how
/// the real answer is delivered.
fn answer(fault: &Fault, path: &str) -> Option<Reply> {
    match fault {
        Fault::Status(403) => Some(status(
            403,
            "Forbidden",
            &format!("User \"system:serviceaccount:kueue-system:kubeprom-kueue-exporter\" cannot get path {path}"),
        )),
        Fault::Status(404) => Some(status(404, "NotFound", "not found")),
        Fault::Status(503) => Some(status(503, "ServiceUnavailable", "the server is currently unable to handle the request")),
        Fault::Status(code) => Some(status(*code, "InternalError", "internal error")),
        Fault::TooManyRequests(seconds) => {
            let mut r = status(429, "TooManyRequests", "too many requests, please try again later");
            r.retry_after = Some(*seconds);
            Some(r)
        }
        // Delivered slowly or cut short in `deliver`.
        Fault::Slow(_) | Fault::SlowBody(_) | Fault::Truncated => None,
        Fault::Malformed => Some(Reply::new(200, "<html>502 Bad Gateway</html>".to_owned())),
    }
}

fn group(name: &str, versions: &[String]) -> String {
    let gv = |v: &String| json!({"groupVersion": format!("{name}/{v}"), "version": v});
    json!({
        "kind": "APIGroup", "apiVersion": "v1", "name": name,
        "versions": versions.iter().map(gv).collect::<Vec<_>>(),
        "preferredVersion": versions.first().map(gv),
    })
    .to_string()
}

/// Lists paged two objects at a time, so `continue` is exercised. The token is the key of the
/// last object given, and the next page starts after it, so an object that exists throughout
/// is listed exactly once even when others come and go between two pages (what the real
/// server's snapshot tokens also ensure).
fn list(kind: &str, objects: Vec<(String, Value)>, query: &str) -> Reply {
    let after = param(query, "continue").filter(|c| !c.is_empty());
    let mut rest: Vec<(String, Value)> = objects
        .into_iter()
        .filter(|(key, _)| after.as_ref().is_none_or(|a| key > a))
        .collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    let page: Vec<(String, Value)> = rest.iter().take(2).cloned().collect();
    let next = if rest.len() > page.len() {
        page.last().map(|(k, _)| k.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    let body = json!({
        "kind": kind, "apiVersion": "kueue.x-k8s.io/v1beta1",
        "metadata": {"continue": next, "resourceVersion": "1"},
        "items": page.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    });
    let mut r = Reply::new(200, body.to_string());
    r.last_page = next.is_empty();
    r
}

fn pending(items: &[Value], version: &str, query: &str) -> Reply {
    let limit: usize = param(query, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let offset: usize = param(query, "offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let page: Vec<&Value> = items.iter().skip(offset).take(limit).collect();
    let short = page.len() < limit;
    // Written around the serialised items rather than through `json!`, which would copy every
    // item first: the soak serves tens of thousands of pages.
    let body = format!(
        "{{\"kind\":\"PendingWorkloadsSummary\",\"apiVersion\":\"visibility.kueue.x-k8s.io/{version}\",\
         \"metadata\":{{\"creationTimestamp\":null}},\"items\":{}}}",
        serde_json::to_string(&page).unwrap()
    );
    let mut r = Reply::new(200, body);
    r.last_page = short;
    r
}

/// The workloads of one local queue, numbered as Kueue's local-queue endpoint numbers them.
pub fn local_queue_items(world: &World, namespace: &str, name: &str) -> Vec<Value> {
    let Some((_, _, cq)) = world
        .local_queues
        .iter()
        .find(|(ns, n, _)| ns == namespace && n == name)
    else {
        return Vec::new();
    };
    let mut out: Vec<Value> = world
        .cluster_queues
        .get(cq)
        .map(|items| {
            items
                .iter()
                .filter(|i| i["metadata"]["namespace"] == namespace && i["localQueueName"] == name)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for (i, item) in out.iter_mut().enumerate() {
        item["positionInLocalQueue"] = json!(i);
    }
    out
}

fn route(world: &World, path: &str, query: &str) -> Reply {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let not_found = || {
        status(
            404,
            "NotFound",
            &format!("the server could not find {path}"),
        )
    };
    match segs.as_slice() {
        ["apis", "kueue.x-k8s.io"] => {
            Reply::new(200, group("kueue.x-k8s.io", &world.kueue_versions))
        }
        ["apis", "visibility.kueue.x-k8s.io"] if world.visibility_versions.is_empty() => {
            not_found()
        }
        ["apis", "visibility.kueue.x-k8s.io"] => Reply::new(
            200,
            group("visibility.kueue.x-k8s.io", &world.visibility_versions),
        ),
        ["apis", "kueue.x-k8s.io", v, resource] if world.kueue_versions.iter().any(|x| x == v) => {
            match *resource {
                "clusterqueues" => {
                    let names: BTreeSet<&String> = world
                        .cluster_queues
                        .keys()
                        .chain(world.ghosts.iter())
                        .collect();
                    let objects = names
                        .into_iter()
                        .map(|n| (n.clone(), json!({"metadata": {"name": n}, "spec": {}})))
                        .collect();
                    list("ClusterQueueList", objects, query)
                }
                "localqueues" => {
                    let lqs = world
                        .local_queues
                        .iter()
                        .map(|(ns, n, cq)| {
                            (
                                format!("{ns}/{n}"),
                                json!({"metadata": {"name": n, "namespace": ns},
                                       "spec": {"clusterQueue": cq}}),
                            )
                        })
                        .collect();
                    list("LocalQueueList", lqs, query)
                }
                _ => not_found(),
            }
        }
        ["apis", "visibility.kueue.x-k8s.io", v, "clusterqueues", name, "pendingworkloads"]
            if world.visibility_versions.iter().any(|x| x == v) =>
        {
            match world.cluster_queues.get(*name) {
                Some(items) => pending(items, v, query),
                None => not_found(),
            }
        }
        ["apis", "visibility.kueue.x-k8s.io", v, "namespaces", ns, "localqueues", name, "pendingworkloads"]
            if world.visibility_versions.iter().any(|x| x == v) =>
        {
            if !world
                .local_queues
                .iter()
                .any(|(n, q, _)| n == ns && q == name)
            {
                return not_found();
            }
            pending(&local_queue_items(world, ns, name), v, query)
        }
        _ => not_found(),
    }
}
