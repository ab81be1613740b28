//! Label conventions of a scrape setup: which series are cAdvisor's, which kube-state-metrics'.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::catalog::Source;
use super::label::{LabelName, Matcher};
use super::QueryError;

/// Names of the built-in profiles, the default first.
pub const PROFILE_NAMES: [&str; 3] = ["kube-prometheus-stack", "plain", "multi-cluster"];

/// A profile as the caller gives it: a built-in name or the conventions themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ProfileSpec {
    /// One of [`PROFILE_NAMES`].
    Named(String),
    /// Custom conventions.
    Custom(CustomProfile),
}

/// Custom label conventions; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomProfile {
    /// Exact-match labels that select cAdvisor series.
    #[serde(default)]
    pub cadvisor: BTreeMap<String, String>,
    /// Exact-match labels that select kube-state-metrics series.
    #[serde(default)]
    pub kube_state_metrics: BTreeMap<String, String>,
    /// The label that tells clusters apart in a shared Prometheus.
    #[serde(default)]
    pub cluster_label: Option<String>,
    /// Sources whose histograms Prometheus stores as native histograms (Prometheus 3 scraping
    /// with `scrape_native_histograms`, or an OTLP exponential histogram): their quantiles read
    /// the histogram series itself, which has no `_bucket` series and no `le`.
    #[serde(default)]
    pub native_histograms: Vec<Source>,
}

/// Resolved, validated label conventions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Matchers that select cAdvisor series.
    pub cadvisor: Vec<Matcher>,
    /// Matchers that select kube-state-metrics series.
    pub kube_state_metrics: Vec<Matcher>,
    /// The cluster label, when several clusters share one Prometheus.
    pub cluster_label: Option<LabelName>,
    /// Sources whose histograms are native (see [`CustomProfile::native_histograms`]).
    pub native_histograms: Vec<Source>,
}

impl Profile {
    /// kube-prometheus-stack's ServiceMonitors: kubelet's cAdvisor endpoint and kube-state-metrics.
    pub fn kube_prometheus_stack() -> Self {
        Self {
            cadvisor: vec![
                Matcher::equal(LabelName::known("job"), "kubelet"),
                Matcher::equal(LabelName::known("metrics_path"), "/metrics/cadvisor"),
            ],
            kube_state_metrics: vec![Matcher::equal(
                LabelName::known("job"),
                "kube-state-metrics",
            )],
            cluster_label: None,
            native_histograms: Vec::new(),
        }
    }

    /// No job conventions at all: series are told apart by their names only.
    pub fn plain() -> Self {
        Self {
            cadvisor: Vec::new(),
            kube_state_metrics: Vec::new(),
            cluster_label: None,
            native_histograms: Vec::new(),
        }
    }

    /// kube-prometheus-stack conventions in a Prometheus shared by clusters, told apart by `cluster`.
    pub fn multi_cluster() -> Self {
        Self {
            cluster_label: Some(LabelName::known("cluster")),
            ..Self::kube_prometheus_stack()
        }
    }

    /// Resolves what the caller gave (`None`: the default profile).
    pub fn resolve(spec: Option<&ProfileSpec>) -> Result<Self, QueryError> {
        match spec {
            None => Ok(Self::kube_prometheus_stack()),
            Some(ProfileSpec::Named(name)) => match name.as_str() {
                "kube-prometheus-stack" => Ok(Self::kube_prometheus_stack()),
                "plain" => Ok(Self::plain()),
                "multi-cluster" => Ok(Self::multi_cluster()),
                other => Err(QueryError::invalid(
                    "profile",
                    format!(
                        "unknown profile {other:?}; known: {}",
                        PROFILE_NAMES.join(", ")
                    ),
                )),
            },
            Some(ProfileSpec::Custom(custom)) => {
                let matchers = |labels: &BTreeMap<String, String>, field: &str| {
                    labels
                        .iter()
                        .map(|(name, value)| {
                            Ok(Matcher::equal(
                                LabelName::new(name, &format!("profile.{field}"))?,
                                value.clone(),
                            ))
                        })
                        .collect::<Result<Vec<_>, QueryError>>()
                };
                Ok(Self {
                    cadvisor: matchers(&custom.cadvisor, "cadvisor")?,
                    kube_state_metrics: matchers(&custom.kube_state_metrics, "kubeStateMetrics")?,
                    cluster_label: custom
                        .cluster_label
                        .as_deref()
                        .map(|name| LabelName::new(name, "profile.clusterLabel"))
                        .transpose()?,
                    native_histograms: custom.native_histograms.clone(),
                })
            }
        }
    }
}
