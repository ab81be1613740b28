//! What the linter knows about metric names: which exporter a series comes from and whether it
//! is a counter or a gauge.
//!
//! PromQL has no types, so this is knowledge plus naming conventions. Every check is
//! conservative: names with `:` are recording rules whose type is unknown, and an unknown name
//! is neither a counter nor a gauge.

/// cAdvisor metrics that exist per container *and* for the pod-level cgroup (`container=""`),
/// so summing them without a container filter counts every pod twice.
const CADVISOR_PER_CONTAINER_PREFIXES: &[&str] = &[
    "container_cpu_",
    "container_memory_",
    "container_fs_",
    "container_blkio_",
    "container_spec_",
    "container_hugetlb_",
    "container_pressure_",
    "container_perf_",
    "container_accelerator_",
    "container_llc_",
    "container_referenced_bytes",
    "container_processes",
    "container_threads",
    "container_file_descriptors",
    "container_sockets",
    "container_ulimits_",
    "container_oom_events_total",
    "container_tasks_state",
    "container_start_time_seconds",
    "container_last_seen",
];

/// Whether `name` is a cAdvisor metric reported per container and for the pod cgroup.
/// Recording rules (names with `:`) have the labels their rule gives them, whatever they are
/// named after.
pub(super) fn is_cadvisor_per_container(name: &str) -> bool {
    !name.contains(':')
        && CADVISOR_PER_CONTAINER_PREFIXES
            .iter()
            .any(|p| name.starts_with(p))
}

/// Whether `name` is a cAdvisor network metric: reported once per pod (by the pod sandbox,
/// `container=""` or `container="POD"`), never per application container.
pub(super) fn is_cadvisor_network(name: &str) -> bool {
    name.starts_with("container_network_")
}

/// Gauges whose names end like counters (`_total`, `_count`) or that have no telling suffix.
const KNOWN_GAUGES: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "machine_cpu_cores",
    "machine_memory_bytes",
    "container_memory_rss",
    "container_memory_cache",
    "container_memory_swap",
    "container_memory_mapped_file",
    "container_memory_kernel_usage",
    "container_threads",
    "container_threads_max",
    "container_processes",
    "container_file_descriptors",
    "container_sockets",
    "container_fs_inodes_free",
    "container_fs_inodes_total",
    "container_fs_io_current",
    "container_last_seen",
    "container_start_time_seconds",
    "container_tasks_state",
    // The kubelet's pod and container counts before they were renamed to kubelet_running_pods
    // and kubelet_running_containers.
    "kubelet_running_pod_count",
    "kubelet_running_container_count",
    "workqueue_depth",
    "workqueue_longest_running_processor_seconds",
    "workqueue_unfinished_work_seconds",
    "controller_runtime_active_workers",
    "controller_runtime_max_concurrent_reconciles",
    "kueue_pending_workloads",
    "kueue_admitted_active_workloads",
    "kueue_reserving_active_workloads",
    "kueue_cluster_queue_status",
    "spark_application_running_count",
    "spark_executor_running_count",
];

/// Histograms whose buckets are a snapshot (they go down when observations leave), so their
/// `_bucket`, `_count` and `_sum` series are gauges: kubeprom's Kueue exporter's ages of the
/// workloads pending now (src/kueue/exposition.rs), read as they are, never rated.
const GAUGE_HISTOGRAMS: &[&str] = &[
    "kubeprom_kueue_pending_workload_age_seconds",
    "kubeprom_kueue_local_queue_pending_workload_age_seconds",
];

/// Whether `name` is a series of one of [`GAUGE_HISTOGRAMS`].
fn is_gauge_histogram_series(name: &str) -> bool {
    ["_bucket", "_count", "_sum"].iter().any(|suffix| {
        name.strip_suffix(suffix)
            .is_some_and(|base| GAUGE_HISTOGRAMS.contains(&base))
    })
}

/// Suffixes that mark a gauge by Prometheus naming conventions (a counter ends in `_total`).
const GAUGE_SUFFIXES: &[&str] = &[
    "_bytes",
    "_ratio",
    "_info",
    "_depth",
    "_celsius",
    "_timestamp_seconds",
    "_time_seconds",
    "_percent",
];

