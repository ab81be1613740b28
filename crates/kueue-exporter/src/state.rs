//! What the exporter last learned, and its metrics page.
//!
//! The poller writes, `/metrics` reads. A failed poll leaves the last good summaries in place
//! and only flips `stale`, so dashboards keep their last values and alerts can key on
//! `kubeprom_kueue_exporter_stale`.

use std::collections::BTreeMap;

use kubeprom::kueue::{
    kueue_families, Histogram, Labels, MetricFamily, QueueSummary, LABEL_CLUSTER_QUEUE,
    LABEL_LOCAL_QUEUE, LABEL_NAMESPACE,
};

use crate::api::FaultKind;

/// Upper bounds of the poll-duration histogram, seconds.
pub const POLL_BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// A queue the exporter reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKey {
    /// `.../clusterqueues/NAME/pendingworkloads`.
    ClusterQueue(String),
    /// `.../namespaces/NS/localqueues/NAME/pendingworkloads`.
    LocalQueue {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

/// Where errors are counted: a queue, or `cluster_queue=""` for calls about no one queue
/// (discovery, the lists).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ErrorKey {
    /// `cluster_queue` label.
    pub cluster_queue: String,
    /// `namespace` and `local_queue` labels, for a local queue.
    pub local_queue: Option<(String, String)>,
    /// `kind` label.
    pub kind: FaultKind,
}

/// The last good reading of one queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Summaries to publish: for a cluster queue, itself then its local queues (only itself
    /// when local queues are read separately); for a local queue, its own.
    pub summaries: Vec<QueueSummary>,
    /// Unix seconds the reading was taken at (the `now` its ages are measured to).
    pub at: f64,
    /// Items of the answer that could not be read.
    pub skipped: u64,
    /// Whether `--max-workloads` cut the queue short.
    pub truncated: bool,
}

/// One queue's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Cluster queue (for a local queue: its `spec.clusterQueue`).
    pub cluster_queue: String,
    /// Last good reading, if there was one.
    pub reading: Option<Reading>,
    /// Whether the last poll of this queue failed (so `reading` is older than one interval).
    pub stale: bool,
}

/// Everything `/metrics` shows.
#[derive(Debug, Clone)]
pub struct State {
    sources: BTreeMap<SourceKey, Source>,
    errors: BTreeMap<ErrorKey, u64>,
    poll_durations: Histogram,
    last_poll_ok: Option<bool>,
    ready: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            sources: BTreeMap::new(),
            errors: BTreeMap::new(),
            poll_durations: Histogram::new(&POLL_BUCKETS)
                .unwrap_or_else(|_| Histogram::for_waits()),
            last_poll_ok: None,
            ready: false,
        }
    }
}

impl State {
    /// Whether a poll has listed the queues at least once.
    pub fn ready(&self) -> bool {
        self.ready
    }

    /// Records a good reading of `key`.
    pub fn record_reading(&mut self, key: SourceKey, cluster_queue: String, reading: Reading) {
        self.sources.insert(
            key,
            Source {
                cluster_queue,
                reading: Some(reading),
                stale: false,
            },
        );
    }

    /// Records a failed poll of `key`: counted, marked stale, last reading kept.
    pub fn record_fault(&mut self, key: SourceKey, cluster_queue: String, kind: FaultKind) {
        let local_queue = match &key {
            SourceKey::LocalQueue { namespace, name } => Some((namespace.clone(), name.clone())),
            SourceKey::ClusterQueue(_) => None,
        };
        *self
            .errors
            .entry(ErrorKey {
                cluster_queue: cluster_queue.clone(),
                local_queue,
                kind,
            })
            .or_default() += 1;
        let source = self.sources.entry(key).or_insert_with(|| Source {
            cluster_queue: cluster_queue.clone(),
            reading: None,
            stale: true,
        });
        source.cluster_queue = cluster_queue;
        source.stale = true;
    }

