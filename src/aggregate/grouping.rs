//! Which series make one row: the group labels, the part label, and what tells scrapers apart.
//!
//! Pods are one grouping ([`Grouping::pods`]: group `namespace`, `pod`; part `container`; pause
//! container `POD` as the last resort). Kueue queues are another (group `cluster_queue`, part
//! `status`, the controller replica's target labels as scrape identity), and so are
//! controllers and scrape targets. The rules are the same for all of them: one series per
//! label set without identity labels, a group is the combination of its finest parts, a series
//! without a part counts only where the group has no finer ones.

use serde::Deserialize;

use super::SCRAPE_IDENTITY_LABELS;
use crate::query::QueryError;

/// At most this many labels name a group: group keys are fixed-size arrays, so grouping does
/// not allocate per series.
pub const MAX_GROUP_LABELS: usize = 4;

/// One label of a group key: one or more alternative names, the first present in a series
/// being used (`exported_namespace` before `namespace`, for a metric whose own `namespace` a
/// scrape without `honorLabels` renamed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLabel {
    names: Vec<String>,
}

impl GroupLabel {
    /// A label known by one name.
    pub fn new(name: &str) -> Self {
        Self {
            names: vec![name.to_owned()],
        }
    }

    /// A label known by any of `names`, the first present in a series winning.
    pub fn any_of(names: &[&str]) -> Result<Self, QueryError> {
        if names.is_empty() || names.iter().any(|n| n.is_empty()) {
            return Err(QueryError::invalid(
                "group",
                "a group label needs one or more names, none of them empty",
            ));
        }
        Ok(Self {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        })
    }

    /// Its names, in order of preference.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// How the series of one part, and the parts of one group, make one value per timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// Added up: containers of a pod, pending workloads of a queue's statuses.
    #[default]
    Sum,
    /// The largest: quantiles, which do not add up (a queue's wait p95 over priority classes).
    Max,
}

/// Which series make one row and which label names its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    group: Vec<GroupLabel>,
    part: Option<String>,
    fallback_part: Option<String>,
    identity: Vec<String>,
    combine: Combine,
}

impl Grouping {
    /// `kubectl top`'s pods: group `namespace`, `pod`; part `container`; the pause container
    /// (`container="POD"`) counted only when a pod has nothing else.
    pub fn pods() -> Self {
        Self {
            group: vec![GroupLabel::new("namespace"), GroupLabel::new("pod")],
            part: Some("container".to_owned()),
            fallback_part: Some("POD".to_owned()),
            identity: SCRAPE_IDENTITY_LABELS
                .iter()
                .map(|l| (*l).to_owned())
                .collect(),
            combine: Combine::Sum,
        }
    }

    /// Groups by `group` (at most [`MAX_GROUP_LABELS`]), with parts named by `part`'s value; a
    /// series without `part` is the whole group, counted only where it has no parts.
    pub fn new(group: Vec<GroupLabel>, part: Option<&str>) -> Result<Self, QueryError> {
        if group.len() > MAX_GROUP_LABELS {
            return Err(QueryError::invalid(
                "group",
                format!("at most {MAX_GROUP_LABELS} labels, got {}", group.len()),
            ));
        }
        if group
            .iter()
            .flat_map(|g| g.names())
            .any(|name| name.is_empty())
        {
            return Err(QueryError::invalid("group", "a label name is empty"));
        }
        if part == Some("") {
            return Err(QueryError::invalid("part", "the label name is empty"));
        }
        if let Some(part) = part {
            if group.iter().any(|g| g.names().iter().any(|n| n == part)) {
                return Err(QueryError::invalid(
                    "part",
                    format!("{part:?} is also a group label"),
                ));
            }
        }
        let mut grouping = Self {
            group,
            part: part.map(str::to_owned),
            fallback_part: None,
            identity: Vec::new(),
            combine: Combine::Sum,
        };
        grouping = grouping.with_identity(SCRAPE_IDENTITY_LABELS);
        Ok(grouping)
    }

    /// Adds labels that tell scrapers apart rather than series (besides
    /// [`SCRAPE_IDENTITY_LABELS`], which every grouping starts with): the target labels of a
    /// controller scraped through several replicas (`pod`, `job`, `service`...). Group and part
    /// labels are never identity: targets grouped by `instance` keep their instances apart.
    pub fn with_identity(mut self, labels: &[&str]) -> Self {
        for label in labels {
            let is_key = self.part.as_deref() == Some(label)
                || self
                    .group
                    .iter()
                    .any(|g| g.names().iter().any(|n| n == label));
            if !is_key && !label.is_empty() && !self.identity.iter().any(|i| i == label) {
                self.identity.push((*label).to_owned());
            }
        }
        self
    }

    /// Sets how series and parts combine (default [`Combine::Sum`]).
    pub fn with_combine(mut self, combine: Combine) -> Self {
        self.combine = combine;
        self
    }

    /// The group labels.
    pub fn group(&self) -> &[GroupLabel] {
        &self.group
    }

    /// The part label.
    pub fn part(&self) -> Option<&str> {
        self.part.as_deref()
    }

    /// The part value counted only when a group has nothing else (the pause container).
    pub fn fallback_part(&self) -> Option<&str> {
        self.fallback_part.as_deref()
    }

    /// The labels that tell scrapers apart.
    pub fn identity(&self) -> &[String] {
        &self.identity
    }

    /// How series and parts combine.
    pub fn combine(&self) -> Combine {
        self.combine
    }

    /// Whether `name` tells scrapers apart.
    pub fn is_identity(&self, name: &str) -> bool {
        self.identity.iter().any(|i| i == name)
    }

    /// The tier of a part value: lower is finer and preferred.
    pub(crate) fn tier(&self, part: &str) -> Tier {
        if part.is_empty() {
            Tier::Whole
        } else if self.fallback_part.as_deref() == Some(part) {
            Tier::Fallback
        } else {
            Tier::Part
        }
    }
}

/// How a series relates to its group's parts; lower is finer and preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// A part: a container, a status.
    Part,
    /// No part label: the whole group (cAdvisor's pod-level cgroup).
    Whole,
    /// The fallback part (the pause container).
    Fallback,
}

/// One part's value within a group.
#[derive(Debug, Clone, PartialEq)]
pub struct PartValue {
    /// The part label's value; empty for a series without it.
    pub part: String,
    /// Its value, in the target unit.
    pub value: f64,
}

/// One group's value.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupValue {
    /// The group labels' values, in the grouping's order.
    pub key: Vec<String>,
    /// The statistic of the group's combined series, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// Parts combined into the group, sorted by value of the part label.
    pub parts: Vec<PartValue>,
    /// With `keep_series`: the group's combined series.
    pub series: Option<(Vec<f64>, Vec<f64>)>,
}

/// Per-group values with what was left out and why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupedAggregation {
    /// One entry per group key, sorted by key.
    pub groups: Vec<GroupValue>,
    /// Series without one of the group labels.
    pub unattributed: Vec<crate::response::Labels>,
    /// Series left out because another counts the same part (a second scraper, or a series
    /// without a part beside parts).
    pub dropped_duplicates: usize,
    /// NaN samples skipped.
    pub skipped_samples: usize,
}
