//! Per-pod metrics a caller defines (an application's own series), built with the catalog's
//! rules: every value an exact-match literal, each scrape counted once, pods by ownership.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::catalog::{Fixed, Transform, Unit, REAL_CONTAINERS};
use super::label::{selector, LabelName, Matcher};
use super::{Builder, Dedupe, QueryError};

/// Labels that tell scrapes of one series apart rather than series: what Prometheus and the
/// Prometheus Operator attach per target (`instance`, `job`, `service`, `endpoint`) and what HA
/// pairs and Thanos or Cortex replicas add. A custom metric's series equal but for these count
/// once.
pub(super) const SCRAPE_LABELS: &[&str] = &[
    "instance",
    "job",
    "service",
    "endpoint",
    "replica",
    "prometheus_replica",
    "prometheus",
    "__replica__",
];

/// How a custom metric's series become one value per sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomKind {
    /// The current value of a gauge.
    Gauge,
    /// A counter's per-second rate over the window.
    Rate,
    /// A counter's increase over the window.
    Increase,
}

impl CustomKind {
    /// How the builder turns the series into values.
    fn transform(self) -> Transform {
        match self {
            Self::Gauge => Transform::Raw,
            Self::Rate => Transform::Rate,
            Self::Increase => Transform::Increase,
        }
    }
}

/// Whether a custom metric's series belong to containers or to the pod as a whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomScope {
    /// Series with a `container` label: only real containers count (`container!=""`, not
    /// `POD`), and the `container` filter applies.
    Container,
    /// Series of the pod (an exporter the pod serves): every series of the pod counts.
    #[default]
    Pod,
}

/// A per-pod metric defined by the caller, as `QuerySpec.metric` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomMetric {
    /// The metric name of the series (any UTF-8; quoted in the query where it needs to be).
    pub series: String,
    /// The unit of the values, one of the catalog's.
    pub unit: Unit,
    /// How the series become a value.
    pub kind: CustomKind,
    /// Per container or per pod; default per pod.
    #[serde(default)]
    pub scope: CustomScope,
    /// Exact-match labels every series of the metric has (`{ job: 'orders' }`).
    #[serde(default)]
    pub matchers: BTreeMap<String, String>,
}

/// A custom metric checked: the pieces the query builder writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedCustom {
    pub(crate) series: String,
    pub(crate) kind: CustomKind,
    pub(crate) scope: CustomScope,
    pub(crate) matchers: Vec<Matcher>,
}

impl CustomMetric {
    /// Checks the definition; errors name the field under `metric.`.
    pub(crate) fn check(&self) -> Result<CheckedCustom, QueryError> {
        if self.series.is_empty() {
            return Err(QueryError::invalid(
                "metric.series",
                "the series name is empty",
            ));
        }
        let matchers = self
            .matchers
            .iter()
            .map(|(name, value)| {
                Ok(Matcher::equal(
                    LabelName::new(name, &format!("metric.matchers.{name}"))?,
                    value.clone(),
                ))
            })
            .collect::<Result<Vec<_>, QueryError>>()?;
        Ok(CheckedCustom {
            series: self.series.clone(),
            kind: self.kind,
            scope: self.scope,
            matchers,
        })
    }
}

impl Builder<'_> {
    /// A custom metric: its series with their definition's matchers and the spec's filters,
    /// real containers only when per container, each scrape once, summed per pod.
    pub(super) fn custom(&self, custom: &CheckedCustom) -> String {
        let fixed: &[Fixed] = match custom.scope {
            CustomScope::Container => REAL_CONTAINERS,
            CustomScope::Pod => &[],
        };
        let vector = self.range(
            custom.kind.transform(),
            &selector(&custom.series, &self.series_matchers(fixed)),
        );
        self.per_pod(&vector, Dedupe::DropScrapeLabels, &[])
    }
}

/// Reads exact-match labels written one `label=value` per line, as plugin settings take a
/// custom metric's matchers: blank lines and spaces around the name and value are layout, and
/// the value is everything after the first `=`. A line without `=`, an empty name or a label
/// given twice is an error naming the line (from 1).
pub fn parse_matcher_lines(text: &str) -> Result<BTreeMap<String, String>, QueryError> {
    let mut matchers = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = |why: String| QueryError::invalid("matchers", format!("line {}: {why}", i + 1));
        let Some((name, value)) = line.split_once('=') else {
            return Err(at(format!("{line:?} is not label=value")));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(at(format!("{line:?} has no label name")));
        }
        if matchers
            .insert(name.to_owned(), value.trim().to_owned())
            .is_some()
        {
            return Err(at(format!("{name} is given twice")));
        }
    }
    Ok(matchers)
}

/// What `QuerySpec.metric` names: a catalog id or a definition of the caller's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricRef {
    /// A catalog id (`listMetrics()`).
    Id(String),
    /// A per-pod metric of the caller's own.
    Custom(CustomMetric),
}

impl Default for MetricRef {
    fn default() -> Self {
        Self::Id(String::new())
    }
}

impl From<&str> for MetricRef {
    fn from(id: &str) -> Self {
        Self::Id(id.to_owned())
    }
}

impl From<String> for MetricRef {
    fn from(id: String) -> Self {
        Self::Id(id)
    }
}

impl From<CustomMetric> for MetricRef {
    fn from(custom: CustomMetric) -> Self {
        Self::Custom(custom)
    }
}

/// A string is an id and an object a definition, read by the definition's own rules so that a
/// misspelt field is named (an untagged enum would only say that nothing matched).
impl<'de> Deserialize<'de> for MetricRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefVisitor;
        impl<'de> Visitor<'de> for RefVisitor {
            type Value = MetricRef;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a catalog id or a custom metric { series, unit, kind, scope, matchers }",
                )
            }

            fn visit_str<E: de::Error>(self, id: &str) -> Result<MetricRef, E> {
                Ok(MetricRef::Id(id.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MetricRef, A::Error> {
                CustomMetric::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(MetricRef::Custom)
            }
        }
        deserializer.deserialize_any(RefVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_lines_are_read_and_bad_lines_named() {
        let read = parse_matcher_lines(" job = shop/web \n\n\ttier=a=\"b\"\r\nk8s.pod.name=web-0")
            .unwrap();
        assert_eq!(
            read.into_iter().collect::<Vec<_>>(),
            [
                ("job".to_owned(), "shop/web".to_owned()),
                ("k8s.pod.name".to_owned(), "web-0".to_owned()),
                ("tier".to_owned(), "a=\"b\"".to_owned()),
            ]
        );
        assert!(parse_matcher_lines("").unwrap().is_empty());
        for (text, why) in [
            (
                "job=a\noops",
                "matchers: line 2: \"oops\" is not label=value",
            ),
            (" =x", "matchers: line 1: \"=x\" has no label name"),
            ("a=1\nb=2\na=3", "matchers: line 3: a is given twice"),
        ] {
            assert_eq!(parse_matcher_lines(text).unwrap_err().to_string(), why);
        }
    }
}
