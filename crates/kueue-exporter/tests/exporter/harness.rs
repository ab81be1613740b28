//! Starting the exporter binary and a real Prometheus, reading them, and RBAC bookkeeping.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::standin::{Logged, StandIn};

/// A fresh directory under the system temp dir.
pub fn temp_dir(what: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "kubeprom-exporter-{what}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Calls `f` until it gives a value, or panics after `limit` naming `what`.
pub fn eventually<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn get(url: &str, accept: Option<&str>) -> Result<(String, String), String> {
    let mut req = ureq::get(url);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    let mut resp = req.call().map_err(|e| e.to_string())?;
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = resp
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((ctype, body))
}

/// The exporter binary, running against a stand-in.
pub struct Exporter {
    /// Port of its HTTP server.
    pub port: u16,
    child: Mutex<Child>,
    log: PathBuf,
    dir: PathBuf,
}

impl Exporter {
    /// Starts the binary with a kubeconfig for `api`, listening on a free loopback port.
    pub fn start(api: &StandIn, args: &[&str]) -> Exporter {
        let dir = temp_dir("run");
        let kubeconfig = api.kubeconfig(&dir);
        Exporter::spawn(dir, &kubeconfig, args)
    }

    /// Starts the binary with the kubeconfig file `kubeconfig`, listening on a free loopback
    /// port.
    pub fn start_with_kubeconfig(kubeconfig: &std::path::Path, args: &[&str]) -> Exporter {
        Exporter::spawn(temp_dir("run"), kubeconfig, args)
    }

    fn spawn(dir: PathBuf, kubeconfig: &std::path::Path, args: &[&str]) -> Exporter {
        let port = free_port();
        let log = dir.join("exporter.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kubeprom-kueue-exporter"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg(format!("--listen-address=127.0.0.1:{port}"))
            .args(args)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        let e = Exporter {
            port,
            child: Mutex::new(child),
            log,
            dir,
        };
        eventually(Duration::from_secs(20), "the exporter to listen", || {
            e.healthy().then_some(())
        });
        e
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Whether /healthz answers 200.
    pub fn healthy(&self) -> bool {
        get(&self.url("/healthz"), None).is_ok()
    }

    /// Whether /readyz answers 200.
    pub fn ready(&self) -> bool {
        get(&self.url("/readyz"), None).is_ok()
    }

    /// Content type and body of /metrics.
    pub fn metrics(&self, accept: Option<&str>) -> (String, String) {
        get(&self.url("/metrics"), accept).unwrap()
    }

    /// /metrics (text 0.0.4) as `series -> value`, the series written as the exporter writes it.
    pub fn scrape(&self) -> BTreeMap<String, f64> {
        let (_, text) = self.metrics(None);
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let (series, value) = l.rsplit_once(' ').unwrap();
                (series.to_owned(), value.parse().unwrap())
            })
            .collect()
    }

    /// `VmHWM` (peak resident memory) of the process, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// `VmRSS` (resident memory now) of the process, in KiB.
    #[allow(dead_code)] // used by the soak (tests/exporter_soak)
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let pid = self.child.lock().unwrap().id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Its process id.
    #[allow(dead_code)] // used by the soak (tests/exporter_soak)
    pub fn pid(&self) -> u32 {
        self.child.lock().unwrap().id()
    }

    /// Whether the process is still running.
    #[allow(dead_code)] // used by the soak (tests/exporter_soak)
    pub fn running(&self) -> bool {
        matches!(self.child.lock().unwrap().try_wait(), Ok(None))
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// Sends SIGTERM and waits (at most 10 s) for it to exit.
    pub fn terminate(&self) -> ExitStatus {
        let mut child = self.child.lock().unwrap();
        let pid = child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit within 10 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // A failed test keeps the log (its path is in the panic message of `eventually` users).
        if std::thread::panicking() {
            eprintln!("exporter log: {}", self.log.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A real Prometheus scraping one target every second.
pub struct Prometheus {
    port: u16,
    child: Child,
    dir: PathBuf,
}

impl Prometheus {
    /// Starts Prometheus on a free loopback port, scraping `127.0.0.1:target` every second.
    pub fn start(target: u16) -> Prometheus {
        Prometheus::start_every(target, 1)
    }

    /// Starts Prometheus on a free loopback port, scraping `127.0.0.1:target` every
    /// `seconds`, with a scrape timeout of as long.
    pub fn start_every(target: u16, seconds: u32) -> Prometheus {
        let dir = temp_dir("prometheus");
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: {seconds}s\n  scrape_timeout: {seconds}s\n\
                 scrape_configs:\n  - job_name: kueue-exporter\n    static_configs:\n      \
                 - targets: ['127.0.0.1:{target}']\n"
            ),
        )
        .unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("prometheus must be on PATH (Debian: apt-get install prometheus): {e}")
            });
        Prometheus { port, child, dir }
    }

    /// The result vector of an instant query (empty while Prometheus is starting).
    pub fn query(&self, promql: &str) -> Vec<Value> {
        let url = format!("http://127.0.0.1:{}/api/v1/query", self.port);
        let Ok(mut resp) = ureq::get(&url).query("query", promql).call() else {
            return Vec::new();
        };
        let body = resp.body_mut().read_to_string().unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        v["data"]["result"].as_array().cloned().unwrap_or_default()
    }

    /// The value of a query that must give exactly one series.
    pub fn value(&self, promql: &str) -> f64 {
        let r = self.query(promql);
        assert_eq!(r.len(), 1, "{promql}: {r:?}");
        r[0]["value"][1].as_str().unwrap().parse().unwrap()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `promtool check metrics` on an exposition; panics with its complaints.
pub fn promtool_check_metrics(text: &str) {
    use std::io::Write;
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool must be on PATH");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The RBAC permission `(apiGroup, resource[/subresource], verb)` a request needs, by
/// Kubernetes' own rules (a GET of a collection is `list`, of a named object `get`); `None`
/// for a request outside `/apis/GROUP/VERSION/...` (discovery).
pub fn rbac_of(r: &Logged) -> Option<(String, String, String)> {
    let segs: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match segs.as_slice() {
        ["apis", group, _version, rest @ ..] if !rest.is_empty() => (*group, rest),
        _ => return None,
    };
    let rest = match rest {
        ["namespaces", _ns, tail @ ..] if !tail.is_empty() => tail,
        other => other,
    };
    assert_eq!(r.method, "GET", "the exporter only reads");
    Some(match rest {
        [resource] => (group.into(), (*resource).into(), "list".into()),
        [resource, _name] => (group.into(), (*resource).into(), "get".into()),
        [resource, _name, sub] => (group.into(), format!("{resource}/{sub}"), "get".into()),
        other => panic!("unexpected path {other:?}"),
    })
}

/// Every `(apiGroup, resource, verb)` the ClusterRole in a manifest file grants.
pub fn cluster_role_grants(path: &str) -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    let roles: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "ClusterRole").collect();
    assert_eq!(roles.len(), 1, "one ClusterRole in {path}");
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let mut out = BTreeSet::new();
    for rule in roles[0]["rules"].as_array().unwrap() {
        assert!(rule.get("resourceNames").is_none() && rule.get("nonResourceURLs").is_none());
        for g in strs(&rule["apiGroups"]) {
            for res in strs(&rule["resources"]) {
                for verb in strs(&rule["verbs"]) {
                    out.insert((g.clone(), res.clone(), verb));
                }
            }
        }
    }
    out
}
