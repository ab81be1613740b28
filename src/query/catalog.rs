//! The metrics kubeprom knows: what each answers, in which unit, from which exporter, and the
//! shape of its query.

use serde::{Deserialize, Serialize};

use super::label::MatchOp;

/// Unit of a metric's values, always the base unit Prometheus uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// CPU cores (CPU seconds per second).
    #[serde(rename = "cores")]
    Cores,
    /// Bytes.
    #[serde(rename = "bytes")]
    Bytes,
    /// Bytes per second.
    #[serde(rename = "bytes/s")]
    BytesPerSecond,
    /// A fraction from 0 to 1.
    #[serde(rename = "ratio")]
    Ratio,
    /// A plain count.
    #[serde(rename = "count")]
    Count,
    /// Seconds.
    #[serde(rename = "seconds")]
    Seconds,
    /// Operations per second.
    #[serde(rename = "ops/s")]
    OpsPerSecond,
}

/// What kind of number a metric's query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A current value.
    Gauge,
    /// A per-second rate over the window.
    Rate,
    /// A counter's increase over the window.
    Increase,
    /// A histogram quantile over the window.
    Quantile,
    /// A ratio of two rates.
    Ratio,
    /// 1 for each label combination that holds (such as a termination reason).
    Info,
}

/// The exporter a metric's series come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The kubelet's embedded cAdvisor.
    Cadvisor,
    /// kube-state-metrics.
    KubeStateMetrics,
    /// Kueue's controller manager.
    Kueue,
    /// controller-runtime's standard metrics, shared by most operators.
    ControllerRuntime,
    /// The KubeRay operator's own metrics.
    Kuberay,
    /// The Spark operator's own metrics.
    SparkOperator,
    /// Numaflow.
    Numaflow,
    /// Prometheus itself (`up`).
    Prometheus,
}

/// How a series is turned into a value per sample before aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transform {
    /// The raw value.
    Raw,
    /// `rate(series[window])`.
    Rate,
    /// `increase(series[window])`.
    Increase,
}

/// Whether a cAdvisor or kube-state-metrics series is one per container or one per pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodScope {
    /// One series per container; the pod-level cgroup (`container=""`) and the pause container
    /// (`container="POD"`) are excluded so a pod is the sum of its real containers.
    Containers,
    /// One series per pod (cAdvisor's network metrics: containers share the pod's network
    /// namespace, so there are no per-container series).
    Pod,
}

/// A fixed matcher that is part of a metric's definition.
pub(crate) type Fixed = (&'static str, MatchOp, &'static str);

/// The query shape of a metric.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// Per pod: each series deduplicated (`max by` the `dedup` labels, so a second scraper of the
    /// same series counts once), then summed per pod.
    PodSum {
        series: &'static str,
        scope: PodScope,
        transform: Transform,
        fixed: &'static [Fixed],
        /// Labels besides namespace and pod that keep series apart (container, device, ...).
        dedup: &'static [&'static str],
        /// Labels every result keeps, whatever `by` says (such as `reason`).
        always_by: &'static [&'static str],
    },
    /// Per pod: sum of rates of `numerator` over sum of rates of `denominator`.
    PodRatio {
        numerator: &'static str,
        denominator: &'static str,
        dedup: &'static [&'static str],
    },
    /// An aggregation of series that are not per pod (operators, queues, targets).
    Aggregate {
        op: &'static str,
        series: &'static str,
        transform: Transform,
        fixed: &'static [Fixed],
    },
    /// `histogram_quantile` over a histogram's buckets, `le` always kept; over the histogram
    /// itself (`buckets` without `_bucket`) when the profile says its source exposes native
    /// histograms.
    Quantile {
        buckets: &'static str,
        fixed: &'static [Fixed],
    },
}

/// One catalog entry.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Stable id, used in `QuerySpec.metric`.
    pub id: &'static str,
    /// Short human title.
    pub title: &'static str,
    /// Unit of the values.
    pub unit: Unit,
    /// What kind of number it is.
    pub kind: Kind,
    /// Where the series come from.
    pub source: Source,
    /// What it answers.
    pub description: &'static str,
    /// Labels of each result series when `by` is not given (the cluster label is added by
    /// multi-cluster profiles).
    pub default_by: &'static [&'static str],
    pub(crate) shape: Shape,
}

