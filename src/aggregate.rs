//! Per-pod values from a query result, counting every container exactly once.
//!
//! Three kinds of series would count a container twice if summed blindly: the pod-level cgroup
//! series (Prometheus drops empty labels, so it arrives with no `container` label at all), the
//! pause container (`container="POD"`), and the same series scraped twice (two kube-state-metrics
//! replicas, an HA Prometheus pair). A pod is the sum of its real containers when it has any; its
//! pod-level series when it has nothing finer (network, or an already aggregated query); its pause
//! container only as a last resort.

use serde::Deserialize;

use crate::response::Labels;

mod columnar;
mod grouping;
mod select;
mod table;
pub use columnar::{
    aggregate_groups, aggregate_pod_table, aggregate_pods, aggregate_pods_from_bytes,
    BytesAggregation, FromBytesError,
};
pub use grouping::{
    Combine, GroupLabel, GroupValue, GroupedAggregation, Grouping, PartValue, MAX_GROUP_LABELS,
};
pub use select::{select_pods, Order, PodRef, PodSelection};
pub use table::{PodRow, PodTable};

/// Labels that tell scrapers apart rather than series: equal series but for these count once.
pub const SCRAPE_IDENTITY_LABELS: &[&str] = &[
    "instance",
    "replica",
    "prometheus_replica",
    "prometheus",
    "__replica__",
];

/// A statistic over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stat {
    /// The latest sample.
    #[default]
    Last,
    /// The mean.
    Avg,
    /// The minimum.
    Min,
    /// The maximum.
    Max,
    /// The median.
    P50,
    /// The 95th percentile.
    P95,
    /// The 99th percentile.
    P99,
}

impl Stat {
    /// Every statistic, in declaration order (`Stat as usize` indexes it).
    pub const ALL: [Stat; 7] = [
        Stat::Last,
        Stat::Avg,
        Stat::Min,
        Stat::Max,
        Stat::P50,
        Stat::P95,
        Stat::P99,
    ];
}

/// Options of [`aggregate_pods`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AggregateOptions {
    /// Target unit; values are converted into it.
    #[serde(default)]
    pub unit: Option<String>,
    /// Unit of the result's values; default the base unit of the target's dimension.
    #[serde(default)]
    pub source_unit: Option<String>,
    /// The statistic over time for matrix results.
    #[serde(default)]
    pub stat: Stat,
    /// Keep each pod's summed series.
    #[serde(default)]
    pub keep_series: bool,
}

/// One container's value within a pod.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerValue {
    /// Container name; empty for a pod-level series.
    pub container: String,
    /// Its value, in the target unit.
    pub value: f64,
}

/// One pod's value.
#[derive(Debug, Clone, PartialEq)]
pub struct PodValue {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// The statistic of the pod's summed series, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// Containers summed into the pod, sorted by name.
    pub containers: Vec<ContainerValue>,
    /// With `keep_series`: the pod's summed series.
    pub series: Option<(Vec<f64>, Vec<f64>)>,
}

/// Per-pod values with what was left out and why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregation {
    /// One entry per (namespace, pod), sorted by namespace then pod.
    pub pods: Vec<PodValue>,
    /// Series without a namespace or pod label.
    pub unattributed: Vec<Labels>,
    /// Series left out because another counts the same container (a second scraper, or a
    /// pod-level or pause series beside real containers).
    pub dropped_duplicates: usize,
    /// NaN samples skipped.
    pub skipped_samples: usize,
}

/// Borrowed label sets as owned ones, for the owned aggregations' `unattributed`.
fn owned_label_sets(sets: &[&[crate::response::Label]]) -> Vec<Labels> {
    sets.iter()
        .map(|labels| {
            labels
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        })
        .collect()
}

/// The statistic of values in time order; NaN when there are none.
pub fn stat(values: &[f64], stat: Stat) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    match stat {
        Stat::Last => values[values.len() - 1],
        Stat::Avg => values.iter().sum::<f64>() / values.len() as f64,
        Stat::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Stat::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Stat::P50 => quantile(values, 0.5),
        Stat::P95 => quantile(values, 0.95),
        Stat::P99 => quantile(values, 0.99),
    }
}

