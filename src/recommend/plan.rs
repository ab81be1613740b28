//! The queries a recommendation needs: usage over the history through subqueries evaluated by
//! Prometheus (one value per container, however many pods and samples), and current settings.

use serde::Serialize;

use super::spec::{RecommendSpec, Settings};
use crate::query::{
    build_query, pod_workloads, OwnerScope, Profile, QueryError, QuerySpec, WORKLOAD_LABELS,
};

/// What one planned query answers, per container; written as its [`name`](Need::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// The CPU percentile over the history, cores.
    CpuUsage,
    /// Steps of the history with CPU usage, for the history's length.
    CpuSamples,
    /// The peak working set over the history, bytes.
    MemoryPeak,
    /// 1 when a container's last termination was OOMKilled at some step of the history.
    OomKilled,
    /// Current CPU request, cores.
    CpuRequest,
    /// Current CPU limit, cores.
    CpuLimit,
    /// Current memory request, bytes.
    MemoryRequest,
    /// Current memory limit, bytes.
    MemoryLimit,
}

impl Need {
    /// Every need, in plan order.
    pub const ALL: [Need; 8] = [
        Need::CpuUsage,
        Need::CpuSamples,
        Need::MemoryPeak,
        Need::OomKilled,
        Need::CpuRequest,
        Need::CpuLimit,
        Need::MemoryRequest,
        Need::MemoryLimit,
    ];

    /// The name callers key answers by (`cpuUsage`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Need::CpuUsage => "cpuUsage",
            Need::CpuSamples => "cpuSamples",
            Need::MemoryPeak => "memoryPeak",
            Need::OomKilled => "oomKilled",
            Need::CpuRequest => "cpuRequest",
            Need::CpuLimit => "cpuLimit",
            Need::MemoryRequest => "memoryRequest",
            Need::MemoryLimit => "memoryLimit",
        }
    }
}

impl Serialize for Need {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// One query of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedQuery {
    /// What it answers.
    pub need: Need,
    /// The PromQL, an instant query at the end of the history.
    pub promql: String,
}

/// Every query of a recommendation, with the settings they were built for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The checked settings.
    pub settings: Settings,
    /// One query per [`Need`], in [`Need::ALL`]'s order.
    pub queries: Vec<PlannedQuery>,
}

/// Plans the queries for `spec`.
///
/// Each per-pod query is the catalog's (real containers only, each scrape once, pods by
/// ownership), kept per pod and container, then reduced to the busiest replica per container:
/// at each step of the history for usage, so pods that came and went over the window count
/// while they ran; now for requests and limits. Without a workload, every workload of the
/// namespace: each pod joined to its workload by ownership, and the busiest replica taken per
/// workload and container.
pub fn plan(spec: &RecommendSpec) -> Result<Plan, QueryError> {
    let settings = Settings::of(spec)?;
    let profile = Profile::resolve(spec.profile.as_ref())?;
    // The cluster label keeps pods of equal names in two clusters apart until the join.
    let cluster: Vec<String> = match &spec.workload {
        Some(_) => Vec::new(),
        None => profile
            .cluster_label
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect(),
    };
    let per_pod = |metric: &str, window: Option<String>, selector: &[(&str, &str)]| {
        build_query(&QuerySpec {
            metric: metric.into(),
            namespace: Some(spec.namespace.clone()),
            container: spec.container.clone(),
            cluster: spec.cluster.clone(),
            workload: spec.workload.clone(),
            selector: {
                // Inserts: collecting into a map would add a sort to the wasm module.
                let mut map = std::collections::BTreeMap::new();
                for (k, v) in selector {
                    map.insert((*k).to_owned(), (*v).to_owned());
                }
                map
            },
            window,
            by: Some(
                cluster
                    .iter()
                    .cloned()
                    .chain(["namespace".into(), "pod".into(), "container".into()])
                    .collect(),
            ),
            profile: spec.profile.clone(),
            ..QuerySpec::default()
        })
    };
    let busiest: Box<dyn Fn(String) -> String> = match &spec.workload {
        Some(_) => Box::new(|inner: String| format!("max by (container) ({inner})")),
        None => {
            let owners = pod_workloads(
                &profile,
                &OwnerScope {
                    namespace: Some(spec.namespace.clone()),
                    cluster: spec.cluster.clone(),
                },
            );
            let on: Vec<String> = profile
                .cluster_label
                .iter()
                .map(|l| l.to_string())
                .chain(["namespace".into(), "pod".into()])
                .collect();
            let on = on.join(", ");
            let workload = WORKLOAD_LABELS.join(", ");
            Box::new(move |inner: String| {
                format!(
                    "max by ({workload}, container) ({inner} * on ({on}) group_left ({workload}) {owners})"
                )
            })
        }
    };
    let history = format!("[{}:{}]", settings.window, settings.step);
    let cpu = busiest(per_pod(
        "pod_cpu_usage",
        Some(settings.rate_window.to_string()),
        &[],
    )?);
    let memory = busiest(per_pod("pod_memory_working_set", None, &[])?);
    let oom = busiest(per_pod(
        "pod_last_terminated_reason",
        None,
        &[("reason", "OOMKilled")],
    )?);
    let promql = |need: Need| -> Result<String, QueryError> {
        Ok(match need {
            Need::CpuUsage => format!(
                "quantile_over_time({}, ({cpu}){history})",
                settings.cpu_percentile
            ),
            Need::CpuSamples => format!("count_over_time(({cpu}){history})"),
            Need::MemoryPeak => format!("max_over_time(({memory}){history})"),
            Need::OomKilled => format!("max_over_time(({oom}){history})"),
            Need::CpuRequest => busiest(per_pod("pod_cpu_requests", None, &[])?),
            Need::CpuLimit => busiest(per_pod("pod_cpu_limits", None, &[])?),
            Need::MemoryRequest => busiest(per_pod("pod_memory_requests", None, &[])?),
            Need::MemoryLimit => busiest(per_pod("pod_memory_limits", None, &[])?),
        })
    };
    let queries = Need::ALL
        .into_iter()
        .map(|need| {
            Ok(PlannedQuery {
                need,
                promql: promql(need)?,
            })
        })
        .collect::<Result<_, QueryError>>()?;
    Ok(Plan { settings, queries })
}
