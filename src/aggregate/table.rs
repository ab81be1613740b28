//! Per-pod values as columns whose names borrow from the result they were aggregated from.
//!
//! [`Aggregation`] owns a `String` for every namespace, pod and container and a pair of
//! `Vec`s per pod series: several allocations and copies per pod, and the copies read names
//! scattered over a body of many megabytes. A caller that turns pods into something else at
//! once (the wasm module packs them for JS) reads them here instead, and only
//! [`PodTable::to_aggregation`] makes the owned pods.

use std::ops::Range;

use super::select::{select_in, Selectable};
use super::{owned_label_sets, Aggregation, ContainerValue, PodSelection, PodValue};
use crate::response::Label;

/// One pod of a [`PodTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow<'r> {
    /// Namespace.
    pub namespace: &'r str,
    /// Pod name.
    pub pod: &'r str,
    /// The statistic of the pod's summed series, in the table's unit.
    pub value: f64,
    containers: Range<usize>,
    samples: Range<usize>,
}

impl Selectable for PodRow<'_> {
    fn name(&self) -> (&str, &str) {
        (self.namespace, self.pod)
    }
    fn value(&self) -> f64 {
        self.value
    }
}

/// Per-pod values in the order and with the numbers of [`Aggregation`], names borrowed.
#[derive(Debug, Clone, PartialEq)]
pub struct PodTable<'r> {
    /// Unit of every value.
    pub unit: &'static str,
    /// One row per (namespace, pod), sorted by namespace then pod until [`PodTable::select`]
    /// orders them by value.
    pub pods: Vec<PodRow<'r>>,
    /// Label sets of the series without a namespace or pod label, in label order.
    pub unattributed: Vec<&'r [Label<'r>]>,
    /// Series left out because another counts the same container.
    pub dropped_duplicates: usize,
    /// NaN samples skipped.
    pub skipped_samples: usize,
    /// Whether each pod's summed series was kept.
    pub has_series: bool,
    containers: Vec<(&'r str, f64)>,
    timestamps: Vec<f64>,
    values: Vec<f64>,
}

