//! Summarising a queue read page by page (`limit`/`offset`), and workloads that outlive the
//! response body they were parsed from.

use std::borrow::Cow;
use std::collections::HashSet;

use super::error::KueueError;
use super::parse::{parse_pending_workloads, OwnerReference, PendingWorkload, SkippedItem};
use super::summary::{summarize, QueueSummary, SummaryOptions};

impl PendingWorkload<'_> {
    /// The same workload with every string owned, so it no longer borrows the response body.
    pub fn into_owned(self) -> PendingWorkload<'static> {
        PendingWorkload {
            name: Cow::Owned(self.name.into_owned()),
            namespace: Cow::Owned(self.namespace.into_owned()),
            creation_timestamp: self.creation_timestamp,
            owner_references: self
                .owner_references
                .into_iter()
                .map(|o| OwnerReference {
                    api_version: Cow::Owned(o.api_version.into_owned()),
                    kind: Cow::Owned(o.kind.into_owned()),
                    name: Cow::Owned(o.name.into_owned()),
                    uid: Cow::Owned(o.uid.into_owned()),
                })
                .collect(),
            priority: self.priority,
            local_queue_name: Cow::Owned(self.local_queue_name.into_owned()),
            position_in_cluster_queue: self.position_in_cluster_queue,
            position_in_local_queue: self.position_in_local_queue,
        }
    }
}

/// What one page added to a [`PagedPending`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStats {
    /// Items in the page's `items`, readable or not: a page with fewer than the `limit` asked
    /// for is the last one.
    pub items: usize,
    /// Workloads already seen on an earlier page and so left out: the queue moved between two
    /// requests (pages are not a snapshot).
    pub duplicates: usize,
}

/// The pending workloads of one queue gathered from consecutive pages of the visibility API.
///
/// Pages are parsed as they arrive ([`PagedPending::add_page`]) and the workloads kept owned,
/// so a body can be dropped before the next is read. A workload (namespace and name) that a
/// later page repeats is counted once. Owner references are not kept (summaries do not use
/// them, and they are most of a workload's memory).
#[derive(Debug, Default)]
pub struct PagedPending {
    workloads: Vec<PendingWorkload<'static>>,
    seen: HashSet<(String, String)>,
    skipped: Vec<SkippedItem>,
    items: usize,
    duplicates: usize,
}

impl PagedPending {
    /// No pages yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the next page and adds its workloads.
    ///
    /// The page is taken to start at item [`PagedPending::items`] of the queue (the `offset` the
    /// caller asked for), which is how skipped items are numbered (`index` and the `items[i]`
    /// of `path` count from the start of the queue, not of the page). Errors with
    /// [`KueueError::Malformed`] as [`parse_pending_workloads`] does, adding nothing.
    pub fn add_page(&mut self, body: &[u8]) -> Result<PageStats, KueueError> {
        let page = parse_pending_workloads(body)?;
        let offset = self.items;
        let count = page.workloads.len() + page.skipped.len();
        let mut duplicates = 0;
        for mut w in page.workloads {
            w.owner_references = Vec::new();
            let key = (w.namespace.to_string(), w.name.to_string());
            if self.seen.contains(&key) {
                duplicates += 1;
            } else {
                self.seen.insert(key);
                self.workloads.push(w.into_owned());
            }
        }
        for s in page.skipped {
            let index = s.index + offset;
            let rest = s
                .path
                .strip_prefix(&format!("items[{}]", s.index))
                .unwrap_or("");
            self.skipped.push(SkippedItem {
                index,
                path: format!("items[{index}]{rest}"),
                message: s.message,
            });
        }
        self.items += count;
        self.duplicates += duplicates;
        Ok(PageStats {
            items: count,
            duplicates,
        })
    }

    /// Items read so far, readable or not (the `offset` of the next page).
    pub fn items(&self) -> usize {
        self.items
    }

