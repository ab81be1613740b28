//! The exporter under chaos: a soak program (`harness = false`), not a timed test.
//!
//! The exporter binary polls the loopback API stand-in of tests/exporter/standin.rs as fast as
//! `--poll-interval` allows, while
//!
//! - the stand-in answers a share of all requests with a fault drawn from a seeded generator
//!   (5xx, 429 with Retry-After, slow headers and slow bodies on both sides of
//!   `--request-timeout`, bodies cut mid-way, malformed bodies), the same faults for the same
//!   seed;
//! - queues appear and disappear (a seeded schedule over the poll count), so some reads meet a
//!   queue deleted since it was listed;
//! - the bearer token is rotated as the kubelet rotates a projected service-account token: the
//!   API server accepts the new token, the token file is replaced atomically, the old token
//!   stays valid for an overlap and is then revoked;
//! - a real Prometheus scrapes `/metrics` (OpenMetrics), and two threads of this program read
//!   it ten times a second between them (one text, one OpenMetrics).
//!
//! Every page read is checked against the stand-in's log (see track.rs): error counters
//! against the faults served, queues present while they exist, gone after a clean list, `up`
//! against the poll's outcome. At the end: every fault counted exactly (per queue and kind),
//! the latency of `/metrics` within its deadline, resident memory flat, Prometheus's `up`
//! always 1, a clean exit on SIGTERM. It prints a figures table and
//! `exporter soak: N passed, N failed`, and exits non-zero on any failure.
//!
//! ```sh
//! cargo test -p kubeprom-kueue-exporter --test exporter_soak                              # bounded (CI)
//! cargo test --release -p kubeprom-kueue-exporter --test exporter_soak -- --polls 10000   # the long run
//! ```
//!
//! Flags (after `--`) or environment variables: `--polls N` (`SOAK_POLLS`), `--seed N`
//! (`SOAK_SEED`), `--poll-interval S`, `--request-timeout S`, `--deadline S`,
//! `--fault-percent P`, `--rotate-every S`, `--token-overlap S` (`SOAK_` + the name in capitals
//! with `_`). Needs `prometheus` on PATH (Debian package `prometheus`).

#[allow(dead_code)]
#[path = "../exporter/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../exporter/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../exporter/standin.rs"]
mod standin;

mod expo;
mod track;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use harness::{Exporter, Prometheus};
use standin::{Chaos, Fault, SplitMix64, StandIn, World};
use track::{QueueEvent, Tracker};

/// The default seed ("kubeprom" in ASCII), so that two runs without `--seed` meet the same
/// faults.
const DEFAULT_SEED: u64 = 0x6b75_6265_7072_6f6d;

/// Sizes of the queues that come and go, named `dyn-0`...: empty, within one page of 100,
/// exactly one page (the exporter must ask for a second, empty page), several pages, and the
/// fixture's unreadable item (index 137) in or out.
const DYNAMIC_SIZES: [usize; 8] = [0, 7, 42, 99, 100, 137, 200, 251];

/// Settings of one run.
#[derive(Debug, Clone)]
struct Config {
    polls: u64,
    seed: u64,
    poll_interval: f64,
    request_timeout: f64,
    deadline: f64,
    fault_percent: f64,
    rotate_every: f64,
    token_overlap: f64,
    /// Pause between two reads of `/metrics` by one soak thread.
    pause: Duration,
    /// Prometheus's scrape interval (and timeout), seconds.
    prometheus_every: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // A few minutes on the 2-core CI machine; the documented long run passes 10000.
            polls: 1000,
            seed: DEFAULT_SEED,
            // Polls back to back in practice: each makes ~19 calls.
            poll_interval: 0.01,
            // Short, so that the faults beyond it cost little; slow answers within it take a
            // tenth of it, those beyond it 0.5 s more, so a loaded machine has 1.8 s of
            // margin before a good answer would be taken for a timeout.
            request_timeout: 2.0,
            // /metrics is rendered from memory and must not wait on a poll. A poll with a call
            // that times out lasts at least the request timeout, 2 s, so a server that made
            // /metrics wait would miss this deadline; measured (README): at most 0.2 s in a
            // release build, 0.8 s in a debug build with the machine at load average 12.
            deadline: 2.0,
            fault_percent: 3.0,
            rotate_every: 90.0,
            // kube re-reads a token file at its first call 50 s or more after the last read
            // (60 s cache, 10 s early), so a rotation is picked up within 50 s plus the gap
            // to that call (51 s measured); Kubernetes keeps a rotated-out token valid for at
            // least 20% of its TTL (2 min with the 10 min minimum), so 65 s is stricter than
            // any real cluster.
            token_overlap: 65.0,
            // Each read costs the exporter a render (tens of ms in a debug build): ten reads a
            // second from the two threads, five times Prometheus's rate per thread.
            pause: Duration::from_millis(100),
            prometheus_every: 2,
        }
    }
}

