//! What to recommend for, and the method's settings with their defaults checked once.

use serde::Deserialize;

use crate::query::{self, ProfileSpec, PromDuration, QueryError, WorkloadRef};

/// What a caller asks for: the API's `RecommendSpec`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecommendSpec {
    /// The workload's namespace.
    pub namespace: String,
    /// The workload whose containers get recommendations (its pods found by ownership);
    /// without one, every workload of the namespace.
    #[serde(default)]
    pub workload: Option<WorkloadRef>,
    /// Only this container of the workload.
    #[serde(default)]
    pub container: Option<String>,
    /// History to learn from; default `14d`.
    #[serde(default)]
    pub window: Option<String>,
    /// Resolution of the history (the subqueries' step); default `5m`.
    #[serde(default)]
    pub step: Option<String>,
    /// Range of the CPU usage rate at each step; default `5m`, the catalog's rate window.
    #[serde(default)]
    pub rate_window: Option<String>,
    /// Percentile of CPU usage the CPU request covers, in (0, 1]; default 0.95.
    #[serde(default)]
    pub cpu_percentile: Option<f64>,
    /// Share added to the memory peak for the memory request and limit, 0 to 10; default 0.15.
    #[serde(default)]
    pub memory_buffer: Option<f64>,
    /// Whether to recommend a CPU limit; default none.
    #[serde(default)]
    pub cpu_limit: Option<CpuLimitPolicy>,
    /// Smallest CPU request recommended, in cores; default 0.01 (10m).
    #[serde(default)]
    pub min_cpu: Option<f64>,
    /// Smallest memory request recommended, in bytes; default 100Mi.
    #[serde(default)]
    pub min_memory: Option<f64>,
    /// History a container needs before it gets a recommendation; default `1d`.
    #[serde(default)]
    pub min_history: Option<String>,
    /// How far current values may be from the recommendation and still be fine, as a share of
    /// the recommendation; default 0.2. Differences within 20m of CPU or 16Mi of memory are
    /// always fine.
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Label conventions; default kube-prometheus-stack.
    #[serde(default)]
    pub profile: Option<ProfileSpec>,
    /// Exact cluster, for profiles with a cluster label.
    #[serde(default)]
    pub cluster: Option<String>,
}

/// The settings of the right-sizing rules; every one optional, with the defaults of
/// [`RecommendSpec`], whose settings are checked as these are. They
/// restate its settings fields rather than flatten a shared struct: serde cannot flatten into a
/// struct that denies unknown fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesSpec {
    /// History to learn from; default `14d`.
    #[serde(default)]
    pub window: Option<String>,
    /// Resolution of the history; default `5m`.
    #[serde(default)]
    pub step: Option<String>,
    /// Range of the CPU usage rate; default `5m`.
    #[serde(default)]
    pub rate_window: Option<String>,
    /// Percentile of CPU usage the CPU request covers; default 0.95.
    #[serde(default)]
    pub cpu_percentile: Option<f64>,
    /// Share added to the memory peak; default 0.15.
    #[serde(default)]
    pub memory_buffer: Option<f64>,
    /// Smallest CPU request recommended, cores; default 0.01.
    #[serde(default)]
    pub min_cpu: Option<f64>,
    /// Smallest memory request recommended, bytes; default 100Mi.
    #[serde(default)]
    pub min_memory: Option<f64>,
    /// History a container needs before its requests are judged; default `1d`.
    #[serde(default)]
    pub min_history: Option<String>,
    /// How far a request may be from the recommendation, as a share of it; default 0.2.
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Label conventions; default kube-prometheus-stack.
    #[serde(default)]
    pub profile: Option<ProfileSpec>,
}

/// Whether and how a CPU limit is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum CpuLimitPolicy {
    /// No CPU limit (throttling costs latency; the request already reserves the CPU).
    None,
    /// The CPU request times this factor, at least 1.
    RequestTimes(f64),
}

/// The default history.
pub const DEFAULT_WINDOW: &str = "14d";
/// The default history resolution.
pub const DEFAULT_STEP: &str = "5m";
/// The default CPU percentile.
pub const DEFAULT_CPU_PERCENTILE: f64 = 0.95;
/// The default memory buffer.
pub const DEFAULT_MEMORY_BUFFER: f64 = 0.15;
/// The default smallest CPU request, in cores.
pub const DEFAULT_MIN_CPU: f64 = 0.01;
/// The default smallest memory request, in bytes.
pub const DEFAULT_MIN_MEMORY: f64 = 100.0 * MIB;
/// The default history a container needs.
pub const DEFAULT_MIN_HISTORY: &str = "1d";
/// The default tolerance.
pub const DEFAULT_TOLERANCE: f64 = 0.2;

pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// A spec with every default filled in and every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// History to learn from.
    pub window: PromDuration,
    /// Resolution of the history.
    pub step: PromDuration,
    /// Range of the CPU usage rate.
    pub rate_window: PromDuration,
    /// Percentile of CPU usage the request covers.
    pub cpu_percentile: f64,
    /// Share added to the memory peak.
    pub memory_buffer: f64,
    /// The CPU limit policy.
    pub cpu_limit: CpuLimitPolicy,
    /// Smallest CPU request, cores.
    pub min_cpu: f64,
    /// Smallest memory request, bytes.
    pub min_memory: f64,
    /// History needed.
    pub min_history: PromDuration,
    /// Tolerance as a share.
    pub tolerance: f64,
}

impl Settings {
    /// Checks `spec`'s settings; the error names the field.
    pub fn of(spec: &RecommendSpec) -> Result<Self, QueryError> {
        if spec.namespace.is_empty() {
            return Err(QueryError::invalid("namespace", "empty"));
        }
        if spec.workload.as_ref().is_some_and(|w| w.name.is_empty()) {
            return Err(QueryError::invalid("workload.name", "empty"));
        }
        // The settings fields, as the cluster-wide rules take them; the profile is not one.
        let settings = RulesSpec {
            window: spec.window.clone(),
            step: spec.step.clone(),
            rate_window: spec.rate_window.clone(),
            cpu_percentile: spec.cpu_percentile,
            memory_buffer: spec.memory_buffer,
            min_cpu: spec.min_cpu,
            min_memory: spec.min_memory,
            min_history: spec.min_history.clone(),
            tolerance: spec.tolerance,
            profile: None,
        };
        Self::tuned(&settings, spec.cpu_limit)
    }

    /// Checks a recommendation's settings and CPU limit policy (default none); the error names
    /// the field.
    pub(crate) fn tuned(
        spec: &RulesSpec,
        cpu_limit: Option<CpuLimitPolicy>,
    ) -> Result<Self, QueryError> {
        let duration = |value: &Option<String>, default: &str, field: &str| {
            PromDuration::parse(value.as_deref().unwrap_or(default), field)
        };
        let window = duration(&spec.window, DEFAULT_WINDOW, "window")?;
        let step = duration(&spec.step, DEFAULT_STEP, "step")?;
        if step > window {
            return Err(QueryError::invalid(
                "step",
                format!("{step} is longer than the window {window}"),
            ));
        }
        let min_history = duration(&spec.min_history, DEFAULT_MIN_HISTORY, "minHistory")?;
        if min_history > window {
            return Err(QueryError::invalid(
                "minHistory",
                format!(
                    "{min_history} is longer than the window {window}: no container could have it"
                ),
            ));
        }
        let number =
            |value: Option<f64>, default: f64, field: &str, ok: fn(f64) -> bool, range: &str| {
                let v = value.unwrap_or(default);
                if v.is_finite() && ok(v) {
                    Ok(v)
                } else {
                    Err(QueryError::invalid(field, format!("{v} is not {range}")))
                }
            };
        let cpu_limit = cpu_limit.unwrap_or(CpuLimitPolicy::None);
        if let CpuLimitPolicy::RequestTimes(factor) = cpu_limit {
            number(
                Some(factor),
                1.0,
                "cpuLimit.requestTimes",
                |f| f >= 1.0,
                "a factor of 1 or more",
            )?;
        }
        Ok(Self {
            window,
            step,
            rate_window: duration(&spec.rate_window, query::DEFAULT_WINDOW, "rateWindow")?,
            cpu_percentile: number(
                spec.cpu_percentile,
                DEFAULT_CPU_PERCENTILE,
                "cpuPercentile",
                |p| p > 0.0 && p <= 1.0,
                "in (0, 1]",
            )?,
            memory_buffer: number(
                spec.memory_buffer,
                DEFAULT_MEMORY_BUFFER,
                "memoryBuffer",
                |b| (0.0..=10.0).contains(&b),
                "from 0 to 10",
            )?,
            cpu_limit,
            min_cpu: number(
                spec.min_cpu,
                DEFAULT_MIN_CPU,
                "minCpu",
                |c| c >= 0.0,
                "0 or more cores",
            )?,
            min_memory: number(
                spec.min_memory,
                DEFAULT_MIN_MEMORY,
                "minMemory",
                |m| m >= 0.0,
                "0 or more bytes",
            )?,
            min_history,
            tolerance: number(
                spec.tolerance,
                DEFAULT_TOLERANCE,
                "tolerance",
                |t| (0.0..=10.0).contains(&t),
                "from 0 to 10",
            )?,
        })
    }
}
