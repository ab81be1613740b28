//! Kueue pending workloads: the visibility API's `PendingWorkloadsSummary` summarised per
//! queue, and those summaries as Prometheus metrics.
//!
//! Kueue's own metrics count pending workloads, but how long the still-pending ones have
//! waited and where each sits in its queue are only in the on-demand visibility API
//! (`visibility.kueue.x-k8s.io`, v1beta1 and v1beta2):
//!
//! ```text
//! GET /apis/visibility.kueue.x-k8s.io/v1beta2/clusterqueues/CQ/pendingworkloads
//! GET /apis/visibility.kueue.x-k8s.io/v1beta2/namespaces/NS/localqueues/LQ/pendingworkloads
//! ```
//!
//! [`pending_summary`] reads such a body ([`parse_pending_workloads`]) and summarises it
//! ([`summarize`]): one [`QueueSummary`] for the cluster queue, then one per local queue
//! (by namespace, then name), each with the pending count, priority range and counts, the
//! wait distribution (`now - creationTimestamp`, never negative) as a histogram over
//! [`WAIT_BUCKETS`] plus exact p50/p95/max, and the first workloads in queue order.
//! Items that cannot be read are listed in [`SummaryReport::skipped`] with the JSON path of
//! the bad field; the others are still summarised.
//!
//! The body names no cluster queue, so the caller passes it ([`SummaryOptions::cluster_queue`]).
//! For a local-queue response the cluster-queue summary covers only that local queue's
//! workloads; take local-queue numbers from the cluster-queue response where you have it.
//! Counts cover the workloads in the response, which the API limits (`limit`, default 1000):
//! to summarise a longer queue, page with `offset`, concatenate the pages'
//! [`PendingPage::workloads`] and call [`summarize`] once.
//!
//! # Metrics
//!
//! [`to_exposition`] writes text format 0.0.4 ([`kueue_families`] + [`render_text`]);
//! [`render_openmetrics`] writes the same families as OpenMetrics 1.0. Every
//! name starts with `kubeprom_kueue_`. Cluster-queue summaries give the first five families,
//! local-queue summaries the `local_queue_` ones, so no family mixes the two levels and a
//! `sum` over a family counts each workload once.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `kubeprom_kueue_pending_workloads` | gauge | `cluster_queue` |
//! | `kubeprom_kueue_pending_workloads_by_priority` | gauge | `cluster_queue`, `priority` |
//! | `kubeprom_kueue_oldest_pending_workload_age_seconds` | gauge | `cluster_queue` |
//! | `kubeprom_kueue_pending_workload_age_seconds` | histogram | `cluster_queue` (+ `le`) |
//! | `kubeprom_kueue_pending_workload_position` | gauge | `cluster_queue`, `namespace`, `local_queue`, `workload` |
//! | `kubeprom_kueue_local_queue_pending_workloads` | gauge | `cluster_queue`, `namespace`, `local_queue` |
//! | `kubeprom_kueue_local_queue_pending_workloads_by_priority` | gauge | `cluster_queue`, `namespace`, `local_queue`, `priority` |
//! | `kubeprom_kueue_local_queue_oldest_pending_workload_age_seconds` | gauge | `cluster_queue`, `namespace`, `local_queue` |
//! | `kubeprom_kueue_local_queue_pending_workload_age_seconds` | histogram | `cluster_queue`, `namespace`, `local_queue` (+ `le`) |
//! | `kubeprom_kueue_local_queue_pending_workload_position` | gauge | `cluster_queue`, `namespace`, `local_queue`, `workload` |
//!
//! `namespace` is the local queue's (and so its workloads') namespace; `workload` is the
//! Workload object's name. The oldest-age gauge is 0 for a queue with nothing pending (so
//! an alert on it stays quiet rather than absent). Position series exist only for the head of
//! each queue ([`SummaryOptions::head_limit`], default [`DEFAULT_HEAD_LIMIT`]), which keeps
//! cardinality bounded; their value is Kueue's `positionInClusterQueue` or
//! `positionInLocalQueue` (note that Kueue numbers local-queue positions in a cluster-queue
//! response per local queue *name*, across namespaces). The histogram buckets are
//! [`WAIT_BUCKETS`] (1 s to 1 week).

mod error;
mod exposition;
mod openmetrics;
mod paged;
mod parse;
mod stats;
mod summary;
mod timestamp;

#[cfg(test)]
mod scrape_test;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use self::error::KueueError;
pub use self::exposition::{
    kueue_families, render_text, to_exposition, write_float, FamilyData, Labels, MetricFamily,
    LABEL_CLUSTER_QUEUE, LABEL_LOCAL_QUEUE, LABEL_NAMESPACE, LABEL_PRIORITY, LABEL_WORKLOAD,
    METRIC_PREFIX, TEXT_CONTENT_TYPE,
};
pub use self::openmetrics::{render_openmetrics, OPENMETRICS_CONTENT_TYPE};
pub use self::paged::{PageStats, PagedPending};
pub use self::parse::{
    parse_pending_workloads, OwnerReference, PendingPage, PendingWorkload, SkippedItem,
    VISIBILITY_GROUP,
};
pub use self::stats::{quantile, Bucket, Histogram, WAIT_BUCKETS};
pub use self::summary::{
    summarize, HeadEntry, LocalQueueRef, PriorityCount, QueueSummary, SummaryOptions, WaitStats,
    DEFAULT_HEAD_LIMIT,
};
pub use self::timestamp::parse_rfc3339;

/// What [`pending_summary`] returns: the `KueueSummaryReport` of `www/index.d.ts`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryReport {
    /// The cluster queue's summary first, then one per local queue (by namespace, then name).
    pub summaries: Vec<QueueSummary>,
    /// Items that could not be read, with the path of the bad field.
    pub skipped: Vec<SkippedItem>,
}

/// Parses a `PendingWorkloadsSummary` body and summarises it per cluster queue and local queue.
///
/// Errors: `invalid_argument` for bad options (checked first), `malformed` for a body that is
/// not a `PendingWorkloadsSummary` or whose items are all unreadable.
pub fn pending_summary(body: &[u8], opts: &SummaryOptions) -> Result<SummaryReport, KueueError> {
    opts.validate()?;
    let page = parse_pending_workloads(body)?;
    Ok(SummaryReport {
        summaries: summarize(&page.workloads, opts)?,
        skipped: page.skipped,
    })
}