/// What the arguments asked for.
enum Invocation {
    Run(Config),
    /// `--list` or a test-name filter that does not select the soak (`cargo test NAME` passes
    /// its filter to every test binary).
    Skip(&'static str),
}

fn parse_config() -> Result<Invocation, String> {
    let mut c = Config::default();
    let env = |name: &str| std::env::var(format!("SOAK_{name}")).ok();
    let set = |c: &mut Config, key: &str, value: &str| -> Result<(), String> {
        let num = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| format!("{key}: {value:?} is not a positive number"))
        };
        match key {
            "polls" => {
                c.polls = value
                    .parse()
                    .map_err(|e| format!("polls: {value:?}: {e}"))?
            }
            "seed" => {
                c.seed = match value.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => value.parse(),
                }
                .map_err(|e| format!("seed: {value:?}: {e}"))?
            }
            "poll-interval" => c.poll_interval = num()?,
            "request-timeout" => c.request_timeout = num()?,
            "deadline" => c.deadline = num()?,
            "fault-percent" => c.fault_percent = num()?.min(100.0),
            "rotate-every" => c.rotate_every = num()?,
            "token-overlap" => c.token_overlap = num()?,
            other => return Err(format!("unknown flag --{other}")),
        }
        Ok(())
    };
    for key in [
        "polls",
        "seed",
        "poll-interval",
        "request-timeout",
        "deadline",
        "fault-percent",
        "rotate-every",
        "token-overlap",
    ] {
        if let Some(v) = env(&key.replace('-', "_").to_uppercase()) {
            set(&mut c, key, &v)?;
        }
    }
    let mut args = std::env::args().skip(1);
    let mut filters = Vec::new();
    while let Some(arg) = args.next() {
        // libtest's flags, which `cargo test -- ...` may pass to every test binary.
        match arg.as_str() {
            "--nocapture" | "--show-output" | "--quiet" | "-q" | "--ignored"
            | "--include-ignored" | "--exact" | "--test" => continue,
            "--list" => return Ok(Invocation::Skip("--list")),
            "--test-threads" | "--color" | "--format" | "--skip" => {
                args.next();
                continue;
            }
            _ => {}
        }
        if arg.starts_with("--test-threads=")
            || arg.starts_with("--color=")
            || arg.starts_with("--format=")
        {
            continue;
        }
        match arg.strip_prefix("--") {
            Some(flag) => {
                let (key, value) = match flag.split_once('=') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None => (
                        flag.to_owned(),
                        args.next()
                            .ok_or_else(|| format!("--{flag} needs a value"))?,
                    ),
                };
                set(&mut c, &key, &value)?;
            }
            None => filters.push(arg),
        }
    }
    if !filters.is_empty() && !filters.iter().any(|f| "exporter_soak".contains(f.as_str())) {
        return Ok(Invocation::Skip("filtered out"));
    }
    if c.request_timeout < 0.5 {
        return Err(
            "--request-timeout must be at least 0.5 s: slow answers within it take a tenth of it, \
             which must stay clear of a loaded machine's own delays"
                .into(),
        );
    }
    Ok(Invocation::Run(c))
}

/// The faults the stand-in draws from, with their weights. Slow answers within the timeout
/// must not be counted; those beyond it must be counted as `timeout`.
fn menu(request_timeout: Duration) -> Vec<(u32, Fault)> {
    vec![
        (3, Fault::Status(500)),
        (1, Fault::Status(502)),
        (3, Fault::Status(503)),
        (1, Fault::Status(504)),
        (3, Fault::TooManyRequests(1)),
        (3, Fault::Malformed),
        (4, Fault::Truncated),
        (2, Fault::Slow(request_timeout / 10)),
        (2, Fault::SlowBody(request_timeout / 10)),
        (1, Fault::Slow(request_timeout + Duration::from_millis(500))),
        (
            1,
            Fault::SlowBody(request_timeout + Duration::from_millis(500)),
        ),
    ]
}

/// Every queue name the soak uses, with its items, and which are present at the start.
struct Queues {
    items: BTreeMap<String, Vec<Value>>,
    expected: BTreeMap<String, f64>,
    initial: Vec<String>,
    dynamic: Vec<String>,
}