impl<'r> PodTable<'r> {
    /// An empty table in `unit`.
    pub(super) fn new(unit: &'static str, has_series: bool) -> Self {
        Self {
            unit,
            pods: Vec::new(),
            unattributed: Vec::new(),
            dropped_duplicates: 0,
            skipped_samples: 0,
            has_series,
            containers: Vec::new(),
            timestamps: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Room for `pods` more pods, and as many containers.
    pub(super) fn reserve(&mut self, pods: usize) {
        self.pods.reserve(pods);
        self.containers.reserve(pods);
    }

    /// Adds a pod after those already added.
    pub(super) fn push(
        &mut self,
        (namespace, pod): (&'r str, &'r str),
        value: f64,
        containers: &[(&'r str, f64)],
        series: Option<(&[f64], &[f64])>,
    ) {
        let first_container = self.containers.len();
        self.containers.extend_from_slice(containers);
        let first_sample = self.values.len();
        if let Some((timestamps, values)) = series.filter(|_| self.has_series) {
            if self.values.capacity() == 0 {
                // Pod series of one answer mostly share their steps: room for every pod at the
                // first one's length saves a copy of all samples at each doubling, and unlike
                // the answer's sample count it does not reserve once per container.
                let room = timestamps.len() * self.pods.capacity().max(1);
                self.timestamps.reserve(room);
                self.values.reserve(room);
            }
            self.timestamps.extend_from_slice(timestamps);
            self.values.extend_from_slice(values);
        }
        self.pods.push(PodRow {
            namespace,
            pod,
            value,
            containers: first_container..self.containers.len(),
            samples: first_sample..self.values.len(),
        });
    }

    /// The containers summed into `row`'s pod, sorted by name, with their values.
    pub fn containers(&self, row: &PodRow) -> &[(&'r str, f64)] {
        &self.containers[row.containers.clone()]
    }

    /// `row`'s summed series as timestamps and values, when the table kept series.
    pub fn series(&self, row: &PodRow) -> Option<(&[f64], &[f64])> {
        self.has_series.then(|| {
            (
                &self.timestamps[row.samples.clone()],
                &self.values[row.samples.clone()],
            )
        })
    }

    /// Keeps the selected pods (see [`super::select_pods`]); returns how many there were
    /// before.
    pub fn select(&mut self, selection: &PodSelection) -> usize {
        select_in(&mut self.pods, selection)
    }

    /// The owned pods, as [`super::aggregate_pods`] gives them.
    pub fn to_aggregation(&self) -> Aggregation {
        Aggregation {
            pods: self
                .pods
                .iter()
                .map(|row| PodValue {
                    namespace: row.namespace.to_owned(),
                    pod: row.pod.to_owned(),
                    value: row.value,
                    unit: self.unit.to_owned(),
                    containers: self
                        .containers(row)
                        .iter()
                        .map(|&(container, value)| ContainerValue {
                            container: container.to_owned(),
                            value,
                        })
                        .collect(),
                    series: self
                        .series(row)
                        .map(|(timestamps, values)| (timestamps.to_vec(), values.to_vec())),
                })
                .collect(),
            unattributed: owned_label_sets(&self.unattributed),
            dropped_duplicates: self.dropped_duplicates,
            skipped_samples: self.skipped_samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{aggregate_pod_table, AggregateOptions, Order, PodRef};
    use crate::response::{PlainResult, PlainSeries, QueryResult, ResultType};

    /// Pods `p0`..`p5` in namespace `ns`, each with containers `a` and `b` worth `i` and `10 * i`
    /// at two times (the second sample doubled), listed in reverse pod order.
    fn result() -> QueryResult<'static> {
        let series = (0..6)
            .rev()
            .flat_map(|i| {
                [("a", 1.0), ("b", 10.0)].map(|(container, scale)| {
                    let v = scale * f64::from(i);
                    PlainSeries {
                        labels: [("container", container), ("namespace", "ns")]
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .chain([("pod".to_string(), format!("p{i}"))])
                            .collect(),
                        timestamps: vec![10.0, 20.0],
                        values: vec![v, 2.0 * v],
                    }
                })
            })
            .collect();
        PlainResult {
            result_type: ResultType::Matrix,
            series,
            string_value: None,
            warnings: vec![],
            infos: vec![],
        }
        .into()
    }

    /// A row keeps its own containers and series whatever the selection does to the order.
    #[test]
    fn rows_keep_their_containers_and_series_through_a_selection() {
        let columns = result();
        let opts = AggregateOptions {
            keep_series: true,
            ..Default::default()
        };
        let mut table = aggregate_pod_table(&columns, &opts).unwrap();
        let names: Vec<&str> = table.pods.iter().map(|p| p.pod).collect();
        assert_eq!(names, ["p0", "p1", "p2", "p3", "p4", "p5"]);
        let total = table.select(&PodSelection {
            pods: Some(
                ["p1", "p4", "p5", "missing"]
                    .map(|pod| PodRef {
                        namespace: "ns".into(),
                        pod: pod.into(),
                    })
                    .to_vec(),
            ),
            top: Some((2, Order::Desc)),
        });
        assert_eq!(total, 6);
        let picked: Vec<(&str, f64)> = table.pods.iter().map(|p| (p.pod, p.value)).collect();
        // The last sample of each pod: 2 * (i + 10 i).
        assert_eq!(picked, [("p5", 110.0), ("p4", 88.0)]);
        for (row, i) in table.pods.iter().zip([5.0, 4.0]) {
            assert_eq!(
                table.containers(row),
                [("a", 2.0 * i), ("b", 20.0 * i)],
                "{}",
                row.pod
            );
            let (times, values) = table.series(row).unwrap();
            assert_eq!(
                (times, values),
                (&[10.0, 20.0][..], &[11.0 * i, 22.0 * i][..])
            );
        }
        let owned = table.to_aggregation();
        assert_eq!(owned.pods[1].pod, "p4");
        assert_eq!(owned.pods[1].containers[1].container, "b");
        assert_eq!(owned.pods[1].containers[1].value, 80.0);
        assert_eq!(
            owned.pods[1].series,
            Some((vec![10.0, 20.0], vec![44.0, 88.0]))
        );
    }

    /// Without `keep_series` no row has a series, and no samples are kept.
    #[test]
    fn no_series_unless_kept() {
        let columns = result();
        let table = aggregate_pod_table(&columns, &AggregateOptions::default()).unwrap();
        assert!(table.pods.iter().all(|row| table.series(row).is_none()));
        assert!(table.values.is_empty() && table.timestamps.is_empty());
    }
}
