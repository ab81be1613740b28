//! What the stand-in served, poll by poll, and the checks of one `/metrics` page against it.
//!
//! Nothing here depends on timing. Requests are attributed to exporter polls by the stand-in
//! (polls never overlap, and each starts with `GET /apis/kueue.x-k8s.io`), and the page says
//! how many polls the exporter has completed (`poll_duration_seconds_count`, read under the
//! same lock as the rest of the page). A page that reports N polls must reflect everything
//! polls 1..=N were served, and may reflect part of poll N+1, never more.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use crate::expo::Page;
use crate::standin::{Fault, Logged};

/// The error kind the exporter must count for a request as it was answered, or `None` for a
/// good answer. Its own rules, from the exporter's documented kinds.
pub fn expected_kind(r: &Logged, request_timeout: Duration) -> Option<&'static str> {
    match &r.fault {
        Some(Fault::Slow(d)) | Some(Fault::SlowBody(d)) if *d >= request_timeout => {
            return Some("timeout")
        }
        // Connection closed mid-body: "it broke" (README: unreachable).
        Some(Fault::Truncated) => return Some("unreachable"),
        Some(Fault::Malformed) if r.code == 200 => return Some("malformed"),
        _ => {}
    }
    match r.code {
        200 => None,
        401 => Some("unauthorized"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        429 | 500..=599 => Some("server_error"),
        400..=499 => Some("client_error"),
        _ => Some("unexpected status"),
    }
}

/// A short name of a fault for the figures.
pub fn fault_label(f: &Fault, request_timeout: Duration) -> String {
    let side = |d: &Duration| {
        if *d >= request_timeout {
            "over timeout"
        } else {
            "within timeout"
        }
    };
    match f {
        Fault::Status(c) => format!("{c}"),
        Fault::TooManyRequests(s) => format!("429 Retry-After: {s}"),
        Fault::Slow(d) => format!("slow headers {} ({:.2} s)", side(d), d.as_secs_f64()),
        Fault::SlowBody(d) => format!("slow body {} ({:.2} s)", side(d), d.as_secs_f64()),
        Fault::Truncated => "truncated body".to_owned(),
        Fault::Malformed => "malformed body".to_owned(),
    }
}

#[derive(Debug, Clone, Default)]
struct PollInfo {
    /// Whether discovery and every list page were answered well (the exporter's `up`).
    listed: bool,
}

/// When a queue was added to or removed from the stand-in's world.
#[derive(Debug, Clone)]
pub struct QueueEvent {
    /// When (taken with the world locked).
    pub at: Instant,
    /// Cluster queue.
    pub queue: String,
    /// Added (true) or removed.
    pub present: bool,
}

/// Counts of one check over all pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Times the check applied.
    pub checked: u64,
    /// Times it failed.
    pub failed: u64,
}

impl Tally {
    fn record(&mut self, ok: bool) -> bool {
        self.checked += 1;
        if !ok {
            self.failed += 1;
        }
        ok
    }
}

/// The ledger of what was served, and the tallies of the per-page checks.
pub struct Tracker {
    request_timeout: Duration,
    cursor: usize,
    polls: Vec<PollInfo>,
    /// Faults served by (cluster queue, kind): the polls they were served in, ascending.
    faults: BTreeMap<(String, String), Vec<u64>>,
    /// Complete good reads of each queue: (poll, arrival of its first page).
    reads: BTreeMap<String, Vec<(u64, Instant)>>,
    read_start: HashMap<String, (u64, Instant)>,
    /// Arrivals of the first ClusterQueue list page of each poll: (arrival, poll), ascending.
    list_starts: Vec<(Instant, u64)>,
    /// Each queue's lifecycle: (when, added or removed), ascending.
    lifecycle: BTreeMap<String, Vec<(Instant, bool)>>,
    /// Served faults by menu label.
    pub served_by_fault: BTreeMap<String, u64>,
    /// Requests served.
    pub requests: u64,
    /// Requests per bearer token: (first, last arrival, count).
    pub tokens: BTreeMap<String, (Instant, Instant, u64)>,
    /// Expected `pending_workloads` of every queue name the soak uses.
    pub expected_pending: BTreeMap<String, f64>,
    /// Pages checked.
    pub pages: u64,
    /// Highest completed-poll count seen on a page.
    pub polls_seen: u64,
    /// A queue that exists and was read well is on the page.
    pub present: Tally,
    /// A queue's `pending_workloads`, when shown, is its true count.
    pub values: Tally,
    /// A removed queue is gone once a clean list after its removal completed.
    pub absent: Tally,
    /// Error counters lie between the faults served in polls 1..=N and 1..=N+1.
    pub counters: Tally,
    /// `up` says whether poll N listed the queues.
    pub up: Tally,
    /// Removals whose absence a page confirmed, by queue incarnation (queue, removal time).
    pub removals_confirmed: BTreeSet<(String, Instant)>,
    /// First failures, for the report.
    pub examples: Vec<String>,
}

