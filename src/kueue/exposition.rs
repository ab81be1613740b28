//! Prometheus text exposition format 0.0.4, from format-neutral metric families.
//!
//! [`kueue_families`] turns summaries into [`MetricFamily`] values; [`render_text`] writes any
//! families as text 0.0.4. The exporter of pending workloads adds its own families (poll
//! health) to the same list before rendering, so one `/metrics` page has each family once.
//! An OpenMetrics renderer can take the same families: counters already keep their name
//! without `_total` (the OpenMetrics family name) and histograms keep their buckets whole.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::stats::Histogram;
use super::summary::QueueSummary;

/// `Content-Type` of [`render_text`]'s output.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prefix of every metric [`kueue_families`] writes.
pub const METRIC_PREFIX: &str = "kubeprom_kueue_";

/// Label pairs of one series. Names must match `[a-zA-Z_][a-zA-Z0-9_]*` and not start with
/// `__`; values are any text (escaped when written).
pub type Labels = Vec<(&'static str, String)>;

/// The samples of a family, by metric type.
#[derive(Debug, Clone, PartialEq)]
pub enum FamilyData {
    /// One value per series.
    Gauge(Vec<(Labels, f64)>),
    /// One monotonic value per series; written as `<name>_total`.
    Counter(Vec<(Labels, f64)>),
    /// One histogram per series; written as `_bucket` (with `le`), `_sum` and `_count`.
    Histogram(Vec<(Labels, Histogram)>),
}

/// A metric family: a name, its help text and its series.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    /// Metric name (for a counter, without `_total`). Must match
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    pub name: String,
    /// One line of help; backslashes and newlines are escaped when written.
    pub help: String,
    /// The series.
    pub data: FamilyData,
}

impl MetricFamily {
    /// A gauge family.
    pub fn gauge(
        name: impl Into<String>,
        help: impl Into<String>,
        series: Vec<(Labels, f64)>,
    ) -> Self {
        MetricFamily {
            name: name.into(),
            help: help.into(),
            data: FamilyData::Gauge(series),
        }
    }

    /// A counter family; `name` is without the `_total` suffix the samples get.
    pub fn counter(
        name: impl Into<String>,
        help: impl Into<String>,
        series: Vec<(Labels, f64)>,
    ) -> Self {
        MetricFamily {
            name: name.into(),
            help: help.into(),
            data: FamilyData::Counter(series),
        }
    }

    /// A histogram family.
    pub fn histogram(
        name: impl Into<String>,
        help: impl Into<String>,
        series: Vec<(Labels, Histogram)>,
    ) -> Self {
        MetricFamily {
            name: name.into(),
            help: help.into(),
            data: FamilyData::Histogram(series),
        }
    }

    /// Whether the family has no series (such families are not written).
    pub fn is_empty(&self) -> bool {
        match &self.data {
            FamilyData::Gauge(s) | FamilyData::Counter(s) => s.is_empty(),
            FamilyData::Histogram(s) => s.is_empty(),
        }
    }
}

/// Writes families in text format 0.0.4: `# HELP` and `# TYPE` per family, then its samples.
///
/// Families without series are left out. A series whose labels repeat an earlier series of the
/// same family would make the page unscrapable, so it is left out too, with a
/// `# kubeprom: skipped duplicate series ...` comment in its place.
pub fn render_text(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for family in families.iter().filter(|f| !f.is_empty()) {
        write_family(&mut out, family);
    }
    out
}

fn write_family(out: &mut String, family: &MetricFamily) {
    let (type_name, sample_name) = match family.data {
        FamilyData::Gauge(_) => ("gauge", family.name.clone()),
        FamilyData::Counter(_) => ("counter", format!("{}_total", family.name)),
        FamilyData::Histogram(_) => ("histogram", family.name.clone()),
    };
    out.push_str("# HELP ");
    out.push_str(&sample_name);
    out.push(' ');
    escape_help(out, &family.help);
    out.push('\n');
    let _ = writeln!(out, "# TYPE {sample_name} {type_name}");

    let mut seen = HashSet::new();
    let mut first_time = |out: &mut String, labels: &str| {
        let fresh = seen.insert(labels.to_owned());
        if !fresh {
            let _ = writeln!(
                out,
                "# kubeprom: skipped duplicate series {sample_name}{labels}"
            );
        }
        fresh
    };
    match &family.data {
        FamilyData::Gauge(series) | FamilyData::Counter(series) => {
            for (labels, value) in series {
                let labels = label_set(labels, None);
                if first_time(out, &labels) {
                    out.push_str(&sample_name);
                    out.push_str(&labels);
                    out.push(' ');
                    write_float(out, *value);
                    out.push('\n');
                }
            }
        }
        FamilyData::Histogram(series) => {
            for (labels, histogram) in series {
                let plain = label_set(labels, None);
                if !first_time(out, &plain) {
                    continue;
                }
                for bucket in histogram.buckets() {
                    let mut le = String::new();
                    write_float(&mut le, bucket.le);
                    let _ = writeln!(
                        out,
                        "{}_bucket{} {}",
                        family.name,
                        label_set(labels, Some(&le)),
                        bucket.count
                    );
                }
                let _ = write!(out, "{}_sum{} ", family.name, plain);
                write_float(out, histogram.sum());
                let _ = writeln!(
                    out,
                    "\n{}_count{} {}",
                    family.name,
                    plain,
                    histogram.count()
                );
            }
        }
    }
}