impl MetricDef {
    /// Whether the metric is per pod, so accepts the container, node and workload filters.
    pub fn is_per_pod(&self) -> bool {
        matches!(self.shape, Shape::PodSum { .. } | Shape::PodRatio { .. })
    }

    /// Whether the `container` filter applies.
    pub fn accepts_container(&self) -> bool {
        match self.shape {
            Shape::PodSum { scope, .. } => scope == PodScope::Containers,
            Shape::PodRatio { .. } => true,
            _ => false,
        }
    }

    /// Whether the query reads `window`.
    pub fn uses_window(&self) -> bool {
        match self.shape {
            Shape::PodSum { transform, .. } | Shape::Aggregate { transform, .. } => {
                transform != Transform::Raw
            }
            Shape::PodRatio { .. } | Shape::Quantile { .. } => true,
        }
    }

    /// Whether the query reads `quantile`.
    pub fn uses_quantile(&self) -> bool {
        matches!(self.shape, Shape::Quantile { .. })
    }

    /// The filters of a query spec that this metric accepts, besides selector, window, by,
    /// profile and variables.
    pub fn filters(&self) -> Vec<&'static str> {
        let mut filters = vec!["namespace", "pod", "cluster"];
        if self.accepts_container() {
            filters.push("container");
        }
        if self.is_per_pod() {
            filters.extend(["node", "workload"]);
        }
        filters
    }
}

/// The real containers of a pod: not its pod-level cgroup (no container label, which Prometheus
/// stores as `container=""`), not its pause container (`POD`).
pub(crate) const REAL_CONTAINERS: &[Fixed] = &[
    ("container", MatchOp::NotEqual, ""),
    ("container", MatchOp::NotEqual, "POD"),
];
const CPU: &[Fixed] = &[("resource", MatchOp::Equal, "cpu")];
const MEMORY: &[Fixed] = &[("resource", MatchOp::Equal, "memory")];
/// Kueue 0.16+ labels follower replicas; older releases have no such label, hence `!=`.
const KUEUE_LEADER: &[Fixed] = &[("replica_role", MatchOp::NotEqual, "follower")];
const KUEUE_LEADER_CPU: &[Fixed] = &[
    ("replica_role", MatchOp::NotEqual, "follower"),
    ("resource", MatchOp::Equal, "cpu"),
];
const KUEUE_LEADER_MEMORY: &[Fixed] = &[
    ("replica_role", MatchOp::NotEqual, "follower"),
    ("resource", MatchOp::Equal, "memory"),
];
/// Kueue's labels of a local queue series, both ways Prometheus may have scraped them (see
/// kueue_local_queue_pending_workloads).
const LOCAL_QUEUE_BY: &[&str] = &["namespace", "exported_namespace", "name"];
const POD_BY: &[&str] = &["namespace", "pod"];

const fn cadvisor_gauge(
    id: &'static str,
    title: &'static str,
    series: &'static str,
    description: &'static str,
) -> MetricDef {
    MetricDef {
        id,
        title,
        unit: Unit::Bytes,
        kind: Kind::Gauge,
        source: Source::Cadvisor,
        description,
        default_by: POD_BY,
        shape: Shape::PodSum {
            series,
            scope: PodScope::Containers,
            transform: Transform::Raw,
            fixed: REAL_CONTAINERS,
            dedup: &["container"],
            always_by: &[],
        },
    }
}

const fn cadvisor_rate(
    id: &'static str,
    title: &'static str,
    series: &'static str,
    scope: PodScope,
    dedup: &'static [&'static str],
    description: &'static str,
) -> MetricDef {
    MetricDef {
        id,
        title,
        unit: Unit::BytesPerSecond,
        kind: Kind::Rate,
        source: Source::Cadvisor,
        description,
        default_by: POD_BY,
        shape: Shape::PodSum {
            series,
            scope,
            transform: Transform::Rate,
            fixed: match scope {
                PodScope::Containers => REAL_CONTAINERS,
                PodScope::Pod => &[],
            },
            dedup,
            always_by: &[],
        },
    }
}

