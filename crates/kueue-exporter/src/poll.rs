//! One poll: discover versions, list the queues, read each queue's pending workloads page by
//! page, summarise, and record the result or the fault.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use kubeprom::kueue::{LocalQueueRef, PagedPending, QueueSummary, SummaryOptions};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::api::{Fault, FaultKind, Kube, PendingTarget, KUEUE_GROUP, VISIBILITY_GROUP};
use crate::cli::VisibilityVersion;
use crate::state::{Reading, Scope, SourceKey, State};

/// What a poll needs besides the client.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--page-size`.
    pub page_size: u32,
    /// `--max-workloads`.
    pub max_workloads: u32,
    /// `--head-limit`.
    pub head_limit: usize,
    /// `--local-queues`.
    pub local_queues: bool,
    /// `--visibility-version`.
    pub visibility_version: VisibilityVersion,
    /// `--concurrency`.
    pub concurrency: u32,
}

/// Locks the state; a panic elsewhere while holding the lock must not stop the exporter, and
/// the state is always consistent between statements, so a poisoned lock is used as is.
pub fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn log_fault(scope: &str, fault: &Fault) {
    tracing::warn!(
        queue = scope,
        kind = fault.kind.label(),
        "{}",
        fault.message
    );
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Runs one poll and records everything in `state`.
pub async fn poll_once(kube: &Kube, settings: &Settings, state: &Arc<Mutex<State>>) {
    let started = Instant::now();
    let listed = poll_inner(kube, settings, state).await;
    let seconds = started.elapsed().as_secs_f64();
    lock(state).record_poll(seconds, listed);
    tracing::debug!(seconds, listed, "poll done");
}

/// Returns whether the cluster queues could be listed.
async fn poll_inner(kube: &Kube, settings: &Settings, state: &Arc<Mutex<State>>) -> bool {
    let global = |fault: Fault, scope: Option<Scope>| {
        log_fault("", &fault);
        lock(state).record_global_fault(fault.kind, scope);
    };
    let kueue_version = match kube.versions(KUEUE_GROUP).await {
        Ok(v) => v.preferred().unwrap_or("v1beta1").to_owned(),
        Err(f) => {
            global(f, None);
            return false;
        }
    };
    let visibility_version = match settings.visibility_version {
        VisibilityVersion::V1beta1 => "v1beta1".to_owned(),
        VisibilityVersion::V1beta2 => "v1beta2".to_owned(),
        VisibilityVersion::Auto => match kube.versions(VISIBILITY_GROUP).await {
            Ok(v) if v.serves("v1beta2") => "v1beta2".to_owned(),
            Ok(v) if v.serves("v1beta1") => "v1beta1".to_owned(),
            Ok(v) => {
                global(
                    Fault::new(
                        FaultKind::NotFound,
                        format!(
                            "{VISIBILITY_GROUP} serves {:?}, none of which this exporter reads (v1beta1, v1beta2)",
                            v.0
                        ),
                    ),
                    None,
                );
                return false;
            }
            Err(mut f) => {
                if f.kind == FaultKind::NotFound {
                    f.message.push_str(
                        " (the visibility API is not registered: is Kueue's visibility server enabled?)",
                    );
                }
                global(f, None);
                return false;
            }
        },
    };
    let cluster_queues = match kube.cluster_queues(&kueue_version).await {
        Ok(names) => names,
        Err(f) => {
            global(f, Some(Scope::ClusterQueues));
            return false;
        }
    };
    let local_queues = if settings.local_queues {
        match kube.local_queues(&kueue_version).await {
            Ok(lqs) => Some(lqs),
            Err(f) => {
                global(f, Some(Scope::LocalQueues));
                None
            }
        }
    } else {
        None
    };

    let mut jobs: Vec<(SourceKey, String, PendingTarget)> = cluster_queues
        .iter()
        .map(|cq| {
            (
                SourceKey::ClusterQueue(cq.clone()),
                cq.clone(),
                PendingTarget::ClusterQueue(cq.clone()),
            )
        })
        .collect();
    {
        let mut st = lock(state);
        let keys: Vec<SourceKey> = jobs.iter().map(|j| j.0.clone()).collect();
        st.retain(Scope::ClusterQueues, &keys);
        if let Some(lqs) = &local_queues {
            let lq_keys: Vec<SourceKey> = lqs
                .iter()
                .map(|lq| SourceKey::LocalQueue {
                    namespace: lq.namespace.clone(),
                    name: lq.name.clone(),
                })
                .collect();
            st.retain(Scope::LocalQueues, &lq_keys);
        } else if !settings.local_queues {
            st.retain(Scope::LocalQueues, &[]);
        }
    }
    for lq in local_queues.into_iter().flatten() {
        jobs.push((
            SourceKey::LocalQueue {
                namespace: lq.namespace.clone(),
                name: lq.name.clone(),
            },
            lq.cluster_queue,
            PendingTarget::LocalQueue {
                namespace: lq.namespace,
                name: lq.name,
            },
        ));
    }

    let permits = Arc::new(Semaphore::new(settings.concurrency as usize));
    let mut set = JoinSet::new();
    for (key, cluster_queue, target) in jobs {
        let kube = kube.clone();
        let settings = settings.clone();
        let state = Arc::clone(state);
        let permits = Arc::clone(&permits);
        let version = visibility_version.clone();
        set.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await.ok();
            let result = read_queue(&kube, &settings, &target, &version, &cluster_queue).await;
            let mut st = lock(&state);
            match result {
                Ok(reading) => st.record_reading(key, cluster_queue, reading),
                Err(fault) => {
                    drop(st);
                    log_fault(&describe(&target), &fault);
                    lock(&state).record_fault(key, cluster_queue, fault.kind);
                }
            }
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Err(e) = joined {
            tracing::error!("a queue poll task failed: {e}");
        }
    }
    true
}

fn describe(target: &PendingTarget) -> String {
    match target {
        PendingTarget::ClusterQueue(name) => name.clone(),
        PendingTarget::LocalQueue { namespace, name } => format!("{namespace}/{name}"),
    }
}

/// Reads every page of one queue (up to `--max-workloads`) and summarises it.
async fn read_queue(
    kube: &Kube,
    settings: &Settings,
    target: &PendingTarget,
    version: &str,
    cluster_queue: &str,
) -> Result<Reading, Fault> {
    let max = settings.max_workloads as usize;
    let mut paged = PagedPending::new();
    let mut truncated = false;
    loop {
        let offset = paged.items();
        let limit = settings
            .page_size
            .min(u32::try_from(max.saturating_sub(offset)).unwrap_or(u32::MAX));
        let body = kube.pending_page(target, version, limit, offset).await?;
        // Parsing a page of many thousand workloads takes milliseconds: off the runtime thread,
        // so /metrics answers meanwhile.
        let (back, result) = tokio::task::spawn_blocking(move || {
            let r = paged.add_page(body.as_bytes());
            (paged, r)
        })
        .await
        .map_err(|e| Fault::new(FaultKind::Malformed, format!("parsing task failed: {e}")))?;
        paged = back;
        let stats = result.map_err(|e| {
            Fault::new(
                FaultKind::Malformed,
                format!(
                    "{} page at offset {offset}: {e}",
                    match target {
                        PendingTarget::ClusterQueue(n) => format!("cluster queue {n:?}"),
                        PendingTarget::LocalQueue { namespace, name } =>
                            format!("local queue {namespace}/{name}"),
                    }
                ),
            )
        })?;
        if stats.duplicates > 0 {
            tracing::debug!(
                queue = describe(target),
                duplicates = stats.duplicates,
                "the queue moved while it was paged"
            );
        }
        if stats.items < limit as usize {
            break;
        }
        if paged.items() >= max {
            truncated = true;
            break;
        }
    }
    // A few lines per poll say what is wrong; a queue full of bad items must not flood the log.
    const SHOWN: usize = 3;
    let skipped_items = paged.skipped();
    for s in skipped_items.iter().take(SHOWN) {
        tracing::warn!(
            queue = describe(target),
            kind = "malformed_item",
            "skipped item {}: {}: {}",
            s.index,
            s.path,
            s.message
        );
    }
    if skipped_items.len() > SHOWN {
        tracing::warn!(
            queue = describe(target),
            kind = "malformed_item",
            "skipped {} more unreadable items",
            skipped_items.len() - SHOWN
        );
    }
    let at = unix_now();
    let opts = SummaryOptions {
        now: at,
        cluster_queue: cluster_queue.to_owned(),
        head_limit: settings.head_limit,
    };
    let skipped = paged.skipped().len() as u64;
    let summaries = tokio::task::spawn_blocking(move || paged.summarize(&opts))
        .await
        .map_err(|e| Fault::new(FaultKind::Malformed, format!("summary task failed: {e}")))?
        .map_err(|e| Fault::new(FaultKind::Malformed, e.to_string()))?;
    Ok(Reading {
        summaries: publishable(summaries, target, settings.local_queues)?,
        at,
        skipped,
        truncated,
    })
}

/// The summaries a queue publishes: a cluster queue all of them (or only its own when local
/// queues are read separately), a local queue its own (0 when nothing is pending).
fn publishable(
    mut summaries: Vec<QueueSummary>,
    target: &PendingTarget,
    local_queues_separately: bool,
) -> Result<Vec<QueueSummary>, Fault> {
    match target {
        PendingTarget::ClusterQueue(_) => {
            if local_queues_separately {
                summaries.truncate(1);
            }
            Ok(summaries)
        }
        PendingTarget::LocalQueue { namespace, name } => {
            let wanted = LocalQueueRef {
                namespace: namespace.clone(),
                name: name.clone(),
            };
            if let Some(own) = summaries
                .iter()
                .position(|s| s.local_queue.as_ref() == Some(&wanted))
            {
                return Ok(vec![summaries.swap_remove(own)]);
            }
            match summaries.into_iter().next() {
                // summarize() always gives the queue-wide summary first; with nothing pending
                // it is the local queue's too.
                Some(mut empty) if empty.pending == 0 => {
                    empty.local_queue = Some(wanted);
                    Ok(vec![empty])
                }
                _ => Err(Fault::new(
                    FaultKind::Malformed,
                    format!(
                        "local queue {namespace}/{name}: the answer lists workloads of other local queues only"
                    ),
                )),
            }
        }
    }
}