fn queues() -> Queues {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let fixtures = fixtures::queues(now - fixtures::fixture_now());
    let mut items = BTreeMap::new();
    let mut expected = BTreeMap::new();
    let mut add = |q: fixtures::Queue| {
        let (e, _) = fixtures::expect(&q, "positionInLocalQueue");
        expected.insert(q.name.clone(), e.pending as f64);
        items.insert(q.name, q.items);
    };
    let gpu = fixtures
        .iter()
        .find(|q| q.name == "gpu-a100")
        .expect("the gpu-a100 fixture")
        .clone();
    let mut initial: Vec<String> = fixtures.iter().map(|q| q.name.clone()).collect();
    for q in fixtures {
        add(q);
    }
    add(fixtures::Queue {
        name: "idle".into(),
        items: Vec::new(),
        bad: Vec::new(),
    });
    initial.push("idle".into());
    let mut dynamic = Vec::new();
    for (i, n) in DYNAMIC_SIZES.iter().enumerate() {
        let n = (*n).min(gpu.items.len());
        let name = format!("dyn-{i}");
        add(fixtures::Queue {
            name: name.clone(),
            items: gpu.items[..n].to_vec(),
            bad: gpu.bad.iter().copied().filter(|b| *b < n).collect(),
        });
        if i % 2 == 0 {
            initial.push(name.clone());
        }
        dynamic.push(name);
    }
    Queues {
        items,
        expected,
        initial,
        dynamic,
    }
}

/// Replaces the token file in one step, as the kubelet's atomic writer swaps a projected
/// volume's files: a reader sees the old token or the new one, never a mix.
fn write_token(path: &Path, token: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, token).expect("write the token");
    std::fs::rename(&tmp, path).expect("replace the token file");
}

/// One token rotation.
#[derive(Debug, Clone)]
struct Rotation {
    at: Instant,
    old: String,
    new: String,
    revoked_at: Option<Instant>,
}

/// Latencies and failures of the soak's own `/metrics` reads.
#[derive(Debug, Default)]
struct Reads {
    latencies: Vec<f64>,
    over_deadline: u64,
    failed: u64,
    malformed: u64,
    examples: Vec<String>,
}

/// What the control loop and the two reader threads share.
struct Shared {
    tracker: Mutex<Tracker>,
    /// Queue changes, pushed with the world locked, drained by the checks.
    events: Mutex<Vec<QueueEvent>>,
    reads: Mutex<Reads>,
    stop: AtomicBool,
}

/// Reads `/metrics` once: latency, and the body or why not.
fn read_metrics(
    agent: &ureq::Agent,
    url: &str,
    openmetrics: bool,
) -> (Duration, Result<String, String>) {
    let accept = if openmetrics {
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    } else {
        "text/plain;version=0.0.4"
    };
    let started = Instant::now();
    let result = (|| {
        let mut resp = agent
            .get(url)
            .header("Accept", accept)
            .call()
            .map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("body: {e}"))?;
        if status != 200 {
            return Err(format!("status {status}"));
        }
        let want = if openmetrics {
            "application/openmetrics-text"
        } else {
            "text/plain; version=0.0.4"
        };
        if !ctype.starts_with(want) {
            return Err(format!("content type {ctype:?}"));
        }
        if openmetrics && !body.ends_with("# EOF\n") {
            return Err("OpenMetrics page without # EOF".to_owned());
        }
        Ok(body)
    })();
    (started.elapsed(), result)
}

/// Takes in what the stand-in logged and the queue changes, then checks `page`.
fn check_page(shared: &Shared, api: &StandIn, page: &expo::Page, received: Instant) {
    let mut tracker = shared.tracker.lock().expect("tracker lock");
    let new = api.requests_from(tracker.cursor());
    tracker.ingest(&new);
    let events: Vec<QueueEvent> = std::mem::take(&mut *shared.events.lock().expect("events lock"));
    tracker.add_events(events);
    tracker.check(page, received);
}