const fn ksm_container(
    id: &'static str,
    title: &'static str,
    unit: Unit,
    series: &'static str,
    fixed: &'static [Fixed],
    description: &'static str,
) -> MetricDef {
    MetricDef {
        id,
        title,
        unit,
        kind: Kind::Gauge,
        source: Source::KubeStateMetrics,
        description,
        default_by: POD_BY,
        shape: Shape::PodSum {
            series,
            scope: PodScope::Containers,
            transform: Transform::Raw,
            fixed,
            dedup: &["container"],
            always_by: &[],
        },
    }
}

#[allow(clippy::too_many_arguments)]
const fn aggregate(
    id: &'static str,
    title: &'static str,
    unit: Unit,
    kind: Kind,
    source: Source,
    default_by: &'static [&'static str],
    (op, series, transform, fixed): (&'static str, &'static str, Transform, &'static [Fixed]),
    description: &'static str,
) -> MetricDef {
    MetricDef {
        id,
        title,
        unit,
        kind,
        source,
        description,
        default_by,
        shape: Shape::Aggregate {
            op,
            series,
            transform,
            fixed,
        },
    }
}

const fn quantile(
    id: &'static str,
    title: &'static str,
    source: Source,
    default_by: &'static [&'static str],
    buckets: &'static str,
    fixed: &'static [Fixed],
    description: &'static str,
) -> MetricDef {
    MetricDef {
        id,
        title,
        unit: Unit::Seconds,
        kind: Kind::Quantile,
        source,
        description,
        default_by,
        shape: Shape::Quantile { buckets, fixed },
    }
}