/// Quantile with linear interpolation between closest ranks, as Prometheus' `quantile_over_time`.
///
/// The two closest ranks are found by selection, not by sorting: `total_cmp` is a total order,
/// so the k-th element is the same bits either way, in linear instead of n log n time (sorting
/// was a tenth of the bytes-to-pods time on a 2,000-series range).
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut scratch = values.to_vec();
    let rank = q * (scratch.len() - 1) as f64;
    let lower = rank.floor() as usize;
    let weight = rank - lower as f64;
    let (_, &mut at_lower, above) = scratch.select_nth_unstable_by(lower, f64::total_cmp);
    // The next rank is the least element above `lower`; at the top it is `lower` itself.
    let at_upper = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(at_lower);
    at_lower * (1.0 - weight) + at_upper * weight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{PlainResult, PlainSeries, QueryResult, ResultType};

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> PlainSeries {
        PlainSeries {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            timestamps: points.iter().map(|p| p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    fn result(result_type: ResultType, series: Vec<PlainSeries>) -> QueryResult<'static> {
        PlainResult {
            result_type,
            series,
            string_value: None,
            warnings: vec![],
            infos: vec![],
        }
        .into()
    }

    #[test]
    fn sums_real_containers_and_drops_pod_level_pause_and_duplicates() {
        let r = result(
            ResultType::Vector,
            vec![
                series(
                    &[
                        ("namespace", "a"),
                        ("pod", "p"),
                        ("container", "app"),
                        ("instance", "n1"),
                    ],
                    &[(10.0, 200.0)],
                ),
                series(
                    &[
                        ("namespace", "a"),
                        ("pod", "p"),
                        ("container", "app"),
                        ("instance", "n2"),
                    ],
                    &[(10.0, 200.0)],
                ),
                series(
                    &[("namespace", "a"), ("pod", "p"), ("container", "side")],
                    &[(10.0, 50.0)],
                ),
                series(&[("namespace", "a"), ("pod", "p")], &[(10.0, 256.0)]),
                series(
                    &[("namespace", "a"), ("pod", "p"), ("container", "POD")],
                    &[(10.0, 1.0)],
                ),
                series(&[("namespace", "a"), ("pod", "q")], &[(10.0, 7.0)]),
                series(&[("job", "x")], &[(10.0, 1.0)]),
            ],
        );
        let agg = aggregate_pods(&r, &AggregateOptions::default()).unwrap();
        assert_eq!(agg.pods.len(), 2);
        assert_eq!(agg.pods[0].value, 250.0);
        assert_eq!(
            agg.pods[0]
                .containers
                .iter()
                .map(|c| c.container.as_str())
                .collect::<Vec<_>>(),
            ["app", "side"]
        );
        assert_eq!(
            agg.pods[1].value, 7.0,
            "a pod with only a pod-level series keeps it"
        );
        assert_eq!(agg.dropped_duplicates, 3);
        assert_eq!(agg.unattributed.len(), 1);
    }

    #[test]
    fn stats_over_time_of_the_pod_sum() {
        let r = result(
            ResultType::Matrix,
            vec![
                series(
                    &[("namespace", "a"), ("pod", "p"), ("container", "x")],
                    &[(1.0, 1.0), (2.0, 5.0), (3.0, f64::NAN), (4.0, 3.0)],
                ),
                series(
                    &[("namespace", "a"), ("pod", "p"), ("container", "y")],
                    &[(1.0, 4.0), (2.0, 0.0), (4.0, 1.0)],
                ),
            ],
        );
        let at = |s: Stat| {
            aggregate_pods(
                &r,
                &AggregateOptions {
                    stat: s,
                    ..Default::default()
                },
            )
            .unwrap()
            .pods[0]
                .value
        };
        // Pod series: t1 5, t2 5, t4 4 (t3 only had NaN).
        assert_eq!(at(Stat::Last), 4.0);
        assert_eq!(at(Stat::Max), 5.0);
        assert_eq!(at(Stat::Min), 4.0);
        assert!((at(Stat::Avg) - 14.0 / 3.0).abs() < 1e-12);
        assert_eq!(at(Stat::P50), 5.0);
        let agg = aggregate_pods(
            &r,
            &AggregateOptions {
                keep_series: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(agg.skipped_samples, 1);
        assert_eq!(
            agg.pods[0].series,
            Some((vec![1.0, 2.0, 4.0], vec![5.0, 5.0, 4.0]))
        );
    }

    #[test]
    fn converts_units() {
        let r = result(
            ResultType::Vector,
            vec![series(
                &[("namespace", "a"), ("pod", "p"), ("container", "c")],
                &[(1.0, 0.25)],
            )],
        );
        let agg = aggregate_pods(
            &r,
            &AggregateOptions {
                unit: Some("millicores".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (agg.pods[0].value, agg.pods[0].unit.as_str()),
            (250.0, "millicores")
        );
        assert!(aggregate_pods(
            &r,
            &AggregateOptions {
                unit: Some("parsecs".into()),
                ..Default::default()
            }
        )
        .is_err());
    }

    fn queues() -> Grouping {
        Grouping::new(vec![GroupLabel::new("cluster_queue")], Some("status"))
            .unwrap()
            .with_identity(&["pod", "job"])
    }

    #[test]
    fn groups_queues_by_status_counting_each_controller_replica_once() {
        let r = result(
            ResultType::Vector,
            vec![
                // Two controller replicas export the same gauge: counted once.
                series(
                    &[
                        ("cluster_queue", "cq"),
                        ("status", "active"),
                        ("pod", "k-0"),
                    ],
                    &[(10.0, 3.0)],
                ),
                series(
                    &[
                        ("cluster_queue", "cq"),
                        ("status", "active"),
                        ("pod", "k-1"),
                    ],
                    &[(10.0, 3.0)],
                ),
                // Priority classes of one status add up.
                series(
                    &[
                        ("cluster_queue", "cq"),
                        ("status", "inadmissible"),
                        ("priority_class", "high"),
                    ],
                    &[(10.0, 2.0)],
                ),
                series(
                    &[
                        ("cluster_queue", "cq"),
                        ("status", "inadmissible"),
                        ("priority_class", "low"),
                    ],
                    &[(10.0, 5.0)],
                ),
                // A total beside the statuses would count them twice: dropped.
                series(&[("cluster_queue", "cq")], &[(10.0, 10.0)]),
                series(&[("cluster_queue", "other")], &[(10.0, 4.0)]),
                series(&[("status", "active")], &[(10.0, 1.0)]),
            ],
        );
        let agg = aggregate_groups(&r, &queues(), &AggregateOptions::default()).unwrap();
        type Row = (Vec<String>, f64, Vec<(String, f64)>);
        let rows: Vec<Row> = agg
            .groups
            .iter()
            .map(|g| {
                (
                    g.key.clone(),
                    g.value,
                    g.parts.iter().map(|p| (p.part.clone(), p.value)).collect(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    vec!["cq".to_string()],
                    10.0,
                    vec![
                        ("active".to_string(), 3.0),
                        ("inadmissible".to_string(), 7.0)
                    ]
                ),
                (vec!["other".to_string()], 4.0, vec![(String::new(), 4.0)]),
            ]
        );
        assert_eq!(agg.dropped_duplicates, 2);
        assert_eq!(agg.unattributed.len(), 1);
    }

    #[test]
    fn quantiles_combine_by_their_maximum() {
        let r = result(
            ResultType::Matrix,
            vec![
                series(
                    &[("cluster_queue", "cq"), ("priority_class", "high")],
                    &[(1.0, 30.0), (2.0, 10.0)],
                ),
                series(
                    &[("cluster_queue", "cq"), ("priority_class", "low")],
                    &[(1.0, 20.0), (2.0, 40.0)],
                ),
            ],
        );
        let grouping = queues().with_combine(Combine::Max);
        let opts = AggregateOptions {
            keep_series: true,
            stat: Stat::Avg,
            ..Default::default()
        };
        let agg = aggregate_groups(&r, &grouping, &opts).unwrap();
        assert_eq!(agg.groups.len(), 1);
        assert_eq!(
            agg.groups[0].series,
            Some((vec![1.0, 2.0], vec![30.0, 40.0]))
        );
        assert_eq!(agg.groups[0].value, 35.0);
    }

    #[test]
    fn group_labels_take_the_first_name_present() {
        let r = result(
            ResultType::Vector,
            vec![
                series(
                    &[
                        ("exported_namespace", "team-a"),
                        ("namespace", "kueue-system"),
                        ("name", "lq"),
                    ],
                    &[(1.0, 2.0)],
                ),
                series(&[("namespace", "team-b"), ("name", "lq")], &[(1.0, 3.0)]),
            ],
        );
        let grouping = Grouping::new(
            vec![
                GroupLabel::any_of(&["exported_namespace", "namespace"]).unwrap(),
                GroupLabel::new("name"),
            ],
            None,
        )
        .unwrap();
        let agg = aggregate_groups(&r, &grouping, &AggregateOptions::default()).unwrap();
        let keys: Vec<&[String]> = agg.groups.iter().map(|g| &g.key[..]).collect();
        assert_eq!(keys, [["team-a", "lq"], ["team-b", "lq"]]);
    }

    #[test]
    fn invalid_groupings_are_refused() {
        let five = ["a", "b", "c", "d", "e"].map(GroupLabel::new).to_vec();
        assert!(Grouping::new(five, None).is_err());
        assert!(Grouping::new(vec![GroupLabel::new("")], None).is_err());
        assert!(Grouping::new(vec![GroupLabel::new("q")], Some("q")).is_err());
        assert!(Grouping::new(vec![], Some("")).is_err());
        assert!(GroupLabel::any_of(&[]).is_err());
        // Identity never takes a group or part label, the default ones included.
        let g = queues().with_identity(&["cluster_queue", "status", "service"]);
        let mut want: Vec<&str> = SCRAPE_IDENTITY_LABELS.to_vec();
        want.extend(["pod", "job", "service"]);
        assert_eq!(g.identity(), want);
        let targets = Grouping::new(vec![GroupLabel::new("job")], Some("instance")).unwrap();
        assert!(!targets.is_identity("instance"));
        assert!(targets.is_identity("replica"));
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[10.0], 0.99), 10.0);
        assert!((quantile(&[0.0, 10.0], 0.95) - 9.5).abs() < 1e-12);
    }

    /// Selection must give the very bits a full sort gives, ties, signed zeros and infinities
    /// included.
    #[test]
    fn quantile_by_selection_equals_quantile_by_sorting() {
        fn by_sorting(values: &[f64], q: f64) -> f64 {
            let mut sorted = values.to_vec();
            sorted.sort_unstable_by(f64::total_cmp);
            let rank = q * (sorted.len() - 1) as f64;
            let lower = rank.floor() as usize;
            let upper = (lower + 1).min(sorted.len() - 1);
            let weight = rank - lower as f64;
            sorted[lower] * (1.0 - weight) + sorted[upper] * weight
        }
        let pool = [
            0.0,
            -0.0,
            1.5,
            -2.25,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            3.0,
            3.0,
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..5_000 {
            let len = 1 + (next() % 40) as usize;
            let values: Vec<f64> = (0..len)
                .map(|_| match next() % 3 {
                    0 => pool[(next() % pool.len() as u64) as usize],
                    _ => (next() % 1_000_000) as f64 / 7.0,
                })
                .collect();
            for q in [0.0, 0.5, 0.95, 0.99, 1.0] {
                assert_eq!(
                    quantile(&values, q).to_bits(),
                    by_sorting(&values, q).to_bits(),
                    "{values:?} q={q}"
                );
            }
        }
    }
}