/// One reader thread: reads `/metrics` (text or OpenMetrics) until told to stop, timing each
/// read and checking each page.
fn scraper(
    shared: Arc<Shared>,
    api: Arc<StandIn>,
    url: String,
    openmetrics: bool,
    deadline: Duration,
    pause: Duration,
) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            // Far beyond the deadline, so a slow answer is measured, not cut.
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build(),
    );
    while !shared.stop.load(Ordering::SeqCst) {
        let (latency, result) = read_metrics(&agent, &url, openmetrics);
        let received = Instant::now();
        let parsed = result.and_then(|body| expo::parse(&body));
        {
            let mut reads = shared.reads.lock().expect("reads lock");
            reads.latencies.push(latency.as_secs_f64());
            if latency > deadline {
                reads.over_deadline += 1;
            }
            if let Err(e) = &parsed {
                if e.starts_with("request failed") || e.starts_with("status") {
                    reads.failed += 1;
                } else {
                    reads.malformed += 1;
                }
                if reads.examples.len() < 5 {
                    reads.examples.push(e.clone());
                }
            }
        }
        if let Ok(samples) = parsed {
            check_page(&shared, &api, &expo::Page::new(&samples), received);
        }
        std::thread::sleep(pause);
    }
}

/// User plus system CPU seconds of a process (`/proc/PID/stat`, in clock ticks of 1/100 s,
/// Linux's USER_HZ on every architecture the soak runs on).
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (tick(11) + tick(12)) / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Least-squares slope of `y` over `x` (0 with fewer than two distinct `x`).
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// One check's outcome.
struct Check {
    name: String,
    ok: bool,
    detail: String,
}

fn prom_value(prom: &Prometheus, promql: &str) -> Option<f64> {
    let r = prom.query(promql);
    if r.len() != 1 {
        return None;
    }
    r[0]["value"][1].as_str()?.parse().ok()
}

