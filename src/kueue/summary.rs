//! Per cluster queue and per local queue summaries of pending workloads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::KueueError;
use super::parse::PendingWorkload;
use super::stats::{quantile, Bucket, Histogram};

/// How many workloads of each queue [`QueueSummary::head`] lists unless told otherwise.
pub const DEFAULT_HEAD_LIMIT: usize = 10;

/// Options of [`summarize`] and [`super::pending_summary`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// The time waits are measured to, in Unix seconds (JS: `Date.now() / 1000`). Must be
    /// finite. There is no default here because wasm32-unknown-unknown has no clock.
    pub now: f64,
    /// Name of the cluster queue the response belongs to: the body does not carry it. `""`
    /// when unknown.
    pub cluster_queue: String,
    /// How many workloads of each queue to list in [`QueueSummary::head`].
    pub head_limit: usize,
}

impl SummaryOptions {
    /// Options measuring waits to `now`, with no cluster queue name and the default head limit.
    pub fn new(now: f64) -> Self {
        SummaryOptions {
            now,
            cluster_queue: String::new(),
            head_limit: DEFAULT_HEAD_LIMIT,
        }
    }

    /// Errors with `invalid_argument` when an option is out of its domain.
    pub fn validate(&self) -> Result<(), KueueError> {
        if !self.now.is_finite() {
            return Err(KueueError::invalid_argument(
                "now",
                format!("must be a finite number of Unix seconds, got {}", self.now),
            ));
        }
        Ok(())
    }
}

/// Identifies a local queue: a namespace and a name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalQueueRef {
    /// Namespace of the local queue (and of its workloads).
    pub namespace: String,
    /// Name of the local queue.
    pub name: String,
}

/// The pending workloads of one cluster queue, or of one local queue in it.
///
/// Serialises to the `QueueSummary` of `www/index.d.ts` (camelCase; `namespace` and
/// `localQueue` present only for a local queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "QueueSummaryWire", try_from = "QueueSummaryWire")]
pub struct QueueSummary {
    /// The cluster queue (from [`SummaryOptions::cluster_queue`]).
    pub cluster_queue: String,
    /// `None` for the summary of the whole cluster queue.
    pub local_queue: Option<LocalQueueRef>,
    /// Workloads summarised (valid items of the response in this queue).
    pub pending: u64,
    /// Lowest priority among them, if any.
    pub priority_min: Option<i32>,
    /// Highest priority among them, if any.
    pub priority_max: Option<i32>,
    /// Creation time (Unix seconds) of the oldest of them, if any.
    pub oldest_creation: Option<f64>,
    /// Distribution of their waits, `now - creationTimestamp`.
    pub wait: WaitStats,
    /// Pending workloads per priority, highest priority first.
    pub by_priority: Vec<PriorityCount>,
    /// The first workloads in queue order (`positionInClusterQueue` for a cluster queue,
    /// `positionInLocalQueue` for a local queue), at most [`SummaryOptions::head_limit`].
    pub head: Vec<HeadEntry>,
}

/// How many workloads of one priority are pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorityCount {
    /// The priority.
    pub priority: i32,
    /// Workloads pending with it.
    pub pending: u64,
}

/// One workload at the head of a queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadEntry {
    /// Namespace of the workload.
    pub namespace: String,
    /// Name of the Workload object.
    pub name: String,
    /// Local queue (in `namespace`) the workload was submitted to.
    #[serde(default)]
    pub local_queue: String,
    /// Position in the summarised queue as Kueue reports it, from 0.
    pub position: u32,
    /// Priority of the workload.
    pub priority: i32,
    /// Seconds it has been waiting (0 for a creation time after `now`).
    pub wait_seconds: f64,
}

