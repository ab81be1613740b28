//! Building PromQL for Kubernetes workloads from a [`QuerySpec`].
//!
//! Every user-supplied value becomes an exact-match literal (never a regex), so a namespace of
//! `a"} or vector(1) #` selects that namespace and nothing else. Pods of a workload are found by
//! ownership through kube-state-metrics, never by name prefix.

pub mod catalog;
pub mod custom;
pub mod duration;
pub mod label;
pub mod owners;
pub mod profile;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use catalog::{find, Kind, MetricDef, Source, Unit, CATALOG};
pub use custom::{parse_matcher_lines, CustomKind, CustomMetric, CustomScope, MetricRef};
pub use duration::PromDuration;
pub use label::{
    bare_selector, is_classic_label_name, is_classic_metric_name, label_name_text, selector,
    LabelName, LabelValue, MatchOp, MatchValue, Matcher,
};
pub use owners::{pod_workloads, OwnerScope, WORKLOAD_LABELS};
pub use profile::{CustomProfile, Profile, ProfileSpec, PROFILE_NAMES};

use catalog::{Fixed, PodScope, Shape, Transform, REAL_CONTAINERS};
use custom::{CheckedCustom, SCRAPE_LABELS};

/// Why a query could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// An input field is wrong; `field` names it.
    #[error("{field}: {message}")]
    InvalidArgument {
        /// The offending field, e.g. `window` or `selector.app`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl QueryError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The API error kind: always `invalid_argument`.
    pub fn kind(&self) -> &'static str {
        "invalid_argument"
    }
}

/// Kinds of workload whose pods can be selected by ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum WorkloadKind {
    /// Pods owned by the Deployment's ReplicaSets.
    Deployment,
    /// Pods owned by the StatefulSet.
    StatefulSet,
    /// Pods owned by the DaemonSet.
    DaemonSet,
    /// Pods owned by the ReplicaSet.
    ReplicaSet,
    /// Pods owned by the Job.
    Job,
    /// Pods owned by the CronJob's Jobs.
    CronJob,
}

impl WorkloadKind {
    /// Every kind.
    pub const ALL: [WorkloadKind; 6] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::ReplicaSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
    ];

    /// The kind as Kubernetes writes it (`Deployment`), the value of `kube_pod_owner`'s
    /// `owner_kind` and of [`pod_workloads`]' `workload_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// The kind Kubernetes writes as `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A workload whose pods a query is restricted to. Ordered by name, then kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadRef {
    /// The workload's name.
    pub name: String,
    /// The workload's kind.
    pub kind: WorkloadKind,
}

/// How Grafana template variables in filter values are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableMode {
    /// Every value is a literal, `$ns` included.
    #[default]
    Off,
    /// A value that is a whole variable reference becomes `label="$ns"` for Grafana to fill in.
    Exact,
    /// A value that is a whole variable reference becomes `label=~"$ns"` (multi-value variables,
    /// which Grafana regex-escapes and joins itself).
    Regex,
}

/// What to query: the API's `QuerySpec`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuerySpec {
    /// A catalog id, or a per-pod metric of the caller's own.
    pub metric: MetricRef,
    /// Exact namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Exact pod name.
    #[serde(default)]
    pub pod: Option<String>,
    /// Exact container name.
    #[serde(default)]
    pub container: Option<String>,
    /// Exact node name (through `kube_pod_info`).
    #[serde(default)]
    pub node: Option<String>,
    /// Exact cluster, for profiles with a cluster label.
    #[serde(default)]
    pub cluster: Option<String>,
    /// Restricts to the pods a workload owns.
    #[serde(default)]
    pub workload: Option<WorkloadRef>,
    /// More exact-match filters.
    #[serde(default)]
    pub selector: BTreeMap<String, String>,
    /// Range for rate/increase/quantile; default `5m`.
    #[serde(default)]
    pub window: Option<String>,
    /// Output grouping labels; default per metric.
    #[serde(default)]
    pub by: Option<Vec<String>>,
    /// Quantile for histogram metrics, 0..=1; default 0.95.
    #[serde(default)]
    pub quantile: Option<f64>,
    /// Label conventions; default kube-prometheus-stack.
    #[serde(default)]
    pub profile: Option<ProfileSpec>,
    /// Grafana template variable pass-through; `None` (or `undefined` from JS) means off.
    #[serde(default)]
    pub variables: Option<VariableMode>,
}

/// The default range of rate, increase and quantile queries.
pub const DEFAULT_WINDOW: &str = "5m";
/// The default quantile of histogram metrics.
pub const DEFAULT_QUANTILE: f64 = 0.95;