fn main() -> ExitCode {
    let config = match parse_config() {
        Ok(Invocation::Run(c)) => c,
        Ok(Invocation::Skip(why)) => {
            if why == "--list" {
                println!("exporter_soak: test");
            } else {
                println!("exporter soak: skipped ({why})");
            }
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("exporter soak: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = expo::self_check() {
        eprintln!("exporter soak: {e}");
        return ExitCode::FAILURE;
    }
    let checks = run(&config);
    let failed = checks.iter().filter(|c| !c.ok).count();
    println!();
    for c in &checks {
        println!(
            "{} {:<58} {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    println!(
        "exporter soak: {} passed, {} failed",
        checks.len() - failed,
        failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run(cfg: &Config) -> Vec<Check> {
    let request_timeout = Duration::from_secs_f64(cfg.request_timeout);
    let deadline = Duration::from_secs_f64(cfg.deadline);
    let q = queues();
    let begin = Instant::now();

    let mut world = World {
        token: format!("soak-token-0-{:x}", cfg.seed),
        kueue_versions: vec!["v1beta1".into()],
        visibility_versions: vec!["v1beta2".into(), "v1beta1".into()],
        chaos: Some(Chaos {
            seed: cfg.seed,
            per_million: (cfg.fault_percent * 10_000.0) as u32,
            menu: menu(request_timeout),
        }),
        ..World::default()
    };
    for name in &q.initial {
        world
            .cluster_queues
            .insert(name.clone(), q.items[name].clone());
    }
    let shared = Arc::new(Shared {
        tracker: Mutex::new(Tracker::new(request_timeout, q.expected.clone())),
        events: Mutex::new(
            q.initial
                .iter()
                .map(|name| QueueEvent {
                    at: begin,
                    queue: name.clone(),
                    present: true,
                })
                .collect(),
        ),
        reads: Mutex::new(Reads::default()),
        stop: AtomicBool::new(false),
    });
    let api = Arc::new(StandIn::start(world.clone()));
    let dir = harness::temp_dir("soak");
    let token_path = dir.join("token");
    write_token(&token_path, &world.token);
    let kubeconfig = api.kubeconfig_with_token_file(&dir, &token_path);
    let poll_interval = format!("{}", cfg.poll_interval);
    let timeout_arg = format!("{}", cfg.request_timeout);
    let exporter = Exporter::start_with_kubeconfig(
        &kubeconfig,
        &[
            "--poll-interval",
            &poll_interval,
            "--request-timeout",
            &timeout_arg,
            "--page-size",
            "100",
            "--head-limit",
            "3",
        ],
    );
    let prom_started = Instant::now();
    let prom = Prometheus::start_every(exporter.port, cfg.prometheus_every);
    let url = format!("http://127.0.0.1:{}/metrics", exporter.port);
    let scrapers: Vec<_> = [false, true]
        .into_iter()
        .map(|om| {
            let (shared, api, url) = (Arc::clone(&shared), Arc::clone(&api), url.clone());
            let pause = cfg.pause;
            std::thread::spawn(move || scraper(shared, api, url, om, deadline, pause))
        })
        .collect();

    println!(
        "exporter soak: seed {:#x}, {} polls, --poll-interval {} --request-timeout {}, {}% of requests faulted, /metrics deadline {} s",
        cfg.seed, cfg.polls, cfg.poll_interval, cfg.request_timeout, cfg.fault_percent, cfg.deadline
    );

    // The schedule of queue changes and rotations has its own generator, so it does not
    // shift the faults' draws.
    let mut rng = SplitMix64::new(cfg.seed ^ 0x5ca1_ab1e);
    let mut next_toggle = 5 + rng.below(26);
    let mut toggles = (0u64, 0u64);
    let mut rotations: Vec<Rotation> = Vec::new();
    let mut next_rotation = begin + Duration::from_secs(10);
    let mut rss: Vec<(u64, u64)> = Vec::new();
    let mut next_rss = Instant::now();
    let mut next_report = cfg.polls / 10;
    let mut last_progress = (0u64, Instant::now());
    let mut stalled = false;
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let now = Instant::now();
        let polls_seen = shared.tracker.lock().expect("tracker lock").polls_seen;
        if !exporter.running() {
            println!("the exporter exited");
            break;
        }
        if polls_seen > last_progress.0 {
            last_progress = (polls_seen, now);
        } else if now - last_progress.1 > Duration::from_secs(60) {
            stalled = true;
            println!("no poll completed for 60 s");
            break;
        }
        let started = api.polls();
        if started >= next_toggle {
            let name = q.dynamic[rng.below(q.dynamic.len() as u64) as usize].clone();
            let items = q.items[&name].clone();
            let added = api.update(|w| {
                let added = if w.cluster_queues.remove(&name).is_some() {
                    false
                } else {
                    w.cluster_queues.insert(name.clone(), items);
                    true
                };
                shared.events.lock().expect("events lock").push(QueueEvent {
                    at: Instant::now(),
                    queue: name.clone(),
                    present: added,
                });
                added
            });
            if added {
                toggles.0 += 1;
            } else {
                toggles.1 += 1;
            }
            next_toggle = started + 5 + rng.below(26);
        }
        if now >= next_rotation {
            let new = format!("soak-token-{}-{:x}", rotations.len() + 1, cfg.seed);
            // The API server knows the new token before the kubelet writes it.
            let old = api.update(|w| {
                let old = std::mem::replace(&mut w.token, new.clone());
                w.old_tokens.push(old.clone());
                old
            });
            write_token(&token_path, &new);
            rotations.push(Rotation {
                at: Instant::now(),
                old,
                new,
                revoked_at: None,
            });
            next_rotation = now + Duration::from_secs_f64(cfg.rotate_every);
        }
        for r in rotations.iter_mut().filter(|r| r.revoked_at.is_none()) {
            if now >= r.at + Duration::from_secs_f64(cfg.token_overlap) {
                api.update(|w| w.old_tokens.retain(|t| *t != r.old));
                r.revoked_at = Some(Instant::now());
            }
        }
        if now >= next_rss {
            rss.push((polls_seen, exporter.rss_kib()));
            next_rss = now + Duration::from_secs(1);
        }
        if polls_seen >= next_report && next_report > 0 {
            let t = shared.tracker.lock().expect("tracker lock");
            println!(
                "  {polls_seen:>6} polls  {:>6.0} s  RSS {:>5.1} MiB  {:>6} requests  {:>5} faults  {:>6} pages  failures so far: {}",
                begin.elapsed().as_secs_f64(),
                rss.last().map_or(0.0, |r| r.1 as f64 / 1024.0),
                t.requests,
                t.served_by_fault.values().sum::<u64>(),
                t.pages,
                t.present.failed + t.values.failed + t.absent.failed + t.counters.failed + t.up.failed
            );
            next_report += cfg.polls / 10;
        }
        if polls_seen >= cfg.polls && rotations.iter().any(|r| r.revoked_at.is_some()) {
            break;
        }
    }

    // Quiesce: no more faults; once a poll begun after this has completed, every fault
    // served belongs to a completed poll and the counters must match exactly.
    api.update(|w| w.chaos = None);
    let last_faulted = api.polls();
    let settle = Instant::now();
    while shared.tracker.lock().expect("tracker lock").polls_seen < last_faulted + 1
        && settle.elapsed() < Duration::from_secs(60)
        && exporter.running()
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    shared.stop.store(true, Ordering::SeqCst);
    for s in scrapers {
        let _ = s.join();
    }
    let elapsed = begin.elapsed();
    let final_page = {
        let agent = ureq::Agent::new_with_defaults();
        let (_, body) = read_metrics(&agent, &url, false);
        body.and_then(|b| expo::parse(&b))
            .map(|s| expo::Page::new(&s))
    };
    if let Ok(page) = &final_page {
        check_page(&shared, &api, page, Instant::now());
    }
    rss.push((
        shared.tracker.lock().expect("tracker lock").polls_seen,
        exporter.rss_kib(),
    ));
    let peak_rss = exporter.peak_rss_kib();
    let exporter_cpu = cpu_seconds(&exporter.pid().to_string());
    let soak_cpu = cpu_seconds("self");

    // Prometheus's view of the whole run.
    let range = prom_started.elapsed().as_secs().max(1);
    let job = "{job=\"kueue-exporter\"}";
    let up_now = prom_value(&prom, &format!("up{job}"));
    let up_min = prom_value(&prom, &format!("min_over_time(up{job}[{range}s])"));
    let scrapes = prom_value(&prom, &format!("count_over_time(up{job}[{range}s])"));
    let scrape_max = prom_value(
        &prom,
        &format!("max_over_time(scrape_duration_seconds{job}[{range}s])"),
    );
    let prom_gpu = prom_value(
        &prom,
        "kubeprom_kueue_pending_workloads{cluster_queue=\"gpu-a100\"}",
    );

    let log = exporter.log();
    let terminated =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exporter.terminate()));

    // Figures and checks.
    let t = shared.tracker.lock().expect("tracker lock");
    let reads = shared.reads.lock().expect("reads lock");
    let mut lat = reads.latencies.clone();
    lat.sort_by(f64::total_cmp);
    let totals = t.faults_total();
    let faults_total: u64 = totals.values().sum();
    let mut by_kind: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    for ((_, kind), n) in &totals {
        by_kind.entry(kind.clone()).or_default().0 += n;
    }
    if let Ok(page) = &final_page {
        for ((_, kind), v) in &page.errors {
            by_kind.entry(kind.clone()).or_default().1 += v;
        }
    }
    let unauthorized = by_kind.get("unauthorized").map_or(0, |k| k.0);
    let fault_lines = log
        .lines()
        .filter(|l| {
            l.contains(" WARN ") && l.contains(" kind=\"") && !l.contains("kind=\"malformed_item\"")
        })
        .count() as u64;

    // RSS: after warm-up against the end. The warm-up is the first tenth of the polls (at
    // least 100): every queue size, fault path and page shape has been met, and the
    // allocator's arenas have grown to their working size.
    let polls_done = t.polls_seen;
    let warm = (polls_done / 10).max(100);
    let base: Vec<u64> = rss
        .iter()
        .filter(|(p, _)| *p >= warm && *p < 2 * warm)
        .map(|(_, k)| *k)
        .collect();
    let tail: Vec<u64> = rss
        .iter()
        .filter(|(p, _)| *p >= polls_done.saturating_sub(polls_done / 10))
        .map(|(_, k)| *k)
        .collect();
    let (rss_base, rss_end) = (median(base.clone()), median(tail.clone()));
    // Allowed growth: 8 MiB. glibc malloc keeps freed memory in per-thread arenas (up to 8 per
    // core; the exporter's spawn_blocking parsing threads come and go), so the resident size
    // steps by a few MiB as the arenas settle; a poll in flight holds its pages (at most a few
    // hundred KiB here). A leak of 1 KiB per poll grows 10 MiB over the long run's 10,000
    // polls and fails this; medians of each window ignore a single sample taken mid-poll.
    let rss_slack = 8 * 1024;
    let rss_ok = !base.is_empty() && !tail.is_empty() && rss_end <= rss_base + rss_slack;
    let rss_slope = slope(
        &rss.iter()
            .filter(|(p, _)| *p >= warm)
            .map(|(p, k)| (*p as f64, *k as f64))
            .collect::<Vec<_>>(),
    );

    println!();
    println!("| figure | value |");
    println!("|---|---|");
    let row = |k: &str, v: String| println!("| {k} | {v} |");
    row("seed", format!("{:#x}", cfg.seed));
    row(
        "polls completed / wall time",
        format!(
            "{polls_done} in {:.0} s ({:.1} polls/s)",
            elapsed.as_secs_f64(),
            polls_done as f64 / elapsed.as_secs_f64()
        ),
    );
    if let Ok(page) = &final_page {
        if let (Some(n), Some(sum)) = (page.polls, page.poll_seconds) {
            row(
                "mean poll duration (exporter's histogram)",
                format!("{:.0} ms", sum / n.max(1) as f64 * 1e3),
            );
        }
    }
    row(
        "CPU: exporter / soak process (stand-in, checks)",
        format!(
            "{exporter_cpu:.0} s ({:.1} ms per poll) / {soak_cpu:.0} s",
            exporter_cpu / polls_done.max(1) as f64 * 1e3
        ),
    );
    row("requests served by the stand-in", format!("{}", t.requests));
    for (label, n) in &t.served_by_fault {
        row(&format!("faults served: {label}"), n.to_string());
    }
    for (kind, (served, counted)) in &by_kind {
        row(
            &format!("errors `{kind}`: must count / exporter counted"),
            format!("{served} / {counted}"),
        );
    }
    row(
        "queue changes (added / removed)",
        format!("{} / {}", toggles.0, toggles.1),
    );
    let lags = t.removal_lags();
    let most_lag = lags.iter().copied().max().unwrap_or(0);
    row(
        "removals: confirmed gone by a page / gone at the next poll / within two / longest",
        format!(
            "{} / {} / {} / {most_lag} polls",
            t.removals_confirmed.len(),
            lags.iter().filter(|l| **l <= 1).count(),
            lags.iter().filter(|l| **l <= 2).count(),
        ),
    );
    row(
        "token rotations (revoked after the overlap)",
        format!(
            "{} ({})",
            rotations.len(),
            rotations.iter().filter(|r| r.revoked_at.is_some()).count()
        ),
    );
    let pickups: Vec<f64> = rotations
        .iter()
        .filter_map(|r| t.tokens.get(&r.new).map(|u| (u.0 - r.at).as_secs_f64()))
        .collect();
    row(
        "new token first used after rotation (max)",
        format!("{:.1} s", pickups.iter().copied().fold(0.0, f64::max)),
    );
    row(
        "/metrics reads by the soak (text + OpenMetrics)",
        reads.latencies.len().to_string(),
    );
    row(
        "/metrics latency p50 / p99 / max",
        format!(
            "{:.1} / {:.1} / {:.1} ms",
            percentile(&lat, 0.5) * 1e3,
            percentile(&lat, 0.99) * 1e3,
            lat.last().copied().unwrap_or(f64::NAN) * 1e3
        ),
    );
    row(
        "pages checked against the stand-in's log",
        t.pages.to_string(),
    );
    row(
        "queue presence / value / absence / counter / up checks",
        format!(
            "{} / {} / {} / {} / {}",
            t.present.checked, t.values.checked, t.absent.checked, t.counters.checked, t.up.checked
        ),
    );
    row(
        "exporter RSS after warm-up / at the end / peak",
        format!(
            "{:.1} / {:.1} / {:.1} MiB",
            rss_base as f64 / 1024.0,
            rss_end as f64 / 1024.0,
            peak_rss as f64 / 1024.0
        ),
    );
    row(
        "exporter RSS trend after warm-up (least squares)",
        format!("{:+.0} KiB per 1000 polls", rss_slope * 1000.0),
    );
    row(
        "Prometheus scrapes / min up / max scrape duration",
        format!(
            "{} / {} / {:.3} s",
            scrapes.map_or("?".into(), |v| v.to_string()),
            up_min.map_or("?".into(), |v| v.to_string()),
            scrape_max.unwrap_or(f64::NAN)
        ),
    );
    for e in t.examples.iter().chain(reads.examples.iter()) {
        println!("  example failure: {e}");
    }

    let mut checks = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| {
        checks.push(Check {
            name: name.to_owned(),
            ok,
            detail,
        })
    };
    check(
        "polls completed",
        polls_done >= cfg.polls && !stalled,
        format!(
            "{polls_done} of {}{}",
            cfg.polls,
            if stalled { ", stalled" } else { "" }
        ),
    );
    check(
        "/metrics answered within the deadline",
        !lat.is_empty() && reads.over_deadline == 0 && reads.failed == 0,
        format!(
            "{} reads, {} over {} s, {} failed",
            lat.len(),
            reads.over_deadline,
            cfg.deadline,
            reads.failed
        ),
    );
    check(
        "/metrics pages well-formed",
        reads.malformed == 0 && final_page.is_ok(),
        format!("{} malformed", reads.malformed),
    );
    check(
        "exporter RSS flat after warm-up",
        rss_ok,
        format!(
            "{:+.1} MiB (allowed +{} MiB; {} samples)",
            (rss_end as f64 - rss_base as f64) / 1024.0,
            rss_slack / 1024,
            rss.len()
        ),
    );
    let final_mismatch: Vec<String> = match &final_page {
        Ok(page) => {
            let mut keys: Vec<(String, String)> =
                totals.keys().chain(page.errors.keys()).cloned().collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter_map(|k| {
                    let want = totals.get(&k).copied().unwrap_or(0) as f64;
                    let got = page.errors.get(&k).copied().unwrap_or(0.0);
                    (want != got).then(|| format!("{}/{}: {got} counted, {want} served", k.0, k.1))
                })
                .collect()
        }
        Err(e) => vec![e.clone()],
    };
    check(
        "every fault served counted, per queue and kind",
        faults_total > 0 && final_mismatch.is_empty(),
        if final_mismatch.is_empty() {
            format!("{faults_total} faults")
        } else {
            final_mismatch.join("; ")
        },
    );
    check(
        "error counters match the faults served, on every page",
        t.counters.checked > 0 && t.counters.failed == 0,
        format!("{} of {} failed", t.counters.failed, t.counters.checked),
    );
    let expected_labels: Vec<String> = menu(request_timeout)
        .iter()
        .map(|(_, f)| track::fault_label(f, request_timeout))
        .collect();
    let unserved: Vec<&String> = expected_labels
        .iter()
        .filter(|l| !t.served_by_fault.contains_key(*l))
        .collect();
    check(
        "every fault of the menu served",
        unserved.is_empty(),
        if unserved.is_empty() {
            format!("{} kinds", expected_labels.len())
        } else {
            format!("never served: {unserved:?}")
        },
    );
    check(
        "one log line per fault",
        fault_lines == faults_total,
        format!("{fault_lines} lines, {faults_total} faults"),
    );
    check(
        "no queue's values missing while it exists",
        t.present.checked > 0 && t.present.failed == 0,
        format!("{} of {} failed", t.present.failed, t.present.checked),
    );
    check(
        "queue values are the stand-in's",
        t.values.checked > 0 && t.values.failed == 0,
        format!("{} of {} failed", t.values.failed, t.values.checked),
    );
    check(
        "removed queues gone after the next clean list",
        t.absent.checked > 0 && t.absent.failed == 0 && !t.removals_confirmed.is_empty(),
        format!(
            "{} of {} failed; {} removals, gone within {most_lag} polls",
            t.absent.failed,
            t.absent.checked,
            t.removals_confirmed.len()
        ),
    );
    check(
        "up is the last poll's outcome",
        t.up.checked > 0 && t.up.failed == 0,
        format!("{} of {} failed", t.up.failed, t.up.checked),
    );
    // A revocation is survived if the exporter had moved to this rotation's token, or a later
    // one (rotations faster than kube's reload skip tokens), before the old one was revoked.
    let late: Vec<usize> = rotations
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.revoked_at.is_some_and(|rev| {
                !rotations[*i..]
                    .iter()
                    .any(|later| t.tokens.get(&later.new).is_some_and(|u| u.0 < rev))
            })
        })
        .map(|(i, _)| i + 1)
        .collect();
    let revoked = rotations.iter().filter(|r| r.revoked_at.is_some()).count();
    check(
        "rotated tokens picked up before the old one is revoked",
        revoked > 0 && late.is_empty() && unauthorized == 0,
        format!("{revoked} rotations, late: {late:?}, {unauthorized} answers 401"),
    );
    let want_gpu = q.expected["gpu-a100"];
    let enough_scrapes = (range as f64 / f64::from(cfg.prometheus_every)) * 0.5;
    check(
        "Prometheus: up stayed 1",
        up_now == Some(1.0)
            && up_min == Some(1.0)
            && scrapes.is_some_and(|n| n >= enough_scrapes)
            && prom_gpu == Some(want_gpu),
        format!(
            "up {up_now:?}, min {up_min:?}, {scrapes:?} scrapes (>= {enough_scrapes:.0}), gpu-a100 {prom_gpu:?} (want {want_gpu})"
        ),
    );
    let exit = match &terminated {
        Ok(status) => format!("{status}"),
        Err(_) => "no exit within 10 s".to_owned(),
    };
    check(
        "clean exit on SIGTERM",
        terminated.as_ref().is_ok_and(|s| s.success()),
        exit,
    );
    if checks.iter().any(|c| !c.ok) {
        let kept: PathBuf =
            std::env::temp_dir().join(format!("kubeprom-exporter-soak-{:x}.log", cfg.seed));
        if std::fs::write(&kept, &log).is_ok() {
            println!("exporter log kept: {}", kept.display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    checks
}