/// `{a="x",b="y"}` (with `le` last when given), or nothing for no labels.
pub(super) fn label_set(labels: &[(&'static str, String)], le: Option<&str>) -> String {
    let mut out = String::new();
    let pairs = labels
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(le.map(|le| ("le", le)));
    for (i, (name, value)) in pairs.enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        out.push_str(name);
        out.push_str("=\"");
        escape_label_value(&mut out, value);
        out.push('"');
    }
    if !out.is_empty() {
        out.push('}');
    }
    out
}

fn escape_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn escape_help(out: &mut String, help: &str) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Writes a sample value as Prometheus does: `NaN`, `+Inf`, `-Inf`, else the shortest decimal
/// that reads back to the same float (exponent form for very large or small magnitudes).
pub fn write_float(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v == f64::INFINITY {
        out.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        out.push_str("-Inf");
    } else if v != 0.0 && (v.abs() >= 1e21 || v.abs() < 1e-4) {
        let _ = write!(out, "{v:e}");
    } else {
        let _ = write!(out, "{v}");
    }
}

// ---------------------------------------------------------------------------------------------
// Kueue metrics

/// Label of the cluster queue on every Kueue metric.
pub const LABEL_CLUSTER_QUEUE: &str = "cluster_queue";
/// Label of the namespace (of a local queue or a workload).
pub const LABEL_NAMESPACE: &str = "namespace";
/// Label of the local queue name.
pub const LABEL_LOCAL_QUEUE: &str = "local_queue";
/// Label of the workload name on position metrics.
pub const LABEL_WORKLOAD: &str = "workload";
/// Label of the priority on `_by_priority` metrics.
pub const LABEL_PRIORITY: &str = "priority";

/// Metric families of pending-workload summaries; see the module documentation of
/// `kueue` for names and labels.
///
/// Cluster-queue summaries feed the `kubeprom_kueue_*` families and local-queue summaries the
/// `kubeprom_kueue_local_queue_*` ones, so summing a family never counts a workload twice.
pub fn kueue_families(summaries: &[QueueSummary]) -> Vec<MetricFamily> {
    let (lqs, cqs): (Vec<&QueueSummary>, Vec<&QueueSummary>) =
        summaries.iter().partition(|s| s.local_queue.is_some());
    let mut out = scope_families(&cqs, "", "cluster queue", "positionInClusterQueue");
    out.extend(scope_families(
        &lqs,
        "local_queue_",
        "local queue",
        "positionInLocalQueue",
    ));
    out
}

/// The five families of one scope (cluster queues or local queues).
fn scope_families(
    summaries: &[&QueueSummary],
    infix: &str,
    scope: &str,
    position_field: &str,
) -> Vec<MetricFamily> {
    let name = |suffix: &str| format!("{METRIC_PREFIX}{infix}{suffix}");
    let mut pending = Vec::new();
    let mut by_priority = Vec::new();
    let mut oldest = Vec::new();
    let mut ages = Vec::new();
    let mut positions = Vec::new();
    for s in summaries {
        let labels = queue_labels(s);
        pending.push((labels.clone(), s.pending as f64));
        for p in &s.by_priority {
            let mut l = labels.clone();
            l.push((LABEL_PRIORITY, p.priority.to_string()));
            by_priority.push((l, p.pending as f64));
        }
        let oldest_age = if s.wait.count() > 0 {
            s.wait.max()
        } else {
            0.0
        };
        oldest.push((labels.clone(), oldest_age));
        ages.push((labels, s.wait.histogram().clone()));
        for h in &s.head {
            let labels = vec![
                (LABEL_CLUSTER_QUEUE, s.cluster_queue.clone()),
                (LABEL_NAMESPACE, h.namespace.clone()),
                (LABEL_LOCAL_QUEUE, h.local_queue.clone()),
                (LABEL_WORKLOAD, h.name.clone()),
            ];
            positions.push((labels, f64::from(h.position)));
        }
    }
    vec![
        MetricFamily::gauge(
            name("pending_workloads"),
            format!("Pending workloads in the {scope}, as listed by Kueue's visibility API."),
            pending,
        ),
        MetricFamily::gauge(
            name("pending_workloads_by_priority"),
            format!("Pending workloads in the {scope} per workload priority."),
            by_priority,
        ),
        MetricFamily::gauge(
            name("oldest_pending_workload_age_seconds"),
            format!(
                "Seconds since the creation of the oldest pending workload in the {scope} (0 when none is pending)."
            ),
            oldest,
        ),
        MetricFamily::histogram(
            name("pending_workload_age_seconds"),
            format!("Seconds since creation of the workloads pending in the {scope}."),
            ages,
        ),
        MetricFamily::gauge(
            name("pending_workload_position"),
            format!(
                "Position ({position_field}, from 0) of each of the first pending workloads of the {scope}."
            ),
            positions,
        ),
    ]
}

fn queue_labels(s: &QueueSummary) -> Labels {
    let mut labels = vec![(LABEL_CLUSTER_QUEUE, s.cluster_queue.clone())];
    if let Some(lq) = &s.local_queue {
        labels.push((LABEL_NAMESPACE, lq.namespace.clone()));
        labels.push((LABEL_LOCAL_QUEUE, lq.name.clone()));
    }
    labels
}

/// Summaries as Prometheus text exposition format 0.0.4: [`render_text`] of
/// [`kueue_families`].
pub fn to_exposition(summaries: &[QueueSummary]) -> String {
    render_text(&kueue_families(summaries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{is_classic_label_name, is_classic_metric_name};

    fn float(v: f64) -> String {
        let mut s = String::new();
        write_float(&mut s, v);
        s
    }

    #[test]
    fn floats_as_prometheus_writes_them() {
        assert_eq!(float(f64::NAN), "NaN");
        assert_eq!(float(f64::INFINITY), "+Inf");
        assert_eq!(float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(1.0), "1");
        assert_eq!(float(2.5), "2.5");
        assert_eq!(float(604_800.0), "604800");
        assert_eq!(float(-3.25), "-3.25");
        assert_eq!(float(1e21), "1e21");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(0.1), "0.1");
        for v in [0.1, 1.0 / 3.0, 1e300, 123_456.789, 5e-324] {
            assert_eq!(float(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn escapes_label_values_and_help() {
        let fam = MetricFamily::gauge(
            "m",
            "a \\ b\nc \"q\"",
            vec![(vec![("l", "x\\y\"z\nw".to_owned())], 1.0)],
        );
        assert_eq!(
            render_text(&[fam]),
            "# HELP m a \\\\ b\\nc \"q\"\n# TYPE m gauge\nm{l=\"x\\\\y\\\"z\\nw\"} 1\n"
        );
    }

    #[test]
    fn counter_histogram_and_duplicates() {
        let mut h = Histogram::new(&[1.0]).unwrap();
        h.observe(0.5);
        h.observe(2.0);
        let fams = [
            MetricFamily::counter("c", "C.", vec![(vec![], 3.0), (vec![], 4.0)]),
            MetricFamily::histogram("h", "H.", vec![(vec![("q", "a".into())], h)]),
            MetricFamily::gauge("empty", "E.", vec![]),
        ];
        assert_eq!(
            render_text(&fams),
            "# HELP c_total C.\n# TYPE c_total counter\nc_total 3\n\
             # kubeprom: skipped duplicate series c_total\n\
             # HELP h H.\n# TYPE h histogram\n\
             h_bucket{q=\"a\",le=\"1\"} 1\nh_bucket{q=\"a\",le=\"+Inf\"} 2\n\
             h_sum{q=\"a\"} 2.5\nh_count{q=\"a\"} 2\n"
        );
    }

    #[test]
    fn metric_and_label_names_are_valid() {
        for label in [
            LABEL_CLUSTER_QUEUE,
            LABEL_NAMESPACE,
            LABEL_LOCAL_QUEUE,
            LABEL_WORKLOAD,
            LABEL_PRIORITY,
        ] {
            assert!(
                is_classic_label_name(label) && !label.starts_with("__"),
                "{label}"
            );
        }
        let s = super::super::summarize(&[], &super::super::SummaryOptions::new(0.0)).unwrap();
        let fams = kueue_families(&s);
        assert_eq!(fams.len(), 10);
        for f in &fams {
            assert!(is_classic_metric_name(&f.name), "{}", f.name);
            assert!(f.name.starts_with(METRIC_PREFIX));
        }
    }
}