/// Builds the PromQL for `spec`.
pub fn build_query(spec: &QuerySpec) -> Result<String, QueryError> {
    let target = match &spec.metric {
        MetricRef::Id(id) => Target::Catalog(find(id).ok_or_else(|| {
            QueryError::invalid(
                "metric",
                format!("unknown metric {id:?}; listMetrics() gives the known ids"),
            )
        })?),
        MetricRef::Custom(custom) => Target::Custom(custom.check()?),
    };
    Builder::new(target, spec)?.build()
}

/// The metric a query is built for.
enum Target {
    Catalog(&'static MetricDef),
    Custom(CheckedCustom),
}

impl Target {
    /// How error messages name the metric.
    fn name(&self) -> &str {
        match self {
            Self::Catalog(def) => def.id,
            Self::Custom(custom) => &custom.series,
        }
    }

    fn accepts_container(&self) -> bool {
        match self {
            Self::Catalog(def) => def.accepts_container(),
            Self::Custom(custom) => custom.scope == CustomScope::Container,
        }
    }

    fn is_per_pod(&self) -> bool {
        match self {
            Self::Catalog(def) => def.is_per_pod(),
            Self::Custom(_) => true,
        }
    }

    fn default_by(&self) -> &'static [&'static str] {
        match self {
            Self::Catalog(def) => def.default_by,
            Self::Custom(_) => &["namespace", "pod"],
        }
    }
}

/// How a per-pod query counts each series once before summing a pod's series.
#[derive(Clone, Copy)]
enum Dedupe {
    /// `max by` the pod, the output labels and these labels, which keep series apart.
    KeepApart(&'static [&'static str]),
    /// `max without` the scrape labels: series of unknown labels, equal but for their scrape.
    DropScrapeLabels,
}

/// A spec checked against its metric, ready to render.
struct Builder<'a> {
    target: Target,
    spec: &'a QuerySpec,
    profile: Profile,
    window: String,
    quantile: f64,
    by: Vec<LabelName>,
    selector: Vec<(LabelName, &'a str)>,
}