impl Tracker {
    /// An empty ledger; `request_timeout` is the exporter's `--request-timeout`.
    pub fn new(request_timeout: Duration, expected_pending: BTreeMap<String, f64>) -> Self {
        Tracker {
            request_timeout,
            cursor: 0,
            polls: vec![PollInfo::default()],
            faults: BTreeMap::new(),
            reads: BTreeMap::new(),
            read_start: HashMap::new(),
            list_starts: Vec::new(),
            lifecycle: BTreeMap::new(),
            served_by_fault: BTreeMap::new(),
            requests: 0,
            tokens: BTreeMap::new(),
            expected_pending,
            pages: 0,
            polls_seen: 0,
            present: Tally::default(),
            values: Tally::default(),
            absent: Tally::default(),
            counters: Tally::default(),
            up: Tally::default(),
            removals_confirmed: BTreeSet::new(),
            examples: Vec::new(),
        }
    }

    /// Where to read the stand-in's log from next.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Takes in requests logged since the last call.
    pub fn ingest(&mut self, new: &[Logged]) {
        for r in new {
            self.cursor += 1;
            self.requests += 1;
            let poll = r.poll as usize;
            while self.polls.len() <= poll {
                self.polls.push(PollInfo::default());
            }
            if let Some(b) = &r.bearer {
                let e = self.tokens.entry(b.clone()).or_insert((r.at, r.at, 0));
                e.1 = r.at;
                e.2 += 1;
            }
            if let Some(f) = &r.fault {
                *self
                    .served_by_fault
                    .entry(fault_label(f, self.request_timeout))
                    .or_default() += 1;
            }
            let kind = expected_kind(r, self.request_timeout);
            if let Some(k) = kind {
                let scope = r.cluster_queue.clone().unwrap_or_default();
                self.faults
                    .entry((scope, k.to_owned()))
                    .or_default()
                    .push(r.poll);
            }
            let is_list =
                r.path.starts_with("/apis/kueue.x-k8s.io/") && r.path.ends_with("/clusterqueues");
            if is_list {
                if !r.query.contains("continue=") {
                    self.list_starts.push((r.at, r.poll));
                }
                if kind.is_none() && r.last_page {
                    self.polls[poll].listed = true;
                }
            }
            if let Some(q) = &r.cluster_queue {
                if r.query.split('&').any(|kv| kv == "offset=0") {
                    self.read_start.insert(q.clone(), (r.poll, r.at));
                }
                if kind.is_none() && r.last_page {
                    if let Some(&(p, at)) = self.read_start.get(q) {
                        if p == r.poll {
                            self.reads.entry(q.clone()).or_default().push((p, at));
                        }
                    }
                }
            }
        }
    }

    /// Faults served by (cluster queue, kind) in polls up to `through`.
    pub fn faults_through(&self, through: u64) -> BTreeMap<(String, String), u64> {
        self.faults
            .iter()
            .map(|(k, polls)| (k.clone(), polls.partition_point(|p| *p <= through) as u64))
            .collect()
    }

    /// Every request served that must have been counted, by (cluster queue, kind).
    pub fn faults_total(&self) -> BTreeMap<(String, String), u64> {
        self.faults_through(u64::MAX)
    }

    fn example(&mut self, text: String) {
        if self.examples.len() < 12 {
            self.examples.push(text);
        }
    }

    /// Takes in queue additions and removals (in the order they were made).
    pub fn add_events(&mut self, events: impl IntoIterator<Item = QueueEvent>) {
        for e in events {
            self.lifecycle
                .entry(e.queue)
                .or_default()
                .push((e.at, e.present));
        }
    }

    /// The state of `queue` at `t`: `Some((true, since))` present since, `Some((false,
    /// since))` removed since, `None` never existed.
    fn state_at(&self, queue: &str, t: Instant) -> Option<(bool, Instant)> {
        let events = self.lifecycle.get(queue)?;
        let i = events.partition_point(|(at, _)| *at <= t);
        i.checked_sub(1).map(|i| (events[i].1, events[i].0))
    }