    /// Records a failed call about no one queue (discovery, a list): counted under
    /// `cluster_queue=""`; every queue of `scope` (all when `None`) is marked stale.
    pub fn record_global_fault(&mut self, kind: FaultKind, scope: Option<Scope>) {
        *self
            .errors
            .entry(ErrorKey {
                cluster_queue: String::new(),
                local_queue: None,
                kind,
            })
            .or_default() += 1;
        for (key, source) in &mut self.sources {
            if scope.is_none_or(|s| s.covers(key)) {
                source.stale = true;
            }
        }
    }

    /// Forgets the queues of `scope` that are not in `keep` (deleted queues). Error counters
    /// stay: a counter that vanishes looks like a reset.
    pub fn retain(&mut self, scope: Scope, keep: &[SourceKey]) {
        self.sources
            .retain(|key, _| !scope.covers(key) || keep.contains(key));
    }

    /// Records the end of a poll cycle.
    pub fn record_poll(&mut self, seconds: f64, listed: bool) {
        self.poll_durations.observe(seconds);
        self.last_poll_ok = Some(listed);
        self.ready |= listed;
    }

    /// The state of one queue.
    #[cfg(test)]
    pub fn source(&self, key: &SourceKey) -> Option<&Source> {
        self.sources.get(key)
    }

    /// All metric families: the Kueue ones from the last good readings, then the exporter's.
    pub fn families(&self) -> Vec<MetricFamily> {
        let summaries: Vec<QueueSummary> = self
            .sources
            .values()
            .filter_map(|s| s.reading.as_ref())
            .flat_map(|r| r.summaries.iter().cloned())
            .collect();
        let mut families = kueue_families(&summaries);
        families.extend(self.health_families());
        families
    }

    fn health_families(&self) -> Vec<MetricFamily> {
        let name = |s: &str| format!("kubeprom_kueue_exporter_{s}");
        let mut last_success = Vec::new();
        let mut stale = Vec::new();
        let mut skipped = Vec::new();
        let mut truncated = Vec::new();
        for (key, source) in &self.sources {
            let labels = source_labels(key, &source.cluster_queue);
            stale.push((labels.clone(), if source.stale { 1.0 } else { 0.0 }));
            if let Some(r) = &source.reading {
                last_success.push((labels.clone(), r.at));
                skipped.push((labels.clone(), r.skipped as f64));
                truncated.push((labels, if r.truncated { 1.0 } else { 0.0 }));
            }
        }
        let errors = self
            .errors
            .iter()
            .map(|(k, n)| {
                let mut labels: Labels = vec![(LABEL_CLUSTER_QUEUE, k.cluster_queue.clone())];
                if let Some((ns, lq)) = &k.local_queue {
                    labels.push((LABEL_NAMESPACE, ns.clone()));
                    labels.push((LABEL_LOCAL_QUEUE, lq.clone()));
                }
                labels.push(("kind", k.kind.label().to_owned()));
                (labels, *n as f64)
            })
            .collect();
        let up = match self.last_poll_ok {
            Some(ok) => vec![(Vec::new(), if ok { 1.0 } else { 0.0 })],
            None => Vec::new(),
        };
        vec![
            MetricFamily::gauge(
                name("up"),
                "1 when the last poll listed the queues, 0 when it could not (API server unreachable, forbidden, ...).",
                up,
            ),
            MetricFamily::gauge(
                name("last_success_timestamp_seconds"),
                "Unix time of the last successful read of the queue; its ages are measured to this time.",
                last_success,
            ),
            MetricFamily::gauge(
                name("stale"),
                "1 when the last poll of the queue failed and its metrics are from an earlier poll (or absent).",
                stale,
            ),
            MetricFamily::counter(
                name("errors"),
                "Failed API calls by queue and kind (cluster_queue=\"\" for discovery and lists).",
                errors,
            ),
            MetricFamily::histogram(
                name("poll_duration_seconds"),
                "Seconds one poll of all queues took.",
                vec![(Vec::new(), self.poll_durations.clone())],
            ),
            MetricFamily::gauge(
                name("skipped_items"),
                "Items of the queue's last good answer that could not be read (malformed) and are not counted.",
                skipped,
            ),
            MetricFamily::gauge(
                name("truncated"),
                "1 when the queue has more pending workloads than --max-workloads and only those were read.",
                truncated,
            ),
        ]
    }
}