impl<'a> Builder<'a> {
    fn new(target: Target, spec: &'a QuerySpec) -> Result<Self, QueryError> {
        let profile = Profile::resolve(spec.profile.as_ref())?;
        let window = match spec.window.as_deref() {
            None => DEFAULT_WINDOW.to_owned(),
            Some(text)
                if spec.variables.unwrap_or_default() != VariableMode::Off
                    && MatchValue::grafana_variable(text).is_some() =>
            {
                text.to_owned()
            }
            Some(text) => PromDuration::parse(text, "window")?.to_string(),
        };
        let quantile = spec.quantile.unwrap_or(DEFAULT_QUANTILE);
        if !(0.0..=1.0).contains(&quantile) {
            return Err(QueryError::invalid(
                "quantile",
                format!("{quantile} is not between 0 and 1"),
            ));
        }
        let by = match &spec.by {
            Some(labels) => labels
                .iter()
                .enumerate()
                .map(|(i, name)| LabelName::new(name, &format!("by[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            None => profile
                .cluster_label
                .iter()
                .cloned()
                .chain(known(target.default_by()))
                .collect(),
        };
        let selector = spec
            .selector
            .iter()
            .map(|(name, value)| {
                Ok((
                    LabelName::new(name, &format!("selector.{name}"))?,
                    value.as_str(),
                ))
            })
            .collect::<Result<Vec<_>, QueryError>>()?;
        if spec.cluster.is_some() && profile.cluster_label.is_none() {
            return Err(QueryError::invalid(
                "cluster",
                "the profile has no cluster label; use the 'multi-cluster' profile or set profile.clusterLabel",
            ));
        }
        let reject = |field: &str, given: bool, why: &str| {
            if given {
                Err(QueryError::invalid(
                    field,
                    format!("{} {why}", target.name()),
                ))
            } else {
                Ok(())
            }
        };
        reject(
            "container",
            spec.container.is_some() && !target.accepts_container(),
            "is not measured per container",
        )?;
        reject(
            "node",
            spec.node.is_some() && !target.is_per_pod(),
            "is not a per-pod metric",
        )?;
        reject(
            "workload",
            spec.workload.is_some() && !target.is_per_pod(),
            "is not a per-pod metric",
        )?;
        Ok(Self {
            target,
            spec,
            profile,
            window,
            quantile,
            by,
            selector,
        })
    }

    fn value(&self, text: &str) -> (MatchOp, MatchValue) {
        match (
            self.spec.variables.unwrap_or_default(),
            MatchValue::grafana_variable(text),
        ) {
            (VariableMode::Exact, Some(var)) => (MatchOp::Equal, var),
            (VariableMode::Regex, Some(var)) => (MatchOp::Regex, var),
            _ => (MatchOp::Equal, MatchValue::Literal(LabelValue::new(text))),
        }
    }

    fn filter(&self, name: LabelName, text: &str) -> Matcher {
        let (op, value) = self.value(text);
        Matcher { name, op, value }
    }

    /// Cluster and namespace matchers, shared by the metric and its ownership joins.
    fn scope_matchers(&self) -> Vec<Matcher> {
        let mut matchers = Vec::new();
        if let (Some(label), Some(cluster)) = (&self.profile.cluster_label, &self.spec.cluster) {
            matchers.push(self.filter(label.clone(), cluster));
        }
        if let Some(namespace) = &self.spec.namespace {
            matchers.push(self.filter(LabelName::known("namespace"), namespace));
        }
        matchers
    }

    fn source_matchers(&self) -> &[Matcher] {
        match &self.target {
            Target::Catalog(def) => match def.source {
                Source::Cadvisor => &self.profile.cadvisor,
                Source::KubeStateMetrics => &self.profile.kube_state_metrics,
                _ => &[],
            },
            Target::Custom(custom) => &custom.matchers,
        }
    }

    fn series_matchers(&self, fixed: &[Fixed]) -> Vec<Matcher> {
        let mut matchers = self.source_matchers().to_vec();
        matchers.extend(self.scope_matchers());
        if let Some(pod) = &self.spec.pod {
            matchers.push(self.filter(LabelName::known("pod"), pod));
        }
        if let Some(container) = &self.spec.container {
            matchers.push(self.filter(LabelName::known("container"), container));
        }
        for (name, value) in &self.selector {
            matchers.push(self.filter(name.clone(), value));
        }
        for &(name, op, value) in fixed {
            matchers.push(Matcher {
                name: LabelName::known(name),
                op,
                value: MatchValue::Literal(LabelValue::new(value)),
            });
        }
        matchers
    }

    fn ksm_selector(&self, series: &str, extra: Vec<Matcher>) -> String {
        let mut matchers = self.profile.kube_state_metrics.clone();
        matchers.extend(self.scope_matchers());
        matchers.extend(extra);
        selector(series, &matchers)
    }

    /// Labels that identify a pod across the joins.
    fn pod_identity(&self) -> Vec<LabelName> {
        self.profile
            .cluster_label
            .iter()
            .cloned()
            .chain([LabelName::known("namespace"), LabelName::known("pod")])
            .collect()
    }

    /// Vectors of the pods that pass the node and workload filters, to intersect with `and on`.
    fn pod_joins(&self) -> Vec<String> {
        let mut joins = Vec::new();
        if let Some(node) = &self.spec.node {
            joins.push(self.ksm_selector(
                "kube_pod_info",
                vec![self.filter(LabelName::known("node"), node)],
            ));
        }
        if let Some(workload) = &self.spec.workload {
            joins.push(self.workload_pods(workload));
        }
        joins
    }

    fn workload_pods(&self, workload: &WorkloadRef) -> String {
        let owner = |kind: &str| Matcher::equal(LabelName::known("owner_kind"), kind);
        let owner_name = self.filter(LabelName::known("owner_name"), &workload.name);
        // Deployments and CronJobs own their pods through a ReplicaSet or a Job: rename the pod's
        // owner_name to the intermediate object's label and join its owner.
        let through = |direct_kind: &str,
                       link_label: &'static str,
                       link_series: &str,
                       top_kind: &str| {
            let on: Vec<LabelName> = self
                .profile
                .cluster_label
                .iter()
                .cloned()
                .chain(known(&["namespace", link_label]))
                .collect();
            let on = labels(&on);
            format!(
                "label_replace({pods}, \"{link_label}\", \"$1\", \"owner_name\", \"(.*)\") * on ({on}) group_left () max by ({on}) ({owners})",
                pods = self.ksm_selector("kube_pod_owner", vec![owner(direct_kind)]),
                owners = self.ksm_selector(link_series, vec![owner(top_kind), owner_name.clone()]),
            )
        };
        match workload.kind {
            WorkloadKind::Deployment => through(
                "ReplicaSet",
                "replicaset",
                "kube_replicaset_owner",
                "Deployment",
            ),
            WorkloadKind::CronJob => through("Job", "job_name", "kube_job_owner", "CronJob"),
            kind => self.ksm_selector("kube_pod_owner", vec![owner(kind.as_str()), owner_name]),
        }
    }

    fn range(&self, transform: Transform, inner: &str) -> String {
        match transform {
            Transform::Raw => inner.to_owned(),
            Transform::Rate => format!("rate({inner}[{}])", self.window),
            Transform::Increase => format!("increase({inner}[{}])", self.window),
        }
    }

    /// `sum by (by) (max by (by + identity + dedup) (vector) and on (identity) join ...)`, or
    /// with `max without (scrape labels)` for series whose other labels are not known.
    fn per_pod(&self, vector: &str, dedupe_by: Dedupe, always_by: &[&'static str]) -> String {
        let identity = self.pod_identity();
        let outer = dedupe(self.by.iter().cloned().chain(known(always_by)));
        let mut expr = match dedupe_by {
            Dedupe::KeepApart(apart) => {
                let inner = dedupe(
                    outer
                        .iter()
                        .cloned()
                        .chain(identity.iter().cloned())
                        .chain(known(apart)),
                );
                format!("max by ({}) ({vector})", labels(&inner))
            }
            Dedupe::DropScrapeLabels => {
                let scrape: Vec<LabelName> = known(SCRAPE_LABELS)
                    .filter(|name| !outer.contains(name) && !identity.contains(name))
                    .collect();
                format!("max without ({}) ({vector})", labels(&scrape))
            }
        };
        for join in self.pod_joins() {
            expr = format!("{expr} and on ({}) ({join})", labels(&identity));
        }
        format!("sum by ({}) ({expr})", labels(&outer))
    }

    fn build(&self) -> Result<String, QueryError> {
        let def = match &self.target {
            Target::Catalog(def) => def,
            Target::Custom(custom) => return Ok(self.custom(custom)),
        };
        Ok(match def.shape {
            Shape::PodSum {
                series,
                scope,
                transform,
                fixed,
                dedup,
                always_by,
            } => {
                let matchers = self.series_matchers(fixed);
                debug_assert!(scope == PodScope::Containers || self.spec.container.is_none());
                self.per_pod(
                    &self.range(transform, &selector(series, &matchers)),
                    Dedupe::KeepApart(dedup),
                    always_by,
                )
            }
            Shape::PodRatio {
                numerator,
                denominator,
                dedup,
            } => {
                let matchers = self.series_matchers(REAL_CONTAINERS);
                let side = |series: &str| {
                    self.per_pod(
                        &self.range(Transform::Rate, &selector(series, &matchers)),
                        Dedupe::KeepApart(dedup),
                        &[],
                    )
                };
                format!("{} / {}", side(numerator), side(denominator))
            }
            Shape::Aggregate {
                op,
                series,
                transform,
                fixed,
            } => {
                let vector = self.range(transform, &selector(series, &self.series_matchers(fixed)));
                format!("{op} by ({}) ({vector})", labels(&self.by))
            }
            Shape::Quantile { buckets, fixed } => {
                let native = self.profile.native_histograms.contains(&def.source);
                let series = match buckets.strip_suffix("_bucket") {
                    Some(histogram) if native => histogram,
                    _ => buckets,
                };
                let vector = self.range(
                    Transform::Rate,
                    &selector(series, &self.series_matchers(fixed)),
                );
                // A native histogram's buckets are inside each sample: no `le` to keep.
                let le: &[&str] = if native { &[] } else { &["le"] };
                let by = dedupe(self.by.iter().cloned().chain(known(le)));
                format!(
                    "histogram_quantile({}, sum by ({}) ({vector}))",
                    format_float(self.quantile),
                    labels(&by)
                )
            }
        })
    }
}

/// Names as a grouping clause lists them, each quoted where it needs to be.
fn labels(names: &[LabelName]) -> String {
    names
        .iter()
        .map(LabelName::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Keeps the first occurrence of each label, in order.
fn dedupe(names: impl Iterator<Item = LabelName>) -> Vec<LabelName> {
    let mut seen = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}

/// Labels the catalog names, all of the classic form.
fn known<'a>(names: &'a [&'static str]) -> impl Iterator<Item = LabelName> + 'a {
    names.iter().map(|&name| LabelName::known(name))
}

/// A float as PromQL reads it back exactly (`0.95`, `0.5`, `1`).
pub(crate) fn format_float(value: f64) -> String {
    let text = format!("{value}");
    if text.contains('e') {
        format!("{value:e}")
    } else {
        text
    }
}