/// Every metric, in the order a UI lists them.
///
/// A `static`, not a `const`: a const is copied into every crate that names it, and the wasm
/// boundary (which lists the catalog) would carry a second copy of every text in it.
pub static CATALOG: &[MetricDef] = &[
    MetricDef {
        id: "pod_cpu_usage",
        title: "CPU usage",
        unit: Unit::Cores,
        kind: Kind::Rate,
        source: Source::Cadvisor,
        description: "CPU cores used per pod, summed over its real containers as `kubectl top pod` counts them (no pod-level cgroup, no pause container).",
        default_by: POD_BY,
        shape: Shape::PodSum {
            series: "container_cpu_usage_seconds_total",
            scope: PodScope::Containers,
            transform: Transform::Rate,
            fixed: REAL_CONTAINERS,
            dedup: &["container"],
            always_by: &[],
        },
    },
    MetricDef {
        id: "pod_cpu_throttling",
        title: "CPU throttling",
        unit: Unit::Ratio,
        kind: Kind::Ratio,
        source: Source::Cadvisor,
        description: "Share of CFS scheduling periods in which the pod's containers were throttled.",
        default_by: POD_BY,
        shape: Shape::PodRatio {
            numerator: "container_cpu_cfs_throttled_periods_total",
            denominator: "container_cpu_cfs_periods_total",
            dedup: &["container"],
        },
    },
    cadvisor_gauge(
        "pod_memory_working_set",
        "Memory working set",
        "container_memory_working_set_bytes",
        "Working set per pod as `kubectl top pod` counts it: real containers only, never the pod-level cgroup or the pause container.",
    ),
    cadvisor_gauge("pod_memory_rss", "Memory RSS", "container_memory_rss", "Anonymous resident memory per pod, summed over its real containers."),
    cadvisor_gauge("pod_memory_cache", "Memory page cache", "container_memory_cache", "Page cache per pod, summed over its real containers."),
    cadvisor_gauge("pod_memory_swap", "Memory swap", "container_memory_swap", "Swap used per pod, summed over its real containers."),
    cadvisor_rate(
        "pod_network_receive",
        "Network receive",
        "container_network_receive_bytes_total",
        PodScope::Pod,
        &["interface"],
        "Bytes received per second by the pod, over all its interfaces. cAdvisor reports network per pod (the containers share it), so the series is counted once per interface.",
    ),
    cadvisor_rate(
        "pod_network_transmit",
        "Network transmit",
        "container_network_transmit_bytes_total",
        PodScope::Pod,
        &["interface"],
        "Bytes sent per second by the pod, over all its interfaces, counted once per interface.",
    ),
    cadvisor_rate(
        "pod_fs_read",
        "Disk read",
        "container_fs_reads_bytes_total",
        PodScope::Containers,
        &["container", "device"],
        "Bytes read per second from block devices by the pod's real containers.",
    ),
    cadvisor_rate(
        "pod_fs_write",
        "Disk write",
        "container_fs_writes_bytes_total",
        PodScope::Containers,
        &["container", "device"],
        "Bytes written per second to block devices by the pod's real containers.",
    ),
    ksm_container(
        "pod_restarts",
        "Restarts",
        Unit::Count,
        "kube_pod_container_status_restarts_total",
        &[],
        "Container restarts so far, summed per pod; each container counted once however many kube-state-metrics replicas report it.",
    ),
    MetricDef {
        id: "pod_restarts_increase",
        title: "Restarts in window",
        unit: Unit::Count,
        kind: Kind::Increase,
        source: Source::KubeStateMetrics,
        description: "Container restarts within `window`, summed per pod.",
        default_by: POD_BY,
        shape: Shape::PodSum {
            series: "kube_pod_container_status_restarts_total",
            scope: PodScope::Containers,
            transform: Transform::Increase,
            fixed: &[],
            dedup: &["container"],
            always_by: &[],
        },
    },
    MetricDef {
        id: "pod_last_terminated_reason",
        title: "Last termination reason",
        unit: Unit::Count,
        kind: Kind::Info,
        source: Source::KubeStateMetrics,
        description: "1 per container and the reason its last run ended (OOMKilled, Error, Completed, ...).",
        default_by: &["namespace", "pod", "container"],
        shape: Shape::PodSum {
            series: "kube_pod_container_status_last_terminated_reason",
            scope: PodScope::Containers,
            transform: Transform::Raw,
            fixed: &[],
            dedup: &["container", "reason"],
            always_by: &["reason"],
        },
    },
    MetricDef {
        id: "pod_waiting_reason",
        title: "Waiting reason",
        unit: Unit::Count,
        kind: Kind::Info,
        source: Source::KubeStateMetrics,
        description: "1 per container waiting to run and the reason (CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError, ...); running and terminated containers have no series.",
        default_by: &["namespace", "pod", "container"],
        shape: Shape::PodSum {
            series: "kube_pod_container_status_waiting_reason",
            scope: PodScope::Containers,
            transform: Transform::Raw,
            fixed: &[],
            dedup: &["container", "reason"],
            always_by: &["reason"],
        },
    },
    ksm_container(
        "pod_cpu_requests",
        "CPU requests",
        Unit::Cores,
        "kube_pod_container_resource_requests",
        CPU,
        "CPU cores requested by the pod's containers.",
    ),
    ksm_container("pod_cpu_limits", "CPU limits", Unit::Cores, "kube_pod_container_resource_limits", CPU, "CPU core limits of the pod's containers."),
    ksm_container(
        "pod_memory_requests",
        "Memory requests",
        Unit::Bytes,
        "kube_pod_container_resource_requests",
        MEMORY,
        "Memory requested by the pod's containers.",
    ),
    ksm_container(
        "pod_memory_limits",
        "Memory limits",
        Unit::Bytes,
        "kube_pod_container_resource_limits",
        MEMORY,
        "Memory limits of the pod's containers.",
    ),
    aggregate(
        "kueue_pending_workloads",
        "Pending workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue", "status"],
        ("sum", "kueue_pending_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads waiting per cluster queue, by status (active: waiting for quota; inadmissible: cannot be admitted as things are).",
    ),
    quantile(
        "kueue_admission_wait_time",
        "Admission wait",
        Source::Kueue,
        &["cluster_queue"],
        "kueue_admission_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from creation to admission of the workloads admitted within `window`, per cluster queue.",
    ),
    aggregate(
        "kueue_admitted_workloads_rate",
        "Admitted workloads",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::Kueue,
        &["cluster_queue"],
        ("sum", "kueue_admitted_workloads_total", Transform::Rate, KUEUE_LEADER),
        "Workloads admitted per second, per cluster queue.",
    ),
    aggregate(
        "kueue_quota_reserved_workloads_rate",
        "Quota reservations",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::Kueue,
        &["cluster_queue"],
        ("sum", "kueue_quota_reserved_workloads_total", Transform::Rate, KUEUE_LEADER),
        "Workloads that got a quota reservation per second, per cluster queue.",
    ),
    aggregate(
        "kueue_evicted_workloads_rate",
        "Evicted workloads",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::Kueue,
        &["cluster_queue", "reason"],
        ("sum", "kueue_evicted_workloads_total", Transform::Rate, KUEUE_LEADER),
        "Workloads evicted per second, per cluster queue and reason.",
    ),
    aggregate(
        "kueue_admitted_active_workloads",
        "Admitted active workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue"],
        ("sum", "kueue_admitted_active_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads admitted and not finished, per cluster queue.",
    ),
    aggregate(
        "kueue_local_queue_pending_workloads",
        "Local queue pending workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["namespace", "exported_namespace", "name", "status"],
        ("sum", "kueue_local_queue_pending_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads waiting per local queue and status, when Kueue's LocalQueueMetrics feature gate is on (default since 0.17). Kueue labels the series with the local queue's `namespace` and `name`; scraped without honorLabels (Kueue's Helm chart ServiceMonitor), Prometheus renames that label `exported_namespace` and `namespace` becomes Kueue's own. Results keep both, so queues of the same name stay apart either way; filter such a setup with `selector: { exported_namespace }`.",
    ),
    quantile(
        "kueue_local_queue_admission_wait_time",
        "Local queue admission wait",
        Source::Kueue,
        LOCAL_QUEUE_BY,
        "kueue_local_queue_admission_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from creation to admission of the workloads admitted within `window`, per local queue (LocalQueueMetrics feature gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    aggregate(
        "kueue_local_queue_admitted_workloads_rate",
        "Local queue admitted workloads",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::Kueue,
        LOCAL_QUEUE_BY,
        ("sum", "kueue_local_queue_admitted_workloads_total", Transform::Rate, KUEUE_LEADER),
        "Workloads admitted per second, per local queue (LocalQueueMetrics feature gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    aggregate(
        "kueue_local_queue_admitted_active_workloads",
        "Local queue admitted active workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        LOCAL_QUEUE_BY,
        ("sum", "kueue_local_queue_admitted_active_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads admitted and not finished, per local queue (LocalQueueMetrics feature gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    aggregate(
        "kueue_unadmitted_workloads",
        "Unadmitted workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue", "reason", "underlying_cause"],
        ("sum", "kueue_unadmitted_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads not admitted yet per cluster queue, by `reason` (NoReservation: no quota reserved; UnsatisfiedAdmissionChecks; PendingDelayedTopologyRequests) and `underlying_cause` of a missing reservation (WaitingForQuota, NoMatchingFlavor, ExceedsMaxQuota, TopologyPlacementFailed, PendingEvaluation...; absent once quota is reserved). Kueue 0.18+ with the UnadmittedWorkloadsObservability feature gate.",
    ),
    aggregate(
        "kueue_local_queue_unadmitted_workloads",
        "Local queue unadmitted workloads",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["namespace", "exported_namespace", "name", "cluster_queue", "reason", "underlying_cause"],
        ("sum", "kueue_local_queue_unadmitted_workloads", Transform::Raw, KUEUE_LEADER),
        "Workloads not admitted yet per local queue, by `reason` and `underlying_cause` as for kueue_unadmitted_workloads (UnadmittedWorkloadsObservability gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    aggregate(
        "kueue_pending_cpu",
        "Pending CPU",
        Unit::Cores,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue"],
        ("sum", "kueue_cluster_queue_resource_pending", Transform::Raw, KUEUE_LEADER_CPU),
        "CPU cores requested by the cluster queue's pending workloads, not yet assigned to a flavor (Kueue 0.18+).",
    ),
    aggregate(
        "kueue_pending_memory",
        "Pending memory",
        Unit::Bytes,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue"],
        ("sum", "kueue_cluster_queue_resource_pending", Transform::Raw, KUEUE_LEADER_MEMORY),
        "Memory requested by the cluster queue's pending workloads, not yet assigned to a flavor (Kueue 0.18+).",
    ),
    aggregate(
        "kueue_pending_resources",
        "Pending resources",
        Unit::Count,
        Kind::Gauge,
        Source::Kueue,
        &["cluster_queue", "resource"],
        ("sum", "kueue_cluster_queue_resource_pending", Transform::Raw, KUEUE_LEADER),
        "Every resource requested by the cluster queue's pending workloads, each in its own base unit (cores for cpu, bytes for memory, devices for nvidia.com/gpu); kueue_pending_cpu and kueue_pending_memory carry their units (Kueue 0.18+).",
    ),
    quantile(
        "kueue_quota_reserved_wait_time",
        "Quota reservation wait",
        Source::Kueue,
        &["cluster_queue"],
        "kueue_quota_reserved_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from creation (or requeue) to quota reservation of the workloads that got one within `window`, per cluster queue.",
    ),
    quantile(
        "kueue_admission_checks_wait_time",
        "Admission checks wait",
        Source::Kueue,
        &["cluster_queue"],
        "kueue_admission_checks_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from quota reservation to admission (the admission checks) of the workloads admitted within `window`, per cluster queue.",
    ),
    quantile(
        "kueue_ready_wait_time",
        "Ready wait",
        Source::Kueue,
        &["cluster_queue"],
        "kueue_ready_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from creation (or requeue) until the workload's pods were ready, for the workloads ready within `window`, per cluster queue (waitForPodsReady).",
    ),
    quantile(
        "kueue_workload_eviction_latency",
        "Eviction latency",
        Source::Kueue,
        &["cluster_queue", "reason"],
        "kueue_workload_eviction_latency_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from an eviction's start until it was finished (quota released, the workload pending again), for the evictions finished within `window`, per cluster queue and eviction reason (Kueue 0.18+).",
    ),
    quantile(
        "kueue_admitted_until_ready_wait_time",
        "Admitted until ready",
        Source::Kueue,
        &["cluster_queue"],
        "kueue_admitted_until_ready_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "Quantile of the time from admission until the workload's pods were ready, for the workloads ready within `window`, per cluster queue (waitForPodsReady).",
    ),
    quantile(
        "kueue_local_queue_quota_reserved_wait_time",
        "Local queue quota reservation wait",
        Source::Kueue,
        LOCAL_QUEUE_BY,
        "kueue_local_queue_quota_reserved_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "kueue_quota_reserved_wait_time per local queue (LocalQueueMetrics gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    quantile(
        "kueue_local_queue_admission_checks_wait_time",
        "Local queue admission checks wait",
        Source::Kueue,
        LOCAL_QUEUE_BY,
        "kueue_local_queue_admission_checks_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "kueue_admission_checks_wait_time per local queue (LocalQueueMetrics gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    quantile(
        "kueue_local_queue_ready_wait_time",
        "Local queue ready wait",
        Source::Kueue,
        LOCAL_QUEUE_BY,
        "kueue_local_queue_ready_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "kueue_ready_wait_time per local queue (LocalQueueMetrics gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    quantile(
        "kueue_local_queue_admitted_until_ready_wait_time",
        "Local queue admitted until ready",
        Source::Kueue,
        LOCAL_QUEUE_BY,
        "kueue_local_queue_admitted_until_ready_wait_time_seconds_bucket",
        KUEUE_LEADER,
        "kueue_admitted_until_ready_wait_time per local queue (LocalQueueMetrics gate; `namespace` as for kueue_local_queue_pending_workloads).",
    ),
    aggregate(
        "operator_reconcile_rate",
        "Reconciles",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::ControllerRuntime,
        &["job", "controller", "result"],
        ("sum", "controller_runtime_reconcile_total", Transform::Rate, &[]),
        "Reconciles per second per controller and result (success, error, requeue, requeue_after); controller-runtime operators such as KubeRay, the Spark operator and Kueue.",
    ),
    aggregate(
        "operator_reconcile_errors",
        "Reconcile errors",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::ControllerRuntime,
        &["job", "controller"],
        ("sum", "controller_runtime_reconcile_errors_total", Transform::Rate, &[]),
        "Reconcile errors per second per controller.",
    ),
    quantile(
        "operator_reconcile_latency",
        "Reconcile latency",
        Source::ControllerRuntime,
        &["job", "controller"],
        "controller_runtime_reconcile_time_seconds_bucket",
        &[],
        "Quantile of reconcile duration per controller.",
    ),
    aggregate(
        "operator_workqueue_depth",
        "Work queue depth",
        Unit::Count,
        Kind::Gauge,
        Source::ControllerRuntime,
        &["job", "name"],
        ("sum", "workqueue_depth", Transform::Raw, &[]),
        "Items waiting in each controller work queue.",
    ),
    aggregate(
        "operator_active_workers",
        "Active workers",
        Unit::Count,
        Kind::Gauge,
        Source::ControllerRuntime,
        &["job", "controller"],
        ("sum", "controller_runtime_active_workers", Transform::Raw, &[]),
        "Reconcile workers busy right now per controller.",
    ),
    aggregate(
        "kuberay_cluster_provisioned_duration",
        "RayCluster provisioning time",
        Unit::Seconds,
        Kind::Gauge,
        Source::Kuberay,
        &["namespace", "name"],
        ("max", "kuberay_cluster_provisioned_duration_seconds", Transform::Raw, &[]),
        "Seconds each RayCluster took from creation to all pods ready (KubeRay operator with metrics enabled).",
    ),
    aggregate(
        "spark_application_submit_rate",
        "Spark submissions",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::SparkOperator,
        &["job"],
        ("sum", "spark_application_submit_count", Transform::Rate, &[]),
        "SparkApplications submitted per second by the Spark operator.",
    ),
    aggregate(
        "spark_application_failure_rate",
        "Spark failures",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::SparkOperator,
        &["job"],
        ("sum", "spark_application_failure_count", Transform::Rate, &[]),
        "SparkApplications failed per second.",
    ),
    aggregate(
        "spark_application_success_rate",
        "Spark successes",
        Unit::OpsPerSecond,
        Kind::Rate,
        Source::SparkOperator,
        &["job"],
        ("sum", "spark_application_success_count", Transform::Rate, &[]),
        "SparkApplications completed successfully per second.",
    ),
    aggregate(
        "spark_application_running",
        "Spark applications running",
        Unit::Count,
        Kind::Gauge,
        Source::SparkOperator,
        &["job"],
        ("sum", "spark_application_running_count", Transform::Raw, &[]),
        "SparkApplications running now.",
    ),
    quantile(
        "spark_application_start_latency",
        "Spark start latency",
        Source::SparkOperator,
        &["job"],
        "spark_application_start_latency_seconds_histogram_bucket",
        &[],
        "Quantile of the time from a SparkApplication's creation to its first run, for the applications started within `window` (the operator's `_histogram` family; its buckets come from the Helm value controller.jobStartLatencyBuckets).",
    ),
    aggregate(
        "scrape_up",
        "Scrape target up",
        Unit::Count,
        Kind::Gauge,
        Source::Prometheus,
        &["job", "namespace", "instance"],
        ("min", "up", Transform::Raw, &[]),
        "1 when the target's last scrape succeeded, 0 when it failed; no series at all means nothing scrapes it.",
    ),
];

/// Looks a metric up by id.
pub fn find(id: &str) -> Option<&'static MetricDef> {
    CATALOG.iter().find(|def| def.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = CATALOG.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOG.len());
    }

    #[test]
    fn api_ids_exist() {
        for id in [
            "pod_cpu_usage",
            "pod_cpu_throttling",
            "pod_memory_working_set",
            "pod_memory_rss",
            "pod_memory_cache",
            "pod_memory_swap",
            "pod_network_receive",
            "pod_network_transmit",
            "pod_fs_read",
            "pod_fs_write",
            "pod_restarts",
            "pod_restarts_increase",
            "pod_last_terminated_reason",
            "pod_cpu_requests",
            "pod_cpu_limits",
            "pod_memory_requests",
            "pod_memory_limits",
            "kueue_pending_workloads",
            "kueue_admission_wait_time",
            "operator_reconcile_rate",
            "operator_reconcile_errors",
            "operator_reconcile_latency",
            "operator_workqueue_depth",
            "scrape_up",
        ] {
            assert!(find(id).is_some(), "{id} missing");
        }
    }
}