/// A kind of queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Cluster queues.
    ClusterQueues,
    /// Local queues.
    LocalQueues,
}

impl Scope {
    fn covers(self, key: &SourceKey) -> bool {
        matches!(
            (self, key),
            (Scope::ClusterQueues, SourceKey::ClusterQueue(_))
                | (Scope::LocalQueues, SourceKey::LocalQueue { .. })
        )
    }
}

fn source_labels(key: &SourceKey, cluster_queue: &str) -> Labels {
    let mut labels: Labels = vec![(LABEL_CLUSTER_QUEUE, cluster_queue.to_owned())];
    if let SourceKey::LocalQueue { namespace, name } = key {
        labels.push((LABEL_NAMESPACE, namespace.clone()));
        labels.push((LABEL_LOCAL_QUEUE, name.clone()));
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeprom::kueue::{render_text, summarize, SummaryOptions};

    fn reading(cq: &str, at: f64) -> Reading {
        let mut opts = SummaryOptions::new(at);
        opts.cluster_queue = cq.into();
        Reading {
            summaries: summarize(&[], &opts).unwrap(),
            at,
            skipped: 0,
            truncated: false,
        }
    }

    #[test]
    fn a_fault_keeps_the_last_reading_and_marks_it_stale() {
        let mut s = State::default();
        let key = SourceKey::ClusterQueue("a".into());
        s.record_reading(key.clone(), "a".into(), reading("a", 100.0));
        s.record_fault(key.clone(), "a".into(), FaultKind::Timeout);
        s.record_fault(key.clone(), "a".into(), FaultKind::Timeout);
        let src = s.source(&key).unwrap();
        assert!(src.stale);
        assert_eq!(src.reading.as_ref().unwrap().at, 100.0);
        let text = render_text(&s.families());
        assert!(text.contains("kubeprom_kueue_pending_workloads{cluster_queue=\"a\"} 0\n"));
        assert!(text.contains("kubeprom_kueue_exporter_stale{cluster_queue=\"a\"} 1\n"));
        assert!(text.contains(
            "kubeprom_kueue_exporter_errors_total{cluster_queue=\"a\",kind=\"timeout\"} 2\n"
        ));
        assert!(text.contains(
            "kubeprom_kueue_exporter_last_success_timestamp_seconds{cluster_queue=\"a\"} 100\n"
        ));
        s.record_reading(key.clone(), "a".into(), reading("a", 130.0));
        assert!(!s.source(&key).unwrap().stale);
    }

    #[test]
    fn global_faults_mark_the_scope_stale_and_retain_forgets_deleted_queues() {
        let mut s = State::default();
        let a = SourceKey::ClusterQueue("a".into());
        let lq = SourceKey::LocalQueue {
            namespace: "ns".into(),
            name: "q".into(),
        };
        s.record_reading(a.clone(), "a".into(), reading("a", 1.0));
        s.record_reading(lq.clone(), "a".into(), reading("a", 1.0));
        s.record_global_fault(FaultKind::Forbidden, Some(Scope::LocalQueues));
        assert!(!s.source(&a).unwrap().stale);
        assert!(s.source(&lq).unwrap().stale);
        s.record_global_fault(FaultKind::Unreachable, None);
        assert!(s.source(&a).unwrap().stale);
        s.retain(Scope::ClusterQueues, &[]);
        assert!(s.source(&a).is_none());
        assert!(s.source(&lq).is_some());
        let text = render_text(&s.families());
        assert!(text.contains(
            "kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"unreachable\"} 1\n"
        ));
        assert!(!s.ready());
        s.record_poll(0.2, true);
        assert!(s.ready());
        assert!(text.contains("kubeprom_kueue_exporter_poll_duration_seconds_count 0\n"));
    }
}