    /// The distinct readable workloads so far, in the order read.
    pub fn workloads(&self) -> &[PendingWorkload<'static>] {
        &self.workloads
    }

    /// Items that could not be read, numbered from the start of the queue.
    pub fn skipped(&self) -> &[SkippedItem] {
        &self.skipped
    }

    /// Workloads left out because an earlier page had them.
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// [`summarize`] of all workloads read: the cluster queue first, then each local queue.
    pub fn summarize(&self, opts: &SummaryOptions) -> Result<Vec<QueueSummary>, KueueError> {
        summarize(&self.workloads, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::pending_summary;
    use super::*;

    const GPU: &[u8] = include_bytes!("../../tests/data/kueue/cq-gpu-a100-v1beta2.json");

    /// The fixture split into pages of `size` items, as a server would answer limit/offset.
    fn pages(size: usize) -> Vec<Vec<u8>> {
        let doc: serde_json::Value = serde_json::from_slice(GPU).unwrap();
        let items = doc["items"].as_array().unwrap();
        items
            .chunks(size)
            .map(|chunk| {
                let mut page = doc.clone();
                page["items"] = serde_json::Value::Array(chunk.to_vec());
                serde_json::to_vec(&page).unwrap()
            })
            .collect()
    }

    #[test]
    fn pages_summarise_like_the_whole_body() {
        let mut opts = SummaryOptions::new(1_760_000_000.0);
        opts.cluster_queue = "gpu-a100".into();
        let whole = pending_summary(GPU, &opts).unwrap();
        let mut paged = PagedPending::new();
        let mut sizes = Vec::new();
        for page in pages(100) {
            sizes.push(paged.add_page(&page).unwrap().items);
        }
        // 420 items in the fixture.
        assert_eq!(sizes, vec![100, 100, 100, 100, 20]);
        assert_eq!(paged.items(), 420);
        assert_eq!(paged.summarize(&opts).unwrap(), whole.summaries);
        // The fixture's bad item is 137: page 2, index 37 in it.
        assert_eq!(paged.skipped(), whole.skipped.as_slice());
        assert_eq!(paged.skipped()[0].index, 137);
        assert_eq!(
            paged.skipped()[0].path,
            "items[137].metadata.creationTimestamp"
        );
        assert_eq!(paged.duplicates(), 0);
    }

    #[test]
    fn owner_references_are_dropped() {
        let mut paged = PagedPending::new();
        paged.add_page(GPU).unwrap();
        assert!(paged
            .workloads()
            .iter()
            .all(|w| w.owner_references.is_empty()));
        let page = parse_pending_workloads(GPU).unwrap();
        assert!(page
            .workloads
            .iter()
            .all(|w| !w.owner_references.is_empty()));
    }

    #[test]
    fn a_repeated_workload_counts_once() {
        let p = pages(100);
        let mut paged = PagedPending::new();
        paged.add_page(&p[0]).unwrap();
        // The queue moved: the second request returns the first page again.
        let stats = paged.add_page(&p[0]).unwrap();
        assert_eq!(stats.items, 100);
        assert_eq!(stats.duplicates, 100);
        assert_eq!(paged.workloads().len(), 100);
        assert_eq!(paged.duplicates(), 100);
    }

    #[test]
    fn a_bad_page_adds_nothing() {
        let mut paged = PagedPending::new();
        let err = paged.add_page(b"{\"items\": [").unwrap_err();
        assert_eq!(err.kind(), "malformed");
        assert_eq!(paged.items(), 0);
        assert!(paged.workloads().is_empty());
    }

    #[test]
    fn owned_workloads_equal_borrowed_ones() {
        let page = parse_pending_workloads(GPU).unwrap();
        let owned: Vec<PendingWorkload<'static>> = page
            .workloads
            .iter()
            .cloned()
            .map(PendingWorkload::into_owned)
            .collect();
        assert_eq!(owned, page.workloads);
    }
}