/// Whether `name` is known to be a gauge.
pub(super) fn is_gauge(name: &str) -> bool {
    if name.contains(':') {
        return false;
    }
    if KNOWN_GAUGES.contains(&name)
        || name.starts_with("container_spec_")
        || is_gauge_histogram_series(name)
    {
        return true;
    }
    if name.starts_with("kube_") {
        // kube-state-metrics: everything but the `_total` counters describes object state.
        return !name.ends_with("_total");
    }
    GAUGE_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether `name` looks like a counter whose raw value is meaningless without `rate()`:
/// a `_total` counter, or the `_count`, `_sum`, `_bucket` series of a histogram or summary.
///
/// kube-state-metrics counters (`kube_pod_container_status_restarts_total`) are left out: they
/// copy a number from the object's status, so their raw value ("restarts so far") is the point.
pub(super) fn is_counter(name: &str) -> bool {
    if name.contains(':')
        || name.starts_with("kube_")
        || KNOWN_GAUGES.contains(&name)
        || is_gauge_histogram_series(name)
    {
        return false;
    }
    ["_total", "_count", "_sum", "_bucket"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// The exporter (scrape job kind) a metric comes from, when its name says so unambiguously.
/// Metrics of different exporters carry different target labels (`job`, `instance`, ...).
pub(super) fn exporter(name: &str) -> Option<&'static str> {
    if name.contains(':') {
        return None;
    }
    let table: &[(&str, &str)] = &[
        ("container_", "cAdvisor"),
        ("machine_", "cAdvisor"),
        ("kube_", "kube-state-metrics"),
        ("node_", "node-exporter"),
        ("kubelet_", "the kubelet"),
        ("apiserver_", "the API server"),
        ("kueue_", "Kueue"),
        ("kuberay_", "KubeRay"),
        ("spark_", "the Spark operator"),
    ];
    table
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|(_, exporter)| *exporter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadvisor_per_container_excludes_network() {
        assert!(is_cadvisor_per_container(
            "container_memory_working_set_bytes"
        ));
        assert!(is_cadvisor_per_container(
            "container_cpu_usage_seconds_total"
        ));
        assert!(is_cadvisor_per_container("container_fs_reads_bytes_total"));
        assert!(!is_cadvisor_per_container(
            "container_network_receive_bytes_total"
        ));
        assert!(is_cadvisor_network("container_network_receive_bytes_total"));
        assert!(!is_cadvisor_per_container("kube_pod_container_info"));
        assert!(!is_cadvisor_per_container(
            "node_namespace_pod_container:container_memory_working_set_bytes"
        ));
        assert!(!is_cadvisor_per_container(
            "container_memory_working_set_bytes:sum_by_pod"
        ));
    }

    #[test]
    fn counters_and_gauges() {
        assert!(is_counter("http_requests_total"));
        assert!(is_counter("apiserver_request_duration_seconds_bucket"));
        assert!(is_counter("rpc_latency_seconds_sum"));
        assert!(!is_counter("kube_pod_container_status_restarts_total"));
        assert!(!is_counter("container_fs_inodes_total"));
        assert!(!is_counter("spark_application_running_count"));
        assert!(!is_counter("job:http_requests_total:rate5m"));
        assert!(!is_counter("up"));
        assert!(!is_counter("kubelet_running_pod_count"));
        assert!(is_gauge("kubelet_running_container_count"));
        // The Kueue exporter's snapshot histogram: its buckets are gauges.
        assert!(!is_counter(
            "kubeprom_kueue_pending_workload_age_seconds_bucket"
        ));
        assert!(is_gauge(
            "kubeprom_kueue_local_queue_pending_workload_age_seconds_count"
        ));
        assert!(is_counter(
            "kubeprom_kueue_pending_workload_age_seconds_total_bucket"
        ));

        assert!(is_gauge("container_memory_working_set_bytes"));
        assert!(is_gauge("kube_pod_status_phase"));
        assert!(is_gauge("workqueue_depth"));
        assert!(is_gauge("up"));
        assert!(!is_gauge("container_network_receive_bytes_total"));
        assert!(!is_gauge("kube_pod_container_status_restarts_total"));
        assert!(!is_gauge("http_request_duration_seconds_count"));
        assert!(!is_gauge("namespace:container_memory_usage_bytes:sum"));
        assert!(!is_gauge("some_unknown_metric"));
    }

    #[test]
    fn exporters() {
        assert_eq!(exporter("container_memory_rss"), Some("cAdvisor"));
        assert_eq!(
            exporter("kube_pod_container_resource_limits"),
            Some("kube-state-metrics")
        );
        assert_eq!(exporter("workqueue_depth"), None);
        assert_eq!(exporter("a:b:c"), None);
    }
}