/// Distribution of waits, in seconds: histogram plus exact p50, p95 and max.
///
/// Serialises to the `WaitStats` of `www/index.d.ts`. Quantiles and max are NaN when there
/// is no sample (serde_json writes them as `null`, which reads back as NaN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "WaitStatsWire", try_from = "WaitStatsWire")]
pub struct WaitStats {
    histogram: Histogram,
    p50: f64,
    p95: f64,
    max: f64,
}

impl WaitStats {
    /// Stats of wait samples (seconds) over [`super::WAIT_BUCKETS`].
    pub fn from_samples(samples: &[f64]) -> Self {
        let mut histogram = Histogram::for_waits();
        for s in samples {
            histogram.observe(*s);
        }
        WaitStats {
            histogram,
            p50: quantile(samples, 0.5),
            p95: quantile(samples, 0.95),
            max: samples
                .iter()
                .copied()
                .max_by(f64::total_cmp)
                .unwrap_or(f64::NAN),
        }
    }

    /// The histogram of the waits.
    pub fn histogram(&self) -> &Histogram {
        &self.histogram
    }
    /// Number of waits.
    pub fn count(&self) -> u64 {
        self.histogram.count()
    }
    /// Sum of the waits, seconds.
    pub fn sum(&self) -> f64 {
        self.histogram.sum()
    }
    /// Median wait (linear interpolation between closest ranks), NaN without samples.
    pub fn p50(&self) -> f64 {
        self.p50
    }
    /// 95th percentile wait, NaN without samples.
    pub fn p95(&self) -> f64 {
        self.p95
    }
    /// Longest wait, NaN without samples.
    pub fn max(&self) -> f64 {
        self.max
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaitStatsWire {
    buckets: Vec<Bucket>,
    count: u64,
    sum: f64,
    #[serde(deserialize_with = "number_or_null_as_nan")]
    p50: f64,
    #[serde(deserialize_with = "number_or_null_as_nan")]
    p95: f64,
    #[serde(deserialize_with = "number_or_null_as_nan")]
    max: f64,
}

fn number_or_null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl From<WaitStats> for WaitStatsWire {
    fn from(w: WaitStats) -> Self {
        WaitStatsWire {
            buckets: w.histogram.buckets(),
            count: w.histogram.count(),
            sum: w.histogram.sum(),
            p50: w.p50,
            p95: w.p95,
            max: w.max,
        }
    }
}

impl TryFrom<WaitStatsWire> for WaitStats {
    type Error = KueueError;
    fn try_from(w: WaitStatsWire) -> Result<Self, KueueError> {
        let histogram = Histogram::from_cumulative(&w.buckets, w.sum).map_err(|e| {
            KueueError::invalid_argument(format!("wait.{}", e.path()), e.to_string())
        })?;
        if histogram.count() != w.count {
            return Err(KueueError::invalid_argument(
                "wait.count",
                format!(
                    "{} differs from the +Inf bucket's count {}",
                    w.count,
                    histogram.count()
                ),
            ));
        }
        Ok(WaitStats {
            histogram,
            p50: w.p50,
            p95: w.p95,
            max: w.max,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueSummaryWire {
    cluster_queue: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    local_queue: Option<String>,
    pending: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    priority_min: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    priority_max: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oldest_creation: Option<f64>,
    wait: WaitStats,
    #[serde(default)]
    by_priority: Vec<PriorityCount>,
    head: Vec<HeadEntry>,
}

impl From<QueueSummary> for QueueSummaryWire {
    fn from(s: QueueSummary) -> Self {
        let (namespace, local_queue) = match s.local_queue {
            Some(lq) => (Some(lq.namespace), Some(lq.name)),
            None => (None, None),
        };
        QueueSummaryWire {
            cluster_queue: s.cluster_queue,
            namespace,
            local_queue,
            pending: s.pending,
            priority_min: s.priority_min,
            priority_max: s.priority_max,
            oldest_creation: s.oldest_creation,
            wait: s.wait,
            by_priority: s.by_priority,
            head: s.head,
        }
    }
}

impl TryFrom<QueueSummaryWire> for QueueSummary {
    type Error = KueueError;
    fn try_from(s: QueueSummaryWire) -> Result<Self, KueueError> {
        let local_queue = match (s.namespace, s.local_queue) {
            (Some(namespace), Some(name)) => Some(LocalQueueRef { namespace, name }),
            (None, None) => None,
            _ => {
                return Err(KueueError::invalid_argument(
                    "localQueue",
                    "namespace and localQueue go together: give both or neither",
                ))
            }
        };
        Ok(QueueSummary {
            cluster_queue: s.cluster_queue,
            local_queue,
            pending: s.pending,
            priority_min: s.priority_min,
            priority_max: s.priority_max,
            oldest_creation: s.oldest_creation,
            wait: s.wait,
            by_priority: s.by_priority,
            head: s.head,
        })
    }
}

/// Summarises workloads (all of one cluster queue) into the cluster queue's summary followed
/// by one summary per local queue, ordered by namespace then name.
///
/// The cluster-queue summary is there even with no workloads, so an empty queue reads as 0.
/// Errors with `invalid_argument` for bad options.
pub fn summarize(
    workloads: &[PendingWorkload<'_>],
    opts: &SummaryOptions,
) -> Result<Vec<QueueSummary>, KueueError> {
    opts.validate()?;
    let mut by_local_queue: BTreeMap<(&str, &str), Vec<&PendingWorkload<'_>>> = BTreeMap::new();
    for w in workloads {
        by_local_queue
            .entry((&w.namespace, &w.local_queue_name))
            .or_default()
            .push(w);
    }
    let mut out = Vec::with_capacity(by_local_queue.len() + 1);
    let all: Vec<&PendingWorkload<'_>> = workloads.iter().collect();
    out.push(summarize_queue(
        None,
        &all,
        |w| w.position_in_cluster_queue,
        opts,
    ));
    for ((namespace, name), members) in by_local_queue {
        let lq = LocalQueueRef {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        };
        out.push(summarize_queue(
            Some(lq),
            &members,
            |w| w.position_in_local_queue,
            opts,
        ));
    }
    Ok(out)
}

fn summarize_queue(
    local_queue: Option<LocalQueueRef>,
    members: &[&PendingWorkload<'_>],
    position: fn(&PendingWorkload<'_>) -> u32,
    opts: &SummaryOptions,
) -> QueueSummary {
    let wait_of = |w: &PendingWorkload<'_>| (opts.now - w.creation_timestamp).max(0.0);
    let waits: Vec<f64> = members.iter().map(|w| wait_of(w)).collect();

    let mut priorities: BTreeMap<i32, u64> = BTreeMap::new();
    for w in members {
        *priorities.entry(w.priority).or_default() += 1;
    }

    // Stable, so equal positions (not expected from Kueue) keep response order.
    let mut ordered = members.to_vec();
    crate::order::sort_by(&mut ordered, |a, b| position(a).cmp(&position(b)));
    let head = ordered
        .iter()
        .take(opts.head_limit)
        .map(|w| HeadEntry {
            namespace: w.namespace.to_string(),
            name: w.name.to_string(),
            local_queue: w.local_queue_name.to_string(),
            position: position(w),
            priority: w.priority,
            wait_seconds: wait_of(w),
        })
        .collect();

    QueueSummary {
        cluster_queue: opts.cluster_queue.clone(),
        local_queue,
        pending: members.len() as u64,
        priority_min: priorities.keys().next().copied(),
        priority_max: priorities.keys().next_back().copied(),
        oldest_creation: members
            .iter()
            .map(|w| w.creation_timestamp)
            .min_by(f64::total_cmp),
        wait: WaitStats::from_samples(&waits),
        by_priority: priorities
            .into_iter()
            .rev()
            .map(|(priority, pending)| PriorityCount { priority, pending })
            .collect(),
        head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn workload(
        ns: &'static str,
        lq: &'static str,
        name: &'static str,
        created: f64,
        priority: i32,
        pos_cq: u32,
        pos_lq: u32,
    ) -> PendingWorkload<'static> {
        PendingWorkload {
            name: Cow::Borrowed(name),
            namespace: Cow::Borrowed(ns),
            creation_timestamp: created,
            owner_references: Vec::new(),
            priority,
            local_queue_name: Cow::Borrowed(lq),
            position_in_cluster_queue: pos_cq,
            position_in_local_queue: pos_lq,
        }
    }

    #[test]
    fn small_queue_by_hand() {
        let now = 10_000.0;
        // Waits: a=100, b=10, c=0 (future), d=4000.
        let ws = vec![
            workload("team-b", "q", "b", 9_990.0, 5, 1, 0),
            workload("team-a", "q", "a", 9_900.0, 10, 0, 0),
            workload("team-a", "q", "c", 10_050.0, 0, 3, 2),
            workload("team-a", "q", "d", 6_000.0, 10, 2, 1),
        ];
        let opts = SummaryOptions {
            now,
            cluster_queue: "cq".into(),
            head_limit: 2,
        };
        let s = summarize(&ws, &opts).unwrap();
        assert_eq!(s.len(), 3);
        let cq = &s[0];
        assert_eq!(cq.local_queue, None);
        assert_eq!(cq.cluster_queue, "cq");
        assert_eq!(cq.pending, 4);
        assert_eq!((cq.priority_min, cq.priority_max), (Some(0), Some(10)));
        assert_eq!(cq.oldest_creation, Some(6_000.0));
        // Sorted waits 0, 10, 100, 4000: p50 = 55, p95 = 100 + 0.85 * 3900 = 3415.
        assert_eq!(cq.wait.count(), 4);
        assert_eq!(cq.wait.sum(), 4110.0);
        assert_eq!(cq.wait.p50(), 55.0);
        assert!((cq.wait.p95() - 3415.0).abs() < 1e-9);
        assert_eq!(cq.wait.max(), 4000.0);
        let buckets = cq.wait.histogram().buckets();
        let count_le = |le: f64| buckets.iter().find(|b| b.le == le).unwrap().count;
        assert_eq!(count_le(1.0), 1);
        assert_eq!(count_le(15.0), 2);
        assert_eq!(count_le(60.0), 2);
        assert_eq!(count_le(120.0), 3);
        assert_eq!(count_le(3600.0), 3);
        assert_eq!(count_le(7200.0), 4);
        assert_eq!(count_le(f64::INFINITY), 4);
        assert_eq!(
            cq.by_priority,
            vec![
                PriorityCount {
                    priority: 10,
                    pending: 2
                },
                PriorityCount {
                    priority: 5,
                    pending: 1
                },
                PriorityCount {
                    priority: 0,
                    pending: 1
                },
            ]
        );
        let head: Vec<_> = cq
            .head
            .iter()
            .map(|h| (h.name.as_str(), h.position))
            .collect();
        assert_eq!(head, vec![("a", 0), ("b", 1)]);
        assert_eq!(cq.head[0].wait_seconds, 100.0);

        let lq_a = &s[1];
        assert_eq!(
            lq_a.local_queue,
            Some(LocalQueueRef {
                namespace: "team-a".into(),
                name: "q".into()
            })
        );
        assert_eq!(lq_a.pending, 3);
        let head: Vec<_> = lq_a
            .head
            .iter()
            .map(|h| (h.name.as_str(), h.position))
            .collect();
        assert_eq!(head, vec![("a", 0), ("d", 1)]);
        assert_eq!(lq_a.head[1].wait_seconds, 4000.0);
        let lq_b = &s[2];
        assert_eq!(lq_b.local_queue.as_ref().unwrap().namespace, "team-b");
        assert_eq!(lq_b.pending, 1);
        assert_eq!(lq_b.wait.p50(), 10.0);
        assert_eq!(lq_b.wait.p95(), 10.0);
    }

    #[test]
    fn empty_queue_still_has_a_summary() {
        let s = summarize(&[], &SummaryOptions::new(0.0)).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].pending, 0);
        assert_eq!(s[0].wait.count(), 0);
        assert!(s[0].wait.p50().is_nan() && s[0].wait.max().is_nan());
        assert_eq!(s[0].priority_min, None);
        assert!(s[0].head.is_empty());
        let json = serde_json::to_value(&s[0]).unwrap();
        assert_eq!(json["wait"]["p50"], serde_json::Value::Null);
        assert!(json.get("namespace").is_none() && json.get("localQueue").is_none());
    }

    #[test]
    fn non_finite_now_is_invalid() {
        for now in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = summarize(&[], &SummaryOptions::new(now)).unwrap_err();
            assert_eq!(e.kind(), "invalid_argument");
            assert_eq!(e.path(), "now");
        }
    }

    #[test]
    fn serialises_to_the_typescript_shape() {
        let ws = vec![workload("ns", "lq", "w", 90.0, 3, 0, 0)];
        let mut opts = SummaryOptions::new(100.0);
        opts.cluster_queue = "cq".into();
        let s = summarize(&ws, &opts).unwrap();
        let v = serde_json::to_value(&s[1]).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut want = vec![
            "clusterQueue",
            "namespace",
            "localQueue",
            "pending",
            "priorityMin",
            "priorityMax",
            "oldestCreation",
            "wait",
            "byPriority",
            "head",
        ];
        let mut got = keys.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["localQueue"], "lq");
        let wait = v["wait"].as_object().unwrap();
        let mut wait_keys: Vec<&str> = wait.keys().map(|k| k.as_str()).collect();
        wait_keys.sort_unstable();
        assert_eq!(wait_keys, ["buckets", "count", "max", "p50", "p95", "sum"]);
        assert_eq!(
            v["wait"]["buckets"][0],
            serde_json::json!({"le": 1.0, "count": 0})
        );
        // JSON has no +Inf: serde_json writes null, which reads back as +Inf.
        assert_eq!(v["wait"]["buckets"][18]["le"], serde_json::Value::Null);
        assert_eq!(
            v["head"][0],
            serde_json::json!({"namespace": "ns", "name": "w", "localQueue": "lq",
                               "position": 0, "priority": 3, "waitSeconds": 10.0})
        );
        let back: QueueSummary = serde_json::from_value(v).unwrap();
        assert_eq!(back, s[1]);
    }

    #[test]
    fn deserialising_rejects_inconsistent_input() {
        let s = summarize(&[], &SummaryOptions::new(0.0)).unwrap();
        let good = serde_json::to_value(&s[0]).unwrap();

        let mut half_lq = good.clone();
        half_lq["namespace"] = "ns".into();
        let e = serde_json::from_value::<QueueSummary>(half_lq).unwrap_err();
        assert!(e.to_string().contains("give both or neither"), "{e}");

        let mut bad_count = good.clone();
        bad_count["wait"]["count"] = 3.into();
        let e = serde_json::from_value::<QueueSummary>(bad_count).unwrap_err();
        assert!(e.to_string().contains("wait.count"), "{e}");

        let mut no_inf = good.clone();
        no_inf["wait"]["buckets"].as_array_mut().unwrap().pop();
        let e = serde_json::from_value::<QueueSummary>(no_inf).unwrap_err();
        assert!(e.to_string().contains("+Inf"), "{e}");

        let mut decreasing = good;
        decreasing["wait"]["buckets"][0]["count"] = 5.into();
        let e = serde_json::from_value::<QueueSummary>(decreasing).unwrap_err();
        assert!(e.to_string().contains("must not decrease"), "{e}");
    }
}