    /// The first poll whose ClusterQueue list began after `t` and was answered well.
    fn first_clean_list_after(&self, t: Instant) -> Option<u64> {
        let from = self.list_starts.partition_point(|(at, _)| *at <= t);
        self.list_starts[from..]
            .iter()
            .map(|(_, p)| *p)
            .find(|p| self.polls.get(*p as usize).is_some_and(|i| i.listed))
    }

    /// Checks one page, received complete at `received` (the stand-in's log must have been
    /// ingested up to then).
    pub fn check(&mut self, page: &Page, received: Instant) {
        self.pages += 1;
        let Some(n) = page.polls else {
            self.example("a page without poll_duration_seconds_count".to_owned());
            self.counters.record(false);
            return;
        };
        self.polls_seen = self.polls_seen.max(n);
        if n == 0 {
            return;
        }
        // `up` is poll N's outcome.
        let listed = self.polls.get(n as usize).is_some_and(|p| p.listed);
        let want_up = if listed { 1.0 } else { 0.0 };
        if !self.up.record(page.up == Some(want_up)) {
            self.example(format!(
                "after poll {n}: up {:?}, the poll {} the queues",
                page.up,
                if listed { "listed" } else { "did not list" }
            ));
        }
        // Error counters.
        let low = self.faults_through(n);
        let high = self.faults_through(n + 1);
        let keys: BTreeSet<(String, String)> =
            high.keys().chain(page.errors.keys()).cloned().collect();
        for key in keys {
            let got = page.errors.get(&key).copied().unwrap_or(0.0);
            let lo = low.get(&key).copied().unwrap_or(0) as f64;
            let hi = high.get(&key).copied().unwrap_or(0) as f64;
            if !self.counters.record(lo <= got && got <= hi) {
                self.example(format!(
                    "after poll {n}: errors_total{{cluster_queue={:?},kind={:?}}} = {got}, served {lo}..={hi}",
                    key.0, key.1
                ));
            }
        }
        // Queues.
        let names: Vec<String> = self.expected_pending.keys().cloned().collect();
        for q in names {
            let want = self.expected_pending[&q];
            if let Some(&got) = page.pending.get(&q) {
                if !self.values.record(got == want) {
                    self.example(format!(
                        "after poll {n}: pending_workloads{{cluster_queue={q:?}}} = {got}, not {want}"
                    ));
                }
            }
            match self.state_at(&q, received) {
                Some((true, since)) => {
                    // Read well since it (re)appeared, in a completed poll: must be shown.
                    let read = self.reads.get(&q).and_then(|rs| {
                        let i = rs.partition_point(|(_, at)| *at <= since);
                        rs.get(i).map(|(p, _)| *p)
                    });
                    if read.is_some_and(|p| p <= n) {
                        let shown = page.pending.contains_key(&q);
                        if !self.present.record(shown) {
                            self.example(format!(
                                "after poll {n}: {q} exists and was read in poll {}, but its values are missing",
                                read.unwrap_or(0)
                            ));
                        }
                    }
                }
                Some((false, since)) => {
                    // A clean list that began after the removal, in a completed poll: gone.
                    let clean = self.first_clean_list_after(since);
                    let shown = page.queues_shown.contains(&q);
                    if clean.is_some_and(|p| p <= n) {
                        if self.absent.record(!shown) {
                            self.removals_confirmed.insert((q.clone(), since));
                        } else {
                            self.example(format!(
                                "after poll {n}: {q} was removed and poll {} listed without it, but it is still shown",
                                clean.unwrap_or(0)
                            ));
                        }
                    }
                }
                None => {}
            }
        }
    }

    /// For every removal followed by a clean list: how many polls after the one in progress
    /// at the removal that list came (1: the next poll; more when lists failed meanwhile).
    /// With the absence check, the most polls a removed queue stayed on the page.
    pub fn removal_lags(&self) -> Vec<u64> {
        self.lifecycle
            .values()
            .flatten()
            .filter(|(_, present)| !present)
            .filter_map(|(at, _)| {
                let clean = self.first_clean_list_after(*at)?;
                Some(clean.saturating_sub(self.poll_at(*at)))
            })
            .collect()
    }

    /// The poll in progress at `t` (the last one whose list had begun by then, or 0).
    fn poll_at(&self, t: Instant) -> u64 {
        let i = self.list_starts.partition_point(|(at, _)| *at <= t);
        i.checked_sub(1).map_or(0, |i| self.list_starts[i].1)
    }
}
