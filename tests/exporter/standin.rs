//! A loopback stand-in for the Kubernetes API server: discovery of the two Kueue groups, the
//! ClusterQueue and LocalQueue lists (paged with `continue`), and the visibility API's
//! pendingworkloads endpoints (paged with `limit`/`offset`), with faults on demand.
//!
//! It answers like the real server where the exporter can tell: Kubernetes `Status` bodies
//! for errors, 401 without the right bearer token, 404 for unknown versions and queues.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// A fault the stand-in answers with instead of the real answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// An HTTP status with a Kubernetes `Status` body.
    Status(u16),
    /// The real answer, after this delay.
    Slow(Duration),
    /// 200 with a body that is not a PendingWorkloadsSummary.
    Malformed,
}

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Whether the bearer token was right.
    pub authorized: bool,
}

/// What the stand-in serves; tests change it while the exporter runs.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Bearer token every request must carry.
    pub token: String,
    /// Served versions of kueue.x-k8s.io, preferred first.
    pub kueue_versions: Vec<String>,
    /// Served versions of visibility.kueue.x-k8s.io, preferred first.
    pub visibility_versions: Vec<String>,
    /// Cluster queues and their pending workloads (items in queue order).
    pub cluster_queues: BTreeMap<String, Vec<Value>>,
    /// Names listed as ClusterQueues that have no pending-workloads answer (deleted since).
    pub ghosts: Vec<String>,
    /// LocalQueues: (namespace, name, cluster queue).
    pub local_queues: Vec<(String, String, String)>,
    /// Faults by cluster queue name (applies to its pendingworkloads).
    pub queue_faults: BTreeMap<String, Fault>,
    /// Fault of the ClusterQueue list.
    pub list_fault: Option<Fault>,
}

/// The running stand-in.
pub struct StandIn {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// What it serves.
    pub world: Arc<Mutex<World>>,
    /// Every request it received.
    pub log: Arc<Mutex<Vec<Logged>>>,
    stop: Arc<AtomicBool>,
}

impl StandIn {
    /// Starts serving `world` on a free loopback port.
    pub fn start(world: World) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let world = Arc::new(Mutex::new(world));
        let log = Arc::new(Mutex::new(Vec::new()));
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
    pub fn update(&self, f: impl FnOnce(&mut World)) {
        f(&mut self.world.lock().unwrap());
    }

    /// Stops listening: the API server becomes unreachable.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// A kubeconfig file pointing at the stand-in with its token.
    pub fn kubeconfig(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let token = self.world.lock().unwrap().token.clone();
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    \
                 server: http://127.0.0.1:{}\nusers:\n- name: exporter\n  user:\n    token: {token}\n\
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

fn handle(conn: TcpStream, world: &Mutex<World>, log: &Mutex<Vec<Logged>>) -> std::io::Result<()> {
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
    // A slow answer sleeps without holding the lock, so other requests go on meanwhile.
    let delay = {
        let w = world.lock().unwrap();
        w.queue_faults.iter().find_map(|(name, fault)| match fault {
            Fault::Slow(d)
                if path.ends_with(&format!("/clusterqueues/{name}/pendingworkloads")) =>
            {
                Some(*d)
            }
            _ => None,
        })
    };
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    let snapshot = world.lock().unwrap();
    let authorized = auth.as_deref() == Some(&format!("Bearer {}", snapshot.token));
    log.lock().unwrap().push(Logged {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        authorized,
    });
    let (code, body) = if !authorized {
        status(401, "Unauthorized", "Unauthorized")
    } else if method != "GET" {
        status(405, "MethodNotAllowed", "only GET here")
    } else {
        route(&snapshot, &path, &query)
    };
    drop(snapshot);
    let mut conn = conn;
    let head = format!(
        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes())?;
    conn.write_all(body.as_bytes())?;
    conn.flush()
}

fn status(code: u16, reason: &str, message: &str) -> (u16, String) {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    });
    (code, body.to_string())
}

fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

fn apply(fault: Option<&Fault>, path: &str) -> Option<(u16, String)> {
    match fault? {
        Fault::Status(403) => Some(status(
            403,
            "Forbidden",
            &format!("User \"system:serviceaccount:kueue-system:kubeprom-kueue-exporter\" cannot get path {path}"),
        )),
        Fault::Status(404) => Some(status(404, "NotFound", "not found")),
        Fault::Status(code) => Some(status(*code, "InternalError", "internal error")),
        // Slept in `handle`, before the lock was taken.
        Fault::Slow(_) => None,
        Fault::Malformed => Some((200, "<html>502 Bad Gateway</html>".to_owned())),
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

/// Lists paged two objects at a time, so `continue` is exercised.
fn list(kind: &str, objects: Vec<Value>, query: &str) -> (u16, String) {
    let from: usize = param(query, "continue")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let to = (from + 2).min(objects.len());
    let next = if to < objects.len() {
        to.to_string()
    } else {
        String::new()
    };
    let body = json!({
        "kind": kind, "apiVersion": "kueue.x-k8s.io/v1beta1",
        "metadata": {"continue": next, "resourceVersion": "1"},
        "items": objects.get(from..to).unwrap_or(&[]),
    });
    (200, body.to_string())
}

fn pending(items: &[Value], version: &str, query: &str) -> (u16, String) {
    let limit: usize = param(query, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let offset: usize = param(query, "offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let page: Vec<&Value> = items.iter().skip(offset).take(limit).collect();
    let body = json!({
        "kind": "PendingWorkloadsSummary",
        "apiVersion": format!("visibility.kueue.x-k8s.io/{version}"),
        "metadata": {"creationTimestamp": null},
        "items": page,
    });
    (200, body.to_string())
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

fn route(world: &World, path: &str, query: &str) -> (u16, String) {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let not_found = || {
        status(
            404,
            "NotFound",
            &format!("the server could not find {path}"),
        )
    };
    match segs.as_slice() {
        ["apis", "kueue.x-k8s.io"] => (200, group("kueue.x-k8s.io", &world.kueue_versions)),
        ["apis", "visibility.kueue.x-k8s.io"] if world.visibility_versions.is_empty() => {
            not_found()
        }
        ["apis", "visibility.kueue.x-k8s.io"] => (
            200,
            group("visibility.kueue.x-k8s.io", &world.visibility_versions),
        ),
        ["apis", "kueue.x-k8s.io", v, resource] if world.kueue_versions.iter().any(|x| x == v) => {
            match *resource {
                "clusterqueues" => {
                    if let Some(r) = apply(world.list_fault.as_ref(), path) {
                        return r;
                    }
                    let names = world
                        .cluster_queues
                        .keys()
                        .chain(world.ghosts.iter())
                        .map(|n| json!({"metadata": {"name": n}, "spec": {}}))
                        .collect();
                    list("ClusterQueueList", names, query)
                }
                "localqueues" => {
                    let lqs = world
                        .local_queues
                        .iter()
                        .map(|(ns, n, cq)| {
                            json!({"metadata": {"name": n, "namespace": ns},
                                   "spec": {"clusterQueue": cq}})
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
            if let Some(r) = apply(world.queue_faults.get(*name), path) {
                return r;
            }
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
