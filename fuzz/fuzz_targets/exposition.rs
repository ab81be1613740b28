//! Exposition rendering (`toExposition`) of arbitrary queue summaries: always valid text format
//! 0.0.4 that reads back, label values and pending counts exactly as given.
#![no_main]

use arbitrary::Arbitrary;
use kubeprom::kueue::{
    to_exposition, HeadEntry, LocalQueueRef, PriorityCount, QueueSummary, WaitStats,
};
use kubeprom_fuzz::{by_series, read_exposition};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Summary {
    cluster_queue: String,
    local_queue: Option<(String, String)>,
    pending: u64,
    waits: Vec<f64>,
    by_priority: Vec<(i32, u64)>,
    head: Vec<(String, String, String, u32, i32, f64)>,
    oldest_creation: Option<f64>,
}

fn summary(s: &Summary) -> QueueSummary {
    QueueSummary {
        cluster_queue: s.cluster_queue.clone(),
        local_queue: s
            .local_queue
            .as_ref()
            .map(|(namespace, name)| LocalQueueRef {
                namespace: namespace.clone(),
                name: name.clone(),
            }),
        pending: s.pending,
        priority_min: s.by_priority.iter().map(|p| p.0).min(),
        priority_max: s.by_priority.iter().map(|p| p.0).max(),
        oldest_creation: s.oldest_creation,
        wait: WaitStats::from_samples(&s.waits),
        by_priority: s
            .by_priority
            .iter()
            .map(|&(priority, pending)| PriorityCount { priority, pending })
            .collect(),
        head: s
            .head
            .iter()
            .map(
                |(namespace, name, local_queue, position, priority, wait_seconds)| HeadEntry {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    local_queue: local_queue.clone(),
                    position: *position,
                    priority: *priority,
                    wait_seconds: *wait_seconds,
                },
            )
            .collect(),
    }
}

fuzz_target!(|input: Vec<Summary>| {
    let summaries: Vec<QueueSummary> = input.iter().map(summary).collect();
    let text = to_exposition(&summaries);
    let samples =
        read_exposition(&text).unwrap_or_else(|e| panic!("invalid exposition: {e}\n{text}"));
    let series = by_series(&samples);
    let mut seen = std::collections::HashSet::new();
    for s in &summaries {
        let mut labels = vec![("cluster_queue".to_owned(), s.cluster_queue.clone())];
        let name = match &s.local_queue {
            Some(lq) => {
                labels.push(("namespace".to_owned(), lq.namespace.clone()));
                labels.push(("local_queue".to_owned(), lq.name.clone()));
                "kubeprom_kueue_local_queue_pending_workloads"
            }
            None => "kubeprom_kueue_pending_workloads",
        };
        labels.sort();
        let key = (name.to_owned(), labels);
        let value = series
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} missing from\n{text}"));
        // The first of several summaries with the same labels is the one written.
        if seen.insert(key) {
            assert_eq!(*value, s.pending as f64);
        }
    }
});
